"""Meetings, their opening, attendance and quorum."""

from __future__ import annotations

from fastapi import APIRouter

from ratsraum_common.i18n import Msg
from ratsraum_common.problems import Problem
from ratsraum_meeting import live
from ratsraum_meeting.api.deps import DB, Reader, Runner, Voting
from ratsraum_meeting.attendance import service as attendance
from ratsraum_meeting.attendance.push import push_presence
from ratsraum_meeting.attendance.schemas import (
    AttendanceOut,
    AttendanceRowOut,
    PresenceIn,
    QuorumOut,
)
from ratsraum_meeting.conflicts.service import item_of
from ratsraum_meeting.events import publish_public_update
from ratsraum_meeting.meetings import service
from ratsraum_meeting.meetings.models import Body, Meeting
from ratsraum_meeting.meetings.schemas import (
    AgendaItemOut,
    MeetingDetailOut,
    MeetingOut,
)
from ratsraum_meeting.polls import late
from ratsraum_meeting.profiles.live import live_quorum
from ratsraum_meeting.profiles.service import check_presence
from ratsraum_meeting.timeutil import utc

router = APIRouter(prefix="/api/v1/meetings", tags=["meetings"])

_NOT_A_MEMBER = Msg(
    "Diese Person ist kein Mitglied des Gremiums dieser Sitzung; ihre Anwesenheit kann "
    "nicht erfasst werden.",
    "This person is not a member of this meeting's body; their attendance cannot be recorded.",
)
_MEETING_CLOSED = Msg(
    "Die Sitzung ist geschlossen; die Anwesenheit kann nicht mehr geändert werden.",
    "The meeting is closed; attendance can no longer be changed.",
)


def _meeting_out(meeting: Meeting, body: Body) -> MeetingOut:
    return MeetingOut.of(meeting, body)


@router.get("")
async def list_meetings(principal: Reader, db: DB) -> list[MeetingOut]:
    """The town's meetings by start time."""
    async with db.tenant_session(principal.tenant) as session:
        rows = await service.list_meetings(session)
    return [_meeting_out(m, b) for m, b in rows]


@router.get("/{meeting_id}")
async def get_meeting(meeting_id: str, principal: Reader, db: DB) -> MeetingDetailOut:
    """A meeting with its whole agenda."""
    async with db.tenant_session(principal.tenant) as session:
        meeting, body = await service.get_meeting(session, meeting_id=meeting_id)
        entries = await service.agenda(session, meeting=meeting)
    return MeetingDetailOut(
        **_meeting_out(meeting, body).model_dump(),
        version=meeting.version, statutory_members=body.statutory_members,
        rule_profile=body.rule_profile,
        agenda=[
            AgendaItemOut(
                id=e.item.id, number=e.item.number, position=e.item.position,
                title=e.item.title, public=e.item.public, votable=e.item.votable,
                status=e.item.status,
                result=e.poll.result if e.poll else None,
                poll_id=e.poll.id if e.poll else None,
            )
            for e in entries
        ],
    )


@router.post("/{meeting_id}/open")
async def open_meeting(meeting_id: str, principal: Runner, db: DB) -> MeetingOut:
    """Open the meeting (idempotent)."""
    async with db.transaction(principal.tenant) as session:
        meeting, body = await service.open_meeting(session, meeting_id=meeting_id)
    # Open screens (join page, clerk console, hall display) follow without a reload.
    live.notify(tenant=principal.tenant, meeting_id=meeting_id, kind="meeting",
                data={"status": meeting.status})
    return _meeting_out(meeting, body)


@router.put("/{meeting_id}/attendance/{person_id}")
async def record_attendance(
    meeting_id: str, person_id: str, presence: PresenceIn, principal: Runner, db: DB,
    voting: Voting,
) -> AttendanceOut:
    """Record a member's presence (in the room, remote, absent); every change is logged."""
    async with db.transaction(principal.tenant) as session:
        meeting, _body = await service.get_meeting(session, meeting_id=meeting_id)
        if meeting.status == "closed":
            raise Problem(409, "meeting-closed", _MEETING_CLOSED)
        # The rule profile decides whether (and who) may take part remotely.
        await check_presence(session, meeting=meeting, body=_body, person_id=person_id,
                             presence=presence.presence)
        before = await attendance.count_present(session, meeting=meeting)
        try:
            record, changed = await attendance.set_presence(
                session, meeting=meeting, person_id=person_id, presence=presence.presence,
                recorded_by=principal.subject,
            )
        except attendance.NotAMember:
            raise Problem(404, "not-a-member", _NOT_A_MEMBER) from None
        if await attendance.count_present(session, meeting=meeting) != before:
            await publish_public_update(session, meeting=meeting)
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
        meeting, _body = await service.get_meeting(session, meeting_id=meeting_id)
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
        meeting, body = await service.get_meeting(session, meeting_id=meeting_id)
        item = None
        if agenda_item_id is not None:
            _m, _b, item = await item_of(session, meeting_id=meeting_id, item_id=agenda_item_id)
        result = await live_quorum(session, meeting=meeting, body=body, item=item)
    return QuorumOut(
        quorate=result.quorate, present=result.present, required=result.required,
        statutory_members=result.statutory_members, rule=result.rule,
        explanation=result.explanation,
    )
