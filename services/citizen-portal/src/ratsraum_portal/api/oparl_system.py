"""OParl 1.1 entry points: the System, one Body per town, and the lists a Body links to.

The portal only knows what meeting publishes: towns, their public meetings and their public
records (api/oparl_records.py serves those lists and objects).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request

from ratsraum_portal.api.common import NotFound, load_tenant
from ratsraum_portal.api.oparl import (
    SCHEMA,
    meeting_object,
    meeting_related,
    participant_ids,
    public_persons,
)
from ratsraum_portal.api.oparl_objects import Urls, render
from ratsraum_portal.api.oparl_paging import ListQuery, list_page
from ratsraum_portal.api.oparl_records import NO_SUCH_OBJECT
from ratsraum_portal.context import Ctx
from ratsraum_portal.meetings.models import PublicTenant
from ratsraum_portal.meetings.windows import page_meetings, page_tenants
from ratsraum_portal.minutes.service import minutes_by_meeting
from ratsraum_portal.records.models import PublicRecord
from ratsraum_portal.records.service import get_record, is_record_id, live_records

router = APIRouter(prefix="/oparl/v1", tags=["OParl 1.1"])


def _iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).isoformat()


def _present(values: dict[str, Any]) -> dict[str, Any]:
    # OParl: leave out what is unknown instead of sending null or "".
    return {k: v for k, v in values.items() if v not in (None, "")}


def body_object(base: str, town: PublicTenant, terms: list[PublicRecord]) -> dict[str, Any]:
    """A town as an oparl:Body, with its legislative terms embedded."""
    urls = Urls(base, town.id)
    return _present({
        "id": urls.body, "type": f"{SCHEMA}Body",
        "system": f"{base}/oparl/v1/system", "name": town.name, "shortName": town.name,
        "organization": urls.list("organization"), "person": urls.list("person"),
        "meeting": urls.list("meeting"), "paper": urls.list("paper"),
        # Required even when empty: the schema lists it among a Body's musts.
        "legislativeTerm": [render(urls, t) for t in terms],
        "agendaItem": urls.list("agenda_item"), "consultation": urls.list("consultation"),
        "file": urls.list("file"), "locationList": urls.list("location"),
        "legislativeTermList": urls.list("legislative_term"),
        "membership": urls.list("membership"),
        "web": f"{base}/{town.id}", "created": _iso(town.created_at),
        "modified": _iso(town.modified_at),
    })


async def _body(ctx: Ctx, town: PublicTenant) -> dict[str, Any]:
    async with ctx.db.tenant_session(town.id) as session:
        terms = await live_records(session=session, kind="legislative_term")
    return body_object(ctx.settings.public_base_url, town, terms)


@router.get("/system")
async def oparl_system(ctx: Ctx) -> dict[str, Any]:
    """The oparl:System: where a client starts."""
    base = ctx.settings.public_base_url
    return {
        "id": f"{base}/oparl/v1/system", "type": f"{SCHEMA}System",
        "oparlVersion": SCHEMA, "body": f"{base}/oparl/v1/bodies",
        "name": "Ratsraum Bürgerportal", "web": f"{base}/",
    }


@router.get("/bodies")
async def oparl_bodies(request: Request, ctx: Ctx) -> dict[str, Any]:
    """Every town with public meetings, as a paginated list of oparl:Body."""
    base = ctx.settings.public_base_url
    query = ListQuery(request)
    async with ctx.db.system_session() as session:
        towns = await page_tenants(session=session, window=query.window, offset=query.offset,
                                   limit=query.limit + 1)
    bodies = {t.id: await _body(ctx, t) for t in towns[: query.limit]}
    return list_page(query, f"{base}/oparl/v1/bodies", towns, lambda t: bodies[t.id])


@router.get("/bodies/{tenant}")
async def oparl_body(tenant: str, ctx: Ctx) -> dict[str, Any]:
    """One town as an oparl:Body."""
    return await _body(ctx, await load_tenant(ctx, tenant))


async def _meeting_list(ctx: Ctx, request: Request, town: PublicTenant,
                        body_id: str | None) -> dict[str, Any]:
    base = ctx.settings.public_base_url
    urls = Urls(base, town.id)
    query = ListQuery(request)
    async with ctx.db.tenant_session(town.id) as session:
        if body_id is not None and (not is_record_id(body_id) or await get_record(
                session=session, kind="organization", record_id=body_id) is None):
            raise NotFound(NO_SUCH_OBJECT)
        rows = await page_meetings(session=session, window=query.window, offset=query.offset,
                                   limit=query.limit + 1, body_id=body_id)
        shown = [r.id for r in rows[: query.limit]]
        minutes = await minutes_by_meeting(session=session, meeting_ids=shown)
        rel = await meeting_related(session, shown)
        persons = await public_persons(
            session, [p for m in minutes.values() for p in participant_ids(m)])
    url = urls.list("meeting") if body_id is None else urls.meetings_of(body_id)
    return list_page(query, url, rows,
                     lambda r: meeting_object(base, r, minutes.get(r.id), rel, persons))


@router.get("/{tenant}/meetings")
async def oparl_meetings(tenant: str, request: Request, ctx: Ctx) -> dict[str, Any]:
    """A town's public meetings as a paginated list of oparl:Meeting."""
    return await _meeting_list(ctx, request, await load_tenant(ctx, tenant), None)


@router.get("/{tenant}/organizations/{organization_id}/meetings")
async def oparl_organization_meetings(tenant: str, organization_id: str, request: Request,
                                      ctx: Ctx) -> dict[str, Any]:
    """The public meetings of one organization (a body), as a paginated list (OParl
    Organization.meeting); an organization that was deleted keeps its, possibly empty, list."""
    return await _meeting_list(ctx, request, await load_tenant(ctx, tenant), organization_id)
