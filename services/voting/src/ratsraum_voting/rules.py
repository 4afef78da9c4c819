"""Majority rules as pure functions: a tally in, a decision with a German explanation out.

Only yes and no count towards a majority; abstentions (and, later, invalid secret ballots)
are recorded but never counted, and a tie rejects (docs/law.md, section "Votes").
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Rule(StrEnum):
    """The majority a motion needs; set per motion by the caller."""

    SIMPLE = "simple"
    TWO_THIRDS_OF_CAST = "two_thirds_of_cast"
    MAJORITY_OF_STATUTORY = "majority_of_statutory"
    TWO_THIRDS_OF_STATUTORY = "two_thirds_of_statutory"
    # Elections of persons: decided by ratsraum_voting.elections, never by `decide`.
    ELECTION = "election"

    @property
    def needs_statutory(self) -> bool:
        """Whether the rule is measured against the body's statutory number of members."""
        return self in (Rule.MAJORITY_OF_STATUTORY, Rule.TWO_THIRDS_OF_STATUTORY)


@dataclass(frozen=True, slots=True)
class Tally:
    """Counted ballots of one poll."""

    yes: int
    no: int
    abstain: int = 0
    invalid: int = 0

    def __post_init__(self) -> None:
        if min(self.yes, self.no, self.abstain, self.invalid) < 0:
            raise ValueError("counts cannot be negative")


@dataclass(frozen=True, slots=True)
class Decision:
    """The outcome of applying a rule to a tally."""

    accepted: bool
    explanation: str
    required_yes: int | None = None  # the threshold of qualified rules, for the record


def _plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def _counts(tally: Tally) -> str:
    """'6 Ja-Stimmen gegen 3 Nein-Stimmen bei 2 Enthaltungen' (with proper singulars)."""
    text = (
        f"{_plural(tally.yes, 'Ja-Stimme', 'Ja-Stimmen')} gegen "
        f"{_plural(tally.no, 'Nein-Stimme', 'Nein-Stimmen')}"
    )
    extras = []
    if tally.abstain:
        extras.append(_plural(tally.abstain, "Enthaltung", "Enthaltungen"))
    if tally.invalid:
        extras.append(_plural(tally.invalid, "ungültiger Stimme", "ungültigen Stimmen"))
    if extras:
        return f"{text} bei {' und '.join(extras)}"
    return f"{text} ohne Enthaltungen"


def _verdict(accepted: bool) -> str:
    return "Angenommen" if accepted else "Abgelehnt"


def simple_majority(tally: Tally) -> Decision:
    """More yes than no; abstentions do not count; a tie rejects."""
    if tally.yes == tally.no:
        if tally.yes == 0:
            return Decision(
                False,
                f"Abgelehnt: keine Ja- oder Nein-Stimme abgegeben ({_counts(tally)}) – "
                "ohne Mehrheit der Ja-Stimmen ist ein Antrag abgelehnt.",
            )
        return Decision(
            False,
            f"Abgelehnt: Stimmengleichheit ({tally.yes}:{tally.no}) – "
            "bei Stimmengleichheit ist ein Antrag abgelehnt.",
        )
    accepted = tally.yes > tally.no
    return Decision(
        accepted,
        f"{_verdict(accepted)}: {_counts(tally)} "
        "(einfache Mehrheit; Enthaltungen zählen nicht).",
    )


def two_thirds_of_cast(tally: Tally) -> Decision:
    """Yes at least two thirds of yes plus no (and at least one of them cast)."""
    cast = tally.yes + tally.no
    if cast == 0:
        return Decision(
            False,
            f"Abgelehnt: keine Ja- oder Nein-Stimme abgegeben ({_counts(tally)}) – "
            "die Zweidrittelmehrheit der abgegebenen Stimmen ist nicht erreicht.",
        )
    required = -(-2 * cast // 3)  # ceil(2/3 * cast) in integers, no float rounding
    accepted = tally.yes >= required
    reached = "erreicht" if accepted else "nicht erreicht"
    return Decision(
        accepted,
        f"{_verdict(accepted)}: {_counts(tally)} – die Zweidrittelmehrheit der abgegebenen "
        f"Stimmen (mindestens {required} von {cast}) ist {reached}; "
        "Enthaltungen zählen nicht.",
        required_yes=required,
    )


def _check_statutory(statutory_members: int) -> None:
    if statutory_members <= 0:
        raise ValueError("the statutory number of members must be positive")


def majority_of_statutory(tally: Tally, *, statutory_members: int) -> Decision:
    """Yes more than half of the body's statutory number of members."""
    _check_statutory(statutory_members)
    required = statutory_members // 2 + 1
    accepted = tally.yes >= required
    reached = "erreicht" if accepted else "nicht erreicht"
    return Decision(
        accepted,
        f"{_verdict(accepted)}: {_counts(tally)} – die Mehrheit der gesetzlichen "
        f"Mitgliederzahl (mindestens {required} Ja-Stimmen bei {statutory_members} "
        f"Mitgliedern) ist {reached}.",
        required_yes=required,
    )


def two_thirds_of_statutory(tally: Tally, *, statutory_members: int) -> Decision:
    """Yes at least two thirds of the body's statutory number of members."""
    _check_statutory(statutory_members)
    required = -(-2 * statutory_members // 3)
    accepted = tally.yes >= required
    reached = "erreicht" if accepted else "nicht erreicht"
    return Decision(
        accepted,
        f"{_verdict(accepted)}: {_counts(tally)} – die Zweidrittelmehrheit der gesetzlichen "
        f"Mitgliederzahl (mindestens {required} Ja-Stimmen bei {statutory_members} "
        f"Mitgliedern) ist {reached}.",
        required_yes=required,
    )


def decide(rule: Rule, tally: Tally, *, statutory_members: int | None = None) -> Decision:
    """Apply the poll's rule; statutory rules need the statutory number of members."""
    if rule is Rule.SIMPLE:
        return simple_majority(tally)
    if rule is Rule.TWO_THIRDS_OF_CAST:
        return two_thirds_of_cast(tally)
    if rule is Rule.ELECTION:
        raise ValueError("elections are decided by ratsraum_voting.elections")
    if statutory_members is None:
        raise ValueError(f"rule {rule.value} needs the statutory number of members")
    if rule is Rule.MAJORITY_OF_STATUTORY:
        return majority_of_statutory(tally, statutory_members=statutory_members)
    return two_thirds_of_statutory(tally, statutory_members=statutory_members)
