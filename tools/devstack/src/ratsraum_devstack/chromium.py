"""Debian's chromium for the browser tests (never a downloaded browser build).

Installs the `chromium` package with apt-get when it is missing (root only), as the
PostgreSQL setup does, and names the flags a headless test run needs.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


def ensure_installed() -> Path:
    """The chromium binary, installing Debian's package if needed."""
    if CHROMIUM.exists():
        return CHROMIUM
    if os.geteuid() != 0:
        raise RuntimeError("chromium is missing: run `sudo apt-get install -y chromium`")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    apt = shutil.which("apt-get") or "/usr/bin/apt-get"
    subprocess.run([apt, "update", "-q"], check=True, env=env)  # noqa: S603
    subprocess.run(  # noqa: S603
        [apt, "install", "-y", "-q", "--no-install-recommends", "chromium"],
        check=True, env=env,
    )
    if not CHROMIUM.exists():
        raise RuntimeError("chromium installed but /usr/bin/chromium not found")
    return CHROMIUM
