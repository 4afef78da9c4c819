"""Installing a missing tool from Debian's packages, for tests and benchmarks (root only)."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path


def ensure_package(package: str, *, find: Callable[[], Path | None], what: str) -> Path:
    """What `find` locates, installing Debian's `package` with apt-get first if it is missing."""
    found = find()
    if found:
        return found
    if os.geteuid() != 0:
        raise RuntimeError(f"{package} is missing: run `sudo apt-get install -y {package}`")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    apt = shutil.which("apt-get") or "/usr/bin/apt-get"
    subprocess.run([apt, "update", "-q"], check=True, env=env)  # noqa: S603
    subprocess.run(  # noqa: S603
        [apt, "install", "-y", "-q", "--no-install-recommends", package],
        check=True, env=env,
    )
    found = find()
    if not found:
        raise RuntimeError(f"{package} installed but {what} was not found")
    return found
