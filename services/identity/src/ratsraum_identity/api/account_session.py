"""The session of a person's own account pages (/account): signed in through the login page.

Identity keeps no single-sign-on session, so the account pages are a client of identity's
own code flow (client `ratsraum-account`, PKCE, no refresh token): the person signs in on the
usual login page, with password, app, passkey or the town's provider, and the callback redeems
the code in-process. The cookie (HttpOnly, SameSite=Lax, path /account) holds the access
token; the standing behind it is read again on every request. Forms carry a CSRF token
derived from that token, and must come from our own origin.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass
from urllib.parse import urlencode

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from ratsraum_common.auth import InvalidToken, KeysUnavailable, Principal
from ratsraum_identity.accounts import service as accounts
from ratsraum_identity.api.deps import identity
from ratsraum_identity.oauth.client import ACCOUNT_CALLBACK, ACCOUNT_CLIENT_ID
from ratsraum_identity.web import form_guard

COOKIE = "ratsraum_account"
FLOW_COOKIE = "ratsraum_account_flow"
PATH = "/account"
HOME = "/account/passkeys"
_FLOW_SECONDS = 900


@dataclass(frozen=True, slots=True)
class AccountSession:
    """A signed-in person on their account pages and the CSRF token of their forms."""

    principal: Principal
    csrf: str
    fresh: bool  # signed in recently enough to add or remove a sign-in means

    @property
    def subject(self) -> str:
        """The person's id."""
        return self.principal.subject

    @property
    def tenant(self) -> str:
        """The town they signed in for."""
        return self.principal.tenant


def csrf_of(token: str) -> str:
    """The CSRF token of the forms of a page session."""
    return form_guard.csrf_of(token, purpose=b"ratsraum-account-pages-csrf")


def start_sign_in(request: Request, *, tenant: str = "") -> Response:
    """Off to the login page with a fresh state and PKCE verifier (kept in a cookie)."""
    ident = identity(request)
    state, verifier = secrets.token_urlsafe(24), secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(
        hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    query = {"client_id": ACCOUNT_CLIENT_ID, "response_type": "code", "scope": "openid",
             "redirect_uri": f"{ident.settings.issuer}{ACCOUNT_CALLBACK}", "state": state,
             "code_challenge": challenge, "code_challenge_method": "S256"}
    if tenant:
        query["tenant"] = tenant[:63]
    response = RedirectResponse(f"/authorize?{urlencode(query)}", status_code=303)
    response.set_cookie(FLOW_COOKIE, f"{state}.{verifier}", max_age=_FLOW_SECONDS, path=PATH,
                        httponly=True, samesite="lax", secure=ident.settings.secure_cookies)
    response.delete_cookie(COOKIE, path=PATH)
    return response


async def finish_sign_in(request: Request) -> Response | None:
    """The callback: redeem the code of our own flow and set the session; None if the
    answer is not the one this browser waited for (the caller shows the error)."""
    ident = identity(request)
    state, _, verifier = request.cookies.get(FLOW_COOKIE, "").partition(".")
    code = request.query_params.get("code", "")[:512]
    if not (state and verifier and code) or not hmac.compare_digest(
            state, request.query_params.get("state", "")):
        return None
    tokens = await ident.server.exchange_code(
        client_id=ACCOUNT_CLIENT_ID, code=code, verifier=verifier,
        redirect_uri=f"{ident.settings.issuer}{ACCOUNT_CALLBACK}")
    if tokens is None:
        return None
    response = RedirectResponse(HOME, status_code=303)
    response.set_cookie(COOKIE, tokens["access_token"], max_age=int(tokens["expires_in"]),
                        path=PATH, httponly=True, samesite="lax",
                        secure=ident.settings.secure_cookies)
    response.delete_cookie(FLOW_COOKIE, path=PATH)
    return response


async def session_of(request: Request) -> AccountSession | None:
    """The signed-in person (standing read again now), or None."""
    token = request.cookies.get(COOKIE, "")
    if not token or len(token) > 4096:
        return None
    try:
        principal = await request.app.state.token_verifier.verify(token)
    except (InvalidToken, KeysUnavailable):
        return None
    ident = identity(request)
    if await accounts.standing_in(ident.db, tenant=principal.tenant,
                                  user_id=principal.subject) is None:
        return None  # suspended town or ended account
    signed_in = principal.claims.get("auth_time")
    fresh = isinstance(signed_in, int | float) and (
        0 <= time.time() - signed_in <= ident.settings.fresh_auth_seconds)
    return AccountSession(principal=principal, csrf=csrf_of(token), fresh=fresh)


async def posted(request: Request, session: AccountSession) -> FormData | None:
    """The submitted form if its CSRF token is the session's and it came from our pages."""
    return await form_guard.checked_form(
        request, csrf=session.csrf, issuer=identity(request).settings.issuer)


def sign_out(request: Request) -> Response:
    """End the account page session (the cookie; the short-lived token expires on its own)."""
    response = RedirectResponse("/logout", status_code=303)  # the signed-out page
    response.delete_cookie(COOKIE, path=PATH, httponly=True, samesite="lax",
                           secure=identity(request).settings.secure_cookies)
    return response
