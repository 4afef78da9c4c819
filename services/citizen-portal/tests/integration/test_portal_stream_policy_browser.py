"""In headless Chromium, a stream that begins while the meeting page is open plays under the
page's security policy: the page reloads for the new host, then nothing is refused."""

from __future__ import annotations

import asyncio
from typing import Any

from playwright.async_api import Route, async_playwright, expect

from ratsraum.meeting.v1 import public_pb2
from ratsraum_devstack import chromium

Portal = Any  # the conftest's Portal; fixtures cannot be imported in importlib mode
STREAM_HOST = "https://stream.beispielstadt.example"
STREAM = f"{STREAM_HOST}/rat/live.m3u8"
PLAYLIST = ("#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:4\n#EXT-X-MEDIA-SEQUENCE:1\n"
            "#EXTINF:4.0,\nsegment1.ts\n")
VIOLATIONS = """window.cspViolations = [];
document.addEventListener("securitypolicyviolation", e => {
  window.cspViolations.push(e.violatedDirective + " " + e.blockedURI);
});"""


async def test_a_stream_from_a_new_host_reloads_the_page_and_plays_unrefused(
    sqlite_portal: Portal, publish: Any, new_meeting: Any, tenant: str
) -> None:
    meeting = new_meeting()
    await publish(meeting, 1)
    await sqlite_portal.wait_for_meeting(tenant, meeting.id)
    asked: list[str] = []

    async def streaming_service(route: Route) -> None:
        asked.append(route.request.url)
        await route.fulfill(status=200, body=PLAYLIST, headers={
            "Content-Type": "application/vnd.apple.mpegurl", "Access-Control-Allow-Origin": "*"})

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=chromium.executable(), args=list(chromium.LAUNCH_ARGS))
        try:
            context = await browser.new_context(locale="de-DE")
            await context.add_init_script(VIOLATIONS)
            page = await context.new_page()
            await page.route(f"{STREAM_HOST}/**", streaming_service)
            policies: list[str] = []
            page.on("response", lambda r: policies.append(
                r.headers.get("content-security-policy", "")) if r.url.endswith(meeting.id)
                else None)
            await page.goto(f"{sqlite_portal.url}/{tenant}/sitzungen/{meeting.id}")
            await expect(page.locator("#live-status")).to_contain_text("Live")
            assert STREAM_HOST not in policies[-1]

            streamed = new_meeting(meeting.id)
            streamed.stream.CopyFrom(public_pb2.PublicStream(url=STREAM))
            await publish(streamed, 2)
            player = page.locator("#stream-player")
            await expect(player).to_have_count(1)
            assert 2 <= len(policies) <= 4, policies  # the page came anew (at most 3 times)
            assert f"connect-src 'self' {STREAM_HOST};" in policies[-1]
            await player.evaluate("v => { v.play().catch(() => null); }")
            for _ in range(100):
                if STREAM in asked:
                    break
                await asyncio.sleep(0.05)
            assert STREAM in asked, asked
            assert await page.evaluate("window.cspViolations") == []
        finally:
            await browser.close()
