"""Debian's chromium for browser tests and benchmarks (never a downloaded browser build).

Installs the `chromium` package with apt-get when it is missing (root only), as
`ratsraum_devstack.postgres.ensure_installed` does for PostgreSQL.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from ratsraum_devstack.debian import ensure_package

# Flags for a quiet headless browser: no sandbox (tests may run as root in a container), no
# GPU, and nothing that calls home or updates itself while a test runs.
LAUNCH_ARGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
)


def _find() -> Path | None:
    for candidate in ("/usr/bin/chromium", shutil.which("chromium")):
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    return None


def ensure_installed() -> Path:
    """The chromium executable, installing Debian's chromium package if needed."""
    return ensure_package("chromium", find=_find, what="its executable")


def executable() -> str:
    """Path of the chromium executable for Playwright's `executable_path` (installs it)."""
    return str(ensure_installed())
