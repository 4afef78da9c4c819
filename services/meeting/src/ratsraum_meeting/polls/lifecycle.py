"""A poll's life after opening: cancel, show of hands, re-run, runoff and lot; each step logged."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ratsraum.voting.v1 import events_pb2, voting_pb2
from ratsraum_common.consumer_guard import Refuse, RetryLater
from ratsraum_common.db import Database
from ratsraum_common.events import Envelope
from ratsraum_common.i18n import Msg
from ratsraum_common.logging import get_logger
from ratsraum_common.nats import EventHandler
from ratsraum_common.problems import Problem
from ratsraum_meeting import live
from ratsraum_meeting.changes import public_view_changed
from ratsraum_meeting.meetings.models import AgendaItem
from ratsraum_meeting.meetings.service import get_meeting
from ratsraum_meeting.polls import messages as m
from ratsraum_meeting.polls.closing import confirmed_poll, record_result
from ratsraum_meeting.polls.law_gate import CheckedRoll, checked_roll, is_election, log_exclusion
from ratsraum_meeting.polls.models import Poll, PollLogEntry
from ratsraum_meeting.polls.refusals import voting_answer
from ratsraum_meeting.polls.results import election_record
from ratsraum_meeting.polls.service import get_poll
from ratsraum_meeting.polls.voting_client import VotingClient, VotingRefused, VotingUnavailable
from ratsraum_meeting.profiles.service import body_profile
from ratsraum_meeting.timeutil import now

log = get_logger(__name__)
# A second durable beside meeting-voting (poll.closed): every poll event, dispatched by subject.
LIFECYCLE_CONSUMER = "meeting-voting-lifecycle"
LIFECYCLE_FILTER = "ratsraum.*.voting.poll.>"
RERUN_NOT_RUNNING = Msg(
    "Die Sitzung läuft nicht (Stand: {current}); eine Abstimmung kann erst nach der "
    "Fortsetzung wiederholt werden.",
    "The meeting is not running (status: {current}); a vote can be re-run only after it "
    "resumes.",
)


def _log(session: AsyncSession, *, poll: Poll, kind: str, by: str, reason: str = "",
         data: dict[str, Any] | None = None) -> None:
    session.add(PollLogEntry(poll_id=poll.id, meeting_id=poll.meeting_id, kind=kind,
                             reason=reason, data=data or {}, by=by, at=now()))


def _require(poll: Poll, *states: str) -> None:
    if poll.state not in states:
        raise Problem(409, "poll-wrong-state", m.WRONG_STATE, state=poll.state)


async def _publish(session: AsyncSession, poll: Poll) -> None:
    meeting, _body = await get_meeting(session, meeting_id=poll.meeting_id)
    public_view_changed(session, meeting_id=meeting.id)


def _notify(tenant: str, poll: Poll, step: str) -> None:
    live.notify(tenant=tenant, meeting_id=poll.meeting_id, kind="vote",
                data={"poll_id": poll.id, "state": poll.state, "step": step})


async def _apply_cancel(session: AsyncSession, *, poll: Poll, reason: str, by: str) -> None:
    poll.state = "cancelled"
    poll.result = {"cancel_reason": reason, "show_of_hands": False}
    poll.closed_at, poll.closed_by = now(), by
    item = await session.get(AgendaItem, poll.agenda_item_id)
    if item is not None and item.status == "voting":
        item.status = "called"
    _log(session, poll=poll, kind="cancelled", by=by, reason=reason)
    await _publish(session, poll)


async def cancel_poll(*, db: Database, voting: VotingClient, tenant: str, poll_id: str,
                      reason: str, by: str) -> Poll:
    """The chair withdraws an open vote with a reason; the ballots are never counted."""
    async with db.tenant_session(tenant) as session:
        poll = await get_poll(session, poll_id=poll_id)
    if poll.state == "cancelled":
        return poll
    _require(poll, "open")
    await voting_answer(voting.cancel_poll(voting_pb2.CancelPollRequest(
        tenant=tenant, poll_id=poll_id, reason=reason, cancelled_by=by), method=poll.method))
    async with db.transaction(tenant) as session:
        poll = await get_poll(session, poll_id=poll_id)
        if poll.state == "open":
            await _apply_cancel(session, poll=poll, reason=reason, by=by)
    log.info("poll.cancelled", poll_id=poll_id, tenant=tenant)
    _notify(tenant, poll, "cancelled")
    return poll


async def record_show_of_hands(*, db: Database, voting: VotingClient, tenant: str,
                               poll_id: str, counts: dict[str, int], by: str) -> Poll:
    """The clerk enters counts from a show of hands; the result is marked as such."""
    async with db.tenant_session(tenant) as session:
        poll = await get_poll(session, poll_id=poll_id)
    _require(poll, "open")
    closed = await voting_answer(voting.record_show_of_hands(voting_pb2.RecordShowOfHandsRequest(
        tenant=tenant, poll_id=poll_id, recorded_by=by,
        counts=[voting_pb2.OptionCount(option_id=o, count=n) for o, n in counts.items()])))
    async with db.transaction(tenant) as session:
        await record_result(session, voting_poll=closed, closed_by=by)
        poll = await get_poll(session, poll_id=poll_id)
        _log(session, poll=poll, kind="show_of_hands", by=by, data={"counts": counts})
    _notify(tenant, poll, "show_of_hands")
    return poll


def _follow_up(old: Poll, *, new_id: str, title: str, by: str) -> Poll:
    return Poll(id=new_id, meeting_id=old.meeting_id, agenda_item_id=old.agenda_item_id,
                title=title, method=old.method, majority_rule=old.majority_rule, state="open",
                roll_size=0, ballots_cast=0, opened_at=now(), opened_by=by)


async def rerun_in_voting(*, voting: VotingClient, tenant: str, poll: Poll, reason: str,
                          by: str, roll: list[str]) -> voting_pb2.Poll:
    """Ask voting to void a disrupted poll and open its re-run with this roll (new id here)."""
    # An empty roll would make voting reuse the old one; callers refuse that case before.
    return await voting_answer(voting.rerun_poll(voting_pb2.RerunPollRequest(
        tenant=tenant, poll_id=poll.id, new_poll_id=str(uuid.uuid4()), reason=reason,
        requested_by=by, roll=roll), method=poll.method))


async def _reopen_in_voting(*, voting: VotingClient, tenant: str, old: Poll, roll: list[str],
                            statutory_members: int) -> voting_pb2.Poll:
    """Open the re-run of a poll voting cancelled at an interruption: same motion, new roll."""
    # Voting re-runs only open or closed polls; a cancelled one is re-opened as a new poll
    # with its options as voting holds them (candidates of an election included).
    before = await voting_answer(voting.get_poll(voting_pb2.GetPollRequest(
        tenant=tenant, poll_id=old.id), method=old.method))
    return await voting_answer(voting.open_poll(voting_pb2.OpenPollRequest(
        tenant=tenant, poll_id=str(uuid.uuid4()), meeting_id=old.meeting_id,
        agenda_item_id=old.agenda_item_id, title=before.title, method=before.method,
        majority_rule=before.majority_rule, options=before.options, roll=roll,
        statutory_members=statutory_members, public=before.public, kind=before.kind)))


def awaiting_rerun(poll: Poll) -> bool:
    """A poll voided by an interruption whose re-run the chair has not started yet."""
    result = poll.result or {}
    return poll.state == "void" and bool(result.get("interrupted")) and not result.get(
        "rerun_poll_id")


async def apply_rerun(session: AsyncSession, *, old: Poll, rerun: voting_pb2.Poll,
                      reason: str, by: str) -> Poll:
    """Mark the old poll void with the reason and record its re-run, linked both ways."""
    result = dict(old.result or {})
    if old.state != "void":  # voided by an interruption already keeps that reason
        result["void_reason"] = reason
    old.state = "void"
    old.result = {**result, "rerun_poll_id": rerun.poll_id, "rerun_reason": reason}
    new = _follow_up(old, new_id=rerun.poll_id, title=old.title, by=by)
    new.roll_size = rerun.roll_size
    session.add(new)
    await session.flush()
    item = await session.get(AgendaItem, old.agenda_item_id)
    if item is not None:
        item.status = "voting"
    _log(session, poll=old, kind="void", by=by, reason=reason,
         data={"rerun_poll_id": new.id})
    _log(session, poll=new, kind="rerun_of", by=by, reason=reason,
         data={"poll_id": old.id, "roll_size": new.roll_size})
    await _publish(session, new)
    return new


async def _fresh_roll(session: AsyncSession, *, old: Poll, runoff: bool = False,
                      ) -> tuple[CheckedRoll, int]:
    """Who may vote in the re-run or runoff, by the same law check as opening a vote, and the
    body's size."""
    meeting, body = await get_meeting(session, meeting_id=old.meeting_id)
    if meeting.status != "running":
        raise Problem(409, "meeting-not-running", RERUN_NOT_RUNNING, current=meeting.status)
    item = await session.get(AgendaItem, old.agenda_item_id)
    if item is None:
        raise Problem(404, "agenda-item-not-found", m.ITEM_NOT_FOUND)
    if await session.scalar(select(Poll.id).where(
            Poll.agenda_item_id == item.id, Poll.state == "open", Poll.id != old.id)):
        raise Problem(409, "poll-already-open", m.POLL_ALREADY_OPEN, number=item.number)
    profile = (await body_profile(session, body=body)).profile
    checked = await checked_roll(session, meeting=meeting, body=body, item=item,
                                 profile=profile, method=old.method,
                                 election=runoff or is_election(old))
    return checked, body.statutory_members


