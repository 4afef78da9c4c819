"""The clerk console's other pages: speakers list, disruptions, invitations, minutes."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from ratsraum_meeting.web.backend import ApiProblem
from ratsraum_meeting.web.console import session_state, show, tabs
from ratsraum_meeting.web.context import Ctx
from ratsraum_meeting.web.staff import common, staff_page

router = APIRouter(include_in_schema=False)


def chosen_item(state: dict[str, Any], query: dict[str, str]) -> dict[str, Any] | None:
    """The item picked by `?punkt=`, else the current one, else the first."""
    items = state["agenda"]["items"]
    wanted = query.get("punkt")
    return (next((i for i in items if i["id"] == wanted), None) or state["current_item"]
            or (items[0] if items else None))


async def speakers_of(ctx: Ctx, meeting_id: str, item: dict[str, Any] | None
                      ) -> dict[str, Any] | None:
    """An item's speakers list from the API (None without an item)."""
    if item is None:
        return None
    async with ctx.backend() as api:
        found: dict[str, Any] = await api.get(
            f"/meetings/{meeting_id}/agenda-items/{item['id']}/speakers")
    return found


@staff_page("speakers", "/konsole/redeliste")
async def draw_speakers(ctx: Ctx, meeting_id: str, query: dict[str, str],
                        errors: list[dict[str, str]], status: int) -> Response:
    """Next speaker, end, move, strike, add on someone's behalf, time limit, close the list."""
    try:
        state = await session_state(ctx, meeting_id)
        item = chosen_item(state, query)
        speakers = await speakers_of(ctx, meeting_id, item)
        async with ctx.backend() as api:
            attendance = await api.get(f"/meetings/{meeting_id}/attendance")
    except ApiProblem as exc:
        return ctx.problem(exc)
    return ctx.render("console/speakers.html", {
        **common(ctx, state["meeting"], query, errors, "speakers"), **state,
        "tabs": tabs(ctx, meeting_id, "speakers"), "item": item, "speakers": speakers,
        "members": attendance, "back": "speakers",
    }, status_code=status)


@staff_page("disruptions", "/konsole/stoerungen")
async def draw_disruptions(ctx: Ctx, meeting_id: str, query: dict[str, str],
                           errors: list[dict[str, str]], status: int) -> Response:
    """Reports of lost connections, interrupt and resume, the sphere decision, re-runs."""
    try:
        state = await session_state(ctx, meeting_id)
        async with ctx.backend() as api:
            record = await api.get(f"/meetings/{meeting_id}/disruptions")
            attendance = await api.get(f"/meetings/{meeting_id}/attendance")
    except ApiProblem as exc:
        return ctx.problem(exc)
    names = {p["person_id"]: p["name"] for p in attendance}
    offered: list[str] = []
    for step in record["steps"]:
        offered.extend(step["data"].get("rerun_offered", []))
    reruns = [p for p in state["polls"] if p["awaiting_rerun"] or (
        p["id"] in offered and p["state"] in ("open", "closed"))]
    return ctx.render("console/disruptions.html", {
        **common(ctx, state["meeting"], query, errors, "disruptions"), **state,
        "tabs": tabs(ctx, meeting_id, "disruptions"), "record": record, "names": names,
        "members": [p for p in attendance if p["presence"] == "remote"] or attendance,
        "reruns": reruns, "back": "disruptions",
    }, status_code=status)


@staff_page("invitations", "/konsole/einladungen")
async def draw_invitations(ctx: Ctx, meeting_id: str, query: dict[str, str],
                           errors: list[dict[str, str]], status: int) -> Response:
    """Send the invitation, an update or a cancellation; see each mail's delivery."""
    try:
        state = await session_state(ctx, meeting_id)
        async with ctx.backend() as api:
            deliveries = await api.get(f"/meetings/{meeting_id}/invitations")
            attendance = await api.get(f"/meetings/{meeting_id}/attendance")
    except ApiProblem as exc:
        return ctx.problem(exc)
    names = {p["person_id"]: p["name"] for p in attendance}
    return ctx.render("console/invitations.html", {
        **common(ctx, state["meeting"], query, errors, "invitations"), **state,
        "tabs": tabs(ctx, meeting_id, "invitations"), "names": names,
        "deliveries": list(reversed(deliveries)), "back": "invitations",
        "failed": [d["person_id"] for d in deliveries if d["status"] == "failed"],
    }, status_code=status)


@staff_page("minutes", "/konsole/niederschrift")
async def draw_minutes(ctx: Ctx, meeting_id: str, query: dict[str, str],
                       errors: list[dict[str, str]], status: int) -> Response:
    """The minutes editor: general texts, each item's decision and notes, preview, sign-off."""
    try:
        state = await session_state(ctx, meeting_id)
        async with ctx.backend() as api:
            minutes = await api.get(f"/meetings/{meeting_id}/minutes")
            attendance = await api.get(f"/meetings/{meeting_id}/attendance")
    except ApiProblem as exc:
        return ctx.problem(exc)
    texts = minutes["texts"]
    reasons = texts.get("absences") if isinstance(texts.get("absences"), dict) else {}
    items = texts.get("items", {}) if isinstance(texts.get("items"), dict) else {}
    return ctx.render("console/minutes.html", {
        **common(ctx, state["meeting"], query, errors, "minutes"), **state,
        "tabs": tabs(ctx, meeting_id, "minutes"), "minutes": minutes, "texts": texts,
        "item_texts": items, "back": "minutes",
        "absent": [{**p, "reason": reasons.get(p["person_id"], "")}
                   for p in attendance if p["presence"] == "absent"],
        "signed_as": {s["role"]: s for s in minutes["signatures"]},
    }, status_code=status)


@router.get("/sitzungen/{meeting_id}/konsole/redeliste")
async def speakers_page(request: Request, meeting_id: str) -> Response:
    """The clerk console: speakers list."""
    return await show(request, meeting_id, "speakers")


@router.get("/sitzungen/{meeting_id}/konsole/stoerungen")
async def disruptions_page(request: Request, meeting_id: str) -> Response:
    """The clerk console: disruptions."""
    return await show(request, meeting_id, "disruptions")


@router.get("/sitzungen/{meeting_id}/konsole/einladungen")
async def invitations_page(request: Request, meeting_id: str) -> Response:
    """The clerk console: invitations."""
    return await show(request, meeting_id, "invitations")


@router.get("/sitzungen/{meeting_id}/konsole/niederschrift")
async def minutes_page(request: Request, meeting_id: str) -> Response:
    """The clerk console: minutes."""
    return await show(request, meeting_id, "minutes")
