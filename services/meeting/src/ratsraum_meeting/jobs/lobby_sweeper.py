"""The lobby's heartbeat sweeper: members whose app went silent leave, and screens learn of it."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from sqlalchemy import select

from ratsraum_common.db import Database
from ratsraum_common.logging import get_logger
from ratsraum_meeting.lobby import service as lobby
from ratsraum_meeting.lobby.models import LobbyEntry
from ratsraum_meeting.meetings.models import Meeting
from ratsraum_meeting.publish.push import push_presence
from ratsraum_meeting.timeutil import now, utc

log = get_logger(__name__)


async def sweep_stale(db: Database, *, timeout_seconds: float, at: datetime | None = None) -> int:
    """Mark admitted members whose heartbeats stopped as left; returns how many."""
    cutoff = (at or now()) - timedelta(seconds=timeout_seconds)
    async with db.system_session() as session:
        stale = (await session.execute(
            select(LobbyEntry.tenant_id, LobbyEntry.meeting_id, LobbyEntry.person_id)
            .where(LobbyEntry.state == "admitted", LobbyEntry.last_heartbeat_at.is_not(None),
                   LobbyEntry.last_heartbeat_at < cutoff))).all()
    for tenant, meeting_id, person_id in stale:
        async with db.transaction(tenant) as session:
            meeting = await session.get(Meeting, meeting_id)
            entry = None if meeting is None else await lobby.entry_of(
                session, meeting=meeting, person_id=person_id)
            # Re-checked in the transaction: a heartbeat may have arrived meanwhile.
            if meeting is None or entry is None or entry.state != "admitted" or (
                    entry.last_heartbeat_at is None or utc(entry.last_heartbeat_at) >= cutoff):
                continue
            await lobby.leave(session, meeting=meeting, person_id=person_id,
                              by="heartbeat-timeout")
            log.info("lobby.heartbeat_timeout", tenant=tenant, meeting_id=meeting_id,
                     person_id=person_id)
        await push_presence(db, tenant=tenant, meeting_id=meeting_id)
    return len(stale)


async def run_heartbeat_sweeper(
    db: Database, *, timeout_seconds: float, interval_seconds: float
) -> None:
    """Sweep stale heartbeats every interval until cancelled (one failed sweep is logged)."""
    while True:
        await asyncio.sleep(interval_seconds)
        try:
            await sweep_stale(db, timeout_seconds=timeout_seconds)
        except Exception:  # a database hiccup must not end the sweeping for good
            log.exception("lobby.sweep_failed")
