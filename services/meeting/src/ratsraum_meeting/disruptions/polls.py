"""Votes at an interruption: open polls are cancelled in voting and void here, never left open.

The re-run is offered after the session resumes (polls.lifecycle.rerun_poll, with a fresh
roll): a vote disturbed by an interruption must be repeated, not silently continued.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ratsraum.voting.v1 import voting_pb2
from ratsraum_common.db import Database
from ratsraum_common.logging import get_logger
from ratsraum_meeting import live
from ratsraum_meeting.changes import public_view_changed
from ratsraum_meeting.disruptions.models import DisruptionStep
from ratsraum_meeting.meetings.models import AgendaItem, Meeting
from ratsraum_meeting.polls.closing import record_result
from ratsraum_meeting.polls.lifecycle import awaiting_rerun
from ratsraum_meeting.polls.models import Poll, PollLogEntry
from ratsraum_meeting.polls.voting_client import VotingClient, VotingRefused, VotingUnavailable
from ratsraum_meeting.timeutil import now

log = get_logger(__name__)
PREFIX = "Sitzung unterbrochen"


@dataclass
class Voided:
    """What an interruption did to the open votes."""

    voided: list[str] = field(default_factory=list)
    closed_before: list[str] = field(default_factory=list)  # closed just before; kept
    not_cancelled: list[str] = field(default_factory=list)  # voting unreachable: still open


def interruption_reason(reason: str) -> str:
    """The reason voting logs with the cancellation: "Sitzung unterbrochen: <reason>"."""
    return f"{PREFIX}: {reason.strip()}" if reason.strip() else PREFIX


async def _open_polls(db: Database, tenant: str, meeting_id: str) -> list[tuple[str, str]]:
    """(id, method) of the meeting's open polls."""
    async with db.tenant_session(tenant) as session:
        rows = (await session.execute(select(Poll.id, Poll.method).where(
            Poll.meeting_id == meeting_id, Poll.state == "open"))).all()
        return [(poll_id, method) for poll_id, method in rows]


async def _cancel(voting: VotingClient, *, tenant: str, poll_id: str, method: str,
                  reason: str, by: str) -> voting_pb2.Poll | None:
    """Cancel in voting; the poll as voting holds it after, or None if unreachable."""
    try:
        return await voting.cancel_poll(voting_pb2.CancelPollRequest(
            tenant=tenant, poll_id=poll_id, reason=reason, cancelled_by=by), method=method)
    except VotingRefused as exc:
        if exc.reason != "POLL_NOT_OPEN":
            log.warning("interrupt.cancel_refused", poll_id=poll_id, reason=exc.reason)
            return None
    except VotingUnavailable:
        return None
    try:  # closed or cancelled a moment earlier: what is it now?
        return await voting.get_poll(voting_pb2.GetPollRequest(tenant=tenant, poll_id=poll_id),
                                     method=method)
    except (VotingRefused, VotingUnavailable):
        return None


async def _mark_void(session: AsyncSession, *, poll: Poll, reason: str, by: str) -> None:
    # A consumer may have applied voting's poll.cancelled first; the interruption still voids.
    poll.state = "void"
    poll.result = {**(poll.result or {}), "void_reason": reason, "interrupted": True,
                   "show_of_hands": False}
    poll.closed_at, poll.closed_by = poll.closed_at or now(), by
    item = await session.get(AgendaItem, poll.agenda_item_id)
    if item is not None and item.status == "voting":
        item.status = "called"
    session.add(PollLogEntry(poll_id=poll.id, meeting_id=poll.meeting_id, kind="void",
                             reason=reason, data={"interrupted": True}, by=by, at=now()))


async def void_open_polls(*, db: Database, voting: VotingClient, tenant: str, meeting_id: str,
                          reason: str, by: str) -> Voided:
    """Cancel every open poll of the meeting in voting and mark it void here (published)."""
    done = Voided()
    answers: dict[str, voting_pb2.Poll] = {}
    # Voting is called outside any write transaction: a slow answer blocks no writer.
    for poll_id, method in await _open_polls(db, tenant, meeting_id):
        answer = await _cancel(voting, tenant=tenant, poll_id=poll_id, method=method,
                               reason=reason, by=by)
        if answer is None:
            done.not_cancelled.append(poll_id)
        else:
            answers[poll_id] = answer
    if not answers:
        return done
    async with db.transaction(tenant) as session:
        for poll_id, answer in answers.items():
            # Locked: voting's poll.cancelled event, applied by a consumer, races this write.
            poll = await session.get(Poll, poll_id, with_for_update=True,
                                     populate_existing=True)
            if poll is None:
                continue
            if answer.state == voting_pb2.POLL_STATE_CLOSED:
                await record_result(session, voting_poll=answer, closed_by=None)
                done.closed_before.append(poll_id)
            elif poll.state in ("open", "cancelled"):
                await _mark_void(session, poll=poll, reason=reason, by=by)
                done.voided.append(poll_id)
        meeting = await session.get(Meeting, meeting_id)
        if meeting is not None and done.voided:
            public_view_changed(session, meeting_id=meeting.id)
    for poll_id in done.voided:
        live.notify(tenant=tenant, meeting_id=meeting_id, kind="vote",
                    data={"poll_id": poll_id, "state": "void", "step": "interrupted"})
    log.info("interrupt.polls_voided", meeting_id=meeting_id, voided=len(done.voided),
             not_cancelled=len(done.not_cancelled))
    return done


async def reruns_offered(session: AsyncSession, *, meeting_id: str) -> list[str]:
    """Polls the chair may re-run now: voided by an interruption, or named by a decision."""
    polls = (await session.scalars(select(Poll).where(
        Poll.meeting_id == meeting_id, Poll.state.in_(("void", "closed")))
        .order_by(Poll.opened_at))).all()
    decisions = (await session.scalars(select(DisruptionStep.data).where(
        DisruptionStep.meeting_id == meeting_id, DisruptionStep.kind == "decision"))).all()
    due = {p for data in decisions for p in (data or {}).get("rerun_due", [])}
    return [p.id for p in polls
            if awaiting_rerun(p) or (p.state == "closed" and p.id in due)]
