"""In-process fan-out of meeting snapshots to the open SSE streams of this replica."""

from __future__ import annotations

import asyncio
import json
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from sse_starlette import ServerSentEvent

MeetingKey = tuple[str, str]


@dataclass(frozen=True)
class Snapshot:
    """One version of a meeting's public view."""

    version: int
    data: dict[str, Any]

    @cached_property
    def frame(self) -> bytes:
        """The SSE event `meeting` as sent on the wire, encoded once for every viewer.

        A vote's result goes to thousands of streams at once; encoding it per stream would
        cost each of them the JSON and SSE formatting again and delay the last one by seconds.
        """
        data = json.dumps(self.data, ensure_ascii=False, separators=(",", ":"))
        return ServerSentEvent(data=data, event="meeting", id=str(self.version)).encode()


class Subscription:
    """One SSE stream's mailbox; keeps only the newest pending snapshots."""

    def __init__(self, maxsize: int = 4) -> None:
        self._queue: asyncio.Queue[Snapshot | None] = asyncio.Queue(maxsize=maxsize)

    def offer(self, item: Snapshot | None) -> None:
        """Queue without blocking; a slow reader loses the oldest, never the newest."""
        while True:
            try:
                self._queue.put_nowait(item)
                return
            except asyncio.QueueFull:
                self._queue.get_nowait()

    async def next(self) -> Snapshot | None:
        """The next snapshot, or None when the process shuts down."""
        return await self._queue.get()


class Broadcaster:
    """Routes snapshots to subscribers of one meeting and remembers each meeting's newest.

    The memory closes the gap between the live push and the durable read model: a stream that
    opens after the push but before the database has the update still starts current.
    """

    def __init__(self, *, remembered: int = 1000) -> None:
        self._subscribers: dict[MeetingKey, set[Subscription]] = {}
        self._latest: OrderedDict[MeetingKey, Snapshot] = OrderedDict()
        self._remembered = remembered
        self.clients = 0

    def publish(self, *, tenant: str, meeting_id: str, snapshot: Snapshot) -> int:
        """Hand a snapshot to every stream of that meeting; returns how many got it."""
        key = (tenant, meeting_id)
        known = self._latest.get(key)
        if known is not None and known.version >= snapshot.version:
            return 0
        self._latest[key] = snapshot
        self._latest.move_to_end(key)
        while len(self._latest) > self._remembered:
            self._latest.popitem(last=False)
        subscribers = self._subscribers.get(key, set())
        for subscription in subscribers:
            subscription.offer(snapshot)
        return len(subscribers)

    def latest(self, *, tenant: str, meeting_id: str) -> Snapshot | None:
        """The newest snapshot this process has seen pushed, if still remembered."""
        return self._latest.get((tenant, meeting_id))

    @contextmanager
    def subscribe(self, *, tenant: str, meeting_id: str) -> Iterator[Subscription]:
        """Receive the meeting's snapshots while the block runs."""
        key = (tenant, meeting_id)
        subscription = Subscription()
        self._subscribers.setdefault(key, set()).add(subscription)
        self.clients += 1
        try:
            yield subscription
        finally:
            self.clients -= 1
            subscribers = self._subscribers.get(key)
            if subscribers is not None:
                subscribers.discard(subscription)
                if not subscribers:
                    del self._subscribers[key]

    def close(self) -> None:
        """End every open stream (shutdown)."""
        for subscribers in self._subscribers.values():
            for subscription in subscribers:
                subscription.offer(None)
