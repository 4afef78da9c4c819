"""Sign-in, session and CSRF of the town admin's and the operator's pages.

Identity keeps no single-sign-on session, so the pages sign in with the same check as the
admin API's tokens (`POST /api/v1/admin-tokens`: password, and the authenticator code that
operators always and town admins of a town requiring it need, with the same limiter and audit).
The session cookie holds that short-lived admin token; the standing behind it is read again
on every request, so a removed admin role or a suspended town ends the session at once. Each
form carries a CSRF token derived from the session token, and the cookie is SameSite=Lax.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlencode

from pydantic import ValidationError
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from ratsraum_common.i18n import Msg
from ratsraum_common.problems import Problem
from ratsraum_identity.api.admin_auth import (
    Actor,
    TokenRequest,
    admin_token,
    operator_of_token,
    town_admin_of_token,
)
from ratsraum_identity.api.deps import identity
from ratsraum_identity.web import form_guard
from ratsraum_identity.web.admin_render import render
from ratsraum_identity.web.pages import CSRF_COOKIE, csrf_token_for, csrf_valid

Kind = Literal["town", "operator"]
COOKIE = {"town": "ratsraum_admin", "operator": "ratsraum_operator"}
ROOT = {"town": "/admin", "operator": "/operator"}
HOME = {"town": "/admin/accounts", "operator": "/operator/towns"}

FORM_EXPIRED = Msg("Das Formular ist abgelaufen; bitte laden Sie die Seite neu und senden Sie "
                   "es erneut.", "The form has expired; reload the page and send it again.")
MISSING = Msg("Bitte füllen Sie alle Pflichtfelder aus.", "Please fill in every required field.")


@dataclass(frozen=True, slots=True)
class PageSession:
    """A signed-in admin or operator and the CSRF token of their forms."""

    actor: Actor
    csrf: str
    kind: Kind


def csrf_of(token: str) -> str:
    """The CSRF token of the forms of a page session."""
    return form_guard.csrf_of(token, purpose=b"ratsraum-admin-pages-csrf")


def sign_in_url(kind: Kind, tenant: str | None = None) -> str:
    """Where a person without a valid session signs in."""
    query = f"?{urlencode({'tenant': tenant})}" if tenant else ""
    return f"{ROOT[kind]}/sign-in{query}"


async def session_of(request: Request, kind: Kind) -> PageSession | Response:
    """The signed-in actor, else a redirect to sign in (or a 403 page without the role)."""
    token = request.cookies.get(COOKIE[kind], "")
    if not token or len(token) > 4096:
        return RedirectResponse(sign_in_url(kind), status_code=303)
    check = town_admin_of_token if kind == "town" else operator_of_token
    try:
        actor = await check(request, token)
    except Problem as refused:
        if refused.status == 401:
            return RedirectResponse(sign_in_url(kind), status_code=303)
        return render(request, "refused.html", status_code=403, message=refused.detail,
                      kind=kind)
    return PageSession(actor=actor, csrf=csrf_of(token), kind=kind)


async def posted(request: Request, session: PageSession) -> FormData | None:
    """The submitted form if its CSRF token is the session's and it came from our pages."""
    return await form_guard.checked_form(
        request, csrf=session.csrf, issuer=identity(request).settings.issuer)


def expired(request: Request, session: PageSession) -> Response:
    """The answer to a form without a valid CSRF token."""
    return render(request, "refused.html", status_code=403, message=FORM_EXPIRED,
                  kind=session.kind)


def sign_in_page(request: Request, kind: Kind, *, tenant: str = "", username: str = "",
                 error: Msg | None = None, status_code: int = 200) -> Response:
    """The sign-in form, with the login form's double-submit CSRF cookie."""
    token = csrf_token_for(request)
    response = render(request, "sign_in.html", status_code=status_code, kind=kind,
                      tenant=tenant, username=username, error=error, csrf_token=token,
                      action=f"{ROOT[kind]}/sign-in")
    response.set_cookie(CSRF_COOKIE, token, max_age=3600, path="/", httponly=True,
                        samesite="lax", secure=identity(request).settings.secure_cookies)
    return response


async def sign_in(request: Request, kind: Kind) -> Response:
    """Check the sign-in form like the admin API does; on success set the session cookie."""
    try:
        form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    except Exception:  # a malformed body is the sender's fault
        form = {}
    tenant = form.get("tenant", "").strip().lower()[:63] if kind == "town" else ""
    username = form.get("username", "").strip()[:320]
    if not csrf_valid(request, form.get("csrf_token")):
        return sign_in_page(request, kind, tenant=tenant, username=username,
                            error=FORM_EXPIRED, status_code=400)
    try:
        body = TokenRequest(username=username, password=form.get("password", "")[:1024],
                            otp=form.get("otp", "").replace(" ", "")[:12],
                            tenant=tenant or None if kind == "town" else None)
        if kind == "town" and body.tenant is None:
            raise ValueError("a town is needed")
    except (ValidationError, ValueError):
        return sign_in_page(request, kind, tenant=tenant, username=username, error=MISSING,
                            status_code=400)
    try:
        issued = await admin_token(body, request)
    except Problem as refused:
        return sign_in_page(request, kind, tenant=tenant, username=username,
                            error=refused.detail, status_code=refused.status)
    response = RedirectResponse(HOME[kind], status_code=303)
    response.set_cookie(COOKIE[kind], issued.access_token, max_age=issued.expires_in,
                        path=ROOT[kind], httponly=True, samesite="lax",
                        secure=identity(request).settings.secure_cookies)
    return response


def sign_out(request: Request, kind: Kind) -> Response:
    """End the page session (the cookie; the short-lived token expires on its own)."""
    response = RedirectResponse(sign_in_url(kind), status_code=303)
    response.delete_cookie(COOKIE[kind], path=ROOT[kind], httponly=True, samesite="lax",
                           secure=identity(request).settings.secure_cookies)
    return response
