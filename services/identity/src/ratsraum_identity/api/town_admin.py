"""The town admin API (`/api/v1/town/...`): the caller's own town's accounts only.

The town is always the one in the caller's token; no path names a town, so no request can
reach another town's accounts. An id of another town's account answers 404, exactly as an
id that does not exist.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Literal

from fastapi import APIRouter, Request
from pydantic import BaseModel, EmailStr, Field

from ratsraum_identity.accounts import service as accounts
from ratsraum_identity.admin_errors import NotFound
from ratsraum_identity.api.admin_auth import Actor, TownAdminActor
from ratsraum_identity.api.admin_common import record, send_invitation
from ratsraum_identity.api.deps import Identity, identity
from ratsraum_identity.members import service as members
from ratsraum_identity.members.rules import check_id, check_roles, normal_email

router = APIRouter(prefix="/api/v1/town", tags=["town admin"])

Mail = Literal["sent", "not_sent", "failed"]


class BodyRoleIO(BaseModel):
    """One role in one body."""

    body: str = Field(min_length=1, max_length=64)
    role: Literal["member", "deputy", "chair", "vice_chair", "clerk"]


class RolesIn(BaseModel):
    """Town-wide roles and roles per body (replacing the current ones)."""

    town_roles: list[Literal["admin", "clerk"]] = Field(default_factory=list, max_length=2)
    body_roles: list[BodyRoleIO] = Field(default_factory=list, max_length=200)


class AccountIn(RolesIn):
    """An account to invite by mail."""

    email: EmailStr
    name: str = Field(min_length=1, max_length=200)
    person_id: str | None = Field(default=None, max_length=64)


class PersonIn(BaseModel):
    """The person (meeting / OParl) the account stands for; null unlinks."""

    person_id: str | None = Field(default=None, max_length=64)


class AccountOut(BaseModel):
    """An account of the town."""

    id: str
    email: str | None
    name: str
    status: Literal["invited", "active", "deactivated"]
    town_roles: list[str]
    body_roles: list[BodyRoleIO]
    person_id: str | None


class InvitedOut(AccountOut):
    """An invited account and how the mail went."""

    mail: Mail


class DeactivatedOut(AccountOut):
    """A deactivated account and how many refresh tokens ended with it."""

    revoked_refresh_tokens: int


def out(account: members.Account) -> AccountOut:
    """The API shape of an account."""
    return AccountOut(
        id=account.id, email=account.email, name=account.name,
        status=account.status,
        town_roles=list(account.town_roles), person_id=account.person_id,
        body_roles=[BodyRoleIO(body=b, role=r)
                    for b, r in account.body_roles])


def _roles(body: RolesIn) -> tuple[list[str], list[tuple[str, str]]]:
    return check_roles(list(body.town_roles), [(r.body, r.role) for r in body.body_roles])


async def town_name(ident: Identity, tenant: str) -> str:
    """The town's display name for mails."""
    town = await accounts.get_tenant(ident.db, tenant_id=tenant)
    return town.name if town else tenant


def _tenant(actor: Actor) -> str:
    assert actor.tenant
    return actor.tenant


def _account_id(account_id: str) -> str:
    if len(account_id) > 36:
        raise NotFound(members.UNKNOWN_ACCOUNT)
    return account_id


@router.get("/accounts", response_model=list[AccountOut])
async def list_accounts(request: Request, actor: TownAdminActor) -> list[AccountOut]:
    """Every account of the caller's town."""
    found = await members.list_accounts(identity(request).db, tenant=_tenant(actor))
    return [out(a) for a in found]


@router.post("/accounts", response_model=InvitedOut, status_code=201)
async def invite_account(body: AccountIn, request: Request,
                         actor: TownAdminActor) -> InvitedOut:
    """Invite a person by mail with these roles (a single-use link that expires)."""
    ident, tenant = identity(request), _tenant(actor)
    town_roles, body_roles = _roles(body)
    invitation = await members.invite(
        ident.db, tenant=tenant, email=normal_email(str(body.email)), name=body.name.strip(),
        town_roles=town_roles, body_roles=body_roles,
        person_id=check_id(body.person_id) if body.person_id else None,
        lifetime=timedelta(hours=ident.settings.invitation_lifetime_hours))
    mail = await send_invitation(ident, invitation, town=await town_name(ident, tenant))
    await record(ident, actor, "account.invited", tenant=tenant,
                 account=invitation.account.id, town_roles=town_roles,
                 body_roles=[list(r) for r in body_roles], mail=mail)
    return InvitedOut(**out(invitation.account).model_dump(), mail=mail)


