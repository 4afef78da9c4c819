"""Election rules as pure functions: absolute majority, runoff of the top two, verifiable lot.

Valid votes are the votes for candidates; abstentions (and invalid ballots) are recorded but
not counted, as for motions. Round one: a candidate with more than half of the valid votes is
elected; otherwise the top two go into a runoff (a lot fills the places when a tie makes the
top two ambiguous). Runoff: most votes wins; a tie is decided by lot.

The lot is verifiable by anyone: at close voting draws a random 32-byte seed and publishes
only its SHA-256 (the commitment); the draw reveals the seed. The lot orders the tied
candidates by SHA-256(seed || 0x00 || candidate id, UTF-8) ascending (hex compare) and takes
the first `places`. Anyone can check that SHA-256(seed) equals the commitment published
before the draw, and recompute the order.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum


class Status(StrEnum):
    """What an election round decided."""

    ELECTED = "elected"
    RUNOFF = "runoff"
    LOT_PENDING = "lot_pending"
    NONE = "none"


@dataclass(frozen=True, slots=True)
class ElectionDecision:
    """The outcome of one election round, with a German explanation."""

    status: Status
    explanation: str
    elected: str | None = None
    runoff: tuple[str, ...] = ()
    lot_among: tuple[str, ...] = ()
    lot_places: int = 0


def _votes(count: int) -> str:
    return f"{count} Stimme" if count == 1 else f"{count} Stimmen"


def _ranked(counts: Mapping[str, int]) -> list[tuple[str, int]]:
    if any(c < 0 for c in counts.values()):
        raise ValueError("counts cannot be negative")
    if len(counts) < 2:
        raise ValueError("an election needs at least two candidates")
    # Ties keep a stable order by id only for display; the lot decides real ties.
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))


def first_round(counts: Mapping[str, int]) -> ElectionDecision:
    """Round one: absolute majority of valid votes, else a runoff between the top two."""
    ranked = _ranked(counts)
    valid = sum(counts.values())
    if valid == 0:
        return ElectionDecision(
            Status.NONE, "Keine gültige Stimme für einen Bewerber abgegeben – niemand gewählt."
        )
    leader, top = ranked[0]
    if 2 * top > valid:
        return ElectionDecision(
            Status.ELECTED,
            f"Gewählt: {leader} mit {_votes(top)} von {valid} gültigen Stimmen – mehr als "
            "die Hälfte (absolute Mehrheit; Enthaltungen zählen nicht).",
            elected=leader,
        )
    second = ranked[1][1]
    sure = tuple(c for c, n in ranked if n > second)
    tied = tuple(c for c, n in ranked if n == second)
    places = 2 - len(sure)
    reason = (
        f"Keine absolute Mehrheit: höchstens {_votes(top)} von {valid} gültigen Stimmen "
        f"(nötig: mehr als {valid // 2})"
    )
    if len(tied) == places:
        runoff = sure + tied
        return ElectionDecision(
            Status.RUNOFF, f"{reason} – Stichwahl zwischen {runoff[0]} und {runoff[1]}.",
            runoff=runoff,
        )
    return ElectionDecision(
        Status.LOT_PENDING,
        f"{reason}; Stimmengleichheit um den Platz in der Stichwahl – das Los entscheidet "
        f"zwischen {', '.join(tied)} ({places} Platz/Plätze).",
        runoff=sure, lot_among=tied, lot_places=places,
    )


def runoff_round(counts: Mapping[str, int]) -> ElectionDecision:
    """Runoff: the candidate with most votes is elected; a tie goes to the lot."""
    ranked = _ranked(counts)
    (leader, top), (_, second) = ranked[0], ranked[1]
    if top > second:
        return ElectionDecision(
            Status.ELECTED,
            f"Gewählt in der Stichwahl: {leader} mit {_votes(top)} gegen {_votes(second)} "
            "(höchste Stimmenzahl; Enthaltungen zählen nicht).",
            elected=leader,
        )
    tied = tuple(c for c, n in ranked if n == top)
    return ElectionDecision(
        Status.LOT_PENDING,
        f"Stimmengleichheit in der Stichwahl ({top}:{second}) – das Los entscheidet "
        f"zwischen {', '.join(tied)}.",
        lot_among=tied, lot_places=1,
    )


def commitment(seed: bytes) -> str:
    """Hex SHA-256 of the seed: published before the draw."""
    return hashlib.sha256(seed).hexdigest()


def lot_order(seed: bytes, candidates: Sequence[str]) -> list[str]:
    """The candidates in the order the seed draws them (deterministic, documented above)."""

    def ticket(candidate: str) -> str:
        return hashlib.sha256(seed + b"\x00" + candidate.encode()).hexdigest()

    return sorted(candidates, key=lambda c: (ticket(c), c))


def draw(seed: bytes, candidates: Sequence[str], places: int) -> tuple[str, ...]:
    """The `places` candidates the lot picks."""
    if not 0 < places <= len(candidates):
        raise ValueError("places must be between 1 and the number of candidates")
    return tuple(lot_order(seed, candidates)[:places])


def verify_lot(
    *, commitment_hex: str, seed_hex: str, candidates: Sequence[str], places: int,
    drawn: Sequence[str],
) -> bool:
    """Whether the revealed seed matches the commitment and yields exactly `drawn`."""
    try:
        seed = bytes.fromhex(seed_hex)
    except ValueError:
        return False
    if commitment(seed) != commitment_hex:
        return False
    return draw(seed, candidates, places) == tuple(drawn)


def after_lot(
    decision: ElectionDecision, drawn: Sequence[str], *, runoff: bool
) -> ElectionDecision:
    """The decision once the lot has picked `drawn` from the tied candidates."""
    names = ", ".join(drawn)
    if runoff:
        return ElectionDecision(
            Status.ELECTED, f"{decision.explanation} Durch Los gewählt: {names}.",
            elected=drawn[0],
        )
    pair = decision.runoff + tuple(drawn)
    return ElectionDecision(
        Status.RUNOFF,
        f"{decision.explanation} Durch Los in die Stichwahl: {names} – Stichwahl zwischen "
        f"{pair[0]} und {pair[1]}.",
        runoff=pair,
    )
