"""Casting one ballot in three Core statements and one transaction.

The gRPC service casts through the batcher (batcher.py, cast_batch.py), which applies the
same rules to many casts at once and falls back to this path when a batch fails as a whole.

1. one SELECT reads the poll (shared row lock on PostgreSQL, so close waits for running
   casts), whether the voter is on the roll, and an earlier answer to this idempotency key;
2. one INSERT .. ON CONFLICT upserts the voter's current ballot, replacing it only with a
   later one (by acceptance time, then ballot id) — so "last counts" is the same order the
   audit chain uses, whatever the commit order of concurrent casts;
3. one INSERT .. SELECT stores the accepted request with the neutral ballot count; its unique
   (poll, key) makes a concurrent retry fail here and replay the winner's answer.
"""

from __future__ import annotations

import contextlib
import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Table, and_, exists, func, literal, select, tuple_
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from ratsraum_common.db import Database
from ratsraum_common.retry import bounded_retry
from ratsraum_voting.errors import Reason, VotingError
from ratsraum_voting.polls.models import Ballot, CastRequest, Poll, RollEntry
from ratsraum_voting.polls.schemas import CastCommand, CastOutcome, PollState, VoteMethod

_ATTEMPTS = 3
def _table(model: type[Any]) -> Table:
    table = model.__table__
    assert isinstance(table, Table)
    return table


polls, rolls = _table(Poll), _table(RollEntry)
ballots, requests = _table(Ballot), _table(CastRequest)


async def cast_ballot(*, db: Database, command: CastCommand) -> CastOutcome:
    """Record the voter's current ballot; a retry with the same key answers as the first."""
    # Two calls with one idempotency key raced; the next attempt sees the winner.
    async for attempt in bounded_retry(what="voting.cast", attempts=_ATTEMPTS,
                                       backoff_seconds=0.0, retry_on=IntegrityError):
        with attempt:
            lock = db.write_lock if db.write_lock is not None else contextlib.nullcontext()
            async with lock, db.engine.begin() as conn:
                return await _cast(conn, command)
    raise AssertionError("unreachable: the last attempt returns or raises")


def _read(command: CastCommand, postgres: bool) -> Any:
    on_roll = exists().where(rolls.c.poll_pk == polls.c.id, rolls.c.voter_id == command.voter_id)
    query = (
        select(
            polls.c.id, polls.c.state, polls.c.method, polls.c.options, on_roll.label("on_roll"),
            requests.c.id.label("prior_id"), requests.c.voter_id, requests.c.option_id,
            requests.c.ballots_cast, requests.c.accepted_at,
        )
        .select_from(
            polls.outerjoin(
                requests,
                and_(requests.c.poll_pk == polls.c.id,
                     requests.c.idempotency_key == command.idempotency_key),
            )
        )
        .where(polls.c.tenant_id == command.tenant, polls.c.poll_id == command.poll_id)
    )
    return query.with_for_update(read=True, of=polls) if postgres else query


async def _cast(conn: AsyncConnection, command: CastCommand) -> CastOutcome:
    postgres = conn.dialect.name == "postgresql"
    row = (await conn.execute(_read(command, postgres))).first()
    if row is None:
        # Same answer for another town's poll as for none at all: nothing leaks.
        raise VotingError(Reason.POLL_NOT_FOUND, f"Abstimmung {command.poll_id} gibt es nicht.")
    method = VoteMethod(row.method)
    if row.prior_id is not None:
        return replay(row, command, method)
    check(row, command, on_roll=bool(row.on_roll))
    ballot_id, now = str(uuid.uuid4()), datetime.now(UTC)
    insert = postgresql.insert if postgres else sqlite.insert
    upsert = insert(ballots).values(
        tenant_id=command.tenant, poll_pk=row.id, voter_id=command.voter_id,
        ballot_id=ballot_id, option_id=command.option_id, cast_at=now,
    )
    excluded = upsert.excluded
    await conn.execute(
        upsert.on_conflict_do_update(
            index_elements=[ballots.c.poll_pk, ballots.c.voter_id],
            set_={"ballot_id": excluded.ballot_id, "option_id": excluded.option_id,
                  "cast_at": excluded.cast_at},
            where=tuple_(ballots.c.cast_at, ballots.c.ballot_id)
            < tuple_(excluded.cast_at, excluded.ballot_id),
        )
    )
    count = (
        select(func.count()).select_from(ballots).where(ballots.c.poll_pk == row.id)
    ).scalar_subquery()
    c = requests.c
    values = select(
        literal(ballot_id, c.id.type), literal(row.id, c.poll_pk.type),
        literal(command.idempotency_key, c.idempotency_key.type),
        literal(command.voter_id, c.voter_id.type), literal(command.option_id, c.option_id.type),
        count, literal(now, c.accepted_at.type), literal(command.tenant, c.tenant_id.type),
    )
    stored = await conn.execute(
        requests.insert()
        .from_select(["id", "poll_pk", "idempotency_key", "voter_id", "option_id",
                      "ballots_cast", "accepted_at", "tenant_id"], values)
        .returning(requests.c.ballots_cast)
    )
    return CastOutcome(
        ballot_id=ballot_id, replayed=False, ballots_cast=int(stored.scalar_one()),
        accepted_at=now, method=method,
    )


def check(row: Any, command: CastCommand, *, on_roll: bool) -> None:
    """Refuse a cast into a poll that is not open, by someone not on the roll, or for an
    option the poll does not offer."""
    if row.state != PollState.OPEN:
        state = "bereits geschlossen" if row.state in ("closed", "published") else "abgebrochen"
        raise VotingError(Reason.POLL_NOT_OPEN, f"Die Abstimmung ist {state}.")
    if not on_roll:
        raise VotingError(
            Reason.NOT_ON_ROLL, "Diese Person ist in dieser Abstimmung nicht stimmberechtigt."
        )
    offered = row.options
    if command.option_id not in {o["id"] for o in offered}:
        labels = ", ".join(f"{o['id']} ({o['label']})" for o in offered)
        raise VotingError(
            Reason.INVALID_CHOICE,
            f"Option „{command.option_id[:40]}“ wird nicht angeboten; möglich: {labels}.",
        )


def key_reused() -> VotingError:
    """The refusal for an idempotency key sent again with another voter or option."""
    return VotingError(
        Reason.IDEMPOTENCY_KEY_REUSED,
        "Dieser idempotency_key wurde bereits für eine andere Stimmabgabe verwendet; "
        "für eine neue Stimmabgabe einen neuen Schlüssel wählen.",
    )


def replay(row: Any, command: CastCommand, method: VoteMethod) -> CastOutcome:
    """The stored answer to an earlier cast with this key (refused if the ballot differs)."""
    if (row.voter_id, row.option_id) != (command.voter_id, command.option_id):
        raise key_reused()
    accepted = row.accepted_at
    if isinstance(accepted, str):  # SQLite through Core returns what it stored
        accepted = datetime.fromisoformat(accepted)
    return CastOutcome(
        ballot_id=row.prior_id, replayed=True, ballots_cast=row.ballots_cast,
        accepted_at=accepted, method=method,
    )
