"""Access-token verification shared by every service that accepts user requests.

Tokens are JWTs (RFC 9068) signed by identity. We check the token type (`at+jwt`, so an ID
token cannot stand in for an access token), the signature against identity's JWKS, the issuer,
the audience, expiry and not-before, and read the tenant and roles from the claims.

Key rotation: the JWKS is refetched when an unknown key id shows up (at most once per
cooldown, so a flood of made-up key ids cannot hammer identity) and whenever it is older than
`jwks_max_age_seconds`, so a key identity has retired stops being trusted within that time;
verified tokens signed with a retired key leave the cache at that moment too.
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
# RFC 9068 section 2.1: access tokens carry typ "at+jwt" (the media type form is allowed too).
ACCESS_TOKEN_TYPES = frozenset({"at+jwt", "application/at+jwt"})
ROLES = ("operator", "admin", "clerk", "chair", "member")
# Roles a person holds in one body (Gremium); identity lists them in the token's `body_roles`
# as objects {"body": "<body id>", "role": "<role>"} (see parse_roles).
BODY_ROLES = ("member", "deputy", "chair", "vice_chair", "clerk")
# Town-wide roles that keep their meaning whatever body a request is about.
TOWN_ROLES = frozenset({"operator", "admin"})
# Second factors in `amr` (RFC 8176): "mfa" itself, a one-time code, a hardware key.
SECOND_FACTORS = frozenset({"mfa", "otp", "hwk", "swk", "sc"})


class InvalidToken(Exception):
    """The token is missing, malformed, forged, expired or meant for someone else."""


class AccessEnded(InvalidToken):
    """A genuine token that no longer counts: its account or town was ended since it was issued.

    Carries the answer for the caller (401 to sign in again, 403 for a suspended town).
    """

    def __init__(self, reason: str, *, status: int, code: str, message: Msg) -> None:
        super().__init__(reason)
        self.status, self.code, self.message = status, code, message




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
    # (body id, role) pairs from the token's body roles; empty in tokens of the old shape.
    body_roles: frozenset[tuple[str, str]] = frozenset()
    # Roles held in the whole town; None in old-shape tokens, where every role is town-wide.
    town_roles: frozenset[str] | None = None

    def has_any(self, *roles: str) -> bool:
        """True if the principal holds at least one of the roles."""
        return bool(self.roles.intersection(roles))

    @property
    def body_scoped(self) -> bool:
        """The token names roles per body (identity's current shape), not only town-wide."""
        return self.town_roles is not None

    @property
    def wide_roles(self) -> frozenset[str]:
        """The roles held in the whole town (all of them in an old-shape token)."""
        return self.roles if self.town_roles is None else self.town_roles

    def roles_in(self, body_id: str) -> frozenset[str]:
        """The roles the token gives for one body."""
        return frozenset(role for body, role in self.body_roles if body == body_id)

    @property
    def second_factor(self) -> bool:
        """The sign-in used a second factor (its `amr` says so)."""
        amr = self.claims.get("amr")
        return isinstance(amr, list) and bool(SECOND_FACTORS.intersection(map(str, amr)))


# Checks a verified principal against what happened since its token was issued; raises
# AccessEnded. Set by a service that hears of deactivations (meeting).
AccessGate = Callable[[Principal], Awaitable[None]]


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
        jwks_max_age_seconds: float = 300.0,
        fetch: Callable[[str], Awaitable[dict[str, Any]]] | None = None,
        cache_size: int = 10_000,
        access_tokens_only: bool = True,
    ) -> None:
        self.issuer = issuer
        self.audience = audience
        self.jwks_url = jwks_url
        self.leeway = leeway_seconds
        self.refresh_cooldown = refresh_cooldown_seconds
        self.jwks_max_age = jwks_max_age_seconds
        self.access_tokens_only = access_tokens_only
        self._fetch = fetch or _fetch_json
        self._keys: KeySet | None = None
        self._kids: frozenset[str] = frozenset()
        self._fetched_at = 0.0
        self._attempted_at = 0.0
        self._lock = asyncio.Lock()
        # Verified tokens until their expiry (bounded LRU): a member's phone sends the same
        # token with every request, and the signature check is the costly part.
        # Entries: principal, expiry, and the key id that signed it (dropped when it retires).
        self._cache: OrderedDict[str, tuple[Principal, float, str]] = OrderedDict()
        self._cache_size = cache_size
        # Asked on every verify, cached or not: a token can end before it expires.
        self.gate: AccessGate | None = None

    def for_audience(self, audience: str) -> TokenVerifier:
        """A verifier of the same issuer for another audience and any token type (ID tokens)."""
        return TokenVerifier(issuer=self.issuer, audience=audience, jwks_url=self.jwks_url,
                             leeway_seconds=self.leeway, fetch=self._fetch, cache_size=0,
                             refresh_cooldown_seconds=self.refresh_cooldown,
                             jwks_max_age_seconds=self.jwks_max_age, access_tokens_only=False)

    async def _keyset(self, *, unknown_kid: bool = False) -> KeySet:
        async with self._lock:
            now = time.monotonic()
            cooled = now - self._attempted_at > self.refresh_cooldown
            aged = now - self._fetched_at > self.jwks_max_age
            current = self._keys
            if current is not None and not (cooled and (unknown_kid or aged)):
                return current
            self._attempted_at = now
            try:
                fetched = await self._fetch(self.jwks_url)
                keys = KeySet.import_key_set(fetched)  # type: ignore[arg-type]
            except Exception as exc:
                if current is None:  # nothing to check against: the caller may retry later
                    raise KeysUnavailable(f"signing keys unavailable: {exc}") from exc
                # Identity unreachable: keep the keys we have and try again after the
                # cooldown, rather than refusing every request of every member.
                log.warning("auth.jwks_refresh_failed", error=str(exc))
                return current
            self._install(keys, now)
            return keys

    def _install(self, keys: KeySet, now: float) -> None:
        kids = frozenset(str(k.kid) for k in keys.keys if k.kid)
        retired = self._kids - kids
        if retired:
            for token, entry in list(self._cache.items()):
                if entry[2] in retired:
                    del self._cache[token]
            log.info("auth.keys_retired", kids=sorted(retired))
        self._keys, self._kids, self._fetched_at = keys, kids, now

    async def verify(self, token: str) -> Principal:
        """Return the principal of a valid token; raise InvalidToken otherwise."""
        if self._keys is not None and time.monotonic() - self._fetched_at > self.jwks_max_age:
            await self._keyset()  # drops cached tokens whose key was retired meanwhile
        hit = self._cache.get(token)
        if hit is not None:
            if time.time() < hit[1]:
                self._cache.move_to_end(token)
                if self.gate is not None:
                    await self.gate(hit[0])
                return hit[0]
            self._cache.pop(token, None)
        principal, kid = await self._verify(token)
        expires = principal.claims.get("exp")
        if self._cache_size > 0 and isinstance(expires, int | float):
            self._cache[token] = (principal, float(expires), kid)
            if len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
        if self.gate is not None:
            await self.gate(principal)
        return principal

    async def _verify(self, token: str) -> tuple[Principal, str]:
        """Check type, signature and claims of a token (uncached); also the signing kid."""
        keys = await self._keyset()
        try:
            decoded = jwt.decode(token, keys, algorithms=ALGORITHMS)
        except InvalidKeyIdError:
            # Unknown key id: identity may have rotated its keys since we last looked.
            keys = await self._keyset(unknown_kid=True)
            try:
                decoded = jwt.decode(token, keys, algorithms=ALGORITHMS)
            except (JoseError, ValueError) as exc:
                raise InvalidToken(str(exc)) from exc
        except (JoseError, ValueError) as exc:
            raise InvalidToken(str(exc)) from exc
        typ = str(decoded.header.get("typ", "")).lower()
        if self.access_tokens_only and typ not in ACCESS_TOKEN_TYPES:
            raise InvalidToken(f"not an access token (typ {typ or 'missing'!r})")
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
        roles, town_roles, body_roles = parse_roles(claims)
        principal = Principal(
            subject=str(claims["sub"]), tenant=tenant, roles=roles,
            name=str(claims.get("name", "")), claims=dict(claims), body_roles=body_roles,
            town_roles=town_roles,
        )
        return principal, str(decoded.header.get("kid", ""))


