"""The pages every page's footer links: accessibility statement, feedback form, language."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ratsraum_common.logging import get_logger
from ratsraum_portal.context import Ctx, templates
from ratsraum_portal.feedback.service import (
    MAX_MESSAGE,
    FeedbackInput,
    problem_key,
    store_feedback,
)
from ratsraum_portal.i18n import COOKIE, is_local_path, page_language
from ratsraum_portal.texts import LANGUAGES

router = APIRouter(include_in_schema=False, default_response_class=HTMLResponse)
log = get_logger(__name__)
ONE_YEAR = 365 * 24 * 3600


@router.get("/sprache/{lang}")
async def choose_language(lang: str, zurueck: str = "/") -> Response:
    """Remember the chosen language and go back to the page the switch was on."""
    target = zurueck if is_local_path(zurueck) else "/"
    response = RedirectResponse(target, status_code=303)
    if lang in LANGUAGES:
        response.set_cookie(COOKIE, lang, max_age=ONE_YEAR, httponly=True, samesite="lax")
    return response


@router.get("/barrierefreiheit")
async def accessibility_statement(request: Request) -> HTMLResponse:
    """Erklärung zur Barrierefreiheit (BITV 2.0 § 7)."""
    return templates.TemplateResponse(request, "accessibility.html", {})


def _form(request: Request, *, status: int = 200, error: str = "", sent: bool = False,
          data: FeedbackInput | None = None) -> HTMLResponse:
    return templates.TemplateResponse(request, "feedback.html", {
        "error": error, "sent": sent, "max_message": MAX_MESSAGE,
        "data": data or FeedbackInput(message="", email="", page=""),
    }, status_code=status)


@router.get("/rueckmeldung")
async def feedback_form(request: Request, danke: bool = False, seite: str = "") -> HTMLResponse:
    """The feedback form; `seite` names the page the visitor came from."""
    page = seite if is_local_path(seite) else ""
    return _form(request, sent=danke, data=FeedbackInput(message="", email="", page=page))


@router.post("/rueckmeldung")
async def send_feedback(request: Request, ctx: Ctx) -> Response:
    """Store a message (rate-limited per client address), then show the thanks (PRG)."""
    form = await request.form()
    data = FeedbackInput(
        message=str(form.get("nachricht", "")).strip(),
        email=str(form.get("email", "")).strip(),
        page=str(form.get("seite", "")).strip(),
    )
    client = request.client.host if request.client else "unknown"
    if not ctx.feedback_limiter.allow(client):
        return _form(request, status=429, error="feedback.too_many", data=data)
    key = problem_key(data)
    if key is not None:
        return _form(request, status=422, error=key, data=data)
    async with ctx.db.system_session() as session:
        message_id = await store_feedback(session=session, data=data,
                                          lang=page_language(request))
    log.info("portal.feedback_received", feedback_id=message_id)
    return RedirectResponse("/rueckmeldung?danke=1", status_code=303)
