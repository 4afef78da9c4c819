"""Every page type of the portal in Debian's headless chromium, at 390×844 and 1440×900: axe-core
finds no serious or critical WCAG 2.1 A/AA violation, the page wears KERN UX served by the
portal itself, and each is photographed into docs/screenshots/ (40-… to 51-…-portal-…)."""

from __future__ import annotations

import asyncio
import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from google.protobuf import struct_pb2  # type: ignore[import-untyped, unused-ignore]
from playwright.async_api import Page, async_playwright

from ratsraum.meeting.v1 import public_pb2
from ratsraum_devstack import chromium

Portal = Any  # the conftest's Portal; fixtures cannot be imported in importlib mode

ROOT = Path(__file__).resolve().parents[4]
AXE = ROOT / "services/meeting/frontend/node_modules/axe-core/axe.min.js"
SHOTS = ROOT / "docs/screenshots"
SIZES = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1440, "height": 900}}
# The pages' security policy is on: anything it refuses is recorded before any script runs.
VIOLATIONS = """window.cspViolations = [];
document.addEventListener("securitypolicyviolation", e => {
  window.cspViolations.push(e.violatedDirective + " " + e.blockedURI);
});"""
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


async def _serious(page: Page) -> list[dict[str, Any]]:
    """axe-core's serious and critical WCAG 2.1 A/AA violations on the page as it is."""
    # Evaluated by the test's driver, not as an inline script: the pages' CSP stays on.
    await page.evaluate(AXE.read_text(encoding="utf-8"))
    found: list[dict[str, Any]] = await page.evaluate(
        """async (tags) => (await axe.run(document, {runOnly: {type: 'tag', values: tags}}))
            .violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
            .map(v => ({id: v.id, nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}))""",
        WCAG)
    return found


async def _check(page: Page, name: str, label: str, checked: dict[str, Any]) -> None:
    """axe-core on the page as shown, KERN's font in use, then a full-page photograph."""
    font = await page.evaluate("getComputedStyle(document.body).fontFamily")
    refused = await page.evaluate("window.cspViolations || []")
    checked[f"{name}@{label}"] = await _serious(page) + (
        [] if "Fira Sans" in font else [{"id": "no-kern-stylesheet", "font": font}]) + (
        [{"id": "csp-violation", "refused": refused}] if refused else [])
    await page.screenshot(path=str(SHOTS / f"{name}-{label}.png"), full_page=True)


async def _submit(page: Page, url: str, fields: dict[str, str]) -> None:
    """Post a plain form as a browser would, so the answer page is what axe sees."""
    await page.set_content(
        f'<form method="post" action="{url}">'
        + "".join(f'<input type="hidden" name="{k}" value="{v}">' for k, v in fields.items())
        + "</form>")
    async with page.expect_navigation():
        await page.evaluate("document.forms[0].submit()")


def _record(kind: str, record_id: str, **data: Any) -> public_pb2.PublicRecord:
    body = struct_pb2.Struct()
    body.update(data)
    return public_pb2.PublicRecord(kind=kind, id=record_id, data=body)


async def _town(publish: Any, publish_records: Any, publish_minutes: Any, new_meeting: Any,
                tenant: str) -> tuple[str, str]:
    """A town as a citizen finds it: a session running live, one planned, one held with its
    papers and signed minutes. Returns the running and the held meeting's ids."""
    live = new_meeting(status="running", citizen_room="Rathaus, Raum 12")
    live.attendees.extend([
        public_pb2.PublicAttendee(name="Anna Becker", presence="in_room"),
        public_pb2.PublicAttendee(name="Jonas Weber", presence="remote"),
    ])
    live.stream.CopyFrom(public_pb2.PublicStream(
        url="https://stream.invalid/rat/live.m3u8", refused_names=["Jonas Weber"]))
    live.citizen_questions.add(id="q1", author="Anna Frage", text="Wann kommt das WLAN an "
                               "die Grundschule?", answer="Im Frühjahr, mit dem Glasfaserausbau.")
    planned = new_meeting(status="scheduled", present=0, quorate=False,
                          title="4. Sitzung des Ausschusses")
    planned.starts_at.FromDatetime(datetime(2027, 2, 3, 17, 0, tzinfo=UTC))
    held = new_meeting(status="closed", title="2. Sitzung des Ausschusses")
    held.agenda[0].paper_id = "paper-1"
    held.agenda[1].status = "deferred"
    held.agenda[1].ClearField("live_vote")
    held.starts_at.FromDatetime(datetime(2025, 9, 30, 16, 0, tzinfo=UTC))
    for version, meeting in enumerate((live, planned, held), start=1):
        await publish(meeting, version)
    await publish_records(tenant, [
        _record("paper", "paper-1", name="Radwegekonzept", reference="V/2025/101"),
        _record("consultation", "item-1", paper_id="paper-1", agenda_item_id="item-1",
                meeting_id=held.id),
        _record("file", "vorlage", name="Vorlage Radwegekonzept", file_name="v101.pdf",
                mime_type="application/pdf", size=75_000.0,
                access_url="https://dokumente.invalid/v101.pdf",
                links=[{"owner_kind": "paper", "owner_id": "paper-1", "role": "mainFile"}]),
        _record("file", "einladung", name="Einladung", mime_type="application/pdf",
                size=31_000.0, access_url="https://dokumente.invalid/einladung.pdf",
                links=[{"owner_kind": "meeting", "owner_id": held.id, "role": "invitation"}]),
    ])
    html = "<!DOCTYPE html><html lang=\"de\"><body><h1>Niederschrift</h1></body></html>"
    minutes = public_pb2.PublicMinutesSigned(
        tenant=held.tenant, meeting_id=held.id, body_name=held.body_name, title=held.title,
        location=held.location, chair_name="Anna Schulte", clerk_name="Jana Richter",
        public_html=html, public_html_sha256=hashlib.sha256(html.encode()).hexdigest(),
        minutes_sha256=hashlib.sha256(b"signed in full").hexdigest())
    minutes.signed_at.FromDatetime(datetime(2025, 10, 2, 9, 30, tzinfo=UTC))
    item = minutes.items.add(id="item-1", number="Ö 1", position=1, title="Digitale Ratsarbeit",
                             decision="Der Ausschuss beschließt das Radwegekonzept.")
    item.results.add(poll_id="poll-1", method="open", outcome="accepted", yes=7, no=2)
    await publish_minutes(minutes)
    return live.id, held.id


