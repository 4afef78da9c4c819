"""The chaos harness's short form: two rounds (an open and a secret poll), one kill -9 each.

The long form is `make chaos` (20 rounds, 200 voters). A failure prints the seed; run
`python -m ratsraum_devstack.chaos --seed N --rounds 2 --voters 12 --secret-voters 6` (or set
RATSRAUM_CHAOS_SEED for this test) to replay the same targets and moments.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest

from ratsraum_devstack.chaos import Plan, report, run

pytestmark = pytest.mark.e2e


def test_killed_services_lose_and_double_no_acknowledged_ballot(tmp_path: Path) -> None:
    seed = int(os.environ.get("RATSRAUM_CHAOS_SEED") or int.from_bytes(os.urandom(4), "big"))
    plan = Plan(seed=seed, rounds=2, voters=12, secret_voters=6, round_seconds=120.0)
    print(f"chaos seed {seed}")
    figures = asyncio.run(run(plan, tmp_path))
    print(report(plan, figures))
    assert figures.rounds == 2
    assert sum(figures.faults.values()) == 2
    assert figures.ballots_checked == 12 + 6
    assert figures.problems == [], f"seed {seed}: {figures.problems}"
