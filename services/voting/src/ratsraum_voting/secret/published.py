"""Closed polls' election records, kept in the database (every replica, every restart).

The record is written as ElectionGuard's folder layout at close (record.py) and stored file
by file with the poll; it is served only if its files still add up to the SHA-256 that the
poll row, the audit chain and the minutes carry.
"""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator

from electionguard.ballot import BallotBoxState, SubmittedBallot
from electionguard.serialize import from_raw
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from ratsraum_common.db import Database
from ratsraum_voting.errors import Reason, VotingError
from ratsraum_voting.secret.models import SecretBallot, SecretPoll, SecretRecordFile
from ratsraum_voting.secret.record import BALLOT_PREFIX, BALLOTS_DIR, SUMS_FILE, files_digest
from ratsraum_voting.secret.wire import CLOSED

TAMPERED = "Das gespeicherte Protokoll wurde verändert."


async def store(session: AsyncSession, *, poll: SecretPoll, files: dict[str, bytes]) -> None:
    """Keep the record's files with the poll (replacing those of a repeated close)."""
    await session.execute(delete(SecretRecordFile).where(SecretRecordFile.poll_pk == poll.id))
    session.add_all(SecretRecordFile(poll_pk=poll.id, path=path, content=content,
                                     tenant_id=poll.tenant_id)
                    for path, content in sorted(files.items()))


async def load_files(session: AsyncSession, *, poll: SecretPoll) -> dict[str, bytes]:
    """The closed poll's record files, checked against its SHA-256."""
    if poll.state != CLOSED or poll.record_sha256 is None:
        raise VotingError(Reason.WRONG_STATE, "Das Protokoll liegt erst nach dem Schließen vor.")
    rows = (await session.execute(
        select(SecretRecordFile.path, SecretRecordFile.content)
        .where(SecretRecordFile.poll_pk == poll.id))).all()
    files = {path: bytes(content) for path, content in rows}
    if not files or files_digest(files)[1] != poll.record_sha256:
        raise VotingError(Reason.WRONG_STATE, TAMPERED)
    return files


def code_in(files: dict[str, bytes], code: str) -> bool:
    """Whether any cast ballot of the record has this confirmation code (codes may repeat)."""
    for path, content in files.items():
        if path.startswith(f"{BALLOTS_DIR}/"):
            ballot = from_raw(SubmittedBallot, content.decode())
            if ballot.code.to_hex() == code and ballot.state == BallotBoxState.CAST:
                return True
    return False


async def code_in_record(session: AsyncSession, *, poll: SecretPoll, code: str) -> bool:
    """Whether a cast ballot with this code is in the closed poll's record, read by index.

    Only the ballots carrying the code (by the index on their code) and their files in the
    record are read, each file checked against SHA256SUMS, which is checked against the
    poll's digest: no lookup reads the whole record.
    """
    sums = await checked_sums(session, poll=poll)
    hashes = (await session.scalars(select(SecretBallot.ballot_hash).where(
        SecretBallot.poll_pk == poll.id, SecretBallot.code == code)
        .order_by(SecretBallot.ballot_hash).limit(8))).all()
    for ballot_hash in hashes:
        path = f"{BALLOTS_DIR}/{BALLOT_PREFIX}{ballot_hash}.json"
        content = await session.scalar(select(SecretRecordFile.content).where(
            SecretRecordFile.poll_pk == poll.id, SecretRecordFile.path == path))
        if content is None or path not in sums:
            continue  # cast, but not in the published record: it did not count
        if hashlib.sha256(bytes(content)).hexdigest() != sums[path]:
            raise VotingError(Reason.WRONG_STATE, TAMPERED)
        if code_in({path: bytes(content)}, code):
            return True
    return False


async def checked_sums(session: AsyncSession, *, poll: SecretPoll) -> dict[str, str]:
    """Each record file's SHA-256 by path, from a SHA256SUMS that matches the poll's digest.

    Reading the record file by file against these sums needs only one file in memory at a
    time (streaming to a reader), where `load_files` holds the whole record.
    """
    if poll.state != CLOSED or poll.record_sha256 is None:
        raise VotingError(Reason.WRONG_STATE, "Das Protokoll liegt erst nach dem Schließen vor.")
    sums = await session.scalar(select(SecretRecordFile.content).where(
        SecretRecordFile.poll_pk == poll.id, SecretRecordFile.path == SUMS_FILE))
    if sums is None or hashlib.sha256(bytes(sums)).hexdigest() != poll.record_sha256:
        raise VotingError(Reason.WRONG_STATE, TAMPERED)
    listed: dict[str, str] = {}
    for line in bytes(sums).decode().splitlines():
        digest, _, path = line.partition("  ")
        listed[path] = digest
    listed[SUMS_FILE] = poll.record_sha256
    return listed


async def files_in_order(
    db: Database, *, tenant: str, poll_pk: str, sums: dict[str, str], batch: int = 32
) -> AsyncIterator[tuple[str, bytes]]:
    """The record's files in path order, a few per query, each checked against its sum."""
    paths = sorted(sums)
    for start in range(0, len(paths), batch):
        wanted = paths[start:start + batch]
        async with db.tenant_session(tenant) as session:
            rows = {path: content for path, content in (await session.execute(
                select(SecretRecordFile.path, SecretRecordFile.content).where(
                    SecretRecordFile.poll_pk == poll_pk,
                    SecretRecordFile.path.in_(wanted)))).all()}
        for path in wanted:
            content = rows.get(path)
            if content is None or hashlib.sha256(bytes(content)).hexdigest() != sums[path]:
                raise VotingError(Reason.WRONG_STATE, TAMPERED)
            yield path, bytes(content)
