"""A secret election opened in the clerk console and completed in Debian's chromium against the
running system with its guardians: three members who joined by video are checked in to the
hall by the clerk while their apps keep beating (which must not make them remote again, or NRW's
rule for remote members would refuse the election), their phones encrypt the ballots, and each
member's result page names the candidates with their votes and who is elected.
"""

from __future__ import annotations

import pytest
from playwright.async_api import async_playwright, expect

from ratsraum_common import demo
from ratsraum_devstack.stack import Stack

from .browser import DESKTOP, PHONE, api, launch_options, signed_in_page
from .session_kit import (  # the stack with the video provider's secret
    HEX_CODE,
    IN_ROOM,
    ask_for_the_lobby,
    close_vote,
    configure_video,
    label,
    stack,
    taken_to_the_vote,
    video_provider,
)

pytestmark = pytest.mark.e2e
__all__ = ["stack", "video_provider"]  # fixtures, used by name

CANDIDATES = ("Sabine Krause", "Stefan Wagner")


async def test_a_secret_election_from_the_console_after_video_members_came_into_the_hall(
    stack: Stack, video_provider: str
) -> None:
    c = stack.config
    app = c.url(c.meeting_port)
    meeting = f"{app}/sitzungen/{demo.MEETING_ID}"
    pw_of = demo.ensure_credentials(c.data_dir)
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(**launch_options())
        await configure_video(browser, app, video_provider, pw_of["lange"])
        clerk = await signed_in_page(browser, DESKTOP, f"{meeting}/konsole", "richter",
                                     pw_of["richter"])
        members = [await signed_in_page(browser, PHONE, meeting, u, pw_of[u])
                   for u in ("becker", "hoffmann", "yilmaz")]

        await clerk.get_by_role("button", name="Sitzung eröffnen").click()
        await expect(clerk.get_by_text("Die Sitzung ist eröffnet.")).to_be_visible()
        for name in ("Anna Schulte", *IN_ROOM):
            await clerk.get_by_label(f"{name} auswählen").first.check()
        await clerk.get_by_label("Ausgewählte erfassen als").select_option("in_room")
        await clerk.get_by_role("button", name="Erfassen", exact=True).click()
        await expect(clerk.get_by_text("Die Anwesenheit ist erfasst.")).to_be_visible()

        # Three members join by video and are admitted; then they come into the hall.
        for member in members:
            await ask_for_the_lobby(member, meeting)
        await clerk.locator("#rr-r-lobby").get_by_role("button", name="Alle 3 zulassen").click()
        for member in members:
            await expect(member.get_by_role("heading", name="Sie sind zugelassen")).to_be_visible()
        for name in ("Markus Becker", "Petra Hoffmann", "Deniz Yilmaz"):
            await clerk.get_by_role("button", name=f"{name} als im Saal erfassen").click()
            await expect(clerk.get_by_text("Die Anwesenheit ist erfasst.")).to_be_visible()
        # Their apps are still open and beat (sent now rather than waited for).
        for member in members:
            await api(member, "POST", f"/meetings/{demo.MEETING_ID}/heartbeat")

        # The clerk opens a secret election between two candidates in the console.
        await clerk.get_by_role("link", name="Abstimmungen", exact=True).click()
        await clerk.locator("#election-item").select_option(label=label("n2"))
        for name in CANDIDATES:
            await clerk.get_by_label(name, exact=True).check()
        await clerk.locator("#election-secret").check()
        await clerk.get_by_role("button", name="Wahl eröffnen").click()
        await expect(clerk.get_by_text("Die Abstimmung ist eröffnet.")).to_be_visible()

        codes = []
        for member, choice in zip(members, (CANDIDATES[0], CANDIDATES[0], CANDIDATES[1]),
                                  strict=True):
            await taken_to_the_vote(member)
            await member.locator("button[data-secret-option]", has_text=choice).click()
            code = member.locator("[data-secret-code]")
            await expect(code).to_have_text(HEX_CODE)
            codes.append((await code.text_content() or "").strip())
        await close_vote(clerk)

        becker = members[0]
        status = becker.locator("[data-election-status]")
        await expect(status).to_contain_text(f"Ergebnis: Gewählt ({CANDIDATES[0]})",
                                             timeout=30000)
        result = becker.locator("[data-vote-result]")
        await expect(result.locator("tr", has_text=CANDIDATES[0])).to_contain_text("2")
        await expect(result.locator("tr", has_text=CANDIDATES[1])).to_contain_text("1")
        elected = result.locator("tr[data-elected]")
        await expect(elected).to_have_count(1)
        await expect(elected).to_contain_text(CANDIDATES[0])
        await expect(becker.locator("input[name=code]")).to_have_value(codes[0])
        await becker.get_by_role("button", name="Code prüfen").click()
        await expect(becker.locator("[data-code-found]")).to_contain_text("Gezählt")
        await browser.close()
