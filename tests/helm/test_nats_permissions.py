"""The NATS users the chart renders work with the services' real subjects and consumers.

A real nats-server runs the chart's authorization.conf. Each service connects as the chart
configures it (user and inbox prefix from its Deployment's env) and does what its code does:
publish its events, bind its durable consumers with the names and filters taken from the
service code, fetch and acknowledge. What belongs to another service is refused.
"""

from __future__ import annotations

import asyncio
import re
import sys
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path

import nats
import nats.errors
import pytest
from nats.aio.client import Client as NatsClient
from nats.js.api import AckPolicy, ConsumerConfig
from sqlalchemy.orm import DeclarativeBase

from ratsraum_common.db import Database
from ratsraum_common.events import Envelope
from ratsraum_common.nats import EventConsumer, ProcessedEventRecord, ensure_stream
from ratsraum_common.natsauth import NatsOptions
from ratsraum_devstack.natsserver import NatsServer
from ratsraum_meeting.events import POLL_CLOSED_FILTER, VOTING_CONSUMER
from ratsraum_meeting.live import LIVE_SUBJECT, LiveHub, LiveUpdate
from ratsraum_meeting.polls.lifecycle import LIFECYCLE_CONSUMER, LIFECYCLE_FILTER
from ratsraum_meeting.signin.identity_events import IDENTITY_CONSUMER, IDENTITY_FILTER
from ratsraum_portal.config import Settings as PortalSettings
from ratsraum_portal.events import PUBLIC_SUBJECTS

sys.path.insert(0, str(Path(__file__).parent))
from chartrender import component, env_of, kind, render

TENANT = "soest"
PREFIX = {"identity": "IDENTITY_", "meeting": "MEETING_", "voting": "VOTING_",
          "citizen-portal": "PORTAL_"}


class Base(DeclarativeBase):
    pass


class Processed(ProcessedEventRecord, Base):
    pass


@pytest.fixture(scope="module")
def chart_users() -> dict[str, tuple[str, str]]:
    """(user, password variable) per service, from the rendered ConfigMap."""
    [config_map] = [c for c in kind(render(None), "ConfigMap")
                    if component(c) == "nats-authorization"]
    text = config_map["data"]["authorization.conf"]
    pairs = re.findall(r'user: "([^"]+)"\s+password: \$([A-Z0-9_]+)', text)
    users = {user.removeprefix("ratsraum-"): (user, var) for user, var in pairs}
    assert users.keys() == PREFIX.keys()
    return users


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory,
           chart_users: dict[str, tuple[str, str]]) -> Iterator[tuple[NatsServer, dict[str, str]]]:
    """nats-server with exactly the chart's authorization block and random passwords."""
    folder = tmp_path_factory.mktemp("nats-chart")
    [config_map] = [c for c in kind(render(None), "ConfigMap")
                    if component(c) == "nats-authorization"]
    config = folder / "nats.conf"
    config.write_text(config_map["data"]["authorization.conf"])
    passwords = {var: uuid.uuid4().hex for _, var in chart_users.values()}
    nats_server = NatsServer(folder / "js", config=config, env=passwords).start()
    try:
        yield nats_server, passwords
    finally:
        nats_server.stop()


class Connections:
    """Opens connections as the chart configures each service, and records refusals."""

    def __init__(self, server: NatsServer, passwords: dict[str, str],
                 users: dict[str, tuple[str, str]]) -> None:
        self.server, self.passwords, self.users = server, passwords, users
        self.errors: dict[str, list[str]] = {}
        self.opened: list[NatsClient] = []

    async def open(self, service: str) -> NatsClient:
        env = env_of(render(None), service)
        prefix = PREFIX[service]
        user, var = self.users[service]
        assert env[f"{prefix}NATS_USER"]["value"] == user
        options = NatsOptions(user=user, password=self.passwords[var],
                              inbox_prefix=env[f"{prefix}NATS_INBOX_PREFIX"]["value"])
        errors = self.errors.setdefault(service, [])

        async def on_error(exc: Exception) -> None:
            errors.append(str(exc).lower())

        nc = await nats.connect(self.server.url, error_cb=on_error, **options.connect_kwargs())
        self.opened.append(nc)
        return nc


