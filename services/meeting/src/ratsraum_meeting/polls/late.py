"""Late arrivals during an open vote: added to its roll only where the rule profile allows.

Attendance and the lobby call `on_arrival` after a member is admitted or checked in. By
default (every state preset) nothing happens: the roll is fixed when the vote opens. A body
whose Geschäftsordnung lets late arrivals vote turns on `late_arrivals_join_open_votes`;
then voting's AmendRoll adds the member, with the reason logged in its audit chain.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ratsraum.voting.v1 import voting_pb2
from ratsraum_common.db import Database
from ratsraum_common.logging import get_logger
from ratsraum_meeting import live
from ratsraum_meeting.attendance.models import Attendance
from ratsraum_meeting.changes import public_view_changed
from ratsraum_meeting.conflicts.service import conflicted_ids
from ratsraum_meeting.meetings.models import AgendaItem, Body, Meeting
from ratsraum_meeting.polls.models import Poll, PollLogEntry
from ratsraum_meeting.polls.voting_client import VotingClient, VotingRefused, VotingUnavailable
from ratsraum_meeting.profiles.presets import RuleProfile
from ratsraum_meeting.profiles.service import body_profile
from ratsraum_meeting.timeutil import now

log = get_logger(__name__)
REASON = "Verspätet eingetroffen ({how}); nach der Geschäftsordnung nachträglich stimmberechtigt"


def _barred(profile: RuleProfile, method: str, presence: str | None) -> bool:
    """Remote members stay out of secret votes and elections where the profile bars them."""
    if presence != "remote":
        return False
    return ((method == "secret" and not profile.remote_in_secret_votes)
            or (method == "election" and not profile.remote_in_elections))


async def _candidates(session: AsyncSession, *, meeting_id: str,
                      person_id: str) -> list[tuple[str, str]]:
    """(poll, method) of the open votes this member may join now; empty if the rule is off."""
    meeting = await session.get(Meeting, meeting_id)
    body = None if meeting is None else await session.get(Body, meeting.body_id)
    if meeting is None or body is None or meeting.status != "running":
        return []
    profile = (await body_profile(session, body=body)).profile
    if not profile.late_arrivals_join_open_votes:
        return []
    presence = await session.scalar(select(Attendance.presence).where(
        Attendance.meeting_id == meeting_id, Attendance.person_id == person_id))
    if presence not in ("in_room", "remote"):
        return []
    found = []
    for poll in (await session.scalars(select(Poll).where(
            Poll.meeting_id == meeting_id, Poll.state == "open"))).all():
        item = await session.get(AgendaItem, poll.agenda_item_id)
        # A conflicted member is never put on the roll (Befangenheit).
        if item is None or person_id in await conflicted_ids(session, item=item):
            continue
        if not _barred(profile, poll.method, presence):
            found.append((poll.id, poll.method))
    return found


async def may_join_open_votes(db: Database, *, tenant: str, meeting_id: str) -> bool:
    """Whether arrivals can join any vote now (a cheap check before many `on_arrival`s)."""
    async with db.tenant_session(tenant) as session:
        meeting = await session.get(Meeting, meeting_id)
        body = None if meeting is None else await session.get(Body, meeting.body_id)
        if meeting is None or body is None or meeting.status != "running":
            return False
        if not (await body_profile(session, body=body)).profile.late_arrivals_join_open_votes:
            return False
        return await session.scalar(select(Poll.id).where(
            Poll.meeting_id == meeting_id, Poll.state == "open").limit(1)) is not None


async def on_arrivals(*, db: Database, voting: VotingClient, tenant: str, meeting_id: str,
                      person_ids: Sequence[str], how: str, by: str) -> None:
    """`on_arrival` for several members at once (bulk recording, provider reports)."""
    if not person_ids or not await may_join_open_votes(db, tenant=tenant, meeting_id=meeting_id):
        return
    for person_id in person_ids:
        await on_arrival(db=db, voting=voting, tenant=tenant, meeting_id=meeting_id,
                         person_id=person_id, how=how, by=by)


async def on_arrival(*, db: Database, voting: VotingClient, tenant: str, meeting_id: str,
                     person_id: str, how: str, by: str) -> list[str]:
    """Add a member who just arrived to the open votes they may join; returns those polls.

    Call after the admission or check-in is committed. Never raises for voting's sake: the
    arrival stands; a vote that closed meanwhile or already lists the member is skipped.
    """
    async with db.tenant_session(tenant) as session:
        candidates = await _candidates(session, meeting_id=meeting_id, person_id=person_id)
    added: list[tuple[str, int]] = []
    for poll_id, _method in candidates:
        try:
            amended = await voting.amend_roll(voting_pb2.AmendRollRequest(
                tenant=tenant, poll_id=poll_id, voter_id=person_id,
                reason=REASON.format(how=how), amended_by=by))
        except VotingRefused as exc:
            # POLL_NOT_OPEN: closed meanwhile; INVALID_REQUEST: on the roll since it opened.
            log.info("late_arrival.not_added", poll_id=poll_id, reason=exc.reason)
            continue
        except VotingUnavailable:
            log.warning("late_arrival.voting_unavailable", poll_id=poll_id)
            continue
        added.append((poll_id, amended.roll_size))
    if not added:
        return []
    async with db.transaction(tenant) as session:
        for poll_id, roll_size in added:
            poll = await session.get(Poll, poll_id)
            if poll is None:
                continue
            poll.roll_size = max(poll.roll_size, roll_size)
            session.add(PollLogEntry(
                poll_id=poll_id, meeting_id=meeting_id, kind="roll_amended",
                reason=REASON.format(how=how), data={"added": person_id, "roll_size": roll_size},
                by=by, at=now()))
        meeting = await session.get(Meeting, meeting_id)
        if meeting is not None:  # the public's live vote shows the roll size
            public_view_changed(session, meeting_id=meeting.id)
    for poll_id, roll_size in added:
        live.notify(tenant=tenant, meeting_id=meeting_id, kind="vote", data={
            "poll_id": poll_id, "state": "open", "step": "roll_amended", "roll_size": roll_size})
    log.info("late_arrival.added", meeting_id=meeting_id, polls=len(added))
    return [poll_id for poll_id, _size in added]
