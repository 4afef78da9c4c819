"""Apply upstream electionguard-python PR #810 to the installed electionguard 1.4.0.

electionguard 1.4.0 gives `CiphertextTallySelection.ciphertext` a shared ElGamalCiphertext
instance as its dataclass default; Python 3.11 refuses that at import ("mutable default ...
use default_factory"). PR #810 (merged upstream, not released) changes that one line to a
`default_factory`. Run after every `uv sync` (the Makefile's install and the voting image do);
it is idempotent and exits non-zero when the installed file matches neither form.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

BROKEN = "default=ElGamalCiphertext(ONE_MOD_P, ONE_MOD_P)"
FIXED = "default_factory=lambda: ElGamalCiphertext(ONE_MOD_P, ONE_MOD_P)"


def tally_module_path() -> Path:
    """Where the installed electionguard/tally.py is, found without importing it."""
    spec = importlib.util.find_spec("electionguard")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("electionguard is not installed in this environment")
    return Path(next(iter(spec.submodule_search_locations))) / "tally.py"


def patch(path: Path) -> str:
    """Apply the fix to `path`; returns "patched" or "already patched"."""
    text = path.read_text(encoding="utf-8")
    if FIXED in text:
        return "already patched"
    if text.count(BROKEN) != 1:
        raise SystemExit(f"{path}: unexpected content, PR #810 cannot be applied")
    path.write_text(text.replace(BROKEN, FIXED), encoding="utf-8")
    # A stale bytecode cache of the unpatched file must not win over the source.
    for cached in path.parent.glob("__pycache__/tally.*.pyc"):
        cached.unlink()
    return "patched"


def main() -> int:
    """Patch the electionguard of the running interpreter's environment."""
    path = tally_module_path()
    print(f"electionguard PR #810: {patch(path)} ({path})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
