"""The result of a secret poll from its decrypted tally, decided by the shared rules."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from electionguard.tally import PlaintextTally
from ratsraum_ballot_client.election import CONTEST_ID

from ratsraum_voting import elections, rules

ABSTAIN = "abstain"


def counts_from_tally(tally: PlaintextTally) -> dict[str, int]:
    """Votes per option id from ElectionGuard's plaintext tally."""
    contest = tally.contests[CONTEST_ID]
    return {sid: int(sel.tally) for sid, sel in contest.selections.items()}


def election_result(
    counts: Mapping[str, int], *, runoff: bool, lot_commitment: str | None
) -> dict[str, Any]:
    """An election round decided from the counts (abstentions do not count).

    A tie needs a lot: its seed is drawn at close and only the seed's SHA-256 (the
    commitment) is published with the result, so the record does not depend on the seed.
    """
    decision = (elections.runoff_round if runoff else elections.first_round)(
        {o: n for o, n in counts.items() if o != ABSTAIN})
    return {
        "status": decision.status.value, "elected": decision.elected,
        "runoff": list(decision.runoff), "lot_among": list(decision.lot_among),
        "lot_places": decision.lot_places, "round": 2 if runoff else 1,
        "explanation": decision.explanation,
        **({"lot_commitment": lot_commitment}
           if decision.status is elections.Status.LOT_PENDING else {}),
    }


def poll_result(
    *, poll_id: str, title: str, options: Sequence[tuple[str, str]], rule: str,
    statutory_members: int | None, roll_size: int, counts: Mapping[str, int],
    kind: str = "motion", runoff: bool = False, lot_commitment: str | None = None,
) -> dict[str, Any]:
    """The poll with counts, outcome and explanation, as published in the record."""
    base: dict[str, Any] = {
        "poll_id": poll_id, "title": title, "rule": rule,
        "statutory_members": statutory_members, "roll_size": roll_size,
        "ballots_cast": sum(counts.values()),
        "counts": [{"option_id": o, "label": label, "count": counts.get(o, 0)}
                   for o, label in options],
    }
    if kind == "election":
        election = election_result(counts, runoff=runoff, lot_commitment=lot_commitment)
        return {**base, "kind": kind, "election": election,
                "accepted": election["status"] == "elected",
                "explanation": election["explanation"]}
    decision = rules.decide(
        rules.Rule(rule),
        rules.Tally(yes=counts.get("yes", 0), no=counts.get("no", 0),
                    abstain=counts.get(ABSTAIN, 0)),
        statutory_members=statutory_members,
    )
    return {**base, "accepted": decision.accepted, "explanation": decision.explanation}
