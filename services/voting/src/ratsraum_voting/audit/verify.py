"""`ratsraum-verify RECORD.json`: check a poll's exported audit record on its own.

Checks the hash chain, the Ed25519 signature of its head, every ballot hash and that each
ballot came from a voter on the roll; recomputes the tally of open and roll-call votes (last
ballot per voter in chain order, or the clerk's show-of-hands counts) and compares it with
the result entry, the published result and the exported current ballots; re-applies the
majority or election rule and checks a drawn lot against its commitment. Secret polls: see
secret_verify.py (`--secret-record DIR` matches the chain with the election record).
The signature counts only with a pinned key: `--public-key HEX` (voting's published key,
GetAuditKey); the key inside the record is trusted only when asked (`--trust-embedded-key`),
since whoever could rewrite a record could sign it with a key of their own.
Exit status 0 when everything matches, 1 on any mismatch, 2 when the record is unreadable.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from ratsraum_voting.audit.chain import (
    GENESIS,
    ballot_hash,
    canonical,
    entry_hash,
    signed_message,
)
from ratsraum_voting.audit.decision import decision_problems
from ratsraum_voting.audit.secret_verify import check_against_election_record, check_secret


def check_chain(record: dict[str, Any]) -> list[str]:
    """Problems with the links, hashes and signed head of the chain."""
    problems, prev = [], GENESIS
    for index, entry in enumerate(record["entries"], start=1):
        if entry["seq"] != index or entry["prev_hash"] != prev:
            problems.append(f"entry {index}: chain broken (seq or prev_hash)")
        digest = entry_hash(prev_hash=entry["prev_hash"], seq=entry["seq"],
                            event=entry["event"], body=canonical(entry["body"]))
        if digest != entry["hash"]:
            problems.append(f"entry {index} ({entry['event']}): hash does not match content")
        prev = entry["hash"]
    signed = record.get("signed_head")
    if not signed:
        return [*problems, "no signed head in the record"]
    if signed["head"] != prev:
        problems.append("signed head is not the last entry's hash")
    try:
        Ed25519PublicKey.from_public_bytes(bytes.fromhex(signed["public_key"])).verify(
            bytes.fromhex(signed["signature"]),
            signed_message(tenant=record["tenant"], poll_id=record["poll_id"],
                           head=signed["head"]),
        )
    except (InvalidSignature, ValueError):
        problems.append("signature of the head is invalid")
    return problems


def _events(record: dict[str, Any], name: str) -> list[dict[str, Any]]:
    return [e["body"] for e in record["entries"] if e["event"] == name]


def _last_ballots(record: dict[str, Any], problems: list[str]) -> dict[str, str]:
    opened = _events(record, "opened")
    roll = set(opened[0]["roll"] if opened else [])
    roll |= {a["added"] for a in _events(record, "roll_amended")}
    last: dict[str, str] = {}
    for ballot in _events(record, "ballot"):
        expected = ballot_hash(poll_id=record["poll_id"], voter_id=ballot["voter_id"],
                               option_id=ballot["option_id"], key=ballot["key"])
        if ballot["ballot_hash"] != expected:
            problems.append(f"ballot {ballot['ballot_id']}: ballot hash does not match")
        if ballot["voter_id"] not in roll:
            problems.append(f"ballot {ballot['ballot_id']}: voter not on the roll")
        last[ballot["voter_id"]] = ballot["option_id"]
    return last


def check_tally(record: dict[str, Any]) -> list[str]:
    """Problems with the recomputed tally of a closed open or roll-call poll."""
    problems: list[str] = []
    last = _last_ballots(record, problems)
    results = _events(record, "result")
    if not results:
        return problems  # open, cancelled or void: no tally to check
    hands = _events(record, "show_of_hands")
    counts = Counter(hands[0]["counts"]) if hands else Counter(last.values())
    for where, result in (("result entry", results[-1]), ("published result", record["result"])):
        stated = {c["option_id"]: c["count"] for c in result["counts"]}
        if any(stated[o] != counts[o] for o in stated) or sum(counts.values()) != sum(
            stated.values()
        ):
            problems.append(f"{where}: counts differ from the recomputed tally")
        if result["ballots_cast"] != sum(counts.values()):
            problems.append(f"{where}: ballots_cast differs from the recomputed tally")
    if not hands:
        current = {b["voter_id"]: b["option_id"] for b in record["ballots"]}
        if current != last:
            problems.append("stored ballots differ from the ballots in the chain")
        named = results[-1].get("named_votes")
        if named is not None and dict(map(tuple, named)) != last:
            problems.append("named votes differ from the ballots in the chain")
    decision_problems(record["result"], counts, problems)
    return problems



def verify(record: dict[str, Any], secret_record: Path | None = None) -> list[str]:
    """Every problem found in the record (empty when it checks out)."""
    if record.get("method") == "secret":
        problems = check_chain(record) + check_secret(record)
        if secret_record is not None:
            problems += check_against_election_record(record, secret_record)
        return problems
    return check_chain(record) + check_tally(record)


def key_problems(record: dict[str, Any], public_key: str | None) -> list[str]:
    """Problems with who signed: the head must be signed with the pinned key (if pinned)."""
    signed = record.get("signed_head") or {}
    if public_key is not None and signed.get("public_key", "").lower() != public_key.lower():
        return ["the record is signed with another key than the pinned one"]
    return []


def add_key_arguments(parser: argparse.ArgumentParser) -> None:
    """--public-key HEX (pinned) or --trust-embedded-key (explicitly trust the record's)."""
    keys = parser.add_mutually_exclusive_group(required=True)
    keys.add_argument("--public-key", help="voting's published hex Ed25519 key (GetAuditKey)")
    keys.add_argument("--trust-embedded-key", action="store_true",
                      help="trust the key inside the record (only to check a record's form)")


def main(argv: list[str] | None = None) -> int:
    """Console entry point: print the findings, exit 0 (ok), 1 (mismatch) or 2 (unreadable)."""
    parser = argparse.ArgumentParser(prog="ratsraum-verify", description=__doc__.splitlines()[0])
    parser.add_argument("record", type=Path, help="exported audit record (JSON)")
    add_key_arguments(parser)
    parser.add_argument("--secret-record", type=Path,
                        help="secret polls: the published election record to match the chain")
    args = parser.parse_args(argv)
    try:
        record = json.loads(args.record.read_text(encoding="utf-8"))
        problems = verify(record, args.secret_record)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        print(f"FEHLER: Protokoll nicht lesbar: {exc}", file=sys.stderr)
        return 2
    problems += key_problems(record, args.public_key)
    for problem in problems:
        print(f"ABWEICHUNG: {problem}")
    if problems:
        return 1
    print(f"OK: {len(record['entries'])} Einträge, Kette und Signatur gültig, Ergebnis "
          "nachgerechnet.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
