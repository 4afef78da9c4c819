"""Guardians reached over gRPC (GuardianService), from the VOTING_GUARDIANS setting."""

from __future__ import annotations

import json
from dataclasses import dataclass

import grpc
from electionguard.ballot import SubmittedBallot
from electionguard.decryption_share import CompensatedDecryptionShare, DecryptionShare
from electionguard.group import ElementModP, hex_to_p
from electionguard.key_ceremony import (
    ElectionPartialKeyBackup,
    ElectionPartialKeyVerification,
    ElectionPublicKey,
)
from electionguard.serialize import from_raw, to_raw
from ratsraum_ballot_client import Election

from ratsraum.voting.v1 import secret_pb2, secret_pb2_grpc
from ratsraum_common.grpctls import MutualTls, blocking_channel
from ratsraum_voting.guardian.closing import ClosingStatement
from ratsraum_voting.guardian.server import GRPC_OPTIONS
from ratsraum_voting.secret.ceremony import CeremonyFailed

CEREMONY_DEADLINE_SECONDS = 30.0
DECRYPT_DEADLINE_SECONDS = 300.0


@dataclass(frozen=True)
class GuardianAddress:
    """One guardian as configured: its id, gRPC address and the mutual TLS to reach it."""

    guardian_id: str
    address: str
    tls: MutualTls | None = None


def parse_guardians(raw: str, *, tls: MutualTls | None = None) -> list[GuardianAddress]:
    """Parse VOTING_GUARDIANS: a JSON list of {"id": ..., "address": "host:port"}."""
    try:
        items = json.loads(raw) if raw.strip() else []
        guardians = [GuardianAddress(str(i["id"]), str(i["address"]), tls) for i in items]
    except (ValueError, TypeError, KeyError) as exc:
        raise ValueError(
            'VOTING_GUARDIANS: JSON-Liste [{"id": ..., "address": "host:port"}] erwartet'
        ) from exc
    if len({g.guardian_id for g in guardians}) != len(guardians):
        raise ValueError("VOTING_GUARDIANS: jede Guardian-ID nur einmal")
    return guardians


@dataclass
class TallyShares:
    """A remote guardian's decryption share and its compensating shares."""

    share: DecryptionShare
    compensated: dict[str, CompensatedDecryptionShare]


class RemoteGuardian:
    """A GuardianPort over a blocking gRPC channel (voting runs the ceremony in a thread)."""

    def __init__(self, address: GuardianAddress) -> None:
        self.guardian_id = address.guardian_id
        self.address = address.address
        self._channel = blocking_channel(address.address, address.tls, options=GRPC_OPTIONS)
        self._stub = secret_pb2_grpc.GuardianServiceStub(self._channel)

    def close(self) -> None:
        """Close the channel."""
        self._channel.close()

    def _call(self, method: str, request: object, timeout: float) -> object:
        try:
            return getattr(self._stub, method)(request, timeout=timeout)
        except grpc.RpcError as exc:
            raise CeremonyFailed(
                f"Guardian {self.guardian_id} ({method}): {exc.details()}"
            ) from exc

    def announce(self, *, ceremony_id: str, guardians: int, quorum: int) -> ElectionPublicKey:
        """Create (or repeat) this guardian's key pair for the ceremony."""
        reply = self._call("Announce", secret_pb2.AnnounceRequest(
            ceremony_id=ceremony_id, guardians=guardians, quorum=quorum),
            CEREMONY_DEADLINE_SECONDS)
        assert isinstance(reply, secret_pb2.AnnounceResponse)
        return from_raw(ElectionPublicKey, reply.key_json)

    def share_backups(
        self, *, ceremony_id: str, keys: list[ElectionPublicKey]
    ) -> list[ElectionPartialKeyBackup]:
        """Hand out encrypted backups of the guardian's share."""
        reply = self._call("ShareBackups", secret_pb2.ShareBackupsRequest(
            ceremony_id=ceremony_id, keys_json=[to_raw(k) for k in keys]),
            CEREMONY_DEADLINE_SECONDS)
        assert isinstance(reply, secret_pb2.ShareBackupsResponse)
        return [from_raw(ElectionPartialKeyBackup, b) for b in reply.backups_json]

    def verify_backups(
        self, *, ceremony_id: str, backups: list[ElectionPartialKeyBackup]
    ) -> list[ElectionPartialKeyVerification]:
        """Verify the backups addressed to the guardian."""
        reply = self._call("VerifyBackups", secret_pb2.VerifyBackupsRequest(
            ceremony_id=ceremony_id, backups_json=[to_raw(b) for b in backups]),
            CEREMONY_DEADLINE_SECONDS)
        assert isinstance(reply, secret_pb2.VerifyBackupsResponse)
        return [from_raw(ElectionPartialKeyVerification, v) for v in reply.verifications_json]

    def finish(
        self, *, ceremony_id: str, verifications: list[ElectionPartialKeyVerification]
    ) -> ElementModP:
        """Take the verifications of the guardian's backups; answer the joint key."""
        reply = self._call("Finish", secret_pb2.FinishRequest(
            ceremony_id=ceremony_id, verifications_json=[to_raw(v) for v in verifications]),
            CEREMONY_DEADLINE_SECONDS)
        assert isinstance(reply, secret_pb2.FinishResponse)
        joint = hex_to_p(reply.joint_key_hex)
        if joint is None:
            raise CeremonyFailed(f"Guardian {self.guardian_id}: ungültiger gemeinsamer Schlüssel")
        return joint

    def decrypt_tally(
        self, *, ceremony_id: str, election: Election, ballots: list[SubmittedBallot],
        missing: list[str], closing: ClosingStatement | None = None,
    ) -> TallyShares:
        """Partially decrypt the ballots' sum, compensating for the missing."""
        reply = self._call("DecryptTally", secret_pb2.DecryptTallyRequest(
            ceremony_id=ceremony_id, manifest_json=election.manifest_json(),
            context_json=election.context_json(), ballots_json=[to_raw(b) for b in ballots],
            missing=missing, closing_json=closing.text if closing else "",
            closing_signature=closing.signature if closing else ""),
            DECRYPT_DEADLINE_SECONDS)
        assert isinstance(reply, secret_pb2.DecryptTallyResponse)
        return TallyShares(
            share=from_raw(DecryptionShare, reply.share_json),
            compensated={k: from_raw(CompensatedDecryptionShare, v)
                         for k, v in reply.compensated_json.items()},
        )
