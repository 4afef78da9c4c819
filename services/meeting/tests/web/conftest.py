"""Fixtures for the web app: real identity and meeting in-process, and a browser of cookies."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

# pytest runs with --import-mode=importlib: make the sibling helper module importable.
sys.path.insert(0, str(Path(__file__).parent))

from signin_kit import IDENTITY, MEETING, WebStack, identity_verifier, start_identity

from ratsraum_common import demo
from ratsraum_devstack.schema_templates import SchemaTemplates
from ratsraum_identity.main import MIGRATIONS as IDENTITY_MIGRATIONS
from ratsraum_meeting.config import Settings
from ratsraum_meeting.main import MIGRATIONS, build_app


@pytest.fixture
async def web(
    request: pytest.FixtureRequest, database_url: str, nats_url: str, tmp_path: Path,
    fake_voting: tuple[object, int], schema_templates: SchemaTemplates,
) -> AsyncIterator[WebStack]:
    """identity (demo accounts) and meeting (demo town) wired together in-process."""
    if database_url.startswith("sqlite"):
        identity_url = f"sqlite+aiosqlite:///{tmp_path / 'identity.sqlite3'}"
    else:
        identity_url = request.getfixturevalue("postgres_cluster").create_database()
    schema_templates.fill(identity_url, IDENTITY_MIGRATIONS)
    schema_templates.fill(database_url, MIGRATIONS)
    async for identity in start_identity(tmp_path, identity_url, nats_url):
        settings = Settings(
            database_url=database_url, nats_url=nats_url,
            voting_target=f"127.0.0.1:{fake_voting[1]}", grpc_port=0, data_dir=tmp_path,
            seed_demo=True, environment="test", oidc_issuer=IDENTITY, public_app_url=MEETING,
            outbound_allow_http=True, outbound_allow_private=True)  # local fake providers
        meeting = build_app(settings, token_verifier=identity_verifier(identity),
                            identity_transport=httpx.ASGITransport(app=identity))
        async with meeting.router.lifespan_context(meeting):
            yield WebStack(identity, meeting, demo.ensure_credentials(tmp_path))
