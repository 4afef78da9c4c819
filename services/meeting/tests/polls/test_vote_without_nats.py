"""NATS stops mid-poll: members still cast, the clerk still closes, nothing is lost or doubled.

Real meeting and real voting on a nats-server of this test alone. The server is stopped while
a poll is open and started again after the close: meanwhile /readyz says "degraded" (200) and
the outbox backlog shows in /metrics; afterwards voting's poll.closed is in the stream once and
meeting's consumer has handled it, meeting's backlog is empty, and the result is unchanged.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import uuid
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from ratsraum_common import demo
from ratsraum_common.nats import connect
from ratsraum_devstack.natsserver import NatsServer
from ratsraum_meeting.base import OutboxMessage, ProcessedEvent
from ratsraum_meeting.events import VOTING_CONSUMER

BASE = f"/api/v1/meetings/{demo.MEETING_ID}"
ITEM = demo.AGENDA[3]  # Ö 4
MEMBERS = [p for p in demo.PEOPLE if p.is_member]


@pytest.fixture
def own_nats(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NatsServer]:
    """A nats-server this test may stop and start (its stream survives on disk)."""
    server = NatsServer(tmp_path_factory.mktemp("own-nats")).start()
    yield server
    server.stop()


@pytest.fixture
def nats_url(own_nats: NatsServer) -> str:
    """Meeting and voting (the shared fixtures) connect to this test's server."""
    return own_nats.url


@pytest.fixture(autouse=True)
def _measure_often(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MEETING_HOUSEKEEPING_INTERVAL_SECONDS", "0.2")
    monkeypatch.setenv("VOTING_HOUSEKEEPING_INTERVAL_SECONDS", "0.2")


async def _until(check: Callable[[], Awaitable[bool]], seconds: float = 20.0) -> None:
    deadline = asyncio.get_running_loop().time() + seconds
    while not await check():
        assert asyncio.get_running_loop().time() < deadline, "timed out"
        await asyncio.sleep(0.1)


def _gauge(metrics: str, name: str) -> float:
    [line] = [x for x in metrics.splitlines() if x.startswith(f"{name} ")]
    return float(line.split()[1])


async def _poll_closed_events(nats_url: str, poll_id: str) -> list[str]:
    """Ids of voting's poll.closed events for this poll in the stream."""
    nc = await connect(nats_url, name="inspector")
    ids: list[str] = []
    try:
        sub = await nc.jetstream().subscribe(f"ratsraum.{demo.TENANT}.voting.poll.closed",
                                             ordered_consumer=True)
        with contextlib.suppress(TimeoutError, asyncio.TimeoutError):
            while True:
                body = json.loads((await sub.next_msg(timeout=1.0)).data)
                if body["data"]["poll"]["poll_id"] == poll_id:
                    ids.append(body["id"])
    finally:
        await nc.close()
    return ids


async def test_members_cast_and_the_clerk_closes_while_nats_is_down(
    own_nats: NatsServer, start_meeting, voting_target, issuer, tmp_path: Path
) -> None:
    meeting = await start_meeting(voting_target)
    clerk = issuer.person("schulte")
    await meeting.open_and_attend(clerk, present=7)
    opened = await meeting.client.post(f"{BASE}/agenda-items/{ITEM.id}/polls",
                                       json={"method": "roll_call"}, headers=clerk)
    assert opened.status_code == 201, opened.text
    poll_id = opened.json()["id"]
    url = f"/api/v1/polls/{poll_id}/ballots"

    async def cast(person: demo.DemoPerson, choice: str) -> None:
        response = await meeting.client.post(url, json={"choice": choice}, headers={
            **issuer.person(person.username), "Idempotency-Key": uuid.uuid4().hex})
        assert response.status_code == 201, response.text

    for person, choice in zip(MEMBERS[:2], ["yes", "no"], strict=True):
        await cast(person, choice)

    own_nats.stop()

    async def degraded() -> bool:
        ready = await meeting.client.get("/readyz")
        return ready.status_code == 200 and ready.json()["status"] == "degraded"

    await _until(degraded)
    assert (await meeting.client.get("/readyz")).json()["down"] == ["nats"]
    for person, choice in zip(MEMBERS[2:5], ["yes", "abstain", "yes"], strict=True):
        await cast(person, choice)
    closed = await meeting.client.post(f"/api/v1/polls/{poll_id}/close", headers=clerk)
    assert closed.status_code == 200, closed.text
    result = closed.json()["result"]
    assert (result["yes"], result["no"], result["abstain"]) == (3, 1, 1)

    async def backlog_shows() -> bool:
        metrics = (await meeting.client.get("/metrics")).text
        return (_gauge(metrics, "meeting_outbox_backlog") > 0
                and _gauge(metrics, "meeting_outbox_oldest_pending_age_seconds") > 0)

    await _until(backlog_shows)

    own_nats.start()

    async def ready() -> bool:
        return (await meeting.client.get("/readyz")).json()["status"] == "ok"

    await _until(ready)
    db = meeting.app.state.db

    async def delivered() -> bool:
        async with db.system_session() as session:
            pending = await session.scalar(select(func.count()).select_from(OutboxMessage)
                                           .where(OutboxMessage.published_at.is_(None)))
        events = await _poll_closed_events(own_nats.url, poll_id)
        if pending or len(events) != 1:
            return False
        async with db.system_session() as session:
            handled = await session.scalar(select(func.count()).select_from(ProcessedEvent)
                                           .where(ProcessedEvent.consumer == VOTING_CONSUMER,
                                                  ProcessedEvent.event_id == events[0]))
        return handled == 1

    await _until(delivered, seconds=30)
    await asyncio.sleep(1.0)  # room for a duplicate, if there were one
    assert len(await _poll_closed_events(own_nats.url, poll_id)) == 1
    again = (await meeting.client.get(f"/api/v1/polls/{poll_id}", headers=clerk)).json()
    assert again["result"] == result
