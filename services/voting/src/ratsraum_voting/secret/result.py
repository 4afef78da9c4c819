"""The result of a secret poll from its decrypted tally, decided by the shared rules."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from electionguard.tally import PlaintextTally
from ratsraum_ballot_client.election import CONTEST_ID

from ratsraum_voting import rules


def counts_from_tally(tally: PlaintextTally) -> dict[str, int]:
    """Votes per option id from ElectionGuard's plaintext tally."""
    contest = tally.contests[CONTEST_ID]
    return {sid: int(sel.tally) for sid, sel in contest.selections.items()}


def poll_result(
    *, poll_id: str, title: str, options: Sequence[tuple[str, str]], rule: str,
    statutory_members: int | None, roll_size: int, counts: Mapping[str, int],
) -> dict[str, Any]:
    """The poll with counts, outcome and explanation, as published in the record."""
    decision = rules.decide(
        rules.Rule(rule),
        rules.Tally(yes=counts.get("yes", 0), no=counts.get("no", 0),
                    abstain=counts.get("abstain", 0)),
        statutory_members=statutory_members,
    )
    return {
        "poll_id": poll_id, "title": title, "rule": rule,
        "statutory_members": statutory_members, "roll_size": roll_size,
        "ballots_cast": sum(counts.values()),
        "counts": [{"option_id": o, "label": label, "count": counts.get(o, 0)}
                   for o, label in options],
        "accepted": decision.accepted, "explanation": decision.explanation,
    }
