"""axe-core in Debian's headless chromium on the portal's citizen pages: the question form
(empty and refused), the access-link pages (confirm, before joining, refused) and the meeting
page with the members present and the livestream player, at 390×844 and 1440×900: no
serious or critical violation."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from playwright.async_api import Page, async_playwright

from ratsraum.meeting.v1 import public_pb2
from ratsraum_devstack import chromium

Portal = Any  # the conftest's Portal; fixtures cannot be imported in importlib mode

ROOT = Path(__file__).resolve().parents[4]
AXE = ROOT / "services/meeting/frontend/node_modules/axe-core/axe.min.js"
SIZES = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1440, "height": 900}}
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


async def _serious(page: Page) -> list[dict[str, Any]]:
    """axe-core's serious and critical WCAG 2.1 A/AA violations on the page as it is."""
    await page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    found: list[dict[str, Any]] = await page.evaluate(
        """async (tags) => (await axe.run(document, {runOnly: {type: 'tag', values: tags}}))
            .violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
            .map(v => ({id: v.id, nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}))""",
        WCAG)
    return found


async def _submit(page: Page, url: str, fields: dict[str, str]) -> None:
    """Post a plain form as a browser would, so the answer page is what axe sees."""
    await page.set_content(
        f'<form method="post" action="{url}">'
        + "".join(f'<input type="hidden" name="{k}" value="{v}">' for k, v in fields.items())
        + "</form>")
    async with page.expect_navigation():
        await page.evaluate("document.forms[0].submit()")


async def test_question_and_access_pages_have_no_serious_axe_violations(
    sqlite_portal: Portal, publish: Any, new_meeting: Any, tenant: str
) -> None:
    meeting = new_meeting(status="running", citizen_room="Rathaus, Raum 12")
    meeting.attendees.extend([
        public_pb2.PublicAttendee(name="Anna Becker", presence="in_room"),
        public_pb2.PublicAttendee(name="Jonas Weber", presence="remote"),
    ])
    meeting.stream.CopyFrom(public_pb2.PublicStream(
        url="https://stream.invalid/rat/live.m3u8", refused_names=["Jonas Weber"]))
    await publish(meeting, 1)
    await sqlite_portal.wait_for_meeting(tenant, meeting.id)
    base = f"{sqlite_portal.url}/{tenant}/sitzungen/{meeting.id}"
    checked: dict[str, list[dict[str, Any]]] = {}
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=chromium.executable(), args=list(chromium.LAUNCH_ARGS))
        try:
            for label, size in SIZES.items():
                page = await (await browser.new_context(
                    viewport=size, bypass_csp=True, locale="de-DE")).new_page()
                for name, url in (("meeting", base), ("question", f"{base}/fragen"),
                                  ("access-confirm", f"{base}/zugang/bestaetigen?token=abc"),
                                  ("access-join", f"{base}/zugang?token=abc")):
                    await page.goto(url)
                    checked[f"{name}@{label}"] = await _serious(page)
                # Meeting is unreachable here: the question comes back refused, typed text kept.
                await _submit(page, f"{base}/fragen", {
                    "name": "Anna Frage", "frage": "Wann kommt das WLAN?",
                    "angezeigt": "0", "webseite": ""})
                assert await page.locator("#frage-text").input_value() == "Wann kommt das WLAN?"
                checked[f"question-refused@{label}"] = await _serious(page)
                await _submit(page, f"{base}/zugang", {"email": "keine-adresse"})
                assert await page.locator("#access-refused").count() == 1
                checked[f"access-refused@{label}"] = await _serious(page)
        finally:
            await browser.close()
    assert not any(checked.values()), json.dumps(
        {k: v for k, v in checked.items() if v}, indent=1)
