"""Sessions and tokens: refresh families, session limit, token types, key retirement."""

from __future__ import annotations

import os
import time
from collections.abc import Callable

import httpx
import pytest
from fastapi import FastAPI
from identity_testkit import (
    CLIENT_ID,
    ISSUER,
    Flow,
    PersonFactory,
    exchange,
    login_code,
    verifier_for,
)
from sqlalchemy import update

from ratsraum_common import auth
from ratsraum_common.auth import InvalidToken
from ratsraum_identity.config import Settings
from ratsraum_identity.main import build_app
from ratsraum_identity.oauth.models import RefreshToken


async def _signed_in(client: httpx.AsyncClient, person: PersonFactory) -> dict[str, str]:
    anna = await person({"soest": ["member"]})
    flow = Flow()
    code = await login_code(client, flow, username=anna.username, password=anna.password)
    answer = await exchange(client, code, flow.verifier)
    assert answer.status_code == 200, answer.text
    tokens: dict[str, str] = answer.json()
    return tokens


async def _refresh(client: httpx.AsyncClient, token: str) -> httpx.Response:
    return await client.post("/token", data={
        "grant_type": "refresh_token", "refresh_token": token, "client_id": CLIENT_ID})


async def test_a_reused_refresh_token_revokes_its_whole_family(
    client: httpx.AsyncClient, person: PersonFactory
) -> None:
    first = (await _signed_in(client, person))["refresh_token"]
    second = await _refresh(client, first)
    assert second.status_code == 200
    successor = second.json()["refresh_token"]
    # A thief replays the first token, which its owner already rotated.
    replay = await _refresh(client, first)
    assert replay.status_code == 400
    assert replay.json()["error"] == "invalid_grant"
    # The owner's (or the thief's) successor no longer works either.
    assert (await _refresh(client, successor)).status_code == 400


async def test_a_reused_token_leaves_other_sign_ins_alone(
    client: httpx.AsyncClient, person: PersonFactory
) -> None:
    phone = (await _signed_in(client, person))["refresh_token"]
    laptop = (await _signed_in(client, person))["refresh_token"]
    assert (await _refresh(client, phone)).status_code == 200
    assert (await _refresh(client, phone)).status_code == 400
    assert (await _refresh(client, laptop)).status_code == 200


async def test_refresh_is_refused_after_the_absolute_session_limit(
    make_settings: Callable[..., Settings], person: PersonFactory
) -> None:
    app = build_app(make_settings(session_max_seconds=3600))
    async with app.router.lifespan_context(app), httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url=ISSUER
    ) as client:
        tokens = await _signed_in(client, person)
        renewed = await _refresh(client, tokens["refresh_token"])
        assert renewed.status_code == 200
        # The person signed in just over an hour ago, however often the app refreshed since.
        async with app.state.identity.db.transaction("soest") as session:
            await session.execute(update(RefreshToken).values(
                auth_time=int(time.time()) - 3601))
        expired = await _refresh(client, renewed.json()["refresh_token"])
        assert expired.status_code == 400
        assert expired.json()["error"] == "invalid_grant"


async def test_an_id_token_is_no_access_token(
    client: httpx.AsyncClient, person: PersonFactory
) -> None:
    tokens = await _signed_in(client, person)
    # Even for the right audience, a token that is not typed at+jwt is refused.
    as_access = verifier_for(client).for_audience(CLIENT_ID)
    as_access.access_tokens_only = True
    with pytest.raises(InvalidToken, match="not an access token"):
        await as_access.verify(tokens["id_token"])
    answer = await client.get("/userinfo",
                              headers={"Authorization": f"Bearer {tokens['id_token']}"})
    assert answer.status_code == 401
    assert (await as_access.for_audience(CLIENT_ID).verify(tokens["id_token"])).subject


async def test_a_retired_key_is_no_longer_trusted_by_the_other_services(
    app: FastAPI, client: httpx.AsyncClient, person: PersonFactory,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    keystore = app.state.identity.keystore
    settings: Settings = app.state.identity.settings
    old_token = (await _signed_in(client, person))["access_token"]
    verifier = verifier_for(client, refresh_cooldown_seconds=0, jwks_max_age_seconds=60)
    assert (await verifier.verify(old_token)).subject
    (old_file,) = settings.signing_keys_dir.glob("*.pem")
    keystore.generate()  # rotation: the old key is still published for its tokens
    new_token = (await _signed_in(client, person))["access_token"]
    assert (await verifier.verify(new_token)).subject
    assert (await verifier.verify(old_token)).subject
    new_file = next(p for p in settings.signing_keys_dir.glob("*.pem") if p != old_file)
    then = time.time() - settings.key_retirement_seconds - 1
    os.utime(old_file, (then - 60, then - 60))
    os.utime(new_file, (then, then))  # the old key's tokens have all expired by now
    jwks = (await client.get("/.well-known/jwks.json")).json()
    assert len(jwks["keys"]) == 1
    later = time.monotonic() + 61
    monkeypatch.setattr(auth.time, "monotonic", lambda: later)
    with pytest.raises(InvalidToken):
        await verifier.verify(old_token)
    assert (await verifier.verify(new_token)).subject
