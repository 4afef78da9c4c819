"""Transactional outbox: events are written with the change and published by a relay.

A service declares `class OutboxMessage(OutboxRecord, Base)` in its models. `add_event` writes
the event in the caller's transaction; after commit the relay is woken and publishes to
JetStream with `Nats-Msg-Id` = event id, so a publish repeated after a crash is dropped by
JetStream's duplicate window, and consumers dedupe by event id on top.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from google.protobuf.message import Message
from nats.js import JetStreamContext
from sqlalchemy import BigInteger, DateTime, Index, LargeBinary, String, event, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, Session, declared_attr, mapped_column

from ratsraum_common.db import Database
from ratsraum_common.events import make_envelope
from ratsraum_common.logging import get_logger
from ratsraum_common.telemetry import current_traceparent, extract_context, tracer

log = get_logger(__name__)
_OUTBOX_WRITTEN = "outbox_written"
_wakers: set[asyncio.Event] = set()


class OutboxRecord:
    """Mixin: the outbox table of one service."""

    __tablename__ = "outbox"

    @declared_attr.directive
    def __table_args__(cls) -> tuple[Index, ...]:
        # A fresh Index per table: a shared one breaks when two services' models meet in one
        # process (tests, tools), since an Index can belong to only one table.
        return (Index("ix_outbox_unpublished", "published_at", "seq"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    # Microseconds since the epoch exceed a 32-bit INTEGER (PostgreSQL would refuse them).
    seq: Mapped[int] = mapped_column(BigInteger, index=True)
    tenant_id: Mapped[str] = mapped_column(String(63))
    subject: Mapped[str] = mapped_column(String(255))
    body: Mapped[bytes] = mapped_column(LargeBinary)
    traceparent: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


def add_event(
    session: AsyncSession,
    model: type[OutboxRecord],
    *,
    tenant: str,
    service: str,
    event_name: str,
    payload: Message,
) -> str:
    """Stage an event in the session's transaction; returns the event id."""
    subject, envelope = make_envelope(
        tenant=tenant, service=service, event=event_name, payload=payload,
        traceparent=current_traceparent(),
    )
    now = datetime.now(UTC)
    record = model()
    record.id = envelope.id
    # Publication order: wall-clock microseconds; ties are broken by id and only happen
    # between events of one instant, whose order does not matter.
    record.seq = int(now.timestamp() * 1_000_000)
    record.tenant_id = tenant
    record.subject = subject
    record.body = envelope.to_json()
    record.traceparent = envelope.traceparent
    record.created_at = now
    session.add(record)
    session.info[_OUTBOX_WRITTEN] = True
    return envelope.id


@event.listens_for(Session, "after_commit")
def _wake_relays(session: Session) -> None:
    if session.info.pop(_OUTBOX_WRITTEN, False):
        for waker in _wakers:
            waker.set()


@event.listens_for(Session, "after_rollback")
def _forget_staged(session: Session) -> None:
    session.info.pop(_OUTBOX_WRITTEN, None)


class OutboxRelay:
    """Publishes unpublished outbox rows to JetStream in order, then marks them published."""

    def __init__(
        self,
        *,
        db: Database,
        model: type[OutboxRecord],
        js: JetStreamContext,
        batch_size: int = 200,
        idle_poll_seconds: float = 1.0,
        connected: Callable[[], bool] | None = None,
    ) -> None:
        self.db = db
        # While NATS is away the rows simply wait; publishing would only time out.
        self.connected = connected
        self.model = model
        self.js = js
        self.batch_size = batch_size
        self.idle_poll_seconds = idle_poll_seconds
        self._wake = asyncio.Event()
        self._tracer = tracer(__name__)
        self.published_total = 0

    async def run(self) -> None:
        """Relay until cancelled; survives NATS or database outages by retrying."""
        _wakers.add(self._wake)
        try:
            while True:
                try:
                    sent = await self.publish_pending()
                except asyncio.CancelledError:
                    raise
                except Exception:
                    log.exception("outbox.relay_failed")
                    await asyncio.sleep(1.0)
                    continue
                if sent >= self.batch_size:
                    continue
                self._wake.clear()
                # asyncio.timeout, not wait_for: on 3.11, wait_for swallows a cancel that
                # arrives as the event fires, and the relay would then never stop.
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(self.idle_poll_seconds):
                        await self._wake.wait()
        finally:
            _wakers.discard(self._wake)

    def wake(self) -> None:
        """Look for pending events now (NATS is back, or a commit happened elsewhere)."""
        self._wake.set()

    async def publish_pending(self) -> int:
        """Publish one batch of unpublished events; returns how many were sent."""
        if self.connected is not None and not self.connected():
            return 0
        async with self.db.system_session() as session:
            rows = (
                await session.execute(
                    select(self.model.id, self.model.subject, self.model.body,
                           self.model.traceparent)
                    .where(self.model.published_at.is_(None))
                    .order_by(self.model.seq, self.model.id)
                    .limit(self.batch_size)
                )
            ).all()
        if not rows:
            return 0
        acks = await asyncio.gather(*(self._publish(*row) for row in rows))
        done = [event_id for event_id, ok in zip((r[0] for r in rows), acks, strict=True) if ok]
        if done:
            async with self.db.transaction(None) as session:
                await session.execute(
                    self.model.__table__.update()  # type: ignore[attr-defined]
                    .where(self.model.__table__.c.id.in_(done))  # type: ignore[attr-defined]
                    .values(published_at=datetime.now(UTC))
                )
        self.published_total += len(done)
        return len(done)

    async def _publish(
        self, event_id: str, subject: str, body: bytes, traceparent: str | None
    ) -> bool:
        headers: dict[str, Any] = {"Nats-Msg-Id": event_id}
        if traceparent:
            headers["traceparent"] = traceparent
        with self._tracer.start_as_current_span(
            f"publish {subject}", context=extract_context(headers),
            kind=_producer_kind(),
        ):
            try:
                await self.js.publish(subject, body, headers=headers, timeout=5)
            except Exception as exc:
                log.warning("outbox.publish_failed", event_id=event_id, error=str(exc))
                return False
        return True


def _producer_kind() -> Any:
    from opentelemetry.trace import SpanKind

    return SpanKind.PRODUCER
