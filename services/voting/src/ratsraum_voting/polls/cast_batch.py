"""Applying a batch of open casts in one transaction (the batcher's unit of work).

The same rules as the single cast in cast.py, for many casts at once:

1. three SELECTs for the whole batch read the polls (shared row lock on PostgreSQL, so close
   waits for this transaction), which of the voters are on their poll's roll, and earlier
   answers to the idempotency keys;
2. every cast is decided in arrival order: a known key replays its answer (or is refused if
   reused for another ballot), otherwise the poll's state, the roll and the option are
   checked; a key seen earlier in the same batch replays that cast;
3. one executemany upserts the current ballot per voter (the latest of the batch; an older
   one never replaces a newer row, so "last counts" follows acceptance time, then ballot id,
   as the audit chain does), one COUNT per poll gives the neutral count, and one executemany
   stores the accepted requests. Rows are written in key order, so two batches touching the
   same voters take their row locks in the same order and cannot deadlock.

Refusals are returned per cast, never raised, so one bad cast does not fail the others.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, func, select, tuple_
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from ratsraum_voting.errors import Reason, VotingError
from ratsraum_voting.polls.cast import (
    ballots,
    check,
    key_reused,
    polls,
    replay,
    requests,
    rolls,
)
from ratsraum_voting.polls.schemas import CastCommand, CastOutcome, VoteMethod

Answer = CastOutcome | VotingError
_TICK = timedelta(microseconds=1)


@dataclass(slots=True)
class _Accepted:
    """A cast of this batch that will be written."""

    poll_pk: str
    tenant: str
    method: VoteMethod
    command: CastCommand
    ballot_id: str
    at: datetime


@dataclass(frozen=True, slots=True)
class _Twin:
    """A retry of a cast accepted earlier in the same batch: answered as a replay of it."""

    of: _Accepted


def _upsert(postgres: bool) -> Any:
    insert = (postgresql.insert if postgres else sqlite.insert)(ballots)
    excluded = insert.excluded
    return insert.on_conflict_do_update(
        index_elements=[ballots.c.poll_pk, ballots.c.voter_id],
        set_={"ballot_id": excluded.ballot_id, "option_id": excluded.option_id,
              "cast_at": excluded.cast_at},
        where=tuple_(ballots.c.cast_at, ballots.c.ballot_id)
        < tuple_(excluded.cast_at, excluded.ballot_id),
    )


_UPSERT = {True: _upsert(True), False: _upsert(False)}
_POLLS = (
    select(polls.c.id, polls.c.tenant_id, polls.c.poll_id, polls.c.state, polls.c.method,
           polls.c.options)
    .where(tuple_(polls.c.tenant_id, polls.c.poll_id).in_(bindparam("polls", expanding=True)))
)
_ROLL = select(rolls.c.poll_pk, rolls.c.voter_id).where(
    rolls.c.poll_pk.in_(bindparam("pks", expanding=True)),
    rolls.c.voter_id.in_(bindparam("voters", expanding=True)),
)
_PRIORS = select(
    requests.c.id.label("prior_id"), requests.c.poll_pk, requests.c.idempotency_key,
    requests.c.voter_id, requests.c.option_id, requests.c.ballots_cast, requests.c.accepted_at,
).where(
    requests.c.poll_pk.in_(bindparam("pks", expanding=True)),
    requests.c.idempotency_key.in_(bindparam("keys", expanding=True)),
)
_COUNTS = (
    select(ballots.c.poll_pk, func.count())
    .where(ballots.c.poll_pk.in_(bindparam("pks", expanding=True)))
    .group_by(ballots.c.poll_pk)
)


async def apply(conn: AsyncConnection, commands: list[CastCommand]) -> list[Answer]:
    """Decide and write every cast of the batch; the caller commits. Answers in order."""
    postgres = conn.dialect.name == "postgresql"
    wanted = sorted({(c.tenant, c.poll_id) for c in commands})
    read = _POLLS.with_for_update(read=True, of=polls) if postgres else _POLLS
    found = {(r.tenant_id, r.poll_id): r
             for r in (await conn.execute(read, {"polls": wanted})).all()}
    pks = sorted({r.id for r in found.values()})
    on_roll: set[tuple[str, str]] = set()
    priors: dict[tuple[str, str], Any] = {}
    if pks:
        voters = sorted({c.voter_id for c in commands})
        keys = sorted({c.idempotency_key for c in commands})
        rows = await conn.execute(_ROLL, {"pks": pks, "voters": voters})
        on_roll = {(r.poll_pk, r.voter_id) for r in rows.all()}
        rows = await conn.execute(_PRIORS, {"pks": pks, "keys": keys})
        priors = {(r.poll_pk, r.idempotency_key): r for r in rows.all()}

    answers: list[Answer | _Accepted | _Twin] = []
    accepted: dict[tuple[str, str], _Accepted] = {}  # by (poll, key): the batch's own
    last: datetime | None = None
    for command in commands:
        try:
            answers.append(_decide(command, found, on_roll, priors, accepted))
        except VotingError as refusal:
            answers.append(refusal)
            continue
        outcome = answers[-1]
        if isinstance(outcome, _Accepted):
            # Strictly increasing within the batch: a later cast of a voter is the later one.
            at = datetime.now(UTC)
            last = at = at if last is None or at > last else last + _TICK
            outcome.at = at
            accepted[(outcome.poll_pk, command.idempotency_key)] = outcome
    counts = await _write(conn, postgres, list(accepted.values()))
    return [_answer(a, counts) for a in answers]


def _decide(
    command: CastCommand, found: dict[tuple[str, str], Any], on_roll: set[tuple[str, str]],
    priors: dict[tuple[str, str], Any], accepted: dict[tuple[str, str], _Accepted],
) -> Answer | _Accepted | _Twin:
    poll = found.get((command.tenant, command.poll_id))
    if poll is None:
        # Same answer for another town's poll as for none at all: nothing leaks.
        raise VotingError(Reason.POLL_NOT_FOUND, f"Abstimmung {command.poll_id} gibt es nicht.")
    method = VoteMethod(poll.method)
    prior = priors.get((poll.id, command.idempotency_key))
    if prior is not None:
        return replay(prior, command, method)
    twin = accepted.get((poll.id, command.idempotency_key))
    if twin is not None:
        if (twin.command.voter_id, twin.command.option_id) != (
                command.voter_id, command.option_id):
            raise key_reused()
        return _Twin(twin)  # answered once the batch's count is known
    check(poll, command, on_roll=(poll.id, command.voter_id) in on_roll)
    return _Accepted(poll_pk=poll.id, tenant=command.tenant, method=method, command=command,
                     ballot_id=str(uuid.uuid4()), at=datetime.min)


async def _write(
    conn: AsyncConnection, postgres: bool, accepted: list[_Accepted]
) -> dict[str, int]:
    """Upsert the current ballots, count, store the requests; returns the count per poll."""
    if not accepted:
        return {}
    current: dict[tuple[str, str], _Accepted] = {}
    for cast in accepted:  # in acceptance order: a voter's later cast replaces the earlier
        current[(cast.poll_pk, cast.command.voter_id)] = cast
    await conn.execute(_UPSERT[postgres], [
        {"tenant_id": c.tenant, "poll_pk": c.poll_pk, "voter_id": c.command.voter_id,
         "ballot_id": c.ballot_id, "option_id": c.command.option_id, "cast_at": c.at}
        for _key, c in sorted(current.items())
    ])
    pks = sorted({c.poll_pk for c in accepted})
    counts = {pk: int(n) for pk, n in (await conn.execute(_COUNTS, {"pks": pks})).all()}
    await conn.execute(requests.insert(), [
        {"id": c.ballot_id, "poll_pk": c.poll_pk, "idempotency_key": c.command.idempotency_key,
         "voter_id": c.command.voter_id, "option_id": c.command.option_id,
         "ballots_cast": counts[c.poll_pk], "accepted_at": c.at, "tenant_id": c.tenant}
        for c in sorted(accepted, key=lambda c: (c.poll_pk, c.command.idempotency_key))
    ])
    return counts


def _answer(answer: Answer | _Accepted | _Twin, counts: dict[str, int]) -> Answer:
    if isinstance(answer, _Twin):
        first = answer.of
        return CastOutcome(ballot_id=first.ballot_id, replayed=True,
                           ballots_cast=counts[first.poll_pk], accepted_at=first.at,
                           method=first.method)
    if isinstance(answer, _Accepted):
        return CastOutcome(ballot_id=answer.ballot_id, replayed=False,
                           ballots_cast=counts[answer.poll_pk], accepted_at=answer.at,
                           method=answer.method)
    return answer
