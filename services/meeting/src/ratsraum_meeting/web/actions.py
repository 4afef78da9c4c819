"""The member's form actions (they work without JavaScript): each one API call, then back."""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import RedirectResponse, Response

from ratsraum_meeting.web.backend import ApiProblem
from ratsraum_meeting.web.context import Ctx, ctx_of
from ratsraum_meeting.web.pages import vote_context
from ratsraum_meeting.web.render import error_page

router = APIRouter(include_in_schema=False)
_KEY = re.compile(r"^[A-Za-z0-9_-]{8,64}$")


async def _checked(request: Request) -> Ctx | Response:
    ctx = await ctx_of(request)
    if not await ctx.csrf_ok():
        return error_page(request, "csrf", status_code=403, signed=ctx.signed)
    return ctx


async def _act(request: Request, back: str, ok: str, call: Any) -> Response:
    ctx = await _checked(request)
    if not isinstance(ctx, Ctx):
        return ctx
    async with ctx.backend() as api:
        try:
            await call(api, await request.form())
        except ApiProblem as exc:
            return ctx.problem(exc)
    return RedirectResponse(f"{back}?ok={ok}", status_code=303)


def _item_path(meeting_id: str, item_id: str) -> tuple[str, str]:
    return (f"/meetings/{meeting_id}/agenda-items/{item_id}",
            f"/sitzungen/{meeting_id}/punkte/{item_id}")


@router.post("/sitzungen/{meeting_id}/punkte/{item_id}/wortmeldung")
async def ask_to_speak(request: Request, meeting_id: str, item_id: str) -> Response:
    """Ask to speak, or raise a point of order."""
    api_path, back = _item_path(meeting_id, item_id)

    async def call(api: Any, form: Any) -> None:
        kind = "order" if form.get("kind") == "order" else "speech"
        await api.post(f"{api_path}/speakers", {"kind": kind})

    return await _act(request, back, "flash.asked", call)


@router.post("/sitzungen/{meeting_id}/punkte/{item_id}/wortmeldung/{request_id}/zurueckziehen")
async def withdraw_request(request: Request, meeting_id: str, item_id: str,
                           request_id: str) -> Response:
    """Withdraw the own request to speak."""
    api_path, back = _item_path(meeting_id, item_id)

    async def call(api: Any, _form: Any) -> None:
        await api.delete(f"{api_path}/speakers/{request_id}")

    return await _act(request, back, "flash.request_withdrawn", call)


@router.post("/sitzungen/{meeting_id}/punkte/{item_id}/befangenheit")
async def declare_conflict(request: Request, meeting_id: str, item_id: str) -> Response:
    """Declare a conflict of interest on the item."""
    api_path, back = _item_path(meeting_id, item_id)

    async def call(api: Any, form: Any) -> None:
        reason = str(form.get("reason") or "")[:500]
        await api.post(f"{api_path}/conflicts", {"reason": reason})

    return await _act(request, back, "flash.conflict_declared", call)


@router.post("/sitzungen/{meeting_id}/punkte/{item_id}/befangenheit/zuruecknehmen")
async def withdraw_conflict(request: Request, meeting_id: str, item_id: str) -> Response:
    """Withdraw the own declaration."""
    api_path, back = _item_path(meeting_id, item_id)
    ctx = await ctx_of(request)

    async def call(api: Any, _form: Any) -> None:
        await api.delete(f"{api_path}/conflicts/{ctx.subject}")

    return await _act(request, back, "flash.conflict_withdrawn", call)


@router.post("/sitzungen/{meeting_id}/einchecken")
async def check_in(request: Request, meeting_id: str) -> Response:
    """Check in as present in the chamber."""

    async def call(api: Any, _form: Any) -> None:
        await api.post(f"/meetings/{meeting_id}/check-in")

    return await _act(request, f"/sitzungen/{meeting_id}/teilnahme", "flash.checked_in", call)


@router.post("/sitzungen/{meeting_id}/warteraum")
async def enter_lobby(request: Request, meeting_id: str) -> Response:
    """Ask to join remotely: into the lobby (the provider link is minted, not yet shown)."""

    async def call(api: Any, _form: Any) -> None:
        await api.get(f"/meetings/{meeting_id}/join")

    return await _act(request, f"/sitzungen/{meeting_id}/teilnahme", "flash.lobby", call)


@router.get("/sitzungen/{meeting_id}/video")
async def open_video(request: Request, meeting_id: str) -> Response:
    """Mint the provider's personal link on click and go there."""
    ctx = await ctx_of(request)
    async with ctx.backend() as api:
        try:
            joined = await api.get(f"/meetings/{meeting_id}/join")
        except ApiProblem as exc:
            return ctx.problem(exc)
    return RedirectResponse(str(joined["url"]), status_code=303)


@router.post("/sitzungen/{meeting_id}/stoerung")
async def report_disruption(request: Request, meeting_id: str) -> Response:
    """Report a lost connection with one button."""

    async def call(api: Any, _form: Any) -> None:
        await api.post(f"/meetings/{meeting_id}/disruptions", {"lost": "both"})

    return await _act(request, f"/sitzungen/{meeting_id}/teilnahme", "flash.disruption",
                      call)


@router.post("/sitzungen/{meeting_id}/abstimmungen/{poll_id}/stimme")
async def cast(request: Request, meeting_id: str, poll_id: str) -> Response:
    """Cast (or change) the own vote; the form's key makes a resubmission count once."""
    ctx = await _checked(request)
    if not isinstance(ctx, Ctx):
        return ctx
    form = await request.form()
    choice, key = str(form.get("choice", "")), str(form.get("idempotency_key", ""))
    back = f"/sitzungen/{meeting_id}/abstimmungen/{poll_id}"
    error: str | bool = True
    if _KEY.match(key):
        async with ctx.backend() as api:
            try:
                await api.post(f"/polls/{poll_id}/ballots", {"choice": choice},
                               headers={"Idempotency-Key": f"web-{key}"})
                return RedirectResponse(f"{back}?stimme={choice}", status_code=303)
            except ApiProblem as exc:
                error = exc.detail or True
    try:
        context = await vote_context(ctx, meeting_id, poll_id)
    except ApiProblem as exc:
        return ctx.problem(exc)
    return ctx.render("vote.html", {**context, "own_choice": None, "cast_error": error},
                      status_code=409)
