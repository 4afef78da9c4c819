"""Sign-out: RP-initiated logout (OIDC RP-Initiated Logout 1.0) and token revocation (RFC 7009).

Identity keeps no single-sign-on session: every sign-in shows the login form. What a person
holds after signing in is the web app's refresh token, which the app revokes here (`/revoke`)
before it sends the browser to `/logout`; there we drop the login form's cookie and send the
person back only to a return address registered for the client.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from starlette.responses import JSONResponse, RedirectResponse, Response

from ratsraum_common.logging import get_logger
from ratsraum_identity.accounts import audit
from ratsraum_identity.api.deps import Identity, identity
from ratsraum_identity.keys.keystore import ALGORITHM
from ratsraum_identity.oauth import store
from ratsraum_identity.web.pages import CSRF_COOKIE, error_page, signed_out_page

log = get_logger(__name__)
router = APIRouter()

BAD_HINT = "Die Abmeldeanfrage der Anwendung ist ungültig (unbekanntes ID-Token)."
UNKNOWN_CLIENT = "Die anfragende Anwendung ist bei Ratsraum nicht bekannt."
BAD_RETURN = "Die Rücksprungadresse nach der Abmeldung ist für diese Anwendung nicht registriert."


def _hint_claims(ident: Identity, hint: str) -> dict[str, Any] | None:
    """The claims of an ID token we issued (expired is fine: it is only a hint)."""
    keys = KeySet.import_key_set(ident.keystore.jwks())  # type: ignore[arg-type]
    try:
        decoded = jwt.decode(hint, keys, algorithms=[ALGORITHM])
    except (JoseError, ValueError):
        return None
    claims = decoded.claims
    if claims.get("iss") != ident.settings.issuer:
        return None
    return dict(claims)


def _audience(claims: dict[str, Any]) -> list[str]:
    audience = claims.get("aud")
    return [audience] if isinstance(audience, str) else list(audience or [])


async def _params(request: Request) -> dict[str, str]:
    values = dict(request.query_params)
    if request.method == "POST":
        try:
            form = await request.form()
        except Exception:  # a malformed body is treated as no parameters
            form = None
        if form is not None:
            values.update({k: v for k, v in form.items() if isinstance(v, str)})
    return values


@router.api_route("/logout", methods=["GET", "POST"], include_in_schema=False)
async def end_session(request: Request) -> Response:
    """End the sign-in and return to the client's registered sign-out address."""
    ident = identity(request)
    params = await _params(request)
    client_id = params.get("client_id", "")
    hint = params.get("id_token_hint", "")
    claims: dict[str, Any] = {}
    if hint:
        found = _hint_claims(ident, hint)
        audience = _audience(found) if found is not None else []
        if found is None or (client_id and client_id not in audience):
            return error_page(BAD_HINT)
        claims = found
        client_id = client_id or (audience[0] if audience else "")
    target = params.get("post_logout_redirect_uri", "")
    client = ident.server.query_client(client_id) if client_id else None
    if client_id and client is None:
        return error_page(UNKNOWN_CLIENT)
    secure = ident.settings.secure_cookies
    await audit.record(ident.db, event="logout", tenant=claims.get("tenant"),
                       actor=claims.get("sub"), client=ident.client_of(request),
                       client_id=client_id or None)
    if not target:
        return signed_out_page(secure_cookie=secure)
    if client is None or not client.check_post_logout_redirect_uri(target):
        log.info("identity.logout_refused", reason="unregistered_return")
        return error_page(BAD_RETURN)
    state = params.get("state")
    location = target + (("&" if "?" in target else "?") + urlencode({"state": state})
                         if state else "")
    response = RedirectResponse(location, status_code=303)
    response.delete_cookie(CSRF_COOKIE, path="/", httponly=True, samesite="lax", secure=secure)
    return response


@router.post("/revoke", include_in_schema=False)
async def revoke(request: Request) -> Response:
    """Revoke a refresh token of a public client; answers 200 whether or not it was valid."""
    ident = identity(request)
    params = await _params(request)
    client_id = params.get("client_id", "")
    if ident.server.query_client(client_id) is None:
        body: dict[str, Any] = {"error": "invalid_client"}
        return JSONResponse(body, status_code=401)
    token = params.get("token", "")
    if token and params.get("token_type_hint", "refresh_token") == "refresh_token":
        subject = await store.revoke_refresh_token(ident.db, token=token[:512],
                                                   client_id=client_id)
        if subject is not None:
            await audit.record(ident.db, event="token.revoked", tenant=store.tenant_of(token),
                               actor=subject, client=ident.client_of(request),
                               client_id=client_id)
    return Response(status_code=200, headers={"Cache-Control": "no-store"})
