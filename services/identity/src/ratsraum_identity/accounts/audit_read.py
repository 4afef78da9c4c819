"""Reading the audit record: a town's own events for its admin, all for the operator."""

from __future__ import annotations

from sqlalchemy import select

from ratsraum_common.db import Database
from ratsraum_identity.accounts.models import AuditEvent


async def recent_events(
    db: Database, *, tenant: str | None, limit: int, before_id: int | None = None
) -> list[AuditEvent]:
    """The newest events (of one town, or of all when tenant is None), newest first."""
    query = select(AuditEvent).order_by(AuditEvent.id.desc()).limit(limit)
    if tenant is not None:
        # audit_event is not tenant-scoped (a failure may name no town): filter explicitly.
        query = query.where(AuditEvent.tenant_id == tenant)
    if before_id is not None:
        query = query.where(AuditEvent.id < before_id)
    async with db.system_session() as session:
        return list((await session.scalars(query)).all())
