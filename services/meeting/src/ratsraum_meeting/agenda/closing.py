"""Ending a meeting: the chair or clerk closes it (leaving the current item); the end time is
kept for the minutes."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ratsraum_common.i18n import Msg
from ratsraum_common.problems import Problem
from ratsraum_meeting.agenda.service import leave_current
from ratsraum_meeting.changes import public_view_changed
from ratsraum_meeting.meetings.models import AgendaItem, Body, Meeting
from ratsraum_meeting.meetings.service import get_meeting
from ratsraum_meeting.polls.models import Poll
from ratsraum_meeting.questions.service import forget_addresses
from ratsraum_meeting.timeutil import now

NOT_STARTED = Msg(
    "Die Sitzung wurde noch nicht eröffnet und kann daher nicht beendet werden; eine "
    "ausfallende Sitzung wird über die Einladungen abgesagt.",
    "The meeting has not been opened and so cannot be ended; a meeting that does not take "
    "place is cancelled through the invitations.",
)
VOTE_OPEN = Msg(
    "Zu {numbers} läuft noch eine Abstimmung; bitte erst schließen oder abbrechen, dann die "
    "Sitzung beenden.",
    "A vote on {numbers} is still open; please close or cancel it first, then end the meeting.",
)


async def close_meeting(
    session: AsyncSession, *, meeting_id: str, by: str
) -> tuple[Meeting, Body, bool]:
    """End a running or interrupted meeting; True if it was ended now (False: already was)."""
    # Row lock (PostgreSQL): a vote cannot open between the check below and the status change.
    await session.execute(select(Meeting.id).where(Meeting.id == meeting_id).with_for_update())
    meeting, body = await get_meeting(session, meeting_id=meeting_id)
    if meeting.status == "closed":
        return meeting, body, False
    if meeting.status == "scheduled":
        raise Problem(409, "meeting-not-started", NOT_STARTED)
    open_items = (await session.scalars(
        select(AgendaItem.number).join(Poll, Poll.agenda_item_id == AgendaItem.id)
        .where(Poll.meeting_id == meeting.id, Poll.state == "open")
        .order_by(AgendaItem.position))).all()
    if open_items:
        raise Problem(409, "vote-open", VOTE_OPEN, numbers=", ".join(open_items))
    await leave_current(session, meeting_id=meeting.id, by=by)
    meeting.status = "closed"
    meeting.ends_at = now()
    # Citizens' mail addresses served the clerk's replies only; they end with the meeting.
    await forget_addresses(session, meeting_id=meeting.id)
    public_view_changed(session, meeting_id=meeting.id)
    return meeting, body, True
