"""Debian's chromium through Playwright: sign-in, axe-core checks and screenshots."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from playwright.async_api import Browser, BrowserContext, Page

from ratsraum_devstack.chromium import ARGS, ensure_installed

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "services/meeting/frontend/node_modules/axe-core/axe.min.js"
SHOTS = ROOT / "docs/screenshots"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1440, "height": 900}
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def launch_options() -> dict[str, Any]:
    """The system browser, never a downloaded one."""
    return {"executable_path": str(ensure_installed()), "args": ARGS, "headless": True}


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


def report(checked: dict[str, list[Any]]) -> str:
    """The violations by page, readable in an assertion message."""
    return json.dumps({k: v for k, v in checked.items() if v}, indent=1)
