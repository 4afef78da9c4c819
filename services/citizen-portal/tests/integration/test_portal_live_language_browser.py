"""In headless Chromium, the live script words its updates in the page's language."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlparse

from playwright.async_api import async_playwright, expect

from ratsraum.meeting.v1 import public_pb2
from ratsraum_devstack import chromium

Portal = Any  # the conftest's Portal; fixtures cannot be imported in importlib mode


async def test_live_updates_in_english_follow_the_language_switch(
    sqlite_portal: Portal, publish: Any, new_meeting: Any, tenant: str
) -> None:
    planned = new_meeting(status="scheduled", present=0, quorate=False)
    await publish(planned, 1)
    await sqlite_portal.wait_for_meeting(tenant, planned.id)
    host = urlparse(sqlite_portal.url).hostname
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=chromium.executable(), args=list(chromium.LAUNCH_ARGS))
        try:
            context = await browser.new_context()
            await context.add_cookies([{"name": "sprache", "value": "en", "domain": host,
                                        "path": "/"}])
            page = await context.new_page()
            await page.goto(f"{sqlite_portal.url}/{tenant}/sitzungen/{planned.id}")
            await expect(page.locator("#meeting-status")).to_have_text("Planned")

            running = new_meeting(planned.id, status="running", present=9,
                                  current_item_id="item-2")
            running.agenda[1].live_vote.CopyFrom(
                public_pb2.PublicLiveVote(poll_id="poll-2", ballots_cast=9, roll_size=11))
            await publish(running, 2)
            await expect(page.locator("#meeting-status")).to_have_text("In session")
            await expect(page.locator("#meeting-presence")).to_have_text(
                "9 of 11 members present – quorate")
            await expect(page.locator("#top-item-2 [data-live-vote]")).to_have_text(
                "Vote in progress: 9 of 11 votes cast")
            await expect(page.locator("#top-item-2 [data-now]")).to_have_text(
                "Under discussion now")
            await expect(page.locator("#top-item-1 .result-summary")).to_have_text(
                "Accepted – Yes 6, No 3, Abstention 2")
            await expect(page.locator("#live-status")).to_contain_text("Live: updated at")
        finally:
            await browser.close()
