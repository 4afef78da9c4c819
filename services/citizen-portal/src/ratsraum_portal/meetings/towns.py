"""The list of towns: a town appears with the first public thing it publishes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from ratsraum_portal.meetings.models import PublicTenant


async def upsert_tenant(
    session: AsyncSession, *, tenant: str, name: str, stamp: datetime
) -> None:
    """Note the town (first stamp = OParl `created`); a new name changes `modified`."""
    town = await session.get(PublicTenant, tenant)
    if town is None:
        session.add(PublicTenant(id=tenant, name=name or tenant, created_at=stamp,
                                 modified_at=stamp))
    elif name and town.name != name:
        town.name = name
        town.modified_at = stamp
