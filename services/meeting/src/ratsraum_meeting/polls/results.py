"""Translation between voting's proto messages and meeting's poll record."""

from __future__ import annotations

from typing import Any

from ratsraum.voting.v1 import voting_pb2
from ratsraum_meeting.timeutil import now, utc

_OUTCOMES = {voting_pb2.OUTCOME_ACCEPTED: "accepted", voting_pb2.OUTCOME_REJECTED: "rejected"}


def method_enum(method: str) -> int:
    """The proto VoteMethod of "open" / "roll_call" (an election is held openly)."""
    if method == "election":
        return int(voting_pb2.VOTE_METHOD_OPEN)
    return int(voting_pb2.VoteMethod.Value(f"VOTE_METHOD_{method.upper()}"))


def majority_enum(rule: str) -> int:
    """The proto MajorityRule of "simple", "two_thirds_of_cast", ..."""
    return int(voting_pb2.MajorityRule.Value(f"MAJORITY_RULE_{rule.upper()}"))


def rule_name(rule: int) -> str:
    """The API name of a proto MajorityRule."""
    name: str = voting_pb2.MajorityRule.Name(rule)
    return name.removeprefix("MAJORITY_RULE_").lower()


def result_record(poll: voting_pb2.Poll, names: dict[str, str]) -> dict[str, Any]:
    """The JSON result meeting keeps: counts, outcome, explanation, named votes, voters."""
    result = poll.result
    counts = {c.option_id: c.count for c in result.counts}
    closed_at = utc(poll.closed_at.ToDatetime()) if poll.HasField("closed_at") else now()
    return {
        "outcome": _OUTCOMES.get(result.outcome, "unknown"),
        "explanation": result.explanation,
        "rule": rule_name(result.rule or poll.majority_rule),
        "yes": counts.get("yes", 0),
        "no": counts.get("no", 0),
        "abstain": counts.get("abstain", 0),
        "counts": [
            {"option_id": c.option_id, "label": c.label, "count": c.count} for c in result.counts
        ],
        "roll_size": result.roll_size or poll.roll_size,
        "ballots_cast": result.ballots_cast or poll.ballots_cast,
        "named_votes": [
            {"person_id": v.voter_id, "name": names.get(v.voter_id, v.voter_id),
             "choice": v.option_id}
            for v in result.named_votes
        ],
        "voted": list(poll.voted),
        "show_of_hands": bool(result.show_of_hands),
        "closed_at": closed_at.isoformat(),
        **({"election": election_record(result.election)}
           if poll.kind == voting_pb2.POLL_KIND_ELECTION else {}),
    }


_STATUS = {voting_pb2.ELECTION_STATUS_ELECTED: "elected",
           voting_pb2.ELECTION_STATUS_RUNOFF: "runoff",
           voting_pb2.ELECTION_STATUS_LOT_PENDING: "lot_pending",
           voting_pb2.ELECTION_STATUS_NONE: "none"}


def election_record(election: voting_pb2.ElectionResult) -> dict[str, Any]:
    """An election round's outcome: elected, runoff, or the lot with commitment and seed."""
    return {
        "status": _STATUS.get(election.status, "unknown"), "elected": election.elected,
        "runoff": list(election.runoff), "lot_among": list(election.lot_among),
        "lot_places": election.lot_places, "lot_commitment": election.lot_commitment,
        "lot_seed": election.lot_seed, "lot_drawn": list(election.lot_drawn),
        "round": election.round,
    }
