"""The clerk console's page for a session with remote members: what the law demands of this
body, what is recorded (emergency, decisions, notice, each member's consent or request, the
items barred with remote members), and whether the meeting may run with its remote members.

The API keeps the rules (profiles.hybrid_rules); this page only records and shows them.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from starlette.datastructures import FormData
from starlette.responses import Response

from ratsraum_meeting.web.backend import ApiProblem, Backend
from ratsraum_meeting.web.console import session_state, show, tabs
from ratsraum_meeting.web.context import Ctx
from ratsraum_meeting.web.staff import FormInvalid, act, common, staff_page

router = APIRouter(include_in_schema=False)
AUTHORITIES = ("council", "mayor", "supervisory_authority")
ITEM_KINDS = ("bylaw", "budget_bylaw")
DATES = ("emergency_declared_on", "emergency_confirmed_on", "two_thirds_decided_on",
         "supervisory_notified_on")


def check_text(ctx: Ctx, check: dict[str, Any]) -> str:
    """The API's refusal in the page language (empty when the meeting may run)."""
    if check.get("allowed"):
        return ""
    return str(check.get("detail_en") if ctx.lang == "en" else check.get("detail_de") or "")


@staff_page("hybrid", "/konsole/hybrid")
async def draw_hybrid(ctx: Ctx, meeting_id: str, query: dict[str, str],
                      errors: list[dict[str, str]], status: int) -> Response:
    """The hybrid conditions: required by law, recorded, and the check of the meeting now."""
    try:
        state = await session_state(ctx, meeting_id)
        async with ctx.backend() as api:
            conditions = await api.get(f"/meetings/{meeting_id}/hybrid-conditions")
            attendance = await api.get(f"/meetings/{meeting_id}/attendance")
    except ApiProblem as exc:
        return ctx.problem(exc)
    recorded = conditions.get("remote_members") or {}
    members = [{**p, "consent": bool((recorded.get(p["person_id"]) or {}).get("consent")),
                "reason": str((recorded.get(p["person_id"]) or {}).get("reason") or "")}
               for p in attendance]
    return ctx.render("console/hybrid.html", {
        **common(ctx, state["meeting"], query, errors, "hybrid"), **state,
        "tabs": tabs(ctx, meeting_id, "hybrid"), "conditions": conditions,
        "required": set(conditions["required"]), "refusal": check_text(ctx, conditions["check"]),
        "members": members, "authorities": AUTHORITIES, "item_kinds": ITEM_KINDS,
        "items": state["agenda"]["items"], "back": "hybrid",
    }, status_code=status)


def _date(form: FormData, name: str) -> str | None:
    raw = str(form.get(name) or "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw).isoformat()
    except ValueError:
        raise FormInvalid("console.hybrid.error.date", name) from None


def conditions_of(form: FormData, *, items: list[str], members: list[str]) -> dict[str, Any]:
    """The API body from the form; a malformed date or count is named before any call."""
    body: dict[str, Any] = {name: _date(form, name) for name in DATES}
    by = str(form.get("emergency_declared_by") or "")
    body["emergency_declared_by"] = by if by in AUTHORITIES else None
    body["emergency_note"] = str(form.get("emergency_note") or "").strip()[:500]
    yes = str(form.get("two_thirds_yes") or "").strip()
    if yes and (not yes.isdigit() or int(yes) > 10_000):
        raise FormInvalid("console.hybrid.error.count", "two_thirds_yes")
    body["two_thirds_yes"] = int(yes) if yes else None
    body["constituent_session"] = form.get("constituent_session") == "yes"
    body["item_kinds"] = {i: str(form.get(f"kind-{i}")) for i in items
                          if form.get(f"kind-{i}") in ITEM_KINDS}
    remote: dict[str, dict[str, Any]] = {}
    for person in members:
        consent = form.get(f"consent-{person}") == "yes"
        reason = str(form.get(f"request-{person}") or "").strip()[:500]
        if consent or reason:
            remote[person] = {"consent": consent, "reason": reason}
    body["remote_members"] = remote
    return body


@router.post("/sitzungen/{meeting_id}/konsole/hybrid")
async def record_conditions(request: Request, meeting_id: str) -> Response:
    """Record (replace) the meeting's hybrid conditions."""

    async def call(api: Backend, form: FormData) -> None:
        agenda = await api.get(f"/meetings/{meeting_id}/agenda")
        attendance = await api.get(f"/meetings/{meeting_id}/attendance")
        body = conditions_of(form, items=[i["id"] for i in agenda["items"]],
                             members=[p["person_id"] for p in attendance])
        await api.put(f"/meetings/{meeting_id}/hybrid-conditions", body)

    return await act(request, meeting_id, ok="staff.ok.hybrid", call=call,
                     default_back="hybrid")


@router.get("/sitzungen/{meeting_id}/konsole/hybrid")
async def hybrid_page(request: Request, meeting_id: str) -> Response:
    """The clerk console: conditions of a session with remote members."""
    return await show(request, meeting_id, "hybrid")
