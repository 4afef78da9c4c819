"""Fixtures: the identity app on a real database, an HTTP client, and people."""

from __future__ import annotations

import secrets
import sys
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from ratsraum_devstack.schema_templates import SchemaTemplates
from ratsraum_identity.accounts.service import create_user, ensure_tenant
from ratsraum_identity.api.deps import Identity
from ratsraum_identity.config import Settings
from ratsraum_identity.main import MIGRATIONS, build_app

# The workspace runs pytest with --import-mode=importlib, where test modules cannot import
# a sibling helper module; put this folder on the path so `identity_testkit` is importable.
sys.path.insert(0, str(Path(__file__).parent))

from identity_testkit import ISSUER, REDIRECT_URI, Person, PersonFactory


@pytest.fixture
def make_settings(
    tmp_path: Path, database_url: str, schema_templates: SchemaTemplates
) -> Callable[..., Settings]:
    """Settings on the test database (identity's schema in place) and a private data folder."""
    schema_templates.fill(database_url, MIGRATIONS)

    def make(**overrides: Any) -> Settings:
        values: dict[str, Any] = {
            "data_dir": tmp_path, "database_url": database_url, "issuer": ISSUER,
            "environment": "test", "web_redirect_uris": [REDIRECT_URI],
            # No NATS here (a closed port): identity's events stay in its outbox.
            "nats_url": "nats://127.0.0.1:9",
        }
        values.update(overrides)
        return Settings(**values)

    return make


@pytest.fixture
async def app(make_settings: Callable[..., Settings]) -> AsyncIterator[FastAPI]:
    """The identity app, started (migrations run, keys generated)."""
    application = build_app(make_settings())
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client talking to the app in-process, keeping cookies like a browser."""
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url=ISSUER) as http:
        yield http


@pytest.fixture
def person(app: FastAPI) -> PersonFactory:
    """Create an account with roles per town ({tenant: [roles]})."""
    ident: Identity = app.state.identity

    async def make(roles: dict[str, list[str]] | None = None, **kwargs: str) -> Person:
        username = kwargs.get("username", f"user{secrets.token_hex(3)}")
        password = kwargs.get("password", secrets.token_urlsafe(12))
        name = kwargs.get("name", "Erika Mustermann")
        for tenant in roles or {}:
            async with ident.db.transaction(None) as session:
                await ensure_tenant(session, tenant_id=tenant, name=f"Stadt {tenant.title()}")
        subject = str(uuid.uuid4())
        await create_user(ident.db, subject=subject, username=username, name=name,
                          password=password, roles=roles)
        return Person(subject, username, password, name)

    return make


@pytest.fixture
def smtp() -> Iterator[tuple[Any, int]]:
    """A real SMTP server (aiosmtpd) on a free local port; its inbox and port."""
    from admin_testkit import Inbox, free_port
    from aiosmtpd.controller import Controller

    inbox, port = Inbox(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, port
    controller.stop()


@pytest.fixture
async def mail_app(make_settings: Callable[..., Settings],
                   smtp: tuple[Any, int]) -> AsyncIterator[FastAPI]:
    """The identity app sending mail through the local SMTP server."""
    application = build_app(make_settings(smtp_host="127.0.0.1", smtp_port=smtp[1],
                                          smtp_tls="none"))
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture
async def mail_client(mail_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client talking to the mailing app in-process (cookies kept)."""
    transport = httpx.ASGITransport(app=mail_app)
    async with httpx.AsyncClient(transport=transport, base_url=ISSUER) as http:
        yield http
