"""What the clerk console, the chair view and the hall display share.

The role check (a member gets 403 on every staff page and action, before any API call), the
registry of staff pages, and the one way a staff form acts: CSRF check, one or more API calls,
then back to the page with a confirmation (POST-redirect-GET), or the same page again with an
error summary at the top when the API refused.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from fastapi import Request
from starlette.datastructures import FormData
from starlette.responses import RedirectResponse, Response

from ratsraum_meeting.web.backend import ApiProblem, Backend
from ratsraum_meeting.web.context import Ctx, ctx_of
from ratsraum_meeting.web.render import catalogue, error_page, text

STAFF_ROLES = frozenset({"clerk", "chair", "vice_chair"})

# A staff page: (ctx, meeting id, query parameters, error summary, status) -> the page.
PageRenderer = Callable[[Ctx, str, dict[str, str], list[dict[str, str]], int],
                        Awaitable[Response]]


@dataclass(frozen=True, slots=True)
class StaffPage:
    """A page an action can return to: its address below the meeting and how to draw it."""

    suffix: str
    draw: PageRenderer


PAGES: dict[str, StaffPage] = {}


def staff_page(key: str, suffix: str) -> Callable[[PageRenderer], PageRenderer]:
    """Register a staff page under a key that forms name in their `back` field."""

    def register(draw: PageRenderer) -> PageRenderer:
        PAGES[key] = StaffPage(suffix, draw)
        return draw

    return register


def page_url(meeting_id: str, key: str) -> str:
    """Where a staff page lives."""
    return f"/sitzungen/{meeting_id}{PAGES[key].suffix}"


class FormInvalid(Exception):
    """A form field the API would refuse anyway, said in the person's language first."""

    def __init__(self, key: str, field: str = "") -> None:
        super().__init__(key)
        self.key = key
        self.field = field


async def staff_ctx(request: Request) -> Ctx | Response:
    """The signed-in clerk or chair; anyone else gets the 403 page."""
    ctx = await ctx_of(request)
    if not STAFF_ROLES & ctx.signed.principal.roles:
        return error_page(request, "forbidden", status_code=403, signed=ctx.signed)
    return ctx


def is_chair(ctx: Ctx) -> bool:
    """Whether the person holds the chair's role (cancel, interrupt, lot, re-run)."""
    return bool({"chair", "vice_chair"} & ctx.signed.principal.roles)


def flash_of(ctx: Ctx, query: dict[str, str]) -> str:
    """The confirmation text named by `?ok=` (a catalogue key), else nothing."""
    ok = query.get("ok", "")
    # Shared confirmations (staff.ok.*) and those of one console tab (console.<tab>.ok.*).
    ours = ok.startswith("staff.ok.") or (ok.startswith("console.") and ".ok." in ok)
    return text(ctx.lang, ok) if ours and ok in catalogue("de") else ""


def error(ctx: Ctx, key: str, field: str = "", **values: object) -> dict[str, str]:
    """One entry of the error summary, linking to the field it concerns."""
    return {"text": text(ctx.lang, key, **values), "href": f"#{field}" if field else ""}


ActionCall = Callable[[Backend, FormData], Awaitable[None]]


async def act(request: Request, meeting_id: str, *, ok: str, call: ActionCall,
              field: str = "", default_back: str = "overview") -> Response:
    """Run a staff form action: checks, the API calls, then redirect or the error summary."""
    ctx = await staff_ctx(request)
    if not isinstance(ctx, Ctx):
        return ctx
    if not await ctx.csrf_ok():
        return error_page(request, "csrf", status_code=403, signed=ctx.signed)
    form = await request.form()
    back = str(form.get("back") or default_back)
    if back not in PAGES:
        back = default_back
    query = {k: str(v) for k, v in form.items() if k in ("punkt",)}
    try:
        async with ctx.backend() as api:
            await call(api, form)
    except FormInvalid as exc:
        return await PAGES[back].draw(ctx, meeting_id, query,
                                      [error(ctx, exc.key, exc.field)], 422)
    except ApiProblem as exc:
        status = exc.status if 400 <= exc.status < 500 else 502
        return await PAGES[back].draw(ctx, meeting_id, query,
                                      [{"text": exc.detail, "href": f"#{field}" if field
                                        else ""}], status)
    extra = f"&punkt={query['punkt']}" if query.get("punkt") else ""
    return RedirectResponse(f"{page_url(meeting_id, back)}?ok={ok}{extra}", status_code=303)


def reason_of(form: FormData, field: str = "reason", *, minimum: int = 3) -> str:
    """A reason the API requires (at least three characters), checked before the call."""
    reason = str(form.get(field) or "").strip()[:2000]
    if len(reason) < minimum:
        raise FormInvalid("staff.error.reason", field)
    return reason


def clock(seconds: int | None) -> str:
    """Seconds as m:ss (negative: an overrun, shown without the sign)."""
    if seconds is None:
        return ""
    s = abs(seconds)
    return f"{s // 60}:{s % 60:02d}"


def common(ctx: Ctx, meeting: dict[str, Any], query: dict[str, str],
           errors: list[dict[str, str]], key: str) -> dict[str, Any]:
    """What every staff page template gets (`refresh`: where live updates re-read it)."""
    return {"meeting": meeting, "meeting_id": meeting["id"], "errors": errors,
            "refresh": page_url(meeting["id"], key) + (
                f"?punkt={query['punkt']}" if query.get("punkt") else ""),
            "flash": flash_of(ctx, query), "chair": is_chair(ctx),
            "clerk": "clerk" in ctx.signed.principal.roles, "clock": clock}
