"""Every poll of an agenda item as the minutes state it: results, cancellations, re-runs."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ratsraum_meeting.polls.law_gate import exclusions
from ratsraum_meeting.polls.models import Poll, PollLogEntry
from ratsraum_meeting.timeutil import utc

METHOD_LABELS = {"open": "offene Abstimmung", "roll_call": "namentliche Abstimmung",
                 "secret": "geheime Abstimmung", "election": "Wahl"}
OUTCOME_LABELS = {"accepted": "angenommen", "rejected": "abgelehnt"}
CHOICE_LABELS = {"yes": "Ja", "no": "Nein", "abstain": "Enthaltung"}
# Polls the minutes report: closed with a result, withdrawn by the chair, or void and re-run.
REPORTED_STATES = ("closed", "cancelled", "void")


@dataclass(frozen=True, slots=True)
class OwnVote:
    """A member's own vote, recorded at their demand (Bavaria); source says where it is from."""

    person_id: str
    name: str
    choice: str
    source: str  # "record": the poll's stored per-voter choice; "declared": the member's word

    @property
    def choice_label(self) -> str:
        """Ja / Nein / Enthaltung, or the option's own label."""
        return CHOICE_LABELS.get(self.choice, self.choice)


@dataclass(frozen=True, slots=True)
class VoteLine:
    """One poll on an item as the minutes record it, whatever became of it."""

    poll_id: str
    method: str
    show_of_hands: bool
    result: dict[str, Any]
    named_votes: list[tuple[str, str]]
    state: str = "closed"
    title: str = ""
    ordinal: int = 1
    opened_at: datetime | None = None
    closed_at: datetime | None = None
    rerun_of: int | None = None  # ordinal of the void poll this one repeats
    rerun_by: int | None = None  # ordinal of the poll that repeats this void one
    runoff_of: int | None = None  # ordinal of the election round this runoff follows
    rerun_due: bool = False  # the chair ordered a re-run (disruption in the town's sphere)
    own_votes: list[OwnVote] = field(default_factory=list)
    # Remote members the law kept out of this ballot: names and the rule (polls.law_gate).
    remote_excluded: dict[str, Any] = field(default_factory=dict)

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

    @property
    def has_counts(self) -> bool:
        """Whether the poll was counted (closed, or closed before it was declared void)."""
        return "outcome" in self.result or "counts" in self.result

    @property
    def cancel_reason(self) -> str:
        """The chair's reason for withdrawing the vote."""
        return str(self.result.get("cancel_reason", ""))

    @property
    def void_reason(self) -> str:
        """Why the vote is void and had to be repeated."""
        return str(self.result.get("void_reason", ""))

    @property
    def record_sha256(self) -> str:
        """The SHA-256 of a secret poll's published record, for anyone to check the tally."""
        return str(self.result.get("record_sha256", ""))

    @property
    def election(self) -> dict[str, Any]:
        """An election round's outcome (status, elected, runoff, lot), empty for motions."""
        election = self.result.get("election")
        return election if isinstance(election, dict) else {}

    def count(self, option: str) -> int:
        """Votes for yes, no or abstain."""
        return int(self.result.get(option, 0))

    def option_counts(self) -> list[tuple[str, int]]:
        """(label, votes) per option, e.g. per candidate of an election."""
        return [(str(c.get("label") or c.get("option_id", "")), int(c.get("count", 0)))
                for c in self.result.get("counts", [])]

    def label(self, option_id: str) -> str:
        """The label of an option (a candidate's name), else its id."""
        if option_id in CHOICE_LABELS:  # our own German wording for motions
            return CHOICE_LABELS[option_id]
        for c in self.result.get("counts", []):
            if c.get("option_id") == option_id and c.get("label"):
                return str(c["label"])
        return option_id

    def labels(self, option_ids: Sequence[str]) -> str:
        """Several option labels joined for a sentence."""
        return ", ".join(self.label(o) for o in option_ids)


def named_votes(poll: Poll) -> list[tuple[str, str]]:
    """(name, choice label) of a roll-call vote; empty for every other method."""
    if poll.method != "roll_call":
        return []
    return [(str(v.get("name", v.get("person_id", ""))),
             CHOICE_LABELS.get(str(v.get("choice")), str(v.get("choice"))))
            for v in (poll.result or {}).get("named_votes", [])]


async def _links(session: AsyncSession, *, meeting_id: str) -> dict[str, dict[str, str]]:
    """Per poll: the poll it re-runs or follows as a runoff (from the poll log)."""
    entries = await session.scalars(select(PollLogEntry).where(
        PollLogEntry.meeting_id == meeting_id,
        PollLogEntry.kind.in_(("rerun_of", "runoff_of", "rerun_due"))).order_by(PollLogEntry.id))
    links: dict[str, dict[str, str]] = {}
    for entry in entries:
        links.setdefault(entry.poll_id, {})[entry.kind] = str(entry.data.get("poll_id", ""))
    return links


async def votes_by_item(
    session: AsyncSession, *, meeting_id: str, own_votes: dict[str, list[OwnVote]]
) -> dict[str, list[VoteLine]]:
    """Every reported poll of the meeting per agenda item, numbered in the order opened."""
    polls = (await session.scalars(
        select(Poll).where(Poll.meeting_id == meeting_id, Poll.state.in_(REPORTED_STATES))
        .order_by(Poll.opened_at, Poll.id))).all()
    links = await _links(session, meeting_id=meeting_id)
    excluded = await exclusions(session, poll_ids=[p.id for p in polls])
    ordinals: dict[str, int] = {}
    per_item: dict[str, int] = {}
    for poll in polls:
        per_item[poll.agenda_item_id] = per_item.get(poll.agenda_item_id, 0) + 1
        ordinals[poll.id] = per_item[poll.agenda_item_id]
    out: dict[str, list[VoteLine]] = {}
    for poll in polls:
        result = dict(poll.result or {})
        link = links.get(poll.id, {})
        out.setdefault(poll.agenda_item_id, []).append(VoteLine(
            poll_id=poll.id, method=poll.method,
            show_of_hands=bool(result.get("show_of_hands", False)), result=result,
            named_votes=named_votes(poll), state=poll.state, title=poll.title,
            ordinal=ordinals[poll.id], opened_at=utc(poll.opened_at),
            closed_at=utc(poll.closed_at) if poll.closed_at else None,
            rerun_of=ordinals.get(link.get("rerun_of", "")),
            rerun_by=ordinals.get(str(result.get("rerun_poll_id", ""))),
            runoff_of=ordinals.get(link.get("runoff_of", "")),
            rerun_due="rerun_due" in link and poll.state == "closed",
            own_votes=own_votes.get(poll.id, []), remote_excluded=excluded.get(poll.id, {}),
        ))
    return out
