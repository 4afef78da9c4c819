"""A dead letter is replayed into its subject once its cause is fixed, and takes effect once.

Real nats-server and database; the command line runs as the operator would run it, in its own
process. A consumer whose handler was broken handles the replayed event once; another consumer
that had handled the event already skips it by its event id; a second replay publishes nothing.
"""

from __future__ import annotations

import asyncio
import os
import sys
import uuid
from datetime import UTC, datetime

import pytest
from nats.js import JetStreamContext
from sqlalchemy import MetaData
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import DeclarativeBase

from ratsraum_common.consumer_guard import ConsumerMetrics
from ratsraum_common.db import Database
from ratsraum_common.dead_letters import DeadLetterRow, list_dead_letters
from ratsraum_common.events import Envelope
from ratsraum_common.metrics import ServiceMetrics
from ratsraum_common.nats import EventConsumer, ProcessedEventRecord


class Base(DeclarativeBase):
    pass


class Processed(ProcessedEventRecord, Base):
    pass


@pytest.fixture
def tables() -> list[MetaData]:
    """This module's tables and the product's dead-letter table, for the folder's `db`."""
    return [Base.metadata, DeadLetterRow.metadata]


async def _until(condition, seconds: float = 15.0) -> None:  # type: ignore[no-untyped-def]
    deadline = asyncio.get_running_loop().time() + seconds
    while not await condition():
        assert asyncio.get_running_loop().time() < deadline, "timed out"
        await asyncio.sleep(0.05)


async def _cli(database_url: str, nats_url: str, *args: str) -> tuple[int, str]:
    """Run `python -m ratsraum_common.dead_letters` in its own process."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "ratsraum_common.dead_letters", "--database-url", database_url,
        "--nats-url", nats_url, *args, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT, env={**os.environ, "MEETING_LOG_LEVEL": "WARNING"})
    out, _ = await process.communicate()
    assert process.returncode is not None
    return process.returncode, out.decode()


async def test_a_dead_letter_is_replayed_once_and_handled_once(
    db: Database, js: JetStreamContext, database_url: str, nats_url: str
) -> None:
    service = f"replay{uuid.uuid4().hex[:8]}"
    broken = True
    handled: dict[str, list[str]] = {"reader": [], "other": []}

    def handler(name: str):  # type: ignore[no-untyped-def]
        async def handle(_session: AsyncSession, envelope: Envelope) -> None:
            if name == "reader" and broken:
                raise RuntimeError("the handler's bug")
            handled[name].append(envelope.id)
        return handle

    metrics = ConsumerMetrics.register(ServiceMetrics("replaytest"))
    consumers = [EventConsumer(
        js=js, db=db, model=Processed, durable=f"{service}-{name}",
        filter_subject=f"ratsraum.*.{service}.>", handler=handler(name),
        dead_letters=DeadLetterRow, metrics=metrics, max_attempts=2, retry_base_seconds=0.05)
        for name in ("reader", "other")]
    for consumer in consumers:
        await consumer.start()
    try:
        subject = f"ratsraum.hamm.{service}.thing.done"
        event = Envelope(id=uuid.uuid4().hex, source="/test", type="t", subject=subject,
                         tenant="hamm", time=datetime.now(UTC).isoformat(), data={})
        await js.publish(subject, event.to_json(), headers={"Nats-Msg-Id": event.id})

        async def dead() -> bool:
            return bool(await list_dead_letters(db=db, pending_only=True))

        await _until(dead)
        assert handled == {"reader": [], "other": [event.id]}
        code, listed = await _cli(database_url, nats_url, "list")
        assert code == 0
        assert event.id in listed
        assert "pending" in listed

        broken = False  # the bug is fixed and deployed
        code, out = await _cli(database_url, nats_url, "replay", event.id)
        assert code == 0, out
        assert event.id in out

        async def handled_by_reader() -> bool:
            return bool(handled["reader"])

        await _until(handled_by_reader)
        code, out = await _cli(database_url, nats_url, "replay", "--all")
        assert (code, out) == (0, "")  # nothing pending: nothing published again
        code, out = await _cli(database_url, nats_url, "replay", event.id)
        assert code == 1
        assert "replayed already" in out
        await asyncio.sleep(1.0)  # time for a doubled delivery to show, were there one
    finally:
        for consumer in consumers:
            await consumer.stop()
    assert handled == {"reader": [event.id], "other": [event.id]}
    [row] = await list_dead_letters(db=db)
    assert row.replayed_at is not None
    assert await list_dead_letters(db=db, pending_only=True) == []
