"""Voting's signed statement that a poll is closed with exactly these ballots.

Voting signs it with its audit key when it asks the guardians to decrypt; a guardian that
knows voting's public key decrypts only what such a statement names. Whoever reaches a
guardian's port without voting's key cannot get a ballot set decrypted.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from electionguard.ballot import SubmittedBallot
from electionguard.serialize import to_raw

CLOSED = "closed"


class ClosingInvalid(Exception):
    """The statement is missing, not signed by voting, or names other ballots."""


@dataclass(frozen=True)
class ClosingStatement:
    """The canonical JSON text and its hex Ed25519 signature."""

    text: str
    signature: str


def ballot_digest(ballot: SubmittedBallot) -> str:
    """Hex SHA-256 of a ballot's ElectionGuard JSON, as both sides serialise it."""
    return hashlib.sha256(to_raw(ballot).encode()).hexdigest()


def statement_text(*, ceremony_id: str, ballots: list[SubmittedBallot]) -> str:
    """The canonical statement: this ceremony's poll is closed with these ballots."""
    return json.dumps({"ceremony_id": ceremony_id, "state": CLOSED,
                       "ballots": sorted(ballot_digest(b) for b in ballots)},
                      sort_keys=True, separators=(",", ":"))


def check_statement(
    statement: ClosingStatement | None, *, public_key_hex: str, ceremony_id: str,
    ballots: list[SubmittedBallot],
) -> None:
    """Raise ClosingInvalid unless voting signed that exactly these ballots close the poll."""
    if statement is None or not statement.text:
        raise ClosingInvalid("keine Erklärung des Abstimmungsdienstes, dass geschlossen ist")
    try:
        Ed25519PublicKey.from_public_bytes(bytes.fromhex(public_key_hex)).verify(
            bytes.fromhex(statement.signature), statement.text.encode())
    except (InvalidSignature, ValueError) as exc:
        raise ClosingInvalid("die Schließ-Erklärung ist nicht vom Abstimmungsdienst "
                             "signiert") from exc
    if statement.text != statement_text(ceremony_id=ceremony_id, ballots=ballots):
        raise ClosingInvalid("die Schließ-Erklärung nennt eine andere Abstimmung oder "
                             "andere Stimmzettel")
