"""Closing a secret poll: the guardians decrypt the sum of its ballots, voting keeps the record.

Voting hands the guardians (asked all at once) the poll's cast ballots, never a sum of its
own: each guardian checks every ballot's proofs, adds them up itself and decrypts only that
sum, once per poll and only from the configured minimum number of ballots on (a sum of one
or two ballots would reveal how they were cast). Voting checks each share's proof while
combining them, writes the election record and keeps it in the database, so every replica
and every restart can serve it. Anyone can check the record (`ratsraum-verify-secret`).
"""

from __future__ import annotations

import asyncio
import secrets
import tempfile
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from electionguard.ballot import SubmittedBallot
from electionguard.guardian import GuardianRecord
from electionguard.key_ceremony import ElectionPublicKey
from electionguard.serialize import from_raw
from sqlalchemy import select

from ratsraum_common.db import Database
from ratsraum_common.logging import get_logger
from ratsraum_voting import elections
from ratsraum_voting.audit.keys import AuditSigner
from ratsraum_voting.errors import Reason, VotingError
from ratsraum_voting.guardian.closing import ClosingStatement, statement_text
from ratsraum_voting.secret import audit_log as secret_log
from ratsraum_voting.secret import published
from ratsraum_voting.secret.ceremony import CeremonyFailed, decrypt
from ratsraum_voting.secret.models import SecretBallot, SecretPoll
from ratsraum_voting.secret.record import record_files, write_record
from ratsraum_voting.secret.remote import GuardianAddress, RemoteGuardian
from ratsraum_voting.secret.result import counts_from_tally, poll_result
from ratsraum_voting.secret.service import election_of, load, roll_size_of, voted_of
from ratsraum_voting.secret.wire import CLOSED, CLOSING, OPEN, emit_secret_closed

log = get_logger(__name__)
# One close per poll at a time in this process: a retry while the first close still runs
# waits for it instead of asking the guardians twice.
_CLOSING: dict[tuple[str, str], asyncio.Lock] = {}


@dataclass(frozen=True)
class Closed:
    """A closed secret poll, who voted, whether this call closed it, and step timings (ms)."""

    poll: SecretPoll
    voted: list[str]
    closed_now: bool
    timings: dict[str, float] = field(default_factory=dict)


def _public_key(record: GuardianRecord) -> ElectionPublicKey:
    return ElectionPublicKey(record.guardian_id, record.sequence_order,
                             record.election_public_key, record.election_commitments,
                             record.election_proofs)


def _reachable(guardians: Sequence[GuardianAddress], poll: SecretPoll) -> list[RemoteGuardian]:
    """The guardians that answer (announce is idempotent: it repeats their public key)."""
    quorum = len(poll.guardians) // 2 + 1

    def probe(address: GuardianAddress) -> RemoteGuardian | None:
        remote = RemoteGuardian(address)
        try:
            remote.announce(ceremony_id=poll.ceremony_id, guardians=len(poll.guardians),
                            quorum=quorum)
        except CeremonyFailed:
            remote.close()
            return None
        return remote

    with ThreadPoolExecutor(max_workers=max(1, len(guardians))) as pool:
        return [r for r in pool.map(probe, guardians) if r is not None]


def _lot_seed(poll: SecretPoll) -> tuple[str | None, str | None]:
    """A fresh lot seed for elections (kept only if the round ends tied) and its commitment."""
    if poll.kind != "election":
        return None, None
    seed = secrets.token_bytes(32)
    return seed.hex(), elections.commitment(seed)


def _decrypt_and_record(
    *, poll: SecretPoll, guardians: Sequence[GuardianAddress], signer: AuditSigner,
    ballots: list[str], voted: list[str], roll_size: int, lot_commitment: str | None,
    timings: dict[str, float],
) -> tuple[dict[str, Any], dict[str, bytes], str]:
    started = time.perf_counter()
    election = election_of(poll)
    cast = [from_raw(SubmittedBallot, text) for text in ballots]
    text = statement_text(ceremony_id=poll.ceremony_id, ballots=cast)
    closing = ClosingStatement(text=text, signature=signer.sign(text.encode()))
    records = [from_raw(GuardianRecord, g) for g in poll.guardians]
    remotes = _reachable(guardians, poll)
    timings["guardians_reached_ms"] = (time.perf_counter() - started) * 1000
    started = time.perf_counter()
    try:
        # Proofs were checked at cast; each guardian checks them again before it decrypts.
        decrypted = decrypt(ceremony_id=poll.ceremony_id, election=election, available=remotes,
                            keys=[_public_key(r) for r in records], ballots=cast,
                            proofs_checked=True, closing=closing)
    finally:
        for remote in remotes:
            remote.close()
    timings["decrypt_and_check_shares_ms"] = (time.perf_counter() - started) * 1000
    started = time.perf_counter()
    counts = counts_from_tally(decrypted.plaintext)
    if sum(counts.values()) != len(ballots):
        raise CeremonyFailed("Die entschlüsselte Summe passt nicht zur Zahl der Stimmzettel.")
    options = [(o[0], o[1]) for o in poll.options]
    result = poll_result(poll_id=poll.poll_id, title=poll.title, options=options,
                         rule=poll.majority_rule, statutory_members=poll.statutory_members,
                         roll_size=roll_size, counts=counts, kind=poll.kind,
                         runoff=poll.runoff_of is not None, lot_commitment=lot_commitment)
    with tempfile.TemporaryDirectory(prefix="ratsraum-record-") as scratch:
        written = write_record(directory=Path(scratch) / "record", election=election,
                               guardians=records, decrypted=decrypted, voters=voted,
                               poll=result, ballot_texts=ballots)
        files = record_files(written.directory)
    timings["record_written_ms"] = (time.perf_counter() - started) * 1000
    return result, files, written.sha256


