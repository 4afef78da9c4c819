"""RP-initiated logout and refresh-token revocation."""

from __future__ import annotations

import httpx
from identity_testkit import CLIENT_ID, REDIRECT_URI, Flow, PersonFactory, exchange, login_code

SIGNED_OUT = REDIRECT_URI.replace("/auth/callback", "/auth/signed-out")


async def _tokens(client: httpx.AsyncClient, person: PersonFactory) -> dict[str, str]:
    anna = await person({"soest": ["member"]})
    flow = Flow()
    code = await login_code(client, flow, username=anna.username, password=anna.password)
    answer = await exchange(client, code, flow.verifier)
    assert answer.status_code == 200, answer.text
    tokens: dict[str, str] = answer.json()
    return tokens


async def test_discovery_names_the_end_session_and_revocation_endpoints(
    client: httpx.AsyncClient,
) -> None:
    doc = (await client.get("/.well-known/openid-configuration")).json()
    assert doc["end_session_endpoint"].endswith("/logout")
    assert doc["revocation_endpoint"].endswith("/revoke")


async def test_logout_returns_to_the_registered_address_with_state(
    client: httpx.AsyncClient, person: PersonFactory
) -> None:
    tokens = await _tokens(client, person)
    answer = await client.get("/logout", params={
        "id_token_hint": tokens["id_token"], "post_logout_redirect_uri": SIGNED_OUT,
        "state": "abc"})
    assert answer.status_code == 303
    assert answer.headers["location"] == f"{SIGNED_OUT}?state=abc"


async def test_logout_refuses_an_unregistered_return_address(
    client: httpx.AsyncClient, person: PersonFactory
) -> None:
    tokens = await _tokens(client, person)
    answer = await client.get("/logout", params={
        "id_token_hint": tokens["id_token"],
        "post_logout_redirect_uri": "https://evil.example/after"})
    assert answer.status_code == 400
    assert "location" not in answer.headers
    assert "Rücksprungadresse" in answer.text


async def test_logout_refuses_a_forged_hint_and_a_hint_for_another_client(
    client: httpx.AsyncClient, person: PersonFactory
) -> None:
    tokens = await _tokens(client, person)
    forged = tokens["id_token"][:-4] + "AAAA"
    answer = await client.get("/logout", params={
        "id_token_hint": forged, "post_logout_redirect_uri": SIGNED_OUT})
    assert answer.status_code == 400
    other = await client.get("/logout", params={
        "id_token_hint": tokens["id_token"], "client_id": "someone-else",
        "post_logout_redirect_uri": SIGNED_OUT})
    assert other.status_code == 400
    assert "location" not in other.headers


async def test_logout_without_return_address_shows_the_signed_out_page(
    client: httpx.AsyncClient,
) -> None:
    answer = await client.get("/logout")
    assert answer.status_code == 200
    assert "abgemeldet" in answer.text


async def test_a_revoked_refresh_token_no_longer_renews(
    client: httpx.AsyncClient, person: PersonFactory
) -> None:
    tokens = await _tokens(client, person)
    revoked = await client.post("/revoke", data={
        "token": tokens["refresh_token"], "client_id": CLIENT_ID})
    assert revoked.status_code == 200
    renew = await client.post("/token", data={
        "grant_type": "refresh_token", "refresh_token": tokens["refresh_token"],
        "client_id": CLIENT_ID})
    assert renew.status_code == 400
