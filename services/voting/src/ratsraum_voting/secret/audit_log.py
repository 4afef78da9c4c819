"""The audit chain of secret polls: same hashing and signature as open polls (chain.py).

Entries: `opened` (with the roll), `ballot` (hash and confirmation code of each accepted
ballot, never a voter), `closed`, `result` (with the election record's SHA-256),
`cancelled` / `void` (with the reason), `lot_drawn`. Ballots are chained when the poll
ends, sorted by the ballot's hash: acceptance order or times would help link a ballot to the
voter whose "voted" flag changed at that moment, so neither is kept.
"""

from __future__ import annotations

import hashlib
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ratsraum_voting.audit.chain import GENESIS, canonical, entry_hash, signed_message
from ratsraum_voting.audit.keys import AuditSigner
from ratsraum_voting.secret.models import SecretAuditEntry, SecretBallot, SecretPoll

Entries = list[tuple[str, dict[str, Any]]]


def secret_ballot_hash(ballot_json: str) -> str:
    """Hex SHA-256 of a cast ballot's ElectionGuard JSON (= its file in the record)."""
    return hashlib.sha256(ballot_json.encode()).hexdigest()


async def _head(session: AsyncSession, poll: SecretPoll) -> tuple[int, str]:
    row = (await session.execute(
        select(SecretAuditEntry.seq, SecretAuditEntry.hash)
        .where(SecretAuditEntry.poll_pk == poll.id)
        .order_by(SecretAuditEntry.seq.desc()).limit(1))).first()
    return (row[0], row[1]) if row is not None else (0, GENESIS)


async def append(session: AsyncSession, *, poll: SecretPoll, entries: Entries) -> str:
    """Chain (event, body) entries after the poll's head (caller holds the poll row)."""
    seq, head = await _head(session, poll)
    for event, body in entries:
        seq += 1
        text = canonical(body)
        digest = entry_hash(prev_hash=head, seq=seq, event=event, body=text)
        session.add(SecretAuditEntry(poll_pk=poll.id, seq=seq, event=event, body=text,
                                     prev_hash=head, hash=digest, tenant_id=poll.tenant_id))
        head = digest
    await session.flush()
    return head


async def ballot_entries(session: AsyncSession, *, poll: SecretPoll) -> Entries:
    """One `ballot` entry per accepted ballot, sorted by the ballot's hash.

    Confirmation codes are short and may repeat; the hash is the ballot's identity.
    """
    rows = await session.execute(
        select(SecretBallot.code, SecretBallot.ballot_hash)
        .where(SecretBallot.poll_pk == poll.id).order_by(SecretBallot.ballot_hash))
    return [("ballot", {"confirmation_code": code, "ballot_hash": digest})
            for code, digest in rows.all()]


async def seal(session: AsyncSession, *, poll: SecretPoll, signer: AuditSigner,
               entries: Entries) -> None:
    """Chain the entries and keep the signed head with the poll's result."""
    head = await append(session, poll=poll, entries=entries)
    message = signed_message(tenant=poll.tenant_id, poll_id=poll.poll_id, head=head)
    signed = {"head": head, "signature": signer.sign(message),
              "public_key": signer.public_key_hex}
    poll.result = {**(poll.result or {}), "audit": signed}


def opened_body(poll: SecretPoll, roll: list[str]) -> dict[str, Any]:
    """The `opened` entry: the poll's facts, its roll and the election's public context."""
    return {
        "tenant": poll.tenant_id, "poll_id": poll.poll_id, "title": poll.title,
        "method": "secret", "kind": poll.kind, "rule": poll.majority_rule,
        "options": [{"id": o[0], "label": o[1]} for o in poll.options],
        "statutory_members": poll.statutory_members, "roll": sorted(roll),
        "rerun_of": poll.rerun_of, "runoff_of": poll.runoff_of,
        "manifest_sha256": hashlib.sha256(poll.manifest_json.encode()).hexdigest(),
        "context_sha256": hashlib.sha256(poll.context_json.encode()).hexdigest(),
    }
