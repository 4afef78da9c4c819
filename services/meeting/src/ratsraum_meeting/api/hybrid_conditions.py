"""A meeting's hybrid conditions: what was recorded so that members may join remotely."""

from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy.ext.asyncio import AsyncSession

from ratsraum_common.problems import Problem
from ratsraum_meeting.api.deps import DB, Reader, Runner
from ratsraum_meeting.meetings.service import get_meeting
from ratsraum_meeting.profiles import hybrid_conditions as service
from ratsraum_meeting.profiles.hybrid_rules import citation
from ratsraum_meeting.profiles.hybrid_schemas import (
    HybridConditionsIn,
    HybridConditionsOut,
    OpenCheckOut,
    RemoteMemberIn,
)
from ratsraum_meeting.profiles.presets import council_rules_apply, hybrid_conditions
from ratsraum_meeting.profiles.service import body_profile

router = APIRouter(prefix="/api/v1/meetings/{meeting_id}/hybrid-conditions",
                   tags=["hybrid-conditions"])


async def _out(session: AsyncSession, meeting_id: str) -> HybridConditionsOut:
    meeting, body = await get_meeting(session, meeting_id=meeting_id)
    bp = await body_profile(session, body=body)
    row = await service.get_conditions(session, meeting_id=meeting.id)
    try:
        await service.ensure_session_allowed(session, meeting=meeting, body=body)
        check = OpenCheckOut(allowed=True)
    except Problem as refusal:
        check = OpenCheckOut(allowed=False, code=refusal.code,
                             detail_de=refusal.detail.render("de", **refusal.values),
                             detail_en=refusal.detail.render("en", **refusal.values))
    council = council_rules_apply(bp.profile, bp.kind)
    rule = "hybrid_conditions_council" if council else "hybrid_conditions_committee"
    record = {} if row is None else {
        name: getattr(row, name) for name in HybridConditionsIn.model_fields
        if name != "remote_members"}
    members = {} if row is None else {
        person: RemoteMemberIn(**data) for person, data in (row.remote_members or {}).items()}
    return HybridConditionsOut(
        **record, remote_members=members, meeting_id=meeting.id,
        recorded_by=None if row is None else row.recorded_by,
        recorded_at=None if row is None else row.recorded_at,
        required=sorted(hybrid_conditions(bp.profile, bp.kind)),
        required_citation=citation(bp.profile, rule),
        barred_with_remote=sorted(bp.profile.barred_with_remote),
        barred_citation=citation(bp.profile, "barred_with_remote"),
        emergency_declared_by_required=bp.profile.hybrid_emergency_declared_by,
        supervisory_notice_days=bp.profile.supervisory_notice_days,
        check=check, kind="council" if council else "committee")


@router.get("")
async def get_hybrid_conditions(meeting_id: str, principal: Reader,
                                db: DB) -> HybridConditionsOut:
    """What was recorded for the meeting, what its body's law demands, and if it is met."""
    async with db.tenant_session(principal.tenant) as session:
        return await _out(session, meeting_id)


@router.put("")
async def put_hybrid_conditions(meeting_id: str, conditions: HybridConditionsIn,
                                principal: Runner, db: DB) -> HybridConditionsOut:
    """Record the conditions (clerk or chair); they replace what was recorded before."""
    async with db.transaction(principal.tenant) as session:
        meeting, _body = await get_meeting(session, meeting_id=meeting_id)
        data = conditions.model_dump()
        data["remote_members"] = {person: member.model_dump()
                                  for person, member in conditions.remote_members.items()}
        await service.set_conditions(session, meeting=meeting,
                                     data=service.ConditionsInput(**data),
                                     recorded_by=principal.subject)
        return await _out(session, meeting_id)
