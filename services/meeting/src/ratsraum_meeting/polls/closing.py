"""Closing a poll and recording its result once: voting tallies, or for a secret poll the
guardians decrypt and the election record's SHA-256 goes into the minutes.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ratsraum.voting.v1 import secret_pb2, voting_pb2
from ratsraum_common.consumer_guard import Refuse, RetryLater
from ratsraum_common.db import Database
from ratsraum_common.events import Envelope
from ratsraum_common.i18n import Msg
from ratsraum_common.logging import get_logger
from ratsraum_common.nats import EventHandler
from ratsraum_common.problems import Problem
from ratsraum_meeting.changes import public_view_changed
from ratsraum_meeting.meetings.models import AgendaItem, Person
from ratsraum_meeting.meetings.service import get_meeting
from ratsraum_meeting.polls import messages as m
from ratsraum_meeting.polls.models import Poll
from ratsraum_meeting.polls.refusals import refusal_problem, unavailable_problem, voting_answer
from ratsraum_meeting.polls.results import result_record
from ratsraum_meeting.polls.service import get_poll
from ratsraum_meeting.polls.voting_client import VotingClient, VotingRefused, VotingUnavailable

log = get_logger(__name__)
# Closing a secret poll decrypts the tally with the guardians.
CLOSE_SECONDS = 120.0
CLOSE_REFUSED = Msg(
    "Die geheime Abstimmung konnte nicht ausgezählt werden: {reason} Bitte erneut schließen; "
    "es wurde nichts veröffentlicht.",
    "The secret vote could not be counted: {reason} Please close it again; nothing was "
    "published.",
)


async def close_poll(
    *, db: Database, voting: VotingClient, tenant: str, poll_id: str, closed_by: str
) -> Poll:
    """Close a poll in voting and record its result (idempotent)."""
    async with db.tenant_session(tenant) as session:
        poll = await get_poll(session, poll_id=poll_id)
    if poll.state == "closed":
        return poll
    if poll.method == "secret":
        return await close_secret_poll(db=db, voting=voting, tenant=tenant, poll_id=poll_id,
                                       closed_by=closed_by)
    closed: voting_pb2.Poll
    try:
        closed = await voting.close_poll(voting_pb2.ClosePollRequest(
            tenant=tenant, poll_id=poll_id, closed_by=closed_by))
    except VotingRefused as exc:
        if exc.reason != "POLL_NOT_OPEN":
            raise refusal_problem(exc) from exc
        # Closed before, and the answer was lost: read the result instead.
        closed = await voting_answer(voting.get_poll(
            voting_pb2.GetPollRequest(tenant=tenant, poll_id=poll_id), method=poll.method),
            m.CLOSE_UNAVAILABLE)
    except VotingUnavailable as exc:
        raise unavailable_problem(m.CLOSE_UNAVAILABLE) from exc
    if closed.state != voting_pb2.POLL_STATE_CLOSED:
        raise Problem(409, "poll-not-closed", m.POLL_NOT_CLOSED)
    async with db.transaction(tenant) as session:
        await record_result(session, voting_poll=closed, closed_by=closed_by)
        return await get_poll(session, poll_id=poll_id)


async def close_secret_poll(*, db: Database, voting: VotingClient, tenant: str, poll_id: str,
                            closed_by: str) -> Poll:
    """Close: the guardians decrypt the tally; record the result and the record's SHA-256."""
    try:
        result: secret_pb2.SecretResult = await voting.call_secret(
            "CloseSecretPoll", secret_pb2.CloseSecretPollRequest(
                tenant=tenant, poll_id=poll_id, closed_by=closed_by), CLOSE_SECONDS)
    except VotingRefused as exc:
        if exc.reason == "WRONG_STATE":  # e.g. too few guardians reachable: voting says which
            raise Problem(409, "secret-close-failed", CLOSE_REFUSED, reason=exc.message) from exc
        raise refusal_problem(exc) from exc
    except VotingUnavailable as exc:
        raise unavailable_problem(m.CLOSE_UNAVAILABLE) from exc
    if result.poll.state != voting_pb2.POLL_STATE_CLOSED:
        raise Problem(409, "poll-not-closed", m.POLL_NOT_CLOSED)
    async with db.transaction(tenant) as session:
        await record_result(session, voting_poll=result.poll, closed_by=closed_by,
                            record_sha256=result.record_sha256)
        poll = await get_poll(session, poll_id=poll_id)
    log.info("poll.secret_closed", poll_id=poll_id, tenant=tenant,
             record_sha256=result.record_sha256)
    return poll


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


def poll_closed_handler(voting: VotingClient) -> EventHandler:
    """Consumer of voting's poll.closed: records the result if the close answer was lost.

    The event is only a hint. Whoever can publish on NATS (a misconfigured server, a stolen
    credential) must not write minutes, so the result recorded is the one voting itself
    answers over gRPC; an event for a poll voting does not report closed is refused.
    """

    async def handle(session: AsyncSession, envelope: Envelope) -> None:
        # SecretPollClosed is PollClosed plus the record's SHA-256 (empty for other methods).
        claimed: secret_pb2.SecretPollClosed = envelope.payload(secret_pb2.SecretPollClosed)
        poll = await session.get(Poll, claimed.poll.poll_id) if claimed.poll.poll_id else None
        if poll is None or poll.state == "closed":
            return  # not meeting's poll, or its result is recorded already
        confirmed, record_sha256 = await confirmed_poll(
            voting, tenant=envelope.tenant, poll_id=poll.id, method=poll.method,
            state=voting_pb2.POLL_STATE_CLOSED)
        if (claimed.poll.result != confirmed.result
                or claimed.record_sha256 != record_sha256):
            log.error("poll.closed_event_differs", poll_id=poll.id, event_id=envelope.id,
                      source=envelope.source)
        await record_result(session, voting_poll=confirmed, closed_by=None,
                            record_sha256=record_sha256)

    return handle


async def confirmed_poll(voting: VotingClient, *, tenant: str, poll_id: str, method: str,
                         state: voting_pb2.PollState.ValueType) -> tuple[voting_pb2.Poll, str]:
    """The poll and record SHA-256 as voting reports them; Refuse unless in that state.

    Consumers of voting's events call this before writing anything, so that only voting,
    never a message on NATS, decides what the minutes say.
    """
    request = voting_pb2.GetPollRequest(tenant=tenant, poll_id=poll_id)
    try:
        if method == "secret":
            found: secret_pb2.SecretPoll = await voting.call_secret(
                "GetSecretPoll", secret_pb2.GetSecretPollRequest(tenant=tenant, poll_id=poll_id))
            polled, sha = found.poll, found.record_sha256
        else:
            polled, sha = await voting.get_poll(request, method=method), ""
    except VotingUnavailable as exc:
        raise RetryLater(f"voting unreachable to confirm poll {poll_id}") from exc
    except VotingRefused as exc:
        raise Refuse(f"voting does not confirm poll {poll_id}: {exc.reason}") from exc
    if polled.state != state:
        wanted = voting_pb2.PollState.Name(state).removeprefix("POLL_STATE_").lower()
        raise Refuse(f"voting reports poll {poll_id} not {wanted}")
    return polled, sha
