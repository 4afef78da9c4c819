"""Delivered outbox rows and old processed ids are pruned in bounded batches; the backlog is
measured as a count and the age of the oldest unpublished event."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import MetaData, func, select
from sqlalchemy.orm import DeclarativeBase

from ratsraum_common.db import Database
from ratsraum_common.housekeeping import Retention, measure_backlog, prune
from ratsraum_common.nats import ProcessedEventRecord
from ratsraum_common.outbox import OutboxRecord


class Base(DeclarativeBase):
    pass


class Outbox(OutboxRecord, Base):
    pass


class Processed(ProcessedEventRecord, Base):
    pass


@pytest.fixture
def tables() -> list[MetaData]:
    """This module's tables, for the folder's `db` fixture."""
    return [Base.metadata]


def _row(n: int, *, created: datetime, published: datetime | None) -> Outbox:
    row = Outbox(id=f"e{n}", seq=n, tenant_id="soest", subject="ratsraum.soest.x.y",
                 body=b"{}", traceparent=None, created_at=created, published_at=published)
    return row


async def _count(db: Database, model: type) -> int:
    async with db.system_session() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_prune_keeps_pending_and_recent_rows_and_deletes_in_batches(db: Database) -> None:
    now = datetime.now(UTC)
    old, recent = now - timedelta(days=2), now - timedelta(minutes=5)
    async with db.transaction(None) as session:
        session.add_all([_row(n, created=old, published=old) for n in range(5)])
        session.add(_row(10, created=old, published=None))  # waiting for NATS for two days
        session.add(_row(11, created=recent, published=recent))
        session.add_all([Processed(consumer="c", event_id=f"p{n}", processed_at=old)
                         for n in range(3)])
        session.add(Processed(consumer="c", event_id="fresh", processed_at=recent))
    retention = Retention(published_outbox=timedelta(days=1),
                          processed_events=timedelta(days=1), batch=2)
    removed = []
    while (n := await prune(db=db, outbox=Outbox, processed=Processed, retention=retention)):
        removed.append(n)
    assert removed == [4, 3, 1]  # at most two rows per table and run
    async with db.system_session() as session:
        left = set((await session.scalars(select(Outbox.id))).all())
        kept = set((await session.scalars(select(Processed.event_id))).all())
    assert left == {"e10", "e11"}
    assert kept == {"fresh"}


async def test_backlog_counts_unpublished_rows_and_the_oldest_age(db: Database) -> None:
    now = datetime.now(UTC)
    assert await measure_backlog(db, Outbox) == (0, 0.0)
    async with db.transaction(None) as session:
        session.add(_row(1, created=now - timedelta(minutes=10), published=None))
        session.add(_row(2, created=now - timedelta(minutes=1), published=None))
        session.add(_row(3, created=now - timedelta(hours=1), published=now))
    count, age = await measure_backlog(db, Outbox)
    assert count == 2
    assert 590 < age < 660
    assert await _count(db, Outbox) == 3  # measuring deletes nothing
