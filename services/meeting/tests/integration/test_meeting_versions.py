"""Concurrent public changes of one meeting get distinct, gap-free versions, in order."""

from __future__ import annotations

import asyncio

from ratsraum_common import demo
from ratsraum_meeting.meetings.models import Meeting
from ratsraum_meeting.publish.public import publish_public_update


async def test_concurrent_changes_never_share_a_version(meeting) -> None:
    db = meeting.app.state.db
    async with db.tenant_session(demo.TENANT) as session:
        start = (await session.get(Meeting, demo.MEETING_ID)).version

    async def change() -> int:
        async with db.transaction(demo.TENANT) as session:
            row = await session.get(Meeting, demo.MEETING_ID)
            await publish_public_update(session, meeting=row)
            return int(row.version)

    versions = await asyncio.gather(*(change() for _ in range(20)))
    assert sorted(versions) == list(range(start + 1, start + 21))
    async with db.tenant_session(demo.TENANT) as session:
        assert (await session.get(Meeting, demo.MEETING_ID)).version == start + 20
