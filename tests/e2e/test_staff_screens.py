"""The clerk console, the chair view and the hall display in Debian's chromium against the running
system. The clerk opens the meeting and checks members in with forms, the quorum turns green
live when a member checks in on her phone, the clerk calls an item and opens a roll-call vote,
the "has voted" count moves live on the console and the hall display, the chair closes the vote
with the keyboard and the hall shows the result; the console loses the network and catches up;
then speakers list, disruptions, invitations, a citizen's question arriving on the open
questions tab, the public tab (stream, a citizen's link revoked)
and minutes. A member gets 403 on the console.
Every page type passes axe-core and is screenshotted at 390×844 and 1440×900.
"""

from __future__ import annotations

from typing import Any

import pytest
from playwright.async_api import async_playwright, expect

from ratsraum.meeting.v1 import public_pb2, public_pb2_grpc
from ratsraum_common import demo
from ratsraum_common.grpcutil import channel
from ratsraum_devstack.stack import Stack

from .browser import (
    DESKTOP,
    PHONE,
    check_and_shoot,
    launch_options,
    new_context,
    report,
    sign_in,
)

pytestmark = pytest.mark.e2e

ITEM = next(i for i in demo.AGENDA if i.key == "o3")
IN_ROOM = ["Anna Schulte", "Petra Hoffmann", "Deniz Yilmaz", "Stefan Wagner", "Sabine Krause"]



async def _ask(target: str, text: str) -> None:
    """Send a citizen's question the way the portal does (meeting's public gRPC)."""
    async with channel(target) as ch:
        await public_pb2_grpc.PublicMeetingServiceStub(ch).SubmitCitizenQuestion(
            public_pb2.SubmitCitizenQuestionRequest(
                tenant=demo.TENANT, meeting_id=demo.MEETING_ID, author="Jana Bürger",
                email="jana.buerger@example.org", text=text), timeout=10)


