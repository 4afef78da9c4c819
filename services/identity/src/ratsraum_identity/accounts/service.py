"""Accounts: creating people, checking passwords, reading roles per town, seeding the demo."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ratsraum_common.auth import ROLES
from ratsraum_common.db import Database, validate_tenant
from ratsraum_identity.accounts.models import Tenant, TenantRole, User
from ratsraum_identity.accounts.passwords import DEFAULT, Passwords
from ratsraum_identity.members.models import BodyRole, TownMember

# Roles a person can hold in one body, and the order roles are listed in tokens.
BODY_ROLES = ("member", "deputy", "chair", "vice_chair", "clerk")
ROLE_ORDER = ("operator", "admin", "clerk", "chair", "vice_chair", "member", "deputy")


@dataclass(frozen=True, slots=True)
class Standing:
    """What a person may do in one town: town-wide roles, roles per body, linked person."""

    town_roles: tuple[str, ...]
    body_roles: tuple[tuple[str, str], ...]  # (body id, role), sorted
    person: str | None = None

    @property
    def roles(self) -> tuple[str, ...]:
        """Every role held anywhere in the town (the `roles` claim), in canonical order."""
        held = set(self.town_roles) | {role for _body, role in self.body_roles}
        return tuple(r for r in ROLE_ORDER if r in held)


@dataclass(frozen=True, slots=True)
class SignedInUser:
    """A person acting for one town: what tokens are issued for (Authlib's "user")."""

    subject: str
    username: str
    name: str
    tenant: str
    roles: tuple[str, ...]
    auth_time: int
    # Authentication methods (RFC 8176); TOTP will add "otp" here.
    amr: tuple[str, ...] = field(default=("pwd",))
    standing: Standing | None = None

    def get_user_id(self) -> str:
        """The token subject (Authlib's user protocol)."""
        return self.subject


async def ensure_tenant(
    session: AsyncSession, *, tenant_id: str, name: str, staff_mfa_required: bool = True,
) -> Tenant:
    """Create the town if missing (name updated if it changed; its MFA rule set on creation)."""
    tenant = await session.get(Tenant, validate_tenant(tenant_id))
    if tenant is None:
        tenant = Tenant(id=tenant_id, name=name, staff_mfa_required=staff_mfa_required,
                        member_mfa_required=False)
        session.add(tenant)
    elif tenant.name != name:
        tenant.name = name
    return tenant


async def create_user(
    db: Database, *, subject: str, username: str, name: str, password: str,
    roles: dict[str, list[str]] | None = None, passwords: Passwords = DEFAULT,
) -> User:
    """Create a person with a password and roles per town ({tenant: [role, ...]})."""
    password_hash = await passwords.hash_async(password)
    async with db.transaction(None) as session:
        user = User(id=subject, username=username, name=name, password_hash=password_hash)
        session.add(user)
        await session.flush()
    for tenant, tenant_roles in (roles or {}).items():
        await grant_roles(db, tenant=tenant, user_id=subject, roles=tenant_roles)
    return user


async def grant_roles(db: Database, *, tenant: str, user_id: str, roles: list[str]) -> None:
    """Give the person these roles in the town (existing ones are kept)."""
    unknown = set(roles) - set(ROLES)
    if unknown:
        raise ValueError(f"unknown roles: {sorted(unknown)}")
    async with db.transaction(tenant) as session:
        held = set(
            (await session.scalars(
                select(TenantRole.role).where(TenantRole.user_id == user_id)
            )).all()
        )
        for role in sorted(set(roles) - held):
            session.add(TenantRole(tenant_id=tenant, user_id=user_id, role=role))
        await ensure_member(session, tenant=tenant, user_id=user_id, status="active")


async def ensure_member(
    session: AsyncSession, *, tenant: str, user_id: str, status: str
) -> TownMember:
    """The person's membership of the town (created with `status` if missing)."""
    member = await session.scalar(select(TownMember).where(TownMember.user_id == user_id))
    if member is None:
        member = TownMember(tenant_id=tenant, user_id=user_id, status=status,
                            created_at=datetime.now(UTC))
        session.add(member)
        await session.flush()
    return member


async def authenticate(
    db: Database, *, username: str, password: str, passwords: Passwords = DEFAULT
) -> User | None:
    """The person with this username and password, or None (same time either way).

    A hash made with other parameters than today's is re-made with today's.
    """
    async with db.system_session() as session:
        user = await session.scalar(select(User).where(User.username == username.strip()))
    stored = user.password_hash if user else None
    ok = await passwords.verify_async(stored, password)
    if not ok or user is None:
        return None
    if passwords.needs_rehash(user.password_hash):
        new_hash = await passwords.hash_async(password)
        async with db.transaction(None) as session:
            fresh = await session.get(User, user.id)
            if fresh is not None:
                fresh.password_hash = new_hash
    return user


async def subject_for(db: Database, *, username: str) -> str | None:
    """The subject of the account with this username, if there is one (for audit events)."""
    async with db.system_session() as session:
        found: str | None = await session.scalar(
            select(User.id).where(User.username == username.strip()))
        return found


async def get_user(db: Database, *, user_id: str) -> User | None:
    """The person with this subject id."""
    async with db.system_session() as session:
        return await session.get(User, user_id)


async def standing_in(db: Database, *, tenant: str, user_id: str) -> Standing | None:
    """The person's roles in one town; None if the town is suspended, the membership is not
    active (invited, deactivated) or no role is held."""
    async with db.tenant_session(tenant) as session:
        town = await session.get(Tenant, tenant)
        member = await session.scalar(select(TownMember).where(TownMember.user_id == user_id))
        if town is None or town.status != "active" or member is None \
                or member.status != "active":
            return None
        town_roles = set((await session.scalars(
            select(TenantRole.role).where(TenantRole.user_id == user_id))).all())
        body_roles = (await session.execute(
            select(BodyRole.body_id, BodyRole.role).where(BodyRole.user_id == user_id)
            .order_by(BodyRole.body_id, BodyRole.role))).all()
    standing = Standing(town_roles=tuple(r for r in ROLES if r in town_roles),
                        body_roles=tuple((b, r) for b, r in body_roles),
                        person=member.person_id)
    return standing if standing.roles else None


async def roles_in(db: Database, *, tenant: str, user_id: str) -> tuple[str, ...]:
    """The person's roles in one town, in the canonical order (none if they may not sign in)."""
    standing = await standing_in(db, tenant=tenant, user_id=user_id)
    return standing.roles if standing else ()


async def tenants_of(db: Database, *, user_id: str) -> list[Tenant]:
    """The active towns where the person is an active member (a cross-town system read)."""
    async with db.system_session() as session:
        rows = await session.scalars(
            select(Tenant)
            .where(Tenant.status == "active",
                   Tenant.id.in_(select(TownMember.tenant_id).where(
                       TownMember.user_id == user_id, TownMember.status == "active")))
            .order_by(Tenant.name)
        )
        return list(rows.all())


async def get_tenant(db: Database, *, tenant_id: str) -> Tenant | None:
    """The town with this slug, if it exists."""
    async with db.system_session() as session:
        return await session.get(Tenant, tenant_id)
