"""The published election record: ElectionGuard's layout, who voted, and its SHA-256."""

from __future__ import annotations

import hashlib
import json
import shutil
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from electionguard.ballot import SubmittedBallot
from electionguard.constants import get_constants
from electionguard.guardian import GuardianRecord
from electionguard.serialize import to_file, to_raw
from ratsraum_ballot_client import Election

from ratsraum_voting.secret.ceremony import DecryptedTally

# File names as in ElectionGuard 1.x sample records (electionguard_tools.helpers.export).
MANIFEST, CONTEXT, CONSTANTS, COEFFICIENTS = "manifest", "context", "constants", "coefficients"
ENCRYPTED_TALLY, TALLY = "encrypted_tally", "tally"
GUARDIANS_DIR, BALLOTS_DIR = "guardians", "submitted_ballots"
GUARDIAN_PREFIX, BALLOT_PREFIX = "guardian_", "submitted_ballot_"
# Ratsraum's additions: who voted (never what), and the poll with its result.
VOTERS_FILE, POLL_FILE, SUMS_FILE = "voters.json", "ratsraum_poll.json", "SHA256SUMS"


@dataclass(frozen=True)
class PublishedRecord:
    """Where the record was written and the SHA-256 that goes into the minutes."""

    directory: Path
    sha256: str


def record_files(directory: Path) -> dict[str, bytes]:
    """Every file of a record folder by its relative path (as the record is stored)."""
    return {p.relative_to(directory).as_posix(): p.read_bytes()
            for p in sorted(directory.rglob("*")) if p.is_file()}


def files_digest(files: dict[str, bytes]) -> tuple[str, str]:
    """The SHA256SUMS text over the files (sorted, without SHA256SUMS) and its SHA-256."""
    sums = "".join(f"{hashlib.sha256(files[path]).hexdigest()}  {path}\n"
                   for path in sorted(files) if path != SUMS_FILE)
    return sums, hashlib.sha256(sums.encode()).hexdigest()


def record_digest(directory: Path) -> tuple[str, str]:
    """The SHA256SUMS text over every record file (sorted) and the SHA-256 of that text."""
    return files_digest(record_files(directory))


def write_record(
    *, directory: Path, election: Election, guardians: Sequence[GuardianRecord],
    ballots: Sequence[SubmittedBallot] = (), decrypted: DecryptedTally,
    voters: Sequence[str], poll: dict[str, Any], ballot_texts: Sequence[str] = (),
) -> PublishedRecord:
    """Write the record; ballots are named by their own SHA-256, so file order says nothing.

    `ballot_texts` are ElectionGuard JSON texts as stored at cast: written as they are, byte
    for byte, under their SHA-256, which is the ballot hash in the audit chain (confirmation
    codes are short and may repeat, a ballot's hash does not). The
    record is built beside its place and renamed into it, so it is never seen half written.
    """
    building = directory.with_name(f".{directory.name}.{uuid.uuid4().hex}")
    building.mkdir(parents=True)
    try:
        _write(building, election=election, guardians=guardians, ballots=ballots,
               decrypted=decrypted, voters=voters, poll=poll, ballot_texts=ballot_texts)
        sums, digest = record_digest(building)
        (building / SUMS_FILE).write_text(sums, encoding="utf-8")
        if directory.exists():  # a close that failed after writing is being repeated
            shutil.rmtree(directory)
        building.rename(directory)
    finally:
        if building.exists():
            shutil.rmtree(building)
    return PublishedRecord(directory=directory, sha256=digest)


def _write(
    directory: Path, *, election: Election, guardians: Sequence[GuardianRecord],
    ballots: Sequence[SubmittedBallot], decrypted: DecryptedTally, voters: Sequence[str],
    poll: dict[str, Any], ballot_texts: Sequence[str],
) -> None:
    to_file(election.manifest, MANIFEST, str(directory))
    to_file(election.context, CONTEXT, str(directory))
    to_file(get_constants(), CONSTANTS, str(directory))
    to_file(decrypted.coefficients, COEFFICIENTS, str(directory))
    for guardian in guardians:
        to_file(guardian, GUARDIAN_PREFIX + guardian.guardian_id,
                str(directory / GUARDIANS_DIR))
    texts = [*ballot_texts, *(to_raw(b) for b in ballots)]
    if texts:
        (directory / BALLOTS_DIR).mkdir(exist_ok=True)
    for text in texts:
        ballot_file(directory, hashlib.sha256(text.encode()).hexdigest()).write_text(
            text, encoding="utf-8")
    to_file(decrypted.ciphertext.publish(), ENCRYPTED_TALLY, str(directory))
    to_file(decrypted.plaintext, TALLY, str(directory))
    (directory / VOTERS_FILE).write_text(
        json.dumps(sorted(voters), ensure_ascii=False, indent=1), encoding="utf-8"
    )
    (directory / POLL_FILE).write_text(
        json.dumps(poll, ensure_ascii=False, indent=1, sort_keys=True), encoding="utf-8"
    )


def ballot_file(directory: Path, ballot_hash: str) -> Path:
    """Where the ballot with this SHA-256 lies in a record."""
    return directory / BALLOTS_DIR / f"{BALLOT_PREFIX}{ballot_hash}.json"
