"""The portal served in-process by uvicorn on a free port, against real DB and NATS.

Helpers are fixtures (the workspace imports tests in importlib mode, so test modules cannot
import each other): `start_portal`, `publish`, `new_meeting`, and `Portal.wait_for_meeting`.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from nats.aio.client import Client as NatsClient
from nats.js import JetStreamContext

from ratsraum.meeting.v1 import public_pb2
from ratsraum_common.events import make_envelope
from ratsraum_common.nats import STREAM, connect, ensure_stream
from ratsraum_devstack.ports import bound_socket, free_port
from ratsraum_devstack.schema_templates import SchemaTemplates
from ratsraum_portal.config import Settings
from ratsraum_portal.main import MIGRATIONS, build_app

TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"


async def eventually(
    check: Callable[[], Awaitable[bool]], *, within: float = 10.0, what: str = "condition"
) -> float:
    """Wait until check() is true; returns the seconds it took."""
    started = time.monotonic()
    while time.monotonic() - started < within:
        if await check():
            return time.monotonic() - started
        await asyncio.sleep(0.05)
    raise AssertionError(f"timed out after {within}s waiting for {what}")


@dataclass
class Portal:
    """A running portal and an HTTP client pointed at it."""

    url: str
    http: httpx.AsyncClient
    settings: Settings

    async def wait_for_meeting(
        self, tenant: str, meeting_id: str,
        predicate: Callable[[dict[str, Any]], bool] = lambda _m: True, within: float = 10.0,
    ) -> dict[str, Any]:
        """Poll the API until the meeting is there and the predicate holds."""
        found: dict[str, Any] = {}

        async def check() -> bool:
            response = await self.http.get(f"/api/v1/{tenant}/meetings/{meeting_id}")
            if response.status_code == 200 and predicate(response.json()):
                found.update(response.json())
                return True
            return False

        await eventually(check, within=within, what=f"meeting {meeting_id}")
        return found


StartPortal = Callable[..., AbstractAsyncContextManager[Portal]]


async def _caught_up(nats_url: str, durable: str) -> None:
    """Wait until a new portal has replayed the shared stream (other tests' events)."""
    nc: NatsClient = await connect(nats_url, name="test-catch-up")
    js = nc.jetstream()

    async def done() -> bool:
        info = await js.consumer_info(STREAM, durable)
        return info.num_pending == 0 and info.num_ack_pending == 0

    try:
        await eventually(done, within=20.0, what="the read-model consumer to catch up")
    finally:
        await nc.drain()


@pytest.fixture
def start_portal(nats_url: str, tmp_path: Path) -> StartPortal:
    """Serve a portal over real HTTP while a block runs: start_portal(database_url, target)."""

    @asynccontextmanager
    async def run(database_url: str, meeting_target: str, **extra: Any) -> AsyncIterator[Portal]:
        sock = bound_socket()
        port = int(sock.getsockname()[1])
        settings = Settings(
            database_url=database_url, nats_url=nats_url, data_dir=tmp_path, http_port=port,
            meeting_grpc_target=meeting_target, meeting_grpc_timeout_seconds=1.0,
            consumer_durable=f"portal-test-{uuid.uuid4().hex[:12]}",
            backfill_initial_backoff_seconds=0.1, backfill_max_backoff_seconds=0.5, **extra,
        )
        server = uvicorn.Server(uvicorn.Config(
            build_app(settings), host="127.0.0.1", port=port, log_config=None,
            lifespan="on", timeout_graceful_shutdown=2,
        ))
        task = asyncio.create_task(server.serve(sockets=[sock]))
        while not server.started:
            if task.done():
                task.result()
                raise RuntimeError("portal did not start")
            await asyncio.sleep(0.02)
        url = f"http://127.0.0.1:{port}"
        await _caught_up(nats_url, settings.consumer_durable)
        try:
            async with httpx.AsyncClient(base_url=url, timeout=10) as http:
                yield Portal(url=url, http=http, settings=settings)
        finally:
            server.should_exit = True
            await task

    return run


@pytest.fixture
def tenant() -> str:
    """A town of its own per test, so events never mix between tests."""
    return f"town-{uuid.uuid4().hex[:10]}"


@pytest.fixture
def unreachable_meeting() -> str:
    """A gRPC target where nothing listens (meeting is down)."""
    return f"127.0.0.1:{free_port()}"


@pytest.fixture
async def portal(
    start_portal: StartPortal, database_url: str, unreachable_meeting: str,
    schema_templates: SchemaTemplates,
) -> AsyncIterator[Portal]:
    """The portal on both database kinds, with meeting unreachable."""
    schema_templates.fill(database_url, MIGRATIONS)
    async with start_portal(database_url, unreachable_meeting) as running:
        yield running


@pytest.fixture
async def sqlite_portal(
    start_portal: StartPortal, sqlite_url: str, unreachable_meeting: str,
    schema_templates: SchemaTemplates,
) -> AsyncIterator[Portal]:
    """The portal on SQLite only, for page and stream behaviour no database changes."""
    schema_templates.fill(sqlite_url, MIGRATIONS)
    async with start_portal(sqlite_url, unreachable_meeting) as running:
        yield running


@pytest.fixture
async def js(nats_url: str) -> AsyncIterator[JetStreamContext]:
    """A JetStream context playing meeting's outbox relay."""
    nc: NatsClient = await connect(nats_url, name="test-publisher")
    context = nc.jetstream()
    await ensure_stream(context)
    try:
        yield context
    finally:
        await nc.drain()


NewMeeting = Callable[..., public_pb2.PublicMeeting]


@pytest.fixture
def new_meeting(tenant: str) -> NewMeeting:
    """Factory: a public meeting of the test's town with a decided roll-call item and a live vote.

    Keyword arguments set top-level fields; each call stamps updated_at with the current time.
    """

    def build(meeting_id: str | None = None, **fields: Any) -> public_pb2.PublicMeeting:
        meeting = public_pb2.PublicMeeting(
            tenant=public_pb2.PublicTenant(id=tenant, name=f"Stadt {tenant}"),
            id=meeting_id or uuid.uuid4().hex,
            body_name="Ausschuss für Innovation und Digitalisierung",
            title="3. Sitzung des Ausschusses", location="Rathaus, Sitzungssaal",
            status="running", present=11, members=11, quorate=True,
        )
        meeting.starts_at.FromDatetime(datetime(2025, 11, 25, 17, 0, tzinfo=UTC))
        meeting.updated_at.FromDatetime(datetime.now(UTC))
        decided = meeting.agenda.add(id="item-1", number="Ö 1", position=1,
                                     title="Digitale Ratsarbeit", status="decided")
        decided.result.CopyFrom(public_pb2.PublicVoteResult(
            poll_id="poll-1", method="roll_call", outcome="accepted", yes=6, no=3, abstain=2,
            roll_size=11, ballots_cast=11,
            named_votes=[public_pb2.PublicNamedVote(name="Anna Becker", option_id="yes"),
                         public_pb2.PublicNamedVote(name="Jonas Weber", option_id="no")],
        ))
        voting = meeting.agenda.add(id="item-2", number="Ö 2", position=2,
                                    title="Glasfaserausbau", status="voting")
        voting.live_vote.CopyFrom(
            public_pb2.PublicLiveVote(poll_id="poll-2", ballots_cast=7, roll_size=11)
        )
        for name, value in fields.items():
            setattr(meeting, name, value)
        return meeting

    return build


Publish = Callable[..., Awaitable[str]]


@pytest.fixture
def publish(js: JetStreamContext) -> Publish:
    """Publish PublicMeetingUpdated as meeting's outbox relay does; returns the event id.

    publish(meeting, version, subject=..., event_id=..., msg_id=...) override the parts a
    test needs to get wrong on purpose.
    """

    async def send(
        meeting: public_pb2.PublicMeeting, version: int, *, subject: str | None = None,
        event_id: str | None = None, msg_id: str | None = None,
    ) -> str:
        real_subject, envelope = make_envelope(
            tenant=meeting.tenant.id if subject is None else subject.split(".")[1],
            service="meeting", event="public.meeting.updated",
            payload=public_pb2.PublicMeetingUpdated(meeting=meeting, version=version),
            traceparent=TRACEPARENT,
        )
        if event_id is not None:
            envelope = replace(envelope, id=event_id)
        target = subject or real_subject
        await js.publish(target, envelope.to_json(), headers={
            "Nats-Msg-Id": msg_id or envelope.id, "traceparent": TRACEPARENT,
        })
        return envelope.id

    return send


PublishMinutes = Callable[..., Awaitable[str]]


@pytest.fixture
def publish_minutes(js: JetStreamContext) -> PublishMinutes:
    """Publish PublicMinutesSigned as meeting's outbox relay does; returns the event id."""

    async def send(minutes: public_pb2.PublicMinutesSigned) -> str:
        subject, envelope = make_envelope(
            tenant=minutes.tenant.id, service="meeting", event="public.minutes.signed",
            payload=minutes, traceparent=TRACEPARENT,
        )
        await js.publish(subject, envelope.to_json(), headers={
            "Nats-Msg-Id": envelope.id, "traceparent": TRACEPARENT,
        })
        return envelope.id

    return send


PublishRecords = Callable[..., Awaitable[str]]


@pytest.fixture
def publish_records(js: JetStreamContext) -> PublishRecords:
    """Publish PublicRecordsChanged as meeting's outbox relay does; returns the event id.

    publish_records(tenant, [PublicRecord, ...], changed_at=...) with the records as sent.
    """

    async def send(tenant: str, records: list[public_pb2.PublicRecord], *,
                   changed_at: datetime | None = None) -> str:
        event = public_pb2.PublicRecordsChanged(
            tenant=public_pb2.PublicTenant(id=tenant, name=f"Stadt {tenant}"), records=records)
        event.changed_at.FromDatetime(changed_at or datetime.now(UTC))
        subject, envelope = make_envelope(
            tenant=tenant, service="meeting", event="public.records.changed", payload=event,
            traceparent=TRACEPARENT,
        )
        await js.publish(subject, envelope.to_json(), headers={
            "Nats-Msg-Id": envelope.id, "traceparent": TRACEPARENT,
        })
        return envelope.id

    return send
