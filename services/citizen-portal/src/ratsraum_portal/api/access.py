"""A citizen's link: request it, confirm it by mail, and use it while the public part runs."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ratsraum_portal.access.client import Answer, call, network_of
from ratsraum_portal.api.common import load_meeting
from ratsraum_portal.context import Ctx, templates
from ratsraum_portal.i18n import page_language
from ratsraum_portal.meetings.schemas import meeting_view
from ratsraum_portal.texts import text

router = APIRouter(include_in_schema=False, default_response_class=HTMLResponse)
PAGE = "/{tenant}/sitzungen/{meeting_id}/zugang"
# Meeting's problem types, and the text key each is shown with (anything else: "failed").
MESSAGES = {
    "citizen-link-limit-address": "limit_address",
    "citizen-link-limit-network": "limit_network",
    "meeting-closed": "meeting_over",
    "citizen-link-confirmation-invalid": "confirm_invalid",
    "citizen-link-invalid": "link_invalid",
    "meeting-not-running": "not_running",
    "closed-part": "closed_part",
    "meeting-unreachable": "failed",
}
Token = Annotated[str, Form(min_length=1, max_length=128)]


def _page(request: Request, meeting: object, *, step: str, status: int = 200,
          message: str = "", token: str = "") -> HTMLResponse:
    shown = text(page_language(request), f"access.{message}") if message else ""
    return templates.TemplateResponse(request, "access.html", {
        "meeting": meeting, "step": step, "message": message, "message_text": shown,
        "token": token,
    }, status_code=status)


def _problem_page(request: Request, meeting: object, answer: Answer) -> HTMLResponse:
    key = MESSAGES.get(answer.problem, "failed")
    status = answer.status if 400 <= answer.status < 600 else 502
    return _page(request, meeting, step="refused", status=status, message=key)


@router.post(PAGE)
async def request_link(
    request: Request, tenant: str, meeting_id: str, ctx: Ctx,
    email: Annotated[str, Form(max_length=320)] = "",
) -> HTMLResponse:
    """Ask meeting to mail a confirmation link (limited per network here, per address there)."""
    row = await load_meeting(ctx, tenant, meeting_id)
    meeting = meeting_view(row.snapshot, page_language(request))
    if "@" not in email:
        return _page(request, meeting, step="refused", status=422, message="bad_address")
    client = request.client.host if request.client else "unknown"
    if not ctx.access_limiter.allow(network_of(client)):
        return _page(request, meeting, step="refused", status=429, message="limit_network")
    settings = ctx.settings
    answer = await call(base_url=settings.meeting_http_url, tenant=row.tenant_id,
                        meeting_id=row.id, action="", payload={"email": email.strip()},
                        timeout=settings.meeting_http_timeout_seconds, citizen_address=client)
    if answer.status != 202:
        return _problem_page(request, meeting, answer)
    return _page(request, meeting, step="requested")


@router.get(PAGE + "/bestaetigen")
async def confirm_form(request: Request, tenant: str, meeting_id: str, ctx: Ctx,
                       token: str = "") -> HTMLResponse:
    """A button to confirm (a mail scanner opening the link confirms nothing)."""
    row = await load_meeting(ctx, tenant, meeting_id)
    return _page(request, meeting_view(row.snapshot, page_language(request)), step="confirm",
                 token=token[:128])


@router.post(PAGE + "/bestaetigen")
async def confirm(request: Request, tenant: str, meeting_id: str, ctx: Ctx,
                  token: Token) -> HTMLResponse:
    """Confirm the request; meeting mails the personal link."""
    row = await load_meeting(ctx, tenant, meeting_id)
    meeting = meeting_view(row.snapshot, page_language(request))
    answer = await call(base_url=ctx.settings.meeting_http_url, tenant=row.tenant_id,
                        meeting_id=row.id, action="confirm", payload={"token": token},
                        timeout=ctx.settings.meeting_http_timeout_seconds)
    if answer.status != 200:
        return _problem_page(request, meeting, answer)
    return _page(request, meeting, step="confirmed")


@router.get(PAGE)
async def before_joining(request: Request, tenant: str, meeting_id: str, ctx: Ctx,
                         token: str = "") -> HTMLResponse:
    """The recording ban and the join button; refused at once in the closed part."""
    row = await load_meeting(ctx, tenant, meeting_id)
    meeting = meeting_view(row.snapshot, page_language(request))
    if meeting.closed_part:
        return _page(request, meeting, step="refused", status=409, message="closed_part")
    return _page(request, meeting, step="join", token=token[:128])


@router.post(PAGE + "/beitreten", response_model=None)
async def join(request: Request, tenant: str, meeting_id: str, ctx: Ctx,
               token: Token) -> Response:
    """Check the public part at this moment, then send the citizen to the provider."""
    row = await load_meeting(ctx, tenant, meeting_id)
    meeting = meeting_view(row.snapshot, page_language(request))
    if meeting.closed_part:
        return _page(request, meeting, step="refused", status=409, message="closed_part")
    answer = await call(base_url=ctx.settings.meeting_http_url, tenant=row.tenant_id,
                        meeting_id=row.id, action="join", payload={"token": token},
                        timeout=ctx.settings.meeting_http_timeout_seconds)
    if answer.status != 200 or not answer.url.startswith(("https://", "http://")):
        return _problem_page(request, meeting, answer)
    return RedirectResponse(answer.url, status_code=303)
