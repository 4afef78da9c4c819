"""`ratsraum-verify` for secret polls: the chain's own facts, and optionally the election record.

The chain of a secret poll cannot recompute the counts (the ballots are encrypted); what it
proves is the sequence: opened with this roll, these ballots (hash and confirmation code)
accepted, closed with this many, this result with this election record's SHA-256, or
cancelled / made void with a reason. Given the published election record as well
(`--secret-record DIR`), every ballot in the chain must be a file of the record with that
exact hash, the record's SHA-256 must be the one in the result, and voters.json the voters.
The counts themselves are checked from the record by `ratsraum-verify-secret`.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from pathlib import Path
from typing import Any

from ratsraum_voting.audit.decision import decision_problems

BALLOT_FILE = "submitted_ballots/submitted_ballot_{ballot_hash}.json"


def _events(record: dict[str, Any], name: str) -> list[dict[str, Any]]:
    return [e["body"] for e in record["entries"] if e["event"] == name]


def _check_ballots(record: dict[str, Any], problems: list[str]) -> list[dict[str, Any]]:
    ballots = _events(record, "ballot")
    hashes = [b["ballot_hash"] for b in ballots]  # codes are short and may repeat
    if len(set(hashes)) != len(hashes):
        problems.append("a secret ballot is chained twice")
    if hashes != sorted(hashes):
        problems.append("secret ballots are not chained in hash order (order could link them)")
    if any("voter_id" in b for b in ballots):
        problems.append("a secret ballot entry names a voter")
    return ballots


def _check_result(record: dict[str, Any], ballots: int, problems: list[str]) -> None:
    results, closed = _events(record, "result"), _events(record, "closed")
    if not results:
        return  # open, cancelled or void: nothing was counted
    result = results[-1]
    opened = _events(record, "opened")
    roll = set(opened[0]["roll"]) if opened else set()
    counts = Counter({c["option_id"]: c["count"] for c in result["counts"]})
    if not closed or closed[-1]["ballots_cast"] != ballots:
        problems.append("closed entry: ballots_cast differs from the chained ballots")
    if sum(counts.values()) != ballots or result["ballots_cast"] != ballots:
        problems.append("result entry: counts differ from the number of chained ballots")
    voted = result.get("voted", [])
    if len(voted) != ballots or not set(voted) <= roll or voted != record.get("voted"):
        problems.append("who voted differs from the roll, the ballots or the exported list")
    if result.get("record_sha256") != record.get("record_sha256"):
        problems.append("the election record's SHA-256 differs from the result entry")
    published = {c["option_id"]: c["count"] for c in record["result"].get("counts", [])}
    if published != dict(counts):
        problems.append("published result: counts differ from the result entry")
    # Motion or election decided from the counts, and a drawn lot from its commitment.
    decision_problems(record["result"], counts, problems)


def check_secret(record: dict[str, Any]) -> list[str]:
    """Problems with the facts a secret poll's chain states."""
    problems: list[str] = []
    ballots = _check_ballots(record, problems)
    _check_result(record, len(ballots), problems)
    return problems


def check_against_election_record(record: dict[str, Any], directory: Path) -> list[str]:
    """Problems between the chain and the published ElectionGuard record."""
    problems = []
    ballots = _events(record, "ballot")
    for ballot in ballots:
        path = directory / BALLOT_FILE.format(ballot_hash=ballot["ballot_hash"])
        if not path.is_file():
            problems.append(f"ballot {ballot['ballot_hash'][:16]}: not in the record")
        elif hashlib.sha256(path.read_bytes()).hexdigest() != ballot["ballot_hash"]:
            problems.append(f"ballot {ballot['ballot_hash'][:16]}: differs in the record")
        elif json.loads(path.read_bytes()).get("code") != ballot["confirmation_code"]:
            problems.append(f"ballot {ballot['ballot_hash'][:16]}: another confirmation code")
    on_file = len(list((directory / "submitted_ballots").glob("*.json")))
    if on_file != len(ballots):
        problems.append("the record holds other ballots than the chain")
    sums = (directory / "SHA256SUMS").read_bytes()
    if hashlib.sha256(sums).hexdigest() != record.get("record_sha256"):
        problems.append("the election record's SHA-256 is not the one in the chain")
    voters = json.loads((directory / "voters.json").read_text(encoding="utf-8"))
    if voters != record.get("voted"):
        problems.append("voters.json differs from who voted in the chain")
    return problems