async def rerun_poll(*, db: Database, voting: VotingClient, tenant: str, poll_id: str,
                     reason: str, by: str) -> Poll:
    """Re-run a disrupted vote with a fresh roll: the old poll void, a new one open."""
    async with db.tenant_session(tenant) as session:
        old = await get_poll(session, poll_id=poll_id)
        reopen = awaiting_rerun(old)
        if not reopen:
            _require(old, "open", "closed")
        checked, statutory = await _fresh_roll(session, old=old)
    if reopen:
        rerun = await _reopen_in_voting(voting=voting, tenant=tenant, old=old,
                                        roll=checked.roll, statutory_members=statutory)
    else:
        rerun = await rerun_in_voting(voting=voting, tenant=tenant, poll=old,
                                      reason=reason, by=by, roll=checked.roll)
    async with db.transaction(tenant) as session:
        old = await get_poll(session, poll_id=poll_id)
        if (old.result or {}).get("rerun_poll_id"):  # a second click raced this one
            raise Problem(409, "poll-wrong-state", m.WRONG_STATE, state=old.state)
        new = await apply_rerun(session, old=old, rerun=rerun, reason=reason, by=by)
        log_exclusion(session, poll=new, excluded=checked.excluded, by=by, at=new.opened_at)
    log.info("poll.rerun", poll_id=poll_id, new_poll_id=new.id, roll_size=new.roll_size,
             tenant=tenant)
    _notify(tenant, new, "rerun")
    return new


