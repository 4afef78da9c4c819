"""Presence a provider reported (pushed or polled), applied to the lobby and pushed live."""

from __future__ import annotations

from collections.abc import Sequence

from ratsraum_common.db import Database
from ratsraum_common.logging import get_logger
from ratsraum_meeting.lobby import service as lobby
from ratsraum_meeting.meetings.models import Meeting
from ratsraum_meeting.polls import late
from ratsraum_meeting.polls.voting_client import VotingClient
from ratsraum_meeting.publish.push import push_lobby, push_presence
from ratsraum_meeting.video import service
from ratsraum_meeting.video.base import PresenceEvent

log = get_logger(__name__)


def latest_per_participant(events: Sequence[PresenceEvent]) -> list[PresenceEvent]:
    """Each participant's newest event: a report's history reduced to where they are now."""
    latest: dict[str, PresenceEvent] = {}
    for event in sorted(events, key=lambda e: e.at):
        latest[event.participant_key] = event
    return sorted(latest.values(), key=lambda e: e.at)


async def apply_events(
    db: Database, *, tenant: str, meeting_id: str, provider: str,
    events: Sequence[PresenceEvent], only_new: bool = False, voting: VotingClient | None = None,
) -> int:
    """Apply verified events in one transaction, then push what changed; returns how many.

    `only_new` (polled reports) skips events no newer than what the member's lobby entry
    already reflects, so a report never repeats or undoes what pushed events told us.
    With `voting`, members who became present join open votes where the profile allows it.
    """
    applied = 0
    async with db.transaction(tenant) as session:
        meeting = await session.get(Meeting, meeting_id)
        room = await service.find_room(session, meeting_id=meeting_id)
        if meeting is None or meeting.status == "closed":
            return 0
        before = await lobby.observe(session, meeting=meeting)
        for event in events:
            if event.room_id and room is not None and event.room_id != room.room_id:
                continue  # another meeting's event reached this address
            person_id = await service.person_for_key(session, meeting=meeting, provider=provider,
                                                     key=event.participant_key)
            if person_id is None:
                log.info("video.unknown_participant", provider=provider, tenant=tenant,
                         meeting_id=meeting_id)
                continue
            if only_new and lobby.already_known(
                    await lobby.entry_of(session, meeting=meeting, person_id=person_id),
                    event.at):
                continue
            await lobby.apply_event(session, meeting=meeting, person_id=person_id,
                                    event=event, by=f"video:{provider}")
            applied += 1
        after = await lobby.observe(session, meeting=meeting)
    # After commit, as every live push: screens must never show what could still roll back.
    if before.waiting != after.waiting:
        await push_lobby(db, tenant=tenant, meeting_id=meeting_id)
    if before.present != after.present:
        await push_presence(db, tenant=tenant, meeting_id=meeting_id)
        if voting is not None:
            arrived = [p for p in after.present if p not in set(before.present)]
            await late.on_arrivals(db=db, voting=voting, tenant=tenant, meeting_id=meeting_id,
                                   person_ids=arrived, how=f"über {provider} zugeschaltet",
                                   by=f"video:{provider}")
    return applied
