"""Opening, closing and reading polls; each write is one transaction with its audit entries
and its event. Casting is in cast.py, the other life-cycle steps in lifecycle.py."""

from __future__ import annotations

import secrets
import uuid
from collections import Counter
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from ratsraum_common.db import Database
from ratsraum_common.logging import get_logger
from ratsraum_voting import elections, rules
from ratsraum_voting.audit.keys import AuditSigner
from ratsraum_voting.errors import Reason, VotingError
from ratsraum_voting.events import emit_poll_closed, emit_poll_opened
from ratsraum_voting.polls import audit_log as audit
from ratsraum_voting.polls import repository as repo
from ratsraum_voting.polls.models import Poll, RollEntry
from ratsraum_voting.polls.schemas import (
    ABSTAIN,
    NO,
    YES,
    OpenPollCommand,
    OptionCount,
    OptionSpec,
    PollKind,
    PollState,
    PollView,
    ResultView,
    VoteMethod,
)
from ratsraum_voting.polls.wire import poll_to_proto

log = get_logger(__name__)
CLOSED_STATES = (PollState.CLOSED, PollState.PUBLISHED)


def not_found(poll_id: str) -> VotingError:
    """Same answer for another town's poll as for none at all: nothing leaks across tenants."""
    return VotingError(Reason.POLL_NOT_FOUND, f"Abstimmung {poll_id} gibt es nicht.")


def not_open(poll: Poll) -> VotingError:
    """The refusal for a poll that no longer takes ballots."""
    state = {
        PollState.CLOSED: "bereits geschlossen", PollState.PUBLISHED: "bereits veröffentlicht",
        PollState.VOID: "ungültig und wird wiederholt",
    }.get(PollState(poll.state), "abgebrochen")
    return VotingError(Reason.POLL_NOT_OPEN, f"Die Abstimmung ist {state}.")


def options_of(poll: Poll) -> tuple[OptionSpec, ...]:
    """The options offered in a poll."""
    return tuple(OptionSpec(o["id"], o["label"]) for o in poll.options)


def _result_view(poll: Poll, ballots: list[tuple[str, str]]) -> ResultView | None:
    stored = poll.result
    if PollState(poll.state) not in CLOSED_STATES or stored is None:
        return None
    return ResultView(
        counts=tuple(OptionCount(**c) for c in stored["counts"]),
        accepted=bool(stored["accepted"]), rule=rules.Rule(poll.majority_rule),
        explanation=str(stored["explanation"]), roll_size=int(stored["roll_size"]),
        ballots_cast=int(stored["ballots_cast"]),
        named_votes=(
            tuple(ballots)
            if poll.method == VoteMethod.ROLL_CALL and not poll.show_of_hands else ()
        ),
        show_of_hands=bool(stored.get("show_of_hands", False)),
        election=stored.get("election"), audit=stored.get("audit"),
    )


def view(poll: Poll, ballots: list[tuple[str, str]]) -> PollView:
    """The view of a poll from its row and current ballots; choices only once closed."""
    return PollView(
        tenant=poll.tenant_id, poll_id=poll.poll_id, meeting_id=poll.meeting_id,
        agenda_item_id=poll.agenda_item_id, title=poll.title, method=VoteMethod(poll.method),
        rule=rules.Rule(poll.majority_rule), options=options_of(poll),
        state=PollState(poll.state), roll_size=poll.roll_size, ballots_cast=len(ballots),
        voted=tuple(sorted(voter for voter, _ in ballots)), result=_result_view(poll, ballots),
        opened_at=poll.opened_at, closed_at=poll.closed_at, public=poll.public,
        kind=PollKind(poll.kind or PollKind.MOTION), cancel_reason=poll.cancel_reason,
        void_reason=poll.void_reason, rerun_of=poll.rerun_of,
        rerun_poll_id=poll.rerun_poll_id, runoff_of=poll.runoff_of,
    )


async def insert_poll(session: AsyncSession, command: OpenPollCommand) -> Poll:
    """Add a new open poll with its roll and its `opened` audit entry (caller commits)."""
    if await repo.get_poll(session, poll_id=command.poll_id) is not None:
        raise VotingError(
            Reason.POLL_ALREADY_EXISTS,
            f"Die Abstimmung {command.poll_id} wurde bereits eröffnet.",
        )
    poll = Poll(
        id=str(uuid.uuid4()), tenant_id=command.tenant, poll_id=command.poll_id,
        meeting_id=command.meeting_id, agenda_item_id=command.agenda_item_id,
        title=command.title, method=command.method.value, majority_rule=command.rule.value,
        options=[{"id": o.id, "label": o.label} for o in command.options],
        statutory_members=command.statutory_members, public=command.public,
        roll_size=len(command.roll), state=PollState.OPEN.value, opened_at=datetime.now(UTC),
        kind=command.kind.value, rerun_of=command.rerun_of, runoff_of=command.runoff_of,
        show_of_hands=False,
    )
    session.add(poll)
    await session.flush()
    session.add_all(RollEntry(poll_pk=poll.id, voter_id=v) for v in command.roll)
    await audit.append(session, poll=poll, entries=[("opened", {
        "tenant": poll.tenant_id, "poll_id": poll.poll_id, "title": poll.title,
        "method": poll.method, "kind": poll.kind, "rule": poll.majority_rule,
        "options": poll.options, "statutory_members": poll.statutory_members,
        "roll": sorted(command.roll), "rerun_of": poll.rerun_of, "runoff_of": poll.runoff_of,
    })])
    emit_poll_opened(session, poll=poll_to_proto(view(poll, [])))
    return poll


