"""Live vote progress for the public, coalesced.

Every cast raises the count of members who have voted. Publishing a whole public snapshot per
cast would make each ballot wait for a database write and an event; the count is derived
state (the ballots themselves are safe in voting), so casts only note the newest count here
and a short-delayed flush publishes it, at most once per interval and poll. The flush task
inherits the context of the cast that scheduled it, so the trace runs on to the portal.
"""

from __future__ import annotations

import asyncio
import contextlib

from ratsraum_common.db import Database
from ratsraum_common.logging import get_logger
from ratsraum_meeting import live
from ratsraum_meeting.changes import public_view_changed
from ratsraum_meeting.meetings.service import get_meeting
from ratsraum_meeting.polls.models import Poll

log = get_logger(__name__)

PollKey = tuple[str, str]  # (tenant, poll id)


class ProgressPublisher:
    """Collects ballot counts per poll and publishes them as public snapshots in batches."""

    def __init__(self, db: Database, *, interval_seconds: float = 0.2) -> None:
        self.db = db
        self.interval = interval_seconds
        self._counts: dict[PollKey, int] = {}
        self._pending: dict[PollKey, asyncio.Task[None]] = {}

    def note(self, *, tenant: str, poll_id: str, ballots_cast: int) -> None:
        """Remember the newest count; schedule a flush unless one is already due."""
        key = (tenant, poll_id)
        if ballots_cast <= self._counts.get(key, 0):
            return
        self._counts[key] = ballots_cast
        if key not in self._pending:
            self._pending[key] = asyncio.create_task(self._flush_later(key))

    async def _flush_later(self, key: PollKey) -> None:
        try:
            await asyncio.sleep(self.interval)
        finally:
            self._pending.pop(key, None)
        await self.flush(key)

    async def flush(self, key: PollKey) -> None:
        """Write the noted count and publish the snapshot, if it is news."""
        tenant, poll_id = key
        count = self._counts.get(key, 0)
        try:
            async with self.db.transaction(tenant) as session:
                poll = await session.get(Poll, poll_id)
                if poll is None or poll.state != "open" or count <= poll.ballots_cast:
                    return
                poll.ballots_cast = count
                meeting, _body = await get_meeting(session, meeting_id=poll.meeting_id)
                public_view_changed(session, meeting_id=meeting.id)
            live.notify(tenant=tenant, meeting_id=poll.meeting_id, kind="poll", data={
                "poll_id": poll_id, "state": "open", "ballots_cast": count,
                "roll_size": poll.roll_size})
        except Exception:
            # Progress is advisory; the next cast or the close publishes the truth.
            log.exception("poll.progress_failed", poll_id=poll_id, tenant=tenant)

    def forget(self, *, tenant: str, poll_id: str) -> None:
        """Drop a closed poll's bookkeeping."""
        self._counts.pop((tenant, poll_id), None)

    async def stop(self) -> None:
        """Publish what is pending, then stop (service shutdown)."""
        pending = list(self._pending.items())
        for _key, task in pending:
            task.cancel()
        for key, task in pending:
            with contextlib.suppress(asyncio.CancelledError):
                await task
            await self.flush(key)
