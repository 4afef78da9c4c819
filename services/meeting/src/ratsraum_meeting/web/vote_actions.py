"""Staff form actions on votes: open (motion or election), close, cancel, show of hands,
runoff, lot, re-run. The API decides who may (cancel, lot and re-run are the chair's)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import APIRouter, Request
from starlette.datastructures import FormData
from starlette.responses import Response

from ratsraum_meeting.web.backend import Backend
from ratsraum_meeting.web.console import MAJORITY_RULES, METHODS
from ratsraum_meeting.web.staff import FormInvalid, act, reason_of

router = APIRouter(include_in_schema=False)
BASE = "/sitzungen/{meeting_id}/konsole/abstimmungen"
MOTION = ("yes", "no", "abstain")


def _item(form: FormData, field: str) -> str:
    item_id = str(form.get("item_id") or "")
    if not item_id or "/" in item_id:
        raise FormInvalid("staff.error.item", field)
    return item_id


@router.post(BASE + "/eroeffnen")
async def open_vote(request: Request, meeting_id: str) -> Response:
    """Open a vote on an item with its method, majority rule and title."""

    async def call(api: Backend, form: FormData) -> None:
        item_id = _item(form, "vote-item")
        method = str(form.get("method") or "open")
        rule = str(form.get("majority_rule") or "simple")
        if method not in METHODS or rule not in MAJORITY_RULES:
            raise FormInvalid("staff.error.method", "vote-method")
        body: dict[str, object] = {"method": method, "majority_rule": rule}
        title = str(form.get("title") or "").strip()[:500]
        if title:
            body["title"] = title
        await api.post(f"/meetings/{meeting_id}/agenda-items/{item_id}/polls", body)

    return await act(request, meeting_id, ok="staff.ok.vote_opened", call=call,
                     field="vote-item", default_back="votes")


@router.post(BASE + "/wahl")
async def open_election(request: Request, meeting_id: str) -> Response:
    """Open an election among the ticked candidates (members of the body), open or secret."""

    async def call(api: Backend, form: FormData) -> None:
        item_id = _item(form, "election-item")
        names = {p["person_id"]: p["name"]
                 for p in await api.get(f"/meetings/{meeting_id}/attendance")}
        chosen = [str(c) for c in form.getlist("candidate") if str(c) in names]
        secret = form.get("secret") == "yes"
        if not chosen:
            raise FormInvalid("staff.error.candidates", "election-candidates")
        if secret and len(chosen) < 2:
            raise FormInvalid("staff.error.candidates_secret", "election-candidates")
        body: dict[str, object] = {"candidates": [{"id": c, "name": names[c]} for c in chosen]}
        title = str(form.get("title") or "").strip()[:500]
        if title:
            body["title"] = title
        kind = "secret-elections" if secret else "elections"
        await api.post(f"/meetings/{meeting_id}/agenda-items/{item_id}/{kind}", body)

    return await act(request, meeting_id, ok="staff.ok.vote_opened", call=call,
                     field="election-item", default_back="votes")


def _simple(path: str, ok: str, *, with_reason: bool = False
            ) -> Callable[[Request, str, str], Awaitable[Response]]:
    """An action that is one POST on the poll, optionally with the chair's reason."""

    async def handler(request: Request, meeting_id: str, poll_id: str) -> Response:
        async def call(api: Backend, form: FormData) -> None:
            body = {"reason": reason_of(form, f"reason-{poll_id}")} if with_reason else None
            await api.post(f"/polls/{poll_id}/{path}", body)

        return await act(request, meeting_id, ok=ok, call=call, default_back="votes",
                         field=f"reason-{poll_id}" if with_reason else "")

    return handler


router.add_api_route(BASE + "/{poll_id}/schliessen", _simple("close", "staff.ok.vote_closed"),
                     methods=["POST"])
router.add_api_route(BASE + "/{poll_id}/abbrechen",
                     _simple("cancel", "staff.ok.vote_cancelled", with_reason=True),
                     methods=["POST"])
router.add_api_route(BASE + "/{poll_id}/wiederholen",
                     _simple("rerun", "staff.ok.vote_rerun", with_reason=True),
                     methods=["POST"])
router.add_api_route(BASE + "/{poll_id}/stichwahl", _simple("runoff", "staff.ok.runoff"),
                     methods=["POST"])
router.add_api_route(BASE + "/{poll_id}/los", _simple("lot", "staff.ok.lot"), methods=["POST"])


@router.post(BASE + "/{poll_id}/handzeichen")
async def show_of_hands(request: Request, meeting_id: str, poll_id: str) -> Response:
    """Record the counts of a show of hands for an open vote (closes it)."""

    async def call(api: Backend, form: FormData) -> None:
        counts: dict[str, int] = {}
        for option in MOTION:
            raw = str(form.get(option) or "0").strip() or "0"
            if not raw.isdigit() or int(raw) > 100000:
                raise FormInvalid("staff.error.count", f"hands-{poll_id}-{option}")
            if option != "abstain" or int(raw):
                counts[option] = int(raw)
        await api.post(f"/polls/{poll_id}/show-of-hands", {"counts": counts})

    return await act(request, meeting_id, ok="staff.ok.hands", call=call,
                     default_back="votes", field=f"hands-{poll_id}-yes")
