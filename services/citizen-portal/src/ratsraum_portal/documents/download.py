"""Handing out a published file's bytes from the portal, streamed from the town's source.

The portal stores no file bytes: meeting publishes where a document lives (the town's RIS or
document store), and the portal streams it through on request, bounded in size and time, with
caching headers so the operator's ingress or a CDN keeps popular documents. Only files that
are public records right now can be fetched, so a document that left the public part is gone
from the portal at once.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from urllib.parse import urlsplit

import httpx
from fastapi.responses import StreamingResponse

from ratsraum_common.i18n import Msg
from ratsraum_common.problems import Problem
from ratsraum_portal.records.models import PublicRecord

SOURCE_FAILED = Msg(
    "Das Dokument ist bei der Quelle der Kommune gerade nicht abrufbar. Bitte später erneut.",
    "The document cannot be fetched from the town's source right now. Please try again later.",
)
TOO_LARGE = Msg(
    "Das Dokument ist zu groß, um es über das Bürgerportal auszuliefern ({most} MB höchstens).",
    "The document is too large to be handed out by the citizen portal (at most {most} MB).",
)
_UNSAFE_NAME = re.compile(r'[^A-Za-z0-9._ -]')
CHUNK = 64 * 1024


def source_url(record: PublicRecord) -> str | None:
    """Where the bytes are (the download address if the source names one), http(s) only."""
    url = str(record.data.get("download_url") or record.data.get("access_url") or "")
    return url if urlsplit(url).scheme in ("http", "https") else None


def file_name(record: PublicRecord) -> str:
    """A safe name for Content-Disposition."""
    name = str(record.data.get("file_name") or record.data.get("name") or record.id)
    return _UNSAFE_NAME.sub("_", name)[:150] or record.id


async def stream_document(record: PublicRecord, *, max_bytes: int,
                          timeout: float) -> StreamingResponse:
    """The document's bytes as a download, or a 502/413 problem if the source fails."""
    url = source_url(record)
    if url is None:
        raise Problem(502, "document-source-failed", SOURCE_FAILED)
    client = httpx.AsyncClient(timeout=timeout, follow_redirects=True, max_redirects=3)
    try:
        upstream = await client.send(client.build_request("GET", url), stream=True)
    except httpx.HTTPError:
        await client.aclose()
        raise Problem(502, "document-source-failed", SOURCE_FAILED) from None
    length = upstream.headers.get("content-length", "")
    problem = None
    if upstream.status_code != 200:
        problem = Problem(502, "document-source-failed", SOURCE_FAILED)
    elif length.isdigit() and int(length) > max_bytes:
        problem = Problem(413, "document-too-large", TOO_LARGE, most=max_bytes // 1_048_576)
    if problem is not None:
        await upstream.aclose()
        await client.aclose()
        raise problem

    async def body() -> AsyncIterator[bytes]:
        sent = 0
        try:
            async for chunk in upstream.aiter_bytes(CHUNK):
                sent += len(chunk)
                if sent > max_bytes:  # a source that lied about the length: stop there
                    return
                yield chunk
        finally:
            await upstream.aclose()
            await client.aclose()

    media = str(record.data.get("mime_type") or upstream.headers.get(
        "content-type", "application/octet-stream"))
    headers = {"Content-Disposition": f'attachment; filename="{file_name(record)}"',
               "Cache-Control": "public, max-age=3600",
               "X-Content-Type-Options": "nosniff"}
    if length.isdigit():
        headers["Content-Length"] = length
    return StreamingResponse(body(), media_type=media, headers=headers)
