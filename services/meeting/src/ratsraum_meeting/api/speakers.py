"""Speakers list per agenda item: members ask for the floor, chair and clerk run the list."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Response, status

from ratsraum_common.auth import Principal
from ratsraum_common.db import Database
from ratsraum_common.problems import Problem
from ratsraum_meeting import live
from ratsraum_meeting.api.deps import DB, PARTICIPANTS, Reader, Runner, require_roles
from ratsraum_meeting.speakers import messages as m
from ratsraum_meeting.speakers import service
from ratsraum_meeting.speakers.schemas import (
    FloorRequestIn,
    MoveIn,
    SettingsIn,
    SpeakerOut,
    SpeakersOut,
)
from ratsraum_meeting.timeutil import now, utc

router = APIRouter(prefix="/api/v1/meetings/{meeting_id}/agenda-items/{item_id}/speakers",
                   tags=["speakers"])
Speaker = Annotated[Principal, Depends(require_roles(*PARTICIPANTS))]
_RUNNERS = ("clerk", "chair", "vice_chair")


def _speaker_out(e: service.Entry) -> SpeakerOut:
    r = e.request
    remaining = None
    if r.state == "speaking" and r.limit_seconds is not None and r.started_at is not None:
        remaining = r.limit_seconds - round((now() - utc(r.started_at)).total_seconds())
    return SpeakerOut(
        id=r.id, person_id=r.person_id, name=e.name, kind=r.kind,
        state=r.state, position=r.position, requested_at=utc(r.requested_at),
        started_at=utc(r.started_at) if r.started_at else None,
        ended_at=utc(r.ended_at) if r.ended_at else None, seconds=r.seconds,
        limit_seconds=r.limit_seconds, remaining_seconds=remaining)


async def _list(db: Database, tenant: str, meeting_id: str, item_id: str) -> SpeakersOut:
    async with db.tenant_session(tenant) as session:
        v = await service.view(session, meeting_id=meeting_id, item_id=item_id)
    return SpeakersOut(
        agenda_item_id=v.item.id, closed=v.settings.closed_at is not None,
        limit_seconds=v.settings.limit_seconds,
        speaking=_speaker_out(v.speaking) if v.speaking else None,
        waiting=[_speaker_out(e) for e in v.waiting], done=[_speaker_out(e) for e in v.done])


async def _changed(db: Database, tenant: str, meeting_id: str, item_id: str,
                   change: str) -> SpeakersOut:
    """Tell live screens (after commit) and answer with the new list."""
    live.notify(tenant=tenant, meeting_id=meeting_id, kind="speakers",
                data={"agenda_item_id": item_id, "change": change})
    return await _list(db, tenant, meeting_id, item_id)


@router.get("")
async def get_speakers(meeting_id: str, item_id: str, principal: Reader, db: DB) -> SpeakersOut:
    """The item's list: the current speaker with remaining time, those waiting, those done."""
    return await _list(db, principal.tenant, meeting_id, item_id)


@router.post("", status_code=status.HTTP_201_CREATED)
async def request_floor(
    meeting_id: str, item_id: str, floor: FloorRequestIn, principal: Speaker, db: DB
) -> SpeakersOut:
    """Ask for the floor (from phone or PC); members for themselves, clerk and chair for anyone."""
    person_id = floor.person_id or principal.subject
    if person_id != principal.subject and not principal.has_any(*_RUNNERS):
        raise Problem(403, "only-for-yourself", m.ONLY_FOR_YOURSELF)
    async with db.transaction(principal.tenant) as session:
        await service.request_floor(session, meeting_id=meeting_id, item_id=item_id,
                                    person_id=person_id, kind=floor.kind, by=principal.subject)
    return await _changed(db, principal.tenant, meeting_id, item_id, "requested")


@router.delete("/{request_id}", status_code=status.HTTP_204_NO_CONTENT)
async def withdraw(
    meeting_id: str, item_id: str, request_id: str, principal: Speaker, db: DB
) -> Response:
    """Withdraw a waiting request: members their own, clerk and chair any."""
    only = None if principal.has_any(*_RUNNERS) else principal.subject
    async with db.transaction(principal.tenant) as session:
        await service.withdraw(session, meeting_id=meeting_id, item_id=item_id,
                               request_id=request_id, only_person=only)
    await _changed(db, principal.tenant, meeting_id, item_id, "withdrawn")
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/{request_id}/move")
async def move(
    meeting_id: str, item_id: str, request_id: str, to: MoveIn, principal: Runner, db: DB
) -> SpeakersOut:
    """Move a waiting request to another place on the list."""
    async with db.transaction(principal.tenant) as session:
        await service.move(session, meeting_id=meeting_id, item_id=item_id,
                           request_id=request_id, position=to.position)
    return await _changed(db, principal.tenant, meeting_id, item_id, "moved")


@router.post("/next")
async def next_speaker(meeting_id: str, item_id: str, principal: Runner, db: DB) -> SpeakersOut:
    """End the current speech and give the floor to the next one waiting."""
    async with db.transaction(principal.tenant) as session:
        await service.next_speaker(session, meeting_id=meeting_id, item_id=item_id)
    return await _changed(db, principal.tenant, meeting_id, item_id, "next")


@router.post("/end")
async def end_speech(meeting_id: str, item_id: str, principal: Runner, db: DB) -> SpeakersOut:
    """End the current speech; its length is recorded for the minutes."""
    async with db.transaction(principal.tenant) as session:
        await service.end_speech(session, meeting_id=meeting_id, item_id=item_id)
    return await _changed(db, principal.tenant, meeting_id, item_id, "ended")


@router.put("/settings")
async def configure(
    meeting_id: str, item_id: str, settings: SettingsIn, principal: Runner, db: DB
) -> SpeakersOut:
    """Close or reopen the list and set the speaking time limit."""
    async with db.transaction(principal.tenant) as session:
        await service.configure(session, meeting_id=meeting_id, item_id=item_id,
                                closed=settings.closed, limit_seconds=settings.limit_seconds,
                                by=principal.subject)
    return await _changed(db, principal.tenant, meeting_id, item_id, "settings")
