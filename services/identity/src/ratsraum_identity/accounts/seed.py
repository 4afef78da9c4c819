"""Accounts of seeded towns: the demo town (IDENTITY_SEED_DEMO) and town files
(IDENTITY_SEED_FILES), created or brought up to date on every start."""

from __future__ import annotations

import asyncio
from pathlib import Path

from sqlalchemy import select

from ratsraum_common import demo
from ratsraum_common.db import Database
from ratsraum_common.logging import get_logger
from ratsraum_identity.accounts.models import User
from ratsraum_identity.accounts.passwords import DEFAULT, Passwords
from ratsraum_identity.accounts.service import ensure_tenant, grant_roles

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
    for person in town.people:
        await grant_roles(db, tenant=town.tenant, user_id=person.subject,
                          roles=list(person.roles))
    log.info("identity.town_seeded", tenant=town.tenant, created=created)
    return created
