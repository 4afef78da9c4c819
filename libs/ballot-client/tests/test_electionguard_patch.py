"""The installed electionguard carries upstream PR #810, without which it fails on 3.11."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]


def test_tally_selections_get_their_own_default_ciphertext() -> None:
    from electionguard.tally import CiphertextTallySelection

    field = {f.name: f for f in dataclasses.fields(CiphertextTallySelection)}["ciphertext"]
    assert field.default is dataclasses.MISSING, "PR #810 missing: run tools/patch_electionguard.py"
    assert field.default_factory is not dataclasses.MISSING


def test_patch_script_is_idempotent_and_refuses_unknown_content(tmp_path: Path) -> None:
    sys.path.insert(0, str(ROOT / "tools"))
    try:
        import patch_electionguard as patcher
    finally:
        sys.path.pop(0)
    broken = tmp_path / "tally.py"
    broken.write_text(f"x = field(\n    {patcher.BROKEN}\n)\n")
    assert patcher.patch(broken) == "patched"
    assert patcher.patch(broken) == "already patched"
    assert patcher.FIXED in broken.read_text()
    broken.write_text("something else\n")
    with pytest.raises(SystemExit):
        patcher.patch(broken)


def test_ballot_client_imports_in_a_fresh_interpreter() -> None:
    done = subprocess.run(
        [sys.executable, "-c", "import ratsraum_ballot_client, electionguard.tally"],
        capture_output=True, text=True, timeout=60, check=False,
    )
    assert done.returncode == 0, done.stderr[-500:]
