"""Event intake: the durable read-model consumer and the per-replica live push.

Both listen only to meeting's public subjects; each event is checked again here (subject,
tenant, payload), so nothing that is not a public meeting update, signed public minutes or
public records reaches the read model or a browser, even if it were published on a wrong subject.
"""

from __future__ import annotations

from dataclasses import dataclass

from google.protobuf.json_format import ParseError  # type: ignore[import-untyped, unused-ignore]
from nats.aio.client import Client as NatsClient
from nats.aio.msg import Msg as NatsMsg
from nats.aio.subscription import Subscription as NatsSubscription
from nats.js import JetStreamContext
from opentelemetry.trace import SpanKind
from prometheus_client import Counter
from sqlalchemy.ext.asyncio import AsyncSession

from ratsraum.meeting.v1 import public_pb2
from ratsraum_common.consumer_guard import ConsumerMetrics
from ratsraum_common.db import Database
from ratsraum_common.events import Envelope
from ratsraum_common.logging import get_logger
from ratsraum_common.nats import EventConsumer, EventHandler
from ratsraum_common.telemetry import extract_context, tracer
from ratsraum_portal.base import DeadLetter, ProcessedEvent
from ratsraum_portal.live.broadcaster import Broadcaster, Snapshot
from ratsraum_portal.meetings.service import ApplyResult, apply_snapshot, snapshot_dict
from ratsraum_portal.minutes.service import apply_minutes
from ratsraum_portal.records.service import apply_records

log = get_logger(__name__)
PUBLIC_SUBJECTS = "ratsraum.*.meeting.public.>"
UPDATED_EVENT = "meeting.public.meeting.updated"
MINUTES_EVENT = "meeting.public.minutes.signed"
RECORDS_EVENT = "meeting.public.records.changed"


def public_subject(tenant: str) -> str:
    """The subject a tenant's public meeting updates are published on."""
    return f"ratsraum.{tenant}.{UPDATED_EVENT}"


def decode_public_update(
    envelope: Envelope, *, subject: str
) -> public_pb2.PublicMeetingUpdated | None:
    """The update carried by an event, or None if it is not a public update of its tenant."""
    if subject != public_subject(envelope.tenant) or envelope.subject not in ("", subject):
        return None
    try:
        update: public_pb2.PublicMeetingUpdated = envelope.payload(
            public_pb2.PublicMeetingUpdated
        )
    except (ParseError, TypeError, ValueError):
        return None
    if update.meeting.tenant.id != envelope.tenant or not update.meeting.id:
        return None
    return update


def decode_minutes(
    envelope: Envelope, *, subject: str
) -> public_pb2.PublicMinutesSigned | None:
    """The signed minutes carried by an event, or None if it is not minutes of its tenant."""
    expected = f"ratsraum.{envelope.tenant}.{MINUTES_EVENT}"
    if subject != expected or envelope.subject not in ("", subject):
        return None
    try:
        minutes: public_pb2.PublicMinutesSigned = envelope.payload(
            public_pb2.PublicMinutesSigned)
    except (ParseError, TypeError, ValueError):
        return None
    return minutes


def decode_records(
    envelope: Envelope, *, subject: str
) -> public_pb2.PublicRecordsChanged | None:
    """The changed public records carried by an event, or None if not records of its tenant."""
    expected = f"ratsraum.{envelope.tenant}.{RECORDS_EVENT}"
    if subject != expected or envelope.subject not in ("", subject):
        return None
    try:
        records: public_pb2.PublicRecordsChanged = envelope.payload(
            public_pb2.PublicRecordsChanged)
    except (ParseError, TypeError, ValueError):
        return None
    return records


@dataclass(slots=True)
class IntakeMetrics:
    """Counters of the read-model intake."""

    applied: Counter
    ignored: Counter


