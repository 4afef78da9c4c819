"""The course of the session for the minutes: presence times, speeches, admissions, disruptions.

Each part is read through the owning module's service function, so the minutes state exactly
what those modules recorded.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ratsraum_meeting.attendance import service as attendance
from ratsraum_meeting.disruptions import service as disruptions
from ratsraum_meeting.lobby import service as lobby
from ratsraum_meeting.meetings.models import AgendaItem, Meeting, Person
from ratsraum_meeting.polls.models import Poll
from ratsraum_meeting.speakers import service as speakers
from ratsraum_meeting.timeutil import utc

LOST_LABELS = {"picture": "Bild", "sound": "Ton", "both": "Bild und Ton"}
CHANNEL_LABELS = {"app": "über die App", "phone": "telefonisch"}
LATE_LABELS = {"deadline": "nach Ablauf der Meldefrist",
               "took_part_again": "nach erneuter Teilnahme ohne Beanstandung"}
SPHERE_LABELS = {"town": "Sphäre der Kommune", "member": "Sphäre des Mitglieds"}
SPEECH_LABELS = {"speech": "Wortbeitrag", "order": "zur Geschäftsordnung"}
PRESENCE_SHORT = {"in_room": "im Saal", "remote": "zugeschaltet"}


@dataclass(frozen=True, slots=True)
class Span:
    """One stretch of presence: in the room or remote, from joining to leaving."""

    presence: str
    joined_at: datetime
    left_at: datetime | None

    @property
    def presence_label(self) -> str:
        """Im Saal / zugeschaltet."""
        return PRESENCE_SHORT.get(self.presence, self.presence)


@dataclass(frozen=True, slots=True)
class SpeechLine:
    """A finished speech on an item."""

    name: str
    kind: str
    started_at: datetime
    ended_at: datetime
    seconds: int

    @property
    def kind_label(self) -> str:
        """Wortbeitrag / zur Geschäftsordnung."""
        return SPEECH_LABELS.get(self.kind, self.kind)


@dataclass(frozen=True, slots=True)
class AdmissionLine:
    """A remote member let in from the lobby: who, when, by whom."""

    name: str
    at: datetime
    by_name: str


@dataclass(frozen=True, slots=True)
class ReportLine:
    """A member's report of a lost connection."""

    name: str
    lost: str
    channel: str
    since: datetime
    reported_at: datetime
    counts: bool
    late_reason: str | None
    note: str

    @property
    def lost_label(self) -> str:
        """Bild / Ton / Bild und Ton."""
        return LOST_LABELS.get(self.lost, self.lost)

    @property
    def channel_label(self) -> str:
        """Über die App / telefonisch."""
        return CHANNEL_LABELS.get(self.channel, self.channel)

    @property
    def late_label(self) -> str:
        """Why a report does not count."""
        return LATE_LABELS.get(self.late_reason or "", self.late_reason or "")


@dataclass(frozen=True, slots=True)
class StepLine:
    """The chair's interruption, resumption or decision on whose sphere a fault was in."""

    kind: str
    at: datetime
    reason: str
    by_name: str
    sphere: str | None
    reports: int
    # (agenda item number, whether the item is public) of each vote the step made void or
    # due for a re-run
    polls: list[tuple[str, bool]]

    @property
    def sphere_label(self) -> str:
        """Sphäre der Kommune / des Mitglieds."""
        return SPHERE_LABELS.get(self.sphere or "", self.sphere or "")


@dataclass(frozen=True, slots=True)
class Course:
    """Everything of the session's course the minutes state besides the votes."""

    spans: dict[str, list[Span]]
    speeches: dict[str, list[SpeechLine]]
    admissions: list[AdmissionLine]
    reports: list[ReportLine]
    steps: list[StepLine]


async def _names(session: AsyncSession, ids: Iterable[str]) -> dict[str, str]:
    """Display names of people by subject id; ids without a person stay as they are."""
    wanted = {i for i in ids if i}
    if not wanted:
        return {}
    rows = await session.scalars(select(Person).where(Person.id.in_(wanted)))
    found = {p.id: p.name for p in rows}
    return {i: found.get(i, i) for i in wanted}


async def _items_of(
    session: AsyncSession, poll_ids: Iterable[str]
) -> dict[str, tuple[str, bool]]:
    """The agenda item (number, public) of each poll id."""
    wanted = [p for p in poll_ids if p]
    if not wanted:
        return {}
    rows = await session.execute(
        select(Poll.id, AgendaItem.number, AgendaItem.public)
        .join(AgendaItem, AgendaItem.id == Poll.agenda_item_id).where(Poll.id.in_(wanted)))
    return {pid: (number, public) for pid, number, public in rows.all()}


def _affected(data: dict[str, Any]) -> list[str]:
    """Poll ids a step voided or named for a re-run (older steps list re-runs by old id)."""
    ids = [*(data.get("voided_polls") or []), *(data.get("rerun_due") or []),
           *(data.get("reruns") or {})]
    return list(dict.fromkeys(str(i) for i in ids))


async def course(session: AsyncSession, *, meeting: Meeting) -> Course:
    """Read the session's course from attendance, speakers, lobby and disruptions."""
    spans: dict[str, list[Span]] = {}
    for span in await attendance.spans(session, meeting=meeting):
        spans.setdefault(span.person_id, []).append(Span(
            presence=span.presence, joined_at=utc(span.joined_at),
            left_at=utc(span.left_at) if span.left_at else None))
    speeches: dict[str, list[SpeechLine]] = {}
    for speech in await speakers.speeches(session, meeting_id=meeting.id):
        speeches.setdefault(speech.agenda_item_id, []).append(SpeechLine(
            name=speech.name, kind=speech.kind, started_at=speech.started_at,
            ended_at=speech.ended_at, seconds=speech.seconds))
    admitted = await lobby.admissions(session, meeting=meeting)
    record = await disruptions.disruptions(session, meeting_id=meeting.id)
    names = await _names(session, [a.by for a in admitted]
                         + [r.person_id for r in record.reports] + [s.by for s in record.steps])
    items = await _items_of(session, [p for s in record.steps for p in _affected(s.data)])
    return Course(
        spans=spans, speeches=speeches,
        admissions=[AdmissionLine(name=a.name, at=a.at, by_name=names.get(a.by, a.by))
                    for a in admitted],
        reports=[ReportLine(name=names.get(r.person_id, r.person_id), lost=r.lost,
                            channel=r.channel, since=utc(r.since),
                            reported_at=utc(r.reported_at), counts=r.counts,
                            late_reason=r.late_reason, note=r.note) for r in record.reports],
        steps=[StepLine(kind=s.kind, at=utc(s.at), reason=s.reason,
                        by_name=names.get(s.by, s.by), sphere=s.sphere,
                        reports=len(s.data.get("reports") or []),
                        polls=[items[p] for p in _affected(s.data) if p in items])
               for s in record.steps],
    )
