"""Audit events: each is a structured log line (`audit.<event>`) and a row in audit_event."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from ratsraum_common.db import Database
from ratsraum_common.logging import get_logger
from ratsraum_identity.accounts.models import AuditEvent

log = get_logger("ratsraum_identity.audit")


async def record(
    db: Database, *, event: str, tenant: str | None, actor: str | None, client: str | None,
    **detail: Any,
) -> None:
    """Record that `actor` (a subject, or None if unknown) did `event` for `tenant` now."""
    at = datetime.now(UTC)
    log.info(f"audit.{event}", tenant=tenant, actor=actor, client=client,
             at=at.isoformat(), **detail)
    async with db.transaction(None) as session:
        session.add(AuditEvent(at=at, event=event, tenant_id=tenant, actor=actor,
                               client=client, detail=detail))
