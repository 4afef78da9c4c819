"""The whole voting service started in-process on a free port, against real DB and NATS."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from voting_testkit import RunningVoting, running_voting

from ratsraum_devstack.schema_templates import SchemaTemplates
from ratsraum_voting.config import Settings
from ratsraum_voting.main import MIGRATIONS


@pytest.fixture
def tenant() -> str:
    """A town of its own per test, so events and polls never mix between tests."""
    return f"town-{uuid.uuid4().hex[:10]}"


@pytest.fixture
async def voting(
    database_url: str, nats_url: str, tmp_path: Path, schema_templates: SchemaTemplates
) -> AsyncIterator[RunningVoting]:
    """Start the service (migrations, NATS, gRPC on port 0, relay) and stop it afterwards."""
    schema_templates.fill(database_url, MIGRATIONS)
    settings = Settings(
        database_url=database_url, nats_url=nats_url, grpc_port=0, data_dir=tmp_path,
        grpc_grace_seconds=0.5,
    )
    async with running_voting(settings) as running:
        yield running
