"""Agenda during the session: order, item status, the current item and urgent items."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ratsraum_common.problems import Problem
from ratsraum_meeting.agenda import messages as m
from ratsraum_meeting.agenda.models import AgendaCall, AgendaChange
from ratsraum_meeting.changes import public_view_changed
from ratsraum_meeting.conflicts.service import item_of
from ratsraum_meeting.meetings.models import AgendaItem, Meeting
from ratsraum_meeting.meetings.service import get_meeting
from ratsraum_meeting.timeutil import now

# Which status an item may move to from which; "voting" is set and left by polls only.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "called": ("pending", "deferred", "called"),
    "deferred": ("pending", "called"),
    "decided": ("called",),
}


@dataclass(frozen=True, slots=True)
class AgendaView:
    """The agenda in order with the current call, if any."""

    meeting: Meeting
    items: list[AgendaItem]
    current: AgendaCall | None


async def _locked_meeting(session: AsyncSession, *, meeting_id: str) -> Meeting:
    """The meeting, row-locked (PostgreSQL) so agenda changes apply one after another."""
    await session.execute(select(Meeting.id).where(Meeting.id == meeting_id).with_for_update())
    meeting, _body = await get_meeting(session, meeting_id=meeting_id)
    if meeting.status == "closed":
        raise Problem(409, "meeting-closed", m.MEETING_CLOSED)
    return meeting


async def _items(session: AsyncSession, *, meeting_id: str) -> list[AgendaItem]:
    return list((await session.scalars(
        select(AgendaItem).where(AgendaItem.meeting_id == meeting_id)
        .order_by(AgendaItem.position, AgendaItem.number))).all())


async def current_call(session: AsyncSession, *, meeting_id: str) -> AgendaCall | None:
    """The open call of the meeting (its current item), if any."""
    return await session.scalar(select(AgendaCall).where(
        AgendaCall.meeting_id == meeting_id, AgendaCall.left_at.is_(None)))


async def view(session: AsyncSession, *, meeting_id: str) -> AgendaView:
    """The agenda of a meeting of the tenant with its current item."""
    meeting, _body = await get_meeting(session, meeting_id=meeting_id)
    return AgendaView(meeting=meeting, items=await _items(session, meeting_id=meeting.id),
                      current=await current_call(session, meeting_id=meeting.id))


def _log(session: AsyncSession, *, item: AgendaItem, kind: str, by: str,
         reason: str = "") -> None:
    session.add(AgendaChange(meeting_id=item.meeting_id, agenda_item_id=item.id, kind=kind,
                             reason=reason, changed_by=by, changed_at=now()))


async def _publish_if_public(session: AsyncSession, *, meeting: Meeting,
                             item: AgendaItem) -> None:
    if item.public:
        public_view_changed(session, meeting_id=meeting.id)


async def move(
    session: AsyncSession, *, meeting_id: str, item_id: str, position: int, by: str,
) -> AgendaView:
    """Move an item to a 1-based position; positions stay 1..n and public items first."""
    meeting = await _locked_meeting(session, meeting_id=meeting_id)
    _m, _b, item = await item_of(session, meeting_id=meeting.id, item_id=item_id)
    items = [i for i in await _items(session, meeting_id=meeting.id) if i.id != item.id]
    if not 1 <= position <= len(items) + 1:
        raise Problem(422, "bad-position", m.BAD_POSITION, position=position,
                      count=len(items) + 1)
    items.insert(position - 1, item)
    first_closed = next((n for n, i in enumerate(items) if not i.public), len(items))
    if any(i.public for i in items[first_closed:]):
        raise Problem(422, "public-items-first", m.PUBLIC_FIRST, number=item.number)
    for n, i in enumerate(items, start=1):
        i.position = n
    _log(session, item=item, kind="moved", by=by, reason=str(position))
    await session.flush()
    await _publish_if_public(session, meeting=meeting, item=item)
    return AgendaView(meeting=meeting, items=items,
                      current=await current_call(session, meeting_id=meeting.id))


async def leave_current(session: AsyncSession, *, meeting_id: str, by: str) -> None:
    """Close the open call, if any: the meeting has no current item afterwards."""
    call = await current_call(session, meeting_id=meeting_id)
    if call is not None:
        call.left_at = now()
        previous = await session.get(AgendaItem, call.agenda_item_id)
        if previous is not None:
            _log(session, item=previous, kind="left", by=by)


async def set_status(
    session: AsyncSession, *, meeting_id: str, item_id: str, target: str, by: str,
    reason: str = "",
) -> AgendaItem:
    """Call, defer or decide an item; calling makes it current and leaves the previous one."""
    meeting = await _locked_meeting(session, meeting_id=meeting_id)
    _m, _b, item = await item_of(session, meeting_id=meeting.id, item_id=item_id)
    if item.status == "voting":
        raise Problem(409, "vote-open", m.VOTE_OPEN, number=item.number)
    if item.status not in TRANSITIONS[target]:
        raise Problem(409, "bad-status-transition", m.BAD_TRANSITION, number=item.number,
                      current=item.status, target=target, current_de=m.STATUS_DE[item.status],
                      target_de=m.STATUS_DE[target])
    if target != "deferred" and meeting.status != "running":
        raise Problem(409, "meeting-not-running", m.NOT_RUNNING)
    current = await current_call(session, meeting_id=meeting.id)
    if target == "called":
        if current is None or current.agenda_item_id != item.id:
            await leave_current(session, meeting_id=meeting.id, by=by)
            session.add(AgendaCall(meeting_id=meeting.id, agenda_item_id=item.id,
                                   called_by=by, called_at=now()))
    elif current is not None and current.agenda_item_id == item.id:
        await leave_current(session, meeting_id=meeting.id, by=by)
    item.status = target
    _log(session, item=item, kind=target, by=by, reason=reason)
    await session.flush()
    left = current is not None and current.agenda_item_id == item.id and target != "called"
    if item.public or target == "called" or left:
        # Also whenever the current item changes: the public current item clears, and the
        # closed part begins or ends (the public snapshot's live parts stop or resume).
        public_view_changed(session, meeting_id=meeting.id)
    return item


async def add_urgent(
    session: AsyncSession, *, meeting_id: str, title: str, public: bool, votable: bool,
    reason: str, number: str | None, by: str,
) -> AgendaItem:
    """Add an item by urgency (Dringlichkeit) while the meeting runs, at the end of its part."""
    meeting = await _locked_meeting(session, meeting_id=meeting_id)
    if meeting.status != "running":
        raise Problem(409, "meeting-not-running", m.NOT_RUNNING)
    items = await _items(session, meeting_id=meeting.id)
    same_part = [i for i in items if i.public == public]
    number = number or f"{'Ö' if public else 'N'} {len(same_part) + 1}"
    if any(i.number == number for i in items):
        raise Problem(409, "number-taken", m.NUMBER_TAKEN, number=number)
    item = AgendaItem(id=str(uuid.uuid4()), meeting_id=meeting.id, number=number, position=0,
                      title=title, public=public, votable=votable, status="pending")
    # Public urgent items go after the last public item; closed ones at the very end.
    at = sum(1 for i in items if i.public) if public else len(items)
    items.insert(at, item)
    session.add(item)
    for n, i in enumerate(items, start=1):
        i.position = n
    await session.flush()
    _log(session, item=item, kind="added", by=by, reason=reason)
    await session.flush()
    await _publish_if_public(session, meeting=meeting, item=item)
    return item