async def test_clerk_chair_and_hall_display_run_a_vote_live(stack: Stack) -> None:
    c = stack.config
    app = c.url(c.meeting_port)
    meeting = f"{app}/sitzungen/{demo.MEETING_ID}"
    console = f"{meeting}/konsole"
    passwords = demo.ensure_credentials(c.data_dir)
    checked: dict[str, list[Any]] = {}
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(**launch_options())
        clerk = await (await new_context(browser, DESKTOP)).new_page()
        chair = await (await new_context(browser, DESKTOP)).new_page()
        hall = await (await new_context(browser, DESKTOP)).new_page()
        member = await (await new_context(browser, PHONE)).new_page()

        # A member is refused the console; she sees no way to it either.
        await sign_in(member, f"{app}/sitzungen", "becker", passwords["becker"])
        answer = await member.goto(console)
        assert answer is not None
        assert answer.status == 403
        await member.goto(meeting)
        await expect(member.get_by_role("link", name="Schriftführung")).to_have_count(0)

        # Not yet open: the console says why no vote can open; opening is one button.
        await sign_in(clerk, console, "richter", passwords["richter"])
        await expect(clerk.locator("[data-vote-blockers]")).to_contain_text(
            "noch nicht eröffnet")
        await clerk.get_by_role("button", name="Sitzung eröffnen").click()
        await expect(clerk.get_by_text("Die Sitzung ist eröffnet.")).to_be_visible()

        # Bulk check-in of five members: not yet quorate, and the panel says so.
        for name in IN_ROOM:
            await clerk.get_by_label(f"{name} auswählen").first.check()
        await clerk.get_by_label("Ausgewählte erfassen als").select_option("in_room")
        await clerk.get_by_role("button", name="Erfassen", exact=True).click()
        await expect(clerk.get_by_text("Die Anwesenheit ist erfasst.")).to_be_visible()
        await expect(clerk.locator('[data-live="quorum-badge"]')).to_contain_text(
            "Nicht beschlussfähig")
        await expect(clerk.locator("[data-vote-blockers]")).to_contain_text(
            "Nicht beschlussfähig: 5 anwesend")

        # The member checks in on her phone: the clerk's console turns quorate by itself.
        await member.goto(f"{meeting}/teilnahme")
        await member.get_by_role("button", name="Einchecken").click()
        await expect(clerk.locator('[data-live="quorum-badge"]')).to_contain_text(
            "Beschlussfähig")
        await expect(clerk.locator("[data-vote-ready]")).to_be_visible()
        await expect(clerk.locator("#rr-r-attendance")).to_contain_text("Markus Becker")
        await clerk.get_by_role("button", name=f"Punkt {ITEM.number} aufrufen").click()
        await expect(clerk.get_by_text("Der Tagesordnungspunkt ist geändert.")).to_be_visible()
        await check_and_shoot(clerk, "12-console", checked)

        # The hall display follows the session on the projector.
        await sign_in(hall, f"{meeting}/saal", "richter", passwords["richter"])
        await expect(hall.locator(".rr-hall__title")).to_contain_text(ITEM.title)

        # A roll-call vote: the member's screen is taken, the count moves live elsewhere.
        await clerk.get_by_role("link", name="Abstimmungen").click()
        await clerk.get_by_label("Namentliche Abstimmung").check()
        await clerk.get_by_role("button", name="Abstimmung eröffnen").first.click()
        await expect(clerk.get_by_text("Die Abstimmung ist eröffnet.")).to_be_visible()
        await expect(clerk.get_by_text("Abstimmung abbrechen")).to_have_count(0)  # the chair's
        await member.wait_for_url(f"{meeting}/abstimmungen/*")
        await expect(hall.locator("[data-poll-count]")).to_contain_text("0 von")
        await check_and_shoot(clerk, "13-console-votes", checked)
        await member.get_by_role("button", name="Ja").click()
        await expect(member.locator("[data-vote-confirmed]")).to_be_visible()
        await expect(clerk.locator("#rr-r-open-votes [data-poll-count]")).to_contain_text(
            "1 von")
        await expect(hall.locator("[data-poll-count]")).to_contain_text("1 von")
        await check_and_shoot(hall, "19-hall", checked)

        # The chair closes it from the chair view, by keyboard; the hall shows the result.
        await sign_in(chair, f"{meeting}/vorsitz", "schulte", passwords["schulte"])
        await expect(chair.get_by_role("heading", name="Vorsitz", exact=True)).to_be_visible()
        await check_and_shoot(chair, "18-chair", checked)
        await chair.get_by_role("button", name="Abstimmung schließen").focus()
        await chair.keyboard.press("Enter")
        await expect(chair.get_by_text("Die Abstimmung ist geschlossen.")).to_be_visible()
        await expect(hall.locator(".rr-hall__outcome")).to_contain_text("Angenommen")
        await expect(clerk.locator("#rr-r-done-votes")).to_contain_text("Angenommen")
        await check_and_shoot(hall, "20-hall-result", checked)

        # Speakers list, across a network loss: the clerk's console goes offline while the
        # member asks to speak; back online it says so and shows her without a reload.
        await clerk.get_by_role("link", name="Redeliste").click()
        await clerk.context.set_offline(True)
        await expect(clerk.locator("#rr-netstatus")).to_contain_text("Keine Verbindung")
        await member.goto(f"{meeting}/punkte/{ITEM.id}")
        await member.get_by_role("button", name="Wortmeldung").first.click()
        await expect(member.get_by_text("Ihre Wortmeldung ist eingetragen.")).to_be_visible()
        await clerk.context.set_offline(False)
        await expect(clerk.locator("#rr-netstatus")).to_contain_text("Wieder verbunden",
                                                                      timeout=20000)
        await expect(clerk.locator("#rr-r-speakers")).to_contain_text("Markus Becker")
        await clerk.get_by_label("Wortmeldung eintragen für").select_option(
            label="Petra Hoffmann")
        await clerk.get_by_role("button", name="Eintragen").click()
        await expect(clerk.locator("#rr-r-speakers")).to_contain_text("Petra Hoffmann")
        await clerk.get_by_role("button", name="Nächste Wortmeldung aufrufen").click()
        await expect(clerk.locator(".rr-speaking")).to_contain_text("Markus Becker")
        await check_and_shoot(clerk, "14-console-speakers", checked)

        # Disruptions: a report by phone; invitations sent and their delivery seen; minutes.
        await clerk.get_by_role("link", name="Störungen").click()
        await clerk.get_by_text("Telefonische Meldung erfassen").click()
        await clerk.get_by_label("Name", exact=True).select_option(label="Markus Becker")
        await clerk.get_by_role("button", name="Meldung erfassen").click()
        await expect(clerk.locator("#rr-r-reports")).to_contain_text("Markus Becker")
        await check_and_shoot(clerk, "15-console-disruptions", checked)
        await clerk.get_by_role("link", name="Einladungen").click()
        await clerk.get_by_role("button", name="An alle Mitglieder senden").click()
        await expect(clerk.locator("table")).to_contain_text("zugestellt")
        await check_and_shoot(clerk, "16-console-invitations", checked)
        await clerk.get_by_role("link", name="Hybridsitzung").click()
        await expect(clerk.locator("#hybrid-law-heading")).to_be_visible()
        await check_and_shoot(clerk, "25-console-hybrid", checked)
        await clerk.get_by_role("link", name="Einwohnerfragen").click()
        await expect(clerk.locator("#questions-heading")).to_be_visible()
        # A citizen's question, sent as the portal sends it, shows up on the open tab by itself.
        await _ask(f"{c.host}:{c.meeting_grpc_port}", "Wann kommt das WLAN an den Bahnhof?")
        await expect(clerk.locator("#rr-r-questions")).to_contain_text(
            "Wann kommt das WLAN an den Bahnhof?")
        await check_and_shoot(clerk, "26-console-questions", checked)
        # The public tab: the stream address, and a citizen's link the clerk revokes.
        citizen = await pw.request.new_context()
        asked = await citizen.post(
            f"{app}/api/v1/citizen-links/{demo.TENANT}/{demo.MEETING_ID}",
            data={"email": "anna.buerger@example.org"})
        assert asked.status == 202, await asked.text()
        await citizen.dispose()
        await clerk.get_by_role("link", name="Öffentlichkeit").click()
        await clerk.get_by_label("Adresse des Livestreams (HLS, https://…)").fill(
            "https://stream.soest.example/rat/live.m3u8")
        await clerk.get_by_role("button", name="Livestream speichern").click()
        await expect(clerk.get_by_text("Der Livestream ist gespeichert.")).to_be_visible()
        await expect(clerk.locator("#rr-r-citizen-links")).to_contain_text("a…@example.org")
        await clerk.get_by_role("button", name="Link von a…@example.org widerrufen").click()
        await expect(clerk.get_by_text("Der Link ist widerrufen")).to_be_visible()
        await check_and_shoot(clerk, "27-console-public", checked)
        await clerk.get_by_role("link", name="Niederschrift").click()
        await clerk.get_by_label("Bemerkungen", exact=True).fill("Ohne Besonderheiten.")
        await clerk.get_by_role("button", name="Speichern").first.click()
        await expect(clerk.get_by_text("Die Niederschrift ist gespeichert.")).to_be_visible()
        await expect(clerk.get_by_role("link", name="Vorschau (PDF)")).to_have_attribute(
            "href", f"/api/v1/meetings/{demo.MEETING_ID}/minutes/pdf")
        await check_and_shoot(clerk, "17-console-minutes", checked)
        await browser.close()
    assert not any(checked.values()), report(checked)
