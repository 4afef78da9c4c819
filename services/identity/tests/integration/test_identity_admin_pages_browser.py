"""Identity's pages in Debian's chromium: axe-core (WCAG 2.1 A/AA) finds nothing serious or
critical at phone and desktop size, and each page is photographed into docs/screenshots/.
The pages are used as a person would: sign in, invite with a mistake, import a faulty file,
open an account, create a town and start deleting it; and a member's sign-in (password with
a mistake, setting up an app with a wrong code, signing out) under identity's own CSP."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from admin_testkit import give_app, make_operator
from identity_testkit import Flow
from playwright.async_api import Page, async_playwright
from served_identity import serve

from ratsraum_devstack.chromium import LAUNCH_ARGS, ensure_installed

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[4]
AXE = ROOT / "services/meeting/frontend/node_modules/axe-core/axe.min.js"
SHOTS = ROOT / "docs/screenshots"
SIZES = (("phone", {"width": 390, "height": 844}), ("desktop", {"width": 1440, "height": 900}))
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@pytest.fixture
def database_url(sqlite_url: str) -> str:
    """The pages do not depend on the database kind: SQLite only."""
    return sqlite_url


async def _check(page: Page, name: str, found: dict[str, list[Any]], *,
                 photograph: bool = True) -> None:
    for label, size in SIZES:
        await page.set_viewport_size(size)
        if not await page.evaluate("() => typeof window.axe !== 'undefined'"):
            await page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
        found[f"{name}@{label}"] = await page.evaluate(
            """async (tags) => (await axe.run(document, {runOnly: {type: 'tag', values: tags}}))
                .violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
                .map(v => ({id: v.id, nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}))""",
            WCAG)
        if photograph:
            await page.screenshot(path=str(SHOTS / f"{name}-{label}.png"), full_page=True)


async def test_admin_and_operator_pages_pass_axe(make_settings: Callable[..., Any]) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    found: dict[str, list[Any]] = {}
    async with serve(make_settings) as served:
        ident = served.app.state.identity
        admin = await served.person("soest", ["admin"], name="Anna Admin")
        app = await give_app(ident, admin.subject)
        await served.person("soest", ["member"], name="Berta Beispiel")
        operator = await make_operator(ident)
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(
                executable_path=str(ensure_installed()), args=list(LAUNCH_ARGS), headless=True)
            context = await browser.new_context(bypass_csp=True, locale="de-DE")
            page = await context.new_page()
            base = served.issuer

            await page.goto(f"{base}/admin/sign-in?tenant=soest")
            await _check(page, "60-admin-sign-in", found)
            await page.fill("#username", admin.username)
            await page.fill("#password", admin.password)
            await page.fill("#otp", app.now())
            await page.click("main form button[type=submit]")
            await page.wait_for_url(f"{base}/admin/accounts")
            await _check(page, "61-admin-accounts", found)

            await page.goto(f"{base}/admin/accounts/new")
            await page.fill("#name", "Carla Neu")
            await page.fill("#email", "keine-adresse")
            await page.fill("#body_0", "rat")
            await page.click("main form button[type=submit]")
            assert await page.locator("#rr-errors").count() == 1
            await _check(page, "62-admin-invite-error", found)
            await page.fill("#email", "carla@soest.example")
            await page.click("main form button[type=submit]")
            await page.wait_for_selector("#rr-done")
            await _check(page, "63-admin-account", found)

            await page.goto(f"{base}/admin/import")
            await page.fill("#csv", "email,name,roles\nkaputt,Dieter,rat:member\n")
            await page.click("main form button[type=submit]")
            await page.wait_for_selector("#rr-line-errors")
            await _check(page, "64-admin-import-errors", found)

            await page.goto(f"{base}/admin/settings")
            await _check(page, "65-admin-settings", found)
            await page.goto(f"{base}/admin/audit")
            await _check(page, "66-admin-audit", found)

            await page.goto(f"{base}/operator/sign-in")
            await page.fill("#username", operator.username)
            await page.fill("#password", operator.password)
            await page.fill("#otp", operator.code())
            await page.click("main form button[type=submit]")
            await page.wait_for_url(f"{base}/operator/towns")
            await page.fill("#id", "werl")
            await page.fill("#name", "Stadt Werl")
            await page.select_option("#state", "NRW")
            await page.fill("#ags", "05974048")
            await page.fill("#admin_name", "Wera Werl")
            await page.fill("#admin_email", "wera@werl.example")
            await page.click("main section form button[type=submit]")
            await page.wait_for_selector("#rr-done")
            await _check(page, "67-operator-towns", found)
            await page.click("tr[data-town=werl] button")
            await page.wait_for_selector("#rr-done")
            await page.click("tr[data-town=werl] a")
            await page.wait_for_url(f"{base}/operator/towns/werl/delete")
            await _check(page, "68-operator-delete-town", found)
            await browser.close()
    assert {name: issues for name, issues in found.items() if issues} == {}


async def test_sign_in_pages_pass_axe_and_keep_their_csp(make_settings: Callable[..., Any]) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    found: dict[str, list[Any]] = {}
    async with serve(make_settings) as served:
        member = await served.person("soest", ["member"], name="Berta Beispiel")
        query = urlencode(Flow().params(tenant="soest"))
        authorize = f"{served.issuer}/authorize?{query}"
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(
                executable_path=str(ensure_installed()), args=list(LAUNCH_ARGS), headless=True)
            # Without bypassing the CSP: KERN's stylesheet, its fonts and passkey.js all load.
            strict = await (await browser.new_context(locale="de-DE")).new_page()
            refused: list[str] = []
            strict.on("console", lambda m: refused.append(m.text)
                      if "Content Security Policy" in m.text else None)
            await strict.goto(authorize)
            await strict.evaluate("document.fonts.ready")
            assert "Fira Sans" in await strict.evaluate(
                "getComputedStyle(document.body).fontFamily")
            assert await strict.evaluate("document.fonts.check('16px \"Fira Sans\"')")
            await strict.locator("button[data-passkey=get]").wait_for(state="visible")
            assert await strict.locator(".rr-brand__town").inner_text() == "Stadt Soest"
            assert refused == []

            # axe's script is injected, so this context bypasses the CSP.
            page = await (await browser.new_context(bypass_csp=True, locale="de-DE")).new_page()
            await page.goto(authorize)
            await _check(page, "69-sign-in", found)
            await page.fill("#username", member.username)
            await page.fill("#password", "falsch")
            await page.click("main form button[type=submit]")
            await page.wait_for_selector("#login-error")
            await _check(page, "sign-in-error", found, photograph=False)
            await page.fill("#password", member.password)
            await page.check("#enrol_mfa")
            await page.click("main form button[type=submit]")
            await page.get_by_role("heading", name="Authenticator-App einrichten").wait_for()
            await page.fill("#otp", "12")
            await page.click("main form button[type=submit]")
            await page.wait_for_selector("#error-summary-title")
            await _check(page, "second-factor-error", found, photograph=False)
            await page.goto(f"{served.issuer}/logout")
            await page.get_by_role("heading", name="Sie sind abgemeldet").wait_for()
            await _check(page, "signed-out", found, photograph=False)
            await browser.close()
    assert {name: issues for name, issues in found.items() if issues} == {}
