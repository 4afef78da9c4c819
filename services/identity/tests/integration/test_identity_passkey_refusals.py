"""Passkeys refused: forged, replayed, expired, foreign-origin and other people's answers.

No browser here: the answers are what an attacker could post, built by hand around a real
challenge from identity, so each refusal is for the reason named (py_webauthn decides).
"""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from fastapi import FastAPI
from identity_testkit import Flow, LoginForm, PersonFactory, exchange, login_code, open_form
from sqlalchemy import select, update

from ratsraum_identity.accounts import passkeys
from ratsraum_identity.accounts.models import AuditEvent
from ratsraum_identity.accounts.passkey_models import PasskeyChallenge, PasskeyCredential
from ratsraum_identity.accounts.passkeys import PasskeyRefused


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _client_data(kind: str, challenge_json: str, origin: str) -> str:
    challenge = json.loads(challenge_json)["challenge"]
    return _b64(json.dumps({"type": kind, "challenge": challenge, "origin": origin}).encode())


def _assertion(credential_id: str, client_data: str) -> str:
    return json.dumps({"id": credential_id, "rawId": credential_id, "type": "public-key",
                       "response": {"clientDataJSON": client_data,
                                    "authenticatorData": _b64(b"\0" * 37),
                                    "signature": _b64(b"\1" * 64)}})


async def _stored_passkey(app: FastAPI, user_id: str, credential_id: str) -> None:
    async with app.state.identity.db.transaction(None) as session:
        session.add(PasskeyCredential(id=credential_id, user_id=user_id, public_key=b"\0" * 77,
                                      sign_count=0, synced=False, label="test",
                                      created_at=datetime.now(UTC)))


async def test_forged_passwordless_answers_get_the_login_page_with_an_error(
    app: FastAPI, client: httpx.AsyncClient, person: PersonFactory,
) -> None:
    who = await person({"musterstadt": ["member"]})
    await _stored_passkey(app, who.subject, "Zm9yZ2Vk")
    form: LoginForm = await open_form(client, Flow())
    options = (await client.post("/passkeys/sign-in-options")).json()
    assert options["public_key"]["rpId"] == "127.0.0.1"
    assert options["public_key"]["userVerification"] == "required"
    client_data = _client_data("webauthn.get", json.dumps(options["public_key"]),
                               "http://127.0.0.1:8081")
    for response in ("not json", "[]", _assertion("Zm9yZ2Vk", client_data)):
        assert form.action
        answer = await client.post(form.action, data={
            **form.fields, "passkey_challenge": options["challenge_id"],
            "passkey_response": response})
        assert answer.status_code == 401, answer.text
        assert "Der Passkey wurde nicht anerkannt" in answer.text
        assert "location" not in answer.headers
        options = (await client.post("/passkeys/sign-in-options")).json()


async def test_a_challenge_works_once_and_only_before_it_expires(
    app: FastAPI, person: PersonFactory,
) -> None:
    ident = app.state.identity
    who = await person({"musterstadt": ["member"]})
    await _stored_passkey(app, who.subject, "Zm9yZ2Vk")
    ceremony = await passkeys.start_sign_in(ident.db, rp=ident.relying_party)
    answer = _assertion("Zm9yZ2Vk", _client_data("webauthn.get", ceremony.options_json,
                                                 ident.relying_party.origin))
    with pytest.raises(PasskeyRefused, match="assertion_invalid"):
        await passkeys.finish_sign_in(ident.db, rp=ident.relying_party,
                                      challenge_id=ceremony.challenge_id, response=answer)
    with pytest.raises(PasskeyRefused, match="unknown_or_used_challenge"):
        await passkeys.finish_sign_in(ident.db, rp=ident.relying_party,
                                      challenge_id=ceremony.challenge_id, response=answer)
    late = await passkeys.start_sign_in(ident.db, rp=ident.relying_party)
    async with ident.db.transaction(None) as session:
        await session.execute(update(PasskeyChallenge)
                              .where(PasskeyChallenge.id == late.challenge_id)
                              .values(expires_at=datetime.now(UTC) - timedelta(seconds=1)))
    with pytest.raises(PasskeyRefused, match="expired_challenge"):
        await passkeys.finish_sign_in(ident.db, rp=ident.relying_party,
                                      challenge_id=late.challenge_id, response=answer)


