"""meeting as an OpenID Connect client of identity: code flow with PKCE, refresh, sign-out."""

from __future__ import annotations

import asyncio
import secrets
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import httpx
from authlib.oauth2.rfc7636 import create_s256_code_challenge

from ratsraum_common.logging import get_logger

log = get_logger(__name__)
DISCOVERY_SECONDS = 300.0


class IdentityUnavailable(Exception):
    """identity did not answer, or answered something we cannot use."""


class GrantRefused(Exception):
    """identity refused the code or refresh token (expired, used, revoked)."""


@dataclass(frozen=True, slots=True)
class Pending:
    """What the callback checks: state, nonce and the PKCE verifier."""

    state: str
    nonce: str
    verifier: str

    @classmethod
    def new(cls) -> Pending:
        """Fresh random values (RFC 7636: a 64-character verifier)."""
        return cls(secrets.token_urlsafe(24), secrets.token_urlsafe(24), secrets.token_urlsafe(48))


@dataclass(frozen=True, slots=True)
class TokenSet:
    """What the token endpoint returned."""

    access_token: str
    refresh_token: str
    id_token: str
    expires_in: int


class IdentityClient:
    """Talks to identity's discovery, token, revocation and sign-out endpoints."""

    def __init__(
        self, *, issuer: str, client_id: str, redirect_uri: str, post_logout_uri: str,
        timeout_seconds: float = 5.0, transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.issuer = issuer.rstrip("/")
        self.client_id = client_id
        self.redirect_uri = redirect_uri
        self.post_logout_uri = post_logout_uri
        self._http = httpx.AsyncClient(timeout=timeout_seconds, transport=transport)
        self._discovery: dict[str, Any] | None = None
        self._fetched_at = 0.0
        self._lock = asyncio.Lock()

    async def close(self) -> None:
        """Close the HTTP client."""
        await self._http.aclose()

    async def discovery(self) -> dict[str, Any]:
        """identity's metadata, cached for a few minutes."""
        async with self._lock:
            fresh = time.monotonic() - self._fetched_at < DISCOVERY_SECONDS
            if self._discovery is None or not fresh:
                url = f"{self.issuer}/.well-known/openid-configuration"
                try:
                    answer = await self._http.get(url)
                    answer.raise_for_status()
                    self._discovery = dict(answer.json())
                except (httpx.HTTPError, ValueError) as exc:
                    raise IdentityUnavailable(str(exc)) from exc
                self._fetched_at = time.monotonic()
            return self._discovery

    async def authorize_url(self, pending: Pending, *, ui_locales: str = "de") -> str:
        """Where the browser signs in (code flow, PKCE S256)."""
        endpoint = (await self.discovery())["authorization_endpoint"]
        query = urlencode({
            "response_type": "code", "client_id": self.client_id,
            "redirect_uri": self.redirect_uri, "scope": "openid profile",
            "state": pending.state, "nonce": pending.nonce,
            "code_challenge": create_s256_code_challenge(pending.verifier),
            "code_challenge_method": "S256", "ui_locales": ui_locales,
        })
        return f"{endpoint}?{query}"

    async def _token(self, data: dict[str, str]) -> TokenSet:
        endpoint = (await self.discovery())["token_endpoint"]
        try:
            answer = await self._http.post(endpoint, data={**data, "client_id": self.client_id})
        except httpx.HTTPError as exc:
            raise IdentityUnavailable(str(exc)) from exc
        if answer.status_code in (400, 401):
            raise GrantRefused(answer.text[:200])
        if answer.status_code != 200:
            raise IdentityUnavailable(f"token endpoint answered {answer.status_code}")
        body = answer.json()
        return TokenSet(access_token=str(body["access_token"]),
                        refresh_token=str(body.get("refresh_token", "")),
                        id_token=str(body.get("id_token", "")),
                        expires_in=int(body.get("expires_in", 0)))

    async def exchange(self, *, code: str, verifier: str) -> TokenSet:
        """Redeem the authorization code with the PKCE verifier."""
        return await self._token({"grant_type": "authorization_code", "code": code,
                                  "redirect_uri": self.redirect_uri, "code_verifier": verifier})

    async def refresh(self, *, refresh_token: str) -> TokenSet:
        """Trade the refresh token for new tokens (identity rotates it: it works once)."""
        return await self._token({"grant_type": "refresh_token",
                                  "refresh_token": refresh_token})

    async def revoke(self, *, refresh_token: str) -> None:
        """Revoke the refresh token at sign-out; a failure is logged, not raised."""
        try:
            endpoint = (await self.discovery()).get("revocation_endpoint")
            if endpoint and refresh_token:
                await self._http.post(endpoint, data={
                    "token": refresh_token, "token_type_hint": "refresh_token",
                    "client_id": self.client_id})
        except (httpx.HTTPError, IdentityUnavailable) as exc:
            log.warning("signin.revoke_failed", error=str(exc))

    async def end_session_url(self, *, id_token: str) -> str | None:
        """identity's sign-out page with our return address, if identity offers one."""
        try:
            endpoint = (await self.discovery()).get("end_session_endpoint")
        except IdentityUnavailable:
            return None
        if not endpoint:
            return None
        query = {"client_id": self.client_id, "post_logout_redirect_uri": self.post_logout_uri}
        if id_token:
            query["id_token_hint"] = id_token
        return f"{endpoint}?{urlencode(query)}"
