"""Device checks: a member reports their own outcome; the clerk reads everyone's."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ratsraum_common.i18n import Msg
from ratsraum_common.problems import Problem
from ratsraum_meeting.device_checks.models import DeviceCheck
from ratsraum_meeting.meetings.models import Meeting, Membership, Person
from ratsraum_meeting.meetings.service import get_meeting
from ratsraum_meeting.profiles.service import body_profile
from ratsraum_meeting.timeutil import now

MOTION = ("yes", "no", "abstain")
NOT_A_MEMBER = Msg(
    "Sie sind kein Mitglied des Gremiums dieser Sitzung.",
    "You are not a member of this meeting's body.",
)
_ONLY_OWN = Msg(
    "Den Gerätetest kann jedes Mitglied nur für sich selbst melden.",
    "Each member can report only their own device check.",
)
_NO_SUCH_CHOICE = Msg(
    "Diese Auswahl gibt es in der Probeabstimmung nicht: {choice}.",
    "The practice vote has no such option: {choice}.",
)
_CLOSED = Msg(
    "Die Sitzung ist geschlossen; ein Gerätetest ist nicht mehr nötig.",
    "The meeting is closed; a device check is no longer needed.",
)


@dataclass(frozen=True, slots=True)
class MemberCheck:
    """One member of the body and their latest check (None: not yet checked)."""

    person_id: str
    name: str
    check: DeviceCheck | None


def require_self(*, caller: str, person_id: str) -> None:
    """A member reports for themselves only (403 otherwise)."""
    if caller != person_id:
        raise Problem(403, "not-your-device-check", _ONLY_OWN)


async def _seated(session: AsyncSession, *, meeting_id: str, person_id: str) -> Meeting:
    meeting, _body = await get_meeting(session, meeting_id=meeting_id)
    if meeting.status == "closed":
        raise Problem(409, "meeting-closed", _CLOSED)
    seat = await session.scalar(select(Membership.id).where(
        Membership.body_id == meeting.body_id, Membership.person_id == person_id).limit(1))
    if seat is None:
        raise Problem(403, "not-a-member", NOT_A_MEMBER)
    return meeting


async def _row(session: AsyncSession, meeting: Meeting, person_id: str) -> DeviceCheck:
    row = await session.scalar(select(DeviceCheck).where(
        DeviceCheck.meeting_id == meeting.id, DeviceCheck.person_id == person_id))
    if row is None:
        row = DeviceCheck(tenant_id=meeting.tenant_id, meeting_id=meeting.id,
                          person_id=person_id, camera="not_checked", microphone="not_checked")
        session.add(row)
    return row


async def report(
    session: AsyncSession, *, meeting_id: str, person_id: str, camera: str, microphone: str,
    connection_ms: int | None,
) -> DeviceCheck:
    """Keep the outcome of the member's camera, microphone and connection check."""
    meeting = await _seated(session, meeting_id=meeting_id, person_id=person_id)
    row = await _row(session, meeting, person_id)
    row.camera, row.microphone, row.connection_ms = camera, microphone, connection_ms
    row.checked_at = now()
    await session.flush()
    return row


async def practice_options(session: AsyncSession, *, meeting_id: str) -> tuple[str, ...]:
    """The options of the practice vote: a motion's, abstain only where the profile has it."""
    _meeting, body = await get_meeting(session, meeting_id=meeting_id)
    found = await body_profile(session, body=body)
    return MOTION if found.profile.abstention_allowed else MOTION[:2]


async def practice_vote(
    session: AsyncSession, *, meeting_id: str, person_id: str, choice: str, key: str
) -> tuple[DeviceCheck, bool]:
    """Note that the member's practice cast arrived; returns the row and whether a replay.

    The choice is checked as a real cast's would be and then dropped: a practice vote is no
    decision and leaves nothing but the time it went through.
    """
    meeting = await _seated(session, meeting_id=meeting_id, person_id=person_id)
    if choice not in await practice_options(session, meeting_id=meeting_id):
        raise Problem(422, "invalid-choice", _NO_SUCH_CHOICE, choice=choice)
    row = await _row(session, meeting, person_id)
    if row.practice_key == key and row.practice_voted_at is not None:
        return row, True
    row.practice_key, row.practice_voted_at = key, now()
    await session.flush()
    return row, False


async def overview(session: AsyncSession, *, meeting_id: str) -> list[MemberCheck]:
    """Every member of the body with their latest check, by name."""
    meeting, _body = await get_meeting(session, meeting_id=meeting_id)
    rows = await session.execute(
        select(Person.id, Person.name, DeviceCheck)
        .join(Membership, Membership.person_id == Person.id)
        .outerjoin(DeviceCheck, (DeviceCheck.person_id == Person.id)
                   & (DeviceCheck.meeting_id == meeting.id))
        .where(Membership.body_id == meeting.body_id)
        .order_by(Person.name))
    return [MemberCheck(person_id=pid, name=name, check=check) for pid, name, check in rows.all()]
