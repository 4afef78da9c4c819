"""A publisher killed between commit and publish loses no event and duplicates none."""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
import uuid
from pathlib import Path

import nats
import pytest
from sqlalchemy import func, select

from ratsraum_common.db import Database
from ratsraum_common.events import Envelope
from ratsraum_common.nats import EventConsumer, ensure_stream
from ratsraum_common.outbox import OutboxRelay

CHILD = Path(__file__).with_name("outbox_child.py")
# The child process imports the same table definitions; share them by path.
sys.path.insert(0, str(CHILD.parent))
from outbox_models import Base, OutboxMessage, ProcessedEvent, Received  # noqa: E402


@pytest.fixture
async def db(database_url: str):
    database = Database(database_url)
    async with database.engine.begin() as conn:
        await conn.run_sync(Base.metadata.create_all)
    yield database
    await database.dispose()


@pytest.fixture
async def js(nats_url: str):
    nc = await nats.connect(nats_url)
    jetstream = nc.jetstream()
    await ensure_stream(jetstream)
    await jetstream.purge_stream("RATSRAUM")
    yield jetstream
    await nc.close()


async def _record(session, envelope: Envelope) -> None:
    session.add(Received(event_id=envelope.id))


async def _wait_for(predicate, timeout: float = 10.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not await predicate():
        if asyncio.get_running_loop().time() > deadline:
            raise TimeoutError("condition not met in time")
        await asyncio.sleep(0.05)


@pytest.mark.parametrize("mode", ["after_commit", "after_publish"])
async def test_killed_publisher_event_arrives_exactly_once(
    db: Database, js, database_url: str, nats_url: str, mode: str
) -> None:
    decision_id = str(uuid.uuid4())
    child = subprocess.run(  # noqa: ASYNC221 - the child must die on its own schedule
        [sys.executable, str(CHILD), database_url, nats_url, mode, decision_id],
        capture_output=True, timeout=60,
    )
    assert child.returncode == -signal.SIGKILL, child.stderr.decode()

    async with db.system_session() as s:
        row = (await s.scalars(select(OutboxMessage))).one()
        assert row.published_at is None  # the crash left it unmarked

    consumer = EventConsumer(js=js, db=db, model=ProcessedEvent, durable=f"c-{mode}",
                             filter_subject="ratsraum.*.test.>", handler=_record)
    await consumer.start()
    relay = OutboxRelay(db=db, model=OutboxMessage, js=js)
    task = asyncio.create_task(relay.run())  # the restarted publisher
    try:
        async def delivered() -> bool:
            async with db.tenant_session("soest") as s:
                return bool(await s.scalar(select(func.count()).select_from(Received)))

        await _wait_for(delivered)

        async def marked() -> bool:
            async with db.system_session() as s:
                return (await s.scalars(select(OutboxMessage))).one().published_at is not None

        await _wait_for(marked)
        await asyncio.sleep(0.5)  # room for a duplicate to show up, if there were one
    finally:
        task.cancel()
        await consumer.stop()

    async with db.tenant_session("soest") as s:
        received = (await s.scalars(select(Received.event_id))).all()
    assert received == [row.id]
    info = await js.stream_info("RATSRAUM")
    assert info.state.messages == 1  # JetStream dropped the republished duplicate


async def test_consumer_applies_a_redelivered_event_once(db: Database, js) -> None:
    """Even past JetStream's duplicate window, the consumer's inbox keeps effects single."""
    from ratsraum.voting.v1.voting_pb2 import GetPollRequest
    from ratsraum_common.events import make_envelope

    subject, envelope = make_envelope(tenant="soest", service="test", event="x",
                                      payload=GetPollRequest(tenant="soest", poll_id="p"),
                                      traceparent=None)
    for copy in range(3):  # different Nats-Msg-Id: JetStream keeps all three
        msg_id = f"{envelope.id}-{copy}"
        await js.publish(subject, envelope.to_json(), headers={"Nats-Msg-Id": msg_id})
    consumer = EventConsumer(js=js, db=db, model=ProcessedEvent, durable="c-redeliver",
                             filter_subject="ratsraum.*.test.>", handler=_record)
    await consumer.start()
    try:
        await _wait_for(lambda: _true_if(consumer.handled >= 1))
        await asyncio.sleep(0.5)
    finally:
        await consumer.stop()
    async with db.tenant_session("soest") as s:
        assert (await s.scalars(select(Received.event_id))).all() == [envelope.id]


async def _true_if(value: bool) -> bool:
    return value


async def test_malformed_event_is_dropped_not_retried_forever(db: Database, js) -> None:
    await js.publish("ratsraum.soest.test.bad", b"{not json",
                     headers={"Nats-Msg-Id": f"bad-{uuid.uuid4()}"})
    consumer = EventConsumer(js=js, db=db, model=ProcessedEvent, durable="c-bad",
                             filter_subject="ratsraum.*.test.>", handler=_record)
    await consumer.start()
    await asyncio.sleep(0.5)
    await consumer.stop()
    info = await js.consumer_info("RATSRAUM", "c-bad")
    assert info.num_ack_pending == 0
    assert info.num_pending == 0
    async with db.tenant_session("soest") as s:
        assert (await s.scalars(select(Received))).all() == []


async def test_relay_stops_when_cancelled_as_an_event_wakes_it(db: Database, js) -> None:
    """A shutdown that coincides with a new event must still stop the relay (no hang)."""
    for _ in range(20):
        relay = OutboxRelay(db=db, model=OutboxMessage, js=js, idle_poll_seconds=30.0)
        task = asyncio.create_task(relay.run())
        await asyncio.sleep(0.05)  # idle: waiting to be woken
        relay._wake.set()  # an event was committed ...
        task.cancel()  # ... in the same tick as the service stops
        done, _ = await asyncio.wait({task}, timeout=2.0)
        assert done, "the relay ignored the cancel and kept running"
