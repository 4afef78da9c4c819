"""Server-rendered pages in German and English; they work without JavaScript."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from ratsraum_portal.api.common import MINUTES_NOT_FOUND, NotFound, load_meeting, load_tenant
from ratsraum_portal.api.questions import form_context
from ratsraum_portal.calendar.feed import body_slug
from ratsraum_portal.context import Ctx, templates
from ratsraum_portal.documents.view import meeting_documents
from ratsraum_portal.i18n import page_language
from ratsraum_portal.meetings.models import PublicMeetingView, PublicTenant
from ratsraum_portal.meetings.schemas import german_datetime, meeting_view
from ratsraum_portal.meetings.service import (
    Period,
    list_meetings,
    list_tenants,
    list_upcoming_by_town,
)
from ratsraum_portal.minutes.service import get_minutes
from ratsraum_portal.minutes.view import minutes_view
from ratsraum_portal.security_headers import allow_media
from ratsraum_portal.texts import live_texts

router = APIRouter(include_in_schema=False, default_response_class=HTMLResponse)

# Catalogue keys of the period names (texts in locales/).
PERIOD_LABELS = {
    Period.ALL: "town.all",
    Period.UPCOMING: "town.upcoming",
    Period.PAST: "town.past",
}


@dataclass(frozen=True, slots=True)
class MeetingRow:
    """One line of a meeting list."""

    id: str
    title: str
    body_name: str
    starts_at: str
    status: str
    status_label: str


def _rows(meetings: list[PublicMeetingView], lang: str) -> list[MeetingRow]:
    rows = []
    for meeting in meetings:
        view = meeting_view(meeting.snapshot, lang)
        rows.append(MeetingRow(
            id=meeting.id, title=meeting.title, body_name=meeting.body_name,
            starts_at=german_datetime(meeting.starts_at, lang), status=meeting.status,
            status_label=view.status_label,
        ))
    return rows


@dataclass(frozen=True, slots=True)
class TownSection:
    """A town with its upcoming and current meetings (start page)."""

    town: PublicTenant
    meetings: list[MeetingRow]


@router.get("/")
async def start_page(request: Request, ctx: Ctx) -> HTMLResponse:
    """Towns and their upcoming or current public meetings."""
    # One cross-town read (all of it public) instead of one query per town.
    async with ctx.db.system_session() as session:
        towns = await list_tenants(session=session)
        upcoming = await list_upcoming_by_town(session=session, per_town=10)
    lang = page_language(request)
    sections = [TownSection(town=t, meetings=_rows(upcoming.get(t.id, []), lang))
                for t in towns]
    return templates.TemplateResponse(request, "index.html", {"sections": sections})


@router.get("/{tenant}")
async def town_page(
    request: Request, tenant: str, ctx: Ctx, zeitraum: str = Period.ALL.value
) -> HTMLResponse:
    """One town's public meetings, filterable by period."""
    town = await load_tenant(ctx, tenant)
    # An unknown filter value shows everything rather than failing a bookmarked address.
    try:
        period = Period(zeitraum)
    except ValueError:
        period = Period.ALL
    async with ctx.db.tenant_session(town.id) as session:
        meetings = await list_meetings(session=session, period=period)
        every = meetings if period is Period.ALL else await list_meetings(session=session)
    bodies = sorted({(m.body_name, body_slug(m.body_name)) for m in every if m.body_name})
    return templates.TemplateResponse(request, "tenant.html", {
        "town": town, "meetings": _rows(meetings, page_language(request)), "period": period,
        "periods": PERIOD_LABELS, "bodies": bodies,
    })


@router.get("/{tenant}/sitzungen/{meeting_id}")
async def meeting_page(
    request: Request, tenant: str, meeting_id: str, ctx: Ctx
) -> HTMLResponse:
    """A meeting: facts, presence and quorum, the public agenda with live votes and results."""
    row = await load_meeting(ctx, tenant, meeting_id)
    lang = page_language(request)
    view = meeting_view(row.snapshot, lang)
    shown = [view.stream.url, view.stream.captions_url] if view.stream else []
    media = allow_media(request, [*shown, *ctx.settings.stream_origins.split(",")])
    async with ctx.db.tenant_session(row.tenant_id) as session:
        minutes = await get_minutes(session=session, meeting_id=row.id)
        documents = await meeting_documents(
            session=session, tenant=row.tenant_id, meeting_id=row.id, lang=lang,
            items=[{"id": i.id, "number": i.number} for i in view.agenda])
    return templates.TemplateResponse(request, "meeting.html", {
        "meeting": view, "version": row.version, "documents": documents,
        "minutes": minutes_view(minutes, lang) if minutes is not None else None,
        "starts_at_iso": row.starts_at.isoformat() if row.starts_at else "",
        "live_url": f"/{tenant}/sitzungen/{meeting_id}/live",
        "live_texts": live_texts(lang), "media_origins": media,
        "tenant": tenant, "citizen_questions": row.snapshot.get("citizen_questions", []),
        "question_sent": request.query_params.get("frage") == "danke",
        "outcome": None, **form_context(ctx),
    })


@router.get("/{tenant}/sitzungen/{meeting_id}/niederschrift")
async def minutes_document(
    tenant: str, meeting_id: str, ctx: Ctx, download: bool = False
) -> Response:
    """The public part of the signed minutes, byte for byte as signed (check: SHA-256)."""
    row = await load_meeting(ctx, tenant, meeting_id)
    async with ctx.db.tenant_session(row.tenant_id) as session:
        minutes = await get_minutes(session=session, meeting_id=row.id)
    if minutes is None:
        raise NotFound(MINUTES_NOT_FOUND)
    headers = {
        "X-Content-SHA256": minutes.public_html_sha256,
        # Stored HTML from meeting: it may style itself, but never run anything here.
        "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'",
        "Cache-Control": "public, max-age=3600, immutable",
    }
    if download:
        headers["Content-Disposition"] = (
            f'attachment; filename="niederschrift-{row.id}.html"')
    return Response(minutes.public_html.encode("utf-8"), media_type="text/html; charset=utf-8",
                    headers=headers)
