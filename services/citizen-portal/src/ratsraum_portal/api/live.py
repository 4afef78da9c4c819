"""Server-Sent Events: a meeting's snapshot now, then every update as it happens."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager

from fastapi import APIRouter, Request
from sse_starlette import EventSourceResponse
from starlette.background import BackgroundTask

from ratsraum_common.i18n import Msg
from ratsraum_common.problems import Problem
from ratsraum_common.stream_limits import StreamLease
from ratsraum_portal.api.common import load_meeting
from ratsraum_portal.context import Ctx
from ratsraum_portal.live.broadcaster import Broadcaster, Snapshot

router = APIRouter(include_in_schema=False)

TOO_MANY_STREAMS = Msg(
    "Gerade verfolgen sehr viele Menschen Sitzungen live. Die Seite funktioniert auch ohne "
    "Live-Aktualisierung; bitte laden Sie sie später neu.",
    "Too many live viewers right now. The page works without live updates; reload it later.",
)


async def _stream(
    broadcaster: Broadcaster, *, tenant: str, meeting_id: str, stored: Snapshot,
    lease: StreamLease,
) -> AsyncIterator[bytes]:
    with lease_held(lease), broadcaster.subscribe(tenant=tenant,
                                                  meeting_id=meeting_id) as subscription:
        # Subscribed first, then the newest known state: no update can fall in between.
        pushed = broadcaster.latest(tenant=tenant, meeting_id=meeting_id)
        current = pushed if pushed is not None and pushed.version > stored.version else stored
        yield current.frame
        sent = current.version
        while True:
            snapshot = await subscription.next()
            if snapshot is None:
                return
            if snapshot.version <= sent:
                continue
            sent = snapshot.version
            yield snapshot.frame


@contextmanager
def lease_held(lease: StreamLease) -> Iterator[None]:
    """Give the stream's place back however the stream ends."""
    try:
        yield
    finally:
        lease.release()


@router.get("/{tenant}/sitzungen/{meeting_id}/live")
async def live_stream(
    tenant: str, meeting_id: str, ctx: Ctx, request: Request
) -> EventSourceResponse:
    """SSE: event `meeting` with the snapshot JSON, then one per update; pings keep it open."""
    if ctx.broadcaster.clients >= ctx.settings.max_sse_streams:
        raise Problem(503, "too-many-streams", TOO_MANY_STREAMS, headers={"Retry-After": "30"})
    row = await load_meeting(ctx, tenant, meeting_id)
    stored = Snapshot(version=row.version, data=row.snapshot)
    # One town, and one client address, get a share of the streams, never all of them.
    client = request.client.host if request.client else "unknown"
    lease = ctx.stream_limits.acquire(tenant=row.tenant_id, user=client)
    return EventSourceResponse(
        _stream(ctx.broadcaster, tenant=row.tenant_id, meeting_id=row.id, stored=stored,
                lease=lease),
        ping=ctx.settings.sse_ping_seconds,
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
        background=BackgroundTask(lease.release),
    )