@pytest.fixture
async def conns(server: tuple[NatsServer, dict[str, str]],
                chart_users: dict[str, tuple[str, str]]) -> AsyncIterator[Connections]:
    """Connections per service, closed afterwards."""
    connections = Connections(server[0], server[1], chart_users)
    yield connections
    for nc in connections.opened:
        await nc.close()


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    """A SQLite database with the processed-events table consumers need."""
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'consumer.sqlite3'}")
    async with database.engine.begin() as conn:
        await conn.run_sync(Base.metadata.create_all)
    yield database
    await database.dispose()


def _event(service: str, event: str) -> tuple[str, bytes]:
    envelope = Envelope(id=uuid.uuid4().hex, source=f"/{service}", type=event,
                        subject="x", tenant=TENANT, time=datetime.now(UTC).isoformat(), data={})
    return f"ratsraum.{TENANT}.{service}.{event}", envelope.to_json()


async def _consume(nc: NatsClient, db: Database, durable: str, subject_filter: str,
                   received: list[str]) -> EventConsumer:
    async def handler(_session: object, envelope: Envelope) -> None:
        received.append(envelope.id)

    consumer = EventConsumer(js=nc.jetstream(), db=db, model=Processed, durable=durable,
                             filter_subject=subject_filter, handler=handler)  # type: ignore[arg-type]
    await consumer.start()
    return consumer


async def _until(condition: object, seconds: float = 5.0) -> None:
    deadline = asyncio.get_running_loop().time() + seconds
    while not condition():  # type: ignore[operator]
        assert asyncio.get_running_loop().time() < deadline, "timed out"
        await asyncio.sleep(0.05)


async def test_meeting_reads_voting_events_through_its_own_consumers(
    conns: Connections, db: Database
) -> None:
    """Voting publishes poll.closed; meeting's durable consumers (names from code) get it."""
    voting, meeting = await conns.open("voting"), await conns.open("meeting")
    await ensure_stream(voting.jetstream())
    received: list[str] = []
    consumers = [await _consume(meeting, db, VOTING_CONSUMER, POLL_CLOSED_FILTER, received),
                 await _consume(meeting, db, LIFECYCLE_CONSUMER, LIFECYCLE_FILTER, received)]
    try:
        subject, body = _event("voting", "poll.closed")
        await voting.jetstream().publish(subject, body, timeout=5)
        await _until(lambda: len(received) == 2)  # one delivery per consumer, both acked
    finally:
        for consumer in consumers:
            await consumer.stop()
    assert not any("permissions violation" in e for e in conns.errors["meeting"])


async def test_meeting_hears_identity_end_an_account(conns: Connections, db: Database) -> None:
    """Identity publishes account.deactivated; meeting's durable consumer (from code) gets it."""
    identity, meeting = await conns.open("identity"), await conns.open("meeting")
    await ensure_stream(identity.jetstream())
    received: list[str] = []
    consumer = await _consume(meeting, db, IDENTITY_CONSUMER, IDENTITY_FILTER, received)
    try:
        subject, body = _event("identity", "account.deactivated")
        await identity.jetstream().publish(subject, body, timeout=5)
        await _until(lambda: len(received) == 1)
    finally:
        await consumer.stop()
    assert not any("permissions violation" in e for e in conns.errors["meeting"])
    assert not any("permissions violation" in e for e in conns.errors.get("identity", []))


async def test_portal_reads_public_meeting_events_only(conns: Connections, db: Database) -> None:
    """Portal's read-model consumer and live push get meeting's public events, nothing else."""
    meeting, portal = await conns.open("meeting"), await conns.open("citizen-portal")
    await ensure_stream(meeting.jetstream())
    live: list[str] = []

    async def on_live(msg: nats.aio.msg.Msg) -> None:
        live.append(msg.subject)

    await portal.subscribe(PUBLIC_SUBJECTS, cb=on_live)
    await portal.flush()
    received: list[str] = []
    durable = PortalSettings().consumer_durable
    assert env_of(render(None), "citizen-portal")["PORTAL_CONSUMER_DURABLE"]["value"] == durable
    consumer = await _consume(portal, db, durable, PUBLIC_SUBJECTS, received)
    try:
        subject, body = _event("meeting", "public.meeting.updated")
        await meeting.jetstream().publish(subject, body, timeout=5)
        await _until(lambda: len(received) == 1 and live == [subject])
    finally:
        await consumer.stop()
    # Members' live data and voting's events are not for the portal.
    await portal.subscribe(LIVE_SUBJECT.format(tenant=TENANT, meeting_id="m1"))
    await portal.subscribe(f"ratsraum.{TENANT}.voting.>")
    await portal.flush()
    await _until(lambda: sum("permissions violation for subscription" in e
                             for e in conns.errors["citizen-portal"]) == 2)


