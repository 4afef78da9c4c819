"""Speakers list per agenda item: requests, points of order first, the floor, speaking times."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ratsraum_common.problems import Problem
from ratsraum_meeting.conflicts.service import item_of
from ratsraum_meeting.meetings.models import AgendaItem, Meeting, Membership, Person
from ratsraum_meeting.speakers import messages as m
from ratsraum_meeting.speakers.models import SpeakerRequest, SpeakersList
from ratsraum_meeting.timeutil import now, utc


@dataclass(frozen=True, slots=True)
class Entry:
    """A request on the list with the member's name."""

    request: SpeakerRequest
    name: str


@dataclass(frozen=True, slots=True)
class ListView:
    """One item's list: who speaks, who waits (in order), who spoke, and its settings."""

    item: AgendaItem
    settings: SpeakersList
    speaking: Entry | None
    waiting: list[Entry]
    done: list[Entry]


@dataclass(frozen=True, slots=True)
class Speech:
    """A finished speech for the minutes."""

    agenda_item_id: str
    number: str
    person_id: str
    name: str
    kind: str
    started_at: datetime
    ended_at: datetime
    seconds: int


async def _open_item(
    session: AsyncSession, *, meeting_id: str, item_id: str
) -> tuple[Meeting, AgendaItem, SpeakersList]:
    """Meeting, item and its list settings, row-locked; refused once the meeting is closed."""
    await session.execute(select(Meeting.id).where(Meeting.id == meeting_id).with_for_update())
    meeting, _body, item = await item_of(session, meeting_id=meeting_id, item_id=item_id)
    if meeting.status == "closed":
        raise Problem(409, "meeting-closed", m.MEETING_CLOSED)
    return meeting, item, await _settings(session, item=item)


async def _settings(session: AsyncSession, *, item: AgendaItem) -> SpeakersList:
    found = await session.get(SpeakersList, item.id)
    if found is None:
        found = SpeakersList(agenda_item_id=item.id, meeting_id=item.meeting_id)
        session.add(found)
        await session.flush()
    return found


async def _requests(session: AsyncSession, *states: str, item_id: str) -> list[SpeakerRequest]:
    return list((await session.scalars(select(SpeakerRequest).where(
        SpeakerRequest.agenda_item_id == item_id, SpeakerRequest.state.in_(states))
        .order_by(SpeakerRequest.position, SpeakerRequest.requested_at))).all())


def _renumber(waiting: list[SpeakerRequest]) -> None:
    for n, r in enumerate(waiting, start=1):
        r.position = n


async def view(session: AsyncSession, *, meeting_id: str, item_id: str) -> ListView:
    """The item's speakers list as everyone in the body sees it."""
    _meeting, _body, item = await item_of(session, meeting_id=meeting_id, item_id=item_id)
    settings = await session.get(SpeakersList, item.id) or SpeakersList(
        agenda_item_id=item.id, meeting_id=item.meeting_id)
    rows = (await session.execute(
        select(SpeakerRequest, Person.name).join(Person, Person.id == SpeakerRequest.person_id)
        .where(SpeakerRequest.agenda_item_id == item.id, SpeakerRequest.state != "withdrawn")
        .order_by(SpeakerRequest.position, SpeakerRequest.requested_at))).all()
    entries = [Entry(request=r, name=name) for r, name in rows]
    done = sorted((e for e in entries if e.request.state == "done"),
                  key=lambda e: utc(e.request.started_at or e.request.requested_at))
    return ListView(
        item=item, settings=settings,
        speaking=next((e for e in entries if e.request.state == "speaking"), None),
        waiting=[e for e in entries if e.request.state == "waiting"], done=done)


async def request_floor(
    session: AsyncSession, *, meeting_id: str, item_id: str, person_id: str, kind: str, by: str,
) -> SpeakerRequest:
    """Put a member on the list (once while waiting); points of order go before speeches."""
    meeting, item, settings = await _open_item(session, meeting_id=meeting_id, item_id=item_id)
    seat = await session.scalar(select(func.count()).select_from(Membership).where(
        Membership.body_id == meeting.body_id, Membership.person_id == person_id))
    if not seat:
        raise Problem(404, "not-a-member", m.NOT_A_MEMBER)
    if settings.closed_at is not None and kind != "order":
        raise Problem(409, "speakers-list-closed", m.LIST_CLOSED, number=item.number)
    waiting = await _requests(session, "waiting", "speaking", item_id=item.id)
    if any(r.person_id == person_id and r.kind == kind for r in waiting):
        raise Problem(409, "already-requested", m.ALREADY_REQUESTED, number=item.number)
    waiting = [r for r in waiting if r.state == "waiting"]
    request = SpeakerRequest(id=str(uuid.uuid4()), meeting_id=meeting.id,
                             agenda_item_id=item.id, person_id=person_id, kind=kind,
                             state="waiting", requested_by=by, requested_at=now())
    at = sum(1 for r in waiting if r.kind == "order") if kind == "order" else len(waiting)
    waiting.insert(at, request)
    session.add(request)
    _renumber(waiting)
    await session.flush()
    return request


