"""Opening polls, casting in them and reading them; voting counts, meeting records."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ratsraum.voting.v1 import voting_pb2
from ratsraum_common.db import Database
from ratsraum_common.logging import get_logger
from ratsraum_common.problems import Problem
from ratsraum_meeting.changes import public_view_changed
from ratsraum_meeting.conflicts.service import conflicted_ids
from ratsraum_meeting.meetings.models import AgendaItem, Meeting
from ratsraum_meeting.meetings.service import get_meeting
from ratsraum_meeting.polls import messages as m
from ratsraum_meeting.polls import profile_rules as rules
from ratsraum_meeting.polls.law_gate import (
    RemoteExclusion,
    checked_roll,
    log_exclusion,
    require_quorate,
)
from ratsraum_meeting.polls.models import Poll
from ratsraum_meeting.polls.progress import ProgressPublisher
from ratsraum_meeting.polls.refusals import voting_answer
from ratsraum_meeting.polls.results import majority_enum, method_enum
from ratsraum_meeting.polls.voting_client import VotingClient
from ratsraum_meeting.profiles.live import live_quorum, request_states, requested_method
from ratsraum_meeting.profiles.service import body_profile
from ratsraum_meeting.timeutil import now

log = get_logger(__name__)


@dataclass(frozen=True, slots=True)
class CastOutcome:
    """What the member's client learns about a cast."""

    ballot_id: str
    replayed: bool
    ballots_cast: int


@dataclass(frozen=True, slots=True)
class PollView:
    """A poll as a member or clerk sees it; voter choices only after close."""

    poll: Poll
    ballots_cast: int
    voted: list[str]


async def get_poll(session: AsyncSession, *, poll_id: str) -> Poll:
    """A poll of the session's tenant, or a 404 problem."""
    poll = await session.get(Poll, poll_id)
    if poll is None:
        raise Problem(404, "poll-not-found", m.POLL_NOT_FOUND)
    return poll


async def conflicted_person_ids(session: AsyncSession, *, item: AgendaItem) -> set[str]:
    """Members who declared a conflict of interest for the item (kept for the minutes)."""
    return await conflicted_ids(session, item=item)


async def _open_poll_on(session: AsyncSession, *, item_id: str) -> Poll | None:
    return await session.scalar(
        select(Poll).where(Poll.agenda_item_id == item_id, Poll.state == "open")
    )


async def _prepare_open(
    session: AsyncSession, *, meeting_id: str, item_id: str, method: str | None, election: bool,
) -> tuple[voting_pb2.OpenPollRequest, AgendaItem, str, RemoteExclusion | None]:
    """Check every precondition of opening a vote; returns the request and the method."""
    meeting, body = await get_meeting(session, meeting_id=meeting_id)
    item = await session.get(AgendaItem, item_id)
    if item is None or item.meeting_id != meeting.id:
        raise Problem(404, "agenda-item-not-found", m.ITEM_NOT_FOUND)
    if meeting.status != "running":
        raise Problem(409, "meeting-not-running", m.MEETING_NOT_RUNNING)
    if not item.votable:
        raise Problem(409, "item-not-votable", m.ITEM_NOT_VOTABLE, number=item.number)
    if await _open_poll_on(session, item_id=item.id) is not None:
        raise Problem(409, "poll-already-open", m.POLL_ALREADY_OPEN, number=item.number)
    profile = (await body_profile(session, body=body)).profile
    require_quorate(await live_quorum(session, meeting=meeting, body=body, item=item,
                                      profile=profile))
    states = await request_states(session, body=body, item=item, profile=profile)
    method = rules.choose_method(asked=method, requested=requested_method(states),
                                 number=item.number, states=states)
    checked = await checked_roll(session, meeting=meeting, body=body, item=item,
                                 profile=profile, method=method,
                                 election=election or method == "election")
    request = voting_pb2.OpenPollRequest(
        tenant=meeting.tenant_id, poll_id=str(uuid.uuid4()), meeting_id=meeting.id,
        agenda_item_id=item.id, roll=checked.roll, statutory_members=body.statutory_members,
        public=item.public, options=rules.options(profile),
    )
    return request, item, method, checked.excluded


