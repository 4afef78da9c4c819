"""The audit record for town admins (their town) and operators (all), and the town's own
second-factor rule for members."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel

from ratsraum_common.db import TENANT_PATTERN
from ratsraum_identity.accounts.audit_read import recent_events
from ratsraum_identity.accounts.models import AuditEvent, Tenant
from ratsraum_identity.api.admin_auth import OperatorActor, TownAdminActor
from ratsraum_identity.api.admin_common import record
from ratsraum_identity.api.deps import identity

router = APIRouter(prefix="/api/v1", tags=["audit"])

Limit = Annotated[int, Query(ge=1, le=500)]
Before = Annotated[int | None, Query(ge=1, le=2**62)]


class AuditOut(BaseModel):
    """One audit event: what, in which town, by whom, from where, when."""

    id: int
    at: datetime
    event: str
    tenant: str | None
    actor: str | None
    client: str | None
    detail: dict[str, Any]


class TownSettings(BaseModel):
    """The town's second-factor rules (staff always, members if the town decides)."""

    name: str
    staff_mfa_required: bool
    member_mfa_required: bool


class TownSettingsIn(BaseModel):
    """What a town admin may change."""

    member_mfa_required: bool


def _out(events: list[AuditEvent]) -> list[AuditOut]:
    return [AuditOut(id=e.id, at=e.at, event=e.event, tenant=e.tenant_id, actor=e.actor,
                     client=e.client, detail=e.detail) for e in events]


@router.get("/town/audit", response_model=list[AuditOut])
async def town_audit(request: Request, actor: TownAdminActor, limit: Limit = 100,
                     before: Before = None) -> list[AuditOut]:
    """The newest audit events of the caller's town (page on with `before`)."""
    return _out(await recent_events(identity(request).db, tenant=actor.tenant, limit=limit,
                                    before_id=before))


@router.get("/operator/audit", response_model=list[AuditOut])
async def operator_audit(
    request: Request, actor: OperatorActor, limit: Limit = 100, before: Before = None,
    tenant: Annotated[str | None, Query(pattern=TENANT_PATTERN.pattern)] = None,
) -> list[AuditOut]:
    """The newest audit events of every town (or of one)."""
    return _out(await recent_events(identity(request).db, tenant=tenant, limit=limit,
                                    before_id=before))


async def _settings(request: Request, tenant: str) -> TownSettings:
    async with identity(request).db.system_session() as session:
        town = await session.get(Tenant, tenant)
    assert town is not None  # the caller's standing was just checked
    return TownSettings(name=town.name, staff_mfa_required=town.staff_mfa_required,
                        member_mfa_required=town.member_mfa_required)


@router.get("/town/settings", response_model=TownSettings)
async def get_settings(request: Request, actor: TownAdminActor) -> TownSettings:
    """The town's second-factor rules."""
    assert actor.tenant
    return await _settings(request, actor.tenant)


@router.put("/town/settings", response_model=TownSettings)
async def put_settings(body: TownSettingsIn, request: Request,
                       actor: TownAdminActor) -> TownSettings:
    """Require (or stop requiring) a second factor of the town's members."""
    ident = identity(request)
    assert actor.tenant
    async with ident.db.transaction(actor.tenant) as session:
        town = await session.get(Tenant, actor.tenant)
        assert town is not None
        before = town.member_mfa_required
        town.member_mfa_required = body.member_mfa_required
    await record(ident, actor, "town.settings_changed", tenant=actor.tenant,
                 member_mfa_required={"before": before, "after": body.member_mfa_required})
    return await _settings(request, actor.tenant)
