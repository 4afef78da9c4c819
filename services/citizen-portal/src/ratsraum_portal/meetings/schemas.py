"""What pages show: German wording and Berlin time for the stored snapshots."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

BERLIN = ZoneInfo("Europe/Berlin")
WEEKDAYS = ("Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag")
MONTHS = ("Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August",
          "September", "Oktober", "November", "Dezember")
MEETING_STATUS = {
    "scheduled": "Geplant",
    "running": "Sitzung läuft",
    "interrupted": "Unterbrochen",
    "closed": "Beendet",
}
ITEM_STATUS = {
    "pending": "Offen",
    "called": "In Beratung",
    "voting": "Abstimmung läuft",
    "decided": "Beschlossen",
    "deferred": "Vertagt",
}
OUTCOME = {"accepted": "Angenommen", "rejected": "Abgelehnt"}
METHOD = {"open": "Offene Abstimmung", "roll_call": "Namentliche Abstimmung",
          "secret": "Geheime Abstimmung"}
OPTION = {"yes": "Ja", "no": "Nein", "abstain": "Enthaltung"}


def parse_timestamp(value: Any) -> datetime | None:
    """A proto JSON timestamp ("2025-11-25T17:00:00Z") as an aware datetime, else None."""
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def german_datetime(value: datetime | None) -> str:
    """'Dienstag, 25. November 2025, 18:00 Uhr' in Berlin time; '' when unknown."""
    if value is None:
        return ""
    local = (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(BERLIN)
    return (f"{WEEKDAYS[local.weekday()]}, {local.day}. {MONTHS[local.month - 1]} "
            f"{local.year}, {local:%H:%M} Uhr")


def german_time(value: datetime | None) -> str:
    """'18:42 Uhr' in Berlin time; '' when unknown."""
    if value is None:
        return ""
    return f"{value.astimezone(BERLIN):%H:%M} Uhr"


def presence_summary(*, status: str, present: int, members: int, quorate: bool) -> str:
    """The presence line: quorum only while the session runs (before, it says nothing)."""
    if status == "scheduled":
        return "Sitzung noch nicht eröffnet"
    if status == "closed":
        return "Sitzung beendet"
    verdict = "beschlussfähig" if quorate else "nicht beschlussfähig"
    return f"{present} von {members} Mitgliedern anwesend – {verdict}"


def vote_progress(live_vote: dict[str, Any]) -> str:
    """'7 von 11 Stimmen abgegeben'."""
    cast = int(live_vote.get("ballots_cast", 0))
    roll = int(live_vote.get("roll_size", 0))
    return f"{cast} von {roll} Stimmen abgegeben"


def result_summary(result: dict[str, Any]) -> str:
    """'Angenommen – Ja 6, Nein 3, Enthaltung 2'."""
    outcome = OUTCOME.get(str(result.get("outcome", "")), "Ergebnis")
    counts = ", ".join(
        f"{OPTION[key]} {int(result.get(key, 0))}" for key in ("yes", "no", "abstain")
    )
    return f"{outcome} – {counts}"


@dataclass(frozen=True, slots=True)
class NamedVoteView:
    """One member's recorded vote in a roll-call vote."""

    name: str
    option: str


@dataclass(frozen=True, slots=True)
class ResultView:
    """A closed vote as shown on the page."""

    outcome: str
    summary: str
    method: str
    show_of_hands: bool
    explanation: str
    closed_at: str
    named_votes: list[NamedVoteView] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class AgendaItemView:
    """One public agenda item."""

    id: str
    number: str
    title: str
    status: str
    status_label: str
    progress: str
    result: ResultView | None
    current: bool = False  # the item being dealt with now


@dataclass(frozen=True, slots=True)
class MeetingView:
    """A meeting page's content, derived from the stored snapshot only."""

    id: str
    tenant_id: str
    tenant_name: str
    title: str
    body_name: str
    starts_at: str
    location: str
    status: str
    status_label: str
    present: int
    members: int
    quorate: bool
    agenda: list[AgendaItemView]
    presence: str = ""
    current_item_id: str = ""


def result_view(result: dict[str, Any]) -> ResultView:
    return ResultView(
        outcome=str(result.get("outcome", "")),
        summary=result_summary(result),
        method=METHOD.get(str(result.get("method", "")), ""),
        show_of_hands=bool(result.get("show_of_hands", False)),
        explanation=str(result.get("explanation", "")),
        closed_at=german_time(parse_timestamp(result.get("closed_at"))),
        named_votes=[
            NamedVoteView(name=str(v.get("name", "")),
                          option=OPTION.get(str(v.get("option_id", "")), str(v.get("option_id"))))
            for v in result.get("named_votes", [])
        ],
    )


def _item_view(item: dict[str, Any], current_id: str) -> AgendaItemView:
    status = str(item.get("status", "pending"))
    live = item.get("live_vote")
    result = item.get("result")
    return AgendaItemView(
        id=str(item.get("id", "")),
        number=str(item.get("number", "")),
        title=str(item.get("title", "")),
        status=status,
        status_label=ITEM_STATUS.get(status, status),
        progress=vote_progress(live) if live else "",
        result=result_view(result) if result else None,
        current=bool(current_id) and item.get("id") == current_id,
    )


def meeting_view(snapshot: dict[str, Any]) -> MeetingView:
    """Build the page model of a stored snapshot."""
    status = str(snapshot.get("status", "scheduled"))
    tenant = snapshot.get("tenant") or {}
    agenda = sorted(snapshot.get("agenda", []), key=lambda i: int(i.get("position", 0)))
    # Meeting names the current item only while it is public; not while closed or before.
    current = str(snapshot.get("current_item_id", "")) if status in ("running",
                                                                     "interrupted") else ""
    present, members = int(snapshot.get("present", 0)), int(snapshot.get("members", 0))
    quorate = bool(snapshot.get("quorate", False))
    return MeetingView(
        id=str(snapshot.get("id", "")),
        tenant_id=str(tenant.get("id", "")),
        tenant_name=str(tenant.get("name", "")),
        title=str(snapshot.get("title", "")),
        body_name=str(snapshot.get("body_name", "")),
        starts_at=german_datetime(parse_timestamp(snapshot.get("starts_at"))),
        location=str(snapshot.get("location", "")),
        status=status,
        status_label=MEETING_STATUS.get(status, status),
        present=present,
        members=members,
        quorate=quorate,
        agenda=[_item_view(item, current) for item in agenda],
        presence=presence_summary(status=status, present=present, members=members,
                                  quorate=quorate),
        current_item_id=current,
    )
