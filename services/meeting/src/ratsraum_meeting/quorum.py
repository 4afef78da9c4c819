"""Quorum (Beschlussfähigkeit) rules per state profile, as pure functions.

A later issue adds the other state presets (BY, BW, ...): register one function per profile in
RULES; each gets the present and statutory counts and answers with a QuorumResult.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class QuorumResult:
    """Whether a body is quorate, with the numbers and a German explanation."""

    quorate: bool
    present: int
    required: int
    statutory_members: int
    rule: str
    explanation: str


class UnknownRuleProfile(ValueError):
    """No quorum rule is defined for this profile."""


def _nrw(present: int, statutory_members: int) -> QuorumResult:
    # § 49 Abs. 1 GO NRW: more than half of the statutory number of members must be present.
    required = statutory_members // 2 + 1
    quorate = present >= required
    verdict = "beschlussfähig" if quorate else "nicht beschlussfähig"
    explanation = (
        f"Das Gremium ist {verdict}: {present} von {statutory_members} Mitgliedern sind "
        f"anwesend; nötig sind mehr als die Hälfte der gesetzlichen Mitgliederzahl, "
        f"also mindestens {required} (§ 49 Abs. 1 GO NRW)."
    )
    return QuorumResult(quorate, present, required, statutory_members, "NRW", explanation)


RULES: dict[str, Callable[[int, int], QuorumResult]] = {"NRW": _nrw}


def evaluate(*, rule: str, present: int, statutory_members: int) -> QuorumResult:
    """Apply the profile's quorum rule to the number of members present."""
    if present < 0 or statutory_members < 0:
        raise ValueError("counts must not be negative")
    try:
        return RULES[rule](present, statutory_members)
    except KeyError:
        raise UnknownRuleProfile(rule) from None
