"""The clerk console's public tab: the livestream and who refused it, and citizens' links."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.datastructures import FormData
from starlette.responses import Response

from ratsraum_meeting.web.backend import ApiProblem, Backend
from ratsraum_meeting.web.console import session_state, show, tabs
from ratsraum_meeting.web.context import Ctx
from ratsraum_meeting.web.staff import FormInvalid, act, common, staff_page

router = APIRouter(include_in_schema=False)
PAGE = "/sitzungen/{meeting_id}/konsole/oeffentlichkeit"


@staff_page("public", "/konsole/oeffentlichkeit")
async def draw_public(ctx: Ctx, meeting_id: str, query: dict[str, str],
                      errors: list[dict[str, str]], status: int) -> Response:
    """The stream address, one checkbox per member for a refusal, and the citizens' links."""
    try:
        state = await session_state(ctx, meeting_id)
        async with ctx.backend() as api:
            stream = await api.get(f"/meetings/{meeting_id}/stream")
            members = await api.get(f"/meetings/{meeting_id}/attendance")
            links = await api.get(f"/meetings/{meeting_id}/citizen-links")
    except ApiProblem as exc:
        return ctx.problem(exc)
    refused = {r["person_id"] for r in stream["refused"]}
    return ctx.render("console/public.html", {
        **common(ctx, state["meeting"], query, errors, "public"), **state,
        "tabs": tabs(ctx, meeting_id, "public"), "stream": stream, "refused": refused,
        "members": members, "links": links, "back": "public",
    }, status_code=status)


@router.get(PAGE)
async def public_page(request: Request, meeting_id: str) -> Response:
    """The clerk console: what the public sees of the meeting."""
    return await show(request, meeting_id, "public")


@router.post(PAGE + "/stream")
async def set_stream(request: Request, meeting_id: str) -> Response:
    """Save the stream address, the captions address and who refused to be streamed."""

    async def call(api: Backend, form: FormData) -> None:
        url = str(form.get("stream_url") or "").strip()
        if url and not url.startswith("https://"):
            raise FormInvalid("console.public.error.https", "stream-url")
        await api.put(f"/meetings/{meeting_id}/stream", {
            "url": url, "captions_url": str(form.get("captions_url") or "").strip(),
            "refused_person_ids": [str(v) for v in form.getlist("refused")][:500]})

    return await act(request, meeting_id, ok="console.public.ok.stream", call=call,
                     default_back="public", field="stream-url")


@router.post(PAGE + "/zugang/{link_id}/widerrufen")
async def revoke_link(request: Request, meeting_id: str, link_id: str) -> Response:
    """Revoke one citizen's link at once."""

    async def call(api: Backend, form: FormData) -> None:
        await api.post(f"/meetings/{meeting_id}/citizen-links/{link_id}/revoke", {})

    return await act(request, meeting_id, ok="console.public.ok.revoked", call=call,
                     default_back="public")
