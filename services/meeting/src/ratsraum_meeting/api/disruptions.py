"""Disruption endpoints: report (app or by phone), interrupt, resume, decide, list."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, status

from ratsraum_common.auth import Principal
from ratsraum_common.problems import Problem
from ratsraum_meeting import live
from ratsraum_meeting.api.deps import DB, PARTICIPANTS, Reader, Voting, require_roles
from ratsraum_meeting.disruptions import messages as m
from ratsraum_meeting.disruptions import service
from ratsraum_meeting.disruptions.models import DisruptionReport, DisruptionStep
from ratsraum_meeting.disruptions.schemas import (
    DecisionIn,
    DisruptionsOut,
    ReportIn,
    ReportOut,
    StepIn,
    StepOut,
)
from ratsraum_meeting.timeutil import utc

router = APIRouter(prefix="/api/v1/meetings/{meeting_id}", tags=["disruptions"])
Reporter = Annotated[Principal, Depends(require_roles(*PARTICIPANTS))]
Chair = Annotated[Principal, Depends(require_roles("chair", "vice_chair"))]


def _report_out(r: DisruptionReport) -> ReportOut:
    return ReportOut(id=r.id, person_id=r.person_id, lost=r.lost, channel=r.channel,
                     since=utc(r.since), reported_at=utc(r.reported_at),
                     reported_by=r.reported_by, note=r.note, counts=r.counts,
                     late_reason=r.late_reason, decision_id=r.decision_id)


def _step_out(s: DisruptionStep) -> StepOut:
    return StepOut(id=s.id, kind=s.kind, sphere=s.sphere, reason=s.reason, data=s.data,
                   by=s.by, at=utc(s.at))


@router.post("/disruptions", status_code=status.HTTP_201_CREATED)
async def report(meeting_id: str, body: ReportIn, principal: Reporter, db: DB) -> ReportOut:
    """Report a lost connection: members for themselves, the clerk for anyone (by phone)."""
    runner = principal.has_any("clerk", "chair", "vice_chair")
    if not runner and body.person_id not in (None, principal.subject):
        raise Problem(403, "only-for-yourself", m.ONLY_FOR_YOURSELF)
    person_id = body.person_id or principal.subject
    channel = "phone" if runner and person_id != principal.subject else "app"
    async with db.transaction(principal.tenant) as session:
        row = await service.report(
            session, meeting_id=meeting_id, person_id=person_id, lost=body.lost,
            channel=channel, since=body.since, note=body.note, reported_by=principal.subject)
        out = _report_out(row)
    service.notify(tenant=principal.tenant, meeting_id=meeting_id, step="report")
    return out


@router.get("/disruptions")
async def list_disruptions(meeting_id: str, principal: Reader, db: DB) -> DisruptionsOut:
    """Every report and step of the meeting (as the minutes list them)."""
    async with db.tenant_session(principal.tenant) as session:
        found = await service.disruptions(session, meeting_id=meeting_id)
    return DisruptionsOut(reports=[_report_out(r) for r in found.reports],
                          steps=[_step_out(s) for s in found.steps])


@router.post("/interrupt")
async def interrupt(meeting_id: str, body: StepIn, principal: Chair, db: DB,
                    voting: Voting) -> StepOut:
    """The chair interrupts the session: no vote can open; open votes are cancelled and void."""
    step = await service.interrupt(db=db, voting=voting, tenant=principal.tenant,
                                   meeting_id=meeting_id, reason=body.reason,
                                   by=principal.subject)
    service.notify(tenant=principal.tenant, meeting_id=meeting_id, step="interrupt")
    return _step_out(step)


@router.post("/resume")
async def resume(meeting_id: str, body: StepIn, principal: Chair, db: DB,
                 voting: Voting) -> StepOut:
    """The chair resumes the session; `data.rerun_offered` lists the votes to repeat."""
    step = await service.resume(db=db, voting=voting, tenant=principal.tenant,
                                meeting_id=meeting_id, reason=body.reason,
                                by=principal.subject)
    live.notify(tenant=principal.tenant, meeting_id=meeting_id, kind="disruption",
                data={"step": "resume", "rerun_offered": step.data.get("rerun_offered", [])})
    return _step_out(step)


@router.post("/disruptions/decision", status_code=status.HTTP_201_CREATED)
async def decide(meeting_id: str, body: DecisionIn, principal: Chair, db: DB,
                 voting: Voting) -> StepOut:
    """Decide whose sphere the fault was in; the town's interrupts and re-runs the votes."""
    step = await service.decide(db=db, voting=voting, tenant=principal.tenant,
                                meeting_id=meeting_id, sphere=body.sphere, reason=body.reason,
                                poll_ids=body.poll_ids, by=principal.subject)
    return _step_out(step)
