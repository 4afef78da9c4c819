"""NATS JetStream: connection, the event stream, and idempotent durable consumers."""

from __future__ import annotations

import asyncio
import contextlib
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
from sqlalchemy import DateTime, String, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from ratsraum_common.db import Database
from ratsraum_common.events import Envelope
from ratsraum_common.logging import get_logger
from ratsraum_common.natsauth import NatsOptions
from ratsraum_common.telemetry import extract_context, tracer

log = get_logger(__name__)

STREAM = "RATSRAUM"
STREAM_SUBJECTS = ["ratsraum.>"]
DUPLICATE_WINDOW_SECONDS = 15 * 60


async def connect(url: str, *, name: str, options: NatsOptions | None = None) -> NatsClient:
    """Connect with unbounded reconnects, so a NATS restart heals by itself.

    `options` carries the service's NATS user (or creds file) and TLS files; without them the
    connection is anonymous and plain, as the embedded stack's nats-server expects.
    """

    async def on_error(exc: Exception) -> None:
        # Permission violations arrive here: the server refuses, the connection stays.
        log.warning("nats.error", error=str(exc))

    return await nats.connect(
        url, name=name, max_reconnect_attempts=-1, reconnect_time_wait=0.5,
        error_cb=on_error, connect_timeout=5, **(options or NatsOptions()).connect_kwargs(),
    )


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


EventHandler = Callable[[AsyncSession, Envelope], Awaitable[None]]
AfterCommit = Callable[[Envelope], Awaitable[None]]


class EventConsumer:
    """A durable JetStream pull consumer whose handler runs once per event id.

    The handler gets a session scoped to the event's tenant; the event id is recorded in the
    same transaction, and the message is acknowledged only after commit. A redelivery of an
    event already recorded is acknowledged without running the handler again.
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
    ) -> None:
        self.js = js
        self.db = db
        self.model = model
        self.durable = durable
        self.filter_subject = filter_subject
        self.handler = handler
        self.after_commit = after_commit
        self.deliver_policy = DeliverPolicy.NEW if deliver_new_only else DeliverPolicy.ALL
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
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        if self._sub is not None:
            with contextlib.suppress(Exception):
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
                await self._on_message(message)

    async def _on_message(self, msg: NatsMsg) -> None:
        try:
            envelope = Envelope.from_json(msg.data)
        except ValueError as exc:
            # A malformed event can never succeed; drop it loudly instead of looping.
            log.error("event.malformed", subject=msg.subject, error=str(exc))
            await msg.term()
            return
        with self._tracer.start_as_current_span(
            f"process {msg.subject}", context=extract_context(msg.headers),
            kind=SpanKind.CONSUMER,
            attributes={"messaging.system": "nats", "messaging.message.id": envelope.id,
                        "ratsraum.tenant": envelope.tenant},
        ):
            try:
                fresh = await self._handle_once(envelope)
            except Exception:
                log.exception("event.handler_failed", event_id=envelope.id, subject=msg.subject)
                await msg.nak(delay=1.0)
                return
            await msg.ack()
            if fresh:
                self.handled += 1
                if self.after_commit is not None:
                    try:
                        await self.after_commit(envelope)
                    except Exception:
                        log.exception("event.after_commit_failed", event_id=envelope.id)

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


class _AlreadyProcessed(Exception):
    """The event id was recorded by a concurrent delivery."""


async def wait_for_connection(nc: NatsClient, timeout: float = 10.0) -> None:
    """Raise unless the client is connected within the timeout (readiness)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not nc.is_connected:
        if asyncio.get_running_loop().time() > deadline:
            raise ConnectionError("NATS not connected")
        await asyncio.sleep(0.05)
