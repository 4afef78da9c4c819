"""Three guardian processes (`python -m ratsraum_voting.guardian`): ceremony and 2-of-3 tally."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from electionguard.ballot import BallotBoxState, SubmittedBallot
from electionguard.ballot_box import submit_ballot
from electionguard.serialize import from_raw
from ratsraum_ballot_client import build_manifest, encrypt_choice

from ratsraum_voting.guardian.server import use_thread_pools
from ratsraum_voting.secret.ceremony import DEFAULT_GUARDIANS, decrypt, run_key_ceremony
from ratsraum_voting.secret.remote import GuardianAddress, RemoteGuardian
from ratsraum_voting.secret.result import counts_from_tally

pytestmark = pytest.mark.filterwarnings("ignore:.*pydantic_encoder.*")


@pytest.fixture
def processes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[list[RemoteGuardian]]:
    """Start the three guardians as processes on free ports; stop them afterwards."""
    monkeypatch.setenv("PRIME_OPTION", "TestOnly")
    use_thread_pools()
    started, remotes = [], []
    try:
        for order, gid in enumerate(DEFAULT_GUARDIANS, start=1):
            started.append(subprocess.Popen(
                [sys.executable, "-m", "ratsraum_voting.guardian", "--name", gid,
                 "--dir", str(tmp_path / gid), "--order", str(order), "--port", "0"],
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
                        available=processes[1:], keys=keys)
    assert counts_from_tally(decrypted.plaintext) == {"yes": 2, "no": 1, "abstain": 0}
