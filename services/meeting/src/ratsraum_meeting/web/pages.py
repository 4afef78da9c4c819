"""The member's pages: meetings, a meeting with its agenda, an item, joining, the vote screen."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from starlette.responses import RedirectResponse, Response

from ratsraum_meeting.web import reads
from ratsraum_meeting.web.backend import ApiProblem
from ratsraum_meeting.web.context import Ctx, ctx_of
from ratsraum_meeting.web.render import BERLIN, page

router = APIRouter(include_in_schema=False)
CHOICES = ("yes", "no", "abstain")


@router.get("/")
async def home(request: Request) -> Response:
    """Signed in: the meetings; otherwise a short welcome with the sign-in button."""
    if await request.app.state.signin.signed_in(request) is not None:
        return RedirectResponse("/sitzungen", status_code=303)
    return page(request, "home.html", {"next": "/sitzungen"}, signed=None)


def _by_day(meetings: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    today = datetime.now(BERLIN).date()
    groups: dict[str, list[dict[str, Any]]] = {"today": [], "upcoming": [], "past": []}
    for m in meetings:
        day = datetime.fromisoformat(m["starts_at"]).astimezone(BERLIN).date()
        if day == today or m["status"] in ("running", "interrupted"):
            groups["today"].append(m)
        elif day > today and m["status"] != "closed":
            groups["upcoming"].append(m)
        else:
            groups["past"].append(m)
    groups["past"].reverse()
    return groups


@router.get("/sitzungen")
async def meetings_page(request: Request) -> Response:
    """Today's and upcoming meetings (and the past ones below)."""
    ctx = await ctx_of(request)
    async with ctx.backend() as api:
        rows = await api.get("/meetings")
    return ctx.render("meetings.html", _by_day(rows))


async def _live(ctx: Ctx, meeting_id: str) -> dict[str, Any]:
    """The live state, and the member's lobby state (remote members send heartbeats)."""
    db, tenant = ctx.request.app.state.db, ctx.signed.principal.tenant
    lobby = await reads.own_lobby_state(db, tenant=tenant, meeting_id=meeting_id,
                                        person_id=ctx.subject)
    return {"live": await reads.live_now(db, tenant=tenant, meeting_id=meeting_id),
            "lobby_state": lobby, "heartbeat": lobby in ("waiting", "admitted")}


@router.get("/sitzungen/{meeting_id}")
async def meeting_page(request: Request, meeting_id: str, einladung: str | None = None,
                       ok: str | None = None) -> Response:
    """A meeting: facts, agenda, who is present and the quorum (live)."""
    ctx = await ctx_of(request)
    async with ctx.backend() as api:
        try:
            if einladung:
                found = await api.post(f"/meetings/{meeting_id}/invitation-link",
                                       {"token": einladung[:200]})
                return RedirectResponse(
                    f"/sitzungen/{found['meeting_id']}/teilnahme?eingeladen=1",
                    status_code=303)
            meeting = await api.get(f"/meetings/{meeting_id}")
            # Minutes are signed after the session; only then does the page link to them.
            minutes = (await api.get(f"/meetings/{meeting_id}/minutes")
                       if meeting["status"] == "closed" else None)
        except ApiProblem as exc:
            return ctx.problem(exc)
    return ctx.render("meeting.html", {
        "meeting": meeting, "meeting_id": meeting_id, **await _live(ctx, meeting_id),
        "minutes_signed": bool(minutes and minutes["status"] == "signed"),
        "flash": ctx_flash(ctx, ok)})


@router.get("/sitzungen/{meeting_id}/unterlagen")
async def documents_page(meeting_id: str) -> Response:
    """The invitation's link to the documents: the agenda lists each item's papers."""
    return RedirectResponse(f"/sitzungen/{meeting_id}#agenda-heading", status_code=303)


def ctx_flash(ctx: Ctx, ok: str | None) -> str:
    """A confirmation text after a form action (PRG), from the catalogue."""
    from ratsraum_meeting.web.render import text

    return text(ctx.lang, ok) if ok and ok.count(".") == 1 and len(ok) < 60 else ""


def _item(meeting: dict[str, Any], item_id: str) -> dict[str, Any] | None:
    return next((i for i in meeting["agenda"] if i["id"] == item_id), None)


@router.get("/sitzungen/{meeting_id}/punkte/{item_id}")
async def item_page(request: Request, meeting_id: str, item_id: str,
                    ok: str | None = None) -> Response:
    """An agenda item: papers and files, the speakers list, the member's conflict."""
    ctx = await ctx_of(request)
    base = f"/meetings/{meeting_id}/agenda-items/{item_id}"
    async with ctx.backend() as api:
        try:
            meeting = await api.get(f"/meetings/{meeting_id}")
            speakers = await api.get(f"{base}/speakers")
            conflicts = await api.get(f"{base}/conflicts")
        except ApiProblem as exc:
            return ctx.problem(exc)
    item = _item(meeting, item_id)
    if item is None:
        return ctx.problem(ApiProblem(404, ""))
    own_request = next((s for s in speakers["waiting"] if s["person_id"] == ctx.subject), None)
    return ctx.render("item.html", {
        "meeting": meeting, "meeting_id": meeting_id, "item": item, "speakers": speakers,
        "own_request": own_request,
        "own_conflict": any(c["person_id"] == ctx.subject for c in conflicts),
        "papers": await reads.papers_of(request.app.state.db,
                                        tenant=ctx.signed.principal.tenant, item_id=item_id),
        **await _live(ctx, meeting_id), "flash": ctx_flash(ctx, ok)})


