"""Ending a meeting (chair or clerk); opening is in api/meetings.py."""

from __future__ import annotations

from fastapi import APIRouter

from ratsraum_meeting import live
from ratsraum_meeting.api.deps import DB, Runner
from ratsraum_meeting.meetings import lifecycle
from ratsraum_meeting.meetings.schemas import MeetingOut

router = APIRouter(prefix="/api/v1/meetings", tags=["meetings"])


@router.post("/{meeting_id}/close")
async def close_meeting(meeting_id: str, principal: Runner, db: DB) -> MeetingOut:
    """End the meeting (idempotent): refused while a vote is open; the end time is recorded."""
    async with db.transaction(principal.tenant) as session:
        meeting, body, ended = await lifecycle.close_meeting(
            session, meeting_id=meeting_id, by=principal.subject)
    out = MeetingOut.of(meeting, body)
    if ended:
        live.notify(tenant=principal.tenant, meeting_id=meeting_id, kind="meeting",
                    data={"status": "closed",
                          "ended_at": out.ended_at.isoformat() if out.ended_at else None})
    return out
