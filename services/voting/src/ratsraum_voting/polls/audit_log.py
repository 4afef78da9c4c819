"""Appending to a poll's audit chain and signing its head, inside the caller's transaction.

Callers hold the poll row exclusively (or have just created it), so appends of one poll never
interleave. Ballots are chained when the poll is closed: each accepted cast is durably stored
as an append-only `cast_requests` row in its own transaction (the fast path takes no
exclusive lock), and closing links them into the chain in acceptance order before the
`closed` and `result` entries, then signs the head.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ratsraum_voting.audit.chain import GENESIS, ballot_hash, canonical, entry_hash, signed_message
from ratsraum_voting.audit.keys import AuditSigner
from ratsraum_voting.polls.models import AuditEntry, CastRequest, Poll


async def _head(session: AsyncSession, poll: Poll) -> tuple[int, str]:
    row = (
        await session.execute(
            select(AuditEntry.seq, AuditEntry.hash)
            .where(AuditEntry.poll_pk == poll.id)
            .order_by(AuditEntry.seq.desc())
            .limit(1)
        )
    ).first()
    return (row[0], row[1]) if row is not None else (0, GENESIS)


async def append(
    session: AsyncSession, *, poll: Poll, entries: list[tuple[str, dict[str, Any]]]
) -> str:
    """Chain (event, body) entries after the poll's current head; returns the new head."""
    seq, head = await _head(session, poll)
    now = datetime.now(UTC)
    for event, body in entries:
        seq += 1
        text = canonical(body)
        digest = entry_hash(prev_hash=head, seq=seq, event=event, body=text)
        session.add(
            AuditEntry(
                poll_pk=poll.id, seq=seq, event=event, body=text, prev_hash=head, hash=digest,
                created_at=now, tenant_id=poll.tenant_id,
            )
        )
        head = digest
    await session.flush()
    return head


async def ballot_entries(session: AsyncSession, *, poll: Poll) -> list[tuple[str, dict[str, Any]]]:
    """One `ballot` entry per accepted cast, in acceptance order (the order `last counts` uses)."""
    rows = await session.execute(
        select(CastRequest.id, CastRequest.voter_id, CastRequest.option_id,
               CastRequest.idempotency_key, CastRequest.accepted_at)
        .where(CastRequest.poll_pk == poll.id)
        .order_by(CastRequest.accepted_at, CastRequest.id)
    )
    return [
        ("ballot", {
            "ballot_id": ballot_id, "voter_id": voter, "option_id": option, "key": key,
            "ballot_hash": ballot_hash(
                poll_id=poll.poll_id, voter_id=voter, option_id=option, key=key
            ),
        })
        for ballot_id, voter, option, key, _accepted in rows.all()
    ]


def sign_head(signer: AuditSigner, *, poll: Poll, head: str) -> dict[str, str]:
    """The signed head as stored with the result and published."""
    message = signed_message(tenant=poll.tenant_id, poll_id=poll.poll_id, head=head)
    return {"head": head, "signature": signer.sign(message), "public_key": signer.public_key_hex}
