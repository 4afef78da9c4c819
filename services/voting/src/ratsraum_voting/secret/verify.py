"""`ratsraum-verify-secret RECORD_DIR`: check a published secret-ballot record on its own.

Needs nothing but the record: recomputes the context from the guardians' keys, checks every
guardian proof, every ballot's proofs and code, the homomorphic tally, every decryption
share's proof, the counts, the outcome under the rule, and the record's SHA-256. With the
poll's exported audit record (`--audit-record FILE`) it also checks that record's chain and
signature against voting's pinned public key (`--public-key HEX`) and that the chain's
result names this election record's SHA-256: only then is the record the one voting sealed.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path

from electionguard.constants import LARGE_TEST_CONSTANTS, STANDARD_CONSTANTS, ElectionConstants
from electionguard.discrete_log import DiscreteLog
from electionguard.group import ONE_MOD_P
from electionguard.serialize import from_file

from ratsraum_voting.audit.verify import key_problems, verify
from ratsraum_voting.secret import checks
from ratsraum_voting.secret.checks import RecordInvalid


def _use_record_constants(directory: Path) -> None:
    # ElectionGuard reads its group from PRIME_OPTION; the record says which group it used.
    constants = from_file(ElectionConstants, directory / "constants.json")
    if constants == STANDARD_CONSTANTS:
        use_group(None)
    elif constants == LARGE_TEST_CONSTANTS:
        use_group("TestOnly")
    else:
        raise RecordInvalid("constants.json: unbekannte Gruppenparameter")


def use_group(prime_option: str | None) -> None:
    """Switch ElectionGuard to a group (None: the standard one) for what follows in this process.

    Its discrete-log table is one per process and holds powers of whichever group's generator
    was in force when it grew; kept across a switch, it would be searched for a value of the
    other group up to its limit of 10^8 steps (a verifier that had checked a test-group record
    never finished the next one). The table is started afresh: rebuilding it up to a tally's
    counts takes milliseconds.
    """
    if prime_option is None:
        os.environ.pop("PRIME_OPTION", None)
    else:
        os.environ["PRIME_OPTION"] = prime_option
    DiscreteLog._cache = {ONE_MOD_P: 0}


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
    parser.add_argument("--audit-record", type=Path,
                        help="the poll's exported audit record (JSON), signed by voting")
    parser.add_argument("--public-key", help="voting's published hex Ed25519 key (GetAuditKey)")
    args = parser.parse_args(argv)
    if args.audit_record is not None and not args.public_key:
        parser.error("--audit-record braucht --public-key (den veröffentlichten Schlüssel)")
    try:
        digest = verify_record(args.record_dir)
        if args.audit_record is not None:
            _check_sealed(args.audit_record, args.record_dir, args.public_key)
    except (RecordInvalid, OSError, ValueError, KeyError, json.JSONDecodeError) as exc:
        print(f"FEHLER: {exc}", file=sys.stderr)
        return 1
    print(f"OK: Protokoll gültig, SHA-256 {digest}")
    return 0


def _check_sealed(audit_file: Path, record_dir: Path, public_key: str) -> None:
    """The audit record is signed with the pinned key and its chain seals this record."""
    audit = json.loads(audit_file.read_text(encoding="utf-8"))
    problems = verify(audit, record_dir) + key_problems(audit, public_key)
    if problems:
        raise RecordInvalid("Prüfprotokoll: " + "; ".join(problems))