def too_few(*, cast: int, minimum: int) -> VotingError:
    """The refusal when a secret result would reveal how the few voters voted."""
    return VotingError(
        Reason.WRONG_STATE,
        f"Zu wenige Stimmzettel für ein geheimes Ergebnis: {cast} abgegeben, mindestens "
        f"{minimum} nötig (sonst ließe das Ergebnis erkennen, wer wie gestimmt hat). "
        "Weitere Stimmen abwarten oder die Abstimmung abbrechen und offen wiederholen. "
        f"Too few ballots for a secret result: {cast} cast, at least {minimum} needed.")


async def _begin(db: Database, tenant: str, poll_id: str, min_ballots: int) -> tuple[
        SecretPoll, list[str], int, list[str] | None]:
    """Stop casting (`closing`) and read what the close needs; None ballots: already closed."""
    async with db.transaction(tenant) as session:
        poll = await load(session, poll_id, lock=True)
        voted, roll_size = await voted_of(session, poll), await roll_size_of(session, poll)
        if poll.state == CLOSED:
            return poll, voted, roll_size, None
        if poll.state not in (OPEN, CLOSING):
            raise VotingError(Reason.POLL_NOT_OPEN,
                              "Die geheime Abstimmung ist abgebrochen oder ungültig.")
        if poll.ballots_cast < min_ballots:  # stays open: more may still vote
            raise too_few(cast=poll.ballots_cast, minimum=min_ballots)
        # No casts from here on, also if the decryption fails and the close is retried.
        poll.state = CLOSING
        rows = (await session.execute(
            select(SecretBallot.ballot_json).where(SecretBallot.poll_pk == poll.id)
            .order_by(SecretBallot.ballot_hash))).scalars().all()
    return poll, voted, roll_size, list(rows)


async def close_secret_poll(
    *, db: Database, guardians: Sequence[GuardianAddress], signer: AuditSigner, tenant: str,
    poll_id: str, closed_by: str = "", min_ballots: int = 3,
) -> Closed:
    """Have a quorum of guardians decrypt the ballots' sum, keep the record, seal."""
    lock = _CLOSING.setdefault((tenant, poll_id), asyncio.Lock())
    async with lock:
        try:
            return await _close(db=db, guardians=guardians, signer=signer, tenant=tenant,
                                poll_id=poll_id, closed_by=closed_by, min_ballots=min_ballots)
        finally:
            _CLOSING.pop((tenant, poll_id), None)


async def _close(
    *, db: Database, guardians: Sequence[GuardianAddress], signer: AuditSigner, tenant: str,
    poll_id: str, closed_by: str, min_ballots: int,
) -> Closed:
    timings: dict[str, float] = {}
    started = time.perf_counter()
    poll, voted, roll_size, ballots = await _begin(db, tenant, poll_id, min_ballots)
    if ballots is None:
        return Closed(poll=poll, voted=voted, closed_now=False)
    timings["ballots_read_ms"] = (time.perf_counter() - started) * 1000
    seed, commitment = _lot_seed(poll)
    try:
        result, files, digest = await asyncio.to_thread(
            _decrypt_and_record, poll=poll, guardians=guardians, signer=signer,
            ballots=ballots, voted=voted,
            roll_size=roll_size, lot_commitment=commitment, timings=timings)
    except CeremonyFailed as exc:
        raise VotingError(Reason.WRONG_STATE,
                          f"Auszählung nicht möglich (erneut schließen): {exc}") from exc
    started = time.perf_counter()
    async with db.transaction(tenant) as session:
        poll = await load(session, poll_id, lock=True)
        if poll.state == CLOSED:  # another replica closed it meanwhile (the same ballots)
            return Closed(poll=poll, voted=voted, closed_now=False)
        if poll.state != CLOSING:  # cancelled or re-run meanwhile: publish nothing
            raise VotingError(Reason.POLL_NOT_OPEN, "Die geheime Abstimmung wurde abgebrochen.")
        poll.state, poll.result, poll.record_sha256 = CLOSED, result, digest
        if (result.get("election") or {}).get("status") == "lot_pending":
            poll.lot_seed = seed  # revealed by DrawSecretLot, checked against the commitment
        poll.closed_at, poll.closed_by = datetime.now(UTC), closed_by or None
        await published.store(session, poll=poll, files=files)
        entries = await secret_log.ballot_entries(session, poll=poll)
        entries.append(("closed", {"closed_by": closed_by, "ballots_cast": len(ballots)}))
        entries.append(("result", {**result, "record_sha256": digest, "voted": voted}))
        await secret_log.seal(session, poll=poll, signer=signer, entries=entries)
        emit_secret_closed(session, poll=poll, voted=voted)
    timings["sealed_ms"] = (time.perf_counter() - started) * 1000
    log.info("secret.closed", tenant=tenant, poll_id=poll_id, ballots_cast=len(ballots),
             **{k: round(v, 1) for k, v in timings.items()})
    return Closed(poll=poll, voted=voted, closed_now=True, timings=timings)
