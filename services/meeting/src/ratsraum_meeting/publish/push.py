"""Pushing attendance, quorum and lobby changes to members' and clerks' screens after commit."""

from __future__ import annotations

import asyncio
import math
import time
import weakref

from ratsraum_common.db import Database
from ratsraum_common.logging import get_logger
from ratsraum_meeting import live
from ratsraum_meeting.lobby import service as lobby
from ratsraum_meeting.meetings.models import Body, Meeting
from ratsraum_meeting.publish.live_state import connected, quorum_now

log = get_logger(__name__)


PRESENCE_INTERVAL_SECONDS = 0.2
_Key = tuple[str, str]  # (tenant, meeting id)


class _Coalescer:
    """At most one presence push per interval and meeting.

    Each push lists every member, so a clerk ticking off a council one by one would cost
    members x members rows. The first change is pushed at once; changes within the next
    interval are merged into one push at its end, which reads the state committed by then.
    """

    def __init__(self) -> None:
        self.last: dict[_Key, float] = {}
        self.trailing: dict[_Key, asyncio.Task[None]] = {}


# Per database, so each app (and each test's app) has its own bookkeeping and event loop.
_coalescers: weakref.WeakKeyDictionary[Database, _Coalescer] = weakref.WeakKeyDictionary()


async def push_presence(db: Database, *, tenant: str, meeting_id: str) -> None:
    """Send who is connected (`attendance`) and the quorum (`quorum`) as committed now
    (or, within the interval after the last push, as committed at its end)."""
    state = _coalescers.setdefault(db, _Coalescer())
    key = (tenant, meeting_id)
    if key in state.trailing:
        return  # the push already due reads the state after this commit
    wait = state.last.get(key, -math.inf) + PRESENCE_INTERVAL_SECONDS - time.monotonic()
    if wait > 0:
        state.trailing[key] = asyncio.create_task(_push_later(db, state, key, wait))
        return
    state.last[key] = time.monotonic()
    await _push_now(db, tenant=tenant, meeting_id=meeting_id)


async def _push_later(db: Database, state: _Coalescer, key: _Key, wait: float) -> None:
    try:
        await asyncio.sleep(wait)
    finally:
        state.trailing.pop(key, None)
    state.last[key] = time.monotonic()
    try:
        await _push_now(db, tenant=key[0], meeting_id=key[1])
    except Exception:
        # Screens also resync from the live state on reconnect; never crash the loop.
        log.exception("attendance.push_failed", tenant=key[0], meeting_id=key[1])


async def _push_now(db: Database, *, tenant: str, meeting_id: str) -> None:
    async with db.tenant_session(tenant) as session:
        meeting = await session.get(Meeting, meeting_id)
        body = None if meeting is None else await session.get(Body, meeting.body_id)
        if meeting is None or body is None:
            return
        present = await connected(session, meeting=meeting)
        quorum = await quorum_now(session, meeting=meeting, body=body)
    live.notify(tenant=tenant, meeting_id=meeting_id, kind="attendance",
                data={"connected": present})
    live.notify(tenant=tenant, meeting_id=meeting_id, kind="quorum", data=quorum)


async def push_lobby(db: Database, *, tenant: str, meeting_id: str) -> None:
    """Send who waits in the lobby (`lobby`; screens of clerk and chair only)."""
    async with db.tenant_session(tenant) as session:
        meeting = await session.get(Meeting, meeting_id)
        if meeting is None:
            return
        rows = await lobby.waiting(session, meeting=meeting)
    live.notify(tenant=tenant, meeting_id=meeting_id, kind="lobby", data={"waiting": [
        {"person_id": r.person_id, "name": r.name, "requested_at": r.at.isoformat()}
        for r in rows]})
