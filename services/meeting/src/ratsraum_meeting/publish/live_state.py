"""The live state of a meeting as members' and clerks' screens start from it."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ratsraum_meeting.attendance import service as attendance
from ratsraum_meeting.lobby import service as lobby
from ratsraum_meeting.meetings.models import AgendaItem, Body, Meeting
from ratsraum_meeting.polls.models import Poll
from ratsraum_meeting.profiles.live import live_quorum
from ratsraum_meeting.profiles.quorum import QuorumResult
from ratsraum_meeting.timeutil import utc


def quorum_data(result: QuorumResult) -> dict[str, Any]:
    """The quorum as sent to screens."""
    return {"quorate": result.quorate, "present": result.present, "required": result.required,
            "statutory_members": result.statutory_members, "rule": result.rule,
            "explanation": result.explanation}


async def quorum_now(session: AsyncSession, *, meeting: Meeting, body: Body) -> dict[str, Any]:
    """The live quorum by the body's effective profile, as sent to screens."""
    return quorum_data(await live_quorum(session, meeting=meeting, body=body))


async def connected(session: AsyncSession, *, meeting: Meeting) -> list[dict[str, Any]]:
    """Who is present now, in the room or remotely."""
    rows = await attendance.list_attendance(session, meeting=meeting)
    return [{"person_id": r.person_id, "name": r.name, "presence": r.presence,
             "since": utc(r.since).isoformat() if r.since else None}
            for r in rows if r.presence in ("in_room", "remote")]


async def live_state(
    session: AsyncSession, *, meeting: Meeting, body: Body, staff: bool
) -> dict[str, Any]:
    """Status, current item, quorum, who is connected, open polls; the lobby for staff only."""
    current = await session.scalar(
        select(AgendaItem).where(AgendaItem.meeting_id == meeting.id,
                                 AgendaItem.status == "called")
        .order_by(AgendaItem.position).limit(1))
    polls = (await session.scalars(select(Poll).where(
        Poll.meeting_id == meeting.id, Poll.state == "open").order_by(Poll.opened_at))).all()
    state: dict[str, Any] = {
        "meeting_id": meeting.id, "status": meeting.status, "version": meeting.version,
        "current_item": None if current is None else {
            "id": current.id, "number": current.number, "title": current.title},
        "quorum": await quorum_now(session, meeting=meeting, body=body),
        "connected": await connected(session, meeting=meeting),
        "polls": [{"poll_id": p.id, "agenda_item_id": p.agenda_item_id,
                   "ballots_cast": p.ballots_cast, "roll_size": p.roll_size} for p in polls],
    }
    if staff:
        state["lobby"] = [{"person_id": w.person_id, "name": w.name,
                           "requested_at": w.at.isoformat()}
                          for w in await lobby.waiting(session, meeting=meeting)]
    return state
