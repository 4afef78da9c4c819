"""Token, userinfo, discovery and JWKS endpoints."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.responses import Response

from ratsraum_common.auth import CurrentPrincipal
from ratsraum_common.i18n import Msg
from ratsraum_common.problems import Problem
from ratsraum_identity.accounts.service import get_user
from ratsraum_identity.api.deps import identity
from ratsraum_identity.keys.keystore import ALGORITHM
from ratsraum_identity.oauth.client import WEB_SCOPES

router = APIRouter()

_NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


@router.post("/token", include_in_schema=False)
async def token(request: Request) -> Response:
    """Exchange a code (with PKCE verifier) or a refresh token for tokens."""
    return await identity(request).server.token_response(request)


async def _userinfo(request: Request, principal: CurrentPrincipal) -> JSONResponse:
    scope = str(principal.claims.get("scope", "")).split()
    if "openid" not in scope:
        raise Problem(403, "insufficient-scope", Msg(
            "Dieser Zugangstoken berechtigt nicht zum Abruf der Profildaten.",
            "This access token does not grant access to the user info.",
        ), headers={"WWW-Authenticate": 'Bearer error="insufficient_scope", scope="openid"'})
    body: dict[str, Any] = {"sub": principal.subject, "tenant": principal.tenant,
                            "roles": sorted(principal.roles)}
    for claim in ("town_roles", "body_roles", "person"):  # README: "Roles in tokens"
        if claim in principal.claims:
            body[claim] = principal.claims[claim]
    if "profile" in scope:
        user = await get_user(identity(request).db, user_id=principal.subject)
        body["name"] = user.name if user else principal.name
        body["preferred_username"] = user.username if user else None
    return JSONResponse(body, headers=_NO_STORE)


@router.get("/userinfo", summary="OpenID Connect UserInfo")
async def userinfo_get(request: Request, principal: CurrentPrincipal) -> JSONResponse:
    """Claims about the signed-in person (Bearer access token required)."""
    return await _userinfo(request, principal)


@router.post("/userinfo", include_in_schema=False)
async def userinfo_post(request: Request, principal: CurrentPrincipal) -> JSONResponse:
    """Same as GET (OIDC Core 5.3.1 allows both)."""
    return await _userinfo(request, principal)


def discovery_document(issuer: str) -> dict[str, Any]:
    """The OpenID Provider metadata (OIDC Discovery 1.0, RFC 8414)."""
    return {
        "issuer": issuer,
        "authorization_endpoint": f"{issuer}/authorize",
        "token_endpoint": f"{issuer}/token",
        "userinfo_endpoint": f"{issuer}/userinfo",
        "jwks_uri": f"{issuer}/.well-known/jwks.json",
        "end_session_endpoint": f"{issuer}/logout",
        "revocation_endpoint": f"{issuer}/revoke",
        "revocation_endpoint_auth_methods_supported": ["none"],
        "scopes_supported": list(WEB_SCOPES),
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "grant_types_supported": ["authorization_code", "refresh_token"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": [ALGORITHM],
        "token_endpoint_auth_methods_supported": ["none"],
        "code_challenge_methods_supported": ["S256"],
        "claims_supported": ["sub", "iss", "aud", "exp", "iat", "auth_time", "nonce", "amr",
                             "name", "preferred_username", "tenant", "roles"],
        "ui_locales_supported": ["de"],
        "claims_parameter_supported": False,
        "request_parameter_supported": False,
        "request_uri_parameter_supported": False,
        "authorization_response_iss_parameter_supported": False,
    }


@router.get("/.well-known/openid-configuration", summary="OpenID Provider metadata")
async def openid_configuration(request: Request) -> JSONResponse:
    """Where the endpoints are and what they support."""
    return JSONResponse(discovery_document(identity(request).settings.issuer),
                        headers={"Cache-Control": "public, max-age=300"})


@router.get("/.well-known/jwks.json", summary="Public signing keys (JWKS)")
async def jwks(request: Request) -> JSONResponse:
    """The public keys that verify our tokens; all keys in keys_dir, newest first."""
    return JSONResponse(identity(request).keystore.jwks(),
                        headers={"Cache-Control": "public, max-age=60"})
