"""A town admin's accounts: invite, list, roles per body, person link, deactivate.

Every function works in a session scoped to the admin's own town, so no account of another
town is ever read or changed. An account (user_account) may belong to several towns; what a
town sees and changes is its membership row, its roles and its mail links.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ratsraum_common.db import Database
from ratsraum_common.i18n import Msg
from ratsraum_identity import events
from ratsraum_identity.accounts.models import TenantRole, User
from ratsraum_identity.accounts.service import ensure_member
from ratsraum_identity.admin_errors import Conflict, NotFound
from ratsraum_identity.members import links
from ratsraum_identity.members.models import BodyRole, TownMember
from ratsraum_identity.oauth.models import RefreshToken

# An account created by invitation has no password until the invitation is accepted; this
# marker is no argon2 hash, so no password ever matches it.
NO_PASSWORD = "!invited"  # noqa: S105 - a marker, not a password

UNKNOWN_ACCOUNT = Msg("Dieses Konto gibt es in Ihrer Kommune nicht.",
                      "There is no such account in your town.")
ALREADY_MEMBER = Msg("Zu dieser Adresse gibt es in Ihrer Kommune schon ein Konto.",
                     "Your town already has an account for this address.")
LAST_ADMIN = Msg("Die Kommune braucht mindestens eine aktive Administration; "
                 "bitte zuerst eine andere Person zur Administration machen.",
                 "The town needs at least one active admin; make someone else admin first.")
NOT_INVITED = Msg("Dieses Konto ist schon eingerichtet; eine Einladung ist nicht nötig.",
                  "This account is already set up; no invitation is needed.")


@dataclass(frozen=True, slots=True)
class Account:
    """An account as its town sees it."""

    id: str
    email: str | None
    name: str
    status: str
    town_roles: tuple[str, ...]
    body_roles: tuple[tuple[str, str], ...]
    person_id: str | None


@dataclass(frozen=True, slots=True)
class Invitation:
    """A link to send: to whom, the token and until when it works."""

    account: Account
    token: str
    expires_at: datetime
    # The person has a password already (an account of another town): the mail says so.
    has_password: bool = False


async def _view(session: AsyncSession, member: TownMember) -> Account:
    user = await session.get(User, member.user_id)
    town_roles = (await session.scalars(
        select(TenantRole.role).where(TenantRole.user_id == member.user_id)
        .order_by(TenantRole.role))).all()
    body_roles = (await session.execute(
        select(BodyRole.body_id, BodyRole.role).where(BodyRole.user_id == member.user_id)
        .order_by(BodyRole.body_id, BodyRole.role))).all()
    return Account(id=member.user_id, email=user.email if user else None,
                   name=member.name or (user.name if user else ""), status=member.status,
                   town_roles=tuple(town_roles), body_roles=tuple((b, r) for b, r in body_roles),
                   person_id=member.person_id)


async def _member(session: AsyncSession, user_id: str) -> TownMember:
    member = await session.scalar(select(TownMember).where(TownMember.user_id == user_id))
    if member is None:
        raise NotFound(UNKNOWN_ACCOUNT)
    return member


async def _replace_roles(
    session: AsyncSession, *, tenant: str, user_id: str, town_roles: list[str],
    body_roles: list[tuple[str, str]],
) -> None:
    await session.execute(delete(TenantRole).where(TenantRole.user_id == user_id))
    await session.execute(delete(BodyRole).where(BodyRole.user_id == user_id))
    await session.flush()
    for role in town_roles:
        session.add(TenantRole(tenant_id=tenant, user_id=user_id, role=role))
    for body, role in body_roles:
        session.add(BodyRole(tenant_id=tenant, user_id=user_id, body_id=body, role=role))


async def _admins_left(session: AsyncSession, *, excluding: str) -> int:
    count = await session.scalar(
        select(func.count()).select_from(TenantRole)
        .join(TownMember, (TownMember.user_id == TenantRole.user_id)
              & (TownMember.tenant_id == TenantRole.tenant_id))
        .where(TenantRole.role == "admin", TownMember.status == "active",
               TenantRole.user_id != excluding))
    return int(count or 0)


async def invite_in(
    session: AsyncSession, *, tenant: str, email: str, name: str, town_roles: list[str],
    body_roles: list[tuple[str, str]], person_id: str | None, lifetime: timedelta,
) -> Invitation:
    """Invite within an open transaction of the town (the CSV import invites many at once).

    An address that already has an account elsewhere gets this town's membership on the
    same account; the answer is the same either way, so no town learns of another's people.
    """
    user = await session.scalar(select(User).where(User.email == email))
    has_password = user is not None and user.password_hash != NO_PASSWORD
    if user is None:
        user = User(id=str(uuid.uuid4()), username=email, email=email, name=name,
                    password_hash=NO_PASSWORD)
        session.add(user)
        await session.flush()
    elif await session.scalar(select(TownMember).where(TownMember.user_id == user.id)):
        raise Conflict(ALREADY_MEMBER)
    member = await ensure_member(session, tenant=tenant, user_id=user.id, status="invited")
    member.person_id, member.name = person_id, name
    await _replace_roles(session, tenant=tenant, user_id=user.id, town_roles=town_roles,
                         body_roles=body_roles)
    token, expires = await links.issue(session, tenant=tenant, user_id=user.id,
                                       purpose="invite", lifetime=lifetime)
    await session.flush()
    return Invitation(account=await _view(session, member), token=token, expires_at=expires,
                      has_password=has_password)


async def invite(
    db: Database, *, tenant: str, email: str, name: str, town_roles: list[str],
    body_roles: list[tuple[str, str]], person_id: str | None, lifetime: timedelta,
) -> Invitation:
    """Create or add the account to the town with these roles and mint its invitation link."""
    async with db.transaction(tenant) as session:
        return await invite_in(session, tenant=tenant, email=email, name=name,
                               town_roles=town_roles, body_roles=body_roles,
                               person_id=person_id, lifetime=lifetime)


async def reinvite(db: Database, *, tenant: str, user_id: str, lifetime: timedelta) -> Invitation:
    """A fresh invitation link for an account not yet set up (the old link stops working)."""
    async with db.transaction(tenant) as session:
        member = await _member(session, user_id)
        if member.status != "invited":
            raise Conflict(NOT_INVITED)
        token, expires = await links.issue(session, tenant=tenant, user_id=user_id,
                                           purpose="invite", lifetime=lifetime)
        user = await session.get(User, user_id)
        return Invitation(account=await _view(session, member), token=token,
                          expires_at=expires,
                          has_password=user is not None and user.password_hash != NO_PASSWORD)


async def list_accounts(db: Database, *, tenant: str) -> list[Account]:
    """Every account of the town, by name."""
    async with db.tenant_session(tenant) as session:
        members = (await session.scalars(select(TownMember))).all()
        accounts = [await _view(session, m) for m in members]
    return sorted(accounts, key=lambda a: (a.name.casefold(), a.id))


async def get_account(db: Database, *, tenant: str, user_id: str) -> Account:
    """One account of the town, or NotFound."""
    async with db.tenant_session(tenant) as session:
        return await _view(session, await _member(session, user_id))


async def set_roles(
    db: Database, *, tenant: str, user_id: str, town_roles: list[str],
    body_roles: list[tuple[str, str]],
) -> tuple[Account, Account]:
    """Replace the account's roles (checked rules applied); returns (before, after)."""
    async with db.transaction(tenant) as session:
        member = await _member(session, user_id)
        before = await _view(session, member)
        if "admin" in before.town_roles and "admin" not in town_roles \
                and member.status == "active" and not await _admins_left(session,
                                                                         excluding=user_id):
            raise Conflict(LAST_ADMIN)
        await _replace_roles(session, tenant=tenant, user_id=user_id, town_roles=town_roles,
                             body_roles=body_roles)
        await session.flush()
        return before, await _view(session, member)