def _election_status(poll: Poll) -> str:
    if poll.method != "election":
        raise Problem(409, "not-an-election", m.NOT_AN_ELECTION)
    return str(((poll.result or {}).get("election") or {}).get("status", "open"))


async def open_runoff(*, db: Database, voting: VotingClient, tenant: str, poll_id: str,
                      by: str) -> Poll:
    """Open the runoff between the top two of an election round without absolute majority."""
    async with db.tenant_session(tenant) as session:
        first = await get_poll(session, poll_id=poll_id)
        status = _election_status(first)
        if status != "runoff":
            raise Problem(409, "no-runoff", m.NO_RUNOFF, current=status)
        checked, _statutory = await _fresh_roll(session, old=first, runoff=True)
    runoff = await voting_answer(voting.open_runoff(voting_pb2.OpenRunoffRequest(
        tenant=tenant, poll_id=poll_id, new_poll_id=str(uuid.uuid4()), roll=checked.roll),
        method=first.method))
    async with db.transaction(tenant) as session:
        first = await get_poll(session, poll_id=poll_id)
        found = await session.get(Poll, runoff.poll_id)
        if found is not None:
            return found
        new = _follow_up(first, new_id=runoff.poll_id, title=f"{first.title} (Stichwahl)",
                         by=by)
        new.roll_size = runoff.roll_size
        session.add(new)
        await session.flush()
        item = await session.get(AgendaItem, first.agenda_item_id)
        if item is not None:
            item.status = "voting"
        _log(session, poll=new, kind="runoff_of", by=by, data={
            "poll_id": first.id, "candidates": [o.id for o in runoff.options]})
        log_exclusion(session, poll=new, excluded=checked.excluded, by=by, at=new.opened_at)
        await _publish(session, new)
    _notify(tenant, new, "runoff")
    return new


