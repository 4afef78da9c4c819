"""A secret vote in Debian's chromium against the running system with its three guardians in
ElectionGuard's production group: members tap an option on the phone, the page encrypts it,
meeting relays only the encrypted ballot, the member sees the confirmation code, and after the
close finds it counted in the published record. The tally equals the choices.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from playwright.async_api import Page, Route, async_playwright, expect

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
    sign_in,
)

pytestmark = pytest.mark.e2e

ITEM = next(i for i in demo.AGENDA if i.key == "o3")
HEX_CODE = re.compile(r"^[0-9A-F]{16,}$")
IN_ROOM = ["becker", "schulte", "hoffmann", "yilmaz", "wagner", "krause"]


async def lose_the_first_answer(page: Page) -> list[int]:
    """The first cast reaches the server, but its answer is lost on the way back."""
    statuses: list[int] = []

    async def handle(route: Route) -> None:
        answer = await route.fetch()
        statuses.append(answer.status)
        if len(statuses) == 1:
            await route.abort("connectionreset")
        else:
            await route.fulfill(response=answer)

    await page.route("**/secret-ballots", handle)
    return statuses


async def test_a_secret_vote_encrypted_on_the_phone_is_found_counted(stack: Stack) -> None:
    c = stack.config
    app = c.url(c.meeting_port)
    meeting = f"{app}/sitzungen/{demo.MEETING_ID}"
    passwords = demo.ensure_credentials(c.data_dir)
    checked: dict[str, list[Any]] = {}
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(**launch_options())
        clerk = await (await new_context(browser, DESKTOP)).new_page()
        member_ctx = await new_context(browser, PHONE)
        await member_ctx.grant_permissions(["clipboard-read", "clipboard-write"])
        member = await member_ctx.new_page()
        other = await (await new_context(browser, PHONE)).new_page()
        third = await (await new_context(browser, PHONE)).new_page()
        no_js = await (await browser.new_context(viewport=PHONE, locale="de-DE",
                                                 java_script_enabled=False)).new_page()
        await sign_in(clerk, f"{app}/sitzungen", "richter", passwords["richter"])
        await sign_in(member, meeting, "becker", passwords["becker"])
        await sign_in(other, meeting, "schulte", passwords["schulte"])
        await sign_in(third, meeting, "yilmaz", passwords["yilmaz"])
        await sign_in(no_js, meeting, "hoffmann", passwords["hoffmann"])

        # Everyone in the room (NRW: no secret vote with members connected remotely).
        await api(clerk, "POST", f"/meetings/{demo.MEETING_ID}/open")
        for username in IN_ROOM:
            await api(clerk, "PUT", f"/meetings/{demo.MEETING_ID}/attendance/"
                      f"{demo.subject_for(demo.TENANT, username)}", {"presence": "in_room"})
        await member.reload()
        await other.reload()
        opened = await api(clerk, "POST", f"/meetings/{demo.MEETING_ID}/agenda-items/"
                           f"{ITEM.id}/polls", {"method": "secret"})
        poll_id = json.loads(opened)["id"]
        vote_url = f"{meeting}/abstimmungen/{poll_id}"

        # The vote takes the member's screen; the options appear once encryption is ready,
        # with the warning that a secret vote is final.
        await member.wait_for_url(f"{vote_url}*")
        await expect(member.locator("[data-secret-final]")).to_contain_text(
            "nicht mehr geändert werden")
        options = member.locator("button[data-secret-option]")
        await expect(options).to_have_count(3)
        await expect(options.first).to_be_visible()
        await check_and_shoot(member, "12-secret-vote", checked)

        # Without JavaScript the screen says why it cannot be used, and offers no option.
        await no_js.goto(vote_url)
        await expect(no_js.get_by_text("muss JavaScript eingeschaltet sein")).to_be_visible()
        await expect(no_js.locator("[data-secret-options]")).to_be_hidden()

        # The first answer is lost: the retry resends the same ballot, which voting answers as
        # a replay with the same code (a fresh encryption would be a second ballot, refused).
        statuses = await lose_the_first_answer(member)
        await member.get_by_role("button", name="Ja").click()
        await expect(member.locator("[data-vote-failed]")).to_contain_text("NICHT angekommen")
        await member.locator("[data-vote-failed]").get_by_role(
            "button", name="Erneut senden").click()
        code_line = member.locator("[data-secret-code]")
        await expect(code_line).to_have_text(HEX_CODE)
        assert statuses == [201, 200], statuses  # counted once, then answered as a replay
        code = (await code_line.text_content() or "").strip()
        await expect(member.locator("[data-secret-cast]")).to_contain_text(
            "Mit diesem Code können Sie nach der Abstimmung prüfen")
        await expect(options.first).to_be_hidden()  # no second ballot from this screen
        await member.get_by_role("button", name="Code kopieren").click()
        await expect(member.get_by_text("Der Code ist kopiert.")).to_be_visible()
        assert await member.evaluate("navigator.clipboard.readText()") == code
        await check_and_shoot(member, "13-secret-vote-cast", checked)
        progress = json.loads(await api(clerk, "GET", f"/polls/{poll_id}"))
        assert progress["ballots_cast"] == 1

        # A second member votes "Nein"; on coming back the screen says a secret vote is final.
        await other.wait_for_url(f"{vote_url}*")
        second_tab = await other.context.new_page()
        await second_tab.goto(vote_url)
        await other.get_by_role("button", name="Nein").click()
        await expect(other.locator("[data-secret-code]")).to_have_text(HEX_CODE)
        await other.reload()
        await expect(other.locator("[data-secret-already]")).to_contain_text(
            "kann nicht geändert werden")
        # A tab opened before the cast makes a new ballot: voting refuses it, the tab says why.
        await second_tab.get_by_role("button", name="Ja").click()
        await expect(second_tab.locator("#rr-vote-status")).to_contain_text(
            "Sie haben bereits abgestimmt. Eine geheime Stimme kann nicht geändert werden.")

        # A third member abstains: guardians decrypt no sum of fewer than three ballots.
        await third.goto(vote_url)
        await third.get_by_role("button", name="Enthaltung").click()
        await expect(third.locator("[data-secret-code]")).to_have_text(HEX_CODE)

        # The close: the member's page keeps the code and offers the check; it is counted.
        await api(clerk, "POST", f"/polls/{poll_id}/close")
        await expect(member.locator("[data-vote-result]")).to_contain_text("Ergebnis")
        await expect(member.locator("input[name=code]")).to_have_value(code)
        await member.get_by_role("button", name="Code prüfen").click()
        await expect(member.locator("[data-code-found]")).to_contain_text("Gezählt")
        await check_and_shoot(member, "14-secret-vote-checked", checked)
        await member.locator("input[name=code]").fill("ABCDEF0123")
        await member.get_by_role("button", name="Code prüfen").click()
        await expect(member.locator("[data-code-missing]")).to_contain_text("Nicht gefunden")

        # Without JavaScript the check is a plain form.
        await no_js.goto(f"{vote_url}?code={code}")
        await expect(no_js.locator("[data-code-found]")).to_contain_text("Gezählt")

        closed = json.loads(await api(clerk, "GET", f"/polls/{poll_id}"))
        await browser.close()
    counts = {k: closed["result"].get(k, 0) for k in ("yes", "no", "abstain")}
    assert counts == {"yes": 1, "no": 1, "abstain": 1}, closed["result"]
    assert not any(checked.values()), report(checked)