def parse_roles(
    claims: dict[str, Any],
) -> tuple[frozenset[str], frozenset[str] | None, frozenset[tuple[str, str]]]:
    """The roles of a token: all role names, the town-wide ones, and (body, role) pairs.

    Identity's shape (services/identity/README.md, "Roles in tokens"): `roles` lists every
    role name, `town_roles` those held in the whole town, `body_roles` objects
    {"body": id, "role": one of BODY_ROLES}. Objects inside `roles` are read as body roles
    too. A token without either split is of the old shape: town-wide roles only (None).
    Anything else raises InvalidToken.
    """
    roles = claims.get("roles", [])
    if not isinstance(roles, list):
        raise InvalidToken("roles claim is malformed")
    names = {r for r in roles if isinstance(r, str)}
    scoped = _body_roles([r for r in roles if not isinstance(r, str)])
    town: frozenset[str] | None = None
    if scoped:  # objects inside `roles`: its strings are the town-wide roles
        town = frozenset(names)
    if "body_roles" in claims:
        listed = claims["body_roles"]
        if not isinstance(listed, list):
            raise InvalidToken("body_roles claim is malformed")
        scoped |= _body_roles(listed)
        town = frozenset(names) & TOWN_ROLES if town is None else town
    if "town_roles" in claims:
        wide = claims["town_roles"]
        if not isinstance(wide, list) or not all(isinstance(r, str) for r in wide):
            raise InvalidToken("town_roles claim is malformed")
        town = frozenset(wide)
    every = frozenset(names | {role for _body, role in scoped} | (town or frozenset()))
    return every, town, frozenset(scoped)


