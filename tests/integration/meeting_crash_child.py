"""Child process: meeting records a public change with its event, then dies by SIGKILL.

argv: meeting_database_url nats_url mode
mode "after_commit": killed right after the commit, before its relay published anything.
mode "after_publish": publishes the event, then is killed before marking it published.
Prints the event id first, so the test knows which event to look for.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys

from sqlalchemy import select

from ratsraum_common import demo
from ratsraum_common.db import Database
from ratsraum_common.nats import connect, ensure_stream
from ratsraum_common.outbox import OutboxRelay
from ratsraum_meeting.base import OutboxMessage
from ratsraum_meeting.meetings.models import Meeting
from ratsraum_meeting.publish.public import publish_public_update


async def main(database_url: str, nats_url: str, mode: str) -> None:
    db = Database(database_url)
    async with db.transaction(demo.TENANT) as session:
        meeting = await session.get(Meeting, demo.MEETING_ID)
        assert meeting is not None
        meeting.status = "running"
        event_id = await publish_public_update(session, meeting=meeting)
    print(event_id, flush=True)
    if mode == "after_publish":
        nc = await connect(nats_url, name="doomed-meeting")
        js = nc.jetstream()
        await ensure_stream(js)
        async with db.system_session() as session:
            row = await session.scalar(select(OutboxMessage).where(OutboxMessage.id == event_id))
        assert row is not None
        await OutboxRelay(db=db, model=OutboxMessage, js=js)._publish(
            row.id, row.subject, row.body, row.traceparent)
        await nc.flush()
    os.kill(os.getpid(), signal.SIGKILL)


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:4]))
