"""Identity as relying party of a second OpenID provider running locally (issue 13, point 5).

The upstream is a second identity instance on its own port. These tests drive the code flow
there with the request identity builds (PKCE, state, nonce) and check the ID token that comes
back with identity's verifier: the right token is taken, a wrong audience, nonce, signature or
an expired token is refused.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from identity_testkit import CLIENT_ID, REDIRECT_URI, LoginForm
from served_identity import Served, serve

from ratsraum_identity.config import Settings
from ratsraum_identity.federation.upstream import (
    UpstreamRequest,
    UpstreamTokenRejected,
    discover,
    redeem,
    verify_id_token,
)


@pytest.fixture
async def upstream(make_settings: Callable[..., Settings]) -> AsyncIterator[Served]:
    """The town's own provider: a second identity on a real local port."""
    async with serve(make_settings) as running:
        yield running


async def _upstream_sign_in(upstream: Served, request: UpstreamRequest) -> dict[str, str]:
    """Play the person at the upstream login form and redeem the code like identity would."""
    person = await upstream.person("soest", ["member"], name="Udo Upstream")
    url = request.authorization_url(endpoint=f"{upstream.issuer}/authorize",
                                    client_id=CLIENT_ID, redirect_uri=REDIRECT_URI,
                                    scope="openid profile")
    async with httpx.AsyncClient() as browser:
        page = await browser.get(url)
        assert page.status_code == 200, page.headers.get("location")
        form = LoginForm(page.text)
        assert form.action
        answer = await browser.post(form.action, data={
            **form.fields, "username": person.username, "password": person.password})
        assert answer.status_code == 302, answer.text
        query = parse_qs(urlsplit(answer.headers["location"]).query)
        assert query["state"] == [request.state]
        tokens = await browser.post(f"{upstream.issuer}/token", data={
            "grant_type": "authorization_code", "code": query["code"][0],
            "redirect_uri": REDIRECT_URI, "client_id": CLIENT_ID,
            "code_verifier": request.verifier})
        assert tokens.status_code == 200, tokens.text
        jwks = (await browser.get(f"{upstream.issuer}/.well-known/jwks.json")).json()
    return {"id_token": tokens.json()["id_token"], "jwks": jwks, "sub": person.subject}


async def test_the_upstream_id_token_is_taken_after_every_check(upstream: Served) -> None:
    request = UpstreamRequest()
    got = await _upstream_sign_in(upstream, request)
    claims = verify_id_token(got["id_token"], jwks=got["jwks"], issuer=upstream.issuer,  # type: ignore[arg-type]
                             client_id=CLIENT_ID, nonce=request.nonce)
    assert claims["sub"] == got["sub"]


async def test_wrong_audience_nonce_issuer_signature_or_age_are_refused(
    upstream: Served,
) -> None:
    request = UpstreamRequest()
    got = await _upstream_sign_in(upstream, request)
    token, jwks = got["id_token"], got["jwks"]
    good = {"jwks": jwks, "issuer": upstream.issuer, "client_id": CLIENT_ID,
            "nonce": request.nonce}
    cases = {
        "audience": {**good, "client_id": "ratsraum-other-town"},
        "nonce": {**good, "nonce": UpstreamRequest().nonce},
        "issuer": {**good, "issuer": "http://127.0.0.1:1"},
    }
    for reason, arguments in cases.items():
        with pytest.raises(UpstreamTokenRejected, match=reason):
            verify_id_token(token, **arguments)  # type: ignore[arg-type]
    head, body, signature = token.split(".")
    forged = f"{head}.{body}.{signature[:-6]}AAAAAA"
    with pytest.raises(UpstreamTokenRejected, match="signature"):
        verify_id_token(forged, **good)  # type: ignore[arg-type]
    with pytest.raises(UpstreamTokenRejected, match="expired"):
        verify_id_token(token, now=4_102_444_800, **good)  # type: ignore[arg-type]


def test_the_authorization_url_carries_pkce_state_and_nonce() -> None:
    request = UpstreamRequest()
    url = request.authorization_url(endpoint="https://idp.example/auth?tenant=x",
                                    client_id="ratsraum", redirect_uri="https://r/cb")
    query = parse_qs(urlsplit(url).query)
    assert query["tenant"] == ["x"]
    assert query["state"] == [request.state]
    assert query["nonce"] == [request.nonce]
    assert query["code_challenge_method"] == ["S256"]
    assert request.verifier not in url


async def test_discover_and_redeem_give_the_upstream_account(upstream: Served) -> None:
    person = await upstream.person("soest", ["member"])
    request = UpstreamRequest()
    async with httpx.AsyncClient() as http:
        provider = await discover(http, issuer=upstream.issuer)
        url = request.authorization_url(endpoint=provider.authorization_endpoint,
                                        client_id=CLIENT_ID, redirect_uri=REDIRECT_URI,
                                        scope="openid profile")
        form = LoginForm((await http.get(url)).text)
        assert form.action
        answer = await http.post(form.action, data={
            **form.fields, "username": person.username, "password": person.password})
        code = parse_qs(urlsplit(answer.headers["location"]).query)["code"][0]
        claims = await redeem(http, provider=provider, request=request, code=code,
                              client_id=CLIENT_ID, redirect_uri=REDIRECT_URI)
        assert claims["sub"] == person.subject
        with pytest.raises(UpstreamTokenRejected, match="token endpoint"):  # single use
            await redeem(http, provider=provider, request=request, code=code,
                         client_id=CLIENT_ID, redirect_uri=REDIRECT_URI)
