"""Admin API of the OParl import: run one, list the last reports."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from sqlalchemy import select

from ratsraum_common.auth import Principal
from ratsraum_meeting.api.deps import DB, require_roles
from ratsraum_meeting.oparl.importer import run_import
from ratsraum_meeting.oparl.models import OParlImport, OParlSource
from ratsraum_meeting.oparl.schemas import ImportIn, ImportOut
from ratsraum_meeting.timeutil import utc

router = APIRouter(prefix="/api/v1/admin/oparl", tags=["admin", "oparl"])
Admin = Annotated[Principal, Depends(require_roles("admin"))]


def _out(run: OParlImport, system_url: str) -> ImportOut:
    return ImportOut(
        id=run.id, system_url=system_url, status=run.status,
        started_at=utc(run.started_at),
        finished_at=utc(run.finished_at) if run.finished_at else None,
        modified_since=utc(run.modified_since) if run.modified_since else None,
        report=run.report,
    )


@router.post("/imports")
async def start_import(body: ImportIn, principal: Admin, db: DB, request: Request) -> ImportOut:
    """Import from the town's council information system now; answers with the report."""
    run = await run_import(
        db, tenant=principal.tenant, system_url=body.system_url, body_url=body.body_url,
        started_by=principal.subject,
        timeout_seconds=request.app.state.settings.oparl_timeout_seconds,
        policy=request.app.state.settings.outbound_policy(),
        max_bytes=request.app.state.settings.oparl_max_response_bytes,
    )
    return _out(run, body.system_url)


@router.get("/imports")
async def list_imports(
    principal: Admin, db: DB, limit: Annotated[int, Query(ge=1, le=100)] = 20
) -> list[ImportOut]:
    """The town's last import runs, newest first."""
    async with db.tenant_session(principal.tenant) as session:
        rows = (await session.execute(
            select(OParlImport, OParlSource.system_url)
            .join(OParlSource, OParlSource.id == OParlImport.source_id)
            .order_by(OParlImport.started_at.desc()).limit(limit)
        )).all()
    return [_out(run, url) for run, url in rows]
