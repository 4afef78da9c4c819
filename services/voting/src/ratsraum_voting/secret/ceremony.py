"""Voting's side of the key ceremony and of the decryption: a mediator between guardians.

Voting only ever sees public keys, encrypted backups, verifications and decryption shares;
the private key shares stay in each guardian's own folder (see ratsraum_voting.guardian).
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Protocol

from electionguard.ballot import SubmittedBallot
from electionguard.decryption_mediator import DecryptionMediator
from electionguard.decryption_share import CompensatedDecryptionShare, DecryptionShare
from electionguard.election import make_ciphertext_election_context
from electionguard.election_polynomial import LagrangeCoefficientsRecord
from electionguard.group import ElementModP
from electionguard.guardian import GuardianRecord, publish_guardian_record
from electionguard.key_ceremony import (
    CeremonyDetails,
    ElectionPartialKeyBackup,
    ElectionPartialKeyVerification,
    ElectionPublicKey,
)
from electionguard.key_ceremony_mediator import KeyCeremonyMediator
from electionguard.manifest import InternalManifest, Manifest
from electionguard.tally import CiphertextTally, PlaintextTally, tally_ballots
from ratsraum_ballot_client import Election

from ratsraum_voting.guardian.closing import ClosingStatement
from ratsraum_voting.guardian.store import ballot_store

DEFAULT_GUARDIANS = ("vorsitz", "schriftfuehrung-1", "schriftfuehrung-2")
DEFAULT_QUORUM = 2


class CeremonyFailed(Exception):
    """The key ceremony or the decryption could not be completed."""


class GuardianPort(Protocol):
    """What voting asks of a guardian: in-process (tests) or over the network."""

    guardian_id: str

    def announce(self, *, ceremony_id: str, guardians: int, quorum: int) -> ElectionPublicKey:
        """Create (or repeat) this guardian's key pair for the ceremony."""

    def share_backups(
        self, *, ceremony_id: str, keys: list[ElectionPublicKey]
    ) -> list[ElectionPartialKeyBackup]:
        """Hand out encrypted backups of the guardian's share."""

    def verify_backups(
        self, *, ceremony_id: str, backups: list[ElectionPartialKeyBackup]
    ) -> list[ElectionPartialKeyVerification]:
        """Verify the backups addressed to the guardian."""

    def finish(
        self, *, ceremony_id: str, verifications: list[ElectionPartialKeyVerification]
    ) -> ElementModP:
        """Take the verifications of the guardian's backups; answer the joint key."""

    def decrypt_tally(
        self, *, ceremony_id: str, election: Election, ballots: list[SubmittedBallot],
        missing: list[str], closing: ClosingStatement | None = None,
    ) -> TallySharesLike:
        """Partially decrypt the sum of the ballots, compensating for the missing."""


class TallySharesLike(Protocol):
    """A guardian's answer to decrypt_tally."""

    share: DecryptionShare
    compensated: dict[str, CompensatedDecryptionShare]


@dataclass(frozen=True)
class KeyCeremonyResult:
    """The public outcome of a key ceremony: the election context and guardian records."""

    election: Election
    guardian_records: list[GuardianRecord]


def run_key_ceremony(
    *, ceremony_id: str, manifest: Manifest, guardians: Sequence[GuardianPort], quorum: int
) -> KeyCeremonyResult:
    """Run ElectionGuard's three-round key ceremony among the guardians; build the context."""
    details = CeremonyDetails(len(guardians), quorum)
    mediator = KeyCeremonyMediator(ceremony_id, details)
    keys = [
        g.announce(ceremony_id=ceremony_id, guardians=len(guardians), quorum=quorum)
        for g in guardians
    ]
    for key in keys:
        mediator.announce(key)
    for guardian in guardians:
        mediator.receive_backups(guardian.share_backups(ceremony_id=ceremony_id, keys=keys))
    backups = [b for g in guardians for b in (mediator.share_backups(g.guardian_id) or [])]
    verifications = [
        v for g in guardians
        for v in g.verify_backups(ceremony_id=ceremony_id, backups=backups)
    ]
    mediator.receive_backup_verifications(verifications)
    joint = mediator.publish_joint_key()
    if joint is None or not mediator.all_backups_verified():
        raise CeremonyFailed("Schlüsselzeremonie: nicht alle Sicherungen wurden bestätigt")
    for guardian in guardians:
        if guardian.finish(ceremony_id=ceremony_id, verifications=verifications) != (
            joint.joint_public_key
        ):
            raise CeremonyFailed(f"Guardian {guardian.guardian_id} kennt einen anderen Schlüssel")
    context = make_ciphertext_election_context(
        len(guardians), quorum, joint.joint_public_key, joint.commitment_hash,
        InternalManifest(manifest).manifest_hash,
    )
    return KeyCeremonyResult(
        election=Election(manifest=manifest, context=context),
        guardian_records=[publish_guardian_record(k) for k in keys],
    )


