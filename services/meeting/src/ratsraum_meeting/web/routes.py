"""Puts the web app into meeting's FastAPI app: routes, static assets, HTML error pages."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, FastAPI, Form, Request
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import RedirectResponse, Response
from starlette.staticfiles import StaticFiles

from ratsraum_meeting.web import (
    actions,
    auth,
    chair,
    console,
    console_actions,
    console_hybrid,
    console_more,
    console_public,
    console_questions,
    device_check,
    mails,
    minutes_page,
    pages,
    session_actions,
    vote_actions,
)
from ratsraum_meeting.web.auth import safe_return
from ratsraum_meeting.web.context import NotSignedIn, to_login
from ratsraum_meeting.web.render import LANG_COOKIE, LANGUAGES, error_page

STATIC = Path(__file__).parent / "static"
_language = APIRouter(include_in_schema=False)


@_language.post("/sprache")
async def choose_language(request: Request, lang: str = Form("de"),
                          next: str = Form("/")) -> Response:
    """Remember the chosen language (a year) and show the same page again."""
    response = RedirectResponse(safe_return(next), status_code=303)
    secure = request.app.state.signin.secure
    response.set_cookie(LANG_COOKIE, lang if lang in LANGUAGES else "de",
                        max_age=365 * 24 * 3600, path="/", samesite="lax", secure=secure)
    return response


def _wants_html(request: Request) -> bool:
    return (not request.url.path.startswith("/api/")
            and "text/html" in request.headers.get("accept", ""))


def install(app: FastAPI) -> None:
    """Mount the web app on meeting's app (after the API routers)."""
    staff = (console.router, console_more.router, console_hybrid.router, chair.router,
             console_questions.router, console_public.router,
             console_actions.router, vote_actions.router, session_actions.router)
    members = (pages.router, actions.router, device_check.router, minutes_page.router)
    for router in (auth.router, *members, *staff, _language, mails.router):
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC, check_dir=False), name="static")
    api_errors = app.exception_handlers[StarletteHTTPException]

    async def not_signed_in(request: Request, _exc: Exception) -> Response:
        return to_login(request)

    async def http_error(request: Request, exc: Exception) -> Response:
        if isinstance(exc, StarletteHTTPException) and _wants_html(request):
            reason = "not_found" if exc.status_code in (404, 405) else "server"
            return error_page(request, reason, status_code=exc.status_code)
        response: Response = await api_errors(request, exc)  # type: ignore[misc]
        return response

    app.add_exception_handler(NotSignedIn, not_signed_in)
    app.add_exception_handler(StarletteHTTPException, http_error)
