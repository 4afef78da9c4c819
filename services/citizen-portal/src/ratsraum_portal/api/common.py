"""Lookups and answers the page, API and live handlers share."""

from __future__ import annotations

from fastapi import Request

from ratsraum_common.i18n import Msg
from ratsraum_common.problems import Problem
from ratsraum_portal.context import PortalContext
from ratsraum_portal.meetings.models import PublicMeetingView, PublicTenant
from ratsraum_portal.meetings.service import get_meeting, get_tenant, is_meeting_id, is_tenant_id

TENANT_NOT_FOUND = Msg(
    "Für diese Kommune gibt es im Bürgerportal keine öffentlichen Sitzungen.",
    "This town has no public meetings in the citizen portal.",
)
MEETING_NOT_FOUND = Msg(
    "Diese Sitzung gibt es nicht, oder sie ist nicht öffentlich.",
    "This meeting does not exist or is not public.",
)

MINUTES_NOT_FOUND = Msg(
    "Für diese Sitzung ist noch keine unterzeichnete Niederschrift veröffentlicht.",
    "No signed minutes have been published for this meeting yet.",
)


class NotFound(Problem):
    """A town or meeting the portal does not know; pages answer it in HTML for browsers."""

    def __init__(self, detail: Msg) -> None:
        super().__init__(404, "not-found", detail)


def wants_html(request: Request) -> bool:
    """True for browsers (they ask for text/html), false for API clients."""
    return "text/html" in request.headers.get("accept", "")


async def load_tenant(ctx: PortalContext, tenant: str) -> PublicTenant:
    """The town, or NotFound (also for malformed slugs)."""
    if not is_tenant_id(tenant):
        raise NotFound(TENANT_NOT_FOUND)
    async with ctx.db.tenant_session(tenant) as session:
        town = await get_tenant(session=session, tenant=tenant)
    if town is None:
        raise NotFound(TENANT_NOT_FOUND)
    return town


async def _read_meeting(
    ctx: PortalContext, tenant: str, meeting_id: str
) -> PublicMeetingView | None:
    async with ctx.db.tenant_session(tenant) as session:
        return await get_meeting(session=session, meeting_id=meeting_id)


async def load_meeting(ctx: PortalContext, tenant: str, meeting_id: str) -> PublicMeetingView:
    """The meeting from the read model, else NotFound.

    Meeting is never asked here: the read model is filled by the startup backfill and kept by
    events, so a made-up id costs one indexed lookup and nothing at meeting.
    """
    if not is_tenant_id(tenant):
        raise NotFound(TENANT_NOT_FOUND)
    if not is_meeting_id(meeting_id):
        raise NotFound(MEETING_NOT_FOUND)
    row = await _read_meeting(ctx, tenant, meeting_id)
    if row is None:
        raise NotFound(MEETING_NOT_FOUND)
    return row
