"""The authorization code flow with PKCE, end to end through the HTTP API."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest
from fastapi import FastAPI
from identity_testkit import (
    CLIENT_ID,
    ISSUER,
    REDIRECT_URI,
    Flow,
    PersonFactory,
    code_from,
    exchange,
    login_code,
    open_form,
    submit,
    verifier_for,
)
from joserfc import jwt
from joserfc.jwk import KeySet

from ratsraum_identity.config import Settings
from ratsraum_identity.main import build_app
from ratsraum_identity.web.pages import CSRF_COOKIE


async def test_discovery_document_describes_the_code_flow(client: httpx.AsyncClient) -> None:
    doc = (await client.get("/.well-known/openid-configuration")).json()
    assert doc["issuer"] == ISSUER
    assert doc["authorization_endpoint"] == f"{ISSUER}/authorize"
    assert doc["token_endpoint"] == f"{ISSUER}/token"
    assert doc["userinfo_endpoint"] == f"{ISSUER}/userinfo"
    assert doc["jwks_uri"] == f"{ISSUER}/.well-known/jwks.json"
    assert doc["response_types_supported"] == ["code"]
    assert doc["code_challenge_methods_supported"] == ["S256"]
    assert doc["id_token_signing_alg_values_supported"] == ["RS256"]
    assert doc["token_endpoint_auth_methods_supported"] == ["none"]
    assert {"openid", "profile"} <= set(doc["scopes_supported"])
    jwks = (await client.get(doc["jwks_uri"])).json()
    assert jwks["keys"]
    assert all("d" not in key for key in jwks["keys"])  # never the private part


async def test_code_flow_yields_tokens_the_shared_verifier_accepts(
    client: httpx.AsyncClient, person: PersonFactory
) -> None:
    anna = await person({"soest": ["member", "chair"]}, name="Anna Schulte")
    flow = Flow()
    form = await open_form(client, flow, tenant="soest")
    assert {"username", "password", "csrf_token", "state", "code_challenge"} <= set(form.fields)
    code = code_from(await submit(client, form, username=anna.username,
                                  password=anna.password), flow)

    answer = await exchange(client, code, flow.verifier)
    assert answer.status_code == 200, answer.text
    assert answer.headers["cache-control"] == "no-store"
    body = answer.json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 900

    principal = await verifier_for(client).verify(body["access_token"])
    assert principal.subject == anna.subject
    assert principal.tenant == "soest"
    assert principal.roles == {"member", "chair"}
    assert principal.name == "Anna Schulte"
    claims = principal.claims
    assert claims["client_id"] == CLIENT_ID
    assert claims["preferred_username"] == anna.username
    assert claims["amr"] == ["pwd"]
    assert claims["jti"]
    header = jwt.decode(body["access_token"], KeySet.import_key_set(
        (await client.get("/.well-known/jwks.json")).json())).header
    assert header["typ"] == "at+jwt"
    assert header["alg"] == "RS256"
    assert header["kid"]


async def test_id_token_is_signed_for_the_client_and_echoes_the_nonce(
    client: httpx.AsyncClient, person: PersonFactory
) -> None:
    anna = await person({"soest": ["member"]})
    flow = Flow()
    code = await login_code(client, flow, username=anna.username, password=anna.password)
    body = (await exchange(client, code, flow.verifier)).json()
    keys = KeySet.import_key_set((await client.get("/.well-known/jwks.json")).json())
    id_token = jwt.decode(body["id_token"], keys, algorithms=["RS256"])
    registry = jwt.JWTClaimsRegistry(
        iss={"essential": True, "value": ISSUER}, aud={"essential": True, "value": CLIENT_ID},
        nonce={"essential": True, "value": flow.nonce}, sub={"essential": True},
        exp={"essential": True},
    )
    registry.validate(id_token.claims)
    assert id_token.claims["sub"] == anna.subject
    assert id_token.claims["at_hash"]


async def test_userinfo_answers_for_a_valid_access_token_only(
    client: httpx.AsyncClient, person: PersonFactory
) -> None:
    anna = await person({"soest": ["chair"]}, name="Jana Richter")
    flow = Flow()
    code = await login_code(client, flow, username=anna.username, password=anna.password)
    access = (await exchange(client, code, flow.verifier)).json()["access_token"]
    info = await client.get("/userinfo", headers={"Authorization": f"Bearer {access}"})
    assert info.status_code == 200
    assert info.json() == {"sub": anna.subject, "tenant": "soest", "roles": ["chair"],
                           "town_roles": ["chair"], "body_roles": [],
                           "name": "Jana Richter", "preferred_username": anna.username}
    forged = access[:-4] + ("AAAA" if not access.endswith("AAAA") else "BBBB")
    refused = await client.get("/userinfo", headers={"Authorization": f"Bearer {forged}"})
    assert refused.status_code == 401


async def test_wrong_password_shows_german_error_and_no_code(
    client: httpx.AsyncClient, person: PersonFactory, app: FastAPI
) -> None:
    anna = await person({"soest": ["member"]})
    form = await open_form(client, Flow())
    answer = await submit(client, form, username=anna.username, password="falsch")
    assert answer.status_code == 401
    assert "location" not in answer.headers
    assert "Benutzername oder Passwort ist falsch" in answer.text
    assert 'lang="de"' in answer.text
    assert "falsch" not in answer.text.replace("ist falsch", "")  # password not echoed
    unknown = await submit(client, form, username="niemand", password="falsch")
    assert unknown.status_code == 401
    metrics = (await client.get("/metrics")).text
    assert 'identity_logins_total{result="invalid_credentials"} 2.0' in metrics


async def test_repeated_failures_are_refused_even_with_the_right_password(
    make_settings: Callable[..., Settings], person: PersonFactory
) -> None:
    anna = await person({"soest": ["member"]})
    app = build_app(make_settings(login_max_failures=3))
    async with app.router.lifespan_context(app), httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url=ISSUER
    ) as client:
        form = await open_form(client, Flow())
        for _ in range(3):
            failed = await submit(client, form, username=anna.username, password="x")
            assert failed.status_code == 401
        blocked = await submit(client, form, username=anna.username, password=anna.password)
        assert blocked.status_code == 429
        assert "location" not in blocked.headers
        assert "Zu viele fehlgeschlagene Anmeldeversuche" in blocked.text


async def test_login_without_the_csrf_cookie_is_refused(
    client: httpx.AsyncClient, person: PersonFactory
) -> None:
    anna = await person({"soest": ["member"]})
    form = await open_form(client, Flow())
    client.cookies.delete(CSRF_COOKIE)
    answer = await submit(client, form, username=anna.username, password=anna.password)
    assert answer.status_code == 400
    assert "location" not in answer.headers
    assert "Formular ist abgelaufen" in answer.text


@pytest.mark.parametrize("verifier", [None, "x" * 50], ids=["missing", "incorrect"])
async def test_code_without_the_right_verifier_is_refused(
    client: httpx.AsyncClient, person: PersonFactory, verifier: str | None
) -> None:
    anna = await person({"soest": ["member"]})
    flow = Flow()
    code = await login_code(client, flow, username=anna.username, password=anna.password)
    answer = await exchange(client, code, verifier)
    assert answer.status_code == 400
    assert answer.json()["error"] in ("invalid_request", "invalid_grant")
    assert "access_token" not in answer.json()


async def test_authorization_request_without_pkce_gets_no_code(
    client: httpx.AsyncClient,
) -> None:
    flow = Flow()
    answer = await client.get("/authorize", params=flow.params(code_challenge=None,
                                                               code_challenge_method=None))
    assert answer.status_code == 302
    assert "error=invalid_request" in answer.headers["location"]
    plain = await client.get("/authorize", params=flow.params(code_challenge_method="plain"))
    assert "error=invalid_request" in plain.headers["location"]


async def test_a_code_works_once_and_its_replay_revokes_the_refresh_token(
    client: httpx.AsyncClient, person: PersonFactory
) -> None:
    anna = await person({"soest": ["member"]})
    flow = Flow()
    code = await login_code(client, flow, username=anna.username, password=anna.password)
    first = await exchange(client, code, flow.verifier)
    assert first.status_code == 200
    again = await exchange(client, code, flow.verifier)
    assert again.status_code == 400
    assert again.json()["error"] == "invalid_grant"
    refresh = await client.post("/token", data={
        "grant_type": "refresh_token", "refresh_token": first.json()["refresh_token"],
        "client_id": CLIENT_ID,
    })
    assert refresh.status_code == 400


async def test_refresh_token_rotates_and_works_once(
    client: httpx.AsyncClient, person: PersonFactory
) -> None:
    anna = await person({"soest": ["member"]})
    flow = Flow()
    code = await login_code(client, flow, username=anna.username, password=anna.password)
    refresh_token = (await exchange(client, code, flow.verifier)).json()["refresh_token"]
    data = {"grant_type": "refresh_token", "refresh_token": refresh_token,
            "client_id": CLIENT_ID}
    renewed = await client.post("/token", data=data)
    assert renewed.status_code == 200, renewed.text
    principal = await verifier_for(client).verify(renewed.json()["access_token"])
    assert principal.subject == anna.subject
    assert principal.tenant == "soest"
    assert renewed.json()["refresh_token"] != refresh_token
    assert (await client.post("/token", data=data)).status_code == 400


@pytest.mark.parametrize("redirect_uri", ["https://evil.example/cb", REDIRECT_URI + "/x"])
async def test_unregistered_redirect_uri_is_refused_without_redirecting(
    client: httpx.AsyncClient, redirect_uri: str
) -> None:
    flow = Flow()
    answer = await client.get("/authorize", params=flow.params(redirect_uri=redirect_uri))
    assert answer.status_code == 400
    assert "location" not in answer.headers
    assert "Rücksprungadresse" in answer.text
    posted = await client.post("/authorize", data={**flow.params(redirect_uri=redirect_uri),
                                                   "username": "a", "password": "b"})
    assert posted.status_code == 400
    assert "location" not in posted.headers


async def test_unknown_client_is_refused_without_redirecting(client: httpx.AsyncClient) -> None:
    answer = await client.get("/authorize", params=Flow().params(client_id="evil"))
    assert answer.status_code == 400
    assert "location" not in answer.headers
    assert "nicht bekannt" in answer.text
