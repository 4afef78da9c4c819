"""API tokens of operators and town admins, and the dependencies that check them.

`POST /api/v1/admin-tokens` takes username, password and a TOTP code (operators always;
town admins when their town requires a second factor of staff, the default) and returns a
short-lived JWT of its own type (`ratsraum-admin+jwt`) and audience, so it is never mistaken
for an access token of the meeting API. Town admin calls also accept the web app's normal
access token. Either way the caller's standing is read again on every request: a suspended
town, a deactivated account or a removed admin role stops working at once.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Request
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from pydantic import BaseModel, Field

from ratsraum_common.auth import InvalidToken, KeysUnavailable
from ratsraum_common.i18n import Msg
from ratsraum_common.problems import Problem
from ratsraum_identity.accounts import audit
from ratsraum_identity.accounts import service as accounts
from ratsraum_identity.accounts.second_factor import check_totp, mfa_required, totp_of
from ratsraum_identity.api.client_address import limiter_key
from ratsraum_identity.api.deps import Identity, identity
from ratsraum_identity.keys.keystore import ALGORITHM
from ratsraum_identity.operators.service import authenticate_operator, get_operator

TYPE = "ratsraum-admin+jwt"
router = APIRouter(prefix="/api/v1", tags=["admin"])

BAD_LOGIN = Msg("Benutzername, Passwort oder Code ist falsch.",
                "Username, password or code is wrong.")
NEEDS_APP = Msg("Ihre Kommune verlangt einen zweiten Faktor; bitte melden Sie sich einmal im "
                "Browser an und richten Sie dort eine Authenticator-App ein.",
                "Your town requires a second factor; sign in once in the browser and set up "
                "an authenticator app there.")
RATE_LIMITED = Msg("Zu viele fehlgeschlagene Anmeldeversuche; bitte einige Minuten warten.",
                   "Too many failed sign-ins; please wait a few minutes.")
UNAUTHENTICATED = Msg("Bitte melden Sie sich an: Das Token fehlt, ist abgelaufen oder ungültig.",
                      "Please sign in: the token is missing, expired or invalid.")
NOT_OPERATOR = Msg("Nur der Betrieb (Operator) darf das.", "Only an operator may do this.")
NOT_ADMIN = Msg("Nur die Administration der Kommune darf das.",
                "Only the town's admin may do this.")


class TokenRequest(BaseModel):
    """Credentials for an API token; without `tenant` the account is an operator's."""

    username: str = Field(min_length=1, max_length=320)
    password: str = Field(min_length=1, max_length=1024)
    otp: str = Field(default="", max_length=12)
    tenant: str | None = Field(default=None, pattern=r"^[a-z][a-z0-9-]{1,62}$")


class TokenResponse(BaseModel):
    """A bearer token for the admin API."""

    access_token: str
    token_type: Literal["Bearer"] = "Bearer"  # noqa: S105 - the scheme, not a secret
    expires_in: int
    kind: Literal["operator", "town"]
    tenant: str | None = None


@dataclass(frozen=True, slots=True)
class Actor:
    """Who calls the admin API: an operator, or an admin of one town."""

    kind: str
    subject: str
    tenant: str | None
    client: str


def _audience(issuer: str) -> str:
    return f"{issuer}/api/v1/admin"


def issue_admin_token(ident: Identity, *, kind: str, subject: str, tenant: str | None,
           amr: list[str]) -> TokenResponse:
    now = int(time.time())
    life = ident.settings.admin_token_lifetime_seconds
    claims = {"iss": ident.settings.issuer, "aud": _audience(ident.settings.issuer),
              "sub": subject, "iat": now, "exp": now + life, "jti": secrets.token_urlsafe(12),
              "kind": kind, "amr": amr}
    if tenant:
        claims["tenant"] = tenant
    key = ident.keystore.signing_key
    token = jwt.encode({"alg": ALGORITHM, "kid": key.kid, "typ": TYPE}, claims,
                       ident.keystore.signing_keyset())
    return TokenResponse(access_token=token, expires_in=life, kind=kind,
                         tenant=tenant)


async def town_login(ident: Identity, body: TokenRequest) -> str | None:
    """The subject if the town admin's password (and code, where required) match."""
    assert body.tenant
    user = await accounts.authenticate(ident.db, username=body.username.lower()
                                       if "@" in body.username else body.username,
                                       password=body.password, passwords=ident.passwords)
    if user is None:
        return None
    standing = await accounts.standing_in(ident.db, tenant=body.tenant, user_id=user.id)
    town = await accounts.get_tenant(ident.db, tenant_id=body.tenant)
    if standing is None or town is None or "admin" not in standing.town_roles:
        return None
    app = await totp_of(ident.db, user_id=user.id)
    if mfa_required(town, standing.roles) and app is None:
        raise Problem(403, "second-factor-required", NEEDS_APP)
    if (app is not None or body.otp) and not await check_totp(
            ident.db, user_id=user.id, code=body.otp, box=ident.secrets):
        return None
    return user.id


