"""Removing a passkey needs a recent sign-in; a long-refreshed token is sent to sign in again."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import httpx
from fastapi import FastAPI
from identity_testkit import CLIENT_ID, Flow, PersonFactory, exchange, login_code
from sqlalchemy import update

from ratsraum_identity.accounts import passkeys
from ratsraum_identity.accounts.passkey_models import PasskeyCredential
from ratsraum_identity.oauth.models import RefreshToken


async def _stored_passkey(app: FastAPI, user_id: str, credential_id: str) -> None:
    async with app.state.identity.db.transaction(None) as session:
        session.add(PasskeyCredential(id=credential_id, user_id=user_id, public_key=b"\0" * 77,
                                      sign_count=0, synced=False, label="Telefon",
                                      created_at=datetime.now(UTC)))


async def test_a_passkey_is_removed_only_after_a_fresh_sign_in(
    app: FastAPI, client: httpx.AsyncClient, person: PersonFactory,
) -> None:
    erika = await person({"musterstadt": ["member"]})
    flow = Flow()
    code = await login_code(client, flow, username=erika.username, password=erika.password)
    tokens = (await exchange(client, code, flow.verifier)).json()
    await _stored_passkey(app, erika.subject, "ZXJpa2E")
    # An hour later the browser still refreshes its tokens; the sign-in itself is old.
    async with app.state.identity.db.transaction("musterstadt") as session:
        await session.execute(update(RefreshToken).values(auth_time=int(time.time()) - 3600))
    renewed = await client.post("/token", data={
        "grant_type": "refresh_token", "refresh_token": tokens["refresh_token"],
        "client_id": CLIENT_ID})
    assert renewed.status_code == 200, renewed.text
    stale = {"Authorization": f"Bearer {renewed.json()['access_token']}"}

    assert (await client.get("/api/v1/me/passkeys", headers=stale)).status_code == 200
    refused = await client.delete("/api/v1/me/passkeys/ZXJpa2E", headers=stale)
    assert refused.status_code == 401
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert refused.json()["type"].endswith("/reauthentication-required")
    assert "erneut an" in refused.json()["detail"]
    challenge = refused.headers["www-authenticate"]
    assert 'error="insufficient_user_authentication"' in challenge
    assert "max_age=300" in challenge
    english = await client.delete("/api/v1/me/passkeys/ZXJpa2E",
                                  headers={**stale, "Accept-Language": "en"})
    assert "sign in again" in english.json()["detail"]
    assert await passkeys.passkeys_of(app.state.identity.db, user_id=erika.subject)

    # The token of the sign-in itself, minutes old at most, may remove it.
    fresh = {"Authorization": f"Bearer {tokens['access_token']}"}
    assert (await client.delete("/api/v1/me/passkeys/ZXJpa2E", headers=fresh)).status_code == 204
    assert not await passkeys.passkeys_of(app.state.identity.db, user_id=erika.subject)
