"""A meeting's public papers and files on its page, downloadable from the portal: the bytes come
from the town's source, streamed through and bounded; a file that left the public is gone."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import AsyncIterator
from typing import Any

import pytest
import uvicorn
from google.protobuf import struct_pb2  # type: ignore[import-untyped, unused-ignore]
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ratsraum.meeting.v1 import public_pb2
from ratsraum_devstack.ports import bound_socket

Portal = Any
PDF = b"%PDF-1.4\n" + b"Radwegekonzept " * 5000


@pytest.fixture
async def source() -> AsyncIterator[str]:
    """The town's document store: a real HTTP server with one PDF, one huge file, one error."""

    async def serve(request: Request) -> Response:
        name = request.path_params["name"]
        if name == "v101.pdf":
            return Response(PDF, media_type="application/pdf")
        if name == "huge.pdf":
            return Response(b"x" * 4096, media_type="application/pdf")
        return Response(b"kaputt", status_code=500)

    sock = bound_socket()
    port = int(sock.getsockname()[1])
    server = uvicorn.Server(uvicorn.Config(
        Starlette(routes=[Route("/docs/{name}", serve)]), host="127.0.0.1", port=port,
        log_config=None))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}/docs"
    finally:
        server.should_exit = True
        await task


@pytest.fixture
async def small_portal(start_portal: Any, sqlite_url: str,
                       unreachable_meeting: str) -> AsyncIterator[Portal]:
    """A portal that hands out documents of at most 2 kB."""
    async with start_portal(sqlite_url, unreachable_meeting, max_document_bytes=2048) as running:
        yield running


def _record(kind: str, record_id: str, **data: Any) -> public_pb2.PublicRecord:
    body = struct_pb2.Struct()
    body.update(data)
    return public_pb2.PublicRecord(kind=kind, id=record_id, data=body)


async def _town(publish: Any, publish_records: Any, new_meeting: Any, tenant: str,
                source: str) -> public_pb2.PublicMeeting:
    meeting = new_meeting(status="scheduled")
    meeting.agenda[0].paper_id = "paper-1"
    await publish(meeting, 1)
    await publish_records(tenant, [
        _record("paper", "paper-1", name="Radwegekonzept", reference="V/2025/101"),
        _record("consultation", "item-1", paper_id="paper-1", agenda_item_id="item-1",
                meeting_id=meeting.id),
        _record("file", "vorlage", name="Vorlage Radwegekonzept", file_name="v101.pdf",
                mime_type="application/pdf", size=float(len(PDF)),
                access_url=f"{source}/v101.pdf",
                links=[{"owner_kind": "paper", "owner_id": "paper-1", "role": "mainFile"}]),
        _record("file", "einladung", name="Einladung", access_url=f"{source}/huge.pdf",
                links=[{"owner_kind": "meeting", "owner_id": meeting.id,
                        "role": "invitation"}]),
        _record("file", "defekt", name="Anlage", access_url=f"{source}/weg.pdf",
                links=[{"owner_kind": "meeting", "owner_id": meeting.id,
                        "role": "auxiliaryFile"}]),
    ])
    return meeting


async def _page_with(portal: Portal, path: str, text: str) -> str:
    for _ in range(400):
        page = await portal.http.get(path)
        if page.status_code == 200 and text in page.text:
            return page.text
        await asyncio.sleep(0.02)
    raise AssertionError(f"{text!r} never appeared on {path}")


async def test_meeting_page_lists_documents_and_portal_streams_them(
    sqlite_portal: Portal, publish: Any, publish_records: Any, new_meeting: Any, tenant: str,
    source: str,
) -> None:
    meeting = await _town(publish, publish_records, new_meeting, tenant, source)
    page = await _page_with(sqlite_portal, f"/{tenant}/sitzungen/{meeting.id}", "Einladung")
    assert "Unterlagen" in page
    assert "V/2025/101" in page
    assert "Radwegekonzept" in page
    assert f'href="/{tenant}/dokumente/vorlage"' in page
    assert "(PDF, 73,3 kB)" in page
    english = await sqlite_portal.http.get(f"/{tenant}/sitzungen/{meeting.id}?lang=en",
                                           headers={"Accept-Language": "en"})
    assert "Documents" in english.text
    assert "(PDF, 73.3 kB)" in english.text

    download = await sqlite_portal.http.get(f"/{tenant}/dokumente/vorlage")
    assert download.status_code == 200
    assert hashlib.sha256(download.content).hexdigest() == hashlib.sha256(PDF).hexdigest()
    assert download.headers["content-type"] == "application/pdf"
    assert download.headers["content-disposition"] == 'attachment; filename="v101.pdf"'
    assert "max-age" in download.headers["cache-control"]

    broken = await sqlite_portal.http.get(f"/{tenant}/dokumente/defekt")
    assert broken.status_code == 502
    assert broken.headers["content-type"].startswith("application/problem+json")
    assert "später" in broken.json()["detail"]

    await publish_records(tenant, [public_pb2.PublicRecord(kind="file", id="vorlage",
                                                           deleted=True)])
    for _ in range(400):
        gone = await sqlite_portal.http.get(f"/{tenant}/dokumente/vorlage")
        if gone.status_code == 404:
            break
        await asyncio.sleep(0.02)
    assert gone.status_code == 404
    page = (await sqlite_portal.http.get(f"/{tenant}/sitzungen/{meeting.id}")).text
    assert "/dokumente/vorlage" not in page


async def test_a_document_over_the_limit_is_refused(
    small_portal: Portal, publish: Any, publish_records: Any, new_meeting: Any, tenant: str,
    source: str,
) -> None:
    meeting = await _town(publish, publish_records, new_meeting, tenant, source)
    await _page_with(small_portal, f"/{tenant}/sitzungen/{meeting.id}", "Einladung")
    refused = await small_portal.http.get(f"/{tenant}/dokumente/einladung")
    assert refused.status_code == 413
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert (await small_portal.http.get(f"/{tenant}/dokumente/unbekannt")).status_code == 404
