"""The members' view of a meeting's minutes, once chair and clerk have signed them.

The API decides what a person may read; this page only waits for the seal: before both
signatures there is nothing to show a member (the draft is the clerk's working copy).
"""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter, Request
from markupsafe import Markup
from starlette.responses import Response

from ratsraum_meeting.web.backend import ApiProblem
from ratsraum_meeting.web.context import ctx_of

router = APIRouter(include_in_schema=False)
_BODY = re.compile(r"<body[^>]*>(.*)</body>", re.S | re.I)


def signed_body(document: str) -> Markup:
    """The signed minutes' body, to show inside our page (our own renderer's escaped HTML)."""
    found = _BODY.search(document)
    return Markup(found.group(1) if found else "")  # noqa: S704 - rendered and sealed by meeting


@router.get("/sitzungen/{meeting_id}/niederschrift")
async def minutes_page(request: Request, meeting_id: str) -> Response:
    """The signed minutes with signatures, hash and PDF; before the seal, a plain notice."""
    ctx = await ctx_of(request)
    async with ctx.backend() as api:
        try:
            meeting = await api.get(f"/meetings/{meeting_id}")
            minutes = await api.get(f"/meetings/{meeting_id}/minutes")
            signed = minutes["status"] == "signed"
            document = await api.text(f"/meetings/{meeting_id}/minutes/html") if signed else ""
        except ApiProblem as exc:
            return ctx.problem(exc)
    context: dict[str, Any] = {
        "meeting": meeting, "minutes": minutes, "signed": signed,
        "signatures": [s for s in minutes["signatures"] if s["signed_at"]],
        "document": signed_body(document) if signed else Markup(""),
    }
    return ctx.render("minutes.html", context)
