"""The lobby: remote members wait, a clerk admits (logged), presence follows events."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ratsraum_common.i18n import Msg
from ratsraum_common.logging import get_logger
from ratsraum_common.problems import Problem
from ratsraum_meeting.attendance import service as attendance
from ratsraum_meeting.attendance.models import Attendance, AttendanceSpan
from ratsraum_meeting.changes import public_view_changed
from ratsraum_meeting.lobby.models import Admission, LobbyEntry
from ratsraum_meeting.meetings.models import Body, Meeting, Membership, Person
from ratsraum_meeting.meetings.service import get_person
from ratsraum_meeting.profiles.service import check_presence
from ratsraum_meeting.timeutil import now, utc
from ratsraum_meeting.video.base import PresenceEvent

log = get_logger(__name__)

NOT_A_MEMBER = Msg(
    "Sie sind kein Mitglied des Gremiums dieser Sitzung.",
    "You are not a member of this meeting's body.",
)
MEETING_CLOSED = Msg(
    "Die Sitzung ist geschlossen; eine Teilnahme ist nicht mehr möglich.",
    "The meeting is closed; joining is no longer possible.",
)
_NOT_WAITING = Msg(
    "Diese Person wartet nicht im Warteraum und kann daher nicht zugelassen werden.",
    "This person is not waiting in the lobby and so cannot be admitted.",
)
_NOT_ADMITTED = Msg(
    "Sie sind noch nicht zugelassen; die Sitzungsleitung lässt Sie aus dem Warteraum ein.",
    "You have not been admitted yet; the clerk admits you from the lobby.",
)


@dataclass(frozen=True, slots=True)
class Named:
    """A lobby entry or admission with the member's name."""

    person_id: str
    name: str
    at: datetime
    by: str = ""


async def require_seat(session: AsyncSession, *, meeting: Meeting, person_id: str) -> Person:
    """The person if they hold a seat in the meeting's body; a 403 problem otherwise."""
    seat = await session.scalar(select(func.count()).select_from(Membership).where(
        Membership.body_id == meeting.body_id, Membership.person_id == person_id))
    person = await get_person(session, person_id=person_id)
    if not seat or person is None:
        raise Problem(403, "not-a-member", NOT_A_MEMBER)
    return person


def require_open(meeting: Meeting) -> None:
    """Refuse with 409 when the meeting is closed."""
    if meeting.status == "closed":
        raise Problem(409, "meeting-closed", MEETING_CLOSED)


async def _entry(session: AsyncSession, meeting_id: str, person_id: str) -> LobbyEntry | None:
    return await session.scalar(select(LobbyEntry).where(
        LobbyEntry.meeting_id == meeting_id, LobbyEntry.person_id == person_id))


async def request_join(
    session: AsyncSession, *, meeting: Meeting, person_id: str, at: datetime | None = None
) -> LobbyEntry:
    """Put the member into the lobby (an admitted member stays admitted)."""
    entry = await _entry(session, meeting.id, person_id)
    when = at or now()
    if entry is None:
        entry = LobbyEntry(meeting_id=meeting.id, person_id=person_id, state="waiting",
                           requested_at=when)
        session.add(entry)
    elif entry.state == "left":
        entry.state, entry.requested_at = "waiting", when
    await session.flush()
    return entry


async def record_presence(
    session: AsyncSession, *, meeting: Meeting, person_id: str, presence: str, by: str
) -> None:
    """Record presence and stage the public snapshot when it changed (it names who is present)."""
    _record, changed = await attendance.set_presence(
        session, meeting=meeting, person_id=person_id, presence=presence, recorded_by=by)
    if changed:
        public_view_changed(session, meeting_id=meeting.id)


async def _presence(session: AsyncSession, meeting: Meeting, person_id: str) -> str:
    record = await session.scalar(select(Attendance.presence).where(
        Attendance.meeting_id == meeting.id, Attendance.person_id == person_id))
    return record or "absent"


async def admit(
    session: AsyncSession, *, meeting: Meeting, person_id: str, admitted_by: str
) -> LobbyEntry:
    """Admit a waiting member: log who, when, by whom; they count as present remotely."""
    require_open(meeting)
    entry = await _entry(session, meeting.id, person_id)
    if entry is None or entry.state != "waiting":
        raise Problem(409, "not-waiting", _NOT_WAITING)
    body = await session.get(Body, meeting.body_id)
    if body is not None:  # the profile: hybrid allowed, remote cap, chair in the room
        await check_presence(session, meeting=meeting, body=body, person_id=person_id,
                             presence="remote")
    at = now()
    entry.state = "admitted"
    session.add(Admission(meeting_id=meeting.id, person_id=person_id, admitted_by=admitted_by,
                          at=at))
    await record_presence(session, meeting=meeting, person_id=person_id,
                          presence="remote", by=admitted_by)
    return entry


