"""Queries on voting's tables; every session here is scoped to one tenant by the caller."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from ratsraum_voting.polls.models import Ballot, CastRequest, Poll, RollEntry

Lock = Literal["share", "update"] | None


async def get_poll(session: AsyncSession, *, poll_id: str, lock: Lock = None) -> Poll | None:
    """The tenant's poll with this id, optionally row-locked (PostgreSQL; no-op on SQLite).

    Casts take a shared lock and closing takes an exclusive one, so no ballot can be written
    between the tally and the state change, while casts do not block each other.
    """
    query = select(Poll).where(Poll.poll_id == poll_id)
    if lock is not None:
        query = query.with_for_update(read=lock == "share")
    return (await session.scalars(query)).one_or_none()


async def is_on_roll(session: AsyncSession, *, poll_pk: str, voter_id: str) -> bool:
    """Whether the voter is eligible in this poll."""
    found = await session.scalar(
        select(RollEntry.voter_id).where(
            RollEntry.poll_pk == poll_pk, RollEntry.voter_id == voter_id
        )
    )
    return found is not None


async def find_cast_request(
    session: AsyncSession, *, poll_pk: str, idempotency_key: str
) -> CastRequest | None:
    """The accepted cast with this idempotency key, if any."""
    return (
        await session.scalars(
            select(CastRequest).where(
                CastRequest.poll_pk == poll_pk, CastRequest.idempotency_key == idempotency_key
            )
        )
    ).one_or_none()


async def upsert_ballot(
    session: AsyncSession, *, tenant: str, poll_pk: str, voter_id: str, ballot_id: str,
    option_id: str, cast_at: datetime,
) -> None:
    """Make this the voter's one current ballot, atomically replacing an earlier one."""
    values = {
        "tenant_id": tenant, "poll_pk": poll_pk, "voter_id": voter_id,
        "ballot_id": ballot_id, "option_id": option_id, "cast_at": cast_at,
    }
    # INSERT .. ON CONFLICT DO UPDATE: two concurrent first ballots of one voter cannot both
    # insert; the later one waits for the earlier commit and then replaces it.
    insert = (
        postgresql.insert(Ballot)
        if session.get_bind().dialect.name == "postgresql"
        else sqlite.insert(Ballot)
    )
    statement = insert.values(**values)
    statement = statement.on_conflict_do_update(
        index_elements=[Ballot.poll_pk, Ballot.voter_id],
        set_={
            "ballot_id": statement.excluded.ballot_id,
            "option_id": statement.excluded.option_id,
            "cast_at": statement.excluded.cast_at,
        },
    )
    await session.execute(statement)


async def count_ballots(session: AsyncSession, *, poll_pk: str) -> int:
    """Voters who have a current ballot in this poll."""
    count = await session.scalar(
        select(func.count()).select_from(Ballot).where(Ballot.poll_pk == poll_pk)
    )
    return int(count or 0)


async def ballots(session: AsyncSession, *, poll_pk: str) -> list[tuple[str, str]]:
    """(voter, option) of every current ballot, ordered by voter."""
    rows = await session.execute(
        select(Ballot.voter_id, Ballot.option_id)
        .where(Ballot.poll_pk == poll_pk)
        .order_by(Ballot.voter_id)
    )
    return [(voter, option) for voter, option in rows.all()]
