"""Translation between poll views and the ratsraum.voting.v1 proto messages."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from ratsraum.voting.v1 import voting_pb2
from ratsraum_voting.polls.schemas import PollKind, PollState, PollView, ResultView, VoteMethod
from ratsraum_voting.rules import Rule

METHODS = {
    VoteMethod.OPEN: voting_pb2.VOTE_METHOD_OPEN,
    VoteMethod.ROLL_CALL: voting_pb2.VOTE_METHOD_ROLL_CALL,
}
RULES = {
    Rule.SIMPLE: voting_pb2.MAJORITY_RULE_SIMPLE,
    Rule.TWO_THIRDS_OF_CAST: voting_pb2.MAJORITY_RULE_TWO_THIRDS_OF_CAST,
    Rule.MAJORITY_OF_STATUTORY: voting_pb2.MAJORITY_RULE_MAJORITY_OF_STATUTORY,
    Rule.TWO_THIRDS_OF_STATUTORY: voting_pb2.MAJORITY_RULE_TWO_THIRDS_OF_STATUTORY,
    Rule.ELECTION: voting_pb2.MAJORITY_RULE_ELECTION,
}
METHODS_FROM_WIRE = {v: k for k, v in METHODS.items()}
RULES_FROM_WIRE = {v: k for k, v in RULES.items()}
STATES = {
    PollState.OPEN: voting_pb2.POLL_STATE_OPEN,
    PollState.CLOSED: voting_pb2.POLL_STATE_CLOSED,
    PollState.CANCELLED: voting_pb2.POLL_STATE_CANCELLED,
    PollState.PUBLISHED: voting_pb2.POLL_STATE_PUBLISHED,
    PollState.VOID: voting_pb2.POLL_STATE_VOID,
}
KINDS = {
    PollKind.MOTION: voting_pb2.POLL_KIND_MOTION,
    PollKind.ELECTION: voting_pb2.POLL_KIND_ELECTION,
}
ELECTION_STATUS = {
    "elected": voting_pb2.ELECTION_STATUS_ELECTED, "runoff": voting_pb2.ELECTION_STATUS_RUNOFF,
    "lot_pending": voting_pb2.ELECTION_STATUS_LOT_PENDING,
    "none": voting_pb2.ELECTION_STATUS_NONE,
}


def election_to_proto(election: dict[str, Any]) -> voting_pb2.ElectionResult:
    """The proto ElectionResult from the stored election JSON."""
    return voting_pb2.ElectionResult(
        status=ELECTION_STATUS[election["status"]], elected=election.get("elected") or "",
        runoff=election.get("runoff", []), lot_among=election.get("lot_among", []),
        lot_places=election.get("lot_places", 0),
        lot_commitment=election.get("lot_commitment", ""),
        lot_seed=election.get("lot_seed", ""), lot_drawn=election.get("lot_drawn", []),
        round=election.get("round", 1),
    )


def set_timestamp(field: Any, moment: datetime) -> None:
    """Fill a proto Timestamp field; naive datetimes (SQLite drops the zone) are UTC."""
    field.FromDatetime(moment if moment.tzinfo else moment.replace(tzinfo=UTC))


def result_to_proto(result: ResultView) -> voting_pb2.Result:
    """The proto Result of a closed poll."""
    message = voting_pb2.Result(
        counts=[
            voting_pb2.OptionCount(option_id=c.option_id, label=c.label, count=c.count)
            for c in result.counts
        ],
        outcome=voting_pb2.OUTCOME_ACCEPTED if result.accepted else voting_pb2.OUTCOME_REJECTED,
        rule=RULES[result.rule],
        explanation=result.explanation,
        roll_size=result.roll_size,
        ballots_cast=result.ballots_cast,
        named_votes=[
            voting_pb2.NamedVote(voter_id=voter, option_id=option)
            for voter, option in result.named_votes
        ],
        show_of_hands=result.show_of_hands,
    )
    if result.election is not None:
        message.election.CopyFrom(election_to_proto(result.election))
    if result.audit is not None:
        message.audit_head = result.audit["head"]
        message.audit_signature = result.audit["signature"]
        message.audit_public_key = result.audit["public_key"]
    return message


def poll_to_proto(view: PollView) -> voting_pb2.Poll:
    """The proto Poll; the result only when the view carries one (closed polls)."""
    message = voting_pb2.Poll(
        tenant=view.tenant, poll_id=view.poll_id, meeting_id=view.meeting_id,
        agenda_item_id=view.agenda_item_id, title=view.title, method=METHODS[view.method],
        majority_rule=RULES[view.rule],
        options=[voting_pb2.Option(id=o.id, label=o.label) for o in view.options],
        state=STATES[view.state], roll_size=view.roll_size, ballots_cast=view.ballots_cast,
        voted=list(view.voted), public=view.public, kind=KINDS[view.kind],
        cancel_reason=view.cancel_reason or "", void_reason=view.void_reason or "",
        rerun_of=view.rerun_of or "", rerun_poll_id=view.rerun_poll_id or "",
        runoff_of=view.runoff_of or "",
    )
    set_timestamp(message.opened_at, view.opened_at)
    if view.closed_at is not None:
        set_timestamp(message.closed_at, view.closed_at)
    if view.result is not None:
        message.result.CopyFrom(result_to_proto(view.result))
    return message
