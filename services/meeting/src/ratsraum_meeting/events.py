"""Meeting's events: the public snapshot it publishes; names of the events it consumes."""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from ratsraum.meeting.v1 import public_pb2
from ratsraum_common.outbox import add_event
from ratsraum_meeting.base import OutboxMessage
from ratsraum_meeting.config import SERVICE
from ratsraum_meeting.meetings.models import Meeting
from ratsraum_meeting.public.snapshot import load_public_meeting

PUBLIC_MEETING_UPDATED = "public.meeting.updated"
VOTING_CONSUMER = "meeting-voting"
POLL_CLOSED_FILTER = "ratsraum.*.voting.poll.closed"


async def publish_public_update(session: AsyncSession, *, meeting: Meeting) -> str | None:
    """Bump the meeting's version and stage its public snapshot in this transaction."""
    await session.flush()
    # An atomic increment, not read-modify-write: it also locks the meeting row until commit
    # (PostgreSQL), so concurrent changes publish in order and never share a version.
    version = await session.scalar(
        update(Meeting).where(Meeting.id == meeting.id)
        .values(version=Meeting.version + 1).returning(Meeting.version)
        .execution_options(synchronize_session=False)
    )
    set_committed_value(meeting, "version", int(version or 0))
    snapshot = await load_public_meeting(session, meeting.id)
    if snapshot is None:
        return None
    return add_event(
        session, OutboxMessage, tenant=meeting.tenant_id, service=SERVICE,
        event_name=PUBLIC_MEETING_UPDATED,
        payload=public_pb2.PublicMeetingUpdated(meeting=snapshot, version=meeting.version),
    )
