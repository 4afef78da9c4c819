"""Passkeys in Debian's chromium with a virtual authenticator (CDP WebAuthn domain).

Real libraries on both sides: the browser's WebAuthn client and authenticator make and use
the passkey on identity's own pages; py_webauthn checks them in identity. The test creates a
passkey after the password, signs in without a password, and uses the passkey as the second
factor after the password, reading `amr` from the access tokens each time.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import uuid
from collections.abc import AsyncIterator, Callable
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest
import uvicorn
from identity_testkit import CLIENT_ID, Flow
from playwright.async_api import Locator, Page, async_playwright
from sqlalchemy import select

from ratsraum_common.auth import TokenVerifier
from ratsraum_devstack.chromium import LAUNCH_ARGS, ensure_installed
from ratsraum_devstack.ports import bound_socket
from ratsraum_identity.accounts.models import AuditEvent
from ratsraum_identity.accounts.passkey_models import PasskeyCredential
from ratsraum_identity.accounts.service import create_user, ensure_tenant
from ratsraum_identity.config import Settings
from ratsraum_identity.main import build_app

pytestmark = pytest.mark.e2e
PASSWORD = "Rathaus-Passwort-2026"
# The client's callback: a path on identity itself (a plain 404 page), so the browser lands
# somewhere real and the code can be read from the address.
CALLBACK = "/callback-of-the-test"


@pytest.fixture
def database_url(sqlite_url: str) -> str:
    """The browser part does not depend on the database kind: SQLite only."""
    return sqlite_url


@contextlib.asynccontextmanager
async def _serve(settings: Settings, sock: socket.socket) -> AsyncIterator[Any]:
    app = build_app(settings)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=settings.http_port,
                                           log_config=None, lifespan="on"))
    server.install_signal_handlers = lambda: None  # type: ignore[method-assign]
    task = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.02)
    try:
        yield app
    finally:
        server.should_exit = True
        await task


async def _code(page: Page, flow: Flow, click: Locator, callback: str) -> str:
    """Click, then take the code from the redirect back to the client."""
    await click.click()
    await page.wait_for_url(f"{callback}?*")
    query = parse_qs(urlsplit(page.url).query)
    assert query["state"] == [flow.state]
    return query["code"][0]


async def _amr(http: httpx.AsyncClient, issuer: str, code: str, flow: Flow) -> list[str]:
    tokens = (await http.post("/token", data={
        "grant_type": "authorization_code", "code": code, "redirect_uri": f"{issuer}{CALLBACK}",
        "client_id": CLIENT_ID, "code_verifier": flow.verifier})).json()

    async def fetch(url: str) -> dict[str, Any]:
        data: dict[str, Any] = (await http.get(url)).json()
        return data

    verifier = TokenVerifier(issuer=issuer, audience="ratsraum-meeting",
                             jwks_url=f"{issuer}/.well-known/jwks.json", fetch=fetch)
    amr: list[str] = (await verifier.verify(tokens["access_token"])).claims["amr"]
    return amr


async def test_passkey_created_then_used_passwordless_and_as_second_factor(
    make_settings: Callable[..., Settings],
) -> None:
    sock = bound_socket()
    port = int(sock.getsockname()[1])
    # A passkey's relying party must be a host name: localhost (a secure context over http).
    issuer = f"http://localhost:{port}"
    callback = f"{issuer}{CALLBACK}"
    settings = make_settings(issuer=issuer, http_port=port, web_redirect_uris=[callback])
    assert (settings.passkey_rp_id, settings.passkey_origin) == ("localhost", issuer)
    async with _serve(settings, sock) as app, async_playwright() as playwright, \
            httpx.AsyncClient(base_url=issuer) as http:
        ident = app.state.identity
        async with ident.db.transaction(None) as session:
            await ensure_tenant(session, tenant_id="musterstadt", name="Stadt Musterstadt")
        subject = str(uuid.uuid4())
        await create_user(ident.db, subject=subject, username="erika", name="Erika Mustermann",
                          password=PASSWORD, roles={"musterstadt": ["member"]})

        browser = await playwright.chromium.launch(
            executable_path=str(ensure_installed()), args=list(LAUNCH_ARGS), headless=True)
        page = await (await browser.new_context(locale="de-DE")).new_page()
        cdp = await page.context.new_cdp_session(page)
        await cdp.send("WebAuthn.enable")
        authenticator = await cdp.send("WebAuthn.addVirtualAuthenticator", {"options": {
            "protocol": "ctap2", "transport": "internal", "hasResidentKey": True,
            "hasUserVerification": True, "isUserVerified": True}})

        async def start() -> Flow:
            flow = Flow()
            query = urlencode(flow.params(redirect_uri=callback))
            await page.goto(f"{issuer}/authorize?{query}")
            return flow

        # 1. Password, then create a passkey on the page that follows.
        flow = await start()
        await page.fill("#username", "erika")
        await page.fill("#password", PASSWORD)
        await page.check("#enrol_passkey")
        await page.click("button[type=submit]")
        await page.get_by_role("heading", name="Passkey einrichten").wait_for()
        code = await _code(page, flow, page.get_by_role("button", name="Passkey erstellen"),
                           callback)
        assert await _amr(http, issuer, code, flow) == ["pwd"]
        stored = (await cdp.send("WebAuthn.getCredentials", authenticator))["credentials"]
        assert len(stored) == 1
        assert stored[0]["isResidentCredential"]

        # 2. Passwordless: nothing typed, the discoverable passkey names the person.
        flow = await start()
        code = await _code(page, flow, page.get_by_role("button", name="Mit Passkey anmelden"),
                           callback)
        assert await _amr(http, issuer, code, flow) == ["hwk", "mfa"]

        # 3. Password, then the passkey as second factor.
        flow = await start()
        await page.fill("#username", "erika")
        await page.fill("#password", PASSWORD)
        await page.click("button[type=submit]")
        code = await _code(page, flow, page.get_by_role("button", name="Mit Passkey bestätigen"),
                           callback)
        assert await _amr(http, issuer, code, flow) == ["pwd", "hwk", "mfa"]
        await browser.close()

        async with ident.db.system_session() as session:
            credential = (await session.scalars(select(PasskeyCredential))).one()
            events = list((await session.scalars(
                select(AuditEvent.event).where(AuditEvent.actor == subject))).all())
    assert credential.user_id == subject
    assert credential.sign_count >= 2  # the authenticator's counter moved with each use
    assert events.count("passkey.registered") == 1
    assert events.count("passkey.used") == 2
