"""NATS JetStream: connection, the event stream, and idempotent durable consumers."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

import nats
import nats.errors
from nats.aio.client import Client as NatsClient
from nats.aio.msg import Msg as NatsMsg
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy, StorageType, StreamConfig
from nats.js.errors import NotFoundError
from opentelemetry.trace import SpanKind
from sqlalchemy import DateTime, Integer, LargeBinary, String, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from ratsraum_common.consumer_guard import (
    ConsumerMetrics,
    Refuse,
    RetryLater,
    cancel_and_wait,
    retry_delay,
    subject_tenant,
)
from ratsraum_common.db import Database
from ratsraum_common.events import Envelope
from ratsraum_common.logging import get_logger
from ratsraum_common.natsauth import NatsOptions
from ratsraum_common.telemetry import extract_context, tracer

log = get_logger(__name__)

STREAM = "RATSRAUM"
STREAM_SUBJECTS = ["ratsraum.>"]
DUPLICATE_WINDOW_SECONDS = 15 * 60


def connect_kwargs(*, name: str, options: NatsOptions | None = None) -> dict[str, object]:
    """`nats.connect` arguments: unbounded reconnects, so a NATS restart heals by itself.

    `options` carries the service's NATS user (or creds file) and TLS files; without them the
    connection is anonymous and plain, as the embedded stack's nats-server expects.
    """

    async def on_error(exc: Exception) -> None:
        # Permission violations arrive here: the server refuses, the connection stays.
        log.warning("nats.error", error=str(exc))

    return {"name": name, "max_reconnect_attempts": -1, "reconnect_time_wait": 0.5,
            "error_cb": on_error, "connect_timeout": 5,
            **(options or NatsOptions()).connect_kwargs()}


async def connect(url: str, *, name: str, options: NatsOptions | None = None) -> NatsClient:
    """Connect now (waits until NATS answers); services use `NatsLink` to start without it."""
    return await nats.connect(url, **connect_kwargs(name=name, options=options))


async def ensure_stream(js: JetStreamContext) -> None:
    """Create the event stream if it is missing (idempotent across services)."""
    config = StreamConfig(
        name=STREAM,
        subjects=STREAM_SUBJECTS,
        storage=StorageType.FILE,
        duplicate_window=DUPLICATE_WINDOW_SECONDS,
        max_age=90 * 24 * 3600,
    )
    try:
        await js.stream_info(STREAM)
    except NotFoundError:
        try:
            await js.add_stream(config)
        except Exception:
            # Another service created it at the same moment.
            await js.stream_info(STREAM)


class ProcessedEventRecord:
    """Mixin: event ids a consumer has handled, for exactly-once effects."""

    __tablename__ = "processed_events"

    consumer: Mapped[str] = mapped_column(String(64), primary_key=True)
    event_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    processed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class DeadLetterRecord:
    """Mixin: events a consumer gave up on (refused, or failing after every attempt)."""

    __tablename__ = "dead_letters"

    consumer: Mapped[str] = mapped_column(String(64), primary_key=True)
    event_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    subject: Mapped[str] = mapped_column(String(255))
    reason: Mapped[str] = mapped_column(String(500))
    attempts: Mapped[int] = mapped_column(Integer)
    body: Mapped[bytes] = mapped_column(LargeBinary)
    dead_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # Set when `python -m ratsraum_common.dead_letters replay` published it again.
    replayed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


EventHandler = Callable[[AsyncSession, Envelope], Awaitable[None]]
AfterCommit = Callable[[Envelope], Awaitable[None]]


class EventConsumer:
    """A durable JetStream pull consumer whose handler runs once per event id.

    The handler gets a session scoped to the event's tenant; the event id is recorded in the
    same transaction, and the message is acknowledged only after commit. A redelivery of an
    event already recorded is acknowledged without running the handler again.

    The tenant is the subject's (`ratsraum.<tenant>.…`): an envelope naming another tenant is
    refused, never handled. A handler failing `max_attempts` times goes to the dead letters
    instead of being retried forever; `RetryLater` (a dependency is down) does not count.
    """

    def __init__(
        self,
        *,
        js: JetStreamContext,
        db: Database,
        model: type[ProcessedEventRecord],
        durable: str,
        filter_subject: str,
        handler: EventHandler,
        after_commit: AfterCommit | None = None,
        deliver_new_only: bool = False,
        dead_letters: type[DeadLetterRecord] | None = None,
        metrics: ConsumerMetrics | None = None,
        max_attempts: int = 10,
        retry_base_seconds: float = 1.0,
    ) -> None:
        self.js = js
        self.db = db
        self.model = model
        self.durable = durable
        self.filter_subject = filter_subject
        self.handler = handler
        self.after_commit = after_commit
        self.deliver_policy = DeliverPolicy.NEW if deliver_new_only else DeliverPolicy.ALL
        self.dead_letters = dead_letters
        self.metrics = metrics
        self.max_attempts = max(1, max_attempts)
        self.retry_base_seconds = retry_base_seconds
        self._sub: JetStreamContext.PullSubscription | None = None
        self._task: asyncio.Task[None] | None = None
        self._tracer = tracer(__name__)
        self.handled = 0

    async def start(self) -> None:
        """Bind the durable pull consumer and start handling events in arrival order."""
        await ensure_stream(self.js)
        self._sub = await self.js.pull_subscribe(
            self.filter_subject,
            durable=self.durable,
            config=ConsumerConfig(
                ack_policy=AckPolicy.EXPLICIT,
                ack_wait=30,
                max_deliver=-1,
                deliver_policy=self.deliver_policy,
                filter_subject=self.filter_subject,
            ),
        )
        self._task = asyncio.create_task(self._pull_loop(), name=f"consumer-{self.durable}")

    async def stop(self) -> None:
        """Stop receiving; the durable consumer keeps its position on the server."""
        if self._task is not None:
            await cancel_and_wait(self._task)
            self._task = None
        if self._sub is not None:
            with contextlib.suppress(Exception):  # bounded: NATS may be away at shutdown
                async with asyncio.timeout(2):
                    await self._sub.unsubscribe()
            self._sub = None

    async def _pull_loop(self) -> None:
        # One message per fetch: a single fetch returns as soon as a message is there,
        # whereas a batch fetch lingers until the batch is full or the request expires.
        assert self._sub is not None
        while True:
            try:
                messages = await self._sub.fetch(1, timeout=5)
            except (TimeoutError, nats.errors.TimeoutError):
                continue
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("consumer.fetch_failed", durable=self.durable, error=str(exc))
                await asyncio.sleep(0.5)
                continue
            for message in messages:
                try:
                    await self._on_message(message)
                except asyncio.CancelledError:
                    raise
                except Exception as exc:
                    # Typically the ack itself, NATS having gone away: redelivered after
                    # ack_wait, and the recorded event id keeps the effect single.
                    log.warning("consumer.message_failed", durable=self.durable,
                                error=str(exc))

    async def _on_message(self, msg: NatsMsg) -> None:
        try:
            envelope = Envelope.from_json(msg.data)
        except ValueError as exc:
            # A malformed event can never succeed; drop it loudly instead of looping.
            log.error("event.malformed", subject=msg.subject, error=str(exc))
            await self._give_up(msg, event_id="", reason=f"malformed: {exc}", kind="malformed")
            return
        tenant = subject_tenant(msg.subject)
        if tenant != envelope.tenant:
            # Whoever may publish for one town must not write into another town's data.
            log.error("event.tenant_mismatch", subject=msg.subject, event_id=envelope.id,
                      envelope_tenant=envelope.tenant, subject_tenant=tenant)
            await self._give_up(msg, event_id=envelope.id, kind="tenant_mismatch",
                                reason=f"envelope tenant {envelope.tenant!r} on {msg.subject}")
            return
        # Handlers dispatch on the subject the server delivered on, not on the body's claim.
        envelope = dataclasses.replace(envelope, subject=msg.subject)
        with self._tracer.start_as_current_span(
            f"process {msg.subject}", context=extract_context(msg.headers),
            kind=SpanKind.CONSUMER,
            attributes={"messaging.system": "nats", "messaging.message.id": envelope.id,
                        "ratsraum.tenant": envelope.tenant},
        ):
            attempt = _delivery_count(msg)
            try:
                fresh = await self._handle_once(envelope)
            except RetryLater as exc:
                log.warning("event.retry_later", event_id=envelope.id, subject=msg.subject,
                            error=str(exc))
                await msg.nak(delay=retry_delay(attempt, base=self.retry_base_seconds))
                return
            except Refuse as exc:
                log.error("event.refused", event_id=envelope.id, subject=msg.subject,
                          reason=str(exc))
                await self._give_up(msg, event_id=envelope.id, kind="refused",
                                    reason=str(exc)[:500])
                return
            except Exception as exc:
                log.exception("event.handler_failed", event_id=envelope.id, subject=msg.subject,
                              attempt=attempt)
                if attempt >= self.max_attempts:
                    await self._give_up(msg, event_id=envelope.id, kind="poison",
                                        reason=f"{type(exc).__name__}: {exc}"[:500])
                    return
                await msg.nak(delay=retry_delay(attempt, base=self.retry_base_seconds))
                return
            await msg.ack()
            if fresh:
                self.handled += 1
                if self.after_commit is not None:
                    try:
                        await self.after_commit(envelope)
                    except Exception:
                        log.exception("event.after_commit_failed", event_id=envelope.id)

    async def _give_up(self, msg: NatsMsg, *, event_id: str, reason: str, kind: str) -> None:
        """Keep the event in the dead letters (if the service has them), count, never redeliver."""
        if self.metrics is not None:
            self.metrics.given_up.labels(self.durable, kind).inc()
        if self.dead_letters is not None:
            try:
                await self._store_dead_letter(msg, event_id=event_id, reason=reason)
            except Exception:
                # Without the row the event must stay in the stream: try again later.
                log.exception("event.dead_letter_failed", event_id=event_id)
                await msg.nak(delay=retry_delay(_delivery_count(msg),
                                                base=self.retry_base_seconds))
                return
        log.error("event.dead_lettered", durable=self.durable, event_id=event_id,
                  subject=msg.subject, kind=kind, reason=reason)
        await msg.term()

    async def _store_dead_letter(self, msg: NatsMsg, *, event_id: str, reason: str) -> None:
        assert self.dead_letters is not None
        key = event_id or f"malformed-{_stream_sequence(msg)}"
        async with self.db.transaction(None) as session:
            record = await session.get(self.dead_letters, (self.durable, key[:64]))
            if record is not None and record.replayed_at is None:
                return
            if record is None:  # else a replay failed again: pending once more
                record = self.dead_letters()
                session.add(record)
            record.consumer, record.event_id = self.durable, key[:64]
            record.subject, record.reason = msg.subject[:255], reason[:500]
            record.attempts = _delivery_count(msg)
            record.body = bytes(msg.data)
            record.dead_at = datetime.now(UTC)
            record.replayed_at = None

    async def _handle_once(self, envelope: Envelope) -> bool:
        try:
            async with self.db.transaction(envelope.tenant) as session:
                seen = await session.scalar(
                    select(self.model.event_id).where(
                        self.model.consumer == self.durable,
                        self.model.event_id == envelope.id,
                    )
                )
                if seen is not None:
                    return False
                record = self.model()
                record.consumer = self.durable
                record.event_id = envelope.id
                record.processed_at = datetime.now(UTC)
                session.add(record)
                try:
                    await session.flush()
                except IntegrityError as exc:
                    raise _AlreadyProcessed from exc
                await self.handler(session, envelope)
        except _AlreadyProcessed:
            # Another replica recorded the same event first: its effect is already there.
            return False
        return True


def _delivery_count(msg: NatsMsg) -> int:
    """How often JetStream has delivered this message (1 on the first delivery)."""
    try:
        return int(msg.metadata.num_delivered or 1)
    except Exception:  # a core-NATS message (tests) has no JetStream metadata
        return 1


def _stream_sequence(msg: NatsMsg) -> int:
    try:
        return int(msg.metadata.sequence.stream)
    except Exception:
        return 0


class _AlreadyProcessed(Exception):
    """The event id was recorded by a concurrent delivery."""


async def wait_for_connection(nc: NatsClient, timeout: float = 10.0) -> None:
    """Raise unless the client is connected within the timeout (readiness)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not nc.is_connected:
        if asyncio.get_running_loop().time() > deadline:
            raise ConnectionError("NATS not connected")
        await asyncio.sleep(0.05)
