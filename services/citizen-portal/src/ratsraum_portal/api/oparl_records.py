"""OParl 1.1 lists and objects of a town's public records (all types but System, Body, Meeting).

Every list pages by `links.next` and takes the four change filters; deleted objects stay in
the lists as stubs, so a client syncing with `modified_since` learns what went away.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fastapi import APIRouter, Request
from sqlalchemy.ext.asyncio import AsyncSession

from ratsraum_common.i18n import Msg
from ratsraum_portal.api.common import NotFound, load_tenant
from ratsraum_portal.api.oparl_objects import KIND_OF_PATH, REVERSE, Related, Urls, render
from ratsraum_portal.api.oparl_paging import NO_SUCH_ADDRESS, ListQuery, list_page
from ratsraum_portal.context import Ctx
from ratsraum_portal.records.models import PublicRecord
from ratsraum_portal.records.service import get_record, is_record_id, page_records, referring

router = APIRouter(prefix="/oparl/v1", tags=["OParl 1.1"])
NO_SUCH_OBJECT = Msg("Dieses Objekt gibt es nicht, oder es ist nicht öffentlich.",
                     "This object does not exist or is not public.")


async def related(session: AsyncSession, kind: str, ids: Sequence[str],
                  into: Related | None = None) -> Related:
    """What refers to these objects (and, for embedded agenda items, what refers to those)."""
    rel = into or Related()
    for referrer, target in REVERSE.get(kind, ()):
        found = await referring(session=session, kind=referrer, ref_kind=target, ref_ids=ids)
        rel.found.setdefault((referrer, target), {}).update(found)
        if referrer == "agenda_item":
            items = [r.id for rows in found.values() for r, _ in rows]
            await related(session, "agenda_item", items, rel)
    return rel


def record_kind(path: str) -> str:
    """The record kind served under a list path, or NotFound."""
    kind = KIND_OF_PATH.get(path)
    if kind is None or kind == "meeting":
        raise NotFound(NO_SUCH_ADDRESS)
    return kind


@router.get("/{tenant}/{kind_path}")
async def oparl_record_list(tenant: str, kind_path: str, request: Request,
                            ctx: Ctx) -> dict[str, Any]:
    """A town's objects of one type as a paginated OParl list (deleted ones as stubs)."""
    town = await load_tenant(ctx, tenant)
    query = ListQuery(request)
    kind = record_kind(kind_path)
    urls = Urls(ctx.settings.public_base_url, town.id)
    async with ctx.db.tenant_session(town.id) as session:
        rows = await page_records(session=session, kind=kind, window=query.window,
                                  offset=query.offset, limit=query.limit + 1)
        rel = await related(session, kind, [r.id for r in rows[: query.limit] if not r.deleted])
    return list_page(query, urls.list(kind), rows, lambda r: render(urls, r, rel))


async def record_object(ctx: Ctx, tenant: str, kind: str, record_id: str) -> dict[str, Any]:
    """One object of a town (a stub if deleted), or NotFound."""
    town = await load_tenant(ctx, tenant)
    if not is_record_id(record_id):
        raise NotFound(NO_SUCH_OBJECT)
    async with ctx.db.tenant_session(town.id) as session:
        row: PublicRecord | None = await get_record(session=session, kind=kind,
                                                    record_id=record_id)
        if row is None:
            raise NotFound(NO_SUCH_OBJECT)
        rel = await related(session, kind, [] if row.deleted else [row.id])
    return render(Urls(ctx.settings.public_base_url, town.id), row, rel)


@router.get("/{tenant}/{kind_path}/{record_id}")
async def oparl_record(tenant: str, kind_path: str, record_id: str,
                       ctx: Ctx) -> dict[str, Any]:
    """One OParl object of a town (Organization, Person, Paper, File, ...)."""
    return await record_object(ctx, tenant, record_kind(kind_path), record_id)
