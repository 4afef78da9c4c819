"""Identity as a relying party of a town's own OpenID provider: request and ID token checks.

The first building block of federation (issue 13, point 5): what identity sends to the town's
provider (code flow with PKCE, state and nonce) and how it checks the ID token that comes back
(signature against the provider's JWKS, issuer, audience, expiry, nonce). Configuration per town,
the callback route and account matching build on this.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import httpx
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

# Algorithms an upstream provider may sign with; never "none" and never symmetric ones.
ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "ES256", "ES384"]
CLOCK_SKEW_SECONDS = 60


class UpstreamTokenRejected(Exception):
    """The upstream ID token failed a check; the reason is for logs, never for the person."""


@dataclass(frozen=True)
class UpstreamRequest:
    """One sign-in at the town's provider: the secrets identity keeps until the callback."""

    state: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    nonce: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    verifier: str = field(default_factory=lambda: secrets.token_urlsafe(48))

    def authorization_url(self, *, endpoint: str, client_id: str, redirect_uri: str,
                          scope: str = "openid email profile") -> str:
        """The upstream authorization URL (code flow, PKCE S256, state and nonce)."""
        query = urlencode({
            "response_type": "code", "client_id": client_id, "redirect_uri": redirect_uri,
            "scope": scope, "state": self.state, "nonce": self.nonce,
            "code_challenge": create_s256_code_challenge(self.verifier),
            "code_challenge_method": "S256",
        })
        return f"{endpoint}{'&' if '?' in endpoint else '?'}{query}"


def verify_id_token(
    token: str, *, jwks: dict[str, Any], issuer: str, client_id: str, nonce: str,
    now: float | None = None,
) -> dict[str, Any]:
    """The claims of an upstream ID token after every check of OIDC Core 3.1.3.7."""
    try:
        keys = KeySet.import_key_set(jwks)  # type: ignore[arg-type]
        decoded = jwt.decode(token, keys, algorithms=ALGORITHMS)
    except (JoseError, ValueError, TypeError) as error:
        raise UpstreamTokenRejected(f"signature: {type(error).__name__}") from error
    claims = dict(decoded.claims)
    if claims.get("iss") != issuer:
        raise UpstreamTokenRejected("issuer")
    audience = claims.get("aud")
    audiences = [audience] if isinstance(audience, str) else list(audience or [])
    if client_id not in audiences:
        raise UpstreamTokenRejected("audience")
    if len(audiences) > 1 and claims.get("azp") != client_id:
        raise UpstreamTokenRejected("authorized party")
    moment = time.time() if now is None else now
    expires = claims.get("exp")
    if not isinstance(expires, int | float) or expires + CLOCK_SKEW_SECONDS < moment:
        raise UpstreamTokenRejected("expired")
    issued = claims.get("iat")
    if isinstance(issued, int | float) and issued - CLOCK_SKEW_SECONDS > moment:
        raise UpstreamTokenRejected("issued in the future")
    if not nonce or not secrets.compare_digest(str(claims.get("nonce", "")), nonce):
        raise UpstreamTokenRejected("nonce")
    if not claims.get("sub"):
        raise UpstreamTokenRejected("subject")
    return claims


@dataclass(frozen=True)
class UpstreamProvider:
    """The endpoints of a town's provider, read from its discovery document."""

    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str


async def discover(http: httpx.AsyncClient, *, issuer: str) -> UpstreamProvider:
    """Read the provider's metadata; its issuer must be exactly the configured one."""
    answer = await http.get(f"{issuer.rstrip('/')}/.well-known/openid-configuration")
    answer.raise_for_status()
    doc = answer.json()
    if doc.get("issuer") != issuer:
        raise UpstreamTokenRejected("issuer of the discovery document")
    return UpstreamProvider(issuer=issuer, authorization_endpoint=doc["authorization_endpoint"],
                            token_endpoint=doc["token_endpoint"], jwks_uri=doc["jwks_uri"])


async def redeem(
    http: httpx.AsyncClient, *, provider: UpstreamProvider, request: UpstreamRequest,
    code: str, client_id: str, redirect_uri: str, client_secret: str | None = None,
) -> dict[str, Any]:
    """Exchange the upstream code (with the PKCE verifier) and return the checked claims."""
    data = {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri,
            "client_id": client_id, "code_verifier": request.verifier}
    if client_secret:  # a confidential client (Keycloak, ADFS, Entra ID): basic auth
        answer = await http.post(provider.token_endpoint, data=data,
                                 auth=httpx.BasicAuth(client_id, client_secret))
    else:
        answer = await http.post(provider.token_endpoint, data=data)
    if answer.status_code != 200:
        raise UpstreamTokenRejected(f"token endpoint answered {answer.status_code}")
    token = answer.json().get("id_token")
    if not isinstance(token, str):
        raise UpstreamTokenRejected("no id_token")
    jwks = (await http.get(provider.jwks_uri)).json()
    return verify_id_token(token, jwks=jwks, issuer=provider.issuer, client_id=client_id,
                           nonce=request.nonce)
