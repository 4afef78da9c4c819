"""Staff form actions for the session: open and close, lobby, check-in list, agenda.

Each is one or more calls of meeting's API as the signed-in clerk or chair; the API keeps the
rules and the log (every admission is logged there, one by one, also in a bulk admit).
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.datastructures import FormData
from starlette.responses import Response

from ratsraum_meeting.web.backend import Backend
from ratsraum_meeting.web.staff import FormInvalid, act

router = APIRouter(include_in_schema=False)
BASE = "/sitzungen/{meeting_id}/konsole"
PRESENCES = ("in_room", "remote", "absent")


@router.post(BASE + "/eroeffnen")
async def open_meeting(request: Request, meeting_id: str) -> Response:
    """Open the meeting."""

    async def call(api: Backend, _form: FormData) -> None:
        await api.post(f"/meetings/{meeting_id}/open")

    return await act(request, meeting_id, ok="staff.ok.opened", call=call)


@router.post(BASE + "/beenden")
async def close_meeting(request: Request, meeting_id: str) -> Response:
    """End the meeting (the API refuses while a vote is open)."""

    async def call(api: Backend, _form: FormData) -> None:
        await api.post(f"/meetings/{meeting_id}/close")

    return await act(request, meeting_id, ok="staff.ok.closed", call=call)


@router.post(BASE + "/warteraum")
async def admit(request: Request, meeting_id: str) -> Response:
    """Admit one waiting member (row button), the ticked ones, or everyone waiting."""

    async def call(api: Backend, form: FormData) -> None:
        if form.get("person_id"):
            people = [str(form["person_id"])]
        elif form.get("all"):
            people = [w["person_id"] for w in await api.get(f"/meetings/{meeting_id}/lobby")]
        else:
            people = [str(p) for p in form.getlist("selected")]
        if not people:
            raise FormInvalid("staff.error.none_selected", "lobby-first")
        for person_id in people[:500]:
            await api.post(f"/meetings/{meeting_id}/lobby/{person_id}/admit")

    return await act(request, meeting_id, ok="staff.ok.admitted", call=call,
                     field="lobby-first")


@router.post(BASE + "/anwesenheit")
async def record_presence(request: Request, meeting_id: str) -> Response:
    """Record presence: one member (row button `one` = id:presence) or the ticked ones."""

    async def call(api: Backend, form: FormData) -> None:
        one = str(form.get("one") or "")
        if ":" in one:
            person_id, presence = one.rsplit(":", 1)
            entries = [{"person_id": person_id, "presence": presence}]
        else:
            presence = str(form.get("presence") or "in_room")
            entries = [{"person_id": str(p), "presence": presence}
                       for p in form.getlist("selected")]
        if not entries:
            raise FormInvalid("staff.error.none_selected", "attendance-first")
        if any(e["presence"] not in PRESENCES for e in entries):
            raise FormInvalid("staff.error.presence", "attendance-first")
        await api.put(f"/meetings/{meeting_id}/attendance", entries)

    return await act(request, meeting_id, ok="staff.ok.presence", call=call,
                     field="attendance-first")


@router.post(BASE + "/punkte/{item_id}/status")
async def item_status(request: Request, meeting_id: str, item_id: str) -> Response:
    """Call, defer or decide an item (the reason goes into the log)."""

    async def call(api: Backend, form: FormData) -> None:
        target = str(form.get("status") or "")
        if target not in ("called", "deferred", "decided"):
            raise FormInvalid("staff.error.status")
        await api.post(f"/meetings/{meeting_id}/agenda-items/{item_id}/status",
                       {"status": target, "reason": str(form.get("reason") or "")[:1000]})

    return await act(request, meeting_id, ok="staff.ok.item", call=call)


@router.post(BASE + "/punkte/{item_id}/verschieben")
async def move_item(request: Request, meeting_id: str, item_id: str) -> Response:
    """Move an item to another position (1-based)."""

    async def call(api: Backend, form: FormData) -> None:
        try:
            position = int(str(form.get("position") or ""))
        except ValueError:
            raise FormInvalid("staff.error.position", f"move-{item_id}") from None
        if position < 1:
            raise FormInvalid("staff.error.position", f"move-{item_id}")
        await api.post(f"/meetings/{meeting_id}/agenda-items/{item_id}/move",
                       {"position": position})

    return await act(request, meeting_id, ok="staff.ok.moved", call=call)


@router.post(BASE + "/punkte/dringlich")
async def urgent_item(request: Request, meeting_id: str) -> Response:
    """Add an item by urgency, with its reason (clerk)."""

    async def call(api: Backend, form: FormData) -> None:
        title = str(form.get("title") or "").strip()[:500]
        reason = str(form.get("reason") or "").strip()[:1000]
        if not title:
            raise FormInvalid("staff.error.title", "urgent-title")
        if not reason:
            raise FormInvalid("staff.error.urgent_reason", "urgent-reason")
        body: dict[str, object] = {"title": title, "reason": reason,
                                   "public": form.get("public") != "no",
                                   "votable": form.get("votable") != "no"}
        number = str(form.get("number") or "").strip()[:20]
        if number:
            body["number"] = number
        await api.post(f"/meetings/{meeting_id}/agenda-items", body)

    return await act(request, meeting_id, ok="staff.ok.urgent", call=call,
                     field="urgent-title")
