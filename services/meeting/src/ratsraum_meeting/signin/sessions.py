"""Who a browser is: its session cookie, silently refreshed tokens, and CSRF checks.

The cookie holds only a random id (HttpOnly, SameSite=Lax, Secure over https). Each request
verifies the session's access token with the same TokenVerifier the API uses for bearer
tokens, so a session grants exactly what the token grants. Shortly before the access token
expires it is renewed with the refresh token, which identity rotates on every use.
"""

from __future__ import annotations

import asyncio
import hmac
import weakref
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from starlette.requests import Request

from ratsraum_common.auth import InvalidToken, Principal, TokenVerifier
from ratsraum_common.db import Database
from ratsraum_common.i18n import Msg
from ratsraum_common.logging import get_logger
from ratsraum_common.problems import Problem
from ratsraum_common.secret_box import SecretBox
from ratsraum_meeting.signin import store
from ratsraum_meeting.signin.models import WebSession
from ratsraum_meeting.signin.oidc import GrantRefused, IdentityClient, IdentityUnavailable, TokenSet
from ratsraum_meeting.timeutil import now, utc

log = get_logger(__name__)
COOKIE = "ratsraum_session"
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"
REFRESH_MARGIN = timedelta(seconds=60)
UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})


@dataclass(frozen=True, slots=True)
class SignedIn:
    """A browser's active session: the verified principal and its CSRF token."""

    principal: Principal
    csrf_token: str
    id_hash: str
    access_token: str


def _fresh(row: WebSession) -> bool:
    """The session's access token is good for more than the refresh margin."""
    return (row.access_expires_at is not None
            and utc(row.access_expires_at) - REFRESH_MARGIN > now())


def who_of(principal: Principal) -> store.Who:
    """The session fields taken from a verified access token."""
    expires = principal.claims.get("exp")
    moment = (datetime.fromtimestamp(float(expires), UTC) if isinstance(expires, int | float)
              else now())
    return store.Who(tenant=principal.tenant, subject=principal.subject, name=principal.name,
                     roles=sorted(principal.roles), access_expires_at=moment)


