"""Live push to members' and clerks' screens over Server-Sent Events, with one-time tickets."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel
from sse_starlette import EventSourceResponse
from starlette.background import BackgroundTask

from ratsraum_common.auth import AccessEnded, Principal, current_principal
from ratsraum_common.db import Database
from ratsraum_common.i18n import Msg
from ratsraum_common.problems import Problem
from ratsraum_common.stream_limits import StreamLease, StreamLimits
from ratsraum_meeting import access, live, live_tickets
from ratsraum_meeting.api.deps import DB, Reader, body_cache, scoped_for
from ratsraum_meeting.meetings import service as meetings
from ratsraum_meeting.publish.live_state import live_state

router = APIRouter(prefix="/api/v1/meetings", tags=["live"])

PING_SECONDS = 15.0
STAFF = ("clerk", "chair", "vice_chair")
# Who waits in the lobby, and whose device check found what: for clerk and chair only.
STAFF_KINDS = frozenset({"lobby", "device_check"})

_BAD_TICKET = Msg(
    "Das Live-Ticket ist ungültig, abgelaufen oder wurde schon benutzt; bitte ein neues holen.",
    "The live ticket is invalid, expired or already used; please get a new one.",
)
_TOO_MANY = Msg(
    "Gerade sind zu viele Live-Verbindungen offen; bitte versuchen Sie es gleich noch einmal.",
    "Too many live connections are open right now; please try again shortly.",
)
_FORBIDDEN = Msg(
    "Die Live-Ansicht dieser Sitzung ist für die Mitglieder und die Sitzungsleitung ihres "
    "Gremiums.",
    "The live view of this meeting is for the members and staff of its body.",
)


class TicketOut(BaseModel):
    """A one-time ticket for `GET .../live?ticket=`."""

    ticket: str
    expires_in: int


@router.post("/{meeting_id}/live-ticket")
async def live_ticket(meeting_id: str, principal: Reader, db: DB) -> TicketOut:
    """A one-time ticket (60 s, any replica redeems it) for clients that cannot send headers."""
    async with db.tenant_session(principal.tenant) as session:
        await meetings.get_meeting(session, meeting_id=meeting_id)
    ticket = await live_tickets.issue(db, principal=principal, meeting_id=meeting_id)
    return TicketOut(ticket=ticket, expires_in=int(live_tickets.TICKET_SECONDS))


def _event(kind: str, data: dict[str, Any]) -> dict[str, str]:
    return {"event": kind, "data": json.dumps(data, ensure_ascii=False, separators=(",", ":"),
                                              default=str)}


Allowed = Callable[[], Awaitable[bool]]


def still_allowed(request: Request, principal: Principal) -> Allowed:
    """Whether the stream's holder may still see it (not deactivated, town not suspended)."""
    revocations = request.app.state.revocations
    # A ticket's holder counts as signed in when the stream opened.
    holder = dataclasses.replace(principal, claims={
        **principal.claims, "iat": principal.claims.get("iat", int(time.time()))})

    async def allowed() -> bool:
        try:
            await revocations.check(holder)
        except AccessEnded:
            return False
        return True

    return allowed


async def _stream(hub: live.LiveHub, db: Database, *, tenant: str, meeting_id: str,
                  staff: bool, lease: StreamLease,
                  allowed: Allowed) -> AsyncIterator[dict[str, str]]:
    try:
        async with hub.subscribe(tenant, meeting_id) as queue:
            # Subscribed first, then the state: no change can fall in between.
            async with db.tenant_session(tenant) as session:
                meeting, body = await meetings.get_meeting(session, meeting_id=meeting_id)
                first = await live_state(session, meeting=meeting, body=body, staff=staff)
            yield _event("state", first)
            while True:
                try:
                    async with asyncio.timeout(PING_SECONDS):
                        update: live.LiveUpdate | None = await queue.get()
                except TimeoutError:
                    update = None
                if not await allowed():
                    return  # access ended meanwhile: the stream ends, reconnecting fails
                if update is None:
                    continue
                if update.kind in STAFF_KINDS and not staff:
                    continue
                yield _event(update.kind, update.data)
    finally:
        lease.release()


@router.get("/{meeting_id}/live")
async def live_stream(
    meeting_id: str, request: Request, db: DB, ticket: str | None = None
) -> EventSourceResponse:
    """SSE: event `state` first, then one event per change; pings keep the stream open."""
    if ticket is not None:
        # A ticket holds the roles its holder had in this meeting's body when it was issued.
        try:
            principal = await live_tickets.redeem(db, ticket, meeting_id=meeting_id)
        except live_tickets.InvalidTicket:
            raise Problem(401, "invalid-live-ticket", _BAD_TICKET) from None
    else:
        principal, _scope = await scoped_for(db, body_cache(request.app.state),
                                            await current_principal(request),
                                            {"meeting_id": meeting_id})
    if not principal.roles & access.BODY_READERS:
        raise Problem(403, "forbidden", _FORBIDDEN)
    hub: live.LiveHub = request.app.state.live_hub
    if hub.streams >= hub.max_streams:
        raise Problem(503, "too-many-streams", _TOO_MANY, headers={"Retry-After": "10"})
    staff = principal.has_any(*STAFF)
    async with db.tenant_session(principal.tenant) as session:
        meeting, _body = await meetings.get_meeting(session, meeting_id=meeting_id)
    limits: StreamLimits = request.app.state.live_limits
    # Per member (the clerk's console too) and per town, so no one holds a replica's streams.
    lease = limits.acquire(tenant=principal.tenant, user=principal.subject)
    return EventSourceResponse(
        _stream(hub, db, tenant=principal.tenant, meeting_id=meeting.id, staff=staff,
                lease=lease, allowed=still_allowed(request, principal)),
        ping=PING_SECONDS, headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
        background=BackgroundTask(lease.release),
    )
