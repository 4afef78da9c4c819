"""Keyboard only, in Debian's chromium against the running system: a member signs in, checks in
and casts a vote with Tab, Enter and Space; the clerk opens and closes the vote the same way.
Every control reached shows where the focus is.
"""

from __future__ import annotations

import pytest
from playwright.async_api import Locator, Page, async_playwright, expect

from ratsraum_common import demo
from ratsraum_devstack.stack import Stack

from .browser import DESKTOP, PHONE, api, launch_options, new_context

pytestmark = pytest.mark.e2e

IN_ROOM = ["schulte", "hoffmann", "yilmaz", "wagner", "krause"]
MOST_TABS = 120  # more than any of these pages has controls

FOCUS_SHOWN = """el => {
    const s = getComputedStyle(el);
    const ring = (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0)
        || s.boxShadow !== 'none';
    return el.matches(':focus-visible') && ring;
}"""


async def tab_to(page: Page, target: Locator) -> None:
    """Press Tab until the target has the focus; it must show a visible focus ring."""
    await expect(target).to_be_visible()
    for _ in range(MOST_TABS):
        await page.keyboard.press("Tab")
        if await target.evaluate("el => el === document.activeElement"):
            assert await target.evaluate(FOCUS_SHOWN), f"focus not visible on {target}"
            return
    raise AssertionError(f"Tab never reached {target}")


async def sign_in_by_keyboard(page: Page, start: str, username: str, password: str) -> None:
    """Identity's sign-in form, filled and sent with the keyboard."""
    await page.goto(start)
    await tab_to(page, page.locator("input[name=username]"))
    await page.keyboard.type(username)
    await tab_to(page, page.locator("input[name=password]"))
    await page.keyboard.type(password)
    await page.keyboard.press("Enter")
    await page.wait_for_url(f"{start}*")


async def test_member_and_clerk_need_only_the_keyboard(stack: Stack) -> None:
    c = stack.config
    app = c.url(c.meeting_port)
    meeting = f"{app}/sitzungen/{demo.MEETING_ID}"
    passwords = demo.ensure_credentials(c.data_dir)
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(**launch_options())
        clerk = await (await new_context(browser, DESKTOP)).new_page()
        member = await (await new_context(browser, PHONE)).new_page()
        await sign_in_by_keyboard(clerk, f"{meeting}/konsole", "richter", passwords["richter"])
        # Setup: the session is open and five members are in the room.
        await api(clerk, "POST", f"/meetings/{demo.MEETING_ID}/open")
        await api(clerk, "PUT", f"/meetings/{demo.MEETING_ID}/attendance", [
            {"person_id": demo.subject_for(demo.TENANT, u), "presence": "in_room"}
            for u in IN_ROOM])

        # The member signs in and checks in: Tab and Enter, then Space on the button.
        await sign_in_by_keyboard(member, meeting, "becker", passwords["becker"])
        await tab_to(member, member.get_by_role("link", name="Teilnehmen"))
        await member.keyboard.press("Enter")
        await tab_to(member, member.get_by_role("button", name="Einchecken"))
        await member.keyboard.press("Space")
        await expect(member.get_by_text("Sie sind als anwesend erfasst")).to_be_visible()

        # The clerk opens a vote from the console's vote tab by keyboard.
        await clerk.reload()
        await expect(clerk.locator("[data-vote-ready]")).to_be_visible()
        await tab_to(clerk, clerk.get_by_role("link", name="Abstimmungen", exact=True))
        await clerk.keyboard.press("Enter")
        # A radio group is one Tab stop; the arrow keys choose within it.
        await tab_to(clerk, clerk.get_by_role("radio", name="Offene Abstimmung"))
        await clerk.keyboard.press("ArrowRight")
        await expect(clerk.get_by_role("radio", name="Namentliche Abstimmung")).to_be_checked()
        await tab_to(clerk, clerk.get_by_role("button", name="Abstimmung eröffnen").first)
        await clerk.keyboard.press("Enter")
        await expect(clerk.get_by_text("Die Abstimmung ist eröffnet.")).to_be_visible()

        # The vote takes the member's screen; Space on "Ja" casts, Enter on "Nein" changes.
        yes = member.get_by_role("button", name="Ja", exact=True)
        await tab_to(member, yes)
        await member.keyboard.press("Space")
        await expect(member.locator("[data-vote-confirmed]")).to_contain_text("Ihre Stimme: Ja")
        await tab_to(member, member.get_by_role("button", name="Nein", exact=True))
        await member.keyboard.press("Enter")
        await expect(member.locator("[data-vote-confirmed]")).to_contain_text(
            "Ihre Stimme: Nein")
        await expect(clerk.locator("#rr-r-open-votes [data-poll-count]")).to_contain_text(
            "1 von 6")

        # The clerk closes it by keyboard; the member's screen shows the result.
        await tab_to(clerk, clerk.locator("#rr-r-open-votes").get_by_role(
            "button", name="Abstimmung schließen"))
        await clerk.keyboard.press("Enter")
        await expect(clerk.get_by_text("Die Abstimmung ist geschlossen.")).to_be_visible()
        await expect(member.locator("[data-vote-result]")).to_contain_text("Ergebnis: Abgelehnt")
        await browser.close()
