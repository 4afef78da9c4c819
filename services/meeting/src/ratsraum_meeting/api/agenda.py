"""Agenda during the session: order, status, the current item, urgent items (clerk, chair)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, status
from sqlalchemy.ext.asyncio import AsyncSession

from ratsraum_common.auth import Principal
from ratsraum_meeting import live
from ratsraum_meeting.agenda import service
from ratsraum_meeting.agenda.schemas import (
    AgendaOut,
    AgendaRowOut,
    CurrentOut,
    MoveIn,
    StatusIn,
    UrgentItemIn,
)
from ratsraum_meeting.api.deps import DB, Reader, Runner, require_roles
from ratsraum_meeting.citizen_links import removal
from ratsraum_meeting.meetings.models import AgendaItem
from ratsraum_meeting.timeutil import utc

router = APIRouter(prefix="/api/v1/meetings/{meeting_id}", tags=["agenda"])
Clerk = Annotated[Principal, Depends(require_roles("clerk"))]


def _out(v: service.AgendaView) -> AgendaOut:
    current = v.current
    by_id = {i.id: i for i in v.items}
    return AgendaOut(
        meeting_id=v.meeting.id,
        current=CurrentOut(agenda_item_id=current.agenda_item_id,
                           number=by_id[current.agenda_item_id].number,
                           called_at=utc(current.called_at), called_by=current.called_by)
        if current is not None and current.agenda_item_id in by_id else None,
        items=[AgendaRowOut(id=i.id, number=i.number, position=i.position, title=i.title,
                            public=i.public, votable=i.votable, status=i.status,
                            current=current is not None and current.agenda_item_id == i.id)
               for i in v.items],
    )


async def _agenda(session: AsyncSession, *, meeting_id: str) -> AgendaOut:
    return _out(await service.view(session, meeting_id=meeting_id))


def _notify(tenant: str, meeting_id: str, item: AgendaItem | None = None, **data: str) -> None:
    extra = {"agenda_item_id": item.id, "status": item.status} if item is not None else {}
    live.notify(tenant=tenant, meeting_id=meeting_id, kind="agenda", data={**extra, **data})


@router.get("/agenda")
async def get_agenda(meeting_id: str, principal: Reader, db: DB) -> AgendaOut:
    """The agenda in its current order with each item's status and the current item."""
    async with db.tenant_session(principal.tenant) as session:
        return await _agenda(session, meeting_id=meeting_id)


@router.post("/agenda-items/{item_id}/move")
async def move_item(
    meeting_id: str, item_id: str, move: MoveIn, principal: Runner, db: DB
) -> AgendaOut:
    """Move an item to another position; the others close up, public items stay first."""
    async with db.transaction(principal.tenant) as session:
        await service.move(session, meeting_id=meeting_id, item_id=item_id,
                           position=move.position, by=principal.subject)
    _notify(principal.tenant, meeting_id, change="moved", agenda_item_id=item_id)
    async with db.tenant_session(principal.tenant) as session:
        return await _agenda(session, meeting_id=meeting_id)


@router.post("/agenda-items/{item_id}/status")
async def set_item_status(
    meeting_id: str, item_id: str, change: StatusIn, principal: Runner, db: DB,
    request: Request,
) -> AgendaOut:
    """Call (makes it current), defer or decide an item; a deferred item may be called again.

    Calling a closed item puts citizens' guests out of the provider's room, after the call is
    committed and without waiting for the provider (the clerk's list shows the outcome).
    """
    async with db.transaction(principal.tenant) as session:
        item = await service.set_status(session, meeting_id=meeting_id, item_id=item_id,
                                        target=change.status, by=principal.subject,
                                        reason=change.reason)
    _notify(principal.tenant, meeting_id, item, change=change.status)
    if change.status == "called" and not item.public:
        removal.start(db, tenant=principal.tenant, meeting_id=item.meeting_id,
                      settings=request.app.state.settings)
    async with db.tenant_session(principal.tenant) as session:
        return await _agenda(session, meeting_id=meeting_id)


@router.post("/agenda-items", status_code=status.HTTP_201_CREATED)
async def add_urgent_item(
    meeting_id: str, urgent: UrgentItemIn, principal: Clerk, db: DB
) -> AgendaRowOut:
    """Add an item by urgency (Dringlichkeit) during the meeting, with the reason."""
    async with db.transaction(principal.tenant) as session:
        item = await service.add_urgent(
            session, meeting_id=meeting_id, title=urgent.title, public=urgent.public,
            votable=urgent.votable, reason=urgent.reason, number=urgent.number,
            by=principal.subject)
    _notify(principal.tenant, meeting_id, item, change="added")
    return AgendaRowOut(id=item.id, number=item.number, position=item.position,
                        title=item.title, public=item.public, votable=item.votable,
                        status="pending", current=False)
