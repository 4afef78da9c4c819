"""A standard, independent OpenID Connect client (pyoidc, `oic`) against identity over HTTP.

pyoidc shares no code with the provider (which uses Authlib): it reads the discovery document,
builds the authorization request with PKCE, validates the ID token against the published JWKS
(signature, issuer, audience, expiry, nonce), renews with the refresh token, and builds the
revocation and end-session requests. Only the person at the login form is played by httpx.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
import requests
from Cryptodome.PublicKey import RSA
from identity_testkit import CLIENT_ID, REDIRECT_URI, LoginForm
from jwkest import BadSignature
from oic.extension.message import TokenRevocationRequest
from oic.oauth2.message import ErrorResponse
from oic.oic import Client
from oic.oic.message import AccessTokenResponse, AuthorizationResponse, RegistrationResponse
from oic.utils.authn.client import CLIENT_AUTHN_METHOD
from oic.utils.keyio import KeyBundle, RSAKey
from served_identity import Served, serve

from ratsraum_identity.config import Settings

SIGNED_OUT = REDIRECT_URI.replace("/auth/callback", "/auth/signed-out")


@pytest.fixture
async def served(make_settings: Callable[..., Settings]) -> AsyncIterator[Served]:
    """Identity on a real local port."""
    async with serve(make_settings) as running:
        yield running


def _relying_party(issuer: str) -> Client:
    """A pyoidc client configured only from discovery and our public client's registration."""
    rp = Client(client_id=CLIENT_ID, client_authn_method=CLIENT_AUTHN_METHOD)
    rp.provider_config(issuer)
    rp.store_registration_info(RegistrationResponse(
        client_id=CLIENT_ID, redirect_uris=[REDIRECT_URI], token_endpoint_auth_method="none"))
    return rp


def _sign_in(rp: Client, username: str, password: str) -> tuple[str, Any]:
    """Build the request with pyoidc, fill in the login form, hand the redirect to pyoidc.

    Runs in a worker thread (pyoidc blocks), while the server runs on the test's event loop.
    """
    pkce, verifier = rp.add_code_challenge()
    state, nonce = "st-" + verifier[:10], "n-" + verifier[10:24]
    request = rp.construct_AuthorizationRequest(request_args={
        "response_type": "code", "scope": ["openid", "profile"], "redirect_uri": REDIRECT_URI,
        "state": state, "nonce": nonce, **pkce})
    url = request.request(rp.authorization_endpoint)
    with httpx.Client() as browser:
        page = browser.get(url)
        assert page.status_code == 200, page.text
        form = LoginForm(page.text)
        assert form.action
        answer = browser.post(form.action, data={
            **form.fields, "username": username, "password": password})
    assert answer.status_code == 302, answer.text
    location = answer.headers["location"]
    assert location.startswith(REDIRECT_URI)
    response = rp.parse_response(AuthorizationResponse, info=urlsplit(location).query,
                                 sformat="urlencoded")
    assert isinstance(response, AuthorizationResponse)
    assert response["state"] == state
    tokens = rp.do_access_token_request(
        state=state, authn_method="",
        request_args={"code": response["code"], "redirect_uri": REDIRECT_URI,
                      "code_verifier": verifier, "client_id": CLIENT_ID})
    assert tokens["id_token"]["nonce"] == nonce
    return state, tokens


def _refresh(rp: Client, refresh_token: str) -> Any:
    """A refresh-token grant built by pyoidc."""
    answer = requests.post(rp.token_endpoint, timeout=10, data={
        "grant_type": "refresh_token", "refresh_token": refresh_token, "client_id": CLIENT_ID})
    return rp.parse_response(AccessTokenResponse, info=answer.text, sformat="json")


