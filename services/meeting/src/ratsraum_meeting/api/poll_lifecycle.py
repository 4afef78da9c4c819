"""Poll lifecycle endpoints: elections, cancel, show of hands, re-run, runoff, lot, the log."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, status

from ratsraum_common.auth import Principal
from ratsraum_common.problems import Problem
from ratsraum_meeting import live
from ratsraum_meeting.api.deps import DB, Reader, Runner, Voting, require_roles
from ratsraum_meeting.api.polls import live_poll
from ratsraum_meeting.polls import law_gate, lifecycle, service
from ratsraum_meeting.polls import messages as m
from ratsraum_meeting.polls.schemas import (
    CancelIn,
    ElectionCreate,
    PollLogOut,
    PollOut,
    ShowOfHandsIn,
)
from ratsraum_meeting.timeutil import utc

router = APIRouter(prefix="/api/v1", tags=["polls"])
Chair = Annotated[Principal, Depends(require_roles("chair", "vice_chair"))]


@router.post("/meetings/{meeting_id}/agenda-items/{item_id}/elections",
             status_code=status.HTTP_201_CREATED)
async def open_election(meeting_id: str, item_id: str, body: ElectionCreate,
                        principal: Runner, db: DB, voting: Voting) -> PollOut:
    """Open an election of persons among the clerk's candidates (runoff and lot follow)."""
    if len({c.id for c in body.candidates}) != len(body.candidates):
        raise Problem(422, "candidates-required", m.CANDIDATES_REQUIRED)
    poll = await service.open_poll(
        db=db, voting=voting, tenant=principal.tenant, meeting_id=meeting_id, item_id=item_id,
        method="election", majority_rule="simple", title=body.title, opened_by=principal.subject,
        candidates=[(c.id, c.name) for c in body.candidates],
    )
    # The election takes the members' screens as any vote does.
    live.notify(tenant=principal.tenant, meeting_id=meeting_id, kind="poll",
                data=live_poll(poll))
    return PollOut.of(poll, remote_excluded=await law_gate.exclusion_of(
        db=db, tenant=principal.tenant, poll_id=poll.id))


@router.post("/polls/{poll_id}/cancel")
async def cancel_poll(poll_id: str, body: CancelIn, principal: Chair, db: DB,
                      voting: Voting) -> PollOut:
    """The chair withdraws an open vote; the reason is logged and shown."""
    return PollOut.of(await lifecycle.cancel_poll(db=db, voting=voting, tenant=principal.tenant,
                                            poll_id=poll_id, reason=body.reason,
                                            by=principal.subject))


@router.post("/polls/{poll_id}/show-of-hands")
async def record_show_of_hands(poll_id: str, body: ShowOfHandsIn, principal: Runner, db: DB,
                               voting: Voting) -> PollOut:
    """The clerk records counts from a show of hands; the result is marked as such."""
    return PollOut.of(await lifecycle.record_show_of_hands(
        db=db, voting=voting, tenant=principal.tenant, poll_id=poll_id, counts=body.counts,
        by=principal.subject))


@router.post("/polls/{poll_id}/rerun", status_code=status.HTTP_201_CREATED)
async def rerun_poll(poll_id: str, body: CancelIn, principal: Chair, db: DB,
                     voting: Voting) -> PollOut:
    """Re-run a disrupted vote; the old one becomes void with the reason."""
    poll = await lifecycle.rerun_poll(db=db, voting=voting, tenant=principal.tenant,
                                      poll_id=poll_id, reason=body.reason, by=principal.subject)
    return PollOut.of(poll, remote_excluded=await law_gate.exclusion_of(
        db=db, tenant=principal.tenant, poll_id=poll.id))


@router.post("/polls/{poll_id}/runoff", status_code=status.HTTP_201_CREATED)
async def open_runoff(poll_id: str, principal: Runner, db: DB, voting: Voting) -> PollOut:
    """Open the runoff of an election round that ended without absolute majority."""
    poll = await lifecycle.open_runoff(db=db, voting=voting, tenant=principal.tenant,
                                       poll_id=poll_id, by=principal.subject)
    return PollOut.of(poll, remote_excluded=await law_gate.exclusion_of(
        db=db, tenant=principal.tenant, poll_id=poll.id))


@router.post("/polls/{poll_id}/lot")
async def draw_lot(poll_id: str, principal: Chair, db: DB, voting: Voting) -> PollOut:
    """Draw the lot of a tied election; the result shows the commitment and the seed."""
    return PollOut.of(await lifecycle.draw_lot(db=db, voting=voting, tenant=principal.tenant,
                                         poll_id=poll_id, by=principal.subject))


@router.get("/polls/{poll_id}/log")
async def poll_log(poll_id: str, principal: Reader, db: DB) -> list[PollLogOut]:
    """Every logged step of the poll (cancel, show of hands, re-run, runoff, lot)."""
    async with db.tenant_session(principal.tenant) as session:
        entries = await lifecycle.poll_log(session, poll_id=poll_id)
    return [PollLogOut(kind=e.kind, reason=e.reason, data=e.data, by=e.by, at=utc(e.at))
            for e in entries]
