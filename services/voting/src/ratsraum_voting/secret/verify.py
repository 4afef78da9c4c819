"""`ratsraum-verify-secret RECORD_DIR`: check a published secret-ballot record on its own.

Needs nothing but the record: recomputes the context from the guardians' keys, checks every
guardian proof, every ballot's proofs and code, the homomorphic tally, every decryption
share's proof, the counts, the outcome under the rule, and the record's SHA-256.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path

from electionguard.constants import LARGE_TEST_CONSTANTS, STANDARD_CONSTANTS, ElectionConstants
from electionguard.serialize import from_file

from ratsraum_voting.secret import checks
from ratsraum_voting.secret.checks import RecordInvalid


def _use_record_constants(directory: Path) -> None:
    # ElectionGuard reads its group from PRIME_OPTION; the record says which group it used.
    constants = from_file(ElectionConstants, directory / "constants.json")
    if constants == STANDARD_CONSTANTS:
        os.environ.pop("PRIME_OPTION", None)
    elif constants == LARGE_TEST_CONSTANTS:
        os.environ["PRIME_OPTION"] = "TestOnly"
    else:
        raise RecordInvalid("constants.json: unbekannte Gruppenparameter")


def verify_record(directory: Path, report: Callable[[str], None] = print) -> str:
    """Check everything; returns the record's SHA-256 or raises RecordInvalid."""
    _use_record_constants(directory)
    return checks.run_all(directory, report)


def main(argv: list[str] | None = None) -> int:
    """Verify a record directory; exit 0 when every check passes, 1 otherwise."""
    parser = argparse.ArgumentParser(
        prog="ratsraum-verify-secret",
        description="Prüft das veröffentlichte Protokoll einer geheimen Abstimmung.",
    )
    parser.add_argument("record_dir", type=Path)
    args = parser.parse_args(argv)
    try:
        digest = verify_record(args.record_dir)
    except (RecordInvalid, OSError, ValueError, KeyError, json.JSONDecodeError) as exc:
        print(f"FEHLER: {exc}", file=sys.stderr)
        return 1
    print(f"OK: Protokoll gültig, SHA-256 {digest}")
    return 0
