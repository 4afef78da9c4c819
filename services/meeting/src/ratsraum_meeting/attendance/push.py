"""Pushing attendance, quorum and lobby changes to members' and clerks' screens after commit."""

from __future__ import annotations

from ratsraum_common.db import Database
from ratsraum_meeting import live
from ratsraum_meeting.attendance.state import connected, quorum_now
from ratsraum_meeting.lobby import service as lobby
from ratsraum_meeting.meetings.models import Body, Meeting


async def push_presence(db: Database, *, tenant: str, meeting_id: str) -> None:
    """Send who is connected (`attendance`) and the quorum (`quorum`) as committed now."""
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
