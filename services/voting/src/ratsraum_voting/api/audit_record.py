"""Export of one poll's audit record as JSON, the input of `ratsraum-verify`."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select

from ratsraum_common.db import Database
from ratsraum_voting.errors import Reason, VotingError
from ratsraum_voting.polls import repository as repo
from ratsraum_voting.polls.models import AuditEntry
from ratsraum_voting.secret.audit_record import export_secret_record

FORMAT = "ratsraum-audit-record/1"


async def export_record(*, db: Database, tenant: str, poll_id: str) -> dict[str, Any]:
    """The record: poll facts, every chain entry, current ballots, result and signed head."""
    async with db.tenant_session(tenant) as session:
        poll = await repo.get_poll(session, poll_id=poll_id)
        if poll is None:
            return await _secret_or_none(db=db, tenant=tenant, poll_id=poll_id)
        rows = await session.scalars(
            select(AuditEntry).where(AuditEntry.poll_pk == poll.id).order_by(AuditEntry.seq)
        )
        entries = [
            {"seq": e.seq, "event": e.event, "body": json.loads(e.body),
             "prev_hash": e.prev_hash, "hash": e.hash}
            for e in rows
        ]
        ballots = await repo.ballots(session, poll_pk=poll.id)
    result = dict(poll.result or {})
    return {
        "format": FORMAT, "tenant": poll.tenant_id, "poll_id": poll.poll_id,
        "method": poll.method, "kind": poll.kind, "state": poll.state,
        "entries": entries,
        "ballots": [{"voter_id": v, "option_id": o} for v, o in ballots],
        "result": {k: v for k, v in result.items() if k != "audit"},
        "signed_head": result.get("audit"),
    }


async def _secret_or_none(*, db: Database, tenant: str, poll_id: str) -> dict[str, Any]:
    """A secret poll keeps its chain apart (secret_audit_entries); same export format."""
    try:
        return await export_secret_record(db=db, tenant=tenant, poll_id=poll_id)
    except VotingError:
        raise VotingError(Reason.POLL_NOT_FOUND, f"Abstimmung {poll_id} gibt es nicht.") from None


def dumps(record: dict[str, Any]) -> str:
    """The record as stable, readable JSON text."""
    return json.dumps(record, ensure_ascii=False, sort_keys=True, indent=1)
