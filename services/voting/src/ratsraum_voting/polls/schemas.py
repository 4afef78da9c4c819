"""Validated commands and read views of polls, independent of the wire format."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from ratsraum_common.db import validate_tenant
from ratsraum_voting.errors import Reason, VotingError, invalid
from ratsraum_voting.rules import Rule

MAX_ID = 128
MAX_TITLE = 1000
MAX_LABEL = 200
MAX_ROLL = 10_000
YES, NO, ABSTAIN = "yes", "no", "abstain"
# Motions are decided on yes/no; other option kinds arrive with elections (later issue).
MOTION_OPTION_IDS = (YES, NO, ABSTAIN)


class VoteMethod(StrEnum):
    """How a poll is held; secret ballots follow with the ElectionGuard issue."""

    OPEN = "open"
    ROLL_CALL = "roll_call"


class PollState(StrEnum):
    """Life cycle of a poll."""

    OPEN = "open"
    CLOSED = "closed"
    CANCELLED = "cancelled"
    PUBLISHED = "published"
    VOID = "void"


class PollKind(StrEnum):
    """A motion (yes/no/abstain) or an election of persons among candidates."""

    MOTION = "motion"
    ELECTION = "election"


@dataclass(frozen=True, slots=True)
class OptionSpec:
    """An answer a voter may choose."""

    id: str
    label: str


DEFAULT_OPTIONS = (
    OptionSpec(YES, "Ja"),
    OptionSpec(NO, "Nein"),
    OptionSpec(ABSTAIN, "Enthaltung"),
)


def check_tenant(tenant: str) -> str:
    """The tenant slug, or an INVALID_REQUEST refusal."""
    try:
        return validate_tenant(tenant)
    except ValueError:
        raise invalid(
            "tenant", f"„{tenant[:70]}“ ist keine gültige Mandanten-ID "
            "(Kleinbuchstaben, Ziffern, Bindestrich; z. B. „soest“)."
        ) from None


def check_poll_id(poll_id: str) -> str:
    """The poll id in canonical UUID form, or an INVALID_REQUEST refusal."""
    try:
        return str(uuid.UUID(poll_id))
    except ValueError:
        raise invalid(
            "poll_id", f"„{poll_id[:70]}“ ist keine UUID (z. B. „{uuid.UUID(int=0)}“)."
        ) from None


def check_id(field: str, value: str, *, required: bool = True) -> str:
    """A non-empty identifier of bounded length without surrounding spaces."""
    if not value.strip():
        if required:
            raise invalid(field, "darf nicht leer sein.")
        return ""
    if len(value) > MAX_ID or value != value.strip():
        raise invalid(
            field, f"höchstens {MAX_ID} Zeichen, ohne Leerzeichen am Anfang oder Ende."
        )
    return value


def _check_labels(options: list[OptionSpec]) -> tuple[OptionSpec, ...]:
    for option in options:
        check_id("options", option.id)
        if not option.label.strip() or len(option.label) > MAX_LABEL:
            raise invalid(
                "options", f"Option „{option.id[:40]}“ braucht eine Beschriftung "
                f"(1 bis {MAX_LABEL} Zeichen)."
            )
    return tuple(options)


def _check_candidates(options: list[OptionSpec]) -> tuple[OptionSpec, ...]:
    """Elections: at least two candidates; `abstain` may be offered as Enthaltung."""
    if len([o for o in options if o.id != ABSTAIN]) < 2:
        raise invalid("options", "eine Wahl braucht mindestens zwei Bewerberinnen/Bewerber.")
    return _check_labels(options)


def _check_options(options: list[OptionSpec], kind: PollKind) -> tuple[OptionSpec, ...]:
    ids = [o.id for o in options]
    if len(set(ids)) != len(ids):
        raise invalid("options", "jede Option darf nur einmal vorkommen.")
    if kind is PollKind.ELECTION:
        return _check_candidates(options)
    if not options:
        return DEFAULT_OPTIONS
    unknown = [i for i in ids if i not in MOTION_OPTION_IDS]
    if unknown:
        raise invalid(
            "options", f"unbekannte Option „{unknown[0][:40]}“; erlaubt sind "
            "„yes“, „no“ und „abstain“ (Beschriftung frei wählbar)."
        )
    if YES not in ids or NO not in ids:
        raise invalid("options", "„yes“ und „no“ müssen angeboten werden.")
    for option in options:
        if not option.label.strip() or len(option.label) > MAX_LABEL:
            raise invalid(
                "options", f"Option „{option.id}“ braucht eine Beschriftung "
                f"(1 bis {MAX_LABEL} Zeichen)."
            )
    return tuple(options)


def _check_roll(roll: list[str]) -> tuple[str, ...]:
    if not roll:
        raise invalid("roll", "die Liste der Stimmberechtigten darf nicht leer sein.")
    if len(roll) > MAX_ROLL:
        raise invalid("roll", f"höchstens {MAX_ROLL} Stimmberechtigte je Abstimmung.")
    for voter in roll:
        check_id("roll", voter)
    if len(set(roll)) != len(roll):
        twice = next(v for v in roll if roll.count(v) > 1)
        raise invalid("roll", f"„{twice[:70]}“ steht mehrfach auf der Liste.")
    return tuple(roll)


@dataclass(frozen=True, slots=True)
class OpenPollCommand:
    """A validated request to open a poll."""

    tenant: str
    poll_id: str
    meeting_id: str
    agenda_item_id: str
    title: str
    method: VoteMethod
    rule: Rule
    options: tuple[OptionSpec, ...]
    roll: tuple[str, ...]
    statutory_members: int | None
    public: bool
    kind: PollKind = PollKind.MOTION
    rerun_of: str | None = None
    runoff_of: str | None = None

    @classmethod
    def create(
        cls, *, tenant: str, poll_id: str, meeting_id: str, agenda_item_id: str, title: str,
        method: VoteMethod, rule: Rule, options: list[OptionSpec], roll: list[str],
        statutory_members: int, public: bool, kind: PollKind = PollKind.MOTION,
    ) -> OpenPollCommand:
        """Validate every field; raises VotingError(INVALID_REQUEST) naming the field."""
        tenant, poll_id = check_tenant(tenant), check_poll_id(poll_id)
        if len(title) > MAX_TITLE:
            raise invalid("title", f"höchstens {MAX_TITLE} Zeichen.")
        checked_roll = _check_roll(roll)
        statutory = statutory_members or None
        if (kind is PollKind.ELECTION) != (rule is Rule.ELECTION):
            raise invalid(
                "majority_rule", "Wahlen (kind ELECTION) werden nach MAJORITY_RULE_ELECTION "
                "entschieden, Anträge nach einer der anderen Mehrheitsregeln."
            )
        if statutory is None and rule.needs_statutory:
            raise invalid(
                "statutory_members", "diese Mehrheitsregel braucht die gesetzliche "
                "Mitgliederzahl des Gremiums."
            )
        if statutory is not None and statutory < len(checked_roll):
            raise invalid(
                "statutory_members", f"die gesetzliche Mitgliederzahl ({statutory}) ist "
                f"kleiner als die Zahl der Stimmberechtigten ({len(checked_roll)})."
            )
        return cls(
            tenant=tenant, poll_id=poll_id,
            meeting_id=check_id("meeting_id", meeting_id, required=False),
            agenda_item_id=check_id("agenda_item_id", agenda_item_id, required=False),
            title=title.strip(), method=method, rule=rule,
            options=_check_options(options, kind), roll=checked_roll,
            statutory_members=statutory, public=public, kind=kind,
        )


@dataclass(frozen=True, slots=True)
class CastCommand:
    """A validated ballot."""

    tenant: str
    poll_id: str
    voter_id: str
    option_id: str
    idempotency_key: str

    @classmethod
    def create(
        cls, *, tenant: str, poll_id: str, voter_id: str, option_id: str, idempotency_key: str
    ) -> CastCommand:
        """Validate every field; raises VotingError(INVALID_REQUEST) naming the field."""
        tenant, poll_id = check_tenant(tenant), check_poll_id(poll_id)
        if not option_id:
            raise VotingError(Reason.INVALID_CHOICE, "Feld option_id: keine Option gewählt.")
        return cls(
            tenant=tenant, poll_id=poll_id,
            voter_id=check_id("voter_id", voter_id),
            option_id=check_id("option_id", option_id),
            idempotency_key=check_id("idempotency_key", idempotency_key),
        )


@dataclass(frozen=True, slots=True)
class CastOutcome:
    """The answer to an accepted ballot (the same answer again for a retry)."""

    ballot_id: str
    replayed: bool
    ballots_cast: int
    accepted_at: datetime
    method: VoteMethod


@dataclass(frozen=True, slots=True)
class OptionCount:
    """Ballots for one option."""

    option_id: str
    label: str
    count: int


@dataclass(frozen=True, slots=True)
class ResultView:
    """The tally and decision of a closed poll."""

    counts: tuple[OptionCount, ...]
    accepted: bool
    rule: Rule
    explanation: str
    roll_size: int
    ballots_cast: int
    named_votes: tuple[tuple[str, str], ...]  # (voter, option); roll-call polls only
    show_of_hands: bool = False
    election: dict[str, Any] | None = None  # elections: status, elected, runoff, lot
    audit: dict[str, str] | None = None  # signed chain head: head, signature, public_key


@dataclass(frozen=True, slots=True)
class PollView:
    """What callers may see of a poll; `result` only once it is closed."""

    tenant: str
    poll_id: str
    meeting_id: str
    agenda_item_id: str
    title: str
    method: VoteMethod
    rule: Rule
    options: tuple[OptionSpec, ...]
    state: PollState
    roll_size: int
    ballots_cast: int
    voted: tuple[str, ...]
    result: ResultView | None
    opened_at: datetime
    closed_at: datetime | None
    public: bool
    kind: PollKind = PollKind.MOTION
    cancel_reason: str | None = None
    void_reason: str | None = None
    rerun_of: str | None = None
    rerun_poll_id: str | None = None
    runoff_of: str | None = None
