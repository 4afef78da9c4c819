"""Disruption reports, interrupting and resuming, and the chair's decision on the sphere."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ratsraum_common.db import Database
from ratsraum_common.logging import get_logger
from ratsraum_common.problems import Problem
from ratsraum_meeting import live
from ratsraum_meeting.changes import public_view_changed
from ratsraum_meeting.disruptions import messages as m
from ratsraum_meeting.disruptions.models import DisruptionReport, DisruptionStep
from ratsraum_meeting.disruptions.polls import (
    interruption_reason,
    reruns_offered,
    void_open_polls,
)
from ratsraum_meeting.meetings.models import Meeting
from ratsraum_meeting.meetings.service import get_meeting, get_person
from ratsraum_meeting.polls import lifecycle
from ratsraum_meeting.polls.models import Poll, PollLogEntry
from ratsraum_meeting.polls.service import get_poll
from ratsraum_meeting.polls.voting_client import VotingClient
from ratsraum_meeting.profiles.service import body_profile
from ratsraum_meeting.timeutil import now, utc

log = get_logger(__name__)
IN_SESSION = ("running", "interrupted")


@dataclass(frozen=True, slots=True)
class Disruptions:
    """A meeting's disruption record for the minutes: reports and the chair's steps."""

    reports: list[DisruptionReport]
    steps: list[DisruptionStep]


def _in_session(meeting: Meeting) -> None:
    if meeting.status not in IN_SESSION:
        raise Problem(409, "meeting-not-in-session", m.MEETING_NOT_IN_SESSION,
                      current=meeting.status)


async def _took_part_since(session: AsyncSession, *, meeting_id: str, person_id: str,
                           since: datetime) -> bool:
    """Whether the member voted in a poll closed after `since` (taking part without complaint)."""
    polls = await session.scalars(select(Poll).where(
        Poll.meeting_id == meeting_id, Poll.state == "closed"))
    return any(p.closed_at is not None and utc(p.closed_at) > since
               and person_id in (p.result or {}).get("voted", []) for p in polls)


async def report(session: AsyncSession, *, meeting_id: str, person_id: str, lost: str,
                 channel: str, since: datetime | None, note: str,
                 reported_by: str) -> DisruptionReport:
    """Record a lost connection; late or after taking part again, it does not count."""
    meeting, body = await get_meeting(session, meeting_id=meeting_id)
    _in_session(meeting)
    if await get_person(session, person_id=person_id) is None:
        raise Problem(404, "person-not-found", m.PERSON_NOT_FOUND)
    reported_at = now()
    since = utc(since) if since is not None else reported_at
    if since > reported_at + timedelta(minutes=1):
        raise Problem(422, "since-in-future", m.SINCE_IN_FUTURE)
    minutes = (await body_profile(session, body=body)).profile.disruption_report_minutes
    late_reason: str | None = None
    if reported_at - since > timedelta(minutes=minutes):
        late_reason = "deadline"
    elif await _took_part_since(session, meeting_id=meeting.id, person_id=person_id,
                                since=since):
        late_reason = "took_part_again"
    row = DisruptionReport(
        meeting_id=meeting.id, person_id=person_id, lost=lost, channel=channel, since=since,
        reported_at=reported_at, reported_by=reported_by, note=note,
        counts=late_reason is None, late_reason=late_reason)
    session.add(row)
    await session.flush()
    log.info("disruption.reported", meeting_id=meeting.id, report_id=row.id, late=late_reason)
    return row


async def _step(session: AsyncSession, *, meeting: Meeting, kind: str, reason: str, by: str,
                sphere: str | None = None, data: dict[str, object] | None = None
                ) -> DisruptionStep:
    step = DisruptionStep(meeting_id=meeting.id, kind=kind, sphere=sphere, reason=reason,
                          data=data or {}, by=by, at=now())
    session.add(step)
    await session.flush()
    return step


async def _lock(session: AsyncSession, *, meeting_id: str) -> Meeting:
    """The meeting, row-locked (PostgreSQL): status changes and vote openings take turns."""
    await session.execute(select(Meeting.id).where(Meeting.id == meeting_id).with_for_update())
    meeting, _body = await get_meeting(session, meeting_id=meeting_id)
    return meeting


async def _set_data(db: Database, tenant: str, step_id: int, **data: object) -> DisruptionStep:
    async with db.transaction(tenant) as session:
        step = await session.get(DisruptionStep, step_id)
        if step is None:  # pragma: no cover - written in this request
            raise LookupError(step_id)
        step.data = {**(step.data or {}), **data}
        await session.flush()
        return step


async def interrupt(*, db: Database, voting: VotingClient, tenant: str, meeting_id: str,
                    reason: str, by: str) -> DisruptionStep:
    """The chair interrupts the running session; every open vote is cancelled and void."""
    async with db.transaction(tenant) as session:
        meeting = await _lock(session, meeting_id=meeting_id)
        if meeting.status != "running":
            raise Problem(409, "meeting-not-running", m.NOT_RUNNING, current=meeting.status)
        meeting.status = "interrupted"
        step = await _step(session, meeting=meeting, kind="interrupt", reason=reason, by=by)
        public_view_changed(session, meeting_id=meeting.id)
        step_id = step.id
    # The interruption stands even if voting is unreachable now; resume retries the rest.
    done = await void_open_polls(db=db, voting=voting, tenant=tenant, meeting_id=meeting_id,
                                 reason=interruption_reason(reason), by=by)
    return await _set_data(db, tenant, step_id, voided_polls=done.voided,
                           closed_before=done.closed_before, not_cancelled=done.not_cancelled)


async def resume(*, db: Database, voting: VotingClient, tenant: str, meeting_id: str,
                 reason: str, by: str) -> DisruptionStep:
    """The chair resumes the session; the votes to repeat are offered in the step's data."""
    async with db.tenant_session(tenant) as session:
        meeting, _body = await get_meeting(session, meeting_id=meeting_id)
        if meeting.status != "interrupted":
            raise Problem(409, "meeting-not-interrupted", m.NOT_INTERRUPTED,
                          current=meeting.status)
        last = await session.scalar(select(DisruptionStep.reason).where(
            DisruptionStep.meeting_id == meeting_id, DisruptionStep.kind == "interrupt")
            .order_by(DisruptionStep.id.desc()).limit(1))
    # No vote may survive the interruption: one voting could not cancel before is done now.
    left = await void_open_polls(db=db, voting=voting, tenant=tenant, meeting_id=meeting_id,
                                 reason=interruption_reason(last or ""), by=by)
    if left.not_cancelled:
        raise Problem(503, "voting-unavailable", m.CANNOT_RESUME,
                      count=len(left.not_cancelled))
    async with db.transaction(tenant) as session:
        meeting = await _lock(session, meeting_id=meeting_id)
        if meeting.status != "interrupted":
            raise Problem(409, "meeting-not-interrupted", m.NOT_INTERRUPTED,
                          current=meeting.status)
        meeting.status = "running"
        offered = await reruns_offered(session, meeting_id=meeting_id)
        step = await _step(session, meeting=meeting, kind="resume", reason=reason, by=by,
                           data={"rerun_offered": offered})
        public_view_changed(session, meeting_id=meeting.id)
    return step


