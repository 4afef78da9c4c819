"""Translation between poll views and the ratsraum.voting.v1 proto messages."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from ratsraum.voting.v1 import voting_pb2
from ratsraum_voting.polls.schemas import PollState, PollView, ResultView, VoteMethod
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
}
METHODS_FROM_WIRE = {v: k for k, v in METHODS.items()}
RULES_FROM_WIRE = {v: k for k, v in RULES.items()}
STATES = {
    PollState.OPEN: voting_pb2.POLL_STATE_OPEN,
    PollState.CLOSED: voting_pb2.POLL_STATE_CLOSED,
    PollState.CANCELLED: voting_pb2.POLL_STATE_CANCELLED,
}


def set_timestamp(field: Any, moment: datetime) -> None:
    """Fill a proto Timestamp field; naive datetimes (SQLite drops the zone) are UTC."""
    field.FromDatetime(moment if moment.tzinfo else moment.replace(tzinfo=UTC))


def result_to_proto(result: ResultView) -> voting_pb2.Result:
    """The proto Result of a closed poll."""
    return voting_pb2.Result(
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
    )


def poll_to_proto(view: PollView) -> voting_pb2.Poll:
    """The proto Poll; the result only when the view carries one (closed polls)."""
    message = voting_pb2.Poll(
        tenant=view.tenant, poll_id=view.poll_id, meeting_id=view.meeting_id,
        agenda_item_id=view.agenda_item_id, title=view.title, method=METHODS[view.method],
        majority_rule=RULES[view.rule],
        options=[voting_pb2.Option(id=o.id, label=o.label) for o in view.options],
        state=STATES[view.state], roll_size=view.roll_size, ballots_cast=view.ballots_cast,
        voted=list(view.voted), public=view.public,
    )
    set_timestamp(message.opened_at, view.opened_at)
    if view.closed_at is not None:
        set_timestamp(message.closed_at, view.closed_at)
    if view.result is not None:
        message.result.CopyFrom(result_to_proto(view.result))
    return message