async def open_poll(*, db: Database, command: OpenPollCommand) -> PollView:
    """Store a new poll with its roll and stage `poll.opened`; a taken id is refused."""
    try:
        async with db.transaction(command.tenant) as session:
            poll = await insert_poll(session, command)
            opened = view(poll, [])
    except IntegrityError:
        # A concurrent open with the same id won the unique constraint.
        raise VotingError(
            Reason.POLL_ALREADY_EXISTS,
            f"Die Abstimmung {command.poll_id} wurde bereits eröffnet.",
        ) from None
    log.info("poll.opened", tenant=command.tenant, poll_id=command.poll_id,
             method=command.method.value, roll_size=len(command.roll))
    return opened


def _election(poll: Poll, per_option: Counter[str]) -> dict[str, Any]:
    """Decide an election round; a tie commits to a lot seed (revealed by DrawLot)."""
    counts = {o.id: per_option.get(o.id, 0) for o in options_of(poll) if o.id != ABSTAIN}
    runoff = poll.runoff_of is not None
    decision = (elections.runoff_round if runoff else elections.first_round)(counts)
    result: dict[str, Any] = {
        "status": decision.status.value, "elected": decision.elected,
        "runoff": list(decision.runoff), "lot_among": list(decision.lot_among),
        "lot_places": decision.lot_places, "round": 2 if runoff else 1,
        "explanation": decision.explanation,
    }
    if decision.status is elections.Status.LOT_PENDING:
        seed = secrets.token_bytes(32)
        poll.lot_seed = seed.hex()
        result["lot_commitment"] = elections.commitment(seed)
    return result


def tally(poll: Poll, ballots: list[tuple[str, str]]) -> dict[str, Any]:
    """Count the ballots per option and apply the poll's rule (stored as JSON)."""
    return tally_counts(poll, Counter(option for _, option in ballots), len(ballots))


def tally_counts(poll: Poll, per_option: Counter[str], ballots_cast: int) -> dict[str, Any]:
    """Apply the poll's rule to counts per option (ballots or a show of hands)."""
    counts = [
        {"option_id": o.id, "label": o.label, "count": per_option.get(o.id, 0)}
        for o in options_of(poll)
    ]
    base = {"counts": counts, "roll_size": poll.roll_size, "ballots_cast": ballots_cast,
            "rule": poll.majority_rule, "show_of_hands": bool(poll.show_of_hands),
            "statutory_members": poll.statutory_members}
    if poll.kind == PollKind.ELECTION:
        election = _election(poll, per_option)
        return {**base, "accepted": election["status"] == "elected",
                "explanation": election["explanation"], "election": election}
    decision = rules.decide(
        rules.Rule(poll.majority_rule),
        rules.Tally(yes=per_option.get(YES, 0), no=per_option.get(NO, 0),
                    abstain=per_option.get(ABSTAIN, 0)),
        statutory_members=poll.statutory_members,
    )
    return {**base, "accepted": decision.accepted, "explanation": decision.explanation}


async def seal(
    session: AsyncSession, *, poll: Poll, signer: AuditSigner,
    entries: list[tuple[str, dict[str, Any]]],
) -> None:
    """Chain the entries, sign the new head and store it with the result."""
    head = await audit.append(session, poll=poll, entries=entries)
    if poll.result is not None:
        poll.result = {**poll.result, "audit": audit.sign_head(signer, poll=poll, head=head)}


async def close_poll(
    *, db: Database, signer: AuditSigner, tenant: str, poll_id: str, closed_by: str
) -> tuple[PollView, bool]:
    """Close, tally, seal the audit chain and stage `poll.closed`; repeated closes answer.

    Returns the view and whether this call closed it (False for a repeated close).
    """
    async with db.transaction(tenant) as session:
        poll = await repo.get_poll(session, poll_id=poll_id, lock="update")
        if poll is None:
            raise not_found(poll_id)
        ballots = await repo.ballots(session, poll_pk=poll.id)
        if PollState(poll.state) in CLOSED_STATES:
            return view(poll, ballots), False
        if poll.state != PollState.OPEN:
            raise not_open(poll)
        poll.result = tally(poll, ballots)
        poll.state = PollState.CLOSED.value
        poll.closed_at = datetime.now(UTC)
        poll.closed_by = closed_by or None
        entries = await audit.ballot_entries(session, poll=poll)
        entries.append(("closed", {"closed_by": closed_by, "ballots_cast": len(ballots)}))
        entries.append(("result", _result_body(poll, ballots)))
        await seal(session, poll=poll, signer=signer, entries=entries)
        closed = view(poll, ballots)
        emit_poll_closed(session, poll=poll_to_proto(closed))
    log.info("poll.closed", tenant=tenant, poll_id=poll_id, accepted=closed.result is not None
             and closed.result.accepted, ballots_cast=closed.ballots_cast)
    return closed, True


def _result_body(poll: Poll, ballots: list[tuple[str, str]]) -> dict[str, Any]:
    """The `result` audit entry: the stored result plus names for roll-call votes."""
    body = dict(poll.result or {})
    if poll.method == VoteMethod.ROLL_CALL and not poll.show_of_hands:
        body["named_votes"] = [[voter, option] for voter, option in ballots]
    return body


async def get_poll(*, db: Database, tenant: str, poll_id: str) -> PollView:
    """The poll as callers may see it now."""
    async with db.tenant_session(tenant) as session:
        poll = await repo.get_poll(session, poll_id=poll_id)
        if poll is None:
            raise not_found(poll_id)
        return view(poll, await repo.ballots(session, poll_pk=poll.id))
