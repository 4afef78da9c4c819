"""The town's provider button in Debian's chromium: click, sign in there, back at the client.

Two identities on real ports: the one under test on localhost and the town's own provider
on 127.0.0.1 (another site, as in production). The browser follows every redirect itself.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest
import uvicorn
from identity_testkit import CLIENT_ID, Flow
from playwright.async_api import async_playwright
from served_identity import serve

from ratsraum_common.auth import TokenVerifier
from ratsraum_devstack.chromium import LAUNCH_ARGS, ensure_installed
from ratsraum_devstack.ports import free_port
from ratsraum_identity.accounts.service import create_user, ensure_tenant
from ratsraum_identity.config import Settings
from ratsraum_identity.federation import settings as federation
from ratsraum_identity.main import build_app

pytestmark = pytest.mark.e2e
PASSWORD = "Kreishaus-Passwort-2026"
CALLBACK = "/callback-of-the-test"  # a plain 404 page of identity: the code is in its address


@pytest.fixture
def database_url(sqlite_url: str) -> str:
    """The browser part does not depend on the database kind: SQLite only."""
    return sqlite_url


@contextlib.asynccontextmanager
async def _serve(settings: Settings) -> AsyncIterator[Any]:
    app = build_app(settings)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=settings.http_port,
                                           log_config=None, lifespan="on"))
    server.install_signal_handlers = lambda: None  # type: ignore[method-assign]
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.02)
    try:
        yield app
    finally:
        server.should_exit = True
        await task


async def test_the_button_signs_in_at_the_towns_provider(
    make_settings: Callable[..., Settings], tmp_path: Path,
) -> None:
    port = free_port()
    issuer = f"http://localhost:{port}"
    callback = f"{issuer}{CALLBACK}"
    settings = make_settings(issuer=issuer, http_port=port, web_redirect_uris=[callback],
                             federation_allow_http=True)
    async with serve(make_settings, data_dir=tmp_path / "upstream",
                     database_url=f"sqlite+aiosqlite:///{tmp_path / 'upstream.sqlite3'}",
                     web_redirect_uris=[f"{issuer}/federation/callback"]) as upstream, \
            _serve(settings) as app, async_playwright() as playwright, \
            httpx.AsyncClient(base_url=issuer) as http:
        at_upstream = await upstream.person("kreis", ["member"], username="erika",
                                            password=PASSWORD)
        ident = app.state.identity
        async with ident.db.transaction(None) as session:
            await ensure_tenant(session, tenant_id="soest", name="Stadt Soest")
        subject = str(uuid.uuid4())
        await create_user(ident.db, subject=subject, username="erika", name="Erika Mustermann",
                          password=str(uuid.uuid4()), roles={"soest": ["member"]})
        await federation.save(ident.db, allow_http=True, settings=federation.Federation(
            tenant="soest", issuer=upstream.issuer, client_id=CLIENT_ID,
            uses_client_secret=False, claim="preferred_username", match_field="username",
            display_name="Kreis Soest", password_allowed=True))

        browser = await playwright.chromium.launch(
            executable_path=str(ensure_installed()), args=list(LAUNCH_ARGS), headless=True)
        page = await (await browser.new_context(locale="de-DE")).new_page()
        flow = Flow()
        await page.goto(f"{issuer}/authorize?"
                        + urlencode(flow.params(redirect_uri=callback, tenant="soest")))
        await page.get_by_role("button", name="Mit Kreis Soest anmelden").click()
        await page.wait_for_url(f"{upstream.issuer}/authorize?*")
        await page.fill("#username", "erika")
        await page.fill("#password", PASSWORD)
        await page.click("button[type=submit]")
        await page.wait_for_url(f"{callback}?*")
        query = parse_qs(urlsplit(page.url).query)
        await browser.close()

        assert query["state"] == [flow.state]
        tokens = (await http.post("/token", data={
            "grant_type": "authorization_code", "code": query["code"][0],
            "redirect_uri": callback, "client_id": CLIENT_ID,
            "code_verifier": flow.verifier})).json()

        async def fetch(url: str) -> dict[str, Any]:
            data: dict[str, Any] = (await http.get(url)).json()
            return data

        verifier = TokenVerifier(issuer=issuer, audience="ratsraum-meeting",
                                 jwks_url=f"{issuer}/.well-known/jwks.json", fetch=fetch)
        claims = (await verifier.verify(tokens["access_token"])).claims
    assert claims["sub"] == subject
    assert claims["sub"] != at_upstream.subject
    assert claims["amr"] == ["fed"]
