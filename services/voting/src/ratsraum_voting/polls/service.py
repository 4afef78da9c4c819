"""Opening, casting, closing and reading polls; each write is one transaction with its event."""

from __future__ import annotations

import uuid
from collections import Counter
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.exc import IntegrityError

from ratsraum_common.db import Database
from ratsraum_common.logging import get_logger
from ratsraum_voting import rules
from ratsraum_voting.errors import Reason, VotingError
from ratsraum_voting.events import emit_poll_closed, emit_poll_opened
from ratsraum_voting.polls import repository as repo
from ratsraum_voting.polls.models import CastRequest, Poll, RollEntry
from ratsraum_voting.polls.schemas import (
    ABSTAIN,
    NO,
    YES,
    CastCommand,
    CastOutcome,
    OpenPollCommand,
    OptionCount,
    OptionSpec,
    PollState,
    PollView,
    ResultView,
    VoteMethod,
)
from ratsraum_voting.polls.wire import poll_to_proto

log = get_logger(__name__)
_CAST_ATTEMPTS = 3


def _not_found(poll_id: str) -> VotingError:
    # Same answer for another town's poll as for none at all: nothing leaks across tenants.
    return VotingError(Reason.POLL_NOT_FOUND, f"Abstimmung {poll_id} gibt es nicht.")


def _not_open(poll: Poll) -> VotingError:
    state = "bereits geschlossen" if poll.state == PollState.CLOSED else "abgebrochen"
    return VotingError(Reason.POLL_NOT_OPEN, f"Die Abstimmung ist {state}.")


def _options(poll: Poll) -> tuple[OptionSpec, ...]:
    return tuple(OptionSpec(o["id"], o["label"]) for o in poll.options)


def _view(poll: Poll, ballots: list[tuple[str, str]]) -> PollView:
    """The view of a poll from its row and current ballots; choices only once closed."""
    result = None
    if poll.state == PollState.CLOSED and poll.result is not None:
        stored = poll.result
        result = ResultView(
            counts=tuple(OptionCount(**c) for c in stored["counts"]),
            accepted=bool(stored["accepted"]),
            rule=rules.Rule(poll.majority_rule),
            explanation=str(stored["explanation"]),
            roll_size=int(stored["roll_size"]),
            ballots_cast=int(stored["ballots_cast"]),
            named_votes=tuple(ballots) if poll.method == VoteMethod.ROLL_CALL else (),
        )
    return PollView(
        tenant=poll.tenant_id, poll_id=poll.poll_id, meeting_id=poll.meeting_id,
        agenda_item_id=poll.agenda_item_id, title=poll.title, method=VoteMethod(poll.method),
        rule=rules.Rule(poll.majority_rule), options=_options(poll),
        state=PollState(poll.state), roll_size=poll.roll_size, ballots_cast=len(ballots),
        voted=tuple(sorted(voter for voter, _ in ballots)), result=result,
        opened_at=poll.opened_at, closed_at=poll.closed_at, public=poll.public,
    )


async def open_poll(*, db: Database, command: OpenPollCommand) -> PollView:
    """Store a new poll with its roll and stage `poll.opened`; a taken id is refused."""
    taken = VotingError(
        Reason.POLL_ALREADY_EXISTS, f"Die Abstimmung {command.poll_id} wurde bereits eröffnet."
    )
    try:
        async with db.transaction(command.tenant) as session:
            if await repo.get_poll(session, poll_id=command.poll_id) is not None:
                raise taken
            poll = Poll(
                id=str(uuid.uuid4()), tenant_id=command.tenant, poll_id=command.poll_id,
                meeting_id=command.meeting_id, agenda_item_id=command.agenda_item_id,
                title=command.title, method=command.method.value,
                majority_rule=command.rule.value,
                options=[{"id": o.id, "label": o.label} for o in command.options],
                statutory_members=command.statutory_members, public=command.public,
                roll_size=len(command.roll), state=PollState.OPEN.value,
                opened_at=datetime.now(UTC),
            )
            session.add(poll)
            await session.flush()
            session.add_all(RollEntry(poll_pk=poll.id, voter_id=v) for v in command.roll)
            view = _view(poll, [])
            emit_poll_opened(session, poll=poll_to_proto(view))
    except IntegrityError:
        # A concurrent open with the same id won the unique constraint.
        raise taken from None
    log.info("poll.opened", tenant=command.tenant, poll_id=command.poll_id,
             method=command.method.value, roll_size=len(command.roll))
    return view


async def cast_ballot(*, db: Database, command: CastCommand) -> CastOutcome:
    """Record the voter's current ballot; a retry with the same key answers as the first."""
    for attempt in range(1, _CAST_ATTEMPTS + 1):
        try:
            return await _cast_once(db, command)
        except IntegrityError:
            # Two calls with one idempotency key raced; the next attempt sees the winner.
            if attempt == _CAST_ATTEMPTS:
                raise
    raise AssertionError("unreachable")