async def _affected_polls(session: AsyncSession, *, meeting_id: str, poll_ids: list[str] | None,
                          reports: list[DisruptionReport]) -> list[Poll]:
    """The chair's list, or every open poll and every poll closed since the earliest report."""
    if poll_ids is not None:
        polls = [await get_poll(session, poll_id=p) for p in poll_ids]
        for poll in polls:
            if poll.meeting_id != meeting_id or not (
                    poll.state in ("open", "closed") or lifecycle.awaiting_rerun(poll)):
                raise Problem(409, "poll-not-rerunnable", m.POLL_NOT_IN_MEETING, poll=poll.id,
                              state=poll.state)
        return polls
    earliest = min((utc(r.since) for r in reports), default=None)
    candidates = await session.scalars(select(Poll).where(
        Poll.meeting_id == meeting_id, Poll.state.in_(("open", "closed"))))
    return [p for p in candidates if p.state == "open" or (
        earliest is not None and p.closed_at is not None and utc(p.closed_at) >= earliest)]


async def decide(*, db: Database, voting: VotingClient, tenant: str, meeting_id: str,
                 sphere: str, reason: str, poll_ids: list[str] | None,
                 by: str) -> DisruptionStep:
    """Record whose sphere the fault was in; the town's interrupts, its votes are repeated.

    Affected votes are not re-run at once: open ones are void with the interruption, closed
    ones are marked due, and the chair re-runs each once the fault is fixed and the session
    resumes (the resume step lists them) — never while the session stands interrupted.
    """
    async with db.tenant_session(tenant) as session:
        meeting, _body = await get_meeting(session, meeting_id=meeting_id)
        _in_session(meeting)
        open_reports = list((await session.scalars(select(DisruptionReport).where(
            DisruptionReport.meeting_id == meeting_id, DisruptionReport.counts.is_(True),
            DisruptionReport.decision_id.is_(None)))).all())
        affected = [] if sphere == "member" else await _affected_polls(
            session, meeting_id=meeting_id, poll_ids=poll_ids, reports=open_reports)
        report_ids = [r.id for r in open_reports]
    voided: list[str] = []
    if sphere == "town" and meeting.status == "running":
        step = await interrupt(db=db, voting=voting, tenant=tenant, meeting_id=meeting_id,
                               reason=reason, by=by)
        voided = list(step.data.get("voided_polls", []))
        notify(tenant=tenant, meeting_id=meeting_id, step="interrupt")
    due = [p.id for p in affected if p.state == "closed"]
    async with db.transaction(tenant) as session:
        meeting, _body = await get_meeting(session, meeting_id=meeting_id)
        step = await _step(session, meeting=meeting, kind="decision", sphere=sphere,
                           reason=reason, by=by, data={
                               "reports": report_ids, "voided_polls": voided,
                               "rerun_due": due})
        for poll_id in due:
            session.add(PollLogEntry(poll_id=poll_id, meeting_id=meeting_id, kind="rerun_due",
                                     reason=reason, data={"decision_id": step.id}, by=by,
                                     at=now()))
        for report_id in report_ids:
            row = await session.get(DisruptionReport, report_id)
            if row is not None:
                row.decision_id = step.id
    log.info("disruption.decided", meeting_id=meeting_id, sphere=sphere, voided=len(voided),
             rerun_due=len(due))
    notify(tenant=tenant, meeting_id=meeting_id, step=step.kind)
    return step


def notify(*, tenant: str, meeting_id: str, step: str) -> None:
    """Tell members' and clerks' screens about a disruption step (after commit)."""
    live.notify(tenant=tenant, meeting_id=meeting_id, kind="disruption", data={"step": step})


async def disruptions(session: AsyncSession, *, meeting_id: str) -> Disruptions:
    """Every report and step of a meeting, oldest first (for the minutes)."""
    reports = await session.scalars(select(DisruptionReport).where(
        DisruptionReport.meeting_id == meeting_id).order_by(DisruptionReport.id))
    steps = await session.scalars(select(DisruptionStep).where(
        DisruptionStep.meeting_id == meeting_id).order_by(DisruptionStep.id))
    return Disruptions(reports=list(reports.all()), steps=list(steps.all()))
