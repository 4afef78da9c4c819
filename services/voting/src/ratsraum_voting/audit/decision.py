"""Re-deciding a poll from its counts: the majority rule, the election rule, a drawn lot."""

from __future__ import annotations

from collections import Counter
from typing import Any

from ratsraum_voting import elections, rules


def decision_problems(
    result: dict[str, Any], counts: Counter[str], problems: list[str]
) -> None:
    """Add a problem when the stated outcome does not follow from the counts (and the lot)."""
    if result.get("election"):
        election = result["election"]
        candidates = {c["option_id"]: counts[c["option_id"]] for c in result["counts"]
                      if c["option_id"] != "abstain"}
        rule = elections.runoff_round if election.get("round") == 2 else elections.first_round
        decided = rule(candidates)
        if election.get("lot_drawn"):
            ok = elections.verify_lot(
                commitment_hex=election["lot_commitment"], seed_hex=election["lot_seed"],
                candidates=election["lot_among"], places=election["lot_places"],
                drawn=election["lot_drawn"],
            )
            if not ok or decided.status is not elections.Status.LOT_PENDING:
                problems.append("the lot does not follow from its committed seed")
            return
        if decided.status.value != election["status"] or decided.elected != election["elected"]:
            problems.append("the election outcome does not follow from the counts")
        return
    decided_motion = rules.decide(
        rules.Rule(result["rule"]),
        rules.Tally(yes=counts["yes"], no=counts["no"], abstain=counts["abstain"]),
        statutory_members=result.get("statutory_members"),
    )
    if decided_motion.accepted != result["accepted"]:
        problems.append("the outcome does not follow from the counts and the rule")
