"""Signing in through the town's own provider, end to end (issue 13, point 5).

The town's provider is a second identity on a real local port with its own database and keys;
identity under test talks to it over HTTP. The browser is played with httpx, following every
redirect by hand: login page, button, the provider's login form, the callback, the code at the
client, and the tokens.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from admin_testkit import give_app, town_headers
from fastapi import FastAPI
from identity_testkit import (
    CLIENT_ID,
    ISSUER,
    Flow,
    LoginForm,
    PersonFactory,
    code_from,
    exchange,
    verifier_for,
)
from served_identity import Served, serve
from sqlalchemy import update

from ratsraum_identity.accounts.models import Tenant
from ratsraum_identity.config import Settings
from ratsraum_identity.federation.models import FederationAttempt
from ratsraum_identity.main import build_app
from ratsraum_identity.members.models import TownMember

TOWN, OTHER = "soest", "werl"
UPSTREAM_USER = "udo.upstream"


@pytest.fixture
async def app(make_settings: Callable[..., Settings]) -> AsyncIterator[FastAPI]:
    """Identity under test; it may reach a provider over http (a local stack)."""
    application = build_app(make_settings(federation_allow_http=True))
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture
async def upstream(make_settings: Callable[..., Settings],
                   tmp_path: Path) -> AsyncIterator[Served]:
    """The town's own provider: a second identity with its own database and keys."""
    async with serve(make_settings, data_dir=tmp_path / "upstream",
                     database_url=f"sqlite+aiosqlite:///{tmp_path / 'upstream.sqlite3'}",
                     web_redirect_uris=[f"{ISSUER}/federation/callback"]) as running:
        yield running


@pytest.fixture
async def town(app: FastAPI, client: httpx.AsyncClient, person: PersonFactory,
               upstream: Served) -> dict[str, Any]:
    """Soest with federation set up by its admin; the person's account in both places."""
    admin = await person({TOWN: ["admin"]})
    totp = await give_app(app.state.identity, admin.subject)
    headers = await town_headers(client, tenant=TOWN, username=admin.username,
                                 password=admin.password, app=totp)
    answer = await client.put("/api/v1/town/federation", headers=headers, json={
        "issuer": upstream.issuer, "client_id": CLIENT_ID, "uses_client_secret": False,
        "claim": "preferred_username", "match_field": "username",
        "display_name": "Amt Soest"})
    assert answer.status_code == 200, answer.text
    assert answer.json()["redirect_uri"] == f"{ISSUER}/federation/callback"
    at_upstream = await upstream.person("amt", ["member"], username=UPSTREAM_USER)
    return {"headers": headers, "at_upstream": at_upstream}


async def _to_provider(client: httpx.AsyncClient, flow: Flow) -> httpx.Response:
    """Open the login page and press the provider's button; the redirect to the provider."""
    page = await client.get("/authorize", params=flow.params(tenant=TOWN))
    assert page.status_code == 200, page.text
    assert "Mit Amt Soest anmelden" in page.text
    csrf = LoginForm(page.text).fields["csrf_token"]
    started = await client.post("/federation/start",
                                data={**flow.params(tenant=TOWN), "csrf_token": csrf})
    assert started.status_code == 303, started.text
    return started


async def _at_provider(location: str, person: Any) -> str:
    """Sign in at the provider's own form; the callback address it sends the browser to."""
    async with httpx.AsyncClient() as browser:
        page = await browser.get(location)
        assert page.status_code == 200, page.text
        form = LoginForm(page.text)
        assert form.action
        answer = await browser.post(form.action, data={
            **form.fields, "username": person.username, "password": person.password})
    assert answer.status_code == 302, answer.text
    callback = answer.headers["location"]
    assert callback.startswith(f"{ISSUER}/federation/callback?")
    return callback


async def _events(client: httpx.AsyncClient, headers: dict[str, str]) -> list[dict[str, Any]]:
    answer = await client.get("/api/v1/town/audit", headers=headers)
    events: list[dict[str, Any]] = answer.json()
    return events


async def test_a_member_signs_in_through_the_towns_provider(
    client: httpx.AsyncClient, person: PersonFactory, town: dict[str, Any],
    upstream: Served,
) -> None:
    member = await person({TOWN: ["member"]}, username=UPSTREAM_USER)
    flow = Flow()
    started = await _to_provider(client, flow)
    query = parse_qs(urlsplit(started.headers["location"]).query)
    assert started.headers["location"].startswith(f"{upstream.issuer}/authorize?")
    assert query["code_challenge_method"] == ["S256"]
    assert query["nonce"]
    assert query["state"]
    callback = await _at_provider(started.headers["location"], town["at_upstream"])

    back = await client.get(callback)
    code = code_from(back, flow)  # back at the client, with the client's own state
    tokens = (await exchange(client, code, flow.verifier)).json()
    claims = (await verifier_for(client).verify(tokens["access_token"])).claims
    assert claims["sub"] == member.subject
    assert claims["tenant"] == TOWN
    assert claims["amr"] == ["fed"]  # no "mfa": the provider's word on it is not verified
    events = await _events(client, town["headers"])
    matched = [e for e in events if e["event"] == "federation.matched"]
    assert matched
    assert matched[0]["actor"] == member.subject
    assert matched[0]["detail"]["upstream_subject"] == town["at_upstream"].subject
    signed_in = [e for e in events
                 if e["event"] == "login.succeeded" and e["actor"] == member.subject]
    assert signed_in[0]["detail"]["amr"] == ["fed"]

    replay = await client.get(callback)  # the state is used up
    assert replay.status_code == 400
    assert "abgelaufen" in replay.text


