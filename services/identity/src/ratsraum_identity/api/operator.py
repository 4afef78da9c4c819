"""The operator API: towns with their first admin (`/api/v1/operator/towns`)."""

from __future__ import annotations

from datetime import timedelta
from typing import Literal

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, EmailStr, Field

from ratsraum_common.db import TENANT_PATTERN
from ratsraum_identity.admin_errors import NotFound
from ratsraum_identity.api.admin_auth import OperatorActor
from ratsraum_identity.api.admin_common import record, send_invitation
from ratsraum_identity.api.deps import identity
from ratsraum_identity.members.rules import normal_email
from ratsraum_identity.towns import service as towns

router = APIRouter(prefix="/api/v1/operator", tags=["operator"])


class FirstAdmin(BaseModel):
    """The town's first admin, invited by mail."""

    email: EmailStr
    name: str = Field(min_length=1, max_length=200)


class TownIn(BaseModel):
    """A new town."""

    id: str = Field(pattern=TENANT_PATTERN.pattern, description="slug, e.g. 'soest'")
    name: str = Field(min_length=1, max_length=200)
    state: str = Field(min_length=2, max_length=3, description="state preset, e.g. NRW")
    ags: str = Field(min_length=1, max_length=8, description="Amtlicher Gemeindeschlüssel")
    admin: FirstAdmin


class TownOut(BaseModel):
    """A town as the operator sees it."""

    id: str
    name: str
    state: str | None
    ags: str | None
    status: Literal["active", "suspended"]
    accounts: int


class TownCreated(TownOut):
    """A created town and how its admin's invitation mail went."""

    admin_account: str
    mail: Literal["sent", "not_sent", "failed"]


class TownStatusChanged(TownOut):
    """A suspended or resumed town; how many refresh tokens were revoked."""

    revoked_refresh_tokens: int


def _out(town: towns.Town) -> TownOut:
    return TownOut(id=town.id, name=town.name, state=town.state, ags=town.ags,
                   status=town.status, accounts=town.accounts)


@router.post("/towns", response_model=TownCreated, status_code=201)
async def create_town(body: TownIn, request: Request, actor: OperatorActor) -> TownCreated:
    """Create a town and invite its first admin by mail."""
    ident = identity(request)
    town, invitation = await towns.create_town(
        ident.db, tenant_id=body.id, name=body.name.strip(), state=body.state.upper(),
        ags=body.ags, admin_email=normal_email(str(body.admin.email)),
        admin_name=body.admin.name.strip(),
        invitation_lifetime=timedelta(hours=ident.settings.invitation_lifetime_hours))
    mail = await send_invitation(ident, invitation, town=town.name)
    await record(ident, actor, "town.created", tenant=town.id, name=town.name,
                 state=town.state, ags=town.ags, admin_account=invitation.account.id)
    await record(ident, actor, "account.invited", tenant=town.id,
                 account=invitation.account.id, town_roles=["admin"], mail=mail)
    return TownCreated(**_out(town).model_dump(), admin_account=invitation.account.id,
                       mail=mail)


@router.get("/towns", response_model=list[TownOut])
async def list_towns(request: Request, actor: OperatorActor) -> list[TownOut]:
    """Every town."""
    return [_out(t) for t in await towns.list_towns(identity(request).db)]


@router.get("/towns/{town_id}", response_model=TownOut)
async def get_town(town_id: str, request: Request, actor: OperatorActor) -> TownOut:
    """One town."""
    return _out(await towns.get_town(identity(request).db, tenant_id=_slug(town_id)))


async def _set_status(request: Request, actor: OperatorActor, town_id: str,
                      status: str) -> TownStatusChanged:
    ident = identity(request)
    town, revoked = await towns.set_status(ident.db, tenant_id=_slug(town_id), status=status)
    await record(ident, actor, "town.suspended" if status == "suspended" else "town.resumed",
                 tenant=town.id, revoked_refresh_tokens=revoked)
    return TownStatusChanged(**_out(town).model_dump(), revoked_refresh_tokens=revoked)


@router.post("/towns/{town_id}/suspend", response_model=TownStatusChanged)
async def suspend_town(town_id: str, request: Request,
                       actor: OperatorActor) -> TownStatusChanged:
    """Suspend a town: nobody of it signs in, every refresh token is revoked at once."""
    return await _set_status(request, actor, town_id, "suspended")


@router.post("/towns/{town_id}/resume", response_model=TownStatusChanged)
async def resume_town(town_id: str, request: Request,
                      actor: OperatorActor) -> TownStatusChanged:
    """Lift a town's suspension."""
    return await _set_status(request, actor, town_id, "active")


@router.delete("/towns/{town_id}", status_code=204)
async def delete_town(town_id: str, request: Request, actor: OperatorActor) -> Response:
    """Delete a suspended town and its accounts (those of no other town)."""
    ident = identity(request)
    deleted = await towns.delete_town(ident.db, tenant_id=_slug(town_id))
    await record(ident, actor, "town.deleted", tenant=town_id, deleted_accounts=deleted)
    return Response(status_code=204)


def _slug(town_id: str) -> str:
    if not TENANT_PATTERN.match(town_id):
        raise NotFound(towns.UNKNOWN_TOWN)
    return town_id