async def _waiting_request(
    session: AsyncSession, *, item: AgendaItem, request_id: str
) -> SpeakerRequest:
    request = await session.get(SpeakerRequest, request_id)
    if request is None or request.agenda_item_id != item.id:
        raise Problem(404, "speaker-request-not-found", m.REQUEST_NOT_FOUND)
    if request.state != "waiting":
        raise Problem(409, "speaker-request-not-waiting", m.NOT_WAITING)
    return request


async def withdraw(
    session: AsyncSession, *, meeting_id: str, item_id: str, request_id: str,
    only_person: str | None,
) -> SpeakerRequest:
    """Take a waiting request off the list; `only_person` limits members to their own."""
    _meeting, item, _settings = await _open_item(session, meeting_id=meeting_id, item_id=item_id)
    request = await _waiting_request(session, item=item, request_id=request_id)
    if only_person is not None and request.person_id != only_person:
        raise Problem(403, "only-for-yourself", m.ONLY_FOR_YOURSELF)
    request.state = "withdrawn"
    _renumber(await _requests(session, "waiting", item_id=item.id))
    await session.flush()
    return request


async def move(
    session: AsyncSession, *, meeting_id: str, item_id: str, request_id: str, position: int,
) -> None:
    """The chair moves a waiting request to a 1-based place; the others close up."""
    _meeting, item, _settings = await _open_item(session, meeting_id=meeting_id, item_id=item_id)
    request = await _waiting_request(session, item=item, request_id=request_id)
    waiting = [r for r in await _requests(session, "waiting", item_id=item.id)
               if r.id != request.id]
    if not 1 <= position <= len(waiting) + 1:
        raise Problem(422, "bad-position", m.BAD_POSITION, position=position,
                      count=len(waiting) + 1)
    waiting.insert(position - 1, request)
    _renumber(waiting)
    await session.flush()


async def _finish(session: AsyncSession, *, item: AgendaItem) -> SpeakerRequest | None:
    speaking = await _requests(session, "speaking", item_id=item.id)
    for request in speaking:
        request.state, request.ended_at = "done", now()
        started = utc(request.started_at or request.ended_at)
        request.seconds = max(0, round((request.ended_at - started).total_seconds()))
    return speaking[0] if speaking else None


async def next_speaker(session: AsyncSession, *, meeting_id: str, item_id: str) -> SpeakerRequest:
    """End the current speech (if any) and give the floor to the first one waiting."""
    meeting, item, settings = await _open_item(session, meeting_id=meeting_id, item_id=item_id)
    if meeting.status != "running":
        raise Problem(409, "meeting-not-running", m.NOT_RUNNING)
    waiting = await _requests(session, "waiting", item_id=item.id)
    if not waiting:
        raise Problem(409, "nobody-waiting", m.NOBODY_WAITING)
    await _finish(session, item=item)
    nxt = waiting.pop(0)
    nxt.state, nxt.started_at, nxt.position = "speaking", now(), 0
    nxt.limit_seconds = settings.limit_seconds
    _renumber(waiting)
    await session.flush()
    return nxt


async def end_speech(session: AsyncSession, *, meeting_id: str, item_id: str) -> SpeakerRequest:
    """End the current speech and record its length."""
    _meeting, item, _settings = await _open_item(session, meeting_id=meeting_id, item_id=item_id)
    ended = await _finish(session, item=item)
    if ended is None:
        raise Problem(409, "nobody-speaking", m.NOBODY_SPEAKING)
    await session.flush()
    return ended


async def configure(
    session: AsyncSession, *, meeting_id: str, item_id: str, closed: bool,
    limit_seconds: int | None, by: str,
) -> SpeakersList:
    """Close or reopen the list and set the speaking time limit for later speeches."""
    _meeting, _item, settings = await _open_item(session, meeting_id=meeting_id, item_id=item_id)
    if closed and settings.closed_at is None:
        settings.closed_at, settings.closed_by = now(), by
    elif not closed:
        settings.closed_at = settings.closed_by = None
    settings.limit_seconds = limit_seconds
    await session.flush()
    return settings


async def speeches(session: AsyncSession, *, meeting_id: str) -> list[Speech]:
    """Every finished speech of the meeting in agenda and time order (for the minutes)."""
    rows = (await session.execute(
        select(SpeakerRequest, Person.name, AgendaItem.number)
        .join(Person, Person.id == SpeakerRequest.person_id)
        .join(AgendaItem, AgendaItem.id == SpeakerRequest.agenda_item_id)
        .where(SpeakerRequest.meeting_id == meeting_id, SpeakerRequest.state == "done")
        .order_by(AgendaItem.position, SpeakerRequest.started_at))).all()
    return [Speech(agenda_item_id=r.agenda_item_id, number=number, person_id=r.person_id,
                   name=name, kind=r.kind, started_at=utc(r.started_at or r.requested_at),
                   ended_at=utc(r.ended_at or r.requested_at), seconds=r.seconds or 0)
            for r, name, number in rows]
