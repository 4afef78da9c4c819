"""OParl 1.1 entry points: the System, one Body per town, and the lists a Body links to.

The portal only knows what meeting publishes: towns and their public meetings. The lists of
organizations, persons and papers exist because a Body must link them; they are empty pages
until the read model carries such objects.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request

from ratsraum_portal.api.common import NotFound, load_tenant
from ratsraum_portal.api.oparl import SCHEMA, meeting_object
from ratsraum_portal.api.oparl_paging import NO_SUCH_ADDRESS, ListQuery, list_page
from ratsraum_portal.context import Ctx
from ratsraum_portal.meetings.models import PublicTenant
from ratsraum_portal.meetings.windows import page_meetings, page_tenants
from ratsraum_portal.minutes.service import minutes_by_meeting

router = APIRouter(prefix="/oparl/v1", tags=["OParl 1.1"])
EMPTY_LISTS = ("organizations", "persons", "papers")


def _iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).isoformat()


def _present(values: dict[str, Any]) -> dict[str, Any]:
    # OParl: leave out what is unknown instead of sending null or "".
    return {k: v for k, v in values.items() if v not in (None, "")}


def body_object(base: str, town: PublicTenant) -> dict[str, Any]:
    """A town as an oparl:Body."""
    own = f"{base}/oparl/v1/{town.id}"
    return _present({
        "id": f"{base}/oparl/v1/bodies/{town.id}", "type": f"{SCHEMA}Body",
        "system": f"{base}/oparl/v1/system", "name": town.name, "shortName": town.name,
        "organization": f"{own}/organizations", "person": f"{own}/persons",
        "meeting": f"{own}/meetings", "paper": f"{own}/papers",
        # Required by the schema; the read model knows no legislative terms yet.
        "legislativeTerm": [],
        "web": f"{base}/{town.id}", "created": _iso(town.created_at),
        "modified": _iso(town.modified_at),
    })


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
    return list_page(query, f"{base}/oparl/v1/bodies", towns, lambda t: body_object(base, t))


@router.get("/bodies/{tenant}")
async def oparl_body(tenant: str, ctx: Ctx) -> dict[str, Any]:
    """One town as an oparl:Body."""
    return body_object(ctx.settings.public_base_url, await load_tenant(ctx, tenant))


@router.get("/{tenant}/meetings")
async def oparl_meetings(tenant: str, request: Request, ctx: Ctx) -> dict[str, Any]:
    """A town's public meetings as a paginated list of oparl:Meeting."""
    base = ctx.settings.public_base_url
    town = await load_tenant(ctx, tenant)
    query = ListQuery(request)
    async with ctx.db.tenant_session(town.id) as session:
        rows = await page_meetings(session=session, window=query.window, offset=query.offset,
                                   limit=query.limit + 1)
        minutes = await minutes_by_meeting(session=session,
                                           meeting_ids=[r.id for r in rows[: query.limit]])
    return list_page(query, f"{base}/oparl/v1/{town.id}/meetings", rows,
                     lambda r: meeting_object(base, r, minutes.get(r.id)))


@router.get("/{tenant}/{kind}")
async def oparl_empty_list(tenant: str, kind: str, request: Request, ctx: Ctx) -> dict[str, Any]:
    """Organizations, persons and papers: empty pages, the read model has none of them yet."""
    town = await load_tenant(ctx, tenant)
    query = ListQuery(request)
    if kind not in EMPTY_LISTS:
        raise NotFound(NO_SUCH_ADDRESS)
    url = f"{ctx.settings.public_base_url}/oparl/v1/{town.id}/{kind}"
    return list_page(query, url, [], lambda row: row)
