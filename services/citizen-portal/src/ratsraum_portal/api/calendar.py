"""Calendar feeds per town and per council body, for subscription (webcal) or download."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from ratsraum_common.i18n import Msg
from ratsraum_portal.api.common import NotFound, load_tenant
from ratsraum_portal.calendar.feed import body_slug, build_feed
from ratsraum_portal.context import Ctx
from ratsraum_portal.meetings.service import list_meetings

router = APIRouter(prefix="/kalender", tags=["calendar"])
MEDIA_TYPE = "text/calendar; charset=utf-8"
# Feeds carry the town's whole public calendar; this bounds one answer.
FEED_LIMIT = 1000
FEED_NOT_FOUND = Msg(
    "Diesen Kalender gibt es nicht. Kalender heißen <kommune>.ics oder <kommune>/<gremium>.ics.",
    "There is no such calendar. Calendars are named <town>.ics or <town>/<body>.ics.",
)
BODY_NOT_FOUND = Msg(
    "Dieses Gremium hat keine öffentlichen Sitzungen im Bürgerportal.",
    "This body has no public meetings in the citizen portal.",
)


def _ics(content: bytes, filename: str) -> Response:
    return Response(content, media_type=MEDIA_TYPE, headers={
        "Content-Disposition": f'inline; filename="{filename}"',
        "Cache-Control": "public, max-age=300",
    })


def _feed_name(name: str) -> str:
    if not name.endswith(".ics"):
        raise NotFound(FEED_NOT_FOUND)
    return name.removesuffix(".ics")


@router.get("/{feed}")
async def town_feed(feed: str, ctx: Ctx) -> Response:
    """All public meetings of a town."""
    town = await load_tenant(ctx, _feed_name(feed))
    async with ctx.db.tenant_session(town.id) as session:
        rows = await list_meetings(session=session, limit=FEED_LIMIT)
    content = build_feed(name=f"Sitzungen – {town.name}", rows=rows,
                         base_url=ctx.settings.public_base_url)
    return _ics(content, f"{town.id}.ics")


@router.get("/{tenant}/{feed}")
async def body_feed(tenant: str, feed: str, ctx: Ctx) -> Response:
    """The public meetings of one council body of a town."""
    town = await load_tenant(ctx, tenant)
    slug = _feed_name(feed)
    async with ctx.db.tenant_session(town.id) as session:
        rows = [r for r in await list_meetings(session=session, limit=FEED_LIMIT)
                if body_slug(r.body_name) == slug]
    if not rows:
        raise NotFound(BODY_NOT_FOUND)
    content = build_feed(name=f"Sitzungen – {rows[0].body_name} ({town.name})", rows=rows,
                         base_url=ctx.settings.public_base_url)
    return _ics(content, f"{town.id}-{slug}.ics")
