"""Seeding towns: the demo town (MEETING_SEED_DEMO=true) and town files (MEETING_SEED_FILES).

Idempotent: each start adds what is missing and changes nothing that is there.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ratsraum_common import demo
from ratsraum_common.db import Database
from ratsraum_common.logging import get_logger
from ratsraum_meeting.meetings.models import (
    AgendaItem,
    Body,
    Meeting,
    Membership,
    Person,
    Tenant,
)
from ratsraum_meeting.publish.public import publish_public_update

log = get_logger(__name__)


def body_id(tenant: str, short: str) -> str:
    """Stable id of a seeded town's body."""
    return demo.body_id_for(tenant, short)


async def _add_missing(session: AsyncSession, rows: Sequence[Tenant | Body | Person | Meeting
                                                             | AgendaItem]) -> int:
    """Add rows whose primary key is not there yet; returns how many were added."""
    added = 0
    for row in rows:
        model = type(row)
        if await session.scalar(select(model.id).where(model.id == row.id)) is None:
            session.add(row)
            added += 1
    await session.flush()
    return added


async def _add_memberships(session: AsyncSession, town: demo.TownSeed, body: str) -> int:
    existing = set((await session.scalars(
        select(Membership.person_id).where(Membership.body_id == body))).all())
    added = 0
    for person in town.people:
        if person.is_member and person.subject not in existing:
            role = "chair" if "chair" in person.roles else "member"
            session.add(Membership(body_id=body, person_id=person.subject, role=role))
            added += 1
    return added


async def seed_town(db: Database, town: demo.TownSeed) -> bool:
    """Create the town's body, people, meeting and agenda if missing; True if any was."""
    body = body_id(town.tenant, town.body_short)
    async with db.transaction(town.tenant) as session:
        added = await _add_missing(session, [
            Tenant(id=town.tenant, name=town.tenant_name),
            Body(id=body, name=town.body_name, short=town.body_short,
                 statutory_members=town.statutory_members, rule_profile=town.rule_profile),
            *[Person(id=p.subject, name=p.name, party=p.party, email=p.email)
              for p in town.people],
        ])
        added += await _add_memberships(session, town, body)
        added += await _add_missing(session, [
            Meeting(id=town.meeting_id, body_id=body, title=town.meeting_title,
                    starts_at=demo.meeting_start(), location=town.location,
                    status="scheduled", version=0),
        ])
        added += await _add_missing(session, [
            AgendaItem(id=item.id, meeting_id=town.meeting_id, number=item.number,
                       position=index, title=item.title, public=item.public,
                       votable=item.votable, status="pending")
            for index, item in enumerate(town.agenda, start=1)
        ])
        if added:
            meeting = await session.get(Meeting, town.meeting_id)
            if meeting is not None:
                await publish_public_update(session, meeting=meeting)
    log.info("seed.town", tenant=town.tenant, added=added)
    return added > 0


async def seed_demo(db: Database) -> bool:
    """Seed the demo town (Stadt Soest, its committee and the 4th meeting)."""
    return await seed_town(db, demo.DEMO_TOWN)


async def seed_files(db: Database, paths: Sequence[Path]) -> None:
    """Seed every town described in the given JSON files."""
    for path in paths:
        await seed_town(db, demo.TownSeed.from_json(path.read_text(encoding="utf-8")))
