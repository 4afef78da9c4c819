"""Reading an OParl server: objects and paginated lists, with timeouts and bounded retries.

Real servers answer unmatched `modified_since` with 404 and label JSON `text/json`; both are
accepted here and noted in the report.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import urlsplit

import httpx

from ratsraum_common.logging import get_logger
from ratsraum_common.outbound import OutboundPolicy, OutboundRefused, check_target
from ratsraum_common.retry import bounded_retry
from ratsraum_meeting.oparl.report import ImportReport

log = get_logger(__name__)

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
# A server whose `links.next` never ends must not keep us forever.
MAX_PAGES = 10_000
DEFAULT_MAX_BYTES = 20 * 1024 * 1024


class FetchError(Exception):
    """A URL that could not be read (after retries) or did not hold a JSON object."""


class _Busy(Exception):
    """An answer worth another try: the server was overloaded or briefly away."""


class OParlClient:
    """Fetches JSON from one OParl server."""

    def __init__(
        self, client: httpx.AsyncClient, report: ImportReport, *, attempts: int = 3,
        backoff_seconds: float = 0.2, policy: OutboundPolicy | None = None,
        max_bytes: int = DEFAULT_MAX_BYTES,
    ) -> None:
        self.http = client
        self.report = report
        self.attempts = attempts
        self.backoff = backoff_seconds
        self.policy = policy or OutboundPolicy()
        self.max_bytes = max_bytes
        self.host: str | None = None  # the source's host, fixed by the first request

    async def _guard(self, url: str) -> None:
        """Refuse a URL off the source's host or to an internal address (links.next, ids)."""
        try:
            host = (urlsplit(url).hostname or "").lower()
        except ValueError as exc:
            raise FetchError(f"{url}: ungültige Adresse ({exc})") from exc
        if self.host is None:
            self.host = host
        if host != self.host:
            raise FetchError(f"{url}: anderer Server als die Quelle ({self.host}); nicht abgerufen")
        try:
            await check_target(url, policy=self.policy)
        except OutboundRefused as exc:
            raise FetchError(f"{url}: Adresse nicht erlaubt ({exc})") from exc

    async def _fetch(self, url: str, params: dict[str, str] | None) -> httpx.Response:
        """One GET, its body read up to the cap; redirects are not followed."""
        async with self.http.stream("GET", url, params=params, follow_redirects=False) as answer:
            body = bytearray()
            async for chunk in answer.aiter_bytes():
                body += chunk
                if len(body) > self.max_bytes:
                    raise FetchError(f"{url}: Antwort größer als {self.max_bytes} Bytes; "
                                     "Abruf abgebrochen")
        return httpx.Response(answer.status_code, headers=answer.headers, content=bytes(body),
                              request=answer.request)

    async def _get(self, url: str, params: dict[str, str] | None = None) -> httpx.Response:
        last = ""
        await self._guard(url)
        try:
            async for attempt in bounded_retry(
                what="oparl.get", attempts=self.attempts, backoff_seconds=self.backoff,
                retry_on=(httpx.TransportError, _Busy),
            ):
                with attempt:
                    response = await self._fetch(url, params)
                    if response.status_code in RETRY_STATUSES:
                        raise _Busy(f"HTTP {response.status_code}")
                    return response
        except httpx.InvalidURL as exc:
            # A `links.next` or object URL from the server that cannot be requested.
            raise FetchError(f"{url}: ungültige Adresse ({exc})") from exc
        except httpx.TransportError as exc:
            last = f"{type(exc).__name__}: {exc}"
        except _Busy as exc:
            last = str(exc)
        raise FetchError(f"{url}: {last} (nach {max(1, self.attempts)} Versuchen)")

    def _json(self, response: httpx.Response) -> dict[str, Any]:
        kind = response.headers.get("content-type", "").split(";")[0].strip().lower()
        if kind == "text/json":
            self.report.repair("System", str(response.url), "content-type-text-json",
                               "Antwort als text/json statt application/json ausgeliefert.")
        try:
            data = json.loads(response.content)
        except ValueError as exc:
            raise FetchError(f"{response.url}: keine JSON-Antwort ({kind or 'ohne Typ'})") from exc
        if not isinstance(data, dict):
            raise FetchError(f"{response.url}: JSON ist kein Objekt")
        return data

    async def get_object(self, url: str) -> dict[str, Any]:
        """One OParl object."""
        response = await self._get(url)
        if response.status_code != 200:
            raise FetchError(f"{url}: HTTP {response.status_code}{_moved(response)}")
        return self._json(response)

    async def pages(
        self, url: str, *, modified_since: str | None = None
    ) -> AsyncIterator[list[Any]]:
        """The `data` of each page of a list, following `links.next`."""
        params = {"modified_since": modified_since} if modified_since else None
        seen: set[str] = set()
        next_url: str | None = url
        while next_url and len(seen) < MAX_PAGES:
            seen.add(next_url)
            # Only the first page gets our parameters; `links.next` already carries them,
            # and httpx merges them into a URL that has a query (`?body=1`) of its own.
            response = await self._get(next_url, params if next_url == url else None)
            if response.status_code == 404 and modified_since:
                self.report.repair("System", url, "modified-since-404",
                                   "Server meldet 404 statt einer leeren Liste für "
                                   "modified_since; als „keine Änderungen“ gewertet.")
                return
            if response.status_code != 200:
                raise FetchError(f"{next_url}: HTTP {response.status_code}{_moved(response)}")
            page = self._json(response)
            data = page.get("data")
            if not isinstance(data, list):
                raise FetchError(f"{next_url}: Liste ohne 'data'")
            yield data
            links = page.get("links")
            candidate = links.get("next") if isinstance(links, dict) else None
            next_url = candidate if isinstance(candidate, str) and candidate not in seen else None


def _moved(response: httpx.Response) -> str:
    """A note on a redirect we did not follow, so the admin can enter the new address."""
    if response.is_redirect:
        return f" (Weiterleitung nach {response.headers.get('location', '?')} nicht gefolgt)"
    return ""
