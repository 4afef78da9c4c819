"""Every HTML page of the portal carries a strict security policy; open data keeps its CORS."""

from __future__ import annotations

from typing import Any

from ratsraum.meeting.v1 import public_pb2

Portal = Any  # the conftest's Portal
HTML = {"Accept": "text/html,application/xhtml+xml"}
STREAM = "https://stream.soest.example/rat/live.m3u8"
CAPTIONS = "https://untertitel.soest.example/rat/live.vtt"


def _policy(response: Any) -> dict[str, str]:
    """The page's CSP as {directive: sources}."""
    header = response.headers["content-security-policy"]
    return {part.split(" ", 1)[0]: part.split(" ", 1)[1] if " " in part else ""
            for part in (p.strip() for p in header.split(";")) if part}


async def test_every_page_type_carries_the_policy_and_only_a_stream_page_names_its_host(
    sqlite_portal: Portal, publish: Any, new_meeting: Any, tenant: str
) -> None:
    streamed = new_meeting(title="Live mit Stream")
    streamed.stream.CopyFrom(public_pb2.PublicStream(url=STREAM, captions_url=CAPTIONS))
    plain = new_meeting(status="closed")
    await publish(streamed, 1)
    await publish(plain, 1)
    await sqlite_portal.wait_for_meeting(tenant, streamed.id)
    await sqlite_portal.wait_for_meeting(tenant, plain.id)
    base = f"/{tenant}/sitzungen/{streamed.id}"
    pages = ["/", f"/{tenant}", base, f"/{tenant}/sitzungen/{plain.id}", f"{base}/fragen",
             f"{base}/zugang?token=abc", f"{base}/zugang/bestaetigen?token=abc",
             "/barrierefreiheit", "/rueckmeldung", f"/{tenant}/sitzungen/gibt-es-nicht"]
    for path in pages:
        response = await sqlite_portal.http.get(path, headers=HTML)
        assert response.headers["content-type"].startswith("text/html"), path
        assert response.headers["x-content-type-options"] == "nosniff", path
        assert response.headers["referrer-policy"] == "same-origin", path
        assert response.headers["x-frame-options"] == "DENY", path
        policy = _policy(response)
        assert policy["default-src"] == "'none'", path
        assert policy["frame-ancestors"] == "'none'", path
        assert policy["base-uri"] == "'none'", path
        for kind in ("script-src", "style-src", "font-src"):
            assert policy[kind] == "'self'", (path, kind)  # no inline, no CDN
        if path == base:
            # The page's player: the stream host's playlist and segments, the captions, and
            # the blob: media source hls.js plays them through; nothing else from outside.
            assert policy["connect-src"] == ("'self' https://stream.soest.example "
                                             "https://untertitel.soest.example"), path
            assert policy["media-src"] == ("'self' blob: https://stream.soest.example "
                                           "https://untertitel.soest.example"), path
            assert 'data-media-origins="https://stream.soest.example' in response.text
        else:
            assert policy["connect-src"] == "'self'", path
            assert policy["media-src"] == "'self' blob:", path


async def test_configured_streaming_hosts_are_allowed_for_a_stream_that_starts_later(
    start_portal: Any, sqlite_url: str, unreachable_meeting: str, publish: Any,
    new_meeting: Any, tenant: str
) -> None:
    async with start_portal(sqlite_url, unreachable_meeting,
                            stream_origins="https://stream.soest.example/, javascript:x") as portal:
        meeting = new_meeting()
        await publish(meeting, 1)
        await portal.wait_for_meeting(tenant, meeting.id)
        page = await portal.http.get(f"/{tenant}/sitzungen/{meeting.id}", headers=HTML)
        assert _policy(page)["connect-src"] == "'self' https://stream.soest.example"
        start = await portal.http.get("/", headers=HTML)
        assert _policy(start)["connect-src"] == "'self'"


async def test_open_data_keeps_its_cors_and_gets_no_page_policy(
    sqlite_portal: Portal, publish: Any, new_meeting: Any, tenant: str
) -> None:
    meeting = new_meeting()
    await publish(meeting, 1)
    await sqlite_portal.wait_for_meeting(tenant, meeting.id)
    for path in ("/oparl/v1/system", f"/kalender/{tenant}.ics"):
        response = await sqlite_portal.http.get(path, headers={"Origin": "https://elsewhere.example"})
        assert response.status_code == 200, path
        assert response.headers["access-control-allow-origin"] == "*", path
        assert "content-security-policy" not in response.headers, path
