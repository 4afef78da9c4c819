"""A member's own passkey page in Debian's chromium with a virtual authenticator (CDP).

The member opens /account/passkeys, signs in on the login page, creates a passkey with the
browser's WebAuthn client (checked by py_webauthn in identity), renames it, is refused
removing it while the town requires a second factor, and removes it once the town no longer
does. axe-core finds nothing serious or critical at phone and desktop size; the page is
photographed into docs/screenshots/.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Page, async_playwright
from served_identity import serve
from sqlalchemy import select

from ratsraum_devstack.chromium import LAUNCH_ARGS, ensure_installed
from ratsraum_identity.accounts.models import Tenant
from ratsraum_identity.accounts.passkey_models import PasskeyCredential

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[4]
AXE = ROOT / "services/meeting/frontend/node_modules/axe-core/axe.min.js"
SHOTS = ROOT / "docs/screenshots"
SIZES = (("phone", {"width": 390, "height": 844}), ("desktop", {"width": 1440, "height": 900}))
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@pytest.fixture
def database_url(sqlite_url: str) -> str:
    """The browser part does not depend on the database kind: SQLite only."""
    return sqlite_url


async def _check(page: Page, name: str, found: dict[str, list[Any]]) -> None:
    for label, size in SIZES:
        await page.set_viewport_size(size)
        if not await page.evaluate("() => typeof window.axe !== 'undefined'"):
            await page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
        found[f"{name}@{label}"] = await page.evaluate(
            """async (tags) => (await axe.run(document, {runOnly: {type: 'tag', values: tags}}))
                .violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
                .map(v => ({id: v.id, nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}))""",
            WCAG)
        await page.screenshot(path=str(SHOTS / f"{name}-{label}.png"), full_page=True)


async def test_member_adds_renames_and_removes_a_passkey(
        make_settings: Callable[..., Any]) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    found: dict[str, list[Any]] = {}
    async with serve(make_settings, host="localhost") as served:
        ident = served.app.state.identity
        erika = await served.person("soest", ["member"], name="Erika Mustermann")

        async def require_second_factor(required: bool) -> None:
            async with ident.db.transaction(None) as session:
                town = await session.get(Tenant, "soest")
                assert town is not None
                town.member_mfa_required = required

        async def labels() -> list[str]:
            async with ident.db.system_session() as session:
                return list((await session.scalars(select(PasskeyCredential.label).where(
                    PasskeyCredential.user_id == erika.subject))).all())

        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(
                executable_path=str(ensure_installed()), args=list(LAUNCH_ARGS), headless=True)
            # axe's script is injected, so this context bypasses the CSP.
            page = await (await browser.new_context(bypass_csp=True, locale="de-DE")).new_page()
            cdp = await page.context.new_cdp_session(page)
            await cdp.send("WebAuthn.enable")
            authenticator = await cdp.send("WebAuthn.addVirtualAuthenticator", {"options": {
                "protocol": "ctap2", "transport": "internal", "hasResidentKey": True,
                "hasUserVerification": True, "isUserVerified": True}})

            await page.goto(f"{served.issuer}/account/passkeys?tenant=soest")
            await page.fill("#username", erika.username)
            await page.fill("#password", erika.password)
            await page.click("main form button[type=submit]")
            await page.wait_for_url(f"{served.issuer}/account/passkeys")
            await page.locator("#no-passkeys").wait_for()

            await page.fill("#new-label", "Diensthandy")
            await page.get_by_role("button", name="Passkey erstellen").click()
            await page.wait_for_url("**/account/passkeys?done=added")
            assert await labels() == ["Diensthandy"]
            stored = (await cdp.send("WebAuthn.getCredentials", authenticator))["credentials"]
            assert len(stored) == 1
            await page.get_by_role("heading", name="Diensthandy").wait_for()
            assert "noch nie" in await page.locator("main dl").inner_text()

            await page.fill("#label-1", "Telefon im Büro")
            await page.get_by_role("button", name="Umbenennen").click()
            await page.wait_for_url("**/account/passkeys?done=renamed")
            await page.get_by_role("heading", name="Telefon im Büro").wait_for()
            await _check(page, "70-account-passkeys", found)

            await require_second_factor(True)
            await page.get_by_role("button", name="Entfernen").click()
            alert = page.locator("#account-error")
            await alert.wait_for()
            assert "dies ist Ihr letzter" in await alert.inner_text()
            assert await labels() == ["Telefon im Büro"]
            await _check(page, "71-account-passkey-last-factor", found)

            await require_second_factor(False)
            await page.get_by_role("button", name="Entfernen").click()
            await page.wait_for_url("**/account/passkeys?done=removed")
            await page.locator("#no-passkeys").wait_for()
            assert await labels() == []
            await browser.close()
    assert {name: issues for name, issues in found.items() if issues} == {}