async def test_portal_receives_no_members_live_data(conns: Connections) -> None:
    """Members' live data reaches meeting's other replica and never the portal, whatever it asks."""
    origin, replica = LiveHub(), LiveHub()
    meeting_a, meeting_b = await conns.open("meeting"), await conns.open("meeting")
    await origin.attach(meeting_a)
    await replica.attach(meeting_b)
    portal = await conns.open("citizen-portal")
    seen: list[str] = []

    async def on_any(msg: nats.aio.msg.Msg) -> None:
        seen.append(msg.subject)

    for subject in (PUBLIC_SUBJECTS, "ratsraum-members.>", ">"):
        await portal.subscribe(subject, cb=on_any)
    await portal.flush()
    await meeting_b.flush()
    updates = [LiveUpdate(tenant=TENANT, meeting_id="m1", kind="lobby",
                          data={"waiting": ["Erika Muster"]}),
               LiveUpdate(tenant=TENANT, meeting_id="m1", kind="agenda",
                          data={"item": "N 1", "title": "Grundstücksangelegenheit"})]
    async with replica.subscribe(TENANT, "m1") as queue:
        for update in updates:
            origin.broadcast(update)
        received = [await asyncio.wait_for(queue.get(), 5) for _ in updates]
    assert [u.kind for u in received] == ["lobby", "agenda"]
    await portal.flush()
    assert seen == []
    await _until(lambda: sum("permissions violation for subscription" in e
                             for e in conns.errors["citizen-portal"]) == 2)
    await origin.detach(meeting_a)
    await replica.detach(meeting_b)


@pytest.mark.parametrize(
    ("service", "subject"),
    [
        pytest.param("meeting", f"ratsraum.{TENANT}.voting.poll.closed", id="meeting-as-voting"),
        pytest.param("voting", f"ratsraum.{TENANT}.meeting.public.minutes", id="voting-as-meeting"),
        pytest.param("citizen-portal", f"ratsraum.{TENANT}.meeting.public.x", id="portal-writes"),
        pytest.param("voting", f"ratsraum-members.{TENANT}.meeting.m1", id="voting-live"),
        pytest.param("meeting", f"ratsraum.{TENANT}.identity.town.suspended",
                     id="meeting-as-identity"),
        pytest.param("identity", f"ratsraum.{TENANT}.meeting.public.x", id="identity-as-meeting"),
    ],
)
async def test_service_cannot_publish_for_another(
    conns: Connections, service: str, subject: str
) -> None:
    """A forged event is refused by the server and never reaches the stream."""
    nc = await conns.open(service)
    with pytest.raises((nats.errors.TimeoutError, nats.errors.NoRespondersError)):
        await nc.jetstream().publish(subject, b"{}", timeout=1)
    await nc.flush()
    await _until(lambda: any("permissions violation for publish" in e and subject in e
                             for e in conns.errors[service]))


@pytest.mark.parametrize(
    ("service", "durable", "subject_filter"),
    [
        pytest.param("meeting", VOTING_CONSUMER, "ratsraum.>", id="meeting-widens-filter"),
        pytest.param("citizen-portal", "portal-sniffer", "ratsraum.*.voting.>",
                     id="portal-new-consumer"),
        pytest.param("voting", VOTING_CONSUMER, POLL_CLOSED_FILTER, id="voting-takes-meetings"),
    ],
)
async def test_service_cannot_open_other_consumers(
    conns: Connections, service: str, durable: str, subject_filter: str
) -> None:
    """Only the service's own durable consumers with their own filters can be created."""
    nc = await conns.open(service)
    config = ConsumerConfig(name=durable, durable_name=durable, filter_subject=subject_filter,
                            ack_policy=AckPolicy.EXPLICIT)
    # Refused requests get no answer at all (an existing consumer would answer an API error).
    with pytest.raises(nats.errors.TimeoutError):
        await nc.jetstream().add_consumer("RATSRAUM", config=config, timeout=1)
    await _until(lambda: any("permissions violation for publish" in e
                             and "$js.api.consumer.create" in e for e in conns.errors[service]))