async def test_an_account_of_another_town_is_never_matched(
    client: httpx.AsyncClient, person: PersonFactory, town: dict[str, Any],
) -> None:
    await person({OTHER: ["member"]}, username=UPSTREAM_USER)
    started = await _to_provider(client, Flow())
    callback = await _at_provider(started.headers["location"], town["at_upstream"])
    refused = await client.get(callback)
    assert refused.status_code == 403
    assert "keinen Zugang zu Ratsraum" in refused.text
    assert "location" not in refused.headers
    events = await _events(client, town["headers"])
    assert any(e["event"] == "federation.no_account" for e in events)


async def test_a_deactivated_account_is_refused(
    app: FastAPI, client: httpx.AsyncClient, person: PersonFactory, town: dict[str, Any],
) -> None:
    member = await person({TOWN: ["member"]}, username=UPSTREAM_USER)
    async with app.state.identity.db.transaction(TOWN) as session:
        await session.execute(update(TownMember).where(TownMember.user_id == member.subject)
                              .values(status="deactivated"))
    started = await _to_provider(client, Flow())
    callback = await _at_provider(started.headers["location"], town["at_upstream"])
    refused = await client.get(callback)
    assert refused.status_code == 403
    assert "location" not in refused.headers


async def test_a_town_suspended_meanwhile_is_refused(
    app: FastAPI, client: httpx.AsyncClient, person: PersonFactory, town: dict[str, Any],
) -> None:
    await person({TOWN: ["member"]}, username=UPSTREAM_USER)
    started = await _to_provider(client, Flow())
    callback = await _at_provider(started.headers["location"], town["at_upstream"])
    async with app.state.identity.db.transaction(None) as session:
        await session.execute(update(Tenant).where(Tenant.id == TOWN)
                              .values(status="suspended"))
    refused = await client.get(callback)
    assert refused.status_code == 403
    assert "location" not in refused.headers


async def test_state_of_another_browser_or_a_made_up_one_is_refused(
    app: FastAPI, client: httpx.AsyncClient, person: PersonFactory, town: dict[str, Any],
) -> None:
    await person({TOWN: ["member"]}, username=UPSTREAM_USER)
    started = await _to_provider(client, Flow())
    callback = await _at_provider(started.headers["location"], town["at_upstream"])
    made_up = re.sub(r"state=[^&]+", "state=ausgedacht", callback)
    assert (await client.get(made_up)).status_code == 400
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url=ISSUER) as other_browser:
        stolen = await other_browser.get(callback)  # no cookie of the starting browser
    assert stolen.status_code == 400
    assert "location" not in stolen.headers


async def test_a_token_with_another_nonce_is_refused(
    app: FastAPI, client: httpx.AsyncClient, person: PersonFactory, town: dict[str, Any],
) -> None:
    await person({TOWN: ["member"]}, username=UPSTREAM_USER)
    started = await _to_provider(client, Flow())
    callback = await _at_provider(started.headers["location"], town["at_upstream"])
    # The provider signed the nonce identity sent; identity now expects another one.
    async with app.state.identity.db.transaction(None) as session:
        await session.execute(update(FederationAttempt).values(nonce="ein-anderer-nonce"))
    refused = await client.get(callback)
    assert refused.status_code == 401
    assert "location" not in refused.headers
    events = await _events(client, town["headers"])
    assert any(e["event"] == "federation.failed" and e["detail"]["reason"] == "nonce"
               for e in events)


async def test_a_provider_claiming_another_issuer_is_refused(
    client: httpx.AsyncClient, town: dict[str, Any], upstream: Served,
) -> None:
    answer = await client.put("/api/v1/town/federation", headers=town["headers"], json={
        "issuer": f"{upstream.issuer}/", "client_id": CLIENT_ID,
        "uses_client_secret": False, "display_name": "Amt Soest"})
    assert answer.status_code == 200, answer.text
    flow = Flow()
    page = await client.get("/authorize", params=flow.params(tenant=TOWN))
    csrf = LoginForm(page.text).fields["csrf_token"]
    refused = await client.post("/federation/start",
                                data={**flow.params(tenant=TOWN), "csrf_token": csrf})
    assert refused.status_code == 502  # its discovery document names the issuer without "/"
    assert "location" not in refused.headers
    events = await _events(client, town["headers"])
    assert any(e["event"] == "federation.failed" and e["detail"]["reason"] == "discovery"
               for e in events)
