"""The chair's one screen and the hall display for the projector."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from ratsraum_meeting.web.backend import ApiProblem
from ratsraum_meeting.web.console import session_state, show
from ratsraum_meeting.web.console_more import speakers_of
from ratsraum_meeting.web.context import Ctx
from ratsraum_meeting.web.staff import common, staff_page

router = APIRouter(include_in_schema=False)


@staff_page("chair", "/vorsitz")
async def draw_chair(ctx: Ctx, meeting_id: str, query: dict[str, str],
                     errors: list[dict[str, str]], status: int) -> Response:
    """Open and close the meeting and votes, cancel with a reason, the speakers list."""
    try:
        state = await session_state(ctx, meeting_id)
        speakers = await speakers_of(ctx, meeting_id, state["current_item"])
    except ApiProblem as exc:
        return ctx.problem(exc)
    closed = [p for p in state["polls"] if p["state"] != "open"][:3]
    return ctx.render("chair.html", {
        **common(ctx, state["meeting"], query, errors, "chair"), **state,
        "item": state["current_item"], "speakers": speakers, "recent": closed,
        "back": "chair",
    }, status_code=status)


def hall_poll(polls: list[dict[str, Any]]) -> dict[str, Any] | None:
    """What the hall sees: the open vote, else the latest closed one."""
    open_now = [p for p in polls if p["state"] == "open"]
    if open_now:
        return open_now[0]
    return next((p for p in polls if p["state"] in ("closed", "cancelled", "void")), None)


@staff_page("hall", "/saal")
async def draw_hall(ctx: Ctx, meeting_id: str, query: dict[str, str],
                    errors: list[dict[str, str]], status: int) -> Response:
    """Read only, full screen: the current item, the live count, the result."""
    try:
        state = await session_state(ctx, meeting_id)
    except ApiProblem as exc:
        return ctx.problem(exc)
    return ctx.render("hall.html", {
        **common(ctx, state["meeting"], query, errors, "hall"), **state,
        "poll": hall_poll(state["polls"]),
    }, status_code=status)


@router.get("/sitzungen/{meeting_id}/vorsitz")
async def chair_page(request: Request, meeting_id: str) -> Response:
    """The chair view."""
    return await show(request, meeting_id, "chair")


@router.get("/sitzungen/{meeting_id}/saal")
async def hall_page(request: Request, meeting_id: str) -> Response:
    """The hall display."""
    return await show(request, meeting_id, "hall")
