"""Three guardian processes (`python -m ratsraum_voting.guardian`): ceremony and 2-of-3 tally.

The processes pin voting's audit key and keep the default minimum of three ballots: they
decrypt only the sum they compute from ballots voting signed as closing the poll.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import grpc
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from electionguard.ballot import BallotBoxState, SubmittedBallot
from electionguard.ballot_box import submit_ballot
from electionguard.serialize import from_raw, to_raw
from ratsraum_ballot_client import build_manifest, encrypt_choice

from ratsraum.voting.v1 import secret_pb2, secret_pb2_grpc
from ratsraum_voting.guardian.closing import ClosingStatement, statement_text
from ratsraum_voting.guardian.server import use_thread_pools
from ratsraum_voting.secret.ceremony import (
    DEFAULT_GUARDIANS,
    CeremonyFailed,
    decrypt,
    run_key_ceremony,
    tally_of_ballots,
)
from ratsraum_voting.secret.remote import GuardianAddress, RemoteGuardian
from ratsraum_voting.secret.result import counts_from_tally

pytestmark = pytest.mark.filterwarnings("ignore:.*pydantic_encoder.*")


VOTING_KEY = Ed25519PrivateKey.generate()


def _closing(ceremony_id: str, ballots: list[SubmittedBallot],
             key: Ed25519PrivateKey = VOTING_KEY) -> ClosingStatement:
    text = statement_text(ceremony_id=ceremony_id, ballots=ballots)
    return ClosingStatement(text=text, signature=key.sign(text.encode()).hex())


@pytest.fixture
def processes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[list[RemoteGuardian]]:
    """Start the three guardians as processes on free ports; stop them afterwards."""
    monkeypatch.setenv("PRIME_OPTION", "TestOnly")
    pinned = VOTING_KEY.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw).hex()
    use_thread_pools()
    started, remotes = [], []
    try:
        for order, gid in enumerate(DEFAULT_GUARDIANS, start=1):
            started.append(subprocess.Popen(
                [sys.executable, "-m", "ratsraum_voting.guardian", "--name", gid,
                 "--dir", str(tmp_path / gid), "--order", str(order), "--port", "0",
                 "--voting-public-key", pinned],
                stdout=subprocess.PIPE, text=True, env={**os.environ}))
        for gid, proc in zip(DEFAULT_GUARDIANS, started, strict=True):
            assert proc.stdout is not None
            port = None
            while port is None:  # the process logs first, then prints where it listens
                line = proc.stdout.readline()
                assert line, "guardian process ended before listening"
                port = re.search(r"listening on [\d.]+:(\d+)", line)
            remotes.append(RemoteGuardian(GuardianAddress(gid, f"127.0.0.1:{port.group(1)}")))
        yield remotes
    finally:
        for remote in remotes:
            remote.close()
        for proc in started:
            proc.terminate()
            proc.wait(timeout=10)


def test_guardian_processes_hold_their_shares_and_two_decrypt(
    processes: list[RemoteGuardian], tmp_path: Path
) -> None:
    manifest = build_manifest(poll_id="p-9", title="TOP 9",
                              options=[("yes", "Ja"), ("no", "Nein"), ("abstain", "Enthaltung")])
    ceremony = run_key_ceremony(ceremony_id="soest.p-9", manifest=manifest,
                                guardians=processes, quorum=2)
    for gid in DEFAULT_GUARDIANS:  # each private share only in its guardian's folder
        share = tmp_path / gid / "soest.p-9.json"
        assert share.stat().st_mode & 0o777 == 0o600
    ballots = [submit_ballot(from_raw(SubmittedBallot,
                                      encrypt_choice(ceremony.election, c).ballot_json),
                             BallotBoxState.CAST) for c in ["yes", "no", "yes"]]
    keys = [g.announce(ceremony_id="soest.p-9", guardians=3, quorum=2) for g in processes]
    decrypted = decrypt(ceremony_id="soest.p-9", election=ceremony.election, ballots=ballots,
                        available=processes[1:], keys=keys,
                        closing=_closing("soest.p-9", ballots))
    assert counts_from_tally(decrypted.plaintext) == {"yes": 2, "no": 1, "abstain": 0}


def test_guardian_processes_refuse_a_sum_they_did_not_compute_or_voting_did_not_close(
    processes: list[RemoteGuardian],
) -> None:
    manifest = build_manifest(poll_id="p-10", title="TOP 10",
                              options=[("yes", "Ja"), ("no", "Nein")])
    ceremony = run_key_ceremony(ceremony_id="soest.p-10", manifest=manifest,
                                guardians=processes, quorum=2)
    ballots = [submit_ballot(from_raw(SubmittedBallot,
                                      encrypt_choice(ceremony.election, c).ballot_json),
                             BallotBoxState.CAST) for c in ["yes", "no", "yes"]]
    teller = processes[1]
    # A caller-built "tally" (here: one ballot's ciphertexts) is never decrypted.
    tally = tally_of_ballots(ceremony.election, ballots[:1], check_proofs=True)
    stub = secret_pb2_grpc.GuardianServiceStub(teller._channel)
    with pytest.raises(grpc.RpcError) as refused:
        stub.DecryptTally(secret_pb2.DecryptTallyRequest(
            ceremony_id="soest.p-10", manifest_json=ceremony.election.manifest_json(),
            context_json=ceremony.election.context_json(),
            tally_json=to_raw(tally.publish())), timeout=30)
    assert refused.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert "selbst" in refused.value.details()

    def ask(handed: list[SubmittedBallot], closing: ClosingStatement | None) -> str:
        with pytest.raises(CeremonyFailed) as failed:
            teller.decrypt_tally(ceremony_id="soest.p-10", election=ceremony.election,
                                 ballots=handed, missing=[], closing=closing)
        return str(failed.value)

    assert "zu wenige Stimmzettel" in ask(ballots[:2], _closing("soest.p-10", ballots[:2]))
    assert "keine Erklärung" in ask(ballots, None)  # the poll was not closed by voting
    assert "nicht vom Abstimmungsdienst" in ask(
        ballots, _closing("soest.p-10", ballots, key=Ed25519PrivateKey.generate()))
    assert "andere Stimmzettel" in ask(ballots, _closing("soest.p-10", ballots[:2]))
    shares = teller.decrypt_tally(ceremony_id="soest.p-10", election=ceremony.election,
                                  ballots=ballots, missing=[],
                                  closing=_closing("soest.p-10", ballots))
    assert shares.share.guardian_id == teller.guardian_id
