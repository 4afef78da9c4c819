"""The clerk console's session pages: overview (lobby, check-in, quorum, agenda) and votes."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from ratsraum_meeting.web import staff_reads
from ratsraum_meeting.web.backend import ApiProblem
from ratsraum_meeting.web.context import Ctx
from ratsraum_meeting.web.render import text
from ratsraum_meeting.web.staff import PAGES, common, staff_ctx, staff_page

router = APIRouter(include_in_schema=False)

METHODS = ("open", "roll_call", "secret")
MAJORITY_RULES = ("simple", "two_thirds_of_cast", "majority_of_statutory",
                  "two_thirds_of_statutory")
# The console's tabs in order: key, catalogue label.
TABS = (("overview", "console.tab.overview"), ("votes", "console.tab.votes"),
        ("hybrid", "console.tab.hybrid"), ("speakers", "console.tab.speakers"),
        ("disruptions", "console.tab.disruptions"), ("questions", "console.tab.questions"),
        ("public", "console.tab.public"), ("invitations", "console.tab.invitations"),
        ("minutes", "console.tab.minutes"))


async def show(request: Request, meeting_id: str, key: str) -> Response:
    """A staff page by its key, for a clerk or chair; 403 for anyone else."""
    ctx = await staff_ctx(request)
    if not isinstance(ctx, Ctx):
        return ctx
    return await PAGES[key].draw(ctx, meeting_id, dict(request.query_params), [], 200)


def blockers(ctx: Ctx, meeting: dict[str, Any], quorum: dict[str, Any],
             polls: list[dict[str, Any]]) -> list[str]:
    """Why no vote can open right now, in plain words (empty: a vote can open)."""
    reasons = []
    status = meeting["status"]
    if status != "running":
        reasons.append(text(ctx.lang, f"console.why.{status}"))
    if not quorum["quorate"]:
        reasons.append(text(ctx.lang, "console.why.not_quorate",
                            present=quorum["present"], required=quorum["required"]))
        if quorum.get("explanation"):
            reasons.append(quorum["explanation"])
    for poll in polls:
        if poll["state"] == "open":
            reasons.append(text(ctx.lang, "console.why.poll_open", title=poll["title"]))
    return reasons


def tabs(ctx: Ctx, meeting_id: str, current: str) -> list[dict[str, Any]]:
    """The console's sub-navigation."""
    return [{"href": f"/sitzungen/{meeting_id}{PAGES[k].suffix}",
             "label": text(ctx.lang, label), "current": k == current} for k, label in TABS]


async def session_state(ctx: Ctx, meeting_id: str) -> dict[str, Any]:
    """Meeting, agenda, quorum and polls: what every console page shows at its side."""
    async with ctx.backend() as api:
        meeting = await api.get(f"/meetings/{meeting_id}")
        agenda = await api.get(f"/meetings/{meeting_id}/agenda")
        quorum = await api.get(f"/meetings/{meeting_id}/quorum")
    polls = await staff_reads.meeting_polls(ctx.request.app.state.db,
                                            tenant=ctx.signed.principal.tenant,
                                            meeting_id=meeting_id)
    titles = {i["id"]: f"{i['number']} {i['title']}" for i in agenda["items"]}
    for poll in polls:
        poll["item"] = titles.get(poll["agenda_item_id"], "")
        poll["title"] = poll["title"] or poll["item"]
    current = next((i for i in agenda["items"] if i["current"]), None)
    reasons = blockers(ctx, meeting, quorum, polls)
    if current is not None and quorum["quorate"]:
        # Declared conflicts take members out of one item's quorum (the API counts them).
        async with ctx.backend() as api:
            own = await api.get(f"/meetings/{meeting_id}/quorum",
                                agenda_item_id=current["id"])
        if not own["quorate"]:
            reasons.append(text(ctx.lang, "console.why.item_not_quorate",
                                number=current["number"], present=own["present"],
                                required=own["required"]))
    hybrid_check = None
    if meeting["status"] == "scheduled":  # why opening would be refused, shown beside the button
        async with ctx.backend() as api:
            hybrid_check = (await api.get(f"/meetings/{meeting_id}/hybrid-conditions"))["check"]
    return {"meeting": meeting, "agenda": agenda, "quorum": quorum, "polls": polls,
            "current_item": current, "open_polls": [p for p in polls if p["state"] == "open"],
            "blockers": reasons, "hybrid_check": hybrid_check}


@staff_page("overview", "/konsole")
async def draw_overview(ctx: Ctx, meeting_id: str, query: dict[str, str],
                        errors: list[dict[str, str]], status: int) -> Response:
    """Lobby, check-in list, quorum and agenda control on one screen."""
    try:
        state = await session_state(ctx, meeting_id)
        async with ctx.backend() as api:
            attendance = await api.get(f"/meetings/{meeting_id}/attendance")
            lobby = await api.get(f"/meetings/{meeting_id}/lobby")
            admissions = await api.get(f"/meetings/{meeting_id}/admissions")
            devices = await api.get(f"/meetings/{meeting_id}/device-checks")
    except ApiProblem as exc:
        return ctx.problem(exc)
    return ctx.render("console/overview.html", {
        **common(ctx, state["meeting"], query, errors, "overview"), **state,
        "tabs": tabs(ctx, meeting_id, "overview"), "attendance": attendance, "lobby": lobby,
        "admissions": list(reversed(admissions))[:10], "back": "overview",
        "device_checks": devices,
    }, status_code=status)


@staff_page("votes", "/konsole/abstimmungen")
async def draw_votes(ctx: Ctx, meeting_id: str, query: dict[str, str],
                     errors: list[dict[str, str]], status: int) -> Response:
    """Open a vote or an election, watch the count, close; show of hands, runoff, lot."""
    try:
        state = await session_state(ctx, meeting_id)
        async with ctx.backend() as api:
            attendance = await api.get(f"/meetings/{meeting_id}/attendance")
    except ApiProblem as exc:
        return ctx.problem(exc)
    votable = [i for i in state["agenda"]["items"]
               if i["votable"] and i["status"] in ("pending", "called")]
    return ctx.render("console/votes.html", {
        **common(ctx, state["meeting"], query, errors, "votes"), **state,
        "tabs": tabs(ctx, meeting_id, "votes"), "votable": votable,
        "members": attendance, "methods": METHODS, "majority_rules": MAJORITY_RULES,
        "back": "votes",
    }, status_code=status)


@router.get("/sitzungen/{meeting_id}/konsole")
async def overview_page(request: Request, meeting_id: str) -> Response:
    """The clerk console: lobby, check-in, quorum, agenda."""
    return await show(request, meeting_id, "overview")


@router.get("/sitzungen/{meeting_id}/konsole/abstimmungen")
async def votes_page(request: Request, meeting_id: str) -> Response:
    """The clerk console: votes and elections."""
    return await show(request, meeting_id, "votes")
