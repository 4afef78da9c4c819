"""Everything the minutes state, gathered from the meeting's records (docs/law.md, "Minutes")."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ratsraum_meeting.attendance.models import PRESENT, Attendance
from ratsraum_meeting.invitations.content import BERLIN
from ratsraum_meeting.meetings.models import AgendaItem, Body, Meeting, Membership, Person, Tenant
from ratsraum_meeting.minutes.hybrid import HybridMinutes, hybrid_minutes
from ratsraum_meeting.minutes.models import Minutes
from ratsraum_meeting.minutes.record import (
    AdmissionLine,
    Course,
    ReportLine,
    Span,
    SpeechLine,
    StepLine,
)
from ratsraum_meeting.minutes.record import course as read_course
from ratsraum_meeting.minutes.votes import OwnVote, VoteLine, votes_by_item
from ratsraum_meeting.polls.service import conflicted_person_ids
from ratsraum_meeting.questions.service import approved as approved_questions
from ratsraum_meeting.timeutil import utc

# Taking the roll at the opening takes a few minutes; only arrivals after that are "late".
LATE_AFTER = timedelta(minutes=5)
PRESENCE_LABELS = {"in_room": "im Sitzungssaal", "remote": "zugeschaltet (digital)",
                   "absent": "abwesend"}


@dataclass(frozen=True, slots=True)
class Participant:
    """A member of the body and how they took part."""

    person_id: str
    name: str
    party: str
    role: str
    presence: str
    reason: str
    spans: list[Span] = field(default_factory=list)
    arrived_late_at: datetime | None = None  # first arrival, when after the start
    left_early_at: datetime | None = None  # left for good before the end

    @property
    def presence_label(self) -> str:
        """German wording of the presence."""
        return PRESENCE_LABELS.get(self.presence, self.presence)


@dataclass(frozen=True, slots=True)
class ItemMinutes:
    """One agenda item with its decision, the clerk's text, votes, conflicts and speeches."""

    id: str
    number: str
    position: int
    title: str
    public: bool
    status: str
    decision: str
    notes: str
    votes: list[VoteLine]
    conflicted: list[str]
    speeches: list[SpeechLine] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class QuestionLine:
    """An approved citizen's question of question time and the answer given."""

    author: str
    text: str
    answer: str


@dataclass(frozen=True, slots=True)
class Signature:
    """Who signed in which role, and when."""

    role: str
    name: str
    at: datetime | None


@dataclass(frozen=True, slots=True)
class MinutesData:
    """The whole content of one meeting's minutes."""

    meeting_id: str
    town_name: str
    body_name: str
    title: str
    location: str
    status: str
    planned_start: datetime
    started_at: datetime | None
    ended_at: datetime | None
    participants: list[Participant]
    items: list[ItemMinutes]
    general: str
    disruptions: str
    signatures: list[Signature] = field(default_factory=list)
    reports: list[ReportLine] = field(default_factory=list)
    steps: list[StepLine] = field(default_factory=list)
    admissions: list[AdmissionLine] = field(default_factory=list)
    hybrid: HybridMinutes = field(default_factory=HybridMinutes)
    citizen_questions: list[QuestionLine] = field(default_factory=list)

    @property
    def starts_at(self) -> datetime:
        """The actual start if recorded, else the planned one (for the date and the event)."""
        return self.started_at or self.planned_start

    def local(self, value: datetime) -> str:
        """A time as Germans write it, in Berlin time."""
        return f"{utc(value).astimezone(BERLIN):%d.%m.%Y, %H:%M} Uhr"

    def clock(self, value: datetime | None) -> str:
        """Only the time of day in Berlin ("17:02 Uhr"); "—" when unknown."""
        return f"{utc(value).astimezone(BERLIN):%H:%M} Uhr" if value is not None else "—"

    def with_presence(self, presence: str) -> list[Participant]:
        """Participants by how they took part."""
        return [p for p in self.participants if p.presence == presence]

    def spans_of(self) -> list[Participant]:
        """Participants who were present at some time, for the annex of presence times."""
        return [p for p in self.participants if p.spans]


def _parse_time(value: object) -> datetime | None:
    return datetime.fromisoformat(value) if isinstance(value, str) and value else None


def _column_time(meeting: Meeting, name: str) -> datetime | None:
    """A meeting timestamp column if this schema has it (added by the meeting close feature)."""
    value = getattr(meeting, name, None)
    return utc(value) if isinstance(value, datetime) else None


def _participant(person: Person, role: str, *, presence: str | None, reason: str,
                 spans: list[Span], started: datetime | None,
                 ended: datetime | None) -> Participant:
    """How one member took part: presence now (or last), late arrival and early leaving."""
    current = presence if presence in PRESENT else None
    shown = current or (spans[-1].presence if spans else "absent")
    late = (spans[0].joined_at if spans and started and spans[0].joined_at > started + LATE_AFTER
            else None)
    last_left = spans[-1].left_at if spans else None
    early = (last_left if current is None and last_left is not None
             and (ended is None or last_left < ended) else None)
    return Participant(person_id=person.id, name=person.name, party=person.party, role=role,
                       presence=shown, reason=reason, spans=spans, arrived_late_at=late,
                       left_early_at=early)


