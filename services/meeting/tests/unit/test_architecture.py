"""Meeting's imports point down its layers (services/meeting/importlinter.ini).

Fails on any new import from a lower layer up to a higher one (a domain importing the
publisher, the HTTP layer or a domain above it), on a domain importing FastAPI, and on a new
top-level module that no layer names.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

CONFIG = Path(__file__).resolve().parents[2] / "importlinter.ini"


def test_imports_follow_the_layers() -> None:
    lint_imports = Path(sys.executable).with_name("lint-imports")
    run = subprocess.run(
        [str(lint_imports), str(CONFIG), "--no-cache", "--no-logo"],
        capture_output=True, text=True, timeout=120, check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr
