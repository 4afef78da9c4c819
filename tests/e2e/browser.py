"""Debian's chromium through Playwright: sign-in, API calls for setup, axe-core checks and
screenshots; shared by every browser test."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from playwright.async_api import Browser, BrowserContext, Page

from ratsraum_devstack.chromium import LAUNCH_ARGS, ensure_installed, german_env

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "services/meeting/frontend/node_modules/axe-core/axe.min.js"
SHOTS = ROOT / "docs/screenshots"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1440, "height": 900}
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def launch_options() -> dict[str, Any]:
    """The system browser, never a downloaded one, formatting dates as in Germany."""
    return {"executable_path": str(ensure_installed()), "args": list(LAUNCH_ARGS), "headless": True,
            "env": german_env()}


async def new_context(browser: Browser, size: dict[str, int]) -> BrowserContext:
    """A browser window of this size; CSP is bypassed only so axe-core can be injected."""
    return await browser.new_context(viewport=size, bypass_csp=True, locale="de-DE")


async def serious_violations(page: Page) -> list[dict[str, Any]]:
    """axe-core (WCAG 2.1 A/AA) violations of impact serious or critical on this page."""
    if not await page.evaluate("() => typeof window.axe !== 'undefined'"):
        await page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    found: list[dict[str, Any]] = await page.evaluate(
        """async (tags) => (await axe.run(document, {runOnly: {type: 'tag', values: tags}}))
            .violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
            .map(v => ({id: v.id, impact: v.impact,
                        nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}))""",
        WCAG)
    return found


async def check_and_shoot(page: Page, name: str, checked: dict[str, list[Any]]) -> None:
    """axe-core at both sizes, and a full-page screenshot of each into docs/screenshots/."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    original = page.viewport_size or PHONE
    for label, size in (("phone", PHONE), ("desktop", DESKTOP)):
        await page.set_viewport_size(size)
        await page.wait_for_timeout(150)
        checked[f"{name}@{label}"] = await serious_violations(page)
        await page.screenshot(path=str(SHOTS / f"{name}-{label}.png"), full_page=True)
    await page.set_viewport_size(original)


async def sign_in(page: Page, start: str, username: str, password: str) -> None:
    """Open a page, sign in on identity's form, land back on the page."""
    await page.goto(start)
    await page.fill("input[name=username]", username)
    await page.fill("input[name=password]", password)
    await page.click("form button[type=submit]")
    await page.wait_for_url(f"{start}*")


async def signed_in_page(browser: Browser, size: dict[str, int], start: str, username: str,
                         password: str) -> Page:
    """A fresh window of this size (its own cookies), signed in and showing `start`."""
    page = await (await new_context(browser, size)).new_page()
    await sign_in(page, start, username, password)
    return page


async def api(page: Page, method: str, path: str, body: Any = None) -> Any:
    """Call meeting's API from the page as the signed-in person (cookie + CSRF header).

    For a test's setup and its checks only; what a person does goes through the pages.
    """
    answer: dict[str, Any] = await page.evaluate(
        """async ([method, path, body]) => {
            const token = document.querySelector('meta[name="csrf-token"]').content;
            const r = await fetch('/api/v1' + path, {method, credentials: 'same-origin',
                headers: {'Content-Type': 'application/json', 'X-CSRF-Token': token},
                body: method === 'GET' ? undefined : JSON.stringify(body ?? {})});
            return {status: r.status, body: await r.text()};
        }""", [method, path, body])
    assert answer["status"] < 300, answer
    return answer["body"]


def report(checked: dict[str, list[Any]]) -> str:
    """The violations by page, readable in an assertion message."""
    return json.dumps({k: v for k, v in checked.items() if v}, indent=1)
