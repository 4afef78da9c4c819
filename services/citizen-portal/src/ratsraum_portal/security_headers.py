"""Security headers on every HTML page of the portal: a strict CSP and its companions.

Every script, stylesheet and font is the portal's own; nothing inline. The one outside source
is the town's streaming host: the player loads the HLS playlist and segments from it (hls.js
with fetch/XHR, or the browser itself with <video>) and plays them through a blob: media
source. Only a meeting page allows any: exactly the origins of the stream it shows plus the
operator's configured streaming hosts (PORTAL_STREAM_ORIGINS, for a stream that begins while the
page is open); public-live.js reloads the page for a stream from any other origin.
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit

from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}
_MEDIA_KEY = "csp_media_origins"


def origin_of(url: str) -> str:
    """The https origin of a URL, or "" for anything that is not a plain https address."""
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.hostname or parts.username or parts.password:
        return ""
    return f"https://{parts.netloc}"


def allow_media(request: Request, urls: Iterable[str]) -> list[str]:
    """Let this page's player fetch and play from these addresses' origins; returns them all."""
    origins = {o for o in (origin_of(u.strip()) for u in urls) if o}
    allowed = sorted(origins | set(media_origins(request.scope)))
    request.state.csp_media_origins = allowed
    return allowed


def media_origins(scope: Scope) -> list[str]:
    """The stream origins a handler allowed for this request's page."""
    state = scope.get("state") or {}
    return list(state.get(_MEDIA_KEY, []))


def content_security_policy(media: Iterable[str]) -> str:
    """The policy of one page; `media` are the stream origins its player may use."""
    extra = " ".join(sorted(set(media)))
    streams = f" {extra}" if extra else ""
    return ("default-src 'none'; script-src 'self'; style-src 'self'; font-src 'self'; "
            "img-src 'self' data:; "
            f"media-src 'self' blob:{streams}; connect-src 'self'{streams}; "
            "form-action 'self'; frame-ancestors 'none'; base-uri 'none'")


class SecurityHeaders:
    """ASGI middleware: HTML responses get the policy; JSON, feeds and files stay untouched."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Add the headers to an HTML response's start."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                if headers.get("content-type", "").startswith("text/html"):
                    for name, value in SECURITY_HEADERS.items():
                        headers.setdefault(name, value)
                    headers["Content-Security-Policy"] = content_security_policy(
                        media_origins(scope))
            await send(message)

        await self.app(scope, receive, send_with_headers)
