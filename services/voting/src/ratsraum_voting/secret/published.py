"""Closed polls' election records, kept in the database (every replica, every restart).

The record is written as ElectionGuard's folder layout at close (record.py) and stored file
by file with the poll; it is served only if its files still add up to the SHA-256 that the
poll row, the audit chain and the minutes carry.
"""

from __future__ import annotations

from electionguard.ballot import BallotBoxState, SubmittedBallot
from electionguard.serialize import from_raw
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from ratsraum_voting.errors import Reason, VotingError
from ratsraum_voting.secret.models import SecretPoll, SecretRecordFile
from ratsraum_voting.secret.record import BALLOTS_DIR, files_digest
from ratsraum_voting.secret.wire import CLOSED


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
        raise VotingError(Reason.WRONG_STATE, "Das gespeicherte Protokoll wurde verändert.")
    return files


def code_in(files: dict[str, bytes], code: str) -> bool:
    """Whether any cast ballot of the record has this confirmation code (codes may repeat)."""
    for path, content in files.items():
        if path.startswith(f"{BALLOTS_DIR}/"):
            ballot = from_raw(SubmittedBallot, content.decode())
            if ballot.code.to_hex() == code and ballot.state == BallotBoxState.CAST:
                return True
    return False
