"""Real meeting, real portal, real NATS, Debian's chromium: during the public part the portal's
meeting page names the members present and plays the town's livestream (the streaming service
is the one thing stood in for, at the browser's network border), both follow the session live,
and both end at once when the closed part begins; without JavaScript the page says the same."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from playwright.async_api import Request, Route, async_playwright, expect

from ratsraum_common import demo
from ratsraum_common.auth import TokenVerifier
from ratsraum_devstack import chromium
from ratsraum_devstack.ports import free_port

STREAM_HOST = "https://stream.soest.example"
STREAM = f"{STREAM_HOST}/rat/live.m3u8"
PLAYLIST = ("#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:4\n#EXT-X-MEDIA-SEQUENCE:1\n"
            "#EXTINF:4.0,\nsegment1.ts\n")
MEMBERS = [p for p in demo.PEOPLE if p.is_member]
# Collects the page's Content-Security-Policy violations before any of its scripts runs.
VIOLATIONS = """window.cspViolations = [];
document.addEventListener("securitypolicyviolation", e => {
  window.cspViolations.push(e.violatedDirective + " " + e.blockedURI);
});"""
CLOSED_ITEM = next(i for i in demo.AGENDA if not i.public)
REFUSED_NOTE = "Folgende Mitglieder haben der Übertragung nicht zugestimmt"


@contextlib.asynccontextmanager
async def _meeting(data: Path, database_url: str, nats_url: str) -> AsyncIterator[Any]:
    from ratsraum_meeting.config import Settings
    from ratsraum_meeting.main import build_app

    app = build_app(Settings(data_dir=data, database_url=database_url, nats_url=nats_url,
                             seed_demo=True, grpc_port=0,
                             voting_target=f"127.0.0.1:{free_port()}"),
                    token_verifier=TokenVerifier(issuer="-", audience="-", jwks_url="-"))
    async with app.router.lifespan_context(app):
        yield app


@contextlib.asynccontextmanager
async def _portal(data: Path, nats_url: str) -> AsyncIterator[str]:
    """The portal over real HTTP (the browser needs a port)."""
    from ratsraum_portal.config import Settings
    from ratsraum_portal.main import build_app

    port = free_port()
    app = build_app(Settings(
        data_dir=data, database_url=f"sqlite+aiosqlite:///{data / 'portal.sqlite3'}",
        nats_url=nats_url, http_port=port, meeting_grpc_target=f"127.0.0.1:{free_port()}",
        consumer_durable=f"portal-{free_port()}"))
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None,
                                           lifespan="on", timeout_graceful_shutdown=2))
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


async def _change(meeting: Any, what: Any) -> None:
    """One transaction in meeting, as its API would run it (the public snapshot follows)."""
    async with meeting.state.db.transaction(demo.TENANT) as session:
        await what(session)


def _present(*people: demo.DemoPerson, presence: str = "in_room") -> Any:
    from ratsraum_meeting.attendance import service as attendance
    from ratsraum_meeting.changes import public_view_changed
    from ratsraum_meeting.meetings.models import Meeting

    async def run(session: Any) -> None:
        meeting = await session.get(Meeting, demo.MEETING_ID)
        for person in people:
            await attendance.set_presence(session, meeting=meeting, person_id=person.subject,
                                          presence=presence, recorded_by="test")
        public_view_changed(session, meeting_id=demo.MEETING_ID)
    return run


def _row(name: str, presence: str) -> str:
    """One row of the attendance table as the server renders it."""
    return (f'<td class="kern-table__cell">{name}</td>'
            f'<td class="kern-table__cell">{presence}</td>')


async def _portal_shows(client: httpx.AsyncClient, check: Any) -> dict[str, Any]:
    for _ in range(200):
        answer = await client.get(f"/api/v1/{demo.TENANT}/meetings/{demo.MEETING_ID}")
        if answer.status_code == 200 and check(answer.json()):
            found: dict[str, Any] = answer.json()
            return found
        await asyncio.sleep(0.05)
    raise AssertionError("the portal never showed the change")


async def test_members_present_and_the_stream_follow_the_public_part_and_stop_in_the_closed(
    tmp_path: Path, database_url: str, own_nats_url: str
) -> None:
    from ratsraum_meeting.agenda import opening
    from ratsraum_meeting.agenda import service as agenda
    from ratsraum_meeting.changes import public_view_changed
    from ratsraum_meeting.livestream import service as livestream
    from ratsraum_meeting.meetings.models import Meeting

    async def stream_and_open(session: Any) -> None:
        row = await session.get(Meeting, demo.MEETING_ID)
        await livestream.set_stream(session, meeting=row, url=STREAM, captions_url="",
                                    refused_person_ids=[MEMBERS[3].subject], recorded_by="test")
        public_view_changed(session, meeting_id=demo.MEETING_ID)
        await opening.open_meeting(session, meeting_id=demo.MEETING_ID)

    async def closed_part(session: Any) -> None:
        await agenda.set_status(session, meeting_id=demo.MEETING_ID, item_id=CLOSED_ITEM.id,
                                target="called", by="test")

    async with _meeting(tmp_path, database_url, own_nats_url) as meeting, \
            _portal(tmp_path, own_nats_url) as url, \
            httpx.AsyncClient(base_url=url, timeout=10) as client:
        await _change(meeting, stream_and_open)
        await _change(meeting, _present(*MEMBERS[:2]))
        await _portal_shows(client, lambda m: len(m.get("attendees", [])) == 2)
        page_url = f"{url}/{demo.TENANT}/sitzungen/{demo.MEETING_ID}"

        # Without JavaScript: names, kind of presence, the stream link and the refusal.
        html = (await client.get(page_url)).text
        assert _row(MEMBERS[0].name, "im Sitzungssaal") in html
        assert f'href="{STREAM}"' in html
        assert f"{REFUSED_NOTE} und werden nicht gezeigt: {MEMBERS[3].name}." in html

        asked: list[str] = []
        origins: set[str] = set()

        async def streaming_service(route: Route) -> None:
            asked.append(route.request.url)
            await route.fulfill(status=200, body=PLAYLIST, headers={
                "Content-Type": "application/vnd.apple.mpegurl",
                "Access-Control-Allow-Origin": "*"})

        def seen(request: Request) -> None:
            origins.add("/".join(request.url.split("/")[:3]))

        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(
                executable_path=chromium.executable(), args=list(chromium.LAUNCH_ARGS))
            try:
                page = await (await browser.new_context(locale="de-DE")).new_page()
                await page.route(f"{STREAM_HOST}/**", streaming_service)
                page.on("request", seen)
                # The portal's security policy must let the player work without one refusal.
                await page.add_init_script(VIOLATIONS)
                console: list[str] = []
                page.on("console", lambda m: console.append(m.text))
                await page.goto(page_url)
                attendees = page.locator("#attendees tbody tr")
                await expect(attendees).to_have_count(2)
                await expect(page.locator("#stream-refused")).to_contain_text(MEMBERS[3].name)

                # A third member arrives: the list follows without a reload.
                await _change(meeting, _present(MEMBERS[2]))
                await expect(attendees).to_have_count(3)
                await expect(attendees.nth(2).locator("td")).to_have_text(
                    [sorted(p.name for p in MEMBERS[:3])[2], "im Sitzungssaal"])

                # The player asks the town's streaming service for the playlist; where the
                # browser cannot play HLS itself, hls.js comes from the portal, no CDN.
                player = page.locator("#stream-player")
                native = await player.evaluate(
                    "v => v.canPlayType('application/vnd.apple.mpegurl')")
                # Not awaited in the page: play() settles only once video data arrives.
                await player.evaluate("v => { v.play().catch(() => null); }")
                for _ in range(100):
                    if STREAM in asked:
                        break
                    await asyncio.sleep(0.05)
                assert STREAM in asked, asked
                if not native:
                    assert await page.evaluate("typeof window.Hls") == "function"
                assert origins == {url, STREAM_HOST}, origins
                assert await page.evaluate("window.cspViolations") == [], console
                assert not [m for m in console if "Content Security Policy" in m], console
                # The policy is on and watched: a fetch to any other host is refused.
                await page.evaluate("fetch('https://elsewhere.example/x').catch(() => null)")
                await page.wait_for_function("window.cspViolations.length > 0")
                assert await page.evaluate("window.cspViolations") == [
                    "connect-src https://elsewhere.example/x"]

                # The closed part begins: player, stream and names are gone at once.
                await _change(meeting, closed_part)
                await expect(page.locator("#live-closed-part")).to_be_visible(timeout=2000)
                await expect(player).to_have_count(0, timeout=2000)
                await expect(page.locator("#attendance")).to_have_count(0)
                await expect(page.locator("#stream-link")).to_have_count(0)
            finally:
                await browser.close()

        html = (await client.get(page_url)).text
        assert 'id="attendees"' not in html
        assert _row(MEMBERS[0].name, "im Sitzungssaal") not in html
        assert 'id="live-closed-part"' in html
        assert STREAM not in html
        assert REFUSED_NOTE not in html