@router.get("/accounts/{account_id}", response_model=AccountOut)
async def get_account(account_id: str, request: Request, actor: TownAdminActor) -> AccountOut:
    """One account of the caller's town."""
    return out(await members.get_account(identity(request).db, tenant=_tenant(actor),
                                         user_id=_account_id(account_id)))


@router.put("/accounts/{account_id}/roles", response_model=AccountOut)
async def set_roles(account_id: str, body: RolesIn, request: Request,
                    actor: TownAdminActor) -> AccountOut:
    """Replace the account's roles; they apply from the person's next token."""
    ident, tenant = identity(request), _tenant(actor)
    town_roles, body_roles = _roles(body)
    before, after = await members.set_roles(ident.db, tenant=tenant,
                                            user_id=_account_id(account_id),
                                            town_roles=town_roles, body_roles=body_roles)
    await record(ident, actor, "account.roles_changed", tenant=tenant, account=after.id,
                 before={"town": list(before.town_roles),
                         "body": [list(r) for r in before.body_roles]},
                 after={"town": list(after.town_roles),
                        "body": [list(r) for r in after.body_roles]})
    return out(after)


@router.put("/accounts/{account_id}/person", response_model=AccountOut)
async def link_person(account_id: str, body: PersonIn, request: Request,
                      actor: TownAdminActor) -> AccountOut:
    """Link the account to a person imported from OParl (or unlink with null)."""
    ident, tenant = identity(request), _tenant(actor)
    person = check_id(body.person_id) if body.person_id else None
    account = await members.set_person(ident.db, tenant=tenant,
                                       user_id=_account_id(account_id), person_id=person)
    await record(ident, actor, "account.person_linked", tenant=tenant, account=account.id,
                 person_id=person)
    return out(account)


@router.post("/accounts/{account_id}/deactivate", response_model=DeactivatedOut)
async def deactivate(account_id: str, request: Request,
                     actor: TownAdminActor) -> DeactivatedOut:
    """End the account in this town: no sign-in; every refresh token revoked at once."""
    ident, tenant = identity(request), _tenant(actor)
    account, revoked = await members.deactivate(ident.db, tenant=tenant,
                                                user_id=_account_id(account_id))
    await record(ident, actor, "account.deactivated", tenant=tenant, account=account.id,
                 revoked_refresh_tokens=revoked)
    return DeactivatedOut(**out(account).model_dump(), revoked_refresh_tokens=revoked)


@router.post("/accounts/{account_id}/reactivate", response_model=AccountOut)
async def reactivate(account_id: str, request: Request, actor: TownAdminActor) -> AccountOut:
    """Let a deactivated account sign in again."""
    ident, tenant = identity(request), _tenant(actor)
    account = await members.reactivate(ident.db, tenant=tenant, user_id=_account_id(account_id))
    await record(ident, actor, "account.reactivated", tenant=tenant, account=account.id)
    return out(account)


@router.post("/accounts/{account_id}/invitation", response_model=InvitedOut)
async def resend_invitation(account_id: str, request: Request,
                            actor: TownAdminActor) -> InvitedOut:
    """Send a fresh invitation link (the earlier one stops working)."""
    ident, tenant = identity(request), _tenant(actor)
    invitation = await members.reinvite(
        ident.db, tenant=tenant, user_id=_account_id(account_id),
        lifetime=timedelta(hours=ident.settings.invitation_lifetime_hours))
    mail = await send_invitation(ident, invitation, town=await town_name(ident, tenant))
    await record(ident, actor, "account.reinvited", tenant=tenant,
                 account=invitation.account.id, mail=mail)
    return InvitedOut(**out(invitation.account).model_dump(), mail=mail)
