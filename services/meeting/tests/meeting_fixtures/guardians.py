"""`guardians`: the chair's and two tellers' guardian processes for secret votes.

Each listens on a port it picks itself and says which, so no free port is guessed. ElectionGuard's
small test group (PRIME_OPTION=TestOnly) keeps the tests' key ceremonies fast.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from ratsraum_devstack.guardians import GUARDIAN_IDS


@pytest.fixture
def guardians(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The three guardian processes; answers VOTING_GUARDIANS."""
    monkeypatch.setenv("PRIME_OPTION", "TestOnly")
    started: list[subprocess.Popen[str]] = []
    addresses = []
    try:
        for order, gid in enumerate(GUARDIAN_IDS, start=1):
            started.append(subprocess.Popen(
                [sys.executable, "-m", "ratsraum_voting.guardian", "--name", gid,
                 "--dir", str(tmp_path / "keys" / gid), "--order", str(order), "--port", "0"],
                stdout=subprocess.PIPE, text=True, env={**os.environ}))
        for gid, proc in zip(GUARDIAN_IDS, started, strict=True):
            assert proc.stdout is not None
            port = None
            while port is None:  # the process logs first, then says where it listens
                line = proc.stdout.readline()
                assert line, "guardian process ended before listening"
                port = re.search(r"listening on [\d.]+:(\d+)", line)
            addresses.append({"id": gid, "address": f"127.0.0.1:{port.group(1)}"})
        yield json.dumps(addresses)
    finally:
        for proc in started:
            proc.terminate()
            proc.wait(timeout=10)
