"""One import run: System → Body → its lists, page by page, each page in one transaction."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession

from ratsraum_common.db import Database
from ratsraum_common.logging import get_logger
from ratsraum_common.outbound import OutboundPolicy
from ratsraum_meeting.changes import public_view_changed
from ratsraum_meeting.meetings.models import Meeting
from ratsraum_meeting.oparl import docs, orgs, parse
from ratsraum_meeting.oparl.client import DEFAULT_MAX_BYTES, FetchError, OParlClient
from ratsraum_meeting.oparl.models import OParlImport, OParlSource
from ratsraum_meeting.oparl.report import ImportReport
from ratsraum_meeting.oparl.store import Context
from ratsraum_meeting.timeutil import now, utc

log = get_logger(__name__)

Saver = Callable[[AsyncSession, Context, dict[str, Any]], Awaitable[None]]
# The order matters: meetings need their bodies, memberships their people, papers the agenda
# items that consult them.
LISTS: tuple[tuple[str, str, Saver], ...] = (
    ("Organization", "organization", orgs.save_organization),
    ("Person", "person", orgs.save_person),
    ("Membership", "membership", orgs.save_membership),
    ("Meeting", "meeting", docs.save_meeting),
    ("Paper", "paper", docs.save_paper),
)
# Clocks of the source and ours differ; asking for a little more than needed costs nothing,
# because importing an unchanged object changes nothing.
CLOCK_SLACK = timedelta(minutes=5)


class SourceError(Exception):
    """The source cannot be imported at all (unreachable, not OParl, ambiguous body)."""


async def run_import(
    db: Database, *, tenant: str, system_url: str, body_url: str | None, started_by: str,
    timeout_seconds: float, policy: OutboundPolicy | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> OParlImport:
    """Import from an OParl system into the town and store the report of the run."""
    started = now()
    async with db.transaction(tenant) as session:
        source = (await session.scalars(
            select(OParlSource).where(OParlSource.system_url == system_url))).first()
        if source is None:
            source = OParlSource(id=str(uuid.uuid4()), system_url=system_url)
            session.add(source)
        source.body_url = body_url or source.body_url
        since = utc(source.last_synced_at) - CLOCK_SLACK if source.last_synced_at else None
        source_id, chosen = source.id, source.body_url
    report = ImportReport()
    ctx = Context(tenant=tenant, report=report)
    try:
        async with asyncio.timeout(timeout_seconds), httpx.AsyncClient(
            timeout=httpx.Timeout(15.0, connect=5.0), follow_redirects=False,
            headers={"Accept": "application/json"},
        ) as http:
            client = OParlClient(http, report, policy=policy, max_bytes=max_bytes)
            await _import(db, ctx, client, system_url=system_url,
                          body_url=chosen, since=since)
    except TimeoutError:
        report.fail(system_url, f"Zeitüberschreitung: Import nach {timeout_seconds:.0f} s "
                                "abgebrochen; bereits Übernommenes bleibt erhalten.")
    except (SourceError, FetchError) as exc:
        report.fail(system_url, str(exc))
    return await _finish(db, tenant=tenant, source_id=source_id, started=started, since=since,
                         report=report, started_by=started_by)


async def _finish(
    db: Database, *, tenant: str, source_id: str, started: datetime, since: datetime | None,
    report: ImportReport, started_by: str,
) -> OParlImport:
    """Store the run; a complete run becomes the starting point of the next one."""
    counted = sum(sum(c.values()) for c in report.counts.values())
    status = "completed" if report.complete else ("partial" if counted else "failed")
    async with db.transaction(tenant) as session:
        run = OParlImport(
            id=str(uuid.uuid4()), source_id=source_id, started_at=started, finished_at=now(),
            status=status, modified_since=since, report=report.as_dict(), started_by=started_by,
        )
        session.add(run)
        source = await session.get(OParlSource, source_id)
        if source is not None and report.complete:
            source.last_synced_at = started
    log.info("oparl.import", tenant=tenant, status=status, skipped=report.skipped_total,
             repaired=report.repaired_total)
    return run


async def _import(
    db: Database, ctx: Context, client: OParlClient, *, system_url: str,
    body_url: str | None, since: datetime | None,
) -> None:
    system = await client.get_object(system_url)
    if parse.type_name(system) != "System" or not isinstance(system.get("body"), str):
        raise SourceError(f"{system_url} ist kein OParl-System (type/body fehlt).")
    body = await _choose_body(client, system["body"], body_url)
    await _import_terms(db, ctx, client, body)
    modified_since = since.isoformat() if since else None
    for kind, key, saver in LISTS:
        url = body.get(key)
        if not isinstance(url, str) or not url:
            continue
        try:
            async for page in client.pages(url, modified_since=modified_since):
                await _save_page(db, ctx, page, kind=kind, saver=saver)
        except FetchError as exc:
            ctx.report.fail(url, str(exc))


async def _choose_body(client: OParlClient, list_url: str, body_url: str | None
                       ) -> dict[str, Any]:
    bodies = [b async for page in client.pages(list_url) for b in page if isinstance(b, dict)]
    chosen = [b for b in bodies if b.get("id") == body_url] if body_url else bodies
    if len(chosen) != 1:
        names = ", ".join(f"{b.get('name', '?')} ({b.get('id')})" for b in bodies)
        raise SourceError(
            f"Körperschaft nicht eindeutig: {len(chosen)} passend von {len(bodies)} "
            f"({names}); bitte body_url angeben." if bodies else "Das System hat keine "
            "Körperschaft (Body).")
    return chosen[0]


async def _import_terms(db: Database, ctx: Context, client: OParlClient,
                        body: dict[str, Any]) -> None:
    url = body.get("legislativeTermList")
    if isinstance(url, str) and url:
        try:
            async for page in client.pages(url):
                await _save_page(db, ctx, page, kind="LegislativeTerm", saver=orgs.save_term)
            return
        except FetchError as exc:
            ctx.report.fail(url, str(exc))
            return
    ctx.report.repair("Body", str(body.get("id", "")), "legislative-term-list-missing",
                      "legislativeTermList fehlt; die im Body eingebetteten Wahlperioden "
                      "(legislativeTerm) werden übernommen.")
    terms = parse.as_list(body, "legislativeTerm", kind="Body", report=ctx.report)
    await _save_page(db, ctx, terms, kind="LegislativeTerm", saver=orgs.save_term)


async def _save_page(db: Database, ctx: Context, page: list[Any], *, kind: str,
                     saver: Saver) -> None:
    """One page in one transaction; a broken object is skipped, not the page."""
    async with db.transaction(ctx.tenant) as session:
        for obj in page:
            if not _acceptable(ctx, obj, kind):
                continue
            try:
                async with session.begin_nested():
                    await saver(session, ctx, obj)
            except (SQLAlchemyError, ValueError, TypeError, KeyError) as exc:
                log.warning("oparl.object_failed", kind=kind, id=obj.get("id"), error=str(exc))
                ctx.report.skip(kind, str(obj.get("id")), f"Konnte nicht gespeichert werden "
                                                          f"({type(exc).__name__}).")
        for meeting_id in sorted(ctx.changed_meetings):
            meeting = await session.get(Meeting, meeting_id)
            if meeting is not None:
                public_view_changed(session, meeting_id=meeting.id)
        ctx.changed_meetings.clear()


def _acceptable(ctx: Context, obj: Any, kind: str) -> bool:
    """Whether a list entry is an object of the expected type (a missing type is tolerated)."""
    if not isinstance(obj, dict) or not isinstance(obj.get("id"), str) or not obj["id"]:
        ctx.report.skip(kind, str(obj)[:200], "Eintrag ohne id.")
        return False
    found = parse.type_name(obj)
    if found is None:
        deleted = obj.get("deleted") is True
        ctx.report.repair(kind, obj["id"], "deleted-without-type" if deleted else "type-missing",
                          ("Gelöschter Eintrag" if deleted else "Eintrag")
                          + " ohne „type“; Typ aus der Liste abgeleitet.")
        return True
    if found != kind:
        ctx.report.skip(kind, obj["id"], f"Unerwarteter Typ {found} in der Liste für {kind}.")
        return False
    return True
