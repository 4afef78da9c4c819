"""The whole secret-ballot flow once with ElectionGuard's real 4096-bit group (separate process):
guardian processes, voting's open / cast / close, the record verified (bench/secret_vote.py)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[4] / "bench" / "secret_vote.py"


def test_real_group_ceremony_cast_close_and_verify() -> None:
    # A separate process: ElectionGuard picks its group from the environment and caches
    # discrete logs per process, so it must not share one with the test-group tests.
    done = subprocess.run(
        [sys.executable, "-W", "ignore", str(BENCH), "--voters", "3"],
        capture_output=True, text=True, timeout=300, check=False,
        env={"PATH": "/usr/bin:/bin"},
    )
    assert done.returncode == 0, done.stderr[-1500:]
    last = done.stdout.strip().splitlines()[-1]
    assert re.fullmatch(
        r"bench: kind=secret voters=3 verify_ms_per_ballot=[\d.]+ close_to_result_ms=\d+ "
        r"record_verify_ms=\d+", last)
    counts = re.search(r"counts: \{(.*)\}", done.stdout)
    assert counts is not None
    assert sum(int(n) for n in re.findall(r": (\d+)", counts.group(1))) == 3
