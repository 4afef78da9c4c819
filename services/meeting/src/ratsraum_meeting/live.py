"""Live updates for members' and clerks' screens (not the public): who is in the lobby,
who is connected, quorum, vote progress, the current item, the speakers list.

Features call `notify(...)` after their change is committed. This module hands the update to
the meeting's in-process subscribers; the live-push endpoint (SSE) and the fan-out between
replicas are built on top of `LiveHub`.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from ratsraum_common.logging import get_logger

log = get_logger(__name__)

MeetingKey = tuple[str, str]  # (tenant, meeting id)


@dataclass(frozen=True, slots=True)
class LiveUpdate:
    """One change on a meeting's live screen: a kind ("lobby", "quorum", ...) and its data."""

    tenant: str
    meeting_id: str
    kind: str
    data: dict[str, Any] = field(default_factory=dict)


class LiveHub:
    """Fans updates out to the subscribers of each meeting in this process."""

    def __init__(self, *, queue_size: int = 256) -> None:
        self.queue_size = queue_size
        self._subscribers: dict[MeetingKey, set[asyncio.Queue[LiveUpdate]]] = defaultdict(set)

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
    _hub.publish(LiveUpdate(tenant=tenant, meeting_id=meeting_id, kind=kind, data=data or {}))
