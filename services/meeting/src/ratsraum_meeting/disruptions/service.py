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
from ratsraum_meeting.disruptions import messages as m
from ratsraum_meeting.disruptions.models import DisruptionReport, DisruptionStep
from ratsraum_meeting.events import publish_public_update
from ratsraum_meeting.meetings.models import Meeting, Person
from ratsraum_meeting.meetings.service import get_meeting
from ratsraum_meeting.polls import lifecycle
from ratsraum_meeting.polls.models import Poll
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
    if await session.get(Person, person_id) is None:
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


async def interrupt(session: AsyncSession, *, meeting_id: str, reason: str,
                    by: str) -> DisruptionStep:
    """The chair interrupts the running session (status "interrupted"); published."""
    meeting, _body = await get_meeting(session, meeting_id=meeting_id)
    if meeting.status != "running":
        raise Problem(409, "meeting-not-running", m.NOT_RUNNING, current=meeting.status)
    meeting.status = "interrupted"
    step = await _step(session, meeting=meeting, kind="interrupt", reason=reason, by=by)
    await publish_public_update(session, meeting=meeting)
    return step


async def resume(session: AsyncSession, *, meeting_id: str, reason: str,
                 by: str) -> DisruptionStep:
    """The chair resumes an interrupted session; published."""
    meeting, _body = await get_meeting(session, meeting_id=meeting_id)
    if meeting.status != "interrupted":
        raise Problem(409, "meeting-not-interrupted", m.NOT_INTERRUPTED, current=meeting.status)
    meeting.status = "running"
    step = await _step(session, meeting=meeting, kind="resume", reason=reason, by=by)
    await publish_public_update(session, meeting=meeting)
    return step


async def _affected_polls(session: AsyncSession, *, meeting_id: str, poll_ids: list[str] | None,
                          reports: list[DisruptionReport]) -> list[Poll]:
    """The chair's list, or every open poll and every poll closed since the earliest report."""
    if poll_ids is not None:
        polls = [await get_poll(session, poll_id=p) for p in poll_ids]
        for poll in polls:
            if poll.meeting_id != meeting_id or poll.state not in ("open", "closed"):
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
    """Record whose sphere the fault was in; the town's interrupts and re-runs affected votes."""
    async with db.tenant_session(tenant) as session:
        meeting, _body = await get_meeting(session, meeting_id=meeting_id)
        _in_session(meeting)
        open_reports = list((await session.scalars(select(DisruptionReport).where(
            DisruptionReport.meeting_id == meeting_id, DisruptionReport.counts.is_(True),
            DisruptionReport.decision_id.is_(None)))).all())
        affected = [] if sphere == "member" else await _affected_polls(
            session, meeting_id=meeting_id, poll_ids=poll_ids, reports=open_reports)
    # Voting is called outside the write transaction; each re-run is its own idempotent step.
    reruns = [(poll.id, await lifecycle.rerun_in_voting(
        voting=voting, tenant=tenant, poll_id=poll.id, reason=reason, by=by))
        for poll in affected]
    async with db.transaction(tenant) as session:
        meeting, _body = await get_meeting(session, meeting_id=meeting_id)
        new_ids: dict[str, str] = {}
        for old_id, rerun in reruns:
            old = await get_poll(session, poll_id=old_id)
            new_ids[old_id] = (await lifecycle.apply_rerun(
                session, old=old, rerun=rerun, reason=reason, by=by)).id
        if sphere == "town" and meeting.status == "running":
            meeting.status = "interrupted"
            await _step(session, meeting=meeting, kind="interrupt", reason=reason, by=by)
        step = await _step(session, meeting=meeting, kind="decision", sphere=sphere,
                           reason=reason, by=by, data={
                               "reports": [r.id for r in open_reports], "reruns": new_ids})
        for report_id in (r.id for r in open_reports):
            row = await session.get(DisruptionReport, report_id)
            if row is not None:
                row.decision_id = step.id
        await publish_public_update(session, meeting=meeting)
    log.info("disruption.decided", meeting_id=meeting_id, sphere=sphere, reruns=len(new_ids))
    notify(tenant=tenant, meeting_id=meeting_id, step=step.kind)
    if new_ids:
        live.notify(tenant=tenant, meeting_id=meeting_id, kind="vote",
                    data={"step": "rerun", "reruns": new_ids})
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
