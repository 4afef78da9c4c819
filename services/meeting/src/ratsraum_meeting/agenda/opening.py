"""Opening a meeting: the chair or clerk starts it, once the law's conditions for a session
with remote members are met (docs/law.md, Sessions); the start time is kept for the minutes."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from ratsraum_common.i18n import Msg
from ratsraum_common.problems import Problem
from ratsraum_meeting.changes import public_view_changed
from ratsraum_meeting.meetings.models import Body, Meeting
from ratsraum_meeting.meetings.service import get_meeting
from ratsraum_meeting.profiles.hybrid_conditions import ensure_session_allowed
from ratsraum_meeting.timeutil import now

MEETING_CLOSED = Msg(
    "Die Sitzung ist bereits geschlossen und kann nicht erneut eröffnet werden.",
    "The meeting is already closed and cannot be opened again.",
)
USE_RESUME = Msg(
    "Die Sitzung ist unterbrochen; bitte mit „Fortsetzen“ fortsetzen, damit die Fortsetzung "
    "protokolliert und die Wiederholung betroffener Abstimmungen angeboten wird.",
    "The meeting is interrupted; please resume it, so the resumption is logged and the re-run "
    "of affected votes is offered.",
)


async def open_meeting(session: AsyncSession, *, meeting_id: str) -> tuple[Meeting, Body]:
    """Start the meeting and record when (idempotent); an interrupted one resumes elsewhere."""
    meeting, body = await get_meeting(session, meeting_id=meeting_id)
    if meeting.status == "running":
        return meeting, body
    if meeting.status == "closed":
        raise Problem(409, "meeting-closed", MEETING_CLOSED)
    if meeting.status == "interrupted":
        raise Problem(409, "meeting-interrupted", USE_RESUME)
    await ensure_session_allowed(session, meeting=meeting, body=body)  # docs/law.md, Sessions
    meeting.status = "running"
    # The minutes' "Beginn": the first opening, kept if the meeting is opened again.
    meeting.started_at = meeting.started_at or now()
    public_view_changed(session, meeting_id=meeting.id)
    return meeting, body
