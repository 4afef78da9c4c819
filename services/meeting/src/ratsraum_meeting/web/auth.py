"""Sign-in and sign-out routes of the web app (OIDC code flow with PKCE against identity)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import RedirectResponse, Response

from ratsraum_common.auth import InvalidToken
from ratsraum_common.logging import get_logger
from ratsraum_meeting.signin import store
from ratsraum_meeting.signin.oidc import GrantRefused, IdentityUnavailable, Pending
from ratsraum_meeting.signin.sessions import COOKIE, CSRF_FIELD, SessionAuth, who_of
from ratsraum_meeting.web.render import error_page, language_of, page

log = get_logger(__name__)
router = APIRouter(include_in_schema=False)


def auth_of(request: Request) -> SessionAuth:
    """The app's session handling."""
    auth: SessionAuth = request.app.state.signin
    return auth


def safe_return(target: str | None) -> str:
    """Only a path on this site (no scheme, no //host): open redirects are refused."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target[:2000]


@router.get("/auth/login")
async def login(request: Request, next: str | None = None) -> Response:
    """Start the code flow: a pending session, then off to identity's login page."""
    auth = auth_of(request)
    pending = Pending.new()
    try:
        target = await auth.identity.authorize_url(pending, ui_locales=language_of(request))
    except IdentityUnavailable:
        return error_page(request, "identity_down", status_code=503)
    secret = await store.start(auth.db, pending=pending, return_to=safe_return(next))
    response = RedirectResponse(target, status_code=303)
    auth.set_cookie(response, secret)
    return response


@router.get("/auth/callback")
async def callback(
    request: Request, code: str | None = None, state: str | None = None,
    error: str | None = None,
) -> Response:
    """Check state, redeem the code with the verifier, verify the tokens, start the session."""
    auth = auth_of(request)
    secret = request.cookies.get(COOKIE, "")
    pending = await store.load(auth.db, secret, status="pending")
    if pending is None or not state or state != pending.oauth_state:
        return error_page(request, "login_expired", status_code=400, retry=True)
    if error or not code:
        return error_page(request, "login_refused", status_code=400, retry=True)
    try:
        tokens = await auth.identity.exchange(code=code, verifier=pending.code_verifier)
        principal = await auth.verifier.verify(tokens.access_token)
        identified = await auth.verify_id_token(tokens.id_token, nonce=pending.nonce)
    except IdentityUnavailable:
        return error_page(request, "identity_down", status_code=503)
    except (GrantRefused, InvalidToken) as exc:
        log.info("signin.callback_refused", reason=str(exc))
        return error_page(request, "login_expired", status_code=400, retry=True)
    if identified.subject != principal.subject:
        return error_page(request, "login_expired", status_code=400, retry=True)
    new_secret, _csrf = await store.activate(
        auth.db, pending_secret=secret, tokens=tokens, who=who_of(principal),
        lifetime=auth.lifetime, box=auth.box)
    log.info("signin.started", subject=principal.subject, tenant=principal.tenant)
    response = RedirectResponse(pending.return_to or "/", status_code=303)
    auth.set_cookie(response, new_secret)
    return response


@router.post("/auth/logout")
async def logout(request: Request) -> Response:
    """End our session, revoke the refresh token, and end the sign-in at identity."""
    auth = auth_of(request)
    signed = await auth.signed_in(request)
    form = await request.form()
    submitted = form.get(CSRF_FIELD)
    if signed is not None and not auth.csrf_ok(
            request, signed, submitted if isinstance(submitted, str) else None):
        return error_page(request, "csrf", status_code=403)
    ended = await store.end(auth.db, request.cookies.get(COOKIE, ""))
    target = "/auth/signed-out"
    if ended is not None and ended.status == "active":
        await auth.identity.revoke(refresh_token=auth.box.open(ended.refresh_token) or "")
        target = await auth.identity.end_session_url(id_token=ended.id_token) or target
        log.info("signin.ended", subject=ended.subject)
    response = RedirectResponse(target, status_code=303)
    auth.clear_cookie(response)
    return response


@router.get("/auth/signed-out")
async def signed_out(request: Request) -> Response:
    """Where identity sends the person back after sign-out."""
    return page(request, "signed_out.html", {}, signed=None)