async def _participants(
    session: AsyncSession, *, meeting: Meeting, reasons: dict[str, str], course: Course,
    started: datetime | None, ended: datetime | None,
) -> list[Participant]:
    rows = (await session.execute(
        select(Person, Membership.role).join(Membership, Membership.person_id == Person.id)
        .where(Membership.body_id == meeting.body_id).order_by(Person.name, Person.id)
    )).all()
    presence = {a.person_id: a.presence for a in (await session.scalars(
        select(Attendance).where(Attendance.meeting_id == meeting.id))).all()}
    return [_participant(p, role, presence=presence.get(p.id), reason=reasons.get(p.id, ""),
                         spans=course.spans.get(p.id, []), started=started, ended=ended)
            for p, role in rows]


async def _own_votes(session: AsyncSession, texts: dict[str, Any]) -> dict[str, list[OwnVote]]:
    """The members' own votes recorded at their demand, per poll, by name."""
    stored: dict[str, dict[str, dict[str, str]]] = texts.get("own_votes", {})
    ids = {pid for entries in stored.values() for pid in entries}
    names = {p.id: p.name for p in (await session.scalars(
        select(Person).where(Person.id.in_(ids)))).all()} if ids else {}
    return {poll_id: sorted((OwnVote(person_id=pid, name=names.get(pid, pid),
                                     choice=str(e.get("choice", "")),
                                     source=str(e.get("source", "declared")))
                             for pid, e in entries.items()), key=lambda v: v.name)
            for poll_id, entries in stored.items()}


async def _items(
    session: AsyncSession, *, meeting: Meeting, texts: dict[str, Any], course: Course
) -> list[ItemMinutes]:
    items = (await session.scalars(
        select(AgendaItem).where(AgendaItem.meeting_id == meeting.id)
        .order_by(AgendaItem.position))).all()
    votes = await votes_by_item(session, meeting_id=meeting.id,
                                own_votes=await _own_votes(session, texts))
    item_texts: dict[str, dict[str, str]] = texts.get("items", {})
    out = []
    for item in items:
        conflicted_ids = await conflicted_person_ids(session, item=item)
        names = sorted(p.name for p in (await session.scalars(
            select(Person).where(Person.id.in_(conflicted_ids)))).all()) if conflicted_ids else []
        own = item_texts.get(item.id, {})
        out.append(ItemMinutes(
            id=item.id, number=item.number, position=item.position, title=item.title,
            public=item.public, status=item.status, decision=own.get("decision", ""),
            notes=own.get("notes", ""), votes=votes.get(item.id, []), conflicted=names,
            speeches=course.speeches.get(item.id, []),
        ))
    return out


def _signatures(minutes: Minutes | None) -> list[Signature]:
    if minutes is None:
        return []
    return [Signature("chair", minutes.chair_signed_name or "", minutes.chair_signed_at),
            Signature("clerk", minutes.clerk_signed_name or "", minutes.clerk_signed_at)]


async def gather(
    session: AsyncSession, *, meeting: Meeting, body: Body, minutes: Minutes | None
) -> MinutesData:
    """Read everything the minutes state from the meeting's records and the clerk's text."""
    texts: dict[str, Any] = minutes.texts if minutes is not None else {}
    tenant = await session.get(Tenant, meeting.tenant_id)
    # The clerk's correction wins over the recorded timestamps, which may be missing.
    started = _parse_time(texts.get("started_at")) or _column_time(meeting, "started_at")
    ended = _parse_time(texts.get("ended_at")) or _column_time(meeting, "ended_at")
    if ended is None and meeting.status == "closed":
        # Before closing, ends_at may hold an imported planned end; after, the actual end.
        ended = _column_time(meeting, "ends_at")
    course = await read_course(session, meeting=meeting)
    return MinutesData(
        meeting_id=meeting.id, town_name=tenant.name if tenant else meeting.tenant_id,
        body_name=body.name, title=meeting.title, location=meeting.location,
        status=meeting.status, planned_start=utc(meeting.starts_at), started_at=started,
        ended_at=ended,
        participants=await _participants(session, meeting=meeting,
                                         reasons=texts.get("absences", {}), course=course,
                                         started=started, ended=ended),
        items=await _items(session, meeting=meeting, texts=texts, course=course),
        general=str(texts.get("general", "")), disruptions=str(texts.get("disruptions", "")),
        signatures=_signatures(minutes), reports=course.reports, steps=course.steps,
        admissions=course.admissions,
        hybrid=await hybrid_minutes(session, meeting=meeting, body=body),
        citizen_questions=[
            QuestionLine(author=q.author, text=q.text, answer=q.answer or "")
            for q in await approved_questions(session, meeting_id=meeting.id)],
    )
