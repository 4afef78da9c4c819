"""Before and after the session in Debian's chromium: a member on a phone runs the device
check (fake camera and microphone, a practice vote on the real vote buttons) while the clerk's
console shows the outcome live; after sign-off the member reads the minutes. Both member
pages pass axe-core and are screenshotted at 390×844 and 1440×900."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.async_api import async_playwright, expect

from ratsraum_common import demo
from ratsraum_devstack.stack import Stack

from .browser import (
    DESKTOP,
    PHONE,
    SHOTS,
    api,
    check_and_shoot,
    launch_options,
    new_context,
    report,
    sign_in,
)

pytestmark = pytest.mark.e2e

# Chromium's own stand-ins: a generated test picture and tone, and no permission prompt.
FAKE_MEDIA = ("--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream")
BECKER = demo.subject_for(demo.TENANT, "becker")


async def test_device_check_reaches_the_clerk_and_signed_minutes_reach_the_member(
    stack: Stack,
) -> None:
    c = stack.config
    app = c.url(c.meeting_port)
    meeting = f"{app}/sitzungen/{demo.MEETING_ID}"
    passwords = demo.ensure_credentials(c.data_dir)
    checked: dict[str, list[Any]] = {}
    options = launch_options()
    options["args"] = [*options["args"], *FAKE_MEDIA]
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(**options)
        clerk_ctx = await new_context(browser, DESKTOP)
        member_ctx = await new_context(browser, PHONE)
        clerk, member = await clerk_ctx.new_page(), await member_ctx.new_page()
        await sign_in(clerk, f"{meeting}/konsole", "richter", passwords["richter"])
        row = clerk.locator(f'[data-device-person="{BECKER}"]')
        await expect(row).to_contain_text("Nicht geprüft")

        await sign_in(member, meeting, "becker", passwords["becker"])
        await member.get_by_role("link", name="Gerätetest vor der Sitzung").click()
        await expect(member.get_by_role("heading", name="Gerätetest")).to_be_visible()
        await member.get_by_role("button", name="Test starten").click()
        await expect(member.locator("#rr-device-status")).to_contain_text("Fertig")
        await expect(member.locator('[data-device-result="camera"]')).to_have_text(
            "Funktioniert")
        await expect(member.locator('[data-device-result="microphone"]')).to_have_text(
            "Funktioniert")
        await expect(member.locator('[data-device-result="connection"]')).to_contain_text(
            "ms Antwortzeit")
        # The practice vote: the vote screen's own buttons, a confirmation, and no decision.
        await member.get_by_role("button", name="Ja").click()
        await expect(member.locator("[data-vote-confirmed]")).to_contain_text("Sie zählt nicht")
        await expect(member.locator('[data-device-result="practice"]')).to_have_text(
            "Funktioniert")
        await check_and_shoot(member, "30-device-check", checked)

        # The clerk's console followed without a reload.
        await expect(row.locator('[data-field="camera"]')).to_contain_text("Funktioniert")
        await expect(row.locator('[data-field="microphone"]')).to_contain_text("Funktioniert")
        await expect(row.locator('[data-field="connection"]')).to_contain_text("ms")
        await expect(row.locator('[data-field="practice"]')).to_contain_text("Geübt")
        await clerk.locator("#rr-r-devices").screenshot(
            path=str(SHOTS / "31-console-device-checks-desktop.png"))

        # After the session: nothing for members until both have signed, then the minutes.
        # (The minutes page is not live; the device check page reloads when the meeting opens.)
        await member.goto(f"{meeting}/niederschrift")
        await api(clerk, "POST", f"/meetings/{demo.MEETING_ID}/open")
        await api(clerk, "POST", f"/meetings/{demo.MEETING_ID}/close")
        await api(clerk, "POST", f"/meetings/{demo.MEETING_ID}/minutes/sign", {"role": "clerk"})
        await member.reload()
        await expect(member.locator("[data-minutes-unsigned]")).to_be_visible()
        await check_and_shoot(member, "32-minutes-unsigned", checked)
        chair = await (await new_context(browser, DESKTOP)).new_page()
        await sign_in(chair, meeting, "schulte", passwords["schulte"])
        await api(chair, "POST", f"/meetings/{demo.MEETING_ID}/minutes/sign", {"role": "chair"})
        await member.goto(meeting)
        await member.get_by_role("link", name="Niederschrift lesen").click()
        await expect(member.locator("[data-minutes-signed]")).to_contain_text("Unterzeichnet")
        heading = member.get_by_role("heading", name="Niederschrift", exact=True)
        await expect(heading).to_be_visible()
        await check_and_shoot(member, "33-minutes", checked)
        await browser.close()
    assert not any(checked.values()), report(checked)

