"""Attendance: one member's presence, many at once (one transaction, one public snapshot),
the list, and the live quorum it gives."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from ratsraum_common.i18n import Msg
from ratsraum_common.problems import Problem
from ratsraum_meeting.api.deps import DB, Reader, Runner, Voting
from ratsraum_meeting.attendance import service as attendance
from ratsraum_meeting.attendance.schemas import (
    AttendanceOut,
    AttendanceRowOut,
    Presence,
    PresenceIn,
    QuorumOut,
)
from ratsraum_meeting.changes import public_view_changed
from ratsraum_meeting.conflicts.service import item_of
from ratsraum_meeting.meetings import service as meetings
from ratsraum_meeting.polls import late
from ratsraum_meeting.profiles.live import live_quorum
from ratsraum_meeting.profiles.service import check_presence
from ratsraum_meeting.publish.push import push_presence
from ratsraum_meeting.timeutil import utc

router = APIRouter(prefix="/api/v1/meetings", tags=["meetings"])

_NOT_THIS_MEMBER = Msg(
    "Diese Person ist kein Mitglied des Gremiums dieser Sitzung; ihre Anwesenheit kann "
    "nicht erfasst werden.",
    "This person is not a member of this meeting's body; their attendance cannot be recorded.",
)
_NOT_A_MEMBER = Msg(
    "{person_id} ist kein Mitglied des Gremiums dieser Sitzung; es wurde nichts erfasst.",
    "{person_id} is not a member of this meeting's body; nothing was recorded.",
)
_MEETING_CLOSED = Msg(
    "Die Sitzung ist geschlossen; die Anwesenheit kann nicht mehr geändert werden.",
    "The meeting is closed; attendance can no longer be changed.",
)


class PresenceEntry(BaseModel):
    """One member's presence in a bulk recording."""

    model_config = ConfigDict(extra="forbid")

    person_id: str = Field(min_length=1, max_length=64)
    presence: Presence


class BulkOut(BaseModel):
    """What the bulk recording changed."""

    recorded: int
    changed: int
    present: int


@router.put("/{meeting_id}/attendance/{person_id}")
async def record_attendance(
    meeting_id: str, person_id: str, presence: PresenceIn, principal: Runner, db: DB,
    voting: Voting,
) -> AttendanceOut:
    """Record a member's presence (in the room, remote, absent); every change is logged."""
    async with db.transaction(principal.tenant) as session:
        meeting, _body = await meetings.get_meeting(session, meeting_id=meeting_id)
        if meeting.status == "closed":
            raise Problem(409, "meeting-closed", _MEETING_CLOSED)
        # The rule profile decides whether (and who) may take part remotely.
        await check_presence(session, meeting=meeting, body=_body, person_id=person_id,
                             presence=presence.presence)
        try:
            record, changed = await attendance.set_presence(
                session, meeting=meeting, person_id=person_id, presence=presence.presence,
                recorded_by=principal.subject,
            )
        except attendance.NotAMember:
            raise Problem(404, "not-a-member", _NOT_THIS_MEMBER) from None
        if changed:  # the public snapshot names who is present, and how
            public_view_changed(session, meeting_id=meeting.id)
    await push_presence(db, tenant=principal.tenant, meeting_id=meeting_id)
    if changed and presence.presence != "absent":
        await late.on_arrival(db=db, voting=voting, tenant=principal.tenant,
                              meeting_id=meeting_id, person_id=person_id,
                              how="von der Schriftführung erfasst", by=principal.subject)
    return AttendanceOut(
        meeting_id=record.meeting_id, person_id=record.person_id,
        presence=record.presence,
        since=utc(record.since), recorded_by=record.recorded_by,
    )


@router.get("/{meeting_id}/attendance")
async def list_attendance(meeting_id: str, principal: Reader, db: DB) -> list[AttendanceRowOut]:
    """Every member of the body with their presence."""
    async with db.tenant_session(principal.tenant) as session:
        meeting, _body = await meetings.get_meeting(session, meeting_id=meeting_id)
        rows = await attendance.list_attendance(session, meeting=meeting)
    return [
        AttendanceRowOut(person_id=r.person_id, name=r.name,
                         presence=r.presence,
                         since=utc(r.since) if r.since else None)
        for r in rows
    ]


@router.get("/{meeting_id}/quorum")
async def get_quorum(
    meeting_id: str, principal: Reader, db: DB, agenda_item_id: str | None = None
) -> QuorumOut:
    """The live quorum under the body's rule profile; for an item, without its conflicted."""
    async with db.tenant_session(principal.tenant) as session:
        meeting, body = await meetings.get_meeting(session, meeting_id=meeting_id)
        item = None
        if agenda_item_id is not None:
            _m, _b, item = await item_of(session, meeting_id=meeting_id, item_id=agenda_item_id)
        result = await live_quorum(session, meeting=meeting, body=body, item=item)
    return QuorumOut(
        quorate=result.quorate, present=result.present, required=result.required,
        statutory_members=result.statutory_members, rule=result.rule,
        explanation=result.explanation,
    )


@router.put("/{meeting_id}/attendance")
async def record_many(
    meeting_id: str, entries: list[PresenceEntry], principal: Runner, db: DB, voting: Voting
) -> BulkOut:
    """Record many members' presence in one go (all or nothing); every change is logged."""
    if len(entries) > 5000:
        raise Problem(422, "too-many-entries", Msg(
            "Höchstens 5000 Einträge auf einmal.", "At most 5000 entries at once."))
    async with db.transaction(principal.tenant) as session:
        meeting, body = await meetings.get_meeting(session, meeting_id=meeting_id)
        if meeting.status == "closed":
            raise Problem(409, "meeting-closed", _MEETING_CLOSED)
        changed = 0
        arrived: list[str] = []
        for entry in entries:
            await check_presence(session, meeting=meeting, body=body,
                                 person_id=entry.person_id, presence=entry.presence)
            try:
                _record, moved = await attendance.set_presence(
                    session, meeting=meeting, person_id=entry.person_id,
                    presence=entry.presence, recorded_by=principal.subject)
            except attendance.NotAMember:
                raise Problem(404, "not-a-member", _NOT_A_MEMBER,
                              person_id=entry.person_id) from None
            changed += moved
            if moved and entry.presence != "absent":
                arrived.append(entry.person_id)
        present = await attendance.count_present(session, meeting=meeting)
        if changed:  # the public snapshot names who is present: one snapshot for all
            public_view_changed(session, meeting_id=meeting.id)
    if changed:
        await push_presence(db, tenant=principal.tenant, meeting_id=meeting_id)
    await late.on_arrivals(db=db, voting=voting, tenant=principal.tenant, meeting_id=meeting_id,
                           person_ids=arrived, how="von der Schriftführung erfasst",
                           by=principal.subject)
    return BulkOut(recorded=len(entries), changed=changed, present=present)
