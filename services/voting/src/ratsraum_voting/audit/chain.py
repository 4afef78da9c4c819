"""Pure rules of the audit chain, shared by the service and the stand-alone verifier.

Each entry of a poll's chain is (seq, event, body) where body is canonical JSON. Its hash is
SHA-256 over `prev_hash "\\n" seq "\\n" event "\\n" body`, the first entry's prev_hash being
64 zeros; so changing, dropping or reordering any entry changes every later hash and the head.
The head is signed with Ed25519 over `ratsraum-audit-v1|<tenant>|<poll_id>|<head>`.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

GENESIS = "0" * 64
SIGNATURE_CONTEXT = "ratsraum-audit-v1"


def canonical(value: Any) -> str:
    """Canonical JSON: sorted keys, no spaces, UTF-8 characters kept."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def entry_hash(*, prev_hash: str, seq: int, event: str, body: str) -> str:
    """Hex SHA-256 of one chain link."""
    data = f"{prev_hash}\n{seq}\n{event}\n{body}".encode()
    return hashlib.sha256(data).hexdigest()


def ballot_hash(*, poll_id: str, voter_id: str, option_id: str, key: str) -> str:
    """Hex SHA-256 of an open or roll-call ballot: (poll, voter, option, idempotency key)."""
    return hashlib.sha256(canonical([poll_id, voter_id, option_id, key]).encode()).hexdigest()


def signed_message(*, tenant: str, poll_id: str, head: str) -> bytes:
    """The bytes the Ed25519 signature of a chain head covers."""
    return f"{SIGNATURE_CONTEXT}|{tenant}|{poll_id}|{head}".encode()
