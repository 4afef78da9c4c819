"""Setting a meeting's stream address and recording who refused to be streamed."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from ratsraum_meeting.livestream.models import StreamRefusal
from ratsraum_meeting.meetings.models import Meeting, Membership, Person
from ratsraum_meeting.timeutil import now


class NotMembers(LookupError):
    """Some person ids hold no seat in the meeting's body."""

    def __init__(self, person_ids: list[str]) -> None:
        super().__init__(", ".join(person_ids))
        self.person_ids = person_ids


@dataclass(frozen=True, slots=True)
class Refusal:
    """A member who did not consent to being streamed."""

    person_id: str
    name: str


@dataclass(frozen=True, slots=True)
class StreamSetting:
    """A meeting's stream as the clerk set it."""

    url: str
    captions_url: str
    refusals: list[Refusal]


async def refusals(session: AsyncSession, *, meeting_id: str) -> list[Refusal]:
    """Members of this meeting who refused to be streamed, by name."""
    rows = await session.execute(
        select(StreamRefusal.person_id, Person.name)
        .join(Person, (Person.id == StreamRefusal.person_id)
              & (Person.tenant_id == StreamRefusal.tenant_id))
        .where(StreamRefusal.meeting_id == meeting_id)
        .order_by(Person.name, StreamRefusal.person_id))
    return [Refusal(person_id=pid, name=name) for pid, name in rows.all()]


async def stream_setting(session: AsyncSession, *, meeting: Meeting) -> StreamSetting:
    """The meeting's stream address, captions and refusals."""
    return StreamSetting(url=meeting.stream_url or "",
                         captions_url=meeting.stream_captions_url or "",
                         refusals=await refusals(session, meeting_id=meeting.id))


async def set_stream(
    session: AsyncSession, *, meeting: Meeting, url: str, captions_url: str,
    refused_person_ids: list[str], recorded_by: str,
) -> StreamSetting:
    """Set the stream and replace the refusals; every refusing person must be a member."""
    wanted = sorted(set(refused_person_ids))
    seated = set((await session.scalars(select(Membership.person_id).where(
        Membership.body_id == meeting.body_id, Membership.person_id.in_(wanted)))).all())
    missing = [pid for pid in wanted if pid not in seated]
    if missing:
        raise NotMembers(missing)
    meeting.stream_url, meeting.stream_captions_url = url, captions_url
    kept = set((await session.scalars(select(StreamRefusal.person_id).where(
        StreamRefusal.meeting_id == meeting.id))).all())
    gone = kept - set(wanted)
    if gone:
        await session.execute(delete(StreamRefusal).where(
            StreamRefusal.meeting_id == meeting.id, StreamRefusal.person_id.in_(gone)))
    at = now()
    for pid in wanted:
        if pid not in kept:
            session.add(StreamRefusal(meeting_id=meeting.id, person_id=pid, recorded_at=at,
                                      recorded_by=recorded_by))
    await session.flush()
    return await stream_setting(session, meeting=meeting)