@dataclass
class SessionAuth:
    """The web app's sign-in state, kept on app.state.signin."""

    db: Database
    identity: IdentityClient
    verifier: TokenVerifier
    public_url: str
    # Seals the refresh tokens in web_sessions; a session it cannot open counts as signed out.
    box: SecretBox
    lifetime: timedelta = timedelta(hours=12)
    _locks: weakref.WeakValueDictionary[str, asyncio.Lock] = field(
        default_factory=weakref.WeakValueDictionary)

    @property
    def secure(self) -> bool:
        """Cookies are Secure when the app is served over https."""
        return self.public_url.startswith("https://")

    @property
    def origin(self) -> str:
        """scheme://host[:port] of the public URL, for the Origin check."""
        parts = urlsplit(self.public_url)
        return f"{parts.scheme}://{parts.netloc}"

    async def verify_id_token(self, id_token: str, *, nonce: str) -> Principal:
        """Check the ID token: our issuer, audience this client, signature, and the nonce."""
        checker = self.verifier.for_audience(self.identity.client_id)
        principal = await checker.verify(id_token)
        if not hmac.compare_digest(str(principal.claims.get("nonce", "")), nonce):
            raise InvalidToken("nonce mismatch")
        return principal

    async def signed_in(self, request: Request) -> SignedIn | None:
        """The browser's active session (refreshed if due), or None; cached per request."""
        if hasattr(request.state, "signed_in"):
            cached: SignedIn | None = request.state.signed_in
            return cached
        result = await self._load(request.cookies.get(COOKIE, ""))
        request.state.signed_in = result
        return result

    async def _load(self, secret: str) -> SignedIn | None:
        row = await store.load(self.db, secret, status="active")
        if row is None:
            return None
        if self.box.open(row.refresh_token) is None:
            # Sealed with a key we no longer hold (or never sealed): sign in again.
            log.warning("signin.session_unreadable")
            await store.end_by_hash(self.db, row.id_hash)
            return None
        if not _fresh(row):
            refreshed = await self._refresh(row)
            if refreshed is None:
                return None
            row = refreshed
        try:
            principal = await self.verifier.verify(row.access_token)
        except InvalidToken:
            return None
        return SignedIn(principal=principal, csrf_token=row.csrf_token, id_hash=row.id_hash,
                        access_token=row.access_token)

    async def _refresh(self, row: WebSession) -> WebSession | None:
        """Renew the tokens once per session even when requests race (one lock each)."""
        # Weak values: the lock lives as long as a request holds or awaits it.
        lock = self._locks.get(row.id_hash)
        if lock is None:
            lock = self._locks[row.id_hash] = asyncio.Lock()
        async with lock:
            return await self._refresh_locked(row.id_hash)

    async def _current(self, id_hash: str) -> WebSession | None:
        async with self.db.system_session() as session:
            return await session.get(WebSession, id_hash)

    async def _refresh_locked(self, id_hash: str) -> WebSession | None:
        current = await self._current(id_hash)
        if current is None:
            return None
        if _fresh(current):
            return current  # a racing request renewed it already
        used = current.refresh_token
        plain = self.box.open(used)
        if plain is None:
            await store.end_by_hash(self.db, id_hash)
            return None
        try:
            tokens = await self.identity.refresh(refresh_token=plain)
            principal = await self.verifier.verify(tokens.access_token)
        except GrantRefused:
            # Another replica may have rotated it a moment ago: then its tokens are ours too.
            again = await self._current(id_hash)
            if again is not None and again.refresh_token != used and _fresh(again):
                return again
            log.info("signin.refresh_refused")
            await store.end_by_hash(self.db, id_hash)
            return None
        except (IdentityUnavailable, InvalidToken) as exc:
            log.warning("signin.refresh_failed", error=str(exc))
            return None
        await self._keep(current, tokens, principal)
        return current

    async def _keep(self, row: WebSession, tokens: TokenSet, principal: Principal) -> None:
        who = who_of(principal)
        stored = await store.store_refreshed(self.db, id_hash=row.id_hash,
                                             old_refresh=row.refresh_token, tokens=tokens,
                                             who=who, box=self.box)
        if stored is not None:
            row.access_token, row.access_expires_at = tokens.access_token, who.access_expires_at
            row.refresh_token = stored
            log.info("signin.refreshed", subject=who.subject)

    def origin_ok(self, request: Request) -> bool:
        """Unsafe requests must come from our own pages (Origin, else Referer, if sent)."""
        origin = request.headers.get("origin")
        if origin is None:
            referer = request.headers.get("referer")
            if referer is None:
                return True  # old browsers and privacy settings; the CSRF token still holds
            parts = urlsplit(referer)
            origin = f"{parts.scheme}://{parts.netloc}"
        return origin == self.origin

    def csrf_ok(self, request: Request, signed: SignedIn, submitted: str | None) -> bool:
        """The per-session token (header or form field) matches and the origin is ours."""
        return (bool(submitted) and hmac.compare_digest(signed.csrf_token, submitted or "")
                and self.origin_ok(request))

    def set_cookie(self, response: object, secret: str) -> None:
        """Put the session id in the browser (no token ever goes there)."""
        response.set_cookie(  # type: ignore[attr-defined]
            COOKIE, secret, max_age=int(self.lifetime.total_seconds()), path="/",
            httponly=True, samesite="lax", secure=self.secure)

    def clear_cookie(self, response: object) -> None:
        """Forget the session id in the browser."""
        response.delete_cookie(  # type: ignore[attr-defined]
            COOKIE, path="/", httponly=True, samesite="lax", secure=self.secure)


_CSRF_FAILED = Msg(
    "Die Anfrage kam nicht sicher von einer Ratsraum-Seite (Schutz vor fremden Formularen). "
    "Bitte laden Sie die Seite neu und versuchen Sie es noch einmal.",
    "The request did not come safely from a Ratsraum page (cross-site request protection). "
    "Please reload the page and try again.",
)


def session_authenticator(auth: SessionAuth) -> Callable[[Request], Awaitable[Principal | None]]:
    """The API's fallback to the session cookie; unsafe methods need the CSRF header."""

    async def authenticate(request: Request) -> Principal | None:
        signed = await auth.signed_in(request)
        if signed is None:
            return None
        if request.method in UNSAFE and not auth.csrf_ok(
                request, signed, request.headers.get(CSRF_HEADER)):
            raise Problem(403, "csrf-failed", _CSRF_FAILED)
        return signed.principal

    return authenticate