async def test_discovery_code_flow_and_id_token_checked_by_pyoidc(served: Served) -> None:
    anna = await served.person("soest", ["member"], name="Anna Beispiel")
    rp = await asyncio.to_thread(_relying_party, served.issuer)
    assert rp.end_session_endpoint == f"{served.issuer}/logout"
    assert rp.provider_info["revocation_endpoint"] == f"{served.issuer}/revoke"
    assert await asyncio.to_thread(rp.keyjar.get_signing_key, owner=served.issuer)
    state, tokens = await asyncio.to_thread(_sign_in, rp, anna.username, anna.password)
    assert isinstance(tokens, AccessTokenResponse)
    id_token = tokens["id_token"]  # pyoidc verified it against the JWKS on parsing
    assert id_token["iss"] == served.issuer
    assert id_token["sub"] == anna.subject
    assert CLIENT_ID in id_token["aud"]
    info = await asyncio.to_thread(rp.do_user_info_request, state=state, method="GET")
    assert not isinstance(info, ErrorResponse), info.to_dict()
    assert info["sub"] == anna.subject
    assert info["name"] == "Anna Beispiel"


async def test_pyoidc_refuses_an_id_token_from_a_foreign_key(served: Served) -> None:
    anna = await served.person("soest", ["member"])
    rp = await asyncio.to_thread(_relying_party, served.issuer)
    await asyncio.to_thread(_trust_only_foreign_keys, rp, served.issuer)
    with pytest.raises(BadSignature):
        await asyncio.to_thread(_sign_in, rp, anna.username, anna.password)


def _trust_only_foreign_keys(rp: Client, issuer: str) -> None:
    """Replace the provider's published key in pyoidc's key jar by another under its key id."""
    [published] = rp.keyjar.get_signing_key(owner=issuer)
    foreign = RSAKey(key=RSA.generate(2048).publickey(), use="sig", kid=published.kid)
    rp.keyjar.issuer_keys[issuer] = [KeyBundle(keys=[foreign.serialize()])]


async def test_refresh_rotates_and_a_reused_token_revokes_the_family(served: Served) -> None:
    anna = await served.person("soest", ["member"])
    rp = await asyncio.to_thread(_relying_party, served.issuer)
    _state, tokens = await asyncio.to_thread(_sign_in, rp, anna.username, anna.password)
    first = tokens["refresh_token"]
    renewed = await asyncio.to_thread(_refresh, rp, first)
    assert isinstance(renewed, AccessTokenResponse), renewed.to_dict()
    second = renewed["refresh_token"]
    assert second != first
    replay = await asyncio.to_thread(_refresh, rp, first)  # a stolen copy of the old token
    assert isinstance(replay, ErrorResponse)
    assert replay["error"] == "invalid_grant"
    after = await asyncio.to_thread(_refresh, rp, second)  # the family is gone
    assert isinstance(after, ErrorResponse)
    assert after["error"] == "invalid_grant"


async def test_revocation_and_logout_built_by_pyoidc(served: Served) -> None:
    anna = await served.person("soest", ["member"])
    rp = await asyncio.to_thread(_relying_party, served.issuer)
    state, tokens = await asyncio.to_thread(_sign_in, rp, anna.username, anna.password)
    revocation = TokenRevocationRequest(token=tokens["refresh_token"],
                                        token_type_hint="refresh_token", client_id=CLIENT_ID)
    answer = await asyncio.to_thread(
        requests.post, rp.provider_info["revocation_endpoint"], data=revocation.to_urlencoded(),
        headers={"Content-Type": "application/x-www-form-urlencoded"}, timeout=10)
    assert answer.status_code == 200
    after = await asyncio.to_thread(_refresh, rp, tokens["refresh_token"])
    assert isinstance(after, ErrorResponse)
    assert after["error"] == "invalid_grant"
    end = await asyncio.to_thread(rp.construct_EndSessionRequest, state=state, request_args={
        "post_logout_redirect_uri": SIGNED_OUT, "state": "bye"})
    url = end.request(rp.end_session_endpoint)
    assert "id_token_hint=" in url
    async with httpx.AsyncClient() as browser:
        back = await browser.get(url)
    assert back.status_code == 303
    assert back.headers["location"].startswith(SIGNED_OUT)
    assert parse_qs(urlsplit(back.headers["location"]).query)["state"] == ["bye"]
