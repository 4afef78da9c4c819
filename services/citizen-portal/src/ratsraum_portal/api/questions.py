"""Citizens' question time: the form on its own page (works without JavaScript) and sending it.

The meeting page shows the same form and the approved questions; a refusal comes back on the
form's own page with what was typed kept, a success goes back to the meeting page (PRG).
"""

from __future__ import annotations

import time

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ratsraum_common.logging import get_logger
from ratsraum_portal.api.common import load_meeting
from ratsraum_portal.context import Ctx, templates
from ratsraum_portal.i18n import page_language
from ratsraum_portal.meetings.schemas import meeting_view
from ratsraum_portal.questions.service import (
    HONEYPOT,
    SHOWN_AT,
    Outcome,
    QuestionInput,
    caught_by_honeypot,
    forward,
    too_soon_or_unsigned,
)
from ratsraum_portal.questions.stamp import sign_shown_at

router = APIRouter(include_in_schema=False, default_response_class=HTMLResponse)
log = get_logger(__name__)


def form_context(ctx: Ctx, data: QuestionInput | None = None) -> dict[str, object]:
    """What the question form needs in any page that shows it."""
    return {"question": data or QuestionInput(author="", email="", text=""),
            "question_max": ctx.settings.question_max_chars,
            "shown_at": sign_shown_at(key=ctx.form_key, now=time.time()),
            "honeypot": HONEYPOT, "shown_field": SHOWN_AT}


async def _page(request: Request, ctx: Ctx, tenant: str, meeting_id: str, *,
                outcome: Outcome | None = None, data: QuestionInput | None = None,
                ) -> HTMLResponse:
    row = await load_meeting(ctx, tenant, meeting_id)
    view = meeting_view(row.snapshot, page_language(request))
    return templates.TemplateResponse(request, "question.html", {
        "meeting": view, "tenant": tenant, "outcome": outcome, **form_context(ctx, data),
    }, status_code=outcome.status if outcome else 200)


@router.get("/{tenant}/sitzungen/{meeting_id}/fragen")
async def question_form(request: Request, tenant: str, meeting_id: str, ctx: Ctx) -> Response:
    """The question form on a page of its own."""
    return await _page(request, ctx, tenant, meeting_id)


@router.post("/{tenant}/sitzungen/{meeting_id}/fragen")
async def send_question(request: Request, tenant: str, meeting_id: str, ctx: Ctx) -> Response:
    """Forward a question to meeting (rate-limited per network address), then confirm."""
    await load_meeting(ctx, tenant, meeting_id)  # 404 for a meeting the portal does not know
    form = await request.form()
    data = QuestionInput(author=str(form.get("name", "")).strip()[:500],
                         email=str(form.get("email", "")).strip()[:500],
                         text=str(form.get("frage", "")).strip()[:20_000])
    client = request.client.host if request.client else "unknown"
    if not ctx.question_limiter.allow(client):
        return await _page(request, ctx, tenant, meeting_id, data=data,
                           outcome=Outcome(sent=False, status=429, key="questions.too_many"))
    if caught_by_honeypot(str(form.get(HONEYPOT, ""))):
        # A robot learns nothing: the same confirmation a person gets, and nothing is sent.
        log.info("portal.question_trapped")
        return RedirectResponse(f"/{tenant}/sitzungen/{meeting_id}?frage=danke#fragen", 303)
    if too_soon_or_unsigned(key=ctx.form_key, stamp=str(form.get(SHOWN_AT, "")),
                            min_seconds=ctx.settings.question_min_seconds,
                            max_age=ctx.settings.question_form_max_age_seconds):
        # Too fast, or a stamp we did not sign (forged, missing, stale): a person may have been
        # quick or kept the page open for long, so say so; the page carries a fresh stamp.
        log.info("portal.question_unstamped")
        return await _page(request, ctx, tenant, meeting_id, data=data,
                           outcome=Outcome(sent=False, status=422, key="questions.too_fast"))
    outcome = await forward(ctx.meeting, tenant=tenant, meeting_id=meeting_id, data=data,
                            lang=page_language(request))
    if not outcome.sent:
        return await _page(request, ctx, tenant, meeting_id, outcome=outcome, data=data)
    log.info("portal.question_forwarded")
    return RedirectResponse(f"/{tenant}/sitzungen/{meeting_id}?frage=danke#fragen", 303)
