"""Meetings: the list, one meeting with its agenda, opening and closing."""

from __future__ import annotations

from fastapi import APIRouter

from ratsraum_meeting import access, live
from ratsraum_meeting.agenda import closing, opening
from ratsraum_meeting.api.deps import DB, Reader, Runner
from ratsraum_meeting.meetings import service
from ratsraum_meeting.meetings.models import Body, Meeting
from ratsraum_meeting.meetings.schemas import (
    AgendaItemOut,
    MeetingDetailOut,
    MeetingOut,
)

router = APIRouter(prefix="/api/v1/meetings", tags=["meetings"])


def _meeting_out(meeting: Meeting, body: Body) -> MeetingOut:
    return MeetingOut.of(meeting, body)


@router.get("")
async def list_meetings(principal: Reader, db: DB) -> list[MeetingOut]:
    """The meetings of the bodies the caller belongs to (all for the town's admin), by time."""
    async with db.tenant_session(principal.tenant) as session:
        rows = await service.list_meetings(session)
        bodies = (None if principal.has_any("admin")
                  else await access.reachable_bodies(session, principal=principal))
    return [_meeting_out(m, b) for m, b in rows if bodies is None or b.id in bodies]


@router.get("/{meeting_id}")
async def get_meeting(meeting_id: str, principal: Reader, db: DB) -> MeetingDetailOut:
    """A meeting with its whole agenda."""
    async with db.tenant_session(principal.tenant) as session:
        meeting, body = await service.get_meeting(session, meeting_id=meeting_id)
        entries = await service.agenda(session, meeting=meeting)
    return MeetingDetailOut(
        **_meeting_out(meeting, body).model_dump(),
        version=meeting.version, statutory_members=body.statutory_members,
        rule_profile=body.rule_profile,
        agenda=[
            AgendaItemOut(
                id=e.item.id, number=e.item.number, position=e.item.position,
                title=e.item.title, public=e.item.public, votable=e.item.votable,
                status=e.item.status,
                result=e.poll.result if e.poll else None,
                poll_id=e.poll.id if e.poll else None,
            )
            for e in entries
        ],
    )


@router.post("/{meeting_id}/open")
async def open_meeting(meeting_id: str, principal: Runner, db: DB) -> MeetingOut:
    """Open the meeting (idempotent)."""
    async with db.transaction(principal.tenant) as session:
        meeting, body = await opening.open_meeting(session, meeting_id=meeting_id)
    # Open screens (join page, clerk console, hall display) follow without a reload.
    live.notify(tenant=principal.tenant, meeting_id=meeting_id, kind="meeting",
                data={"status": meeting.status})
    return _meeting_out(meeting, body)



@router.post("/{meeting_id}/close")
async def close_meeting(meeting_id: str, principal: Runner, db: DB) -> MeetingOut:
    """End the meeting (idempotent): refused while a vote is open; the end time is recorded."""
    async with db.transaction(principal.tenant) as session:
        meeting, body, ended = await closing.close_meeting(
            session, meeting_id=meeting_id, by=principal.subject)
    out = MeetingOut.of(meeting, body)
    if ended:
        live.notify(tenant=principal.tenant, meeting_id=meeting_id, kind="meeting",
                    data={"status": "closed",
                          "ended_at": out.ended_at.isoformat() if out.ended_at else None})
    return out
