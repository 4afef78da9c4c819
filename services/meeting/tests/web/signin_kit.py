"""A real identity in-process beside meeting, and a browser-like walk through the sign-in."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
from fastapi import FastAPI

from ratsraum_common import demo
from ratsraum_common.auth import TokenVerifier

IDENTITY = "http://127.0.0.1:8081"
MEETING = "http://127.0.0.1:8082"


class _Form(HTMLParser):
    def __init__(self, html: str) -> None:
        super().__init__()
        self.action = ""
        self.fields: dict[str, str] = {}
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if tag == "form" and values.get("method") == "post" and not self.action:
            self.action = values.get("action", "")
        elif tag == "input" and values.get("name") and values.get("type") == "hidden":
            self.fields.setdefault(values["name"], values.get("value", ""))


def identity_verifier(identity_app: FastAPI) -> TokenVerifier:
    """meeting's verifier, reading identity's JWKS from the in-process app."""

    async def fetch(_url: str) -> dict[str, Any]:
        data: dict[str, Any] = identity_app.state.identity.keystore.jwks()
        return data

    return TokenVerifier(issuer=IDENTITY, audience=demo.MEETING_AUDIENCE,
                         jwks_url=f"{IDENTITY}/.well-known/jwks.json", fetch=fetch)


@dataclass
class Browser:
    """Two cookie jars (meeting's and identity's origin) that follow redirects like a browser."""

    meeting: httpx.AsyncClient
    identity: httpx.AsyncClient

    def _client(self, url: str) -> httpx.AsyncClient:
        return self.identity if url.startswith(IDENTITY) else self.meeting

    async def go(self, url: str, *, method: str = "GET", data: dict[str, str] | None = None,
                 headers: dict[str, str] | None = None, hops: int = 10) -> httpx.Response:
        """Request and follow redirects across both origins; the final answer."""
        for _ in range(hops):
            client = self._client(url)
            answer = await client.request(method, url, data=data, headers=headers)
            if answer.status_code not in (302, 303) or "location" not in answer.headers:
                return answer
            location = answer.headers["location"]
            url = location if location.startswith("http") else (
                f"{IDENTITY if client is self.identity else MEETING}{location}")
            method, data, headers = "GET", None, None
        raise AssertionError("too many redirects")

    async def sign_in(self, username: str, password: str, *, start: str = "/sitzungen"
                      ) -> httpx.Response:
        """Open a page, get sent to identity, fill the form, come back."""
        login = await self.go(f"{MEETING}{start}")
        assert str(login.url).startswith(f"{IDENTITY}/authorize"), login.url
        form = _Form(login.text)
        return await self.go(form.action, method="POST", data={
            **form.fields, "username": username, "password": password})

    def csrf(self, html: str) -> str:
        """The page's CSRF token (meta tag)."""
        found = re.search(r'<meta name="csrf-token" content="([^"]+)">', html)
        assert found, "page carries no CSRF token"
        return found.group(1)


async def start_identity(tmp_path: Path, url: str,
                         nats_url: str = "nats://127.0.0.1:9") -> AsyncIterator[FastAPI]:
    """identity with the demo town on its own database, started (publishing to `nats_url`)."""
    from ratsraum_identity.config import Settings as IdentitySettings
    from ratsraum_identity.main import build_app as build_identity

    settings = IdentitySettings(
        data_dir=tmp_path, database_url=url, issuer=IDENTITY, environment="test",
        seed_demo=True, web_redirect_uris=[f"{MEETING}/auth/callback"], nats_url=nats_url)
    app = build_identity(settings)
    async with app.router.lifespan_context(app):
        yield app


def host_of(url: str) -> str:
    """scheme://host:port of a URL."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


@dataclass
class WebStack:
    """identity and meeting apps, and the demo passwords."""

    identity: FastAPI
    meeting: FastAPI
    passwords: dict[str, str]

    def browser(self) -> Browser:
        """A fresh browser (own cookies)."""
        return Browser(
            meeting=httpx.AsyncClient(transport=httpx.ASGITransport(app=self.meeting),
                                      base_url=MEETING),
            identity=httpx.AsyncClient(transport=httpx.ASGITransport(app=self.identity),
                                       base_url=IDENTITY))


async def signed_in(web: WebStack, username: str) -> tuple[Browser, str]:
    """A browser signed in as the demo user, and the CSRF token of its session."""
    browser = web.browser()
    page = await browser.sign_in(username, web.passwords[username])
    assert page.status_code == 200, page.text
    return browser, browser.csrf(page.text)


async def post(browser: Browser, url: str, token: str, **fields: str | list[str]
               ) -> tuple[int, str, str]:
    """Submit a form as the browser does (no redirect followed): status, location, body."""
    answer = await browser.meeting.post(url, data={"csrf_token": token, **fields},
                                        headers={"Origin": MEETING, "Accept": "text/html"})
    return answer.status_code, answer.headers.get("location", ""), answer.text
