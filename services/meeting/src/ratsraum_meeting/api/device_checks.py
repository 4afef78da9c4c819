"""Device checks before a session: members report their own; clerk and chair see everyone's."""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import APIRouter, Header, Response, status

from ratsraum_common.i18n import Msg
from ratsraum_common.problems import Problem
from ratsraum_meeting import live
from ratsraum_meeting.api.deps import DB, Reader, Runner, Voter
from ratsraum_meeting.device_checks import service
from ratsraum_meeting.device_checks.schemas import (
    DeviceCheckIn,
    DeviceCheckOut,
    PracticeVoteIn,
    PracticeVoteOut,
)
from ratsraum_meeting.device_checks.service import MemberCheck
from ratsraum_meeting.timeutil import now, utc

router = APIRouter(prefix="/api/v1/meetings", tags=["device checks"])
_KEY = re.compile(r"^[\x21-\x7e]{8,128}$")
_MISSING_KEY = Msg(
    "Die Probeabstimmung braucht einen Idempotency-Key (8 bis 128 sichtbare Zeichen), "
    "damit ein wiederholtes Senden nur einmal zählt.",
    "The practice vote needs an Idempotency-Key (8 to 128 visible characters) so that a "
    "repeated send counts once.",
)


def _changed(tenant: str, meeting_id: str, person_id: str) -> None:
    # Clerk screens redraw their device-check region; member screens ignore this kind.
    live.notify(tenant=tenant, meeting_id=meeting_id, kind="device_check",
                data={"person_id": person_id})


@router.get("/{meeting_id}/device-checks")
async def list_device_checks(meeting_id: str, principal: Runner, db: DB) -> list[DeviceCheckOut]:
    """Every member of the body with their latest device check (clerk and chair)."""
    async with db.tenant_session(principal.tenant) as session:
        members = await service.overview(session, meeting_id=meeting_id)
    return [DeviceCheckOut.of(m) for m in members]


@router.get("/{meeting_id}/device-checks/{person_id}")
async def get_device_check(
    meeting_id: str, person_id: str, principal: Reader, db: DB
) -> DeviceCheckOut:
    """One member's latest device check: their own, or anyone's for clerk and chair."""
    if not principal.has_any("clerk", "chair"):
        service.require_self(caller=principal.subject, person_id=person_id)
    async with db.tenant_session(principal.tenant) as session:
        members = await service.overview(session, meeting_id=meeting_id)
    found = next((m for m in members if m.person_id == person_id), None)
    if found is None:
        raise Problem(404, "not-a-member", service.NOT_A_MEMBER)
    return DeviceCheckOut.of(found)


@router.put("/{meeting_id}/device-checks/{person_id}")
async def put_device_check(
    meeting_id: str, person_id: str, body: DeviceCheckIn, principal: Voter, db: DB
) -> DeviceCheckOut:
    """Report the outcome of the own camera, microphone and connection check."""
    service.require_self(caller=principal.subject, person_id=person_id)
    async with db.transaction(principal.tenant) as session:
        row = await service.report(
            session, meeting_id=meeting_id, person_id=person_id, camera=body.camera,
            microphone=body.microphone, connection_ms=body.connection_ms)
        out = DeviceCheckOut.of(MemberCheck(person_id=person_id, name="", check=row))
    _changed(principal.tenant, meeting_id, person_id)
    return out


@router.post("/{meeting_id}/device-checks/{person_id}/practice-vote",
             status_code=status.HTTP_201_CREATED)
async def practice_vote(
    meeting_id: str,
    person_id: str,
    body: PracticeVoteIn,
    principal: Voter,
    db: DB,
    response: Response,
    idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key")] = None,
) -> PracticeVoteOut:
    """Cast a practice vote: checked like a real cast, recorded only as 'practice done'."""
    service.require_self(caller=principal.subject, person_id=person_id)
    if idempotency_key is None or not _KEY.match(idempotency_key):
        raise Problem(400, "idempotency-key-required", _MISSING_KEY)
    async with db.transaction(principal.tenant) as session:
        row, replayed = await service.practice_vote(
            session, meeting_id=meeting_id, person_id=person_id, choice=body.choice,
            key=idempotency_key)
        at = utc(row.practice_voted_at or now())
    if replayed:
        response.status_code = status.HTTP_200_OK
    else:
        _changed(principal.tenant, meeting_id, person_id)
    return PracticeVoteOut(replayed=replayed, practice_voted_at=at)
