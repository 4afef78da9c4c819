"""What pages show: the page language's wording and Berlin time for the stored snapshots."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from ratsraum_portal.texts import catalogue, text

BERLIN = ZoneInfo("Europe/Berlin")


def _label(lang: str, group: str, value: str) -> str:
    """A word from the catalogues (locales/); an unknown value is shown as sent, not hidden."""
    key = f"{group}.{value}"
    return value if key not in catalogue(lang) else text(lang, key)


def parse_timestamp(value: Any) -> datetime | None:
    """A proto JSON timestamp ("2025-11-25T17:00:00Z") as an aware datetime, else None."""
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def german_datetime(value: datetime | None, lang: str = "de") -> str:
    """'Dienstag, 25. November 2025, 18:00 Uhr' in Berlin time (or English); '' when unknown."""
    if value is None:
        return ""
    local = (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(BERLIN)
    return text(lang, "dates.datetime",
                weekday=text(lang, "dates.weekdays").split(",")[local.weekday()],
                day=local.day, month=text(lang, "dates.months").split(",")[local.month - 1],
                year=local.year, time=f"{local:%H:%M}")


def german_time(value: datetime | None, lang: str = "de") -> str:
    """'18:42 Uhr' in Berlin time; '' when unknown."""
    if value is None:
        return ""
    return text(lang, "dates.time", time=f"{value.astimezone(BERLIN):%H:%M}")


def presence_summary(
    *, status: str, present: int, members: int, quorate: bool, lang: str = "de"
) -> str:
    """The presence line: quorum only while the session runs (before, it says nothing)."""
    if status == "scheduled":
        return text(lang, "presence.not_open")
    if status == "closed":
        return text(lang, "presence.ended")
    verdict = text(lang, "presence.quorate" if quorate else "presence.not_quorate")
    return text(lang, "presence.line", present=present, members=members, verdict=verdict)


def vote_progress(live_vote: dict[str, Any], lang: str = "de") -> str:
    """'7 von 11 Stimmen abgegeben'."""
    return text(lang, "vote.progress", cast=int(live_vote.get("ballots_cast", 0)),
                roll=int(live_vote.get("roll_size", 0)))


def result_summary(result: dict[str, Any], lang: str = "de") -> str:
    """'Angenommen – Ja 6, Nein 3, Enthaltung 2'."""
    outcome = _label(lang, "outcome", str(result.get("outcome", "") or "none"))
    counts = ", ".join(
        f"{text(lang, f'option.{key}')} {int(result.get(key, 0))}"
        for key in ("yes", "no", "abstain")
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
class AttendeeView:
    """A member present now: name and kind of presence, nothing else."""

    name: str
    presence: str  # "in_room" | "remote"
    presence_label: str


@dataclass(frozen=True, slots=True)
class StreamView:
    """The livestream of the public part, and who refused to be streamed."""

    url: str
    captions_url: str
    refused_names: list[str]


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
    closed_part: bool = False  # the closed part runs: live parts and links end
    citizen_room: str = ""  # a town hall room for people without internet
    live_public: bool = False  # the public part runs now: attendance and stream are shown
    attendees: list[AttendeeView] = field(default_factory=list)
    stream: StreamView | None = None


def result_view(result: dict[str, Any], lang: str = "de") -> ResultView:
    """A closed vote in the page language."""
    method = str(result.get("method", ""))
    return ResultView(
        outcome=str(result.get("outcome", "")),
        summary=result_summary(result, lang),
        method=_label(lang, "method", method) if method else "",
        show_of_hands=bool(result.get("show_of_hands", False)),
        explanation=str(result.get("explanation", "")),
        closed_at=german_time(parse_timestamp(result.get("closed_at")), lang),
        named_votes=[
            NamedVoteView(name=str(v.get("name", "")),
                          option=_label(lang, "option", str(v.get("option_id", ""))))
            for v in result.get("named_votes", [])
        ],
    )


def _item_view(item: dict[str, Any], current_id: str, lang: str) -> AgendaItemView:
    status = str(item.get("status", "pending"))
    live = item.get("live_vote")
    result = item.get("result")
    return AgendaItemView(
        id=str(item.get("id", "")),
        number=str(item.get("number", "")),
        title=str(item.get("title", "")),
        status=status,
        status_label=_label(lang, "item_status", status),
        progress=vote_progress(live, lang) if live else "",
        result=result_view(result, lang) if result else None,
        current=bool(current_id) and item.get("id") == current_id,
    )


def _https(value: Any) -> str:
    """An https address as sent, or "" (never a javascript: or other scheme in a page)."""
    text_value = str(value or "")
    return text_value if text_value.startswith("https://") else ""


def _stream_view(stream: dict[str, Any] | None) -> StreamView | None:
    url = _https((stream or {}).get("url"))
    if stream is None or not url:
        return None
    return StreamView(url=url, captions_url=_https(stream.get("captions_url")),
                      refused_names=[str(n) for n in stream.get("refused_names", [])])


def meeting_view(snapshot: dict[str, Any], lang: str = "de") -> MeetingView:
    """Build the page model of a stored snapshot, in the page language."""
    status = str(snapshot.get("status", "scheduled"))
    tenant = snapshot.get("tenant") or {}
    agenda = sorted(snapshot.get("agenda", []), key=lambda i: int(i.get("position", 0)))
    # Meeting names the current item only while it is public; not while closed or before.
    current = str(snapshot.get("current_item_id", "")) if status in ("running",
                                                                     "interrupted") else ""
    present, members = int(snapshot.get("present", 0)), int(snapshot.get("members", 0))
    quorate = bool(snapshot.get("quorate", False))
    live_public = status in ("running", "interrupted") and not snapshot.get("closed_part")
    return MeetingView(
        id=str(snapshot.get("id", "")),
        tenant_id=str(tenant.get("id", "")),
        tenant_name=str(tenant.get("name", "")),
        title=str(snapshot.get("title", "")),
        body_name=str(snapshot.get("body_name", "")),
        starts_at=german_datetime(parse_timestamp(snapshot.get("starts_at")), lang),
        location=str(snapshot.get("location", "")),
        status=status,
        status_label=_label(lang, "status", status),
        present=present,
        members=members,
        quorate=quorate,
        agenda=[_item_view(item, current, lang) for item in agenda],
        presence=presence_summary(status=status, present=present, members=members,
                                  quorate=quorate, lang=lang),
        current_item_id=current,
        closed_part=bool(snapshot.get("closed_part", False)) and status == "running",
        citizen_room=str(snapshot.get("citizen_room", "")),
        # Meeting sends attendance and stream only in the public part; checked again here.
        live_public=live_public,
        attendees=[
            AttendeeView(name=str(a.get("name", "")), presence=str(a.get("presence", "")),
                         presence_label=_label(lang, "attendance", str(a.get("presence", ""))))
            for a in snapshot.get("attendees", [])] if live_public else [],
        stream=_stream_view(snapshot.get("stream")) if live_public else None,
    )
