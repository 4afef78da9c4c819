"""The member's device check before a session: camera, microphone, connection, practice vote.

The camera and microphone are tried in the browser only; the page reports outcomes through
meeting's API, and the practice vote uses the real vote buttons against the API's practice
endpoint, so nothing here can become a decision.
"""

from __future__ import annotations

import re
import secrets
from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import RedirectResponse, Response

from ratsraum_meeting.web import reads
from ratsraum_meeting.web.backend import ApiProblem
from ratsraum_meeting.web.context import Ctx, ctx_of
from ratsraum_meeting.web.pages import CHOICES, ctx_flash
from ratsraum_meeting.web.render import error_page, text

router = APIRouter(include_in_schema=False)
_KEY = re.compile(r"^[A-Za-z0-9_-]{8,64}$")


async def _draw(ctx: Ctx, meeting_id: str, *, ok: str | None = None, own_choice: str | None = None,
                problem: str = "", status_code: int = 200) -> Response:
    person = ctx.subject
    async with ctx.backend() as api:
        try:
            meeting = await api.get(f"/meetings/{meeting_id}")
            check = await api.get(f"/meetings/{meeting_id}/device-checks/{person}")
        except ApiProblem as exc:
            return ctx.problem(exc)
    abstain = await reads.abstention_allowed(ctx.request.app.state.db,
                                             tenant=ctx.signed.principal.tenant,
                                             meeting_id=meeting_id)
    context: dict[str, Any] = {
        "meeting": meeting, "meeting_id": meeting_id, "check": check,
        "options": [c for c in CHOICES if c != "abstain" or abstain],
        "own_choice": own_choice if own_choice in CHOICES else None,
        "idempotency_key": secrets.token_urlsafe(18),
        "vote_action": f"/sitzungen/{meeting_id}/geraetetest/probeabstimmung",
        "vote_endpoint": f"/meetings/{meeting_id}/device-checks/{person}/practice-vote",
        "vote_counted": "device.practice.counted",
        "flash": ctx_flash(ctx, ok), "practice_problem": problem,
    }
    return ctx.render("device_check.html", context, status_code=status_code)


@router.get("/sitzungen/{meeting_id}/geraetetest")
async def device_check_page(request: Request, meeting_id: str, ok: str | None = None,
                            stimme: str | None = None) -> Response:
    """The device check: what was found last time, the check itself, the practice vote."""
    ctx = await ctx_of(request)
    return await _draw(ctx, meeting_id, ok=ok, own_choice=stimme)


@router.post("/sitzungen/{meeting_id}/geraetetest/probeabstimmung")
async def practice_vote(request: Request, meeting_id: str) -> Response:
    """Without JavaScript: the practice vote as a form (the key makes a resend count once)."""
    ctx = await ctx_of(request)
    if not await ctx.csrf_ok():
        return error_page(request, "csrf", status_code=403, signed=ctx.signed)
    form = await request.form()
    choice, key = str(form.get("choice", "")), str(form.get("idempotency_key", ""))
    if not _KEY.match(key):
        return await _draw(ctx, meeting_id, problem=text(ctx.lang, "vote.failed"), status_code=400)
    async with ctx.backend() as api:
        try:
            await api.post(f"/meetings/{meeting_id}/device-checks/{ctx.subject}/practice-vote",
                           {"choice": choice}, headers={"Idempotency-Key": f"web-{key}"})
        except ApiProblem as exc:
            return await _draw(ctx, meeting_id, problem=exc.detail or text(ctx.lang, "vote.failed"),
                               status_code=exc.status)
    return RedirectResponse(
        f"/sitzungen/{meeting_id}/geraetetest?stimme={choice}",
        status_code=303)
