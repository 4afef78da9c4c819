"""Accounts of seeded towns: the demo town (IDENTITY_SEED_DEMO) and town files
(IDENTITY_SEED_FILES), created or brought up to date on every start."""

from __future__ import annotations

import asyncio
from pathlib import Path

from sqlalchemy import delete, select

from ratsraum_common import demo
from ratsraum_common.db import Database
from ratsraum_common.logging import get_logger
from ratsraum_identity.accounts.models import TenantRole, User
from ratsraum_identity.accounts.passwords import DEFAULT, Passwords
from ratsraum_identity.accounts.service import BODY_ROLES, ensure_member, ensure_tenant
from ratsraum_identity.members.models import BodyRole

log = get_logger(__name__)


async def seed_demo(db: Database, *, data_dir: Path, staff_mfa_required: bool = False,
                    passwords: Passwords = DEFAULT) -> int:
    """Create what is missing of Stadt Soest's accounts; returns how many were created."""
    return await seed_town(db, demo.DEMO_TOWN, data_dir=data_dir,
                           staff_mfa_required=staff_mfa_required, passwords=passwords)


async def seed_files(
    db: Database, paths: list[Path], *, data_dir: Path, staff_mfa_required: bool = False,
    passwords: Passwords = DEFAULT,
) -> None:
    """Seed the accounts of every town described in the given JSON files."""
    for path in paths:
        town = demo.TownSeed.from_json(path.read_text(encoding="utf-8"))
        await seed_town(db, town, data_dir=data_dir, staff_mfa_required=staff_mfa_required,
                        passwords=passwords)


async def seed_town(
    db: Database, town: demo.TownSeed, *, data_dir: Path, staff_mfa_required: bool = False,
    passwords: Passwords = DEFAULT,
) -> int:
    """Create what is missing of a town's accounts; returns how many were created."""
    logins = town.passwords(data_dir)
    async with db.transaction(None) as session:
        await ensure_tenant(session, tenant_id=town.tenant, name=town.tenant_name,
                            staff_mfa_required=staff_mfa_required)
    usernames = [p.username for p in town.people]
    async with db.system_session() as session:
        existing = {
            u.username: u
            for u in (await session.scalars(
                select(User).where(User.username.in_(usernames))
            )).all()
        }

    async def wanted_hash(person: demo.DemoPerson) -> str | None:
        # Keep a hash that still matches the demo file; a regenerated file gets new hashes.
        password = logins[person.username]
        current = existing.get(person.username)
        if current is not None and await passwords.verify_async(current.password_hash,
                                                                password):
            return None
        return await passwords.hash_async(password)

    hashes = await asyncio.gather(*(wanted_hash(p) for p in town.people))
    created = 0
    async with db.transaction(None) as session:
        for person, new_hash in zip(town.people, hashes, strict=True):
            if new_hash is None:
                continue
            current = existing.get(person.username)
            user = await session.get(User, current.id) if current else None
            if user is None:
                session.add(User(id=person.subject, username=person.username,
                                 name=person.name, password_hash=new_hash))
                created += 1
            else:
                user.password_hash = new_hash
    body = demo.body_id_for(town.tenant, town.body_short)
    for person in town.people:
        await _grant_seeded_roles(db, tenant=town.tenant, user_id=person.subject, body=body,
                                  roles=person.roles)
    log.info("identity.town_seeded", tenant=town.tenant, created=created)
    return created


async def _grant_seeded_roles(db: Database, *, tenant: str, user_id: str, body: str,
                              roles: tuple[str, ...]) -> None:
    """Admin and operator in the whole town, every other seeded role in the town's body.

    Roles given since are kept; a body role an older seed gave town-wide moves into the body,
    so the demo exercises meeting's body scoping.
    """
    claims = demo.role_claims(roles, body)
    town_roles: list[str] = claims["town_roles"]
    body_roles = [(entry["body"], entry["role"]) for entry in claims["body_roles"]]
    async with db.transaction(tenant) as session:
        await session.execute(delete(TenantRole).where(
            TenantRole.user_id == user_id,
            TenantRole.role.in_([r for _, r in body_roles if r in BODY_ROLES])))
        held_town = set((await session.scalars(
            select(TenantRole.role).where(TenantRole.user_id == user_id))).all())
        held_body = {(b, r) for b, r in (await session.execute(
            select(BodyRole.body_id, BodyRole.role).where(BodyRole.user_id == user_id))).all()}
        for role in sorted(set(town_roles) - held_town):
            session.add(TenantRole(tenant_id=tenant, user_id=user_id, role=role))
        for body_id, role in sorted(set(body_roles) - held_body):
            session.add(BodyRole(tenant_id=tenant, user_id=user_id, body_id=body_id, role=role))
        await ensure_member(session, tenant=tenant, user_id=user_id, status="active")