@router.get("/sitzungen/{meeting_id}/teilnahme")
async def join_page(request: Request, meeting_id: str, eingeladen: str | None = None,
                    ok: str | None = None) -> Response:
    """Join: check in in the room, or wait in the lobby (live) and then open the video."""
    ctx = await ctx_of(request)
    async with ctx.backend() as api:
        try:
            meeting = await api.get(f"/meetings/{meeting_id}")
        except ApiProblem as exc:
            return ctx.problem(exc)
    live = await _live(ctx, meeting_id)
    own = next((p for p in live["live"]["connected"] if p["person_id"] == ctx.subject), None)
    return ctx.render("join.html", {
        "meeting": meeting, "meeting_id": meeting_id, **live,
        "own_presence": own["presence"] if own else None,
        "invited": ctx.signed.principal.name if eingeladen else "",
        "flash": ctx_flash(ctx, ok)})


def _result(poll: dict[str, Any], names: dict[str, str]) -> dict[str, Any] | None:
    result = poll.get("result")
    if not result or poll["state"] != "closed":
        return None
    if "election" in result:
        return _election_result(result, names)
    counts = [(key, result.get(key, 0)) for key in CHOICES
              if key != "abstain" or result.get("abstain")]
    return {"accepted": result.get("outcome") == "accepted", "counts": counts,
            "explanation": result.get("explanation", "")}


def _elected_ids(election: dict[str, Any]) -> list[str]:
    elected = election.get("elected") or []
    return [elected] if isinstance(elected, str) else list(elected)


def _election_result(result: dict[str, Any], names: dict[str, str]) -> dict[str, Any]:
    """An election: each candidate by name with their votes, and who is elected."""
    election = result["election"]
    elected = _elected_ids(election)

    def name(option: dict[str, Any]) -> str:
        oid = str(option["option_id"])
        label = option.get("label")
        return names.get(oid) or (label if label and label != oid else "") or oid

    by_id = {str(c["option_id"]): name(c) for c in result.get("counts", [])}
    return {
        "election": True, "status": election.get("status", "unknown"),
        "elected": [names.get(e) or by_id.get(e, e) for e in elected],
        "candidates": [(by_id[str(c["option_id"])], int(c["count"]),
                        str(c["option_id"]) in elected) for c in result.get("counts", [])],
    }


def _candidate_ids(poll: dict[str, Any]) -> set[str]:
    result = poll.get("result") or {}
    if "election" not in result:
        return set()
    return ({str(c["option_id"]) for c in result.get("counts", [])}
            | set(_elected_ids(result["election"])))


async def vote_context(ctx: Ctx, meeting_id: str, poll_id: str) -> dict[str, Any]:
    """Everything the vote screen shows; raises ApiProblem."""
    async with ctx.backend() as api:
        meeting = await api.get(f"/meetings/{meeting_id}")
        poll = await api.get(f"/polls/{poll_id}")
        secret = (await api.get(f"/polls/{poll_id}/secret")
                  if poll["method"] == "secret" and poll["state"] == "open" else None)
    item = _item(meeting, poll["agenda_item_id"]) or {"number": "", "title": ""}
    db = ctx.request.app.state.db
    abstain = await reads.abstention_allowed(db, tenant=ctx.signed.principal.tenant,
                                             meeting_id=meeting_id)
    names = await reads.names_of(db, tenant=ctx.signed.principal.tenant,
                                 person_ids=_candidate_ids(poll))
    return {
        **await _live(ctx, meeting_id),
        "meeting": meeting, "meeting_id": meeting_id, "poll": poll, "item": item,
        "options": [c for c in CHOICES if c != "abstain" or abstain],
        "may_vote": bool({"member", "deputy"} & ctx.signed.principal.roles),
        "idempotency_key": secrets.token_urlsafe(18), "result": _result(poll, names),
        "secret": _secret_screen(secret),
    }


def _secret_screen(described: dict[str, Any] | None) -> dict[str, Any] | None:
    """What the secret vote screen encrypts with: options, and manifest and context for JS."""
    if described is None:
        return None
    return {"options": [(o["id"], o["label"]) for o in described["options"]],
            "has_voted": described["has_voted"],
            "election": {"manifestJson": described["manifest_json"],
                         "contextJson": described["context_json"]}}


@router.get("/sitzungen/{meeting_id}/abstimmungen/{poll_id}")
async def vote_page(request: Request, meeting_id: str, poll_id: str,
                    stimme: str | None = None, code: str | None = None) -> Response:
    """The vote screen: one large button per option, the own choice, the neutral count."""
    ctx = await ctx_of(request)
    try:
        context = await vote_context(ctx, meeting_id, poll_id)
    except ApiProblem as exc:
        return ctx.problem(exc)
    own = stimme if stimme in context["options"] and context["poll"]["has_voted"] else None
    return ctx.render("vote.html", {**context, "own_choice": own, "cast_error": None,
                                    "code_check": await _code_check(ctx, context["poll"], code)})


async def _code_check(ctx: Ctx, poll: dict[str, Any], code: str | None) -> dict[str, Any] | None:
    """Without JavaScript: a confirmation code looked up in the closed secret poll's record."""
    code = (code or "").strip()[:128]
    if not code or poll["method"] != "secret" or poll["state"] != "closed":
        return None
    async with ctx.backend() as api:
        try:
            found = await api.get(f"/polls/{poll['id']}/secret-record/codes/{quote(code, safe='')}")
        except ApiProblem as exc:
            return {"code": code, "found": None, "detail": exc.detail}
    return {"code": found["confirmation_code"], "found": found["found"], "detail": ""}
