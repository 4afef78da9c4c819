"""The public snapshot of a meeting as an event (`public.meeting.updated`), staged in the outbox.

Domains only note a change (`ratsraum_meeting.changes`); just before a session commits,
the hook below stages the snapshot of each noted meeting in the same transaction.
"""

from __future__ import annotations

from sqlalchemy import event, update
from sqlalchemy.ext.asyncio import AsyncSession, async_session
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.util import await_only

from ratsraum.meeting.v1 import public_pb2
from ratsraum_common.outbox import add_event
from ratsraum_meeting.base import OutboxMessage
from ratsraum_meeting.changes import has_public_view_changes, take_public_view_changes
from ratsraum_meeting.config import SERVICE
from ratsraum_meeting.events import PUBLIC_MEETING_UPDATED
from ratsraum_meeting.meetings.models import Meeting
from ratsraum_meeting.publish.snapshot import load_public_meeting


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


async def publish_noted(session: AsyncSession) -> None:
    """Stage the public snapshot of every meeting this session noted as changed, in order."""
    for meeting_id in take_public_view_changes(session):
        meeting = await session.get(Meeting, meeting_id)
        if meeting is not None:
            await publish_public_update(session, meeting=meeting)


def install() -> None:
    """Publish noted changes whenever a session commits (idempotent; the app calls it)."""
    if not event.contains(Session, "before_commit", _publish_before_commit):
        event.listen(Session, "before_commit", _publish_before_commit)
        event.listen(Session, "after_rollback", _forget_after_rollback)


def _forget_after_rollback(sync_session: Session) -> None:
    """What rolled back never happened: a later commit on the same session must not publish it."""
    take_public_view_changes(sync_session)


def _publish_before_commit(sync_session: Session) -> None:
    """Publish the noted changes inside the committing transaction (all or nothing).

    SQLAlchemy runs this hook synchronously inside the greenlet of `AsyncSession.commit`;
    `await_only` runs the async publisher there, as SQLAlchemy's own async drivers do.
    """
    if not has_public_view_changes(sync_session):
        return
    session = async_session(sync_session)
    if session is None:  # a plain synchronous session: meeting never commits one with notes
        raise RuntimeError("public view changes noted on a session without asyncio")
    await_only(publish_noted(session))
