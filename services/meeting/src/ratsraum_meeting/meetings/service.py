"""Reading meetings and running them (opening); all within the caller's tenant."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ratsraum_common.i18n import Msg
from ratsraum_common.problems import Problem
from ratsraum_meeting.events import publish_public_update
from ratsraum_meeting.meetings.models import AgendaItem, Body, Meeting, Membership, Person
from ratsraum_meeting.polls.models import Poll
from ratsraum_meeting.profiles.hybrid_conditions import ensure_session_allowed
from ratsraum_meeting.timeutil import now

MEETING_NOT_FOUND = Msg(
    "Diese Sitzung gibt es nicht (oder nicht in Ihrer Kommune).",
    "There is no such meeting (or not in your town).",
)
_MEETING_CLOSED = Msg(
    "Die Sitzung ist bereits geschlossen und kann nicht erneut eröffnet werden.",
    "The meeting is already closed and cannot be opened again.",
)
_USE_RESUME = Msg(
    "Die Sitzung ist unterbrochen; bitte mit „Fortsetzen“ fortsetzen, damit die Fortsetzung "
    "protokolliert und die Wiederholung betroffener Abstimmungen angeboten wird.",
    "The meeting is interrupted; please resume it, so the resumption is logged and the re-run "
    "of affected votes is offered.",
)


@dataclass(frozen=True, slots=True)
class AgendaEntry:
    """An agenda item with its latest poll, if any."""

    item: AgendaItem
    poll: Poll | None


async def get_meeting(session: AsyncSession, *, meeting_id: str) -> tuple[Meeting, Body]:
    """The meeting and its body, or a 404 problem."""
    meeting = await session.get(Meeting, meeting_id)
    body = await session.get(Body, meeting.body_id) if meeting is not None else None
    if meeting is None or body is None:
        raise Problem(404, "meeting-not-found", MEETING_NOT_FOUND)
    return meeting, body


async def list_meetings(session: AsyncSession) -> list[tuple[Meeting, Body]]:
    """All meetings of the tenant with their bodies, by start time."""
    rows = await session.execute(
        select(Meeting, Body).join(Body, Body.id == Meeting.body_id)
        .order_by(Meeting.starts_at, Meeting.id)
    )
    return [(m, b) for m, b in rows.all()]


async def agenda(session: AsyncSession, *, meeting: Meeting) -> list[AgendaEntry]:
    """The agenda in order, each item with its most recent poll."""
    items = (await session.scalars(
        select(AgendaItem).where(AgendaItem.meeting_id == meeting.id)
        .order_by(AgendaItem.position)
    )).all()
    polls = (await session.scalars(
        select(Poll).where(Poll.meeting_id == meeting.id).order_by(Poll.opened_at)
    )).all()
    latest = {p.agenda_item_id: p for p in polls}
    return [AgendaEntry(item=i, poll=latest.get(i.id)) for i in items]


async def get_person(session: AsyncSession, *, person_id: str) -> Person | None:
    """A person of the tenant by subject id."""
    return await session.get(Person, person_id)


async def memberships_of(session: AsyncSession, *, person_id: str) -> list[Membership]:
    """The seats a person holds."""
    return list((await session.scalars(
        select(Membership).where(Membership.person_id == person_id)
    )).all())


async def open_meeting(session: AsyncSession, *, meeting_id: str) -> tuple[Meeting, Body]:
    """Start the meeting and record when (idempotent); an interrupted one resumes elsewhere."""
    meeting, body = await get_meeting(session, meeting_id=meeting_id)
    if meeting.status == "running":
        return meeting, body
    if meeting.status == "closed":
        raise Problem(409, "meeting-closed", _MEETING_CLOSED)
    if meeting.status == "interrupted":
        raise Problem(409, "meeting-interrupted", _USE_RESUME)
    await ensure_session_allowed(session, meeting=meeting, body=body)  # docs/law.md, Sessions
    meeting.status = "running"
    # The minutes' "Beginn": the first opening, kept if the meeting is opened again.
    meeting.started_at = meeting.started_at or now()
    await publish_public_update(session, meeting=meeting)
    return meeting, body
