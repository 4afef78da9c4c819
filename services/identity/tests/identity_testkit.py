"""Test helpers for identity: the login form, the PKCE flow, token exchange."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
from authlib.oauth2.rfc7636 import create_s256_code_challenge

from ratsraum_common.auth import TokenVerifier

ISSUER = "http://127.0.0.1:8081"
CLIENT_ID = "ratsraum-web"
REDIRECT_URI = "http://127.0.0.1:8082/auth/callback"


class LoginForm(HTMLParser):
    """The single POST form of the login page: its action, inputs and selects."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.action: str | None = None
        self.fields: dict[str, str] = {}
        self.selects: dict[str, list[str]] = {}
        self.forms = 0
        self._select: str | None = None
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if tag == "form" and values.get("method") == "post":
            self.forms += 1
            self.action = values.get("action")
        elif tag == "input" and values.get("name") and values.get("type") != "checkbox":
            self.fields[values["name"]] = values.get("value", "")
        elif tag == "select":
            self._select = values.get("name")
            self.selects[self._select or ""] = []
        elif tag == "option" and self._select:
            self.selects[self._select].append(values.get("value", ""))


@dataclass
class Flow:
    """One authorization request with PKCE, and what it produced."""

    verifier: str = field(default_factory=lambda: secrets.token_urlsafe(48))
    state: str = field(default_factory=lambda: secrets.token_urlsafe(12))
    nonce: str = field(default_factory=lambda: secrets.token_urlsafe(12))

    def params(self, **overrides: str | None) -> dict[str, str]:
        """The authorize query."""
        base: dict[str, str | None] = {
            "response_type": "code", "client_id": CLIENT_ID, "redirect_uri": REDIRECT_URI,
            "scope": "openid profile", "state": self.state, "nonce": self.nonce,
            "code_challenge": create_s256_code_challenge(self.verifier),
            "code_challenge_method": "S256",
        }
        base.update(overrides)
        return {k: v for k, v in base.items() if v is not None}


async def open_form(client: httpx.AsyncClient, flow: Flow, **overrides: str | None) -> LoginForm:
    """GET /authorize and parse the login form."""
    page = await client.get("/authorize", params=flow.params(**overrides))
    assert page.status_code == 200, page.text
    form = LoginForm(page.text)
    assert form.forms == 1
    assert form.action
    return form


async def submit(
    client: httpx.AsyncClient, form: LoginForm, *, username: str, password: str, **extra: str
) -> httpx.Response:
    """POST the login form like a browser (hidden fields kept)."""
    data = {**form.fields, "username": username, "password": password, **extra}
    assert form.action
    return await client.post(form.action, data=data)


def code_from(response: httpx.Response, flow: Flow) -> str:
    """The code in the redirect back to the client (asserting state is echoed)."""
    assert response.status_code == 302, response.text
    location = response.headers["location"]
    assert location.startswith(REDIRECT_URI)
    query = parse_qs(urlsplit(location).query)
    assert query["state"] == [flow.state]
    return query["code"][0]


async def exchange(
    client: httpx.AsyncClient, code: str, verifier: str | None, **extra: str
) -> httpx.Response:
    """POST the code to /token."""
    data = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT_URI,
            "client_id": CLIENT_ID, **extra}
    if verifier is not None:
        data["code_verifier"] = verifier
    return await client.post("/token", data=data)


async def login_code(
    client: httpx.AsyncClient, flow: Flow, *, username: str, password: str, **overrides: str
) -> str:
    """Run the browser part of the flow and return the code."""
    form = await open_form(client, flow, **overrides)
    return code_from(await submit(client, form, username=username, password=password), flow)


@dataclass
class Person:
    """A created account and its password."""

    subject: str
    username: str
    password: str
    name: str


def verifier_for(client: httpx.AsyncClient, **kwargs: Any) -> TokenVerifier:
    """The shared verifier the other services use, fetching our JWKS over HTTP."""

    async def fetch(url: str) -> dict[str, Any]:
        data: dict[str, Any] = (await client.get(url)).json()
        return data

    return TokenVerifier(issuer=ISSUER, audience="ratsraum-meeting",
                         jwks_url=f"{ISSUER}/.well-known/jwks.json", fetch=fetch, **kwargs)




PersonFactory = Callable[..., Any]