async def set_person(db: Database, *, tenant: str, user_id: str,
                     person_id: str | None) -> Account:
    """Link the account to a person of the town's meeting data (None: unlink)."""
    async with db.transaction(tenant) as session:
        member = await _member(session, user_id)
        member.person_id = person_id
        await session.flush()
        return await _view(session, member)


async def revoke_tokens(session: AsyncSession, *, user_id: str | None = None) -> int:
    """Revoke every live refresh token of the town (or of one account in it)."""
    query = update(RefreshToken).where(RefreshToken.revoked_at.is_(None))
    if user_id is not None:
        query = query.where(RefreshToken.user_id == user_id)
    result = await session.execute(query.values(revoked_at=datetime.now(UTC)))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def deactivate(db: Database, *, tenant: str, user_id: str) -> tuple[Account, int]:
    """End the account in this town: no sign-in, every refresh token and mail link revoked.

    Returns the account and how many refresh tokens were revoked.
    """
    async with db.transaction(tenant) as session:
        member = await _member(session, user_id)
        view = await _view(session, member)
        if "admin" in view.town_roles and member.status == "active" \
                and not await _admins_left(session, excluding=user_id):
            raise Conflict(LAST_ADMIN)
        if member.status != "deactivated":
            # Meeting ends the account's web sessions and refuses its access tokens at once.
            events.account_deactivated(session, tenant=tenant, account_id=user_id)
        member.status = "deactivated"
        revoked = await revoke_tokens(session, user_id=user_id)
        await links.revoke_all(session, user_id=user_id)
        await session.flush()
        return await _view(session, member), revoked


async def reactivate(db: Database, *, tenant: str, user_id: str) -> Account:
    """Let a deactivated account sign in again (an account never set up stays invited)."""
    async with db.transaction(tenant) as session:
        member = await _member(session, user_id)
        user = await session.get(User, user_id)
        if member.status == "deactivated":
            member.status = ("invited" if user is None or user.password_hash == NO_PASSWORD
                             else "active")
        await session.flush()
        return await _view(session, member)
