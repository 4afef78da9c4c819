"""Debian's chromium for browser tests and benchmarks (never a downloaded browser build).

Installs the `chromium` package with apt-get when it is missing (root only), as
`ratsraum_devstack.postgres.ensure_installed` does for PostgreSQL.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from ratsraum_devstack.debian import ensure_package

# Flags for a quiet headless browser: no sandbox (tests may run as root in a container), no
# GPU, and nothing that calls home or updates itself while a test runs.
LAUNCH_ARGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
)


# Debian ships chromium's German texts and formats separately (chromium-l10n). With them and
# LANGUAGE=de in its environment, date and time fields read 24.12.2026, 18:30 as a German
# user's browser shows them; Playwright's locale and --lang alone leave them mm/dd/yyyy.
GERMAN_PAK = Path("/usr/lib/chromium/locales/de.pak")


def _find() -> Path | None:
    for candidate in ("/usr/bin/chromium", shutil.which("chromium")):
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    return None


def ensure_installed() -> Path:
    """The chromium executable, installing Debian's chromium package if needed."""
    return ensure_package("chromium", find=_find, what="its executable")


def german_env() -> dict[str, str]:
    """The environment for a chromium that formats like a German browser (installs its texts)."""
    ensure_package("chromium-l10n", find=lambda: GERMAN_PAK if GERMAN_PAK.is_file() else None,
                   what="its German locale")
    return {**os.environ, "LANGUAGE": "de"}


def executable() -> str:
    """Path of the chromium executable for Playwright's `executable_path` (installs it)."""
    return str(ensure_installed())
