"""The town admin's other pages: CSV import with per-line errors, the members' second-factor
rule and the town's audit events. Each calls the town admin API's own functions."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.datastructures import UploadFile
from starlette.responses import RedirectResponse, Response

from ratsraum_identity.admin_errors import AdminError, ImportRejected
from ratsraum_identity.api import audit_and_settings as settings_api
from ratsraum_identity.api.admin_session import PageSession, expired, posted, session_of
from ratsraum_identity.api.deps import identity
from ratsraum_identity.api.town_admin_pages import page
from ratsraum_identity.api.town_import import NOT_UTF8, import_text
from ratsraum_identity.web.admin_forms import error_texts, field
from ratsraum_identity.web.admin_render import language_of

router = APIRouter(prefix="/admin", include_in_schema=False)
AUDIT_PAGE = 50
MAX_CSV_BYTES = 1_000_000


@router.get("/import")
async def import_form(request: Request) -> Response:
    """Upload or paste a CSV file of members."""
    session = await session_of(request, "town")
    if not isinstance(session, PageSession):
        return session
    return await page(request, "import.html", session, csv="", errors=[], lines=[],
                      imported=None)


async def _csv_text(upload: object, pasted: str) -> str | None:
    """The file's text (UTF-8) or the pasted text; None if the file is not UTF-8."""
    if isinstance(upload, UploadFile) and upload.filename:
        raw = await upload.read(MAX_CSV_BYTES + 1)
        try:
            return raw[:MAX_CSV_BYTES].decode("utf-8-sig")
        except UnicodeDecodeError:
            return None
    return pasted


@router.post("/import")
async def import_submit(request: Request) -> Response:
    """Invite everyone of the file, or show each faulty line (nothing is imported then)."""
    session = await session_of(request, "town")
    if not isinstance(session, PageSession):
        return session
    form = await posted(request, session)
    if form is None:
        return expired(request, session)
    lang = language_of(request)
    pasted = field(form, "csv", MAX_CSV_BYTES)
    csv = await _csv_text(form.get("file"), pasted)
    if csv is None:
        return await page(request, "import.html", session, status_code=422, csv=pasted,
                          errors=[NOT_UTF8.render(lang)], lines=[], imported=None)
    try:
        result = await import_text(identity(request), session.actor, csv)
    except AdminError as exc:
        lines = ([{"line": e.line, "field": e.field, "message": e.message.render(lang)}
                  for e in exc.errors] if isinstance(exc, ImportRejected) else [])
        return await page(request, "import.html", session, status_code=exc.status, csv=csv,
                          errors=error_texts(exc, lang), lines=lines, imported=None)
    return await page(request, "import.html", session, csv="", errors=[], lines=[],
                      imported=result)


@router.get("/settings")
async def settings_form(request: Request) -> Response:
    """Whether members need a second factor (staff always do)."""
    session = await session_of(request, "town")
    if not isinstance(session, PageSession):
        return session
    current = await settings_api.get_settings(request, session.actor)
    return await page(request, "settings.html", session, settings=current)


@router.post("/settings")
async def settings_submit(request: Request) -> Response:
    """Require (or stop requiring) a second factor of the town's members."""
    session = await session_of(request, "town")
    if not isinstance(session, PageSession):
        return session
    form = await posted(request, session)
    if form is None:
        return expired(request, session)
    wanted = field(form, "member_mfa_required") == "1"
    await settings_api.put_settings(
        settings_api.TownSettingsIn(member_mfa_required=wanted), request, session.actor)
    return RedirectResponse("/admin/settings?done=settings", status_code=303)


@router.get("/audit")
async def audit_page(request: Request) -> Response:
    """The town's audit events, newest first, a page at a time."""
    session = await session_of(request, "town")
    if not isinstance(session, PageSession):
        return session
    raw = request.query_params.get("before", "")
    before = int(raw) if raw.isdigit() and 0 < len(raw) < 19 else None
    events = await settings_api.town_audit(request, session.actor, limit=AUDIT_PAGE + 1,
                                           before=before)
    more = len(events) > AUDIT_PAGE
    events = events[:AUDIT_PAGE]
    return await page(request, "audit.html", session, events=events,
                      next_before=events[-1].id if more and events else None,
                      paged=before is not None)
