"""Attendance: recording presence, listing it, counting who is present."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ratsraum_meeting.attendance.models import (
    PRESENT,
    Attendance,
    AttendanceLog,
    AttendanceSpan,
)
from ratsraum_meeting.meetings.models import Meeting, Membership, Person
from ratsraum_meeting.timeutil import now


class NotAMember(LookupError):
    """The person holds no seat in the meeting's body."""


@dataclass(frozen=True, slots=True)
class AttendanceRow:
    """One member's presence as listed for the meeting."""

    person_id: str
    name: str
    presence: str
    since: datetime | None


def _present(meeting: Meeting, *columns: Any) -> Select[Any]:
    return (
        select(*columns)
        .select_from(Attendance)
        .join(Membership, (Membership.person_id == Attendance.person_id)
              & (Membership.body_id == meeting.body_id))
        .where(Attendance.meeting_id == meeting.id, Attendance.presence.in_(PRESENT))
    )


async def present_person_ids(session: AsyncSession, *, meeting: Meeting) -> list[str]:
    """Members of the meeting's body present now (in the room or remotely)."""
    rows = await session.scalars(
        _present(meeting, Attendance.person_id).order_by(Attendance.person_id))
    return list(rows.all())


async def count_present(session: AsyncSession, *, meeting: Meeting) -> int:
    """How many members of the body are present now.

    Counted by the database: the public snapshot and every attendance change ask for it, and
    loading each present member's id made their cost grow with the size of the council.
    """
    return int(await session.scalar(_present(meeting, func.count())) or 0)


async def present_names(session: AsyncSession, *, meeting: Meeting) -> list[tuple[str, str]]:
    """(name, presence) of each member present now, by name: what the public may see."""
    rows = await session.execute(
        _present(meeting, Person.name, Attendance.presence)
        .join(Person, (Person.id == Attendance.person_id)
              & (Person.tenant_id == Attendance.tenant_id))
        .order_by(Person.name, Attendance.person_id))
    return [(str(name), str(presence)) for name, presence in rows.all()]


async def list_attendance(session: AsyncSession, *, meeting: Meeting) -> list[AttendanceRow]:
    """Every member of the body with their presence (absent when nothing was recorded)."""
    rows = await session.execute(
        select(Person.id, Person.name, Attendance.presence, Attendance.since)
        .join(Membership, Membership.person_id == Person.id)
        .outerjoin(Attendance, (Attendance.person_id == Person.id)
                   & (Attendance.meeting_id == meeting.id))
        .where(Membership.body_id == meeting.body_id)
        .order_by(Person.name)
    )
    return [
        AttendanceRow(person_id=pid, name=name, presence=presence or "absent", since=since)
        for pid, name, presence, since in rows.all()
    ]


async def set_presence(
    session: AsyncSession, *, meeting: Meeting, person_id: str, presence: str, recorded_by: str
) -> tuple[Attendance, bool]:
    """Record a member's presence and log it; returns (record, whether it changed)."""
    seat = await session.scalar(
        select(func.count()).select_from(Membership).where(
            Membership.body_id == meeting.body_id, Membership.person_id == person_id
        )
    )
    if not seat:
        raise NotAMember(person_id)
    record = await session.scalar(
        select(Attendance).where(
            Attendance.meeting_id == meeting.id, Attendance.person_id == person_id
        )
    )
    at = now()
    previous = record.presence if record is not None else None
    if record is None:
        record = Attendance(meeting_id=meeting.id, person_id=person_id, presence=presence,
                            since=at, recorded_by=recorded_by)
        session.add(record)
    elif record.presence != presence:
        record.presence, record.since, record.recorded_by = presence, at, recorded_by
    if previous != presence:
        await _track_span(session, meeting_id=meeting.id, person_id=person_id,
                          presence=presence, at=at)
    # Every recording is logged, also a confirmation of the same presence.
    session.add(AttendanceLog(meeting_id=meeting.id, person_id=person_id, presence=presence,
                              previous=previous, at=at, recorded_by=recorded_by))
    await session.flush()
    return record, previous != presence


async def _track_span(
    session: AsyncSession, *, meeting_id: str, person_id: str, presence: str, at: datetime
) -> None:
    """Close the open stretch of presence and open one for the new presence (join/leave)."""
    open_span = await session.scalar(
        select(AttendanceSpan).where(
            AttendanceSpan.meeting_id == meeting_id, AttendanceSpan.person_id == person_id,
            AttendanceSpan.left_at.is_(None),
        )
    )
    if open_span is not None:
        open_span.left_at = at
    if presence in PRESENT:
        session.add(AttendanceSpan(meeting_id=meeting_id, person_id=person_id,
                                   presence=presence, joined_at=at))


async def spans(session: AsyncSession, *, meeting: Meeting) -> list[AttendanceSpan]:
    """Every stretch of presence at the meeting, in order of joining."""
    return list((await session.scalars(
        select(AttendanceSpan).where(AttendanceSpan.meeting_id == meeting.id)
        .order_by(AttendanceSpan.joined_at, AttendanceSpan.id)
    )).all())
