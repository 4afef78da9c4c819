"""Accounts: creating people, checking passwords, reading roles per town, seeding the demo."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ratsraum_common.auth import ROLES
from ratsraum_common.db import Database, validate_tenant
from ratsraum_identity.accounts.models import Tenant, TenantRole, User
from ratsraum_identity.accounts.passwords import DEFAULT, Passwords


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


async def roles_in(db: Database, *, tenant: str, user_id: str) -> tuple[str, ...]:
    """The person's roles in one town, in the canonical order."""
    async with db.tenant_session(tenant) as session:
        held = set(
            (await session.scalars(
                select(TenantRole.role).where(TenantRole.user_id == user_id)
            )).all()
        )
    return tuple(r for r in ROLES if r in held)


async def tenants_of(db: Database, *, user_id: str) -> list[Tenant]:
    """The towns where the person holds any role (a cross-town question, so a system read)."""
    async with db.system_session() as session:
        rows = await session.scalars(
            select(Tenant)
            .where(Tenant.id.in_(select(TenantRole.tenant_id).where(TenantRole.user_id == user_id)))
            .order_by(Tenant.name)
        )
        return list(rows.all())


async def get_tenant(db: Database, *, tenant_id: str) -> Tenant | None:
    """The town with this slug, if it exists."""
    async with db.system_session() as session:
        return await session.get(Tenant, tenant_id)