def _replay(prior: CastRequest, command: CastCommand, method: VoteMethod) -> CastOutcome:
    if (prior.voter_id, prior.option_id) != (command.voter_id, command.option_id):
        raise VotingError(
            Reason.IDEMPOTENCY_KEY_REUSED,
            "Dieser idempotency_key wurde bereits für eine andere Stimmabgabe verwendet; "
            "für eine neue Stimmabgabe einen neuen Schlüssel wählen.",
        )
    return CastOutcome(
        ballot_id=prior.id, replayed=True, ballots_cast=prior.ballots_cast,
        accepted_at=prior.accepted_at, method=method,
    )


async def _cast_once(db: Database, command: CastCommand) -> CastOutcome:
    async with db.transaction(command.tenant) as session:
        poll = await repo.get_poll(session, poll_id=command.poll_id, lock="share")
        if poll is None:
            raise _not_found(command.poll_id)
        method = VoteMethod(poll.method)
        prior = await repo.find_cast_request(
            session, poll_pk=poll.id, idempotency_key=command.idempotency_key
        )
        if prior is not None:
            return _replay(prior, command, method)
        if poll.state != PollState.OPEN:
            raise _not_open(poll)
        if not await repo.is_on_roll(session, poll_pk=poll.id, voter_id=command.voter_id):
            raise VotingError(
                Reason.NOT_ON_ROLL, "Diese Person ist in dieser Abstimmung nicht stimmberechtigt."
            )
        offered = _options(poll)
        if command.option_id not in {o.id for o in offered}:
            labels = ", ".join(f"{o.id} ({o.label})" for o in offered)
            raise VotingError(
                Reason.INVALID_CHOICE,
                f"Option „{command.option_id[:40]}“ wird nicht angeboten; möglich: {labels}.",
            )
        ballot_id, now = str(uuid.uuid4()), datetime.now(UTC)
        await repo.upsert_ballot(
            session, tenant=command.tenant, poll_pk=poll.id, voter_id=command.voter_id,
            ballot_id=ballot_id, option_id=command.option_id, cast_at=now,
        )
        ballots_cast = await repo.count_ballots(session, poll_pk=poll.id)
        session.add(
            CastRequest(
                id=ballot_id, poll_pk=poll.id, idempotency_key=command.idempotency_key,
                voter_id=command.voter_id, option_id=command.option_id,
                ballots_cast=ballots_cast, accepted_at=now,
            )
        )
        await session.flush()
    return CastOutcome(
        ballot_id=ballot_id, replayed=False, ballots_cast=ballots_cast, accepted_at=now,
        method=method,
    )


def tally(poll: Poll, ballots: list[tuple[str, str]]) -> dict[str, Any]:
    """Count the ballots per option and apply the poll's majority rule (stored as JSON)."""
    per_option = Counter(option for _, option in ballots)
    counts = [
        {"option_id": o.id, "label": o.label, "count": per_option.get(o.id, 0)}
        for o in _options(poll)
    ]
    decision = rules.decide(
        rules.Rule(poll.majority_rule),
        rules.Tally(yes=per_option.get(YES, 0), no=per_option.get(NO, 0),
                    abstain=per_option.get(ABSTAIN, 0)),
        statutory_members=poll.statutory_members,
    )
    return {
        "counts": counts, "accepted": decision.accepted, "explanation": decision.explanation,
        "roll_size": poll.roll_size, "ballots_cast": len(ballots),
    }


async def close_poll(
    *, db: Database, tenant: str, poll_id: str, closed_by: str
) -> tuple[PollView, bool]:
    """Close, tally and stage `poll.closed`; closing a closed poll answers the same poll.

    Returns the view and whether this call closed it (False for a repeated close).
    """
    async with db.transaction(tenant) as session:
        poll = await repo.get_poll(session, poll_id=poll_id, lock="update")
        if poll is None:
            raise _not_found(poll_id)
        ballots = await repo.ballots(session, poll_pk=poll.id)
        if poll.state == PollState.CLOSED:
            return _view(poll, ballots), False
        if poll.state != PollState.OPEN:
            raise _not_open(poll)
        poll.result = tally(poll, ballots)
        poll.state = PollState.CLOSED.value
        poll.closed_at = datetime.now(UTC)
        poll.closed_by = closed_by or None
        view = _view(poll, ballots)
        emit_poll_closed(session, poll=poll_to_proto(view))
    log.info("poll.closed", tenant=tenant, poll_id=poll_id, accepted=view.result is not None
             and view.result.accepted, ballots_cast=view.ballots_cast)
    return view, True


async def get_poll(*, db: Database, tenant: str, poll_id: str) -> PollView:
    """The poll as callers may see it now."""
    async with db.tenant_session(tenant) as session:
        poll = await repo.get_poll(session, poll_id=poll_id)
        if poll is None:
            raise _not_found(poll_id)
        return _view(poll, await repo.ballots(session, poll_pk=poll.id))
