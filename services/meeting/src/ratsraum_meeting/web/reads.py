"""Reads the API offers members no endpoint for; straight from the domain's functions."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from ratsraum_common.db import Database
from ratsraum_meeting.lobby.models import LobbyEntry
from ratsraum_meeting.masterdata import service as masterdata
from ratsraum_meeting.masterdata.models import Paper
from ratsraum_meeting.meetings import service as meetings
from ratsraum_meeting.meetings.models import AgendaItem, Person
from ratsraum_meeting.profiles import service as profiles
from ratsraum_meeting.publish.live_state import live_state


async def live_now(db: Database, *, tenant: str, meeting_id: str) -> dict[str, Any]:
    """The meeting's live state as the stream's first event carries it (member view)."""
    async with db.tenant_session(tenant) as session:
        meeting, body = await meetings.get_meeting(session, meeting_id=meeting_id)
        return await live_state(session, meeting=meeting, body=body, staff=False)


async def own_lobby_state(db: Database, *, tenant: str, meeting_id: str,
                          person_id: str) -> str | None:
    """waiting / admitted / left, or None if the member never asked to join remotely."""
    async with db.tenant_session(tenant) as session:
        state: str | None = await session.scalar(select(LobbyEntry.state).where(
            LobbyEntry.meeting_id == meeting_id, LobbyEntry.person_id == person_id))
    return state


async def papers_of(db: Database, *, tenant: str, item_id: str) -> list[dict[str, Any]]:
    """The paper consulted under an item, with its files (links as published)."""
    async with db.tenant_session(tenant) as session:
        item = await session.get(AgendaItem, item_id)
        if item is None or not item.paper_id:
            return []
        paper = await session.get(Paper, item.paper_id)
        if paper is None:
            return []
        files, _items = await masterdata.paper_detail(session, paper=paper)
    return [{"reference": paper.reference, "name": paper.name,
             "files": [{"name": f.name or f.file_name, "url": f.access_url}
                       for f, _role in files]}]


async def abstention_allowed(db: Database, *, tenant: str, meeting_id: str) -> bool:
    """Whether the body's effective rule profile offers abstention."""
    async with db.tenant_session(tenant) as session:
        _meeting, body = await meetings.get_meeting(session, meeting_id=meeting_id)
        found = await profiles.body_profile(session, body=body)
    return bool(found.profile.abstention_allowed)


async def names_of(db: Database, *, tenant: str, person_ids: set[str]) -> dict[str, str]:
    """People's names by id (an election's candidates), for those of the town that exist."""
    if not person_ids:
        return {}
    async with db.tenant_session(tenant) as session:
        rows = await session.execute(
            select(Person.id, Person.name).where(Person.id.in_(person_ids)))
        return {pid: name for pid, name in rows.all()}