async def heartbeat(
    session: AsyncSession, *, meeting: Meeting, person_id: str, at: datetime | None = None
) -> LobbyEntry:
    """Note the member's app is alive (their presence stays as recorded).

    A heartbeat only says the app is open: a member the clerk recorded in the room (or absent)
    after admitting them may well keep it open there, so it must not make them remote again.
    """
    require_open(meeting)
    entry = await _entry(session, meeting.id, person_id)
    if entry is None or entry.state == "left":
        raise Problem(409, "not-admitted", _NOT_ADMITTED)
    entry.last_heartbeat_at = at or now()
    await session.flush()
    return entry


async def leave(
    session: AsyncSession, *, meeting: Meeting, person_id: str, by: str,
    at: datetime | None = None,
) -> None:
    """The member is gone: out of the lobby and, if remote, absent from now on.

    `at` is when the provider saw them go; the stretch of presence then ends there (not when
    the news reached us), but never before it began.
    """
    entry = await _entry(session, meeting.id, person_id)
    if entry is not None:
        entry.state = "left"
    if await _presence(session, meeting, person_id) == "remote":
        await record_presence(session, meeting=meeting, person_id=person_id,
                          presence="absent", by=by)
        if at is not None:
            await _end_span_at(session, meeting=meeting, person_id=person_id, at=utc(at))


async def _end_span_at(session: AsyncSession, *, meeting: Meeting, person_id: str,
                       at: datetime) -> None:
    span = await session.scalar(
        select(AttendanceSpan).where(AttendanceSpan.meeting_id == meeting.id,
                                     AttendanceSpan.person_id == person_id,
                                     AttendanceSpan.left_at.is_not(None))
        .order_by(AttendanceSpan.left_at.desc(), AttendanceSpan.id.desc()).limit(1))
    if span is not None and span.left_at is not None and at < utc(span.left_at):
        span.left_at = max(utc(span.joined_at), at)
        await session.flush()


def already_known(entry: LobbyEntry | None, at: datetime) -> bool:
    """Whether a provider event at `at` is no newer than what the entry already reflects."""
    if entry is None:
        return False
    known = [utc(entry.requested_at)]
    if entry.provider_seen_at is not None:
        known.append(utc(entry.provider_seen_at))
    return utc(at) <= max(known)


async def entry_of(session: AsyncSession, *, meeting: Meeting, person_id: str
                   ) -> LobbyEntry | None:
    """The member's lobby entry for the meeting, if any."""
    return await _entry(session, meeting.id, person_id)


@dataclass(frozen=True, slots=True)
class Observed:
    """Who waits and who is present: compared before and after a change to push only news."""

    waiting: tuple[str, ...]
    present: tuple[str, ...]


async def observe(session: AsyncSession, *, meeting: Meeting) -> Observed:
    """The lobby and the present members as this session sees them."""
    return Observed(
        waiting=tuple(w.person_id for w in await waiting(session, meeting=meeting)),
        present=tuple(await attendance.present_person_ids(session, meeting=meeting)))


def _seen(entry: LobbyEntry | None, at: datetime) -> None:
    if entry is not None and (entry.provider_seen_at is None
                              or utc(entry.provider_seen_at) < at):
        entry.provider_seen_at = at


async def apply_event(
    session: AsyncSession, *, meeting: Meeting, person_id: str, event: PresenceEvent, by: str
) -> None:
    """A provider's presence event: waiting and joining need our admission to count.

    Admission records the member as remote; a later "joined" from the provider changes nothing
    of what a person recorded since (a member in the room may keep the call open there).
    """
    at = utc(event.at)
    if event.kind == "left":
        await leave(session, meeting=meeting, person_id=person_id, by=by, at=at)
        _seen(await _entry(session, meeting.id, person_id), at)
        return
    entry = await request_join(session, meeting=meeting, person_id=person_id, at=at)
    _seen(entry, at)
    if event.provider_participant_id:
        entry.provider_participant_id = event.provider_participant_id


async def waiting(session: AsyncSession, *, meeting: Meeting) -> list[Named]:
    """Who waits in the lobby, first come first."""
    rows = await session.execute(
        select(LobbyEntry.person_id, Person.name, LobbyEntry.requested_at)
        .join(Person, Person.id == LobbyEntry.person_id)
        .where(LobbyEntry.meeting_id == meeting.id, LobbyEntry.state == "waiting")
        .order_by(LobbyEntry.requested_at, LobbyEntry.id))
    return [Named(pid, name, utc(at)) for pid, name, at in rows.all()]


async def admissions(session: AsyncSession, *, meeting: Meeting) -> list[Named]:
    """The admission log of the meeting, oldest first."""
    rows = await session.execute(
        select(Admission.person_id, Person.name, Admission.at, Admission.admitted_by)
        .join(Person, Person.id == Admission.person_id)
        .where(Admission.meeting_id == meeting.id).order_by(Admission.at, Admission.id))
    return [Named(pid, name, utc(at), by) for pid, name, at, by in rows.all()]
