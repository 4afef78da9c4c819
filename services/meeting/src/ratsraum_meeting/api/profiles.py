"""Rule profiles: the state presets, and each body's effective profile (admins adjust it)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from ratsraum_common.auth import Principal
from ratsraum_meeting.api.deps import DB, require_roles
from ratsraum_meeting.profiles import service
from ratsraum_meeting.profiles.effective import profile_json
from ratsraum_meeting.profiles.law import STATES
from ratsraum_meeting.profiles.presets import PRESETS
from ratsraum_meeting.profiles.schemas import BodyProfileIn, BodyProfileOut, PresetOut
from ratsraum_meeting.publish.push import push_presence

router = APIRouter(prefix="/api/v1", tags=["rule-profiles"])
Staff = Annotated[Principal,
                  Depends(require_roles("admin", "clerk", "chair", "vice_chair"))]
Admin = Annotated[Principal, Depends(require_roles("admin"))]


def _out(bp: service.BodyProfile) -> BodyProfileOut:
    return BodyProfileOut(body_id=bp.body.id, preset=bp.preset, kind=bp.kind,
                          overrides=bp.overrides, effective=profile_json(bp.profile))


@router.get("/rule-profiles")
async def list_presets(_principal: Staff) -> list[PresetOut]:
    """Every state preset a body can choose."""
    return [PresetOut(code=p.code, name=p.name, rules=profile_json(p),
                      citations={n: r.citation for n, r in STATES[p.code].rules.items()})
            for p in PRESETS.values()]


@router.get("/bodies/{body_id}/rule-profile")
async def get_body_profile(body_id: str, principal: Staff, db: DB) -> BodyProfileOut:
    """The body's effective rule profile: its preset with the town's overrides."""
    async with db.tenant_session(principal.tenant) as session:
        body = await service.get_body(session, body_id=body_id)
        return _out(await service.body_profile(session, body=body))


@router.put("/bodies/{body_id}/rule-profile")
async def put_body_profile(
    body_id: str, choice: BodyProfileIn, principal: Admin, db: DB
) -> BodyProfileOut:
    """Choose the body's preset and adjust single rules (admins only; validated as a whole)."""
    async with db.transaction(principal.tenant) as session:
        bp = await service.set_body_profile(
            session, body_id=body_id, preset=choice.preset, kind=choice.kind,
            overrides=choice.overrides, updated_by=principal.subject)
        out = _out(bp)
        affected = [m.id for m in await service.meetings_not_closed(session, body_id=body_id)]
    for meeting_id in affected:  # after commit: screens read the new quorum
        await push_presence(db, tenant=principal.tenant, meeting_id=meeting_id)
    return out
