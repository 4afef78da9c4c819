"""A cap on request bodies, counted as the bytes arrive (never by reading the body first)."""

from __future__ import annotations

import json

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ratsraum_common.i18n import Msg, negotiate_language
from ratsraum_common.problems import PROBLEM_MEDIA_TYPE, PROBLEM_TYPE_BASE

# Every JSON request of the platform is far smaller; uploads do not exist.
DEFAULT_MAX_BODY_BYTES = 1024 * 1024

_TITLE = Msg("Anfrage zu groß", "Request too large")
_DETAIL = Msg(
    "Die Anfrage ist größer als {limit} Bytes und wurde nicht angenommen.",
    "The request is larger than {limit} bytes and was not accepted.",
)


class BodyTooLarge(HTTPException):
    """The body grew past the limit while it was being received.

    An HTTPException, so the app's problem handler answers it (413) wherever the body is read,
    instead of the catch-all turning it into a 500.
    """

    def __init__(self, detail: str) -> None:
        super().__init__(status_code=413, detail=detail)


class BodyLimitMiddleware:
    """Answers 413 problem JSON once a request body exceeds `max_bytes`.

    A declared Content-Length above the limit is refused before the app runs; otherwise each
    chunk is counted as the app receives it, so chunked uploads are stopped at the limit too.
    """

    def __init__(self, app: ASGIApp, *, max_bytes: int = DEFAULT_MAX_BODY_BYTES) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        lang = negotiate_language(headers.get(b"accept-language", b"").decode("latin-1"))
        detail = _DETAIL.render(lang, limit=self.max_bytes)
        declared = headers.get(b"content-length", b"")
        if declared.isdigit() and int(declared) > self.max_bytes:
            await self._refuse(scope, send, lang=lang, detail=detail)
            return
        received = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise BodyTooLarge(detail)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except BodyTooLarge:
            if started:  # the app answered before reading everything; nothing more to say
                return
            await self._refuse(scope, send, lang=lang, detail=detail)

    async def _refuse(self, scope: Scope, send: Send, *, lang: str, detail: str) -> None:
        body = json.dumps({
            "type": PROBLEM_TYPE_BASE + "body-too-large",
            "title": _TITLE.render(lang),
            "status": 413,
            "detail": detail,
            "instance": scope.get("path", ""),
        }, ensure_ascii=False).encode()
        await send({"type": "http.response.start", "status": 413, "headers": [
            (b"content-type", PROBLEM_MEDIA_TYPE.encode()),
            (b"content-length", str(len(body)).encode()),
            (b"content-language", lang.encode()),
            (b"connection", b"close"),
        ]})
        await send({"type": "http.response.body", "body": body})


async def read_body(request: Request, *, max_bytes: int) -> bytes:
    """The request's body, refused with 413 as soon as it grows past `max_bytes`.

    For routes that must stay below the service-wide limit (webhooks read by anyone).
    """
    lang = negotiate_language(request.headers.get("accept-language"))
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise BodyTooLarge(_DETAIL.render(lang, limit=max_bytes))
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > max_bytes:
            raise BodyTooLarge(_DETAIL.render(lang, limit=max_bytes))
        chunks.append(chunk)
    return b"".join(chunks)