async def open_poll(
    *, db: Database, voting: VotingClient, tenant: str, meeting_id: str, item_id: str,
    method: str | None, majority_rule: str, title: str | None, opened_by: str,
    candidates: list[tuple[str, str]] | None = None,
) -> Poll:
    """Open a vote on an item under the body's profile, with the present members as roll."""
    async with db.tenant_session(tenant) as session:
        request, item, method, excluded = await _prepare_open(
            session, meeting_id=meeting_id, item_id=item_id, method=method,
            election=bool(candidates))
    if method == "election" or candidates:  # candidates: also a secret election
        majority_rule = rules.election_options(request, candidates)
    request.title = title or f"{item.number}: {item.title}"
    request.method = method_enum(method)
    request.majority_rule = majority_enum(majority_rule)
    # Voting is called outside the write transaction, so a slow answer blocks no writer.
    opened = await voting_answer(voting.open_poll(request), m.OPEN_UNAVAILABLE)
    async with db.transaction(tenant) as session:
        item = await session.get(AgendaItem, item_id) or item
        # Locked like an interruption does, so one interrupting meanwhile is seen here.
        await session.execute(select(Meeting.id).where(Meeting.id == meeting_id)
                              .with_for_update())
        meeting, _body = await get_meeting(session, meeting_id=meeting_id)
        if meeting.status != "running":  # interrupted or closed while voting opened it
            raise Problem(409, "meeting-not-running", m.MEETING_NOT_RUNNING)
        if await _open_poll_on(session, item_id=item.id) is not None:
            # Two clerks clicked at once; the other poll won. Ours stays unused in voting.
            log.warning("poll.open_race_lost", poll_id=request.poll_id, item_id=item.id)
            raise Problem(409, "poll-already-open", m.POLL_ALREADY_OPEN, number=item.number)
        poll = Poll(
            id=request.poll_id, meeting_id=meeting.id, agenda_item_id=item.id,
            title=request.title, method=method, majority_rule=majority_rule, state="open",
            roll_size=opened.roll_size or len(request.roll), ballots_cast=opened.ballots_cast,
            opened_at=now(), opened_by=opened_by,
        )
        session.add(poll)
        await session.flush()
        log_exclusion(session, poll=poll, excluded=excluded, by=opened_by, at=poll.opened_at)
        item.status = "voting"
        public_view_changed(session, meeting_id=meeting.id)
    log.info("poll.opened", poll_id=poll.id, tenant=tenant, roll_size=poll.roll_size)
    return poll


async def cast_ballot(
    *, voting: VotingClient, progress: ProgressPublisher, tenant: str,
    poll_id: str, voter_id: str, choice: str, idempotency_key: str,
) -> CastOutcome:
    """Forward a member's ballot to voting, then note the neutral progress for the public."""
    # No poll read here (hot path): voting scopes by the token's tenant and refuses an unknown
    # poll with POLL_NOT_FOUND, which maps to the same 404 problem as a read here would.
    answer = await voting_answer(voting.cast_ballot(voting_pb2.CastBallotRequest(
        tenant=tenant, poll_id=poll_id, voter_id=voter_id, option_id=choice,
        idempotency_key=idempotency_key,
    )))
    progress.note(tenant=tenant, poll_id=poll_id, ballots_cast=answer.ballots_cast)
    return CastOutcome(ballot_id=answer.ballot_id, replayed=answer.replayed,
                       ballots_cast=answer.ballots_cast)


async def view_poll(*, db: Database, voting: VotingClient, tenant: str, poll_id: str) -> PollView:
    """A poll with who has voted so far (asked from voting while it is open)."""
    async with db.tenant_session(tenant) as session:
        poll = await get_poll(session, poll_id=poll_id)
    if poll.state != "open":
        voted = list((poll.result or {}).get("voted", []))
        return PollView(poll=poll, ballots_cast=poll.ballots_cast, voted=voted)
    live = await voting_answer(voting.get_poll(
        voting_pb2.GetPollRequest(tenant=tenant, poll_id=poll_id), method=poll.method),
        m.READ_UNAVAILABLE)
    return PollView(poll=poll, ballots_cast=max(live.ballots_cast, poll.ballots_cast),
                    voted=list(live.voted))
