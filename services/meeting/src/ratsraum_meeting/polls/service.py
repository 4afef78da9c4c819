"""Opening, casting in and closing polls; voting counts, meeting records and publishes."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ratsraum.voting.v1 import secret_pb2, voting_pb2
from ratsraum_common.db import Database
from ratsraum_common.events import Envelope
from ratsraum_common.i18n import Msg
from ratsraum_common.logging import get_logger
from ratsraum_common.problems import Problem
from ratsraum_meeting.attendance.service import present_person_ids
from ratsraum_meeting.changes import public_view_changed
from ratsraum_meeting.conflicts.service import conflicted_ids
from ratsraum_meeting.meetings.models import AgendaItem, Meeting, Person
from ratsraum_meeting.meetings.service import get_meeting
from ratsraum_meeting.polls import messages as m
from ratsraum_meeting.polls import profile_rules as rules
from ratsraum_meeting.polls.models import Poll
from ratsraum_meeting.polls.progress import ProgressPublisher
from ratsraum_meeting.polls.results import majority_enum, method_enum, result_record
from ratsraum_meeting.polls.voting_client import VotingClient, VotingRefused, VotingUnavailable
from ratsraum_meeting.profiles.hybrid_conditions import ensure_poll_allowed
from ratsraum_meeting.profiles.live import (
    live_quorum,
    remote_present,
    request_states,
    requested_method,
)
from ratsraum_meeting.profiles.service import body_profile
from ratsraum_meeting.timeutil import now

log = get_logger(__name__)
T = TypeVar("T")


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


async def eligible_roll(session: AsyncSession, *, meeting: Meeting, item: AgendaItem) -> list[str]:
    """Members present now, minus those with a conflict of interest on the item."""
    conflicted = await conflicted_person_ids(session, item=item)
    return [p for p in await present_person_ids(session, meeting=meeting) if p not in conflicted]


async def _open_poll_on(session: AsyncSession, *, item_id: str) -> Poll | None:
    return await session.scalar(
        select(Poll).where(Poll.agenda_item_id == item_id, Poll.state == "open")
    )


async def _prepare_open(
    session: AsyncSession, *, meeting_id: str, item_id: str, method: str | None
) -> tuple[voting_pb2.OpenPollRequest, AgendaItem, str]:
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
    quorum = await live_quorum(session, meeting=meeting, body=body, item=item, profile=profile)
    if not quorum.quorate:
        raise Problem(409, "not-quorate", m.NOT_QUORATE_RULE, de=quorum.explanation,
                      en=quorum.explanation_en)
    states = await request_states(session, body=body, item=item, profile=profile)
    method = rules.choose_method(asked=method, requested=requested_method(states),
                                 number=item.number, states=states)
    roll = await eligible_roll(session, meeting=meeting, item=item)
    rules.check_remote_ballot(profile=profile, method=method,
                              remote=await remote_present(session, meeting=meeting, roll=roll))
    request = voting_pb2.OpenPollRequest(
        tenant=meeting.tenant_id, poll_id=str(uuid.uuid4()), meeting_id=meeting.id,
        agenda_item_id=item.id, roll=roll, statutory_members=body.statutory_members,
        public=item.public, options=rules.options(profile),
    )
    return request, item, method


async def open_poll(
    *, db: Database, voting: VotingClient, tenant: str, meeting_id: str, item_id: str,
    method: str | None, majority_rule: str, title: str | None, opened_by: str,
    candidates: list[tuple[str, str]] | None = None,
) -> Poll:
    """Open a vote on an item under the body's profile, with the present members as roll."""
    async with db.tenant_session(tenant) as session:
        request, item, method = await _prepare_open(
            session, meeting_id=meeting_id, item_id=item_id, method=method)
        await ensure_poll_allowed(session, meeting_id=meeting_id, item_id=item_id, method=method,
                                  election=method == "election" or bool(candidates))
    if method == "election" or candidates:  # candidates: also a secret election
        majority_rule = rules.election_options(request, candidates)
    request.title = title or f"{item.number}: {item.title}"
    request.method = method_enum(method)
    request.majority_rule = majority_enum(majority_rule)
    # Voting is called outside the write transaction, so a slow answer blocks no writer.
    opened = await _call_voting(voting.open_poll(request), m.OPEN_UNAVAILABLE)
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
    answer = await _call_voting(voting.cast_ballot(voting_pb2.CastBallotRequest(
        tenant=tenant, poll_id=poll_id, voter_id=voter_id, option_id=choice,
        idempotency_key=idempotency_key,
    )))
    progress.note(tenant=tenant, poll_id=poll_id, ballots_cast=answer.ballots_cast)
    return CastOutcome(ballot_id=answer.ballot_id, replayed=answer.replayed,
                       ballots_cast=answer.ballots_cast)