@router.post("/admin-tokens", response_model=TokenResponse, status_code=201)
async def admin_token(body: TokenRequest, request: Request) -> TokenResponse:
    """An API token for an operator (password + TOTP) or a town admin."""
    ident = identity(request)
    client = ident.client_of(request)
    key = limiter_key(client)
    if ident.limiter.check(username=body.username, client=key) is not None:
        await audit.record(ident.db, event="admin_token.rate_limited", tenant=body.tenant,
                           actor=None, client=client)
        raise Problem(429, "rate-limited", RATE_LIMITED, headers={"Retry-After": "60"})
    if body.tenant is None:
        operator = await authenticate_operator(
            ident.db, username=body.username, password=body.password, otp=body.otp,
            passwords=ident.passwords, box=ident.secrets)
        subject = operator.id if operator else None
    else:
        subject = await town_login(ident, body)
    if subject is None:
        ident.limiter.failed(username=body.username, client=key)
        await audit.record(ident.db, event="admin_token.refused", tenant=body.tenant,
                           actor=None, client=client,
                           kind="town" if body.tenant else "operator")
        raise Problem(401, "invalid-credentials", BAD_LOGIN)
    ident.limiter.succeeded(username=body.username, client=key)
    kind = "town" if body.tenant else "operator"
    await audit.record(ident.db, event="admin_token.issued", tenant=body.tenant, actor=subject,
                       client=client, kind=kind)
    return issue_admin_token(ident, kind=kind, subject=subject, tenant=body.tenant,
                  amr=["pwd", "otp", "mfa"] if body.otp else ["pwd"])


def _bearer(request: Request) -> str:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Problem(401, "unauthenticated", UNAUTHENTICATED,
                      headers={"WWW-Authenticate": 'Bearer realm="ratsraum-admin"'})
    return token.strip()


def _admin_claims(ident: Identity, token: str) -> dict[str, object] | None:
    """The claims of one of our admin tokens, or None if it is not one (or not valid)."""
    keys = KeySet.import_key_set(ident.keystore.jwks())  # type: ignore[arg-type]
    try:
        decoded = jwt.decode(token, keys, algorithms=[ALGORITHM])
        if decoded.header.get("typ") != TYPE:
            return None
        jwt.JWTClaimsRegistry(
            leeway=30, iss={"essential": True, "value": ident.settings.issuer},
            aud={"essential": True, "value": _audience(ident.settings.issuer)},
            exp={"essential": True}, sub={"essential": True},
        ).validate(decoded.claims)
    except (JoseError, ValueError):
        return None
    return dict(decoded.claims)


def _refused(message: Msg = UNAUTHENTICATED) -> Problem:
    return Problem(401, "unauthenticated", message,
                   headers={"WWW-Authenticate": 'Bearer realm="ratsraum-admin", '
                                                'error="invalid_token"'})


async def operator_of_token(request: Request, token: str) -> Actor:
    """The operator an admin token stands for (read again now), else a 401/403 Problem."""
    ident = identity(request)
    claims = _admin_claims(ident, token)
    if claims is None:
        raise _refused()
    if claims.get("kind") != "operator":
        raise Problem(403, "forbidden", NOT_OPERATOR)
    subject = str(claims["sub"])
    if await get_operator(ident.db, operator_id=subject) is None:
        raise _refused()
    return Actor(kind="operator", subject=subject, tenant=None, client=ident.client_of(request))


async def operator_actor(request: Request) -> Actor:
    """Dependency: the calling operator (admin token of kind operator), else 401/403."""
    return await operator_of_token(request, _bearer(request))


async def town_admin_of_token(request: Request, token: str) -> Actor:
    """The town admin a token stands for (admin token or the web app's access token), with
    the standing read again now; else a 401/403 Problem."""
    ident = identity(request)
    claims = _admin_claims(ident, token)
    if claims is not None:
        if claims.get("kind") != "town":
            raise Problem(403, "forbidden", NOT_ADMIN)
        subject, tenant = str(claims["sub"]), str(claims.get("tenant", ""))
    else:
        try:
            principal = await request.app.state.token_verifier.verify(token)
        except (InvalidToken, KeysUnavailable) as exc:
            raise _refused() from exc
        subject, tenant = principal.subject, principal.tenant
    standing = await accounts.standing_in(ident.db, tenant=tenant, user_id=subject)
    if standing is None:
        raise _refused()  # suspended town or ended account: the token no longer works
    if "admin" not in standing.town_roles:
        raise Problem(403, "forbidden", NOT_ADMIN)
    return Actor(kind="town", subject=subject, tenant=tenant, client=ident.client_of(request))


async def town_admin_actor(request: Request) -> Actor:
    """Dependency: an admin of a town (admin token or the web app's access token)."""
    return await town_admin_of_token(request, _bearer(request))


OperatorActor = Annotated[Actor, Depends(operator_actor)]
TownAdminActor = Annotated[Actor, Depends(town_admin_actor)]