@dataclass(frozen=True)
class DecryptedTally:
    """The homomorphic tally, its decryption with proofs, and the Lagrange coefficients."""

    ciphertext: CiphertextTally
    plaintext: PlaintextTally
    coefficients: LagrangeCoefficientsRecord


def decrypt(
    *, ceremony_id: str, election: Election, available: Sequence[GuardianPort],
    keys: Sequence[ElectionPublicKey], ballots: Sequence[SubmittedBallot],
    proofs_checked: bool = False, closing: ClosingStatement | None = None,
) -> DecryptedTally:
    """Have the available guardians (≥ quorum) decrypt the ballots' sum, all at once.

    Voting computes the sum here (checking the proofs unless `proofs_checked`) to combine
    the shares; each guardian gets the ballots, checks them and computes the same sum itself,
    so no guardian decrypts a sum it did not compute. Every decryption share's proof is
    checked when the shares are combined.
    """
    if len(available) < election.context.quorum:
        raise CeremonyFailed(
            f"Zum Entschlüsseln sind {election.context.quorum} Guardians nötig, "
            f"erreichbar sind {len(available)}."
        )
    tally = tally_of_ballots(election, list(ballots), check_proofs=not proofs_checked)
    handed = list(ballots)
    present = {g.guardian_id for g in available}
    missing = [k for k in keys if k.owner_id not in present]
    missing_ids = [k.owner_id for k in missing]
    by_id = {k.owner_id: k for k in keys}

    def ask(guardian: GuardianPort) -> TallySharesLike:
        return guardian.decrypt_tally(ceremony_id=ceremony_id, election=election,
                                      ballots=handed, missing=missing_ids, closing=closing)

    # The guardians work on their own machines: ask them all at once, not one by one.
    with ThreadPoolExecutor(max_workers=len(available)) as pool:
        answers = dict(zip([g.guardian_id for g in available], pool.map(ask, available),
                           strict=True))
    mediator = DecryptionMediator(ceremony_id, election.context)
    for guardian_id, answer in answers.items():
        mediator.announce(by_id[guardian_id], answer.share, {})
    for key in missing:
        mediator.announce_missing(key)
        for answer in answers.values():
            mediator.receive_tally_compensation_share(answer.compensated[key.owner_id])
    if missing:
        mediator.reconstruct_shares_for_tally(tally)
    # Checks every share's Chaum-Pedersen proof (and rebuilt shares) before combining.
    plaintext = mediator.get_plaintext_tally(tally, election.manifest)
    if plaintext is None:
        raise CeremonyFailed("Die Teilentschlüsselungen passen nicht zusammen.")
    return DecryptedTally(
        ciphertext=tally, plaintext=plaintext,
        coefficients=LagrangeCoefficientsRecord(mediator.get_lagrange_coefficients()),
    )


def tally_of_ballots(
    election: Election, ballots: list[SubmittedBallot], *, check_proofs: bool
) -> CiphertextTally:
    """ElectionGuard's encrypted tally of the ballots (checking their proofs if asked)."""
    if check_proofs:
        tally = tally_ballots(ballot_store(ballots), election.internal, election.context)
    else:
        unchecked = CiphertextTally("election-results", election.internal, election.context)
        tally = unchecked if unchecked.batch_append(ballot_store(ballots), False) else None
    if tally is None:
        raise CeremonyFailed("Die Stimmzettel ließen sich nicht zusammenzählen.")
    return tally
