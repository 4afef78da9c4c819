"""A consumer takes the tenant from the subject, and gives up on an event instead of looping.

Real nats-server and database: an envelope naming another town than its subject is never
handled; a handler that always fails is retried a bounded number of times and then kept as
a dead letter with a metric; a dependency that is away (RetryLater) never makes an event dead.
"""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime

import pytest
from nats.js import JetStreamContext
from sqlalchemy import MetaData, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import DeclarativeBase

from ratsraum_common.consumer_guard import ConsumerMetrics, Refuse, RetryLater
from ratsraum_common.db import Database
from ratsraum_common.events import Envelope
from ratsraum_common.metrics import ServiceMetrics
from ratsraum_common.nats import (
    DeadLetterRecord,
    EventConsumer,
    EventHandler,
    ProcessedEventRecord,
)


class Base(DeclarativeBase):
    pass


class Processed(ProcessedEventRecord, Base):
    pass


class Dead(DeadLetterRecord, Base):
    pass


@pytest.fixture
def tables() -> list[MetaData]:
    """This module's tables, for the folder's `db` fixture."""
    return [Base.metadata]


@pytest.fixture
def service() -> str:
    """A service name of this test alone, so its subjects see no other test's events."""
    return f"guard{uuid.uuid4().hex[:8]}"


def _envelope(tenant: str, subject: str) -> Envelope:
    return Envelope(id=uuid.uuid4().hex, source="/test", type="t", subject=subject,
                    tenant=tenant, time=datetime.now(UTC).isoformat(), data={})


async def _publish(js: JetStreamContext, subject: str, envelope: Envelope) -> None:
    await js.publish(subject, envelope.to_json(), headers={"Nats-Msg-Id": envelope.id})


async def _until(condition, seconds: float = 10.0) -> None:  # type: ignore[no-untyped-def]
    deadline = asyncio.get_running_loop().time() + seconds
    while not await condition():
        assert asyncio.get_running_loop().time() < deadline, "timed out"
        await asyncio.sleep(0.05)


async def _dead(db: Database) -> list[Dead]:
    async with db.system_session() as session:
        return list((await session.scalars(select(Dead))).all())


def _consumer(js: JetStreamContext, db: Database, service: str, handler: EventHandler,
              metrics: ConsumerMetrics) -> EventConsumer:
    return EventConsumer(js=js, db=db, model=Processed, durable=service,
                         filter_subject=f"ratsraum.*.{service}.>", handler=handler,
                         dead_letters=Dead, metrics=metrics, max_attempts=3,
                         retry_base_seconds=0.05)


async def test_an_envelope_for_another_tenant_is_never_handled(
    db: Database, js: JetStreamContext, service: str
) -> None:
    handled: list[tuple[str, str]] = []

    async def handler(_session: AsyncSession, envelope: Envelope) -> None:
        handled.append((envelope.tenant, envelope.id))

    registry = ServiceMetrics("guardtest")
    consumer = _consumer(js, db, service, handler, ConsumerMetrics.register(registry))
    await consumer.start()
    try:
        subject = f"ratsraum.hamm.{service}.thing.done"
        forged = _envelope("soest", subject)  # hamm's publisher writing into soest
        await _publish(js, subject, forged)
        genuine = _envelope("hamm", subject)
        await _publish(js, subject, genuine)

        async def genuine_handled() -> bool:
            return bool(handled)

        await _until(genuine_handled)
        await _until(lambda: _has_dead(db))
    finally:
        await consumer.stop()
    assert handled == [("hamm", genuine.id)]
    [dead] = await _dead(db)
    assert (dead.event_id, dead.subject) == (forged.id, subject)
    assert "'soest'" in dead.reason
    rendered = registry.render().decode()
    assert (f'guardtest_events_dead_lettered_total{{consumer="{service}",'
            f'kind="tenant_mismatch"}} 1.0') in rendered


async def _has_dead(db: Database) -> bool:
    return bool(await _dead(db))


async def test_a_poison_event_becomes_a_dead_letter_after_bounded_attempts(
    db: Database, js: JetStreamContext, service: str
) -> None:
    attempts: dict[str, int] = {}
    poison_subject = f"ratsraum.soest.{service}.poison"

    async def handler(_session: AsyncSession, envelope: Envelope) -> None:
        attempts[envelope.id] = attempts.get(envelope.id, 0) + 1
        if envelope.subject == poison_subject:
            raise RuntimeError("this handler cannot take this event")

    registry = ServiceMetrics("guardtest")
    consumer = _consumer(js, db, service, handler, ConsumerMetrics.register(registry))
    await consumer.start()
    try:
        poison = _envelope("soest", poison_subject)
        await _publish(js, poison_subject, poison)
        await _until(lambda: _has_dead(db))
        fine = _envelope("soest", f"ratsraum.soest.{service}.fine")
        await _publish(js, fine.subject, fine)

        async def fine_handled() -> bool:
            return attempts.get(fine.id) == 1

        await _until(fine_handled)
        await asyncio.sleep(0.5)  # room for a further delivery of the poison, if there were one
    finally:
        await consumer.stop()
    assert attempts[poison.id] == 3
    [dead] = await _dead(db)
    assert (dead.event_id, dead.attempts) == (poison.id, 3)
    assert "RuntimeError: this handler cannot take this event" in dead.reason
    assert (f'guardtest_events_dead_lettered_total{{consumer="{service}",kind="poison"}} 1.0'
            in registry.render().decode())


async def test_a_dependency_away_delays_but_never_kills_an_event(
    db: Database, js: JetStreamContext, service: str
) -> None:
    calls: list[str] = []

    async def handler(_session: AsyncSession, envelope: Envelope) -> None:
        calls.append(envelope.id)
        if len(calls) <= 5:  # more than max_attempts deliveries while "voting" is away
            raise RetryLater("voting unreachable")

    consumer = _consumer(js, db, service, handler,
                         ConsumerMetrics.register(ServiceMetrics("guardtest")))
    await consumer.start()
    try:
        event = _envelope("soest", f"ratsraum.soest.{service}.waits")
        await _publish(js, event.subject, event)

        async def handled() -> bool:
            return consumer.handled == 1

        await _until(handled, seconds=20)
    finally:
        await consumer.stop()
    assert len(calls) == 6
    assert await _dead(db) == []


async def test_a_refused_event_is_dead_at_once(
    db: Database, js: JetStreamContext, service: str
) -> None:
    calls: list[str] = []

    async def handler(_session: AsyncSession, envelope: Envelope) -> None:
        calls.append(envelope.id)
        raise Refuse("voting does not confirm it")

    consumer = _consumer(js, db, service, handler,
                         ConsumerMetrics.register(ServiceMetrics("guardtest")))
    await consumer.start()
    try:
        event = _envelope("soest", f"ratsraum.soest.{service}.claim")
        await _publish(js, event.subject, event)
        await _until(lambda: _has_dead(db))
        await asyncio.sleep(0.3)
    finally:
        await consumer.stop()
    assert calls == [event.id]
    [dead] = await _dead(db)
    assert dead.reason == "voting does not confirm it"
