"""Conflicts of interest per agenda item, and members' requests for a roll-call or secret vote."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Response, status
from sqlalchemy.ext.asyncio import AsyncSession

from ratsraum_common.auth import Principal
from ratsraum_common.db import Database
from ratsraum_common.problems import Problem
from ratsraum_meeting import live
from ratsraum_meeting.api.deps import DB, PARTICIPANTS, Reader, Voter, require_roles
from ratsraum_meeting.conflicts import messages as m
from ratsraum_meeting.conflicts import service
from ratsraum_meeting.conflicts.schemas import (
    ConflictIn,
    ConflictOut,
    RequestStateOut,
    VoteRequestIn,
    VoteRequestsOut,
)
from ratsraum_meeting.meetings.models import AgendaItem, Body
from ratsraum_meeting.profiles.live import live_quorum, request_states, requested_method
from ratsraum_meeting.profiles.service import body_profile
from ratsraum_meeting.publish.live_state import quorum_data
from ratsraum_meeting.timeutil import utc

router = APIRouter(prefix="/api/v1/meetings/{meeting_id}/agenda-items/{item_id}",
                   tags=["conflicts"])
Declarer = Annotated[Principal, Depends(require_roles(*PARTICIPANTS))]
_RUNNERS = ("clerk", "chair", "vice_chair")


def _person_for(principal: Principal, person_id: str | None) -> str:
    """Members act for themselves only; clerk and chair record for anyone of the body."""
    if principal.has_any(*_RUNNERS):
        return person_id or principal.subject
    if person_id not in (None, principal.subject):
        raise Problem(403, "only-for-yourself", m.ONLY_FOR_YOURSELF)
    return principal.subject


def _conflict_out(row: service.ConflictRow) -> ConflictOut:
    c = row.conflict
    return ConflictOut(agenda_item_id=c.agenda_item_id, person_id=c.person_id, name=row.name,
                       reason=c.reason, declared_by=c.declared_by,
                       declared_at=utc(c.declared_at),
                       recorded_by_clerk=c.declared_by != c.person_id)


async def _push(db: Database, tenant: str, meeting_id: str, item_id: str, person_id: str,
                change: str) -> None:
    """Tell screens (after commit) who is off the item, and the item's quorum now."""
    async with db.tenant_session(tenant) as session:
        meeting, body, item = await service.item_of(session, meeting_id=meeting_id,
                                                    item_id=item_id)
        result = await live_quorum(session, meeting=meeting, body=body, item=item)
    live.notify(tenant=tenant, meeting_id=meeting_id, kind="conflict", data={
        "agenda_item_id": item_id, "person_id": person_id, "change": change,
        "quorum": quorum_data(result)})


@router.post("/conflicts", status_code=status.HTTP_201_CREATED)
async def declare_conflict(
    meeting_id: str, item_id: str, declaration: ConflictIn, principal: Declarer, db: DB
) -> ConflictOut:
    """Declare a conflict of interest on the item: the member is off its vote and quorum."""
    person_id = _person_for(principal, declaration.person_id)
    async with db.transaction(principal.tenant) as session:
        conflict = await service.declare(
            session, meeting_id=meeting_id, item_id=item_id, person_id=person_id,
            reason=declaration.reason, declared_by=principal.subject)
        _meeting, _body, item = await service.item_of(
            session, meeting_id=meeting_id, item_id=item_id)
        rows = await service.list_conflicts(session, item=item)
    await _push(db, principal.tenant, meeting_id, item_id, person_id, "declared")
    return _conflict_out(next(r for r in rows if r.conflict.id == conflict.id))


@router.delete("/conflicts/{person_id}", status_code=status.HTTP_204_NO_CONTENT)
async def withdraw_conflict(
    meeting_id: str, item_id: str, person_id: str, principal: Declarer, db: DB
) -> Response:
    """Withdraw a conflict, possible until a vote on the item opens."""
    person_id = _person_for(principal, person_id)
    async with db.transaction(principal.tenant) as session:
        await service.withdraw(session, meeting_id=meeting_id, item_id=item_id,
                               person_id=person_id, withdrawn_by=principal.subject)
    await _push(db, principal.tenant, meeting_id, item_id, person_id, "withdrawn")
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/conflicts")
async def list_conflicts(
    meeting_id: str, item_id: str, principal: Reader, db: DB
) -> list[ConflictOut]:
    """The members with a declared conflict on the item (named in the minutes)."""
    async with db.tenant_session(principal.tenant) as session:
        _meeting, _body, item = await service.item_of(
            session, meeting_id=meeting_id, item_id=item_id)
        return [_conflict_out(r) for r in await service.list_conflicts(session, item=item)]


async def _requests_out(session: AsyncSession, *, body: Body,
                        item: AgendaItem) -> VoteRequestsOut:
    profile = (await body_profile(session, body=body)).profile
    states = await request_states(session, body=body, item=item, profile=profile)
    roll_call, secret = (RequestStateOut(kind=s.kind, count=s.count, required=s.required,
                                         threshold=s.threshold, reached=s.reached)
                         for s in states)
    return VoteRequestsOut(agenda_item_id=item.id, roll_call=roll_call, secret=secret,
                           default_method=requested_method(states) or "open")


@router.post("/vote-requests", status_code=status.HTTP_201_CREATED)
async def request_vote_kind(
    meeting_id: str, item_id: str, request: VoteRequestIn, principal: Voter, db: DB,
    response: Response,
) -> VoteRequestsOut:
    """A member asks for a roll-call or secret vote; counted once per member and kind."""
    async with db.transaction(principal.tenant) as session:
        meeting, body, item = await service.item_of(
            session, meeting_id=meeting_id, item_id=item_id)
        profile = (await body_profile(session, body=body)).profile
        threshold = (profile.roll_call_request if request.kind == "roll_call"
                     else profile.secret_request)
        if threshold is None:
            raise Problem(422, "vote-request-not-provided", m.REQUEST_NOT_PROVIDED,
                          profile=profile.code, kind=m.KIND_DE[request.kind],
                          kind_en=m.KIND_EN[request.kind])
        _row, new = await service.add_vote_request(
            session, meeting=meeting, item=item, person_id=principal.subject, kind=request.kind)
        if not new:
            response.status_code = status.HTTP_200_OK
        return await _requests_out(session, body=body, item=item)


@router.get("/vote-requests")
async def list_vote_requests(
    meeting_id: str, item_id: str, principal: Reader, db: DB
) -> VoteRequestsOut:
    """How many members asked for each kind of vote, and the method it makes the default."""
    async with db.tenant_session(principal.tenant) as session:
        _meeting, body, item = await service.item_of(
            session, meeting_id=meeting_id, item_id=item_id)
        return await _requests_out(session, body=body, item=item)
