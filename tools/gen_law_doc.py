"""Write docs/law.md from the law data of the rule profiles (see profiles/law_doc.py).

Usage: .venv/bin/python tools/gen_law_doc.py [--check]
--check exits 1 if docs/law.md differs from what the data gives (the unit test does the same).
"""

from __future__ import annotations

import sys
from pathlib import Path

from ratsraum_meeting.profiles.law_doc import render

TARGET = Path(__file__).resolve().parent.parent / "docs" / "law.md"


def main(argv: list[str]) -> int:
    """Write (or with --check, compare) docs/law.md."""
    text = render()
    if "--check" in argv:
        current = TARGET.read_text(encoding="utf-8") if TARGET.exists() else ""
        if current != text:
            print(f"{TARGET} is stale; run tools/gen_law_doc.py", file=sys.stderr)
            return 1
        return 0
    TARGET.write_text(text, encoding="utf-8")
    print(f"wrote {TARGET}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
