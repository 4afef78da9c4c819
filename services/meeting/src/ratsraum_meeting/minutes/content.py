"""Everything the minutes state, gathered from the meeting's records (DOMAIN.md, Niederschrift)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ratsraum_meeting.attendance.models import Attendance
from ratsraum_meeting.invitations.content import BERLIN
from ratsraum_meeting.meetings.models import AgendaItem, Body, Meeting, Membership, Person, Tenant
from ratsraum_meeting.minutes.models import Minutes
from ratsraum_meeting.polls.models import Poll
from ratsraum_meeting.polls.service import conflicted_person_ids
from ratsraum_meeting.timeutil import utc

PRESENCE_LABELS = {"in_room": "im Sitzungssaal", "remote": "zugeschaltet (digital)",
                   "absent": "abwesend"}
METHOD_LABELS = {"open": "offene Abstimmung", "roll_call": "namentliche Abstimmung",
                 "secret": "geheime Abstimmung"}
OUTCOME_LABELS = {"accepted": "angenommen", "rejected": "abgelehnt"}
CHOICE_LABELS = {"yes": "Ja", "no": "Nein", "abstain": "Enthaltung"}


@dataclass(frozen=True, slots=True)
class Participant:
    """A member of the body and how they took part."""

    person_id: str
    name: str
    party: str
    role: str
    presence: str
    reason: str

    @property
    def presence_label(self) -> str:
        """German wording of the presence."""
        return PRESENCE_LABELS.get(self.presence, self.presence)


@dataclass(frozen=True, slots=True)
class VoteLine:
    """One closed vote as the minutes record it."""

    poll_id: str
    method: str
    show_of_hands: bool
    result: dict[str, Any]
    named_votes: list[tuple[str, str]]

    @property
    def method_label(self) -> str:
        """German name of the voting method, marked when it was a show of hands."""
        label = METHOD_LABELS.get(self.method, self.method)
        if self.show_of_hands:
            return f"{label} – per Handzeichen erfasst (Ersatzverfahren)"
        return label

    @property
    def outcome_label(self) -> str:
        """Angenommen / abgelehnt."""
        outcome = str(self.result.get("outcome", ""))
        return OUTCOME_LABELS.get(outcome, outcome)

    def count(self, option: str) -> int:
        """Votes for yes, no or abstain."""
        return int(self.result.get(option, 0))


@dataclass(frozen=True, slots=True)
class ItemMinutes:
    """One agenda item with its decision, the clerk's text, votes and conflicts."""

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
    starts_at: datetime
    start_recorded: bool
    ends_at: datetime | None
    participants: list[Participant]
    items: list[ItemMinutes]
    general: str
    disruptions: str
    signatures: list[Signature] = field(default_factory=list)

    def local(self, value: datetime) -> str:
        """A time as Germans write it, in Berlin time."""
        return f"{utc(value).astimezone(BERLIN):%d.%m.%Y, %H:%M} Uhr"

    def with_presence(self, presence: str) -> list[Participant]:
        """Participants by how they took part."""
        return [p for p in self.participants if p.presence == presence]


def _parse_time(value: object) -> datetime | None:
    return datetime.fromisoformat(value) if isinstance(value, str) and value else None


def _vote_line(poll: Poll) -> VoteLine:
    result = poll.result or {}
    named = [(str(v.get("name", v.get("person_id", ""))),
              CHOICE_LABELS.get(str(v.get("choice")), str(v.get("choice"))))
             for v in result.get("named_votes", [])] if poll.method == "roll_call" else []
    return VoteLine(poll_id=poll.id, method=poll.method,
                    show_of_hands=bool(result.get("show_of_hands", False)), result=result,
                    named_votes=named)


async def _participants(
    session: AsyncSession, *, meeting: Meeting, reasons: dict[str, str]
) -> list[Participant]:
    rows = (await session.execute(
        select(Person, Membership.role).join(Membership, Membership.person_id == Person.id)
        .where(Membership.body_id == meeting.body_id).order_by(Person.name, Person.id)
    )).all()
    presence = {a.person_id: a.presence for a in (await session.scalars(
        select(Attendance).where(Attendance.meeting_id == meeting.id))).all()}
    return [Participant(person_id=p.id, name=p.name, party=p.party, role=role,
                        presence=presence.get(p.id, "absent"), reason=reasons.get(p.id, ""))
            for p, role in rows]


async def _items(
    session: AsyncSession, *, meeting: Meeting, texts: dict[str, Any]
) -> list[ItemMinutes]:
    items: Sequence[AgendaItem] = (await session.scalars(
        select(AgendaItem).where(AgendaItem.meeting_id == meeting.id)
        .order_by(AgendaItem.position))).all()
    polls = (await session.scalars(
        select(Poll).where(Poll.meeting_id == meeting.id, Poll.state == "closed")
        .order_by(Poll.opened_at))).all()
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
            notes=own.get("notes", ""),
            votes=[_vote_line(p) for p in polls if p.agenda_item_id == item.id],
            conflicted=names,
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
    started = _parse_time(texts.get("started_at"))
    return MinutesData(
        meeting_id=meeting.id, town_name=tenant.name if tenant else meeting.tenant_id,
        body_name=body.name, title=meeting.title, location=meeting.location,
        status=meeting.status, starts_at=started or utc(meeting.starts_at),
        start_recorded=started is not None, ends_at=_parse_time(texts.get("ended_at")),
        participants=await _participants(session, meeting=meeting,
                                         reasons=texts.get("absences", {})),
        items=await _items(session, meeting=meeting, texts=texts),
        general=str(texts.get("general", "")), disruptions=str(texts.get("disruptions", "")),
        signatures=_signatures(minutes),
    )