async def _wait_for(portal: Portal, path: str, text: str) -> None:
    for _ in range(400):
        page = await portal.http.get(path, headers={"Accept": "text/html"})
        if text in page.text:
            return
        await asyncio.sleep(0.025)
    raise AssertionError(f"{text!r} never appeared on {path}")


async def test_every_page_type_wears_kern_and_has_no_serious_axe_violations(
    sqlite_portal: Portal, publish: Any, publish_records: Any, publish_minutes: Any,
    new_meeting: Any, tenant: str
) -> None:
    live, held = await _town(publish, publish_records, publish_minutes, new_meeting, tenant)
    await _wait_for(sqlite_portal, f"/{tenant}/sitzungen/{held}", "Einladung")
    await _wait_for(sqlite_portal, f"/{tenant}/sitzungen/{held}", "Niederschrift (öffentl")
    await _wait_for(sqlite_portal, f"/{tenant}", "4. Sitzung")
    root = sqlite_portal.url
    base = f"{root}/{tenant}/sitzungen/{live}"
    pages = (("40-portal-start", root + "/"), ("41-portal-town", f"{root}/{tenant}"),
             ("42-portal-meeting-live", base), ("43-portal-meeting-held",
                                                f"{root}/{tenant}/sitzungen/{held}"),
             ("44-portal-question", f"{base}/fragen"),
             ("46-portal-access-confirm", f"{base}/zugang/bestaetigen?token=abc"),
             ("47-portal-access-join", f"{base}/zugang?token=abc"),
             ("49-portal-accessibility", f"{root}/barrierefreiheit"),
             ("51-portal-not-found", f"{root}/{tenant}/sitzungen/gibt-es-nicht"))
    SHOTS.mkdir(parents=True, exist_ok=True)
    checked: dict[str, list[dict[str, Any]]] = {}
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=chromium.executable(), args=list(chromium.LAUNCH_ARGS))
        try:
            for label, size in SIZES.items():
                context = await browser.new_context(viewport=size, locale="de-DE")
                await context.add_init_script(VIOLATIONS)
                page = await context.new_page()
                for name, url in pages:
                    await page.goto(url)
                    await _check(page, name, label, checked)
                # A time stamp the portal did not sign: the question is refused, typed text kept.
                await _submit(page, f"{base}/fragen", {
                    "name": "Anna Frage", "frage": "Wann kommt das WLAN?",
                    "angezeigt": "0", "webseite": ""})
                assert await page.locator("#frage-text").input_value() == "Wann kommt das WLAN?"
                await _check(page, "45-portal-question-refused", label, checked)
                await _submit(page, f"{base}/zugang", {"email": "keine-adresse"})
                assert await page.locator("#access-refused").count() == 1
                await _check(page, "48-portal-access-refused", label, checked)
                await _submit(page, f"{root}/rueckmeldung", {
                    "nachricht": "Die Schrift ist zu klein.", "email": "kein-at", "seite": "/"})
                assert await page.locator("#email[aria-invalid=true]").count() == 1
                await _check(page, "50-portal-feedback-error", label, checked)
        finally:
            await browser.close()
    assert not any(checked.values()), json.dumps(
        {k: v for k, v in checked.items() if v}, indent=1)
