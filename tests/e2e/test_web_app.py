"""The web app in Debian's chromium against the running system: a member on a phone and the
clerk on a desktop sign in; the member checks in, follows a vote that takes the screen, votes,
changes the vote, and sees the result. Every page type passes axe-core (no serious or
critical WCAG 2.1 AA violation) and is screenshotted at 390×844 and 1440×900.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from playwright.async_api import async_playwright, expect

from ratsraum_common import demo
from ratsraum_devstack.stack import Stack

from .browser import (
    DESKTOP,
    PHONE,
    api,
    check_and_shoot,
    launch_options,
    new_context,
    report,
    serious_violations,
    sign_in,
)

pytestmark = pytest.mark.e2e

ITEM = next(i for i in demo.AGENDA if i.key == "o3")
OTHERS = ["schulte", "hoffmann", "yilmaz", "wagner", "krause"]


async def test_member_votes_on_a_phone_while_the_clerk_runs_the_meeting(stack: Stack) -> None:
    c = stack.config
    app = c.url(c.meeting_port)
    meeting = f"{app}/sitzungen/{demo.MEETING_ID}"
    passwords = demo.ensure_credentials(c.data_dir)
    checked: dict[str, list[Any]] = {}
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(**launch_options())
        clerk_ctx = await new_context(browser, DESKTOP)
        member_ctx = await new_context(browser, PHONE)
        clerk, member = await clerk_ctx.new_page(), await member_ctx.new_page()

        # Signed out: the welcome page, then identity's login, back on the meetings list.
        await member.goto(app)
        await expect(member.get_by_role("link", name="Anmelden")).to_be_visible()
        await check_and_shoot(member, "01-welcome", checked)
        await sign_in(member, f"{app}/sitzungen", "becker", passwords["becker"])
        await expect(member.get_by_role("heading", name="Meine Sitzungen")).to_be_visible()
        await check_and_shoot(member, "02-meetings", checked)
        await sign_in(clerk, f"{app}/sitzungen", "richter", passwords["richter"])

        # The clerk sends the invitations; the demo's mail catcher keeps them, and the member's
        # personal link leads, signed in, to the join page of that meeting.
        sent = json.loads(await api(clerk, "POST", f"/meetings/{demo.MEETING_ID}/invitations"))
        assert sent["sent"] >= 10, sent
        await member.goto(f"{app}/dev/mails")
        mail = member.locator("details", has_text="becker@soest.example")
        await expect(mail).to_have_count(1)
        await mail.locator("summary").click()
        await check_and_shoot(member, "11-demo-mailbox", checked)
        await mail.locator("a[href*='einladung=']").click()
        await member.wait_for_url(f"{meeting}/teilnahme*")
        await expect(member.get_by_text("Ihre Einladung wurde erkannt")).to_be_visible()

        # The clerk opens the meeting and records five members in the room (through the API,
        # with her session cookie: the clerk console is not part of this app yet).
        await api(clerk, "POST", f"/meetings/{demo.MEETING_ID}/open")
        for username in OTHERS:
            await api(clerk, "PUT", f"/meetings/{demo.MEETING_ID}/attendance/"
                      f"{demo.subject_for(demo.TENANT, username)}", {"presence": "in_room"})

        await member.goto(meeting)
        await expect(member.get_by_role("heading", name=demo.MEETING_TITLE)).to_be_visible()
        await check_and_shoot(member, "03-meeting", checked)
        await member.get_by_role("link", name=ITEM.title).click()
        await member.get_by_role("button", name="Wortmeldung").first.click()
        await expect(member.get_by_text("Ihre Wortmeldung ist eingetragen.")).to_be_visible()
        await expect(member.locator("ol.kern-list--number")).to_contain_text("Markus Becker")
        # The clerk gives the floor with a time limit: the member's page follows live.
        speakers = f"/meetings/{demo.MEETING_ID}/agenda-items/{ITEM.id}/speakers"
        await api(clerk, "PUT", f"{speakers}/settings", {"limit_seconds": 300})
        await api(clerk, "POST", f"{speakers}/next")
        await expect(member.get_by_text("Spricht gerade")).to_be_visible()
        await expect(member.locator("[data-remaining]")).to_contain_text("Verbleibende Redezeit")
        await check_and_shoot(member, "04-agenda-item", checked)

        # Join in the room: check in; the quorum turns green live on the clerk's page too.
        await clerk.goto(meeting)
        await member.get_by_role("link", name="Zurück zur Tagesordnung").click()
        await member.get_by_role("link", name="Teilnehmen").click()
        await member.get_by_role("button", name="Einchecken").click()
        await expect(member.get_by_text("Sie sind als anwesend erfasst")).to_be_visible()
        await expect(clerk.locator('[data-live="quorum-badge"]')).to_contain_text(
            "Beschlussfähig")
        await expect(clerk.locator('[data-live="connected"]')).to_contain_text("Markus Becker")
        await check_and_shoot(member, "05-join", checked)

        # The clerk opens a vote; the member's screen is taken to the vote at once.
        opened = await api(clerk, "POST", f"/meetings/{demo.MEETING_ID}/agenda-items/"
                           f"{ITEM.id}/polls", {"method": "open"})
        poll_id = json.loads(opened)["id"]
        await member.wait_for_url(f"{meeting}/abstimmungen/{poll_id}*")
        options = member.locator("button[name=choice]")
        await expect(options).to_have_count(3)  # NRW allows abstention
        await check_and_shoot(member, "06-vote", checked)

        # A double tap sends one intended cast (one key): it counts once.
        await member.get_by_role("button", name="Ja").dblclick()
        await expect(member.locator("[data-vote-confirmed]")).to_contain_text("Ihre Stimme: Ja")
        await member.get_by_role("button", name="Nein").click()
        await expect(member.locator("[data-vote-confirmed]")).to_contain_text("Ihre Stimme: Nein")
        await expect(member.locator('[data-live="vote-progress"]')).to_contain_text("1 von")
        # Offline, a cast does not arrive: the screen says so and offers a retry, which then
        # counts (still one ballot for this member).
        await member_ctx.set_offline(True)
        await member.get_by_role("button", name="Ja").click()
        await expect(member.locator("[data-vote-failed]")).to_contain_text("NICHT angekommen")
        await member_ctx.set_offline(False)
        await member.locator("[data-vote-failed]").get_by_role("button",
                                                                name="Erneut senden").click()
        await expect(member.locator("[data-vote-confirmed]")).to_contain_text("Ihre Stimme: Ja")
        status = json.loads(await api(clerk, "GET", f"/polls/{poll_id}"))
        assert status["ballots_cast"] == 1
        await check_and_shoot(member, "07-vote-cast", checked)

        # The clerk closes; the member's screen shows the result by itself.
        await api(clerk, "POST", f"/polls/{poll_id}/close")
        await expect(member.locator("[data-vote-result]")).to_contain_text("Angenommen")
        await check_and_shoot(member, "08-vote-result", checked)

        # English on request, remembered; errors are friendly pages.
        await member.get_by_role("button", name="In English").click()
        await expect(member.get_by_role("heading", name="Vote", exact=True)).to_be_visible()
        await member.goto(f"{app}/sitzungen/does-not-exist")
        await check_and_shoot(member, "09-error", checked)
        await member.get_by_role("button", name="Auf Deutsch").click()
        await member.get_by_role("button", name="Abmelden").click()
        await expect(member.get_by_role("heading", name="Sie sind abgemeldet")).to_be_visible()
        await check_and_shoot(member, "10-signed-out", checked)
        await browser.close()
    assert not any(checked.values()), report(checked)


async def test_the_accessibility_check_finds_what_it_must() -> None:
    # Guards the check above: a page with an unlabelled button and an image without
    # alternative text must be reported.
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(**launch_options())
        page = await (await new_context(browser, PHONE)).new_page()
        await page.set_content('<html lang="de"><body><main><img src="x.png">'
                               "<button></button></main></body></html>")
        found = {v["id"] for v in await serious_violations(page)}
        await browser.close()
    assert {"image-alt", "button-name"} <= found
