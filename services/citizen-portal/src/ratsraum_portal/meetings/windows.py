"""Change windows: OParl's created/modified filters as queries on the read model."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ratsraum_portal.meetings.models import PublicMeetingView, PublicTenant


@dataclass(frozen=True, slots=True)
class ChangeWindow:
    """Bounds on when objects were created and last modified (all inclusive, all optional)."""

    created_since: datetime | None = None
    created_until: datetime | None = None
    modified_since: datetime | None = None
    modified_until: datetime | None = None


def within(query: Select[Any], created: Any, modified: Any, window: ChangeWindow) -> Select[Any]:
    """The query limited to rows inside the change window."""
    if window.created_since is not None:
        query = query.where(created >= window.created_since)
    if window.created_until is not None:
        query = query.where(created <= window.created_until)
    if window.modified_since is not None:
        query = query.where(modified >= window.modified_since)
    if window.modified_until is not None:
        query = query.where(modified <= window.modified_until)
    return query


async def page_tenants(
    *, session: AsyncSession, window: ChangeWindow, offset: int, limit: int
) -> list[PublicTenant]:
    """One page of towns (needs a system session), oldest first."""
    query = within(select(PublicTenant), PublicTenant.created_at, PublicTenant.modified_at,
                    window)
    query = query.order_by(PublicTenant.created_at, PublicTenant.id).offset(offset).limit(limit)
    return list((await session.scalars(query)).all())


async def page_meetings(
    *, session: AsyncSession, window: ChangeWindow, offset: int, limit: int,
    body_id: str | None = None,
) -> list[PublicMeetingView]:
    """One page of the session tenant's meetings (of one body if given), oldest first."""
    query = select(PublicMeetingView)
    if body_id is not None:
        query = query.where(PublicMeetingView.body_id == body_id)
    modified = func.coalesce(PublicMeetingView.modified_at, PublicMeetingView.updated_at)
    query = within(query, PublicMeetingView.created_at, modified, window)
    query = query.order_by(PublicMeetingView.created_at, PublicMeetingView.id)
    return list((await session.scalars(query.offset(offset).limit(limit))).all())
