"""Periodic upkeep of the event tables: backlog gauges and bounded deletes of old rows.

The outbox keeps a published row only as long as a repeated publish could still matter
(JetStream drops duplicates for 15 minutes); a processed-event id only as long as a
redelivery of that event is conceivable. Each run deletes at most `batch` rows per table, so
a large backlog of old rows never becomes one long transaction.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from prometheus_client import Gauge
from sqlalchemy import delete, func, select

from ratsraum_common.db import Database
from ratsraum_common.logging import get_logger
from ratsraum_common.metrics import ServiceMetrics
from ratsraum_common.nats import ProcessedEventRecord
from ratsraum_common.outbox import OutboxRecord

log = get_logger(__name__)


@dataclass(frozen=True, slots=True)
class Retention:
    """How long delivered rows are kept, and how many one run may delete per table."""

    published_outbox: timedelta = timedelta(days=1)
    processed_events: timedelta = timedelta(days=14)
    batch: int = 1000


@dataclass(frozen=True, slots=True)
class OutboxGauges:
    """The outbox backlog of a service: rows waiting, and the age of the oldest."""

    backlog: Gauge
    oldest_age: Gauge

    @classmethod
    def register(cls, metrics: ServiceMetrics) -> OutboxGauges:
        """Both gauges in the service's registry (prefixed with its name)."""
        return cls(
            backlog=Gauge(f"{metrics.prefix}_outbox_backlog",
                          "Outbox events not yet published to NATS", registry=metrics.registry),
            oldest_age=Gauge(f"{metrics.prefix}_outbox_oldest_pending_age_seconds",
                             "Age of the oldest unpublished outbox event (0 when none)",
                             registry=metrics.registry),
        )


async def measure_backlog(db: Database, outbox: type[OutboxRecord]) -> tuple[int, float]:
    """(unpublished rows, age in seconds of the oldest) of one outbox."""
    async with db.system_session() as session:
        count, oldest = (await session.execute(
            select(func.count(), func.min(outbox.created_at))
            .where(outbox.published_at.is_(None)))).one()
    if oldest is None:
        return int(count), 0.0
    if oldest.tzinfo is None:  # SQLite hands back naive UTC
        oldest = oldest.replace(tzinfo=UTC)
    return int(count), max(0.0, (datetime.now(UTC) - oldest).total_seconds())


async def _delete_batch(db: Database, *, age_column: Any, key_columns: list[Any],
                        model: type, cutoff: datetime, batch: int) -> int:
    async with db.transaction(None) as session:
        keys = (await session.execute(
            select(*key_columns).where(age_column < cutoff).limit(batch))).all()
        if not keys:
            return 0
        if len(key_columns) == 1:
            await session.execute(delete(model).where(key_columns[0].in_([k[0] for k in keys])))
        else:
            for key in keys:
                await session.execute(delete(model).where(
                    *(c == v for c, v in zip(key_columns, key, strict=True))))
    return len(keys)


async def prune(*, db: Database, outbox: type[OutboxRecord] | None,
                processed: type[ProcessedEventRecord] | None, retention: Retention) -> int:
    """Delete one bounded batch of delivered outbox rows and old processed ids; how many."""
    now = datetime.now(UTC)
    removed = 0
    if outbox is not None:
        removed += await _delete_batch(
            db, age_column=outbox.published_at, key_columns=[outbox.id], model=outbox,
            cutoff=now - retention.published_outbox, batch=retention.batch)
    if processed is not None:
        removed += await _delete_batch(
            db, age_column=processed.processed_at,
            key_columns=[processed.consumer, processed.event_id], model=processed,
            cutoff=now - retention.processed_events, batch=retention.batch)
    return removed


async def run_housekeeping(
    *, db: Database, outbox: type[OutboxRecord] | None,
    processed: type[ProcessedEventRecord] | None, gauges: OutboxGauges | None,
    retention: Retention = Retention(), interval_seconds: float = 30.0,
    extra: Sequence[Callable[[], Awaitable[int]]] = (),
) -> None:
    """Measure the backlog and prune, every interval, until cancelled; errors only log.

    `extra`: a service's own pruners (each deletes a bounded batch and says how many rows).
    """
    while True:
        try:
            if outbox is not None and gauges is not None:
                backlog, age = await measure_backlog(db, outbox)
                gauges.backlog.set(backlog)
                gauges.oldest_age.set(age)
            removed = await prune(db=db, outbox=outbox, processed=processed,
                                  retention=retention)
            for own in extra:
                removed += await own()
            if removed:
                log.info("housekeeping.pruned", rows=removed)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("housekeeping.failed")
        await asyncio.sleep(interval_seconds)
