"""Signs a person in through identity's real authorization code flow with PKCE.

Used by the end-to-end tests and the benchmarks in place of a browser: it reads the discovery
document, opens the login page, fills the form (keeping its hidden fields, as a browser does),
follows the redirect to collect the code and exchanges it at the token endpoint.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import parse_qs, urljoin, urlsplit

import httpx
from authlib.oauth2.rfc7636 import create_s256_code_challenge


@dataclass(frozen=True)
class Tokens:
    """What the token endpoint returned."""

    access_token: str
    id_token: str
    expires_in: int


class LoginFailed(Exception):
    """The flow did not end with tokens; the message says where it stopped."""


class _FormParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.action: str | None = None
        self.fields: dict[str, str] = {}
        self.selects: list[str] = []
        self._in_form = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if tag == "form" and values.get("method", "get").lower() == "post":
            self._in_form = True
            self.action = values.get("action", "")
        elif self._in_form and tag == "input" and values.get("name"):
            if values.get("type", "text") in ("hidden", "text", "password", "email"):
                self.fields[values["name"]] = values.get("value", "")
        elif self._in_form and tag == "select" and values.get("name"):
            self.selects.append(values["name"])

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._in_form = False


async def login(
    client: httpx.AsyncClient,
    *,
    issuer: str,
    client_id: str,
    redirect_uri: str,
    username: str,
    password: str,
    tenant: str | None = None,
    one_time_code: Callable[[], str] | None = None,
) -> Tokens:
    """Run the code flow for one person; raise LoginFailed with the reason otherwise.

    The client's cookie jar plays the person's browser (the login form's CSRF cookie), so
    people signing in at the same time need a client each. `one_time_code` answers the
    second-factor step (e.g. `pyotp.TOTP(secret).now`) for accounts that have one.
    """
    discovery = (await client.get(f"{issuer}/.well-known/openid-configuration")).json()
    verifier = secrets.token_urlsafe(48)
    state = secrets.token_urlsafe(16)
    params = {
        "response_type": "code",
        "client_id": client_id,
        "redirect_uri": redirect_uri,
        "scope": "openid profile",
        "state": state,
        "nonce": secrets.token_urlsafe(16),
        "code_challenge": create_s256_code_challenge(verifier),
        "code_challenge_method": "S256",
    }
    if tenant:
        params["tenant"] = tenant
    authorize = discovery["authorization_endpoint"]
    page = await client.get(authorize, params=params)
    if page.status_code != 200:
        raise LoginFailed(f"login page answered {page.status_code}: {page.text[:300]}")
    form = _FormParser()
    form.feed(page.text)
    if form.action is None:
        raise LoginFailed("login page has no form")
    fields = {**form.fields, "username": username, "password": password}
    if tenant:
        for name in form.selects:
            fields[name] = tenant
    action = urljoin(str(page.url), form.action) if form.action else str(page.url)
    answer = await client.post(action, data=fields, follow_redirects=False)
    if answer.status_code == 200 and 'name="mfa_token"' in answer.text:
        if one_time_code is None:
            raise LoginFailed("the account needs a second factor; pass one_time_code")
        step = _FormParser()
        step.feed(answer.text)
        answer = await client.post(
            urljoin(str(page.url), step.action or ""),
            data={**step.fields, "otp": one_time_code()}, follow_redirects=False)
    location = answer.headers.get("location", "")
    if answer.status_code not in (302, 303) or not location.startswith(redirect_uri):
        raise LoginFailed(f"login answered {answer.status_code}: {answer.text[:300]}")
    query = parse_qs(urlsplit(location).query)
    if query.get("state") != [state] or "code" not in query:
        raise LoginFailed(f"redirect lacks code or state: {location}")
    token = await client.post(
        discovery["token_endpoint"],
        data={
            "grant_type": "authorization_code",
            "code": query["code"][0],
            "redirect_uri": redirect_uri,
            "client_id": client_id,
            "code_verifier": verifier,
        },
    )
    if token.status_code != 200:
        raise LoginFailed(f"token endpoint answered {token.status_code}: {token.text[:300]}")
    body = token.json()
    return Tokens(body["access_token"], body.get("id_token", ""), int(body.get("expires_in", 0)))
