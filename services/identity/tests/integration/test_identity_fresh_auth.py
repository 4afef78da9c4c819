"""Removing a passkey or the authenticator app needs a recent sign-in; a long-refreshed token
is sent to sign in again. The app stays while the town requires it and no passkey is left."""

from __future__ import annotations

import html
import re
import time
from datetime import UTC, datetime

import httpx
import pyotp
from fastapi import FastAPI
from identity_testkit import (
    CLIENT_ID,
    Flow,
    LoginForm,
    PersonFactory,
    code_from,
    exchange,
    login_code,
    open_form,
    submit,
)
from sqlalchemy import func, select, update

from ratsraum_identity.accounts import passkeys, second_factor
from ratsraum_identity.accounts.models import AuditEvent, RecoveryCode
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


async def _post(client: httpx.AsyncClient, page: httpx.Response, **fields: str) -> httpx.Response:
    form = LoginForm(page.text)
    return await client.post(form.action, data={**form.fields, **fields})


async def test_a_clerk_turns_off_the_app_only_with_a_passkey_left(
    app: FastAPI, client: httpx.AsyncClient, person: PersonFactory,
) -> None:
    clerk = await person({"soest": ["clerk"]})  # the town requires staff's second factor
    flow = Flow()
    setup = await submit(client, await open_form(client, flow), username=clerk.username,
                         password=clerk.password)
    uri = html.unescape(re.search(r'<p class="uri">([^<]+)</p>', setup.text)[1])  # type: ignore[index]
    authenticator = pyotp.parse_uri(uri)
    codes_page = await _post(client, setup, otp=authenticator.now())
    finished = await _post(client, codes_page)
    tokens = (await exchange(client, code_from(finished, flow), flow.verifier)).json()
    bearer = {"Authorization": f"Bearer {tokens['access_token']}"}
    db = app.state.identity.db

    refused = await client.delete("/api/v1/me/totp", headers=bearer)
    assert refused.status_code == 409
    assert refused.json()["type"].endswith("/second-factor-required")
    assert "Passkey" in refused.json()["detail"]
    assert await second_factor.totp_of(db, user_id=clerk.subject) is not None

    await _stored_passkey(app, clerk.subject, "a2xlcms")
    assert (await client.delete("/api/v1/me/totp", headers=bearer)).status_code == 204
    assert await second_factor.totp_of(db, user_id=clerk.subject) is None
    async with db.system_session() as session:
        codes = await session.scalar(select(func.count()).select_from(RecoveryCode).where(
            RecoveryCode.user_id == clerk.subject))
        audited = await session.scalar(select(AuditEvent).where(
            AuditEvent.event == "totp.removed"))
    assert codes == 0
    assert audited is not None
    assert audited.actor == clerk.subject
    gone = await client.delete("/api/v1/me/totp", headers=bearer)
    assert gone.status_code == 404
    assert gone.json()["type"].endswith("/totp-not-found")