def read_model_handler(metrics: IntakeMetrics) -> EventHandler:
    """The EventConsumer handler that applies public updates to the read model."""

    def count(result: ApplyResult) -> None:
        if result is ApplyResult.APPLIED:
            metrics.applied.inc()
        else:
            metrics.ignored.labels(result.value).inc()

    async def handle_minutes(session: AsyncSession, envelope: Envelope) -> None:
        minutes = decode_minutes(envelope, subject=envelope.subject)
        result = ApplyResult.REJECTED if minutes is None else await apply_minutes(
            session=session, tenant=envelope.tenant, event=minutes, event_id=envelope.id)
        count(result)
        log.info("portal.minutes_handled", event_id=envelope.id, tenant=envelope.tenant,
                 meeting_id=minutes.meeting_id if minutes else "", result=result.value)

    async def handle_records(session: AsyncSession, envelope: Envelope) -> None:
        records = decode_records(envelope, subject=envelope.subject)
        outcome = None if records is None else await apply_records(
            session=session, tenant=envelope.tenant, event=records)
        result = (ApplyResult.REJECTED if outcome is None
                  else ApplyResult.APPLIED if outcome else ApplyResult.STALE)
        count(result)
        log.info("portal.records_handled", event_id=envelope.id, tenant=envelope.tenant,
                 records=len(records.records) if records else 0, result=result.value)

    async def handle(session: AsyncSession, envelope: Envelope) -> None:
        if envelope.subject.endswith(f".{MINUTES_EVENT}"):
            await handle_minutes(session, envelope)
            return
        if envelope.subject.endswith(f".{RECORDS_EVENT}"):
            await handle_records(session, envelope)
            return
        # The consumer only sees public subjects; the envelope must say the same.
        update = decode_public_update(envelope, subject=envelope.subject)
        if update is None:
            metrics.ignored.labels("rejected").inc()
            log.warning("portal.event_rejected", event_id=envelope.id, subject=envelope.subject)
            return
        result = await apply_snapshot(
            session=session, tenant=envelope.tenant, meeting=update.meeting,
            version=int(update.version),
        )
        count(result)
        log.info("portal.event_handled", event_id=envelope.id, meeting_id=update.meeting.id,
                 version=update.version, result=result.value, tenant=envelope.tenant)

    return handle


def read_model_consumer(
    *, js: JetStreamContext, db: Database, durable: str, metrics: IntakeMetrics,
    guard: ConsumerMetrics | None = None, max_attempts: int = 10,
) -> EventConsumer:
    """The durable, queue-shared consumer feeding the read model (one delivery per group)."""
    return EventConsumer(
        js=js, db=db, model=ProcessedEvent, durable=durable, filter_subject=PUBLIC_SUBJECTS,
        handler=read_model_handler(metrics), dead_letters=DeadLetter, metrics=guard,
        max_attempts=max_attempts,
    )


class LiveFeed:
    """A plain core-NATS subscription: every replica gets every update, for its own streams."""

    def __init__(self, *, nc: NatsClient, broadcaster: Broadcaster) -> None:
        self.nc = nc
        self.broadcaster = broadcaster
        self._sub: NatsSubscription | None = None
        self._tracer = tracer(__name__)

    async def start(self) -> None:
        """Subscribe to the public subjects."""
        self._sub = await self.nc.subscribe(PUBLIC_SUBJECTS, cb=self._on_message)

    async def stop(self) -> None:
        """Unsubscribe (idempotent)."""
        if self._sub is not None:
            await self._sub.unsubscribe()
            self._sub = None

    async def _on_message(self, msg: NatsMsg) -> None:
        # Continue the trace of the change (a member's cast, the clerk's close) into the push.
        with self._tracer.start_as_current_span(
            f"push {msg.subject}", context=extract_context(msg.headers), kind=SpanKind.CONSUMER,
            attributes={"messaging.system": "nats", "messaging.destination.name": msg.subject},
        ) as span:
            try:
                envelope = Envelope.from_json(msg.data)
            except ValueError as exc:
                log.warning("portal.live_malformed", subject=msg.subject, error=str(exc))
                return
            update = decode_public_update(envelope, subject=msg.subject)
            if update is None:
                # Not a public update of the subject's own town (e.g. another tenant inside).
                log.warning("portal.live_rejected", subject=msg.subject, event_id=envelope.id,
                            envelope_tenant=envelope.tenant)
                return
            delivered = self.broadcaster.publish(
                tenant=envelope.tenant, meeting_id=update.meeting.id,
                snapshot=Snapshot(version=int(update.version),
                                  data=snapshot_dict(update.meeting)),
            )
            span.set_attribute("ratsraum.tenant", envelope.tenant)
            span.set_attribute("portal.sse_delivered", delivered)
