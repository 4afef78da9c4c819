"""Quorum (Beschlussfähigkeit) by the formula of a rule profile, as pure functions.

Present means in the room or remote and admitted. For one agenda item, members with a conflict
of interest on it are neither present nor entitled to vote there, so they leave the count.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from ratsraum_meeting.profiles.law import STATES
from ratsraum_meeting.profiles.presets import PRESETS, ConflictFallback, QuorumFormula


@dataclass(frozen=True, slots=True)
class QuorumResult:
    """Whether a body is quorate, with the numbers and a German explanation."""

    quorate: bool
    present: int
    required: int
    statutory_members: int
    rule: str
    explanation: str
    explanation_en: str = ""
    conflicted: int = 0
    formula: str = ""
    # Remote members left off this ballot's roll who also leave its count (see evaluate).
    left_off: int = 0


SIZE_UNKNOWN_DE = ("Gesetzliche Mitgliederzahl des Gremiums fehlt; bitte in den Stammdaten "
                   "eintragen.")
SIZE_UNKNOWN_EN = ("The statutory number of members of the body is missing; please enter it "
                   "in the master data.")


class UnknownRuleProfile(ValueError):
    """No quorum rule is defined for this profile."""


@dataclass(frozen=True, slots=True)
class _Need:
    required: int
    de: str
    en: str


def _more_than_half(statutory: int, _conflicted: int) -> _Need:
    return _Need(statutory // 2 + 1, "mehr als die Hälfte der gesetzlichen Mitgliederzahl",
                 "more than half of the statutory number of members")


def _majority_entitled(statutory: int, _conflicted: int) -> _Need:
    return _Need(statutory // 2 + 1,
                 "die Mehrheit der Mitglieder, anwesend und stimmberechtigt",
                 "a majority of the members, present and entitled to vote")


def _at_least_half(statutory: int, _conflicted: int) -> _Need:
    return _Need(max(1, math.ceil(statutory / 2)),
                 "mindestens die Hälfte aller Mitglieder, anwesend und stimmberechtigt",
                 "at least half of all members, present and entitled to vote")


def _half_or_quarter(statutory: int, conflicted: int) -> _Need:
    """The earlier formula name: at least half, with the quarter fallback built in."""
    return _fallback_need("quarter", statutory, conflicted) or _at_least_half(statutory, 0)


FORMULAS: dict[str, Callable[[int, int], _Need]] = {
    "more_than_half_statutory": _more_than_half,
    "majority_present_entitled": _majority_entitled,
    "at_least_half_entitled": _at_least_half,
    "half_with_quarter_fallback": _half_or_quarter,
}


def _fallback_need(fallback: str, statutory: int, conflicted: int) -> _Need | None:
    """What the conflict fallback demands instead of the formula, or None if it does not apply.

    All fallbacks start when more than half of the statutory members are excluded for a
    conflict of interest on the item (docs/law.md, "Quorum"); SH instead reduces the statutory
    number by the excluded and only falls back to three when it shrank by more than half, and
    RP lowers the need to a third as soon as anyone is excluded.
    """
    many = conflicted * 2 > statutory
    why_de = f"wegen Befangenheit von {conflicted} Mitgliedern (mehr als der Hälfte) "
    why_en = f"since {conflicted} members (more than half) are conflicted, "
    if fallback == "quarter" and many:
        return _Need(max(1, math.ceil(statutory / 4)),
                     why_de + "mindestens ein Viertel aller Mitglieder, anwesend und "
                     "stimmberechtigt",
                     why_en + "at least a quarter of all members, present and entitled to vote")
    if fallback == "more_than_third" and many:
        return _Need(statutory // 3 + 1, why_de + "mehr als ein Drittel aller Mitglieder",
                     why_en + "more than a third of all members")
    if fallback == "three_members" and many:
        return _Need(3, why_de + "mindestens drei stimmberechtigte Mitglieder",
                     why_en + "at least three members entitled to vote")
    if fallback == "regardless" and many:
        # "ohne Rücksicht auf die Zahl der Anwesenden": one voter is the least a vote needs.
        return _Need(1, why_de + "ohne Rücksicht auf die Zahl der Anwesenden",
                     why_en + "regardless of the number present")
    if fallback == "third" and conflicted:
        # RP: any exclusion lowers the need to a third; below that the mayor decides instead
        # of the council, which stays outside this count.
        return _Need(max(1, math.ceil(statutory / 3)),
                     f"wegen Befangenheit von {conflicted} Mitgliedern mindestens ein Drittel "
                     "der gesetzlichen Mitgliederzahl",
                     f"since {conflicted} members are conflicted, at least a third of the "
                     "statutory number")
    if fallback == "reduced_statutory_three" and conflicted:
        reduced = statutory - conflicted
        if many:
            return _Need(3, why_de + "mindestens drei stimmberechtigte Mitglieder",
                         why_en + "at least three members entitled to vote")
        return _Need(reduced // 2 + 1,
                     f"mehr als die Hälfte der um {conflicted} Befangene verminderten "
                     f"gesetzlichen Mitgliederzahl ({reduced})",
                     f"more than half of the statutory number reduced by {conflicted} "
                     f"conflicted members ({reduced})")
    return None


def evaluate(
    *, rule: str, present: int, statutory_members: int, conflicted_present: int = 0,
    conflicted: int = 0, formula: QuorumFormula | None = None, source: str | None = None,
    fallback: ConflictFallback | None = None, left_off: int = 0, left_off_source: str = "",
) -> QuorumResult:
    """Apply a quorum formula (by default the preset `rule`'s) to the members present.

    `present` counts everyone present; `conflicted_present` of them are conflicted on the item
    and do not count; `conflicted` is every conflicted member on the item (for the
    fallback, by default the preset's: BW/SN a quarter, MV more than a third, SL three, SH
    reduced, NI/HE/ST regardless). `left_off` present members may not take part in this
    ballot because they are remote, and the law (`left_off_source`) takes them out of its
    count too.
    """
    if min(present, statutory_members, conflicted_present, conflicted, left_off) < 0:
        raise ValueError("counts must not be negative")
    if formula is None:
        if rule not in PRESETS:
            raise UnknownRuleProfile(rule)
        formula, source = PRESETS[rule].quorum_formula, source or PRESETS[rule].quorum_source
        fallback = fallback or PRESETS[rule].quorum_conflict_fallback
    counted = max(0, present - conflicted_present - left_off)
    if statutory_members == 0:
        # 0 marks a size nobody entered yet (e.g. an OParl import without memberCount): no
        # count of members can be quorate against it, so votes stay closed until it is set.
        return QuorumResult(False, counted, 0, 0, rule, SIZE_UNKNOWN_DE, SIZE_UNKNOWN_EN,
                            conflicted_present, formula, left_off)
    need = _fallback_need(fallback or "none", statutory_members, conflicted)
    if need is None:
        need = FORMULAS[formula](statutory_members, conflicted)
    elif rule in STATES:  # the fallback rests on its own sentence of the law
        source = STATES[rule].rules["quorum_conflict_fallback"].citation
    quorate = counted >= need.required
    verdict = ("beschlussfähig", "quorate") if quorate else (
        "nicht beschlussfähig", "not quorate")
    without = _without(conflicted_present, left_off, left_off_source)
    cite = f" ({source})" if source else ""
    de = (f"Das Gremium ist {verdict[0]}: {counted} von {statutory_members} Mitgliedern sind "
          f"anwesend{without[0]}; nötig sind {need.de}, also mindestens {need.required}{cite}.")
    en = (f"The body is {verdict[1]}: {counted} of {statutory_members} members are present"
          f"{without[1]}; needed are {need.en}, that is at least {need.required}{cite}.")
    return QuorumResult(quorate, counted, need.required, statutory_members, rule, de, en,
                        conflicted_present, formula, left_off)


def _without(conflicted_present: int, left_off: int, source: str) -> tuple[str, str]:
    """The German and English note on who does not count for this item or ballot."""
    de, en = [], []
    if conflicted_present:
        de.append(f"ohne {conflicted_present} befangene")
        en.append(f"not counting {conflicted_present} with a conflict of interest")
    if left_off:
        cite = f", {source}" if source else ""
        one = left_off == 1
        de.append(f"ohne {left_off} per Video "
                  + ("zugeschaltetes Mitglied, das" if one else "zugeschaltete Mitglieder, die")
                  + " an dieser Abstimmung nicht teilnehmen "
                  + ("darf" if one else "dürfen") + cite)
        en.append(f"not counting {left_off} member{'' if one else 's'} connected by video who "
                  f"may not take part in this vote{cite}")
    if not de:
        return "", ""
    return f" ({'; '.join(de)})", f" ({'; '.join(en)})"
