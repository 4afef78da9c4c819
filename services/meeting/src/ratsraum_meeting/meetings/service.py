"""Reading meetings and running them (opening); all within the caller's tenant."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ratsraum_common.i18n import Msg
from ratsraum_common.problems import Problem
from ratsraum_meeting.meetings.models import AgendaItem, Body, Meeting, Membership, Person
from ratsraum_meeting.polls.models import Poll

MEETING_NOT_FOUND = Msg(
    "Diese Sitzung gibt es nicht (oder nicht in Ihrer Kommune).",
    "There is no such meeting (or not in your town).",
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
    """A person of the session's town by id (persons are keyed by town and id)."""
    return await session.scalar(select(Person).where(Person.id == person_id))


async def memberships_of(session: AsyncSession, *, person_id: str) -> list[Membership]:
    """The seats a person holds."""
    return list((await session.scalars(
        select(Membership).where(Membership.person_id == person_id)
    )).all())
