"""Secret polls on the wire: SecretPoll / SecretResult / Poll messages and their events."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from ratsraum.voting.v1 import events_pb2, secret_pb2, voting_pb2
from ratsraum_common.outbox import add_event
from ratsraum_voting.events import (
    LOT_DRAWN,
    POLL_CANCELLED,
    POLL_CLOSED,
    POLL_OPENED,
    SERVICE,
    OutboxMessage,
)
from ratsraum_voting.polls.wire import RULES, election_to_proto, set_timestamp
from ratsraum_voting.rules import Rule
from ratsraum_voting.secret.models import SecretPoll

OPEN, CLOSING, CLOSED, CANCELLED, VOID = "open", "closing", "closed", "cancelled", "void"
STATES = {OPEN: voting_pb2.POLL_STATE_OPEN, CLOSING: voting_pb2.POLL_STATE_OPEN,
          CLOSED: voting_pb2.POLL_STATE_CLOSED, CANCELLED: voting_pb2.POLL_STATE_CANCELLED,
          VOID: voting_pb2.POLL_STATE_VOID}
KINDS = {"motion": voting_pb2.POLL_KIND_MOTION, "election": voting_pb2.POLL_KIND_ELECTION}


def _guardian_id(record_json: str) -> str:
    return str(json.loads(record_json)["guardian_id"])


def _counts(result: dict[str, Any]) -> list[voting_pb2.OptionCount]:
    return [voting_pb2.OptionCount(option_id=c["option_id"], label=c["label"],
                                   count=c["count"]) for c in result.get("counts", [])]


def _result(poll: SecretPoll) -> voting_pb2.Result:
    result = poll.result or {}
    message = voting_pb2.Result(
        counts=_counts(result),
        outcome=voting_pb2.OUTCOME_ACCEPTED if result.get("accepted")
        else voting_pb2.OUTCOME_REJECTED,
        rule=RULES[Rule(poll.majority_rule)], explanation=result.get("explanation", ""),
        roll_size=result.get("roll_size", 0), ballots_cast=result.get("ballots_cast", 0),
    )
    if result.get("election"):
        message.election.CopyFrom(election_to_proto(result["election"]))
    audit = result.get("audit")
    if audit:
        message.audit_head, message.audit_signature, message.audit_public_key = (
            audit["head"], audit["signature"], audit["public_key"])
    return message


def generic_poll(poll: SecretPoll, *, roll_size: int, voted: list[str]) -> voting_pb2.Poll:
    """The Poll message any method has: state, who voted (never what), reasons, result."""
    message = voting_pb2.Poll(
        tenant=poll.tenant_id, poll_id=poll.poll_id, meeting_id=poll.meeting_id,
        agenda_item_id=poll.agenda_item_id, title=poll.title,
        method=voting_pb2.VOTE_METHOD_SECRET, majority_rule=RULES[Rule(poll.majority_rule)],
        options=[voting_pb2.Option(id=o[0], label=o[1]) for o in poll.options],
        state=STATES[poll.state], roll_size=roll_size, ballots_cast=poll.ballots_cast,
        voted=voted, public=poll.public, kind=KINDS.get(poll.kind, voting_pb2.POLL_KIND_MOTION),
        cancel_reason=poll.cancel_reason or "", void_reason=poll.void_reason or "",
        rerun_of=poll.rerun_of or "", rerun_poll_id=poll.rerun_poll_id or "",
        runoff_of=poll.runoff_of or "",
    )
    set_timestamp(message.opened_at, poll.opened_at)
    if poll.closed_at is not None:
        set_timestamp(message.closed_at, poll.closed_at)
    if poll.state == CLOSED and poll.result:
        message.result.CopyFrom(_result(poll))
    return message


def poll_to_proto(poll: SecretPoll, *, roll_size: int,
                  voted: list[str] | None = None) -> secret_pb2.SecretPoll:
    """The SecretPoll message devices and meeting read."""
    return secret_pb2.SecretPoll(
        tenant=poll.tenant_id, poll_id=poll.poll_id, state=STATES[poll.state],
        manifest_json=poll.manifest_json, context_json=poll.context_json,
        roll_size=roll_size, ballots_cast=poll.ballots_cast,
        guardians=[_guardian_id(g) for g in poll.guardians],
        quorum=len(poll.guardians) // 2 + 1,
        poll=generic_poll(poll, roll_size=roll_size, voted=voted or []),
        record_sha256=poll.record_sha256 or "",
    )


def result_to_proto(poll: SecretPoll, *, voted: list[str]) -> secret_pb2.SecretResult:
    """The SecretResult of a closed poll."""
    result = _result(poll)
    return secret_pb2.SecretResult(
        poll_id=poll.poll_id, counts=result.counts, outcome=result.outcome,
        rule=result.rule, explanation=result.explanation, roll_size=result.roll_size,
        ballots_cast=result.ballots_cast, record_sha256=poll.record_sha256 or "",
        voted=voted, poll=generic_poll(poll, roll_size=result.roll_size, voted=voted),
    )


def _emit(session: AsyncSession, poll: SecretPoll, event: str, payload: Any) -> str:
    return add_event(session, OutboxMessage, tenant=poll.tenant_id, service=SERVICE,
                     event_name=event, payload=payload)


def emit_secret_opened(session: AsyncSession, *, poll: SecretPoll, roll_size: int) -> str:
    """Stage poll.opened (like open polls: meeting pushes it to the members' screens)."""
    return _emit(session, poll, POLL_OPENED, events_pb2.PollOpened(
        poll=generic_poll(poll, roll_size=roll_size, voted=[])))


def emit_secret_cancelled(session: AsyncSession, *, poll: SecretPoll, roll_size: int) -> str:
    """Stage poll.cancelled (withdrawn, or void because it is re-run)."""
    return _emit(session, poll, POLL_CANCELLED, events_pb2.PollCancelled(
        poll=generic_poll(poll, roll_size=roll_size, voted=[])))


def emit_secret_lot_drawn(session: AsyncSession, *, poll: SecretPoll, roll_size: int) -> str:
    """Stage poll.lot_drawn (commitment, revealed seed, drawn candidates)."""
    return _emit(session, poll, LOT_DRAWN, events_pb2.LotDrawn(
        poll=generic_poll(poll, roll_size=roll_size, voted=[])))


def emit_secret_closed(session: AsyncSession, *, poll: SecretPoll, voted: list[str]) -> str:
    """Stage poll.closed: a Poll with the result (wire-compatible) plus the record's SHA-256."""
    result = result_to_proto(poll, voted=voted)
    return _emit(session, poll, POLL_CLOSED, secret_pb2.SecretPollClosed(
        poll=result.poll, record_sha256=poll.record_sha256 or ""))
