"""Secret-ballot benchmark with ElectionGuard's real group: proof check per ballot, close→result.

Three guardians (two decrypt, one is compensated for), N ballots encrypted by the client
library; measures the proof check of each ballot as voting does it on cast, then the time from
close (homomorphic tally, partial decryptions, record written) to a verified record.
Ends with: bench: kind=secret voters=N verify_ms_per_ballot=… close_to_result_ms=…
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from pathlib import Path

from electionguard.ballot import BallotBoxState, SubmittedBallot
from electionguard.ballot_box import submit_ballot
from electionguard.serialize import from_raw
from ratsraum_ballot_client import build_manifest, encrypt_choice

from ratsraum_voting.guardian.store import GuardianStore
from ratsraum_voting.secret.ceremony import DEFAULT_GUARDIANS, decrypt, run_key_ceremony
from ratsraum_voting.secret.record import write_record
from ratsraum_voting.secret.result import counts_from_tally, poll_result
from ratsraum_voting.secret.verify import verify_record

OPTIONS = [("yes", "Ja"), ("no", "Nein"), ("abstain", "Enthaltung")]


def run(voters: int, workdir: Path) -> tuple[float, float, dict[str, int]]:
    """One secret poll; returns (ms per proof check, ms close→verified result, counts)."""
    guardians = [GuardianStore(folder=workdir / gid, guardian_id=gid, sequence_order=i + 1)
                 for i, gid in enumerate(DEFAULT_GUARDIANS)]
    manifest = build_manifest(poll_id="bench", title="Benchmark", options=OPTIONS)
    ceremony = run_key_ceremony(ceremony_id="bench", manifest=manifest, guardians=guardians,
                                quorum=2)
    election = ceremony.election
    sent = [encrypt_choice(election, random.choice(OPTIONS)[0]) for _ in range(voters)]
    started = time.perf_counter()
    ballots = []
    for item in sent:
        ballot = from_raw(SubmittedBallot, item.ballot_json)
        assert ballot.is_valid_encryption(
            election.internal.manifest_hash, election.context.elgamal_public_key,
            election.context.crypto_extended_base_hash)
        ballots.append(submit_ballot(ballot, BallotBoxState.CAST))
    verify_ms = (time.perf_counter() - started) * 1000 / voters
    started = time.perf_counter()
    keys = [g.announce(ceremony_id="bench", guardians=3, quorum=2) for g in guardians]
    decrypted = decrypt(ceremony_id="bench", election=election, ballots=ballots,
                        available=guardians[:2], keys=keys)
    counts = counts_from_tally(decrypted.plaintext)
    poll = poll_result(poll_id="bench", title="Benchmark", options=OPTIONS, rule="simple",
                       statutory_members=None, roll_size=voters, counts=counts)
    record = write_record(directory=workdir / "record", election=election,
                          guardians=ceremony.guardian_records, ballots=ballots,
                          decrypted=decrypted, voters=[f"v{i}" for i in range(voters)],
                          poll=poll)
    verify_record(record.directory, report=lambda _line: None)
    close_ms = (time.perf_counter() - started) * 1000
    return verify_ms, close_ms, counts


def main() -> None:
    """Run and print the machine-readable line."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--voters", type=int, default=100)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        verify_ms, close_ms, counts = run(args.voters, Path(tmp))
    print(f"counts: {counts}")
    print(f"bench: kind=secret voters={args.voters} verify_ms_per_ballot={verify_ms:.1f} "
          f"close_to_result_ms={close_ms:.0f}")


if __name__ == "__main__":
    main()
