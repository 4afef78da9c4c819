"""A person's own passkey page (/account/passkeys): signed in through the login page, lists
the passkeys, renames and removes them with CSRF, and never removes the last second factor
a town requires (the API refuses that as well). Creating a passkey needs a browser
(test_identity_account_passkeys_browser.py)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import httpx
from admin_testkit import is_problem, sign_in
from fastapi import FastAPI
from identity_testkit import LoginForm, Person, PersonFactory
from sqlalchemy import select

from ratsraum_identity.accounts.models import AuditEvent, Tenant
from ratsraum_identity.accounts.passkey_models import PasskeyCredential
from ratsraum_identity.api.account_session import csrf_of

TOWN = "soest"


async def _add_key(app: FastAPI, person: Person, label: str) -> str:
    credential_id = uuid.uuid4().hex
    async with app.state.identity.db.transaction(None) as session:
        session.add(PasskeyCredential(id=credential_id, user_id=person.subject,
                                      public_key=b"not-used-here", sign_count=0, synced=False,
                                      label=label, created_at=datetime.now(UTC)))
    return credential_id


async def _labels(app: FastAPI, person: Person) -> list[str]:
    async with app.state.identity.db.system_session() as session:
        rows = await session.scalars(select(PasskeyCredential.label)
                                     .where(PasskeyCredential.user_id == person.subject)
                                     .order_by(PasskeyCredential.created_at))
        return list(rows.all())


async def _sign_in(client: httpx.AsyncClient, person: Person) -> str:
    """From the account page through the login page and back; the CSRF token of the forms."""
    start = await client.get("/account/passkeys", params={"tenant": TOWN})
    assert start.status_code == 303
    login = await client.get(start.headers["location"])
    form = LoginForm(login.text)
    assert form.action
    answer = await client.post(form.action, data={**form.fields, "username": person.username,
                                                  "password": person.password})
    assert answer.status_code == 302, answer.text
    callback = urlsplit(answer.headers["location"])
    assert callback.path == "/account/callback"
    assert "refresh_token" not in parse_qs(callback.query)
    landed = await client.get(f"{callback.path}?{callback.query}")
    assert (landed.status_code, landed.headers["location"]) == (303, "/account/passkeys")
    return csrf_of(client.cookies["ratsraum_account"])


async def _require_second_factor(app: FastAPI) -> None:
    async with app.state.identity.db.transaction(None) as session:
        town = await session.get(Tenant, TOWN)
        assert town is not None
        town.member_mfa_required = True


async def test_list_rename_and_remove_with_the_last_factor_kept(
        app: FastAPI, client: httpx.AsyncClient, person: PersonFactory) -> None:
    erika = await person({TOWN: ["member"]}, name="Erika Mustermann")
    other = await person({TOWN: ["member"]})
    csrf = await _sign_in(client, erika)  # a person with a passkey would confirm with it
    phone = await _add_key(app, erika, "Telefon")
    foreign = await _add_key(app, other, "Fremd")

    page = await client.get("/account/passkeys")
    assert page.status_code == 200
    assert "Angemeldet als Erika Mustermann" in page.text
    assert "Telefon" in page.text
    assert "Fremd" not in page.text
    assert "noch nie" in page.text  # never used
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert 'data-passkey="create"' in page.text  # a fresh sign-in may add one

    renamed = await client.post(f"/account/passkeys/{phone}/rename",
                                data={"csrf_token": csrf, "label": "Diensthandy"})
    assert renamed.headers["location"] == "/account/passkeys?done=renamed"
    assert await _labels(app, erika) == ["Diensthandy"]
    forged = await client.post(f"/account/passkeys/{phone}/rename",
                               data={"csrf_token": "x" * 64, "label": "Gekapert"})
    assert forged.status_code == 403
    cross = await client.post(f"/account/passkeys/{phone}/rename",
                              data={"csrf_token": csrf, "label": "Gekapert"},
                              headers={"Origin": "https://elsewhere.example"})
    assert cross.status_code == 403
    theirs = await client.post(f"/account/passkeys/{foreign}/rename",
                               data={"csrf_token": csrf, "label": "Gekapert"})
    assert theirs.status_code == 404
    assert await _labels(app, erika) == ["Diensthandy"]
    assert await _labels(app, other) == ["Fremd"]

    # The town now requires a second factor of members: the only passkey stays.
    await _require_second_factor(app)
    laptop = await _add_key(app, erika, "Laptop")
    removed = await client.post(f"/account/passkeys/{phone}/remove", data={"csrf_token": csrf})
    assert removed.headers["location"] == "/account/passkeys?done=removed"
    refused = await client.post(f"/account/passkeys/{laptop}/remove", data={"csrf_token": csrf})
    assert refused.status_code == 409
    assert "dies ist Ihr letzter" in refused.text
    assert "your last one" in refused.text
    assert await _labels(app, erika) == ["Laptop"]
    gone = await client.post(f"/account/passkeys/{foreign}/remove", data={"csrf_token": csrf})
    assert gone.status_code == 404
    assert await _labels(app, other) == ["Fremd"]

    async with app.state.identity.db.system_session() as session:
        events = list((await session.scalars(
            select(AuditEvent.event).where(AuditEvent.actor == erika.subject))).all())
    assert {"passkey.renamed", "passkey.removed", "passkey.removal_refused"} <= set(events)


async def test_the_api_keeps_the_last_required_factor_too(
        app: FastAPI, client: httpx.AsyncClient, person: PersonFactory) -> None:
    erika = await person({TOWN: ["member"]})
    tokens = await sign_in(client, username=erika.username, password=erika.password)
    only = await _add_key(app, erika, "Telefon")
    await _require_second_factor(app)
    bearer = {"Authorization": f"Bearer {tokens['access_token']}"}
    body = is_problem(await client.delete(f"/api/v1/me/passkeys/{only}", headers=bearer), 409)
    assert "letzter" in body["detail"]
    assert await _labels(app, erika) == ["Telefon"]


async def test_without_a_session_the_page_signs_in_and_a_foreign_callback_is_refused(
        client: httpx.AsyncClient) -> None:
    start = await client.get("/account/passkeys", params={"tenant": TOWN})
    target = urlsplit(start.headers["location"])
    query = parse_qs(target.query)
    assert target.path == "/authorize"
    assert query["client_id"] == ["ratsraum-account"]
    assert query["tenant"] == [TOWN]
    assert query["code_challenge_method"] == ["S256"]
    wrong = await client.get("/account/callback", params={"code": "soest.x", "state": "other"})
    assert wrong.status_code == 400
    assert "gehört nicht zu diesem Browser" in wrong.text
    assert (await client.post("/account/passkeys/x/remove")).status_code == 303
