"""Identity served over real HTTP on a free local port (for clients that bring their own HTTP)."""

from __future__ import annotations

import asyncio
import contextlib
import secrets
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass

import uvicorn
from fastapi import FastAPI
from identity_testkit import Person

from ratsraum_devstack.ports import bound_socket
from ratsraum_identity.accounts.service import create_user, ensure_tenant
from ratsraum_identity.api.deps import Identity
from ratsraum_identity.config import Settings
from ratsraum_identity.main import build_app


@dataclass
class Served:
    """A running identity: its issuer URL and the app (for creating accounts)."""

    issuer: str
    app: FastAPI

    async def person(self, tenant: str, roles: list[str], **values: str) -> Person:
        """Create an account with roles in one town."""
        ident: Identity = self.app.state.identity
        async with ident.db.transaction(None) as session:
            await ensure_tenant(session, tenant_id=tenant, name=f"Stadt {tenant.title()}")
        username = values.get("username", f"user{secrets.token_hex(3)}")
        password = values.get("password", secrets.token_urlsafe(12))
        name = values.get("name", "Erika Mustermann")
        subject = str(uuid.uuid4())
        await create_user(ident.db, subject=subject, username=username, name=name,
                          password=password, roles={tenant: roles})
        return Person(subject, username, password, name)


@contextlib.asynccontextmanager
async def serve(settings_for: object, *, host: str = "127.0.0.1",
                **overrides: object) -> AsyncIterator[Served]:
    """Start uvicorn with identity (lifespan on) on a port of its own; stop it afterwards.

    `host` names the issuer: passkeys need a host name (localhost), not an address."""
    sock = bound_socket()
    port = int(sock.getsockname()[1])
    issuer = f"http://{host}:{port}"
    make = settings_for
    assert callable(make)
    settings: Settings = make(issuer=issuer, **overrides)
    app = build_app(settings)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port,
                                           log_level="warning", lifespan="on"))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.02)
    try:
        yield Served(issuer, app)
    finally:
        server.should_exit = True
        await task