async def _apply_lot(session: AsyncSession, *, poll: Poll, drawn: voting_pb2.Poll,
                     by: str) -> bool:
    election = election_record(drawn.result.election)
    if not election["lot_seed"] or (poll.result or {}).get("election", {}).get("lot_seed"):
        return False
    poll.result = {**(poll.result or {}), "election": election}
    _log(session, poll=poll, kind="lot_drawn", by=by, data={
        "commitment": election["lot_commitment"], "seed": election["lot_seed"],
        "drawn": election["lot_drawn"]})
    await _publish(session, poll)
    return True


async def draw_lot(*, db: Database, voting: VotingClient, tenant: str, poll_id: str,
                   by: str) -> Poll:
    """Draw the lot of a tied election on the chair's request; the seed matches the commitment."""
    async with db.tenant_session(tenant) as session:
        poll = await get_poll(session, poll_id=poll_id)
    status = _election_status(poll)
    if status != "lot_pending":
        raise Problem(409, "no-lot", m.NO_LOT, current=status)
    drawn = await voting_answer(voting.draw_lot(voting_pb2.DrawLotRequest(
        tenant=tenant, poll_id=poll_id, drawn_by=by), method=poll.method))
    async with db.transaction(tenant) as session:
        poll = await get_poll(session, poll_id=poll_id)
        await _apply_lot(session, poll=poll, drawn=drawn, by=by)
    _notify(tenant, poll, "lot_drawn")
    return poll


async def poll_log(session: AsyncSession, *, poll_id: str) -> list[PollLogEntry]:
    """Every logged step of a poll, oldest first."""
    await get_poll(session, poll_id=poll_id)
    return list((await session.scalars(select(PollLogEntry).where(
        PollLogEntry.poll_id == poll_id).order_by(PollLogEntry.id))).all())


def voting_event_handler(voting: VotingClient) -> EventHandler:
    """Consumer: apply voting's poll.cancelled and poll.lot_drawn if the answer was lost.

    As for poll.closed, the event only says where to look: what is applied is the poll as
    voting reports it over gRPC (closing.confirmed_poll).
    """

    async def handle(session: AsyncSession, envelope: Envelope) -> None:
        if envelope.subject.endswith(".poll.cancelled"):
            poll_id = envelope.payload(events_pb2.PollCancelled).poll.poll_id
            # Locked: an interruption voiding the same poll must not be overwritten by this.
            poll = await session.get(Poll, poll_id, with_for_update=True) if poll_id else None
            if poll is None or poll.state != "open":
                return
            cancelled, _sha = await confirmed_poll(
                voting, tenant=envelope.tenant, poll_id=poll.id, method=poll.method,
                state=voting_pb2.POLL_STATE_CANCELLED)
            await _apply_cancel(session, poll=poll, reason=cancelled.cancel_reason, by="voting")
        elif envelope.subject.endswith(".poll.lot_drawn"):
            poll_id = envelope.payload(events_pb2.LotDrawn).poll.poll_id
            poll = await session.get(Poll, poll_id) if poll_id else None
            if poll is None:
                return
            drawn = await _voting_view(voting, tenant=envelope.tenant, poll=poll)
            await _apply_lot(session, poll=poll, drawn=drawn, by="voting")

    return handle


async def _voting_view(voting: VotingClient, *, tenant: str, poll: Poll) -> voting_pb2.Poll:
    """The poll as voting reports it (any state); RetryLater while voting is away."""
    try:
        return await voting.get_poll(
            voting_pb2.GetPollRequest(tenant=tenant, poll_id=poll.id), method=poll.method)
    except VotingUnavailable as exc:
        raise RetryLater(f"voting unreachable to confirm poll {poll.id}") from exc
    except VotingRefused as exc:
        raise Refuse(f"voting does not confirm poll {poll.id}: {exc.reason}") from exc
