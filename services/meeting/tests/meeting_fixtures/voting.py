"""The voting service behind meeting: `fake_voting` (in memory) or `voting_target` (real)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from meeting_fakes.voting import FakeVoting

from ratsraum.voting.v1 import voting_pb2_grpc
from ratsraum_common.grpcutil import start_server
from ratsraum_devstack.schema_templates import SchemaTemplates


@pytest.fixture
async def fake_voting() -> AsyncIterator[tuple[FakeVoting, int]]:
    """The in-memory voting service on a free port."""
    servicer = FakeVoting()
    server, port = await start_server(
        host="127.0.0.1", port=0,
        register=lambda s: voting_pb2_grpc.add_VotingServiceServicer_to_server(servicer, s),
        service_names=["ratsraum.voting.v1.VotingService"],
    )
    yield servicer, port
    await server.stop(grace=None)


@pytest.fixture
async def voting_target(
    request: pytest.FixtureRequest, database_url: str, nats_url: str, tmp_path: Path,
    schema_templates: SchemaTemplates,
) -> AsyncIterator[str]:
    """The real voting service on a free port, with its own database of the same kind."""
    from ratsraum_voting.config import Settings as VotingSettings
    from ratsraum_voting.main import MIGRATIONS
    from ratsraum_voting.main import build_app as build_voting_app

    if database_url.startswith("sqlite"):
        db_url = f"sqlite+aiosqlite:///{tmp_path / 'voting.sqlite3'}"
    else:
        db_url = request.getfixturevalue("postgres_cluster").create_database()
    schema_templates.fill(db_url, MIGRATIONS)
    settings = VotingSettings(database_url=db_url, nats_url=nats_url, grpc_port=0,
                              data_dir=tmp_path / "voting")
    app = build_voting_app(settings)
    async with app.router.lifespan_context(app):
        yield f"127.0.0.1:{app.state.grpc_port}"