async def close_poll(
    *, db: Database, voting: VotingClient, tenant: str, poll_id: str, closed_by: str
) -> Poll:
    """Close a poll in voting and record its result (idempotent)."""
    async with db.tenant_session(tenant) as session:
        poll = await get_poll(session, poll_id=poll_id)
    if poll.state == "closed":
        return poll
    if poll.method == "secret":  # decrypted by the guardians; the record's hash is kept
        from ratsraum_meeting.polls.secret import close_secret_poll  # imports this module

        return await close_secret_poll(db=db, voting=voting, tenant=tenant, poll_id=poll_id,
                                       closed_by=closed_by)
    closed: voting_pb2.Poll
    try:
        closed = await voting.close_poll(voting_pb2.ClosePollRequest(
            tenant=tenant, poll_id=poll_id, closed_by=closed_by))
    except VotingRefused as exc:
        if exc.reason != "POLL_NOT_OPEN":
            raise _refusal_problem(exc) from exc
        # Closed before, and the answer was lost: read the result instead.
        closed = await _call_voting(voting.get_poll(
            voting_pb2.GetPollRequest(tenant=tenant, poll_id=poll_id)), m.CLOSE_UNAVAILABLE)
    except VotingUnavailable as exc:
        raise Problem(503, "voting-unavailable", m.CLOSE_UNAVAILABLE) from exc
    if closed.state != voting_pb2.POLL_STATE_CLOSED:
        raise Problem(409, "poll-not-closed", m.POLL_NOT_CLOSED)
    async with db.transaction(tenant) as session:
        await record_result(session, voting_poll=closed, closed_by=closed_by)
        return await get_poll(session, poll_id=poll_id)


async def record_result(
    session: AsyncSession, *, voting_poll: voting_pb2.Poll, closed_by: str | None,
    record_sha256: str = "",
) -> bool:
    """Record a closed poll's result on the poll and its item, and publish (once)."""
    poll = await session.get(Poll, voting_poll.poll_id)
    if poll is None or poll.state == "closed":
        return False
    voter_ids = [v.voter_id for v in voting_poll.result.named_votes]
    names = {p.id: p.name for p in (await session.scalars(
        select(Person).where(Person.id.in_(voter_ids)))).all()} if voter_ids else {}
    poll.result = result_record(voting_poll, names)
    if record_sha256:  # secret polls: the election record's SHA-256 goes into the minutes
        poll.result["record_sha256"] = record_sha256
    poll.state = "closed"
    poll.ballots_cast = max(poll.ballots_cast, int(poll.result["ballots_cast"]))
    poll.closed_at = datetime.fromisoformat(poll.result["closed_at"])
    poll.closed_by = closed_by or "voting"
    item = await session.get(AgendaItem, poll.agenda_item_id)
    if item is not None:
        item.status = "decided"
    meeting, _body = await get_meeting(session, meeting_id=poll.meeting_id)
    public_view_changed(session, meeting_id=meeting.id)
    log.info("poll.result_recorded", poll_id=poll.id, outcome=poll.result["outcome"])
    return True


async def on_poll_closed(session: AsyncSession, envelope: Envelope) -> None:
    """Consumer: record the result from voting's poll.closed if the close answer was lost."""
    # SecretPollClosed is PollClosed plus the record's SHA-256 (empty for other methods).
    closed: secret_pb2.SecretPollClosed = envelope.payload(secret_pb2.SecretPollClosed)
    await record_result(session, voting_poll=closed.poll, closed_by=None,
                        record_sha256=closed.record_sha256)


async def view_poll(*, db: Database, voting: VotingClient, tenant: str, poll_id: str) -> PollView:
    """A poll with who has voted so far (asked from voting while it is open)."""
    async with db.tenant_session(tenant) as session:
        poll = await get_poll(session, poll_id=poll_id)
    if poll.state != "open":
        voted = list((poll.result or {}).get("voted", []))
        return PollView(poll=poll, ballots_cast=poll.ballots_cast, voted=voted)
    live = await _call_voting(voting.get_poll(
        voting_pb2.GetPollRequest(tenant=tenant, poll_id=poll_id)), m.READ_UNAVAILABLE)
    return PollView(poll=poll, ballots_cast=max(live.ballots_cast, poll.ballots_cast),
                    voted=list(live.voted))


async def _call_voting(call: Awaitable[T], unavailable: Msg = m.VOTING_UNAVAILABLE) -> T:
    """Await a voting call, translating its refusals and outages into problems."""
    try:
        return await call
    except VotingRefused as exc:
        raise _refusal_problem(exc) from exc
    except VotingUnavailable as exc:
        raise Problem(503, "voting-unavailable", unavailable) from exc


_REFUSALS: dict[str, tuple[int, Msg]] = {
    "NOT_ON_ROLL": (403, m.NOT_ON_ROLL),
    "POLL_NOT_OPEN": (409, m.POLL_NOT_OPEN),
    "POLL_NOT_FOUND": (404, m.POLL_NOT_FOUND),
    "INVALID_CHOICE": (422, m.INVALID_CHOICE),
    "IDEMPOTENCY_KEY_REUSED": (409, m.KEY_REUSED),
    "INVALID_REQUEST": (422, m.INVALID_REQUEST),
    "WRONG_STATE": (409, m.VOTING_WRONG_STATE),
}


def _refusal_problem(exc: VotingRefused) -> Problem:
    if exc.reason == "METHOD_NOT_SUPPORTED":  # secret ballots without guardians: use paper
        return Problem(422, "method-not-available", m.METHOD_NOT_YET_AVAILABLE,
                       kind=rules.KIND_DE["secret"], kind_en=rules.KIND_EN["secret"])
    status, message = _REFUSALS.get(exc.reason or "", (502, m.VOTING_REFUSED))
    code = (exc.reason or "voting-refused").lower().replace("_", "-")
    log.warning("voting.refused", reason=exc.reason, code=exc.code.name, message=exc.message)
    return Problem(status, code, message)
