"""Secret polls on the wire: SecretPoll / SecretResult messages and the poll.closed event."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from ratsraum.voting.v1 import secret_pb2, voting_pb2
from ratsraum_common.outbox import add_event
from ratsraum_voting.events import POLL_CLOSED, SERVICE, OutboxMessage
from ratsraum_voting.polls.wire import RULES
from ratsraum_voting.rules import Rule
from ratsraum_voting.secret.models import SecretPoll

STATES = {"open": voting_pb2.POLL_STATE_OPEN, "closing": voting_pb2.POLL_STATE_OPEN,
          "closed": voting_pb2.POLL_STATE_CLOSED}


def poll_to_proto(poll: SecretPoll, *, roll_size: int) -> secret_pb2.SecretPoll:
    """The SecretPoll message devices and meeting read."""
    return secret_pb2.SecretPoll(
        tenant=poll.tenant_id, poll_id=poll.poll_id, state=STATES[poll.state],
        manifest_json=poll.manifest_json, context_json=poll.context_json,
        roll_size=roll_size, ballots_cast=poll.ballots_cast,
        guardians=[_guardian_id(g) for g in poll.guardians],
    )


def _guardian_id(record_json: str) -> str:
    return str(json.loads(record_json)["guardian_id"])


def _counts(result: dict[str, Any]) -> list[voting_pb2.OptionCount]:
    return [voting_pb2.OptionCount(option_id=c["option_id"], label=c["label"],
                                   count=c["count"]) for c in result["counts"]]


def result_to_proto(poll: SecretPoll, *, voted: list[str]) -> secret_pb2.SecretResult:
    """The SecretResult of a closed poll."""
    result = poll.result or {}
    return secret_pb2.SecretResult(
        poll_id=poll.poll_id, counts=_counts(result),
        outcome=voting_pb2.OUTCOME_ACCEPTED if result.get("accepted")
        else voting_pb2.OUTCOME_REJECTED,
        rule=RULES[Rule(poll.majority_rule)], explanation=result.get("explanation", ""),
        roll_size=result.get("roll_size", 0), ballots_cast=result.get("ballots_cast", 0),
        record_sha256=poll.record_sha256 or "", voted=voted,
    )


def emit_secret_closed(session: AsyncSession, *, tenant: str, poll: SecretPoll,
                       voted: list[str]) -> str:
    """Stage poll.closed: a Poll with the result (wire-compatible) plus the record's SHA-256."""
    result = result_to_proto(poll, voted=voted)
    message = voting_pb2.Poll(
        tenant=tenant, poll_id=poll.poll_id, meeting_id=poll.meeting_id, title=poll.title,
        method=voting_pb2.VOTE_METHOD_SECRET, majority_rule=result.rule,
        options=[voting_pb2.Option(id=o[0], label=o[1]) for o in poll.options],
        state=voting_pb2.POLL_STATE_CLOSED, roll_size=result.roll_size,
        ballots_cast=result.ballots_cast, voted=voted,
        result=voting_pb2.Result(counts=result.counts, outcome=result.outcome,
                                 rule=result.rule, explanation=result.explanation,
                                 roll_size=result.roll_size,
                                 ballots_cast=result.ballots_cast),
    )
    return add_event(session, OutboxMessage, tenant=tenant, service=SERVICE,
                     event_name=POLL_CLOSED,
                     payload=secret_pb2.SecretPollClosed(poll=message,
                                                         record_sha256=poll.record_sha256 or ""))
