"""Secret-ballot benchmark with ElectionGuard's real group, on voting's own code paths.

Three guardian processes (as deployed: chair and two tellers, 2 of 3 decrypt), voting's
secret-poll service on SQLite: the key ceremony opens the poll, N ballots encrypted by the
client library (in a process pool) are cast through voting's cast path (every proof checked,
the running tally grown), then the poll is closed: the guardians partially decrypt the one
tally, voting checks every decryption proof, writes the record and seals the audit chain.
That is the close → published, verified result. Verifying the whole record afterwards (every
ballot's proofs again, as anyone may) is a separate figure.
Ends with: bench: kind=secret voters=N verify_ms_per_ballot=… close_to_result_ms=…
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from pathlib import Path

from ratsraum_ballot_client import Election, encrypt_choice

from ratsraum_common.db import Database
from ratsraum_voting.audit.keys import AuditSigner
from ratsraum_voting.guardian.server import use_thread_pools
from ratsraum_voting.main import MIGRATIONS
from ratsraum_voting.rules import Rule
from ratsraum_voting.secret import casting, published, service
from ratsraum_voting.secret.ceremony import DEFAULT_GUARDIANS
from ratsraum_voting.secret.closing import close_secret_poll
from ratsraum_voting.secret.remote import GuardianAddress
from ratsraum_voting.secret.verify import verify_record

OPTIONS = [("yes", "Ja"), ("no", "Nein"), ("abstain", "Enthaltung")]
TENANT, POLL = "bench", "5ec2e7b0-0000-4000-8000-000000000001"


@contextmanager
def guardian_processes(folder: Path) -> Iterator[list[GuardianAddress]]:
    """The three guardians as processes on free ports; stopped on exit."""
    started: list[subprocess.Popen[str]] = []
    try:
        addresses = []
        for order, gid in enumerate(DEFAULT_GUARDIANS, start=1):
            proc = subprocess.Popen(
                [sys.executable, "-m", "ratsraum_voting.guardian", "--name", gid, "--dir",
                 str(folder / gid), "--order", str(order), "--port", "0"],
                stdout=subprocess.PIPE, text=True)
            started.append(proc)
            assert proc.stdout is not None
            found = None
            while found is None:
                line = proc.stdout.readline()
                if not line:
                    raise RuntimeError(f"guardian {gid} ended before listening")
                found = re.search(r"listening on [\d.]+:(\d+)", line)
            addresses.append(GuardianAddress(gid, f"127.0.0.1:{found.group(1)}"))
        yield addresses
    finally:
        for proc in started:
            proc.terminate()
            proc.wait(timeout=10)


def _encrypt(args: tuple[str, str, list[str]]) -> list[str]:
    """Worker: encrypt a batch of choices (a voter's device does one)."""
    manifest_json, context_json, choices = args
    election = Election.from_json(manifest_json=manifest_json, context_json=context_json)
    return [encrypt_choice(election, c).ballot_json for c in choices]


def encrypt_all(poll_manifest: str, poll_context: str, voters: int, workers: int) -> list[str]:
    """N encrypted ballots with random choices, encrypted in a process pool."""
    choices = [random.choice(OPTIONS)[0] for _ in range(voters)]
    size = max(1, voters // (workers * 4))
    batches = [(poll_manifest, poll_context, choices[i:i + size])
               for i in range(0, voters, size)]
    # Spawned, not forked: this process already runs threads (database, gRPC).
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        return [b for batch in pool.map(_encrypt, batches) for b in batch]


async def run(voters: int, workdir: Path, workers: int) -> dict[str, float]:
    """One secret poll end to end; returns the figures in ms."""
    db = Database(f"sqlite+aiosqlite:///{workdir / 'voting.sqlite3'}")
    await db.migrate(MIGRATIONS)
    figures: dict[str, float] = {}
    try:
        with guardian_processes(workdir / "keys") as guardians:
            started = time.perf_counter()
            roll = [f"m{i:05d}" for i in range(voters)]
            spec = service.SecretSpec(
                tenant=TENANT, poll_id=POLL, meeting_id="bench", title="Benchmark",
                options=OPTIONS, rule=Rule.SIMPLE, roll=roll, statutory_members=None)
            poll = await service.open_secret_poll(db=db, guardians=guardians, spec=spec)
            figures["open_with_key_ceremony_ms"] = (time.perf_counter() - started) * 1000
            started = time.perf_counter()
            ballots = encrypt_all(poll.manifest_json, poll.context_json, voters, workers)
            figures["encrypt_all_ms"] = (time.perf_counter() - started) * 1000
            checks: list[float] = []
            check = casting.check_ballot

            def timed_check(**kwargs: object) -> object:
                begun = time.perf_counter()
                try:
                    return check(**kwargs)  # type: ignore[arg-type]
                finally:
                    checks.append(time.perf_counter() - begun)

            casting.check_ballot = timed_check  # type: ignore[assignment]
            started = time.perf_counter()
            for voter, ballot in zip(roll, ballots, strict=True):
                await service.cast_secret_ballot(db=db, tenant=TENANT, poll_id=POLL,
                                                 voter_id=voter, ballot_json=ballot)
            figures["cast_ms_per_ballot"] = (time.perf_counter() - started) * 1000 / voters
            figures["verify_ms_per_ballot"] = sum(checks) * 1000 / voters
            started = time.perf_counter()
            closed = await close_secret_poll(
                db=db, guardians=guardians, signer=AuditSigner.load_or_create(workdir),
                tenant=TENANT, poll_id=POLL)
            figures["close_to_result_ms"] = (time.perf_counter() - started) * 1000
            figures.update(closed.timings)
        async with db.tenant_session(TENANT) as session:
            files = await published.load_files(session, poll=closed.poll)
        for path, content in files.items():  # the record as a reader downloads it
            (workdir / "records" / TENANT / POLL / path).parent.mkdir(parents=True, exist_ok=True)
            (workdir / "records" / TENANT / POLL / path).write_bytes(content)
        started = time.perf_counter()
        verify_record(workdir / "records" / TENANT / POLL, report=lambda _line: None)
        figures["record_verify_ms"] = (time.perf_counter() - started) * 1000
        assert closed.poll.result is not None
        counts = {c["option_id"]: c["count"] for c in closed.poll.result["counts"]}
        assert sum(counts.values()) == voters
        print(f"counts: {counts}")
    finally:
        await db.dispose()
    return figures


def main() -> None:
    """Run and print the per-step figures and the machine-readable line."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--voters", type=int, default=100)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1,
                        help="processes encrypting the ballots (the voters' devices)")
    args = parser.parse_args()
    use_thread_pools()
    with tempfile.TemporaryDirectory() as tmp:
        figures = asyncio.run(run(args.voters, Path(tmp), args.workers))
    for name, value in figures.items():
        print(f"  {name:32} {value:10.1f}")
    print(f"bench: kind=secret voters={args.voters} "
          f"verify_ms_per_ballot={figures['verify_ms_per_ballot']:.1f} "
          f"close_to_result_ms={figures['close_to_result_ms']:.0f} "
          f"record_verify_ms={figures['record_verify_ms']:.0f}")


if __name__ == "__main__":
    main()
