"""The JSON API: public meeting snapshots (the base the OParl API will build on)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response

from ratsraum_portal.api.common import load_meeting, load_tenant
from ratsraum_portal.context import Ctx
from ratsraum_portal.meetings.service import list_meetings

router = APIRouter(prefix="/api/v1", tags=["public meetings"])


@router.get("/{tenant}/meetings")
async def list_public_meetings(
    tenant: str, ctx: Ctx
) -> dict[str, Any]:
    """A town and the snapshots of its public meetings, newest first."""
    town = await load_tenant(ctx, tenant)
    async with ctx.db.tenant_session(town.id) as session:
        meetings = await list_meetings(session=session)
    return {
        "tenant": {"id": town.id, "name": town.name},
        "meetings": [m.snapshot for m in meetings],
    }


@router.get("/{tenant}/meetings/{meeting_id}")
async def get_public_meeting(
    tenant: str, meeting_id: str, response: Response, ctx: Ctx
) -> dict[str, Any]:
    """One meeting's public snapshot; ETag carries the read model's version."""
    row = await load_meeting(ctx, tenant, meeting_id)
    response.headers["ETag"] = f'W/"{row.version}"'
    return row.snapshot
