"""Where the repository and the project's shared reference data are."""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[4]


def shared_dir() -> Path:
    """The shared/ folder beside the repository (OParl examples, vendor specs).

    RATSRAUM_SHARED_DIR overrides it; CI and developers have it next to the checkout.
    """
    configured = os.environ.get("RATSRAUM_SHARED_DIR")
    folder = Path(configured) if configured else REPO_ROOT.parent / "shared"
    if not folder.is_dir():
        raise FileNotFoundError(
            f"shared data not found at {folder}; set RATSRAUM_SHARED_DIR to its location"
        )
    return folder
