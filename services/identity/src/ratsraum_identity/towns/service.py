"""The operator's towns: create (with a first admin), list, suspend, resume, delete.

A town's official municipality key (Amtlicher Gemeindeschlüssel, AGS) has eight digits;
the first two are the state's key, which must match the town's state preset.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, func, select

from ratsraum_common.db import Database
from ratsraum_common.i18n import Msg
from ratsraum_identity import events
from ratsraum_identity.accounts.models import Tenant, TenantRole, User
from ratsraum_identity.admin_errors import Conflict, Invalid, NotFound
from ratsraum_identity.federation.models import FederationAttempt, TownFederation
from ratsraum_identity.members import service as members
from ratsraum_identity.members.models import BodyRole, MailLink, TownMember
from ratsraum_identity.oauth.models import AuthorizationCode, RefreshToken

# State presets of meeting's rules and the state key the AGS starts with.
STATE_KEYS = {"SH": "01", "NI": "03", "NRW": "05", "HE": "06", "RP": "07", "BW": "08",
              "BY": "09", "SL": "10", "BB": "12", "MV": "13", "SN": "14", "ST": "15",
              "TH": "16"}
AGS_PATTERN = re.compile(r"^\d{8}$")

UNKNOWN_TOWN = Msg("Diese Kommune gibt es nicht.", "There is no such town.")
TOWN_EXISTS = Msg("Eine Kommune mit der Kennung „{id}“ gibt es schon.",
                  "A town with the id '{id}' exists already.")
AGS_EXISTS = Msg("Eine Kommune mit dem Gemeindeschlüssel {ags} gibt es schon.",
                 "A town with the municipality key {ags} exists already.")
BAD_AGS = Msg("Der Amtliche Gemeindeschlüssel hat genau acht Ziffern, z. B. 05974040.",
              "The official municipality key (AGS) has exactly eight digits, e.g. 05974040.")
AGS_STATE = Msg("Der Gemeindeschlüssel {ags} gehört nicht zu {state} (dort beginnt er mit {key}).",
                "The municipality key {ags} is not in {state} (keys there start with {key}).")
BAD_STATE = Msg("Unbekannte Landesvorgabe „{state}“ (erlaubt: {allowed}).",
                "Unknown state preset '{state}' (allowed: {allowed}).")
NOT_SUSPENDED = Msg("Nur eine gesperrte Kommune kann gelöscht werden; bitte zuerst sperren.",
                    "Only a suspended town can be deleted; suspend it first.")


@dataclass(frozen=True, slots=True)
class Town:
    """A town as the operator sees it."""

    id: str
    name: str
    state: str | None
    ags: str | None
    status: str
    accounts: int


def check_ags(*, ags: str, state: str) -> None:
    """Invalid unless the AGS has eight digits and lies in the preset's state."""
    if state not in STATE_KEYS:
        raise Invalid(BAD_STATE, state=state[:10], allowed=", ".join(sorted(STATE_KEYS)))
    if not AGS_PATTERN.match(ags):
        raise Invalid(BAD_AGS)
    if ags[:2] != STATE_KEYS[state]:
        raise Invalid(AGS_STATE, ags=ags, state=state, key=STATE_KEYS[state])


async def _view(db: Database, tenant: Tenant) -> Town:
    async with db.tenant_session(tenant.id) as session:
        count = await session.scalar(select(func.count()).select_from(TownMember))
    return Town(id=tenant.id, name=tenant.name, state=tenant.state, ags=tenant.ags,
                status=tenant.status, accounts=int(count or 0))


async def create_town(
    db: Database, *, tenant_id: str, name: str, state: str, ags: str, admin_email: str,
    admin_name: str, invitation_lifetime: timedelta,
) -> tuple[Town, members.Invitation]:
    """Create the town (staff must use a second factor) and invite its first admin."""
    check_ags(ags=ags, state=state)
    async with db.transaction(None) as session:
        if await session.get(Tenant, tenant_id) is not None:
            raise Conflict(TOWN_EXISTS, id=tenant_id)
        if await session.scalar(select(Tenant.id).where(Tenant.ags == ags)):
            raise Conflict(AGS_EXISTS, ags=ags)
        session.add(Tenant(id=tenant_id, name=name, state=state, ags=ags, status="active",
                           staff_mfa_required=True, member_mfa_required=False))
    invitation = await members.invite(
        db, tenant=tenant_id, email=admin_email, name=admin_name, town_roles=["admin"],
        body_roles=[], person_id=None, lifetime=invitation_lifetime)
    return await get_town(db, tenant_id=tenant_id), invitation


async def list_towns(db: Database) -> list[Town]:
    """Every town, by name."""
    async with db.system_session() as session:
        tenants = (await session.scalars(select(Tenant).order_by(Tenant.name))).all()
    return [await _view(db, t) for t in tenants]


async def get_town(db: Database, *, tenant_id: str) -> Town:
    """One town, or NotFound."""
    async with db.system_session() as session:
        tenant = await session.get(Tenant, tenant_id)
    if tenant is None:
        raise NotFound(UNKNOWN_TOWN)
    return await _view(db, tenant)


async def set_status(db: Database, *, tenant_id: str, status: str) -> tuple[Town, int]:
    """Suspend ("suspended") or resume ("active") the town; suspending revokes every refresh
    token of the town at once. Returns the town and how many tokens were revoked."""
    revoked = 0
    async with db.transaction(tenant_id) as session:
        tenant = await session.get(Tenant, tenant_id)
        if tenant is None:
            raise NotFound(UNKNOWN_TOWN)
        if tenant.status != status:
            # The other services stop (or resume) honouring the town's tokens at once.
            events.town_status_changed(session, tenant=tenant_id, status=status)
        tenant.status = status
        if status == "suspended":
            revoked = await members.revoke_tokens(session)
    return await get_town(db, tenant_id=tenant_id), revoked


async def delete_town(db: Database, *, tenant_id: str) -> int:
    """Delete a suspended town with its memberships, roles, links and tokens; accounts that
    belonged to no other town go too. Audit events stay (the record outlives the town).
    Returns how many accounts were deleted."""
    async with db.transaction(tenant_id) as session:
        tenant = await session.get(Tenant, tenant_id)
        if tenant is None:
            raise NotFound(UNKNOWN_TOWN)
        if tenant.status != "suspended":
            raise Conflict(NOT_SUSPENDED)
        user_ids = set((await session.scalars(select(TownMember.user_id))).all())
        events.town_status_changed(session, tenant=tenant_id, status="deleted")
        for model in (RefreshToken, AuthorizationCode, MailLink, BodyRole, TenantRole,
                      TownMember, FederationAttempt, TownFederation):
            await session.execute(delete(model))
    async with db.transaction(None) as session:
        still = set((await session.scalars(
            select(TownMember.user_id).where(TownMember.user_id.in_(user_ids)))).all())
        orphans = user_ids - still
        if orphans:
            await session.execute(delete(User).where(User.id.in_(orphans)))
        await session.execute(delete(Tenant).where(Tenant.id == tenant_id))
    return len(orphans)
