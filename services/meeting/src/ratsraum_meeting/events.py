"""Meeting's events: the public snapshot it publishes; names of the events it consumes."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

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
    meeting.version += 1
    await session.flush()
    snapshot = await load_public_meeting(session, meeting.id)
    if snapshot is None:
        return None
    return add_event(
        session, OutboxMessage, tenant=meeting.tenant_id, service=SERVICE,
        event_name=PUBLIC_MEETING_UPDATED,
        payload=public_pb2.PublicMeetingUpdated(meeting=snapshot, version=meeting.version),
    )
