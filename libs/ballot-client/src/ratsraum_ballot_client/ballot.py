"""Encrypting one choice on the voter's device, and finding its confirmation code later."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from pathlib import Path

from electionguard.ballot import (
    BallotBoxState,
    CiphertextBallot,
    PlaintextBallot,
    PlaintextBallotContest,
    PlaintextBallotSelection,
    SubmittedBallot,
    make_ciphertext_ballot,
)
from electionguard.ballot_box import submit_ballot
from electionguard.encrypt import encrypt_ballot_contests
from electionguard.group import ElementModQ, rand_q
from electionguard.serialize import from_file, to_raw

from ratsraum_ballot_client.election import CONTEST_ID, STYLE_ID, Election

SUBMITTED_BALLOTS_DIR = "submitted_ballots"
# Every ballot carries the same timestamp: the encryption time would otherwise be a
# fingerprint an observer of the network or of logs could link to the voter.
FIXED_TIMESTAMP = 0
# ElectionGuard refuses to encrypt when a nonce it derives from the master nonce is zero (one
# ballot in about 16,000 in its small test group, practically never in the real one); a fresh
# master nonce derives new ones. Five draws make a refusal by chance as good as impossible.
MASTER_NONCE_DRAWS = 5


@dataclass(frozen=True)
class EncryptedBallot:
    """An encrypted ballot with its proofs, ready to send, and the code the voter keeps."""

    ballot_id: str
    ballot_json: str
    confirmation_code: str


def encrypt_choice(
    election: Election, option_id: str, *, ballot_id: str | None = None
) -> EncryptedBallot:
    """Encrypt a vote for `option_id` with the election's joint key, with validity proofs.

    The nonces never leave this function: what is sent carries no way to decrypt one ballot.
    """
    if option_id not in election.option_ids:
        raise ValueError(f"option {option_id!r} is not on this ballot")
    plaintext = PlaintextBallot(
        ballot_id or str(uuid.uuid4()),
        STYLE_ID,
        [PlaintextBallotContest(CONTEST_ID, [PlaintextBallotSelection(option_id, 1)])],
    )
    for _ in range(MASTER_NONCE_DRAWS):
        ciphertext = _encrypt(election, plaintext, master_nonce=rand_q())
        if ciphertext is not None:
            break
    else:
        raise ValueError("the ballot could not be encrypted for this election")
    sent = submit_ballot(ciphertext, BallotBoxState.UNKNOWN)  # strips every nonce
    return EncryptedBallot(
        ballot_id=sent.object_id, ballot_json=to_raw(sent),
        confirmation_code=confirmation_code(sent),
    )


def _encrypt(
    election: Election, plaintext: PlaintextBallot, *, master_nonce: ElementModQ
) -> CiphertextBallot | None:
    """The ballot encrypted from this master nonce, or None where ElectionGuard refuses it."""
    nonce_seed = CiphertextBallot.nonce_seed(
        election.internal.manifest_hash, plaintext.object_id, master_nonce
    )
    contests = encrypt_ballot_contests(
        plaintext, election.internal, election.context, nonce_seed, should_verify_proofs=True
    )
    if contests is None:
        return None
    return make_ciphertext_ballot(
        plaintext.object_id, STYLE_ID, election.internal.manifest_hash, None, contests,
        master_nonce, FIXED_TIMESTAMP,
    )


def confirmation_code(ballot: SubmittedBallot) -> str:
    """The ballot code (tracker) a voter keeps, as upper-case hex."""
    return ballot.code.to_hex()


def find_confirmation_code(record_dir: Path, code: str) -> bool:
    """Whether a ballot with this confirmation code was counted in a published record."""
    wanted = code.strip().upper()
    for path in sorted((record_dir / SUBMITTED_BALLOTS_DIR).glob("*.json")):
        ballot = from_file(SubmittedBallot, path)
        if confirmation_code(ballot) == wanted and ballot.state == BallotBoxState.CAST:
            return True
    return False
