"""Debian's chromium for browser tests and benchmarks (never a downloaded browser build).

Installs the `chromium` package with apt-get when it is missing (root only), as
`ratsraum_devstack.postgres.ensure_installed` does for PostgreSQL.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

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
    found = _find()
    if found:
        return found
    if os.geteuid() != 0:
        raise RuntimeError("chromium is missing: run `sudo apt-get install -y chromium`")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    apt = shutil.which("apt-get") or "/usr/bin/apt-get"
    subprocess.run([apt, "update", "-q"], check=True, env=env)  # noqa: S603
    subprocess.run(  # noqa: S603
        [apt, "install", "-y", "-q", "--no-install-recommends", "chromium"],
        check=True, env=env,
    )
    found = _find()
    if not found:
        raise RuntimeError("chromium installed but its executable was not found")
    return found


def executable() -> str:
    """Path of the chromium executable for Playwright's `executable_path` (installs it)."""
    return str(ensure_installed())
