"""Where the repository and the project's shared reference data are."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[4]


def shared_dir() -> Path:
    """The shared/ folder (OParl examples, vendor specs).

    RATSRAUM_SHARED_DIR if set; else beside this checkout (as CI and developers have it);
    else beside the repository this checkout was cloned from (a throwaway clone in /tmp).
    """
    configured = os.environ.get("RATSRAUM_SHARED_DIR")
    candidates = [Path(configured)] if configured else [REPO_ROOT.parent / "shared"]
    origin = _origin_checkout()
    if not configured and origin is not None:
        candidates.append(origin.parent / "shared")
    for folder in candidates:
        if folder.is_dir():
            return folder
    raise FileNotFoundError(
        f"shared data not found at {candidates[0]}; set RATSRAUM_SHARED_DIR to its location"
    )


def _origin_checkout() -> Path | None:
    """The local repository this checkout was cloned from, if it was a local path."""
    try:
        url = subprocess.run(  # noqa: S603 - fixed command
            ["git", "-C", str(REPO_ROOT), "config", "--get", "remote.origin.url"],  # noqa: S607
            capture_output=True, text=True, timeout=5, check=False,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    path = Path(url.removeprefix("file://")) if url else None
    return path.resolve() if path is not None and path.is_dir() else None
