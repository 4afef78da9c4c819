"""A whole council session run in Debian's chromium against the running system, through the
pages alone: the demo committee's members sign in on phones and on a desktop, three of them
join by video and wait in the lobby until the clerk admits them (one, then the rest at once);
the quorum turns green on their pages; the speakers list with its time; an open vote, a
roll-call vote and a show of hands; a member reports a lost connection, the chair interrupts
(the open vote becomes void), resumes and re-runs it; a secret vote encrypted on the members'
devices whose confirmation code is then found in the published record; an urgent item; minutes
signed by chair and clerk.
New page states are checked with axe-core and screenshotted at both sizes.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.async_api import async_playwright, expect

from ratsraum_common import demo
from ratsraum_devstack.stack import Stack

from .browser import (
    DESKTOP,
    PHONE,
    check_and_shoot,
    launch_options,
    report,
    signed_in_page,
)
from .session_kit import (
    HEX_CODE,
    IN_ROOM,
    ITEMS,
    URGENT,
    ask_for_the_lobby,
    close_vote,
    configure_video,
    open_vote,
    stack,
    taken_to_the_vote,
    video_provider,
    vote,
)

pytestmark = pytest.mark.e2e
__all__ = ["stack", "video_provider"]  # fixtures, used by name


async def test_a_whole_session_in_the_browser(stack: Stack, video_provider: str) -> None:
    c = stack.config
    app = c.url(c.meeting_port)
    meeting = f"{app}/sitzungen/{demo.MEETING_ID}"
    console = f"{meeting}/konsole"
    pw_of = demo.ensure_credentials(c.data_dir)
    checked: dict[str, list[Any]] = {}
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(**launch_options())
        await configure_video(browser, app, video_provider, pw_of["lange"])
        clerk = await signed_in_page(browser, DESKTOP, console, "richter", pw_of["richter"])
        chair = await signed_in_page(browser, DESKTOP, f"{meeting}/vorsitz", "schulte",
                                     pw_of["schulte"])
        becker = await signed_in_page(browser, PHONE, meeting, "becker", pw_of["becker"])
        hoffmann = await signed_in_page(browser, DESKTOP, meeting, "hoffmann",
                                        pw_of["hoffmann"])
        yilmaz = await signed_in_page(browser, PHONE, meeting, "yilmaz", pw_of["yilmaz"])
        members = (becker, hoffmann, yilmaz)

        # The clerk opens the session and records who is in the room: not yet quorate.
        await clerk.get_by_role("button", name="Sitzung eröffnen").click()
        await expect(clerk.get_by_text("Die Sitzung ist eröffnet.")).to_be_visible()
        for name in ("Anna Schulte", *IN_ROOM):
            await clerk.get_by_label(f"{name} auswählen").first.check()
        await clerk.get_by_label("Ausgewählte erfassen als").select_option("in_room")
        await clerk.get_by_role("button", name="Erfassen", exact=True).click()
        await expect(clerk.get_by_text("Die Anwesenheit ist erfasst.")).to_be_visible()

        # Three members join by video: they wait in the lobby; the clerk sees them live and
        # admits one with a click, then the other two at once.
        await ask_for_the_lobby(becker, meeting)
        await check_and_shoot(becker, "21-lobby-waiting", checked)
        lobby = clerk.locator("#rr-r-lobby")
        await clerk.get_by_role("button", name="Markus Becker zulassen").click()
        await expect(becker.get_by_role("heading", name="Sie sind zugelassen")).to_be_visible()
        await expect(becker.locator('[data-live="quorum-badge"]')).to_contain_text(
            "Nicht beschlussfähig")
        await ask_for_the_lobby(hoffmann, meeting)
        await ask_for_the_lobby(yilmaz, meeting)
        await expect(lobby.get_by_role("button", name="Alle 2 zulassen")).to_be_visible()
        await check_and_shoot(clerk, "22-console-lobby", checked)
        await lobby.get_by_role("button", name="Alle 2 zulassen").click()
        await expect(clerk.get_by_text("Zugelassen. Jede Zulassung ist protokolliert.")
                     ).to_be_visible()
        for member in members:
            await expect(member.get_by_role("heading", name="Sie sind zugelassen")).to_be_visible()
        # Seven present of eleven: the quorum turns green on every member's page by itself.
        for member in members:
            await expect(member.locator('[data-live="quorum-badge"]')).to_contain_text(
                re.compile(r"^\s*Beschlussfähig"))
        await expect(becker.locator('[data-live="connected"]')).to_contain_text(
            "Petra Hoffmann (zugeschaltet)")
        await lobby.get_by_text("Zulassungsprotokoll").click()
        for name in ("Markus Becker", "Petra Hoffmann", "Deniz Yilmaz"):
            await expect(lobby).to_contain_text(f"{name} zugelassen")

        # Ö 3 is called; Markus Becker asks to speak on his phone; the clerk sets five
        # minutes and gives him the floor: his page shows the time he has left.
        await clerk.get_by_role("button", name=f"Punkt {ITEMS['o3'].number} aufrufen").click()
        await expect(clerk.get_by_text("Der Tagesordnungspunkt ist geändert.")).to_be_visible()
        await becker.goto(meeting)
        await becker.get_by_role("link", name=ITEMS["o3"].title).click()
        await becker.get_by_role("button", name="Wortmeldung", exact=True).click()
        await expect(becker.get_by_text("Ihre Wortmeldung ist eingetragen.")).to_be_visible()
        await clerk.get_by_role("link", name="Redeliste").click()
        speakers = clerk.locator("#rr-r-speakers")
        await expect(speakers).to_contain_text("Markus Becker")
        await clerk.get_by_label("Redezeit in Minuten (leer: unbegrenzt)").fill("5")
        await speakers.get_by_role("button", name="Speichern").click()
        await expect(speakers).to_contain_text("Redezeit 5")
        await clerk.get_by_role("button", name="Nächste Wortmeldung aufrufen").click()
        await expect(becker.get_by_text("Spricht gerade")).to_be_visible()
        await expect(becker.locator("[data-remaining]")).to_contain_text(
            re.compile(r"Verbleibende Redezeit: 4:\d\d"))

        # An open vote on Ö 3: the vote takes every member's screen; the clerk sees the
        # neutral count; the result reaches the members' pages by itself.
        await open_vote(clerk, "o3", "Offene Abstimmung")
        for member, choice in zip(members, ("Ja", "Ja", "Nein"), strict=True):
            await vote(member, choice)
        await expect(clerk.locator("#rr-r-open-votes [data-poll-count]")).to_contain_text(
            "3 von 7")
        await close_vote(clerk)
        for member in members:
            await expect(member.locator("[data-vote-result]")).to_contain_text(
                "Ergebnis: Angenommen")

        # A roll-call vote on Ö 4: the members, still on the last result, are taken to it.
        await open_vote(clerk, "o4", "Namentliche Abstimmung")
        for member, choice in zip(members, ("Nein", "Nein", "Enthaltung"), strict=True):
            await vote(member, choice)
        await close_vote(clerk)
        await expect(becker.locator("[data-vote-result]")).to_contain_text(
            "Ergebnis: Abgelehnt")
        done = clerk.locator("#rr-r-done-votes")
        await expect(done).to_contain_text("Namentliche Abstimmung")

        # A show of hands on Ö 2: the clerk records the room's counts, which close the vote.
        await open_vote(clerk, "o2", "Offene Abstimmung")
        await taken_to_the_vote(becker)
        running = clerk.locator("#rr-r-open-votes")
        await running.get_by_text("Ergebnis per Handzeichen erfassen").click()
        await running.get_by_label("Ja", exact=True).fill("6")
        await running.get_by_label("Nein", exact=True).fill("1")
        await running.get_by_role("button", name="Handzeichen erfassen").click()
        await expect(clerk.get_by_text("Das Handzeichen-Ergebnis ist erfasst.")).to_be_visible()
        await expect(done).to_contain_text("per Handzeichen")
        await expect(becker.locator("[data-vote-result]")).to_contain_text(
            "Ergebnis: Angenommen")

        # A disruption: during the vote on N 1, Petra Hoffmann loses her video and reports
        # it with one button; the chair interrupts, the vote becomes void; every member's
        # page follows the interruption and the resumption without a reload.
        await open_vote(clerk, "n1", "Offene Abstimmung")
        await vote(becker, "Ja")
        await taken_to_the_vote(hoffmann)
        await hoffmann.goto(f"{meeting}/teilnahme")
        await hoffmann.get_by_role("button", name="Verbindungsstörung melden").click()
        await expect(hoffmann.get_by_text("Ihre Störungsmeldung ist eingegangen.")
                     ).to_be_visible()
        await yilmaz.goto(meeting)
        status = yilmaz.locator('[data-live="status"]')
        await expect(status).to_have_text("läuft")
        await expect(chair.locator("#rr-r-chair-votes")).to_contain_text("1 von 7")
        await chair.get_by_role("button", name="Sitzung unterbrechen").click()
        await expect(chair.get_by_text("Die Sitzung ist unterbrochen.").first).to_be_visible()
        await expect(status).to_have_text("unterbrochen")
        await expect(becker.locator("[data-vote-result]")).to_contain_text(
            "Die Abstimmung ist ungültig und wird wiederholt.")
        await check_and_shoot(yilmaz, "23-meeting-interrupted", checked)
        await chair.goto(f"{console}/stoerungen")
        await expect(chair.locator("#rr-r-reports")).to_contain_text("Petra Hoffmann")
        await chair.get_by_role("button", name="Sitzung fortsetzen").click()
        await expect(chair.get_by_text("Die Sitzung wird fortgesetzt.")).to_be_visible()
        await expect(status).to_have_text("läuft")
        reruns = chair.locator("#rr-r-reruns")
        await reruns.get_by_label("Begründung").fill("Bild- und Tonausfall bei Frau Hoffmann")
        await reruns.get_by_role("button", name="Abstimmung wiederholen").click()
        await expect(chair.get_by_text("Die Abstimmung wird wiederholt.")).to_be_visible()
        for member, choice in zip(members, ("Ja", "Ja", "Ja"), strict=True):
            await vote(member, choice)
        await close_vote(clerk)
        await expect(yilmaz.locator("[data-vote-result]")).to_contain_text(
            "Ergebnis: Angenommen")
        await expect(done).to_contain_text("ungültig")

        # A secret vote on N 2. NRW allows none with members connected by video, so the three
        # come into the hall; their devices encrypt the ballots; each gets its code.
        await clerk.get_by_role("link", name="Sitzung", exact=True).click()
        for name in ("Markus Becker", "Petra Hoffmann", "Deniz Yilmaz"):
            await clerk.get_by_role("button", name=f"{name} als im Saal erfassen").click()
            await expect(clerk.get_by_text("Die Anwesenheit ist erfasst.")).to_be_visible()
        await open_vote(clerk, "n2", "Geheime Abstimmung")
        codes = []
        for member, choice in zip(members, ("Ja", "Nein", "Enthaltung"), strict=True):
            await taken_to_the_vote(member)
            await member.locator("button[data-secret-option]", has_text=choice).click()
            code = member.locator("[data-secret-code]")
            await expect(code).to_have_text(HEX_CODE)
            codes.append((await code.text_content() or "").strip())
        await close_vote(clerk)
        await expect(becker.locator("[data-vote-result]")).to_contain_text("Ergebnis",
                                                                           timeout=30000)
        await expect(becker.locator("input[name=code]")).to_have_value(codes[0])
        await becker.get_by_role("button", name="Code prüfen").click()
        await expect(becker.locator("[data-code-found]")).to_contain_text("Gezählt")
        await expect(done).to_contain_text("Geheime Abstimmung")

        # An urgent item, added in the console, joins the agenda on the members' pages.
        await clerk.get_by_role("link", name="Sitzung", exact=True).click()
        await clerk.get_by_text("Dringlichkeitspunkt aufnehmen").click()
        await clerk.locator("#urgent-title").fill(URGENT)
        await clerk.locator("#urgent-reason").fill("Der Vorsitz der Arbeitsgruppe ist frei.")
        await clerk.get_by_role("button", name="Aufnehmen").click()
        await expect(clerk.get_by_text("Der Dringlichkeitspunkt ist aufgenommen.")
                     ).to_be_visible()
        await expect(clerk.locator("#rr-r-agenda")).to_contain_text(URGENT)
        await yilmaz.goto(meeting)
        await expect(yilmaz.get_by_role("link", name=URGENT)).to_be_visible()

        # The clerk ends the session; chair and clerk sign the minutes, which are sealed.
        await clerk.get_by_role("button", name="Sitzung schließen").click()
        await expect(clerk.get_by_text("Die Sitzung ist geschlossen.").first).to_be_visible()
        await clerk.get_by_role("link", name="Niederschrift").click()
        await clerk.get_by_role("button", name="Als Schriftführung unterschreiben").click()
        await expect(clerk.get_by_text("Unterschrieben.", exact=True)).to_be_visible()
        await chair.goto(f"{console}/niederschrift")
        await chair.get_by_role("button", name="Als Vorsitz unterschreiben").click()
        await expect(chair.get_by_text("Unterschrieben und versiegelt")).to_be_visible()
        await check_and_shoot(chair, "24-console-minutes-signed", checked)
        await browser.close()
    assert not any(checked.values()), report(checked)