async def test_answers_for_another_origin_are_refused(
    app: FastAPI, person: PersonFactory,
) -> None:
    ident = app.state.identity
    who = await person({"musterstadt": ["member"]})
    await _stored_passkey(app, who.subject, "Zm9yZ2Vk")
    ceremony = await passkeys.start_sign_in(ident.db, rp=ident.relying_party)
    phished = _assertion("Zm9yZ2Vk", _client_data("webauthn.get", ceremony.options_json,
                                                  "https://ratsraum-login.example"))
    with pytest.raises(PasskeyRefused, match="origin"):
        await passkeys.finish_sign_in(ident.db, rp=ident.relying_party,
                                      challenge_id=ceremony.challenge_id, response=phished)
    created = await passkeys.start_registration(ident.db, rp=ident.relying_party,
                                                user_id=who.subject, username=who.username,
                                                name=who.name)
    registration = json.dumps({
        "id": "bmV3", "rawId": "bmV3", "type": "public-key",
        "response": {"clientDataJSON": _client_data("webauthn.create", created.options_json,
                                                    "https://ratsraum-login.example"),
                     "attestationObject": _b64(b"\xa0")}})
    with pytest.raises(PasskeyRefused, match="origin"):
        await passkeys.finish_registration(ident.db, rp=ident.relying_party,
                                           user_id=who.subject, challenge_id=created.challenge_id,
                                           response=registration, label="phished")


async def test_a_second_factor_challenge_accepts_only_the_persons_own_passkeys(
    app: FastAPI, person: PersonFactory,
) -> None:
    ident = app.state.identity
    erika, max_ = await person({"musterstadt": ["member"]}), await person({"musterstadt": []})
    await _stored_passkey(app, max_.subject, "bWF4")
    ceremony = await passkeys.start_sign_in(ident.db, rp=ident.relying_party,
                                            user_id=erika.subject)
    answer = _assertion("bWF4", _client_data("webauthn.get", ceremony.options_json,
                                             ident.relying_party.origin))
    with pytest.raises(PasskeyRefused, match="unknown_credential"):
        await passkeys.finish_sign_in(ident.db, rp=ident.relying_party,
                                      challenge_id=ceremony.challenge_id, response=answer,
                                      user_id=erika.subject)


async def test_a_person_lists_and_removes_only_their_own_passkeys(
    app: FastAPI, client: httpx.AsyncClient, person: PersonFactory,
) -> None:
    erika, max_ = await person({"musterstadt": ["member"]}), await person({"musterstadt": []})
    flow = Flow()  # signed in before the passkeys exist (else the passkey is asked for)
    code = await login_code(client, flow, username=erika.username, password=erika.password)
    token = (await exchange(client, code, flow.verifier)).json()["access_token"]
    await _stored_passkey(app, erika.subject, "ZXJpa2E")
    await _stored_passkey(app, max_.subject, "bWF4")
    bearer = {"Authorization": f"Bearer {token}"}
    listed = (await client.get("/api/v1/me/passkeys", headers=bearer)).json()
    assert [p["id"] for p in listed] == ["ZXJpa2E"]
    foreign = await client.delete("/api/v1/me/passkeys/bWF4", headers=bearer)
    assert foreign.status_code == 404
    assert foreign.headers["content-type"].startswith("application/problem+json")
    assert (await client.delete("/api/v1/me/passkeys/ZXJpa2E")).status_code == 401
    assert (await client.delete("/api/v1/me/passkeys/ZXJpa2E", headers=bearer)).status_code == 204
    assert (await client.get("/api/v1/me/passkeys", headers=bearer)).json() == []
    assert await passkeys.passkeys_of(app.state.identity.db, user_id=max_.subject)
    async with app.state.identity.db.system_session() as session:
        removed = await session.scalar(select(AuditEvent).where(
            AuditEvent.event == "passkey.removed"))
    assert removed is not None
    assert removed.actor == erika.subject
