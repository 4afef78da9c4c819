"""A guardian's private state in its own folder, and the steps it takes in a ceremony.

The folder belongs to the guardian (the chair's or a teller's machine); voting never sees it.
One JSON file per ceremony holds ElectionGuard's PrivateGuardianRecord.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

from electionguard.ballot import BallotBoxState, SubmittedBallot
from electionguard.ballot_code import get_ballot_code
from electionguard.data_store import DataStore
from electionguard.decryption_share import CompensatedDecryptionShare, DecryptionShare
from electionguard.group import ElementModP
from electionguard.guardian import Guardian, PrivateGuardianRecord
from electionguard.key_ceremony import (
    ElectionPartialKeyBackup,
    ElectionPartialKeyVerification,
    ElectionPublicKey,
)
from electionguard.serialize import from_raw, to_raw
from electionguard.tally import CiphertextTally, tally_ballots
from ratsraum_ballot_client import Election

from ratsraum_voting.guardian.closing import (
    ClosingInvalid,
    ClosingStatement,
    ballot_digest,
    check_statement,
)

_CEREMONY_ID = re.compile(r"^[a-z0-9][a-z0-9._-]{0,120}$")


class GuardianRefusal(Exception):
    """The guardian will not take this step (wrong ceremony, invalid ballots, ...)."""


@dataclass(frozen=True)
class TallyShares:
    """A guardian's own share of the tally and its shares standing in for missing guardians."""

    share: DecryptionShare
    compensated: dict[str, CompensatedDecryptionShare]


class GuardianStore:
    """One guardian (id, sequence order) keeping its key shares in `folder`."""

    def __init__(
        self, *, folder: Path, guardian_id: str, sequence_order: int, min_ballots: int = 3,
        voting_public_key: str = "", check_proofs: bool = True,
    ) -> None:
        self.folder = folder
        self.guardian_id = guardian_id
        self.sequence_order = sequence_order
        # Fewer ballots than this: the sum would tell how the few voted.
        self.min_ballots = min_ballots
        # Voting's audit key (hex): set, only a poll voting signed as closed is decrypted.
        self.voting_public_key = voting_public_key
        # Off: the sum is still computed here, but each ballot's proofs are left to voting
        # (checked at cast) and to the record's verifier; about 0.2 s per ballot saved.
        self.check_proofs = check_proofs
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)

    def _path(self, ceremony_id: str) -> Path:
        if not _CEREMONY_ID.match(ceremony_id):
            raise GuardianRefusal(f"ungültige Zeremonie-ID {ceremony_id[:40]!r}")
        return self.folder / f"{ceremony_id}.json"

    def _load(self, ceremony_id: str) -> tuple[Guardian, dict[str, object]]:
        path = self._path(ceremony_id)
        if not path.exists():
            raise GuardianRefusal(f"Zeremonie {ceremony_id} ist diesem Guardian unbekannt")
        stored = json.loads(path.read_text(encoding="utf-8"))
        record = from_raw(PrivateGuardianRecord, json.dumps(stored["record"]))
        guardian = Guardian.from_private_record(record, stored["guardians"], stored["quorum"])
        return guardian, stored

    def _save(self, ceremony_id: str, guardian: Guardian, stored: dict[str, object]) -> None:
        stored["record"] = json.loads(to_raw(guardian.export_private_data()))
        path = self._path(ceremony_id)
        tmp = path.with_suffix(".tmp")
        # Written privately and renamed, so a crash never leaves half a key share behind.
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(stored, out)
        tmp.replace(path)

    def announce(self, *, ceremony_id: str, guardians: int, quorum: int) -> ElectionPublicKey:
        """Create this guardian's key pair for a ceremony (again: the same public key)."""
        if self._path(ceremony_id).exists():
            return self._load(ceremony_id)[0].share_key()
        guardian = Guardian.from_nonce(self.guardian_id, self.sequence_order, guardians, quorum)
        stored: dict[str, object] = {"guardians": guardians, "quorum": quorum, "decrypted": None}
        self._save(ceremony_id, guardian, stored)
        return guardian.share_key()

    def share_backups(
        self, *, ceremony_id: str, keys: list[ElectionPublicKey]
    ) -> list[ElectionPartialKeyBackup]:
        """Take the other guardians' public keys; hand out encrypted backups of our share."""
        guardian, stored = self._load(ceremony_id)
        for key in keys:
            if key.owner_id != guardian.id:
                guardian.save_guardian_key(key)
        if not guardian.all_guardian_keys_received():
            raise GuardianRefusal("nicht alle öffentlichen Schlüssel erhalten")
        guardian.generate_election_partial_key_backups()
        self._save(ceremony_id, guardian, stored)
        return guardian.share_election_partial_key_backups()

    def verify_backups(
        self, *, ceremony_id: str, backups: list[ElectionPartialKeyBackup]
    ) -> list[ElectionPartialKeyVerification]:
        """Keep the backups addressed to us and verify each against its owner's commitments."""
        guardian, stored = self._load(ceremony_id)
        verifications = []
        for backup in backups:
            if backup.designated_id != guardian.id:
                continue
            guardian.save_election_partial_key_backup(backup)
            verification = guardian.verify_election_partial_key_backup(backup.owner_id)
            if verification is None:
                raise GuardianRefusal(f"Sicherung von {backup.owner_id} unvollständig")
            verifications.append(verification)
        self._save(ceremony_id, guardian, stored)
        return verifications

    def finish(
        self, *, ceremony_id: str, verifications: list[ElectionPartialKeyVerification]
    ) -> ElementModP:
        """Record the others' verifications of our backups; answer the joint key we derive."""
        guardian, stored = self._load(ceremony_id)
        for verification in verifications:
            if verification.owner_id == guardian.id:
                guardian.save_election_partial_key_verification(verification)
        joint_key = guardian.publish_joint_key()
        if joint_key is None:
            raise GuardianRefusal("nicht alle Sicherungen wurden bestätigt")
        self._save(ceremony_id, guardian, stored)
        return joint_key

    def decrypt_tally(
        self, *, ceremony_id: str, election: Election, ballots: list[SubmittedBallot],
        missing: list[str], closing: ClosingStatement | None = None,
    ) -> TallyShares:
        """Decrypt the sum of a closed poll's ballots, computed here, once per ceremony.

        The guardian never decrypts a sum it is handed: it checks every ballot (cast, of
        this election, its code, its proofs), adds them up itself and decrypts that sum,
        only from `min_ballots` ballots on, and, knowing voting's key, only for the ballots
        voting signed as closing the poll. A second decryption of any other set is refused,
        so the guardians release exactly one sum per poll.
        """
        guardian, stored = self._load(ceremony_id)
        if election.context.elgamal_public_key != guardian.publish_joint_key():
            raise GuardianRefusal("die Wahl gehört nicht zu dieser Schlüsselzeremonie")
        if len(ballots) < self.min_ballots:
            raise GuardianRefusal(
                f"zu wenige Stimmzettel für ein geheimes Ergebnis ({len(ballots)}, mindestens "
                f"{self.min_ballots})")
        if self.voting_public_key:
            try:
                check_statement(closing, public_key_hex=self.voting_public_key,
                                ceremony_id=ceremony_id, ballots=ballots)
            except ClosingInvalid as exc:
                raise GuardianRefusal(str(exc)) from exc
        _check_ballots(election, ballots)
        fingerprint = sorted(ballot_digest(b) for b in ballots)
        if stored["decrypted"] not in (None, fingerprint):
            raise GuardianRefusal("bereits über andere Stimmzettel entschlüsselt")
        tally = _sum_of(election, ballots, check_proofs=self.check_proofs)
        if tally is None or tally.cast() != len(ballots):
            raise GuardianRefusal("mindestens ein Stimmzettel hat ungültige Beweise")
        share = guardian.compute_tally_share(tally, election.context)
        if share is None:
            raise GuardianRefusal("Teilentschlüsselung fehlgeschlagen")
        compensated = {}
        for missing_id in missing:
            part = guardian.compute_compensated_tally_share(missing_id, tally, election.context)
            if part is None:
                raise GuardianRefusal(f"keine Sicherung für {missing_id}")
            compensated[missing_id] = part
        stored["decrypted"] = fingerprint
        self._save(ceremony_id, guardian, stored)
        return TallyShares(share=share, compensated=compensated)


