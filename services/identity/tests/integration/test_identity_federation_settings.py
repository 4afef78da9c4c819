"""A town admin sets up the town's own provider; password sign-in can be switched off."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from admin_testkit import give_app, town_headers
from fastapi import FastAPI
from identity_testkit import Flow, LoginForm, PersonFactory, login_code, open_form, submit

TOWN = "soest"
KEYCLOAK = {"issuer": "https://login.kreis-soest.example/realms/rat", "client_id": "ratsraum",
            "claim": "email", "match_field": "email", "display_name": "Kreis Soest"}


@pytest.fixture
async def admin(app: FastAPI, client: httpx.AsyncClient,
                person: PersonFactory) -> dict[str, Any]:
    """The town admin's account and API header."""
    someone = await person({TOWN: ["admin"]})
    totp = await give_app(app.state.identity, someone.subject)
    headers = await town_headers(client, tenant=TOWN, username=someone.username,
                                 password=someone.password, app=totp)
    return {"person": someone, "headers": headers, "totp": totp}


async def test_the_admin_sets_reads_and_removes_the_provider(
    client: httpx.AsyncClient, admin: dict[str, Any],
) -> None:
    headers = admin["headers"]
    missing = await client.get("/api/v1/town/federation", headers=headers)
    assert missing.status_code == 404
    assert missing.headers["content-type"].startswith("application/problem+json")
    saved = await client.put("/api/v1/town/federation", headers=headers, json=KEYCLOAK)
    assert saved.status_code == 200, saved.text
    body = saved.json()
    assert body["redirect_uri"].endswith("/federation/callback")
    assert body["uses_client_secret"] is True
    assert body["client_secret_ref"] == "env:IDENTITY_FEDERATION_SECRET_SOEST"
    assert body["client_secret_present"] is False
    assert (await client.get("/api/v1/town/federation", headers=headers)).json() == body
    audit = (await client.get("/api/v1/town/audit", headers=headers)).json()
    assert any(e["event"] == "town.federation_set" for e in audit)
    assert (await client.delete("/api/v1/town/federation", headers=headers)).status_code == 204
    assert (await client.get("/api/v1/town/federation", headers=headers)).status_code == 404


async def test_bad_settings_are_refused_with_problem_json(
    client: httpx.AsyncClient, admin: dict[str, Any],
) -> None:
    headers = {**admin["headers"], "Accept-Language": "de"}
    explained = [({**KEYCLOAK, "issuer": "http://login.kreis-soest.example"}, "https://"),
                 ({**KEYCLOAK, "issuer": "https://login.example/?realm=rat"}, "Query"),
                 ({**KEYCLOAK, "claim": "e mail"}, "Claim")]
    for body, words in explained:
        answer = await client.put("/api/v1/town/federation", headers=headers, json=body)
        assert answer.status_code == 422, (body, answer.text)
        assert words in answer.json()["detail"]
    for body in ({**KEYCLOAK, "match_field": "password_hash"}, {**KEYCLOAK, "display_name": ""}):
        answer = await client.put("/api/v1/town/federation", headers=headers, json=body)
        assert answer.status_code == 422, (body, answer.text)
    assert (await client.get("/api/v1/town/federation", headers=headers)).status_code == 404


async def test_without_password_sign_in_only_admins_keep_it(
    client: httpx.AsyncClient, admin: dict[str, Any], person: PersonFactory,
) -> None:
    saved = await client.put("/api/v1/town/federation", headers=admin["headers"],
                             json={**KEYCLOAK, "password_allowed": False})
    assert saved.status_code == 200, saved.text
    member = await person({TOWN: ["member"]})
    flow = Flow()
    page = await client.get("/authorize", params=flow.params(tenant=TOWN))
    assert "Mit Kreis Soest anmelden" in page.text
    assert "<details>" in page.text
    form = LoginForm(page.text)
    refused = await submit(client, form, username=member.username, password=member.password)
    assert refused.status_code == 403
    assert "Passwort abgeschaltet" in refused.text
    # The admin can still repair a broken provider configuration.
    someone = admin["person"]
    answer = await submit(client, form, username=someone.username, password=someone.password,
                          otp="")
    assert answer.status_code == 200  # on to the second factor, not refused
    assert "Passwort abgeschaltet" not in answer.text


async def test_towns_without_a_provider_show_no_button(
    client: httpx.AsyncClient, person: PersonFactory,
) -> None:
    member = await person({TOWN: ["member"]})
    form = await open_form(client, Flow(), tenant=TOWN)  # exactly one form: the password one
    assert form.action
    assert await login_code(client, Flow(), username=member.username, password=member.password,
                            tenant=TOWN)