def _body_roles(entries: list[Any]) -> set[tuple[str, str]]:
    found: set[tuple[str, str]] = set()
    for entry in entries:
        if not (isinstance(entry, dict) and isinstance(entry.get("body"), str)
                and entry["body"] and entry.get("role") in BODY_ROLES):
            raise InvalidToken("body role is malformed")
        found.add((entry["body"], entry["role"]))
    return found


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


SessionAuthenticator = Callable[[Request], Awaitable[Principal | None]]


async def current_principal(request: Request) -> Principal:
    """FastAPI dependency: the verified caller, or a 401 problem.

    A bearer token comes first. Without one, a service may accept its own sign-in sessions:
    `app.state.session_authenticator` (if set) returns the session's principal or None, and
    raises a problem itself when a session request fails its CSRF check.
    """
    verifier: TokenVerifier = request.app.state.token_verifier
    header = request.headers.get("authorization", "")
    if not header:
        sessions: SessionAuthenticator | None = getattr(
            request.app.state, "session_authenticator", None)
        if sessions is not None:
            found = await sessions(request)
            if found is not None:
                return found
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise Problem(401, "unauthenticated", _UNAUTHENTICATED,
                      headers={"WWW-Authenticate": 'Bearer realm="ratsraum"'})
    try:
        principal = await verifier.verify(token.strip())
    except AccessEnded as exc:
        log.info("auth.access_ended", reason=str(exc))
        headers = ({"WWW-Authenticate": 'Bearer realm="ratsraum", error="invalid_token"'}
                   if exc.status == 401 else None)
        raise Problem(exc.status, exc.code, exc.message, headers=headers) from exc
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