def _sum_of(election: Election, ballots: list[SubmittedBallot], *,
            check_proofs: bool) -> CiphertextTally | None:
    """The homomorphic sum of the ballots, computed here (proofs checked if asked)."""
    if check_proofs:
        return tally_ballots(ballot_store(ballots), election.internal, election.context)
    tally = CiphertextTally("election-results", election.internal, election.context)
    return tally if tally.batch_append(ballot_store(ballots), False) else None


def _check_ballots(election: Election, ballots: list[SubmittedBallot]) -> None:
    """Each ballot cast, of this election, once, with its code bound to its contents."""
    if len({b.object_id for b in ballots}) != len(ballots):
        raise GuardianRefusal("ein Stimmzettel kommt mehrfach vor")
    for ballot in ballots:
        if (ballot.state != BallotBoxState.CAST
                or ballot.manifest_hash != election.internal.manifest_hash
                or ballot.code_seed != election.internal.manifest_hash
                or ballot.code != get_ballot_code(ballot.code_seed, ballot.timestamp,
                                                  ballot.crypto_hash)):
            raise GuardianRefusal("nur abgegebene Stimmzettel dieser Abstimmung werden "
                                  "ausgezählt")


def ballot_store(ballots: list[SubmittedBallot]) -> DataStore[str, SubmittedBallot]:
    """The ballots in the store ElectionGuard's tally reads."""
    store: DataStore[str, SubmittedBallot] = DataStore()
    for ballot in ballots:
        store.set(ballot.object_id, ballot)
    return store
