"""Access-token verification shared by every service that accepts user requests.

Tokens are JWTs (RFC 9068) signed by identity. We check the signature against identity's
JWKS (refetched when an unknown key id shows up, for key rotation), the issuer, the audience,
expiry and not-before, and read the tenant and roles from the claims.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Annotated, Any

import httpx
from fastapi import Depends, Request
from joserfc import jwt
from joserfc.errors import InvalidKeyIdError, JoseError
from joserfc.jwk import KeySet

from ratsraum_common.db import TENANT_PATTERN
from ratsraum_common.i18n import Msg
from ratsraum_common.logging import get_logger
from ratsraum_common.problems import Problem

log = get_logger(__name__)

ALGORITHMS = ["RS256", "ES256"]
ROLES = ("operator", "admin", "clerk", "chair", "member")


class InvalidToken(Exception):
    """The token is missing, malformed, forged, expired or meant for someone else."""


class KeysUnavailable(Exception):
    """Identity's published keys could not be fetched: no token can be checked right now."""


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling: the verified subject, the town they act for, and their roles there."""

    subject: str
    tenant: str
    roles: frozenset[str]
    name: str = ""
    claims: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def has_any(self, *roles: str) -> bool:
        """True if the principal holds at least one of the roles."""
        return bool(self.roles.intersection(roles))


class TokenVerifier:
    """Verifies access tokens against identity's published keys."""

    def __init__(
        self,
        *,
        issuer: str,
        audience: str,
        jwks_url: str,
        leeway_seconds: int = 30,
        refresh_cooldown_seconds: float = 30.0,
        fetch: Callable[[str], Awaitable[dict[str, Any]]] | None = None,
        cache_size: int = 10_000,
    ) -> None:
        self.issuer = issuer
        self.audience = audience
        self.jwks_url = jwks_url
        self.leeway = leeway_seconds
        self.refresh_cooldown = refresh_cooldown_seconds
        self._fetch = fetch or _fetch_json
        self._keys: KeySet | None = None
        self._fetched_at = 0.0
        self._lock = asyncio.Lock()
        # Verified tokens until their expiry (bounded LRU): a member's phone sends the same
        # token with every request, and the signature check is the costly part.
        self._cache: OrderedDict[str, tuple[Principal, float]] = OrderedDict()
        self._cache_size = cache_size

    async def _keyset(self, *, refresh: bool = False) -> KeySet:
        async with self._lock:
            stale = time.monotonic() - self._fetched_at > self.refresh_cooldown
            if self._keys is None or (refresh and stale):
                self._keys = KeySet.import_key_set(await self._fetch(self.jwks_url))  # type: ignore[arg-type]
                self._fetched_at = time.monotonic()
            return self._keys

    async def verify(self, token: str) -> Principal:
        """Return the principal of a valid token; raise InvalidToken otherwise."""
        hit = self._cache.get(token)
        if hit is not None:
            if time.time() < hit[1]:
                self._cache.move_to_end(token)
                return hit[0]
            self._cache.pop(token, None)
        principal = await self._verify(token)
        expires = principal.claims.get("exp")
        if self._cache_size > 0 and isinstance(expires, int | float):
            self._cache[token] = (principal, float(expires))
            if len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
        return principal

    async def _verify(self, token: str) -> Principal:
        """Check signature and claims of a token (uncached)."""
        keys = await self._keyset()
        try:
            decoded = jwt.decode(token, keys, algorithms=ALGORITHMS)
        except InvalidKeyIdError:
            # Unknown key id: identity may have rotated its keys since we last looked.
            keys = await self._keyset(refresh=True)
            try:
                decoded = jwt.decode(token, keys, algorithms=ALGORITHMS)
            except (JoseError, ValueError) as exc:
                raise InvalidToken(str(exc)) from exc
        except (JoseError, ValueError) as exc:
            raise InvalidToken(str(exc)) from exc
        registry = jwt.JWTClaimsRegistry(
            leeway=self.leeway,
            iss={"essential": True, "value": self.issuer},
            aud={"essential": True, "value": self.audience},
            exp={"essential": True},
            sub={"essential": True},
        )
        try:
            registry.validate(decoded.claims)
        except JoseError as exc:
            raise InvalidToken(str(exc)) from exc
        claims = decoded.claims
        tenant = claims.get("tenant")
        if not isinstance(tenant, str) or not TENANT_PATTERN.match(tenant):
            raise InvalidToken("token carries no valid tenant")
        roles = claims.get("roles", [])
        if not isinstance(roles, list) or not all(isinstance(r, str) for r in roles):
            raise InvalidToken("roles claim is malformed")
        return Principal(
            subject=str(claims["sub"]), tenant=tenant, roles=frozenset(roles),
            name=str(claims.get("name", "")), claims=dict(claims),
        )


async def _fetch_json(url: str) -> dict[str, Any]:
    async with httpx.AsyncClient(timeout=5.0) as client:
        try:
            response = await client.get(url)
            response.raise_for_status()
            data = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise KeysUnavailable(f"JWKS at {url}: {exc}") from exc
        if not isinstance(data, dict):
            raise InvalidToken("JWKS is not a JSON object")
        return data


_UNAUTHENTICATED = Msg(
    "Bitte melden Sie sich an: Der Zugangstoken fehlt, ist abgelaufen oder ungültig.",
    "Please sign in: the access token is missing, expired or invalid.",
)
_KEYS_UNAVAILABLE = Msg(
    "Die Anmeldung kann gerade nicht geprüft werden; bitte gleich erneut versuchen.",
    "Sign-ins cannot be checked right now; please try again shortly.",
)
_FORBIDDEN = Msg(
    "Für diese Aktion fehlt Ihnen die Rolle ({roles}).",
    "You lack the role needed for this action ({roles}).",
)


async def current_principal(request: Request) -> Principal:
    """FastAPI dependency: the verified caller, or a 401 problem."""
    verifier: TokenVerifier = request.app.state.token_verifier
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise Problem(401, "unauthenticated", _UNAUTHENTICATED,
                      headers={"WWW-Authenticate": 'Bearer realm="ratsraum"'})
    try:
        principal = await verifier.verify(token.strip())
    except InvalidToken as exc:
        log.info("auth.token_rejected", reason=str(exc))
        raise Problem(
            401, "unauthenticated", _UNAUTHENTICATED,
            headers={"WWW-Authenticate": 'Bearer realm="ratsraum", error="invalid_token"'},
        ) from exc
    except KeysUnavailable as exc:
        log.warning("auth.keys_unavailable", reason=str(exc))
        raise Problem(503, "auth-keys-unavailable", _KEYS_UNAVAILABLE,
                      headers={"Retry-After": "5"}) from exc
    return principal


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]


def require_roles(*roles: str) -> Callable[[Principal], Awaitable[Principal]]:
    """FastAPI dependency factory: the caller must hold one of these roles (else 403)."""

    async def check(principal: CurrentPrincipal) -> Principal:
        if not principal.has_any(*roles):
            raise Problem(403, "forbidden", _FORBIDDEN, roles=", ".join(roles))
        return principal

    return check
