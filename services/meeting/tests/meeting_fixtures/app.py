"""The meeting app: `start_meeting` against any voting target, `meeting` against FakeVoting."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from meeting_fakes.voting import FakeVoting

from meeting_fixtures.tokens import Issuer
from ratsraum_common import demo
from ratsraum_devstack.schema_templates import SchemaTemplates
from ratsraum_meeting.config import Settings
from ratsraum_meeting.main import MIGRATIONS, build_app


def member_ids(count: int) -> list[str]:
    """Subject ids of the first `count` committee members (in demo order)."""
    return [p.subject for p in demo.PEOPLE if p.is_member][:count]


@dataclass
class Running:
    """A started meeting app with an HTTP client and helpers for common steps."""

    app: FastAPI
    client: httpx.AsyncClient
    base: str = f"/api/v1/meetings/{demo.MEETING_ID}"

    async def open_and_attend(self, clerk: dict[str, str], present: int) -> None:
        """Open the demo meeting and record the first `present` members in the room."""
        assert (await self.client.post(f"{self.base}/open", headers=clerk)).status_code == 200
        for person_id in member_ids(present):
            response = await self.client.put(f"{self.base}/attendance/{person_id}",
                                             json={"presence": "in_room"}, headers=clerk)
            assert response.status_code == 200, response.text


StartMeeting = Callable[[str], Awaitable[Running]]


@pytest.fixture
async def start_meeting(
    database_url: str, nats_url: str, issuer: Issuer, tmp_path: Path,
    schema_templates: SchemaTemplates,
) -> AsyncIterator[StartMeeting]:
    """Start meeting (seeded demo town) against a voting target; stopped after the test."""
    schema_templates.fill(database_url, MIGRATIONS)
    stops: list[Callable[[], Awaitable[None]]] = []

    async def start(voting_target: str) -> Running:
        settings = Settings(
            database_url=database_url, nats_url=nats_url, voting_target=voting_target,
            grpc_port=0, data_dir=tmp_path, seed_demo=True, voting_deadline_seconds=2.0,
            environment="test",
            # Fake providers and the OParl server run on 127.0.0.1 over plain http.
            outbound_allow_http=True, outbound_allow_private=True,
        )
        app = build_app(settings, token_verifier=issuer.verifier())
        lifespan = app.router.lifespan_context(app)
        await lifespan.__aenter__()
        client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                   base_url="http://meeting.test")

        async def stop() -> None:
            await client.aclose()
            await lifespan.__aexit__(None, None, None)

        stops.append(stop)
        return Running(app=app, client=client)

    yield start
    for stop in reversed(stops):
        await stop()


@pytest.fixture
async def meeting(
    start_meeting: StartMeeting, fake_voting: tuple[FakeVoting, int]
) -> Running:
    """Meeting wired to the fake voting service."""
    return await start_meeting(f"127.0.0.1:{fake_voting[1]}")
