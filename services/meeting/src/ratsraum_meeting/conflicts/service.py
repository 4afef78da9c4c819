"""Conflicts of interest per agenda item, and members' requests for a roll-call or secret vote."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ratsraum_common.problems import Problem
from ratsraum_meeting.changes import public_view_changed
from ratsraum_meeting.conflicts import messages as m
from ratsraum_meeting.conflicts.models import Conflict, VoteRequest
from ratsraum_meeting.meetings.models import AgendaItem, Body, Meeting, Membership, Person
from ratsraum_meeting.meetings.service import get_meeting
from ratsraum_meeting.polls.models import Poll
from ratsraum_meeting.timeutil import now


@dataclass(frozen=True, slots=True)
class ConflictRow:
    """A conflict as listed for an item (and later for the minutes)."""

    conflict: Conflict
    name: str


async def item_of(
    session: AsyncSession, *, meeting_id: str, item_id: str
) -> tuple[Meeting, Body, AgendaItem]:
    """The meeting, its body and one of its agenda items, or a 404 problem."""
    meeting, body = await get_meeting(session, meeting_id=meeting_id)
    item = await session.get(AgendaItem, item_id)
    if item is None or item.meeting_id != meeting.id:
        raise Problem(404, "agenda-item-not-found", m.ITEM_NOT_FOUND)
    return meeting, body, item


async def _require_seat(session: AsyncSession, *, meeting: Meeting, person_id: str) -> None:
    seat = await session.scalar(select(func.count()).select_from(Membership).where(
        Membership.body_id == meeting.body_id, Membership.person_id == person_id))
    if not seat:
        raise Problem(404, "not-a-member", m.NOT_A_MEMBER)


async def _active(session: AsyncSession, *, item: AgendaItem, person_id: str) -> Conflict | None:
    return await session.scalar(select(Conflict).where(
        Conflict.agenda_item_id == item.id, Conflict.person_id == person_id,
        Conflict.withdrawn_at.is_(None)))


async def _polls_on(session: AsyncSession, *, item: AgendaItem) -> list[str]:
    """States of the polls held on the item (cancelled ones do not count)."""
    return list((await session.scalars(select(Poll.state).where(
        Poll.agenda_item_id == item.id, Poll.state != "cancelled"))).all())


async def _publish_if_public(session: AsyncSession, *, meeting: Meeting,
                             item: AgendaItem) -> None:
    """A conflict moves the item's quorum: republish, but never for a closed-part item."""
    if item.public:
        public_view_changed(session, meeting_id=meeting.id)


async def declare(
    session: AsyncSession, *, meeting_id: str, item_id: str, person_id: str, reason: str,
    declared_by: str,
) -> Conflict:
    """Record a member's conflict on an item; refused while a vote on it is open."""
    meeting, _body, item = await item_of(session, meeting_id=meeting_id, item_id=item_id)
    if meeting.status == "closed":
        raise Problem(409, "meeting-closed", m.MEETING_CLOSED)
    await _require_seat(session, meeting=meeting, person_id=person_id)
    if "open" in await _polls_on(session, item=item):
        raise Problem(409, "vote-open", m.VOTE_OPEN, number=item.number)
    if await _active(session, item=item, person_id=person_id) is not None:
        raise Problem(409, "conflict-already-declared", m.ALREADY_DECLARED, number=item.number)
    conflict = Conflict(meeting_id=meeting.id, agenda_item_id=item.id, person_id=person_id,
                        reason=reason, declared_by=declared_by, declared_at=now())
    session.add(conflict)
    await session.flush()
    await _publish_if_public(session, meeting=meeting, item=item)
    return conflict


async def withdraw(
    session: AsyncSession, *, meeting_id: str, item_id: str, person_id: str, withdrawn_by: str,
) -> Conflict:
    """Withdraw a declared conflict; possible only until a vote on the item opens."""
    meeting, _body, item = await item_of(session, meeting_id=meeting_id, item_id=item_id)
    if meeting.status == "closed":
        raise Problem(409, "meeting-closed", m.MEETING_CLOSED)
    conflict = await _active(session, item=item, person_id=person_id)
    if conflict is None:
        raise Problem(404, "conflict-not-found", m.NO_CONFLICT, number=item.number)
    if await _polls_on(session, item=item):
        raise Problem(409, "vote-already-held", m.TOO_LATE_TO_WITHDRAW, number=item.number)
    conflict.withdrawn_by, conflict.withdrawn_at = withdrawn_by, now()
    await session.flush()
    await _publish_if_public(session, meeting=meeting, item=item)
    return conflict


async def list_conflicts(session: AsyncSession, *, item: AgendaItem) -> list[ConflictRow]:
    """The item's declared (not withdrawn) conflicts with the members' names."""
    rows = await session.execute(
        select(Conflict, Person.name).join(Person, Person.id == Conflict.person_id)
        .where(Conflict.agenda_item_id == item.id, Conflict.withdrawn_at.is_(None))
        .order_by(Person.name))
    return [ConflictRow(conflict=c, name=name) for c, name in rows.all()]


async def conflicted_ids(session: AsyncSession, *, item: AgendaItem) -> set[str]:
    """Members with a declared conflict on the item."""
    return set((await session.scalars(select(Conflict.person_id).where(
        Conflict.agenda_item_id == item.id, Conflict.withdrawn_at.is_(None)))).all())


async def add_vote_request(
    session: AsyncSession, *, meeting: Meeting, item: AgendaItem, person_id: str, kind: str,
) -> tuple[VoteRequest, bool]:
    """Record a member's request for a kind of vote (once per kind); True if it is new."""
    await _require_seat(session, meeting=meeting, person_id=person_id)
    if person_id in await conflicted_ids(session, item=item):
        raise Problem(409, "conflicted", m.REQUEST_CONFLICTED, number=item.number)
    existing = await session.scalar(select(VoteRequest).where(
        VoteRequest.agenda_item_id == item.id, VoteRequest.person_id == person_id,
        VoteRequest.kind == kind))
    if existing is not None:
        return existing, False
    request = VoteRequest(meeting_id=meeting.id, agenda_item_id=item.id, person_id=person_id,
                          kind=kind, requested_at=now())
    session.add(request)
    await session.flush()
    return request, True


async def vote_request_counts(session: AsyncSession, *, item: AgendaItem) -> dict[str, int]:
    """How many members asked for each kind of vote on the item."""
    rows = await session.execute(
        select(VoteRequest.kind, func.count()).where(VoteRequest.agenda_item_id == item.id)
        .group_by(VoteRequest.kind))
    counts = {"roll_call": 0, "secret": 0}
    counts.update({kind: int(n) for kind, n in rows.all()})
    return counts

