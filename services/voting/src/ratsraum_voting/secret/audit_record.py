"""Export of a secret poll's audit record, the same format as open polls' (method "secret")."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select

from ratsraum_common.db import Database
from ratsraum_voting.secret.models import SecretAuditEntry
from ratsraum_voting.secret.service import load, voted_of

FORMAT = "ratsraum-audit-record/1"


async def export_secret_record(*, db: Database, tenant: str, poll_id: str) -> dict[str, Any]:
    """The record: chain entries, who voted (never what), result with the record's SHA-256."""
    async with db.tenant_session(tenant) as session:
        poll = await load(session, poll_id)
        rows = await session.scalars(select(SecretAuditEntry).where(
            SecretAuditEntry.poll_pk == poll.id).order_by(SecretAuditEntry.seq))
        entries = [{"seq": e.seq, "event": e.event, "body": json.loads(e.body),
                    "prev_hash": e.prev_hash, "hash": e.hash} for e in rows]
        voted = await voted_of(session, poll)
    result = dict(poll.result or {})
    return {
        "format": FORMAT, "tenant": poll.tenant_id, "poll_id": poll.poll_id,
        "method": "secret", "kind": poll.kind, "state": poll.state, "entries": entries,
        "voted": voted, "record_sha256": poll.record_sha256,
        "result": {k: v for k, v in result.items() if k != "audit"},
        "signed_head": result.get("audit"),
    }
