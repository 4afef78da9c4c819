"""Live updates for members' and clerks' screens (not the public): who is in the lobby,
who is connected, quorum, vote progress, the current item, the speakers list.

Features call `notify(...)` after their change is committed. The update goes to this process's
subscribers at once and, as a small core-NATS message (no JetStream), to every other replica,
whose hub delivers it to its own subscribers; the origin skips its own message.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import uuid
from collections import defaultdict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from nats.aio.client import Client as NatsClient
from nats.aio.msg import Msg as NatsMsg
from nats.aio.subscription import Subscription

from ratsraum_common.logging import get_logger

log = get_logger(__name__)

MeetingKey = tuple[str, str]  # (tenant, meeting id)
# Outside "ratsraum.>": live updates are fleeting, so JetStream's event stream must not keep them.
# Members' data (lobby, conflicts, closed-part items): a namespace of its own that only meeting's
# NATS user may publish and read; the public's live data is meeting's `public` events instead.
LIVE_SUBJECT = "ratsraum-members.{tenant}.meeting.{meeting_id}"
LIVE_WILDCARD = "ratsraum-members.*.meeting.*"


@dataclass(frozen=True, slots=True)
class LiveUpdate:
    """One change on a meeting's live screen: a kind ("lobby", "quorum", ...) and its data."""

    tenant: str
    meeting_id: str
    kind: str
    data: dict[str, Any] = field(default_factory=dict)


class LiveHub:
    """Fans updates out to the subscribers of each meeting in this process and to replicas."""

    def __init__(self, *, queue_size: int = 256, max_streams: int = 1000) -> None:
        self.queue_size = queue_size
        self.max_streams = max_streams
        self.origin = uuid.uuid4().hex
        self._subscribers: dict[MeetingKey, set[asyncio.Queue[LiveUpdate]]] = defaultdict(set)
        self._links: list[tuple[NatsClient, Subscription]] = []
        self._sends: set[asyncio.Task[None]] = set()

    @property
    def streams(self) -> int:
        """How many subscribers are open in this process."""
        return sum(len(queues) for queues in self._subscribers.values())

    def publish(self, update: LiveUpdate) -> int:
        """Deliver to every subscriber of the meeting; returns how many got it."""
        delivered = 0
        for queue in list(self._subscribers.get((update.tenant, update.meeting_id), ())):
            try:
                queue.put_nowait(update)
                delivered += 1
            except asyncio.QueueFull:
                # A stalled client loses intermediate updates, never blocks the meeting.
                log.warning("live.subscriber_lagging", meeting_id=update.meeting_id)
        return delivered

    def broadcast(self, update: LiveUpdate) -> int:
        """Deliver here and send to the other replicas (fire and forget)."""
        delivered = self.publish(update)
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # no loop, no replicas to reach (scripts, sync tests)
            return delivered
        self._links = [link for link in self._links if not link[0].is_closed]
        if self._links:
            task = loop.create_task(self._send(self._links[0][0], update))
            self._sends.add(task)
            task.add_done_callback(self._sends.discard)
        return delivered

    async def _send(self, nc: NatsClient, update: LiveUpdate) -> None:
        payload = json.dumps({"origin": self.origin, "kind": update.kind, "data": update.data},
                             separators=(",", ":"), default=str).encode()
        subject = LIVE_SUBJECT.format(tenant=update.tenant, meeting_id=update.meeting_id)
        try:
            await nc.publish(subject, payload)
        except Exception:  # other replicas miss one update; their next state event heals it
            log.exception("live.fanout_failed", meeting_id=update.meeting_id)

    async def _receive(self, msg: NatsMsg) -> None:
        parts = msg.subject.split(".")
        try:
            body = json.loads(msg.data)
            origin, kind, data = body["origin"], str(body["kind"]), dict(body["data"])
        except (ValueError, KeyError, TypeError):
            log.warning("live.bad_message", subject=msg.subject)
            return
        if origin == self.origin or len(parts) != 4:
            return
        self.publish(LiveUpdate(tenant=parts[1], meeting_id=parts[3], kind=kind, data=data))

    async def attach(self, nc: NatsClient) -> None:
        """Receive the other replicas' updates over this connection and send ours on it."""
        sub = await nc.subscribe(LIVE_WILDCARD, cb=self._receive)
        self._links.append((nc, sub))

    async def detach(self, nc: NatsClient) -> None:
        """Stop using this connection (service shutdown)."""
        for link in [link for link in self._links if link[0] is nc]:
            self._links.remove(link)
            if not nc.is_closed:
                with contextlib.suppress(Exception):  # NATS may be away at shutdown
                    async with asyncio.timeout(2):
                        await link[1].unsubscribe()

    @asynccontextmanager
    async def subscribe(self, tenant: str, meeting_id: str) -> AsyncIterator[
            asyncio.Queue[LiveUpdate]]:
        """A queue receiving the meeting's updates while the context is open."""
        queue: asyncio.Queue[LiveUpdate] = asyncio.Queue(maxsize=self.queue_size)
        key = (tenant, meeting_id)
        self._subscribers[key].add(queue)
        try:
            yield queue
        finally:
            self._subscribers[key].discard(queue)
            if not self._subscribers[key]:
                del self._subscribers[key]


_hub = LiveHub()


def hub() -> LiveHub:
    """The process's hub."""
    return _hub


def notify(*, tenant: str, meeting_id: str, kind: str, data: dict[str, Any] | None = None) -> None:
    """Tell members' and clerks' screens that something changed (call after commit)."""
    _hub.broadcast(LiveUpdate(tenant=tenant, meeting_id=meeting_id, kind=kind, data=data or {}))
