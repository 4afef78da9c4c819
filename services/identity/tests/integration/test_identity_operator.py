"""The operator API: towns with a first admin invited by real mail, suspension, deletion;
operators always need their authenticator app; every action is an audit event."""

from __future__ import annotations

from typing import Any

import httpx
from admin_testkit import (
    accept,
    give_app,
    is_problem,
    link_token,
    make_operator,
    operator_headers,
    sign_in,
    town_headers,
)
from fastapi import FastAPI
from identity_testkit import Flow, open_form, submit
from sqlalchemy import select

from ratsraum_identity.accounts.models import AuditEvent, User
from ratsraum_identity.api.deps import Identity

TOWN = {"id": "lippstadt", "name": "Stadt Lippstadt", "state": "NRW", "ags": "05974028",
        "admin": {"email": "Buero@Lippstadt.example", "name": "Petra Büro"}}


async def _audit(ident: Identity, event: str) -> list[AuditEvent]:
    async with ident.db.system_session() as session:
        return list((await session.scalars(
            select(AuditEvent).where(AuditEvent.event == event))).all())


async def _create(client: httpx.AsyncClient, headers: dict[str, str],
                  **changes: Any) -> httpx.Response:
    return await client.post("/api/v1/operator/towns", json={**TOWN, **changes},
                             headers=headers)


async def test_operator_token_needs_password_and_a_fresh_code(mail_app: FastAPI,
                                                              mail_client: httpx.AsyncClient
                                                              ) -> None:
    ident: Identity = mail_app.state.identity
    op = await make_operator(ident)
    for otp in ("", "000000"):
        answer = await mail_client.post("/api/v1/admin-tokens", json={
            "username": op.username, "password": op.password, "otp": otp})
        is_problem(answer, 401)
    code = op.code()
    first = await mail_client.post("/api/v1/admin-tokens", json={
        "username": op.username, "password": op.password, "otp": code})
    assert first.status_code == 201
    assert first.json()["kind"] == "operator"
    again = await mail_client.post("/api/v1/admin-tokens", json={
        "username": op.username, "password": op.password, "otp": code})
    is_problem(again, 401)  # a code works once
    # Without a token, or with a made-up one, nothing is answered but 401.
    is_problem(await mail_client.get("/api/v1/operator/towns"), 401)
    is_problem(await mail_client.get("/api/v1/operator/towns",
                                     headers={"Authorization": "Bearer x.y.z"}), 401)
    refused = await _audit(ident, "admin_token.refused")
    assert len(refused) == 3
    assert all(e.client for e in refused)


async def test_create_town_invites_its_first_admin_by_mail(
    mail_app: FastAPI, mail_client: httpx.AsyncClient, smtp: tuple[Any, int]
) -> None:
    ident: Identity = mail_app.state.identity
    inbox, _port = smtp
    op = await make_operator(ident)
    headers = await operator_headers(mail_client, op)
    answer = await _create(mail_client, headers)
    assert answer.status_code == 201, answer.text
    town = answer.json()
    assert town | {"admin_account": None} == {
        "id": "lippstadt", "name": "Stadt Lippstadt", "state": "NRW", "ags": "05974028",
        "status": "active", "accounts": 1, "mail": "sent", "admin_account": None}
    [mail] = inbox.to("buero@lippstadt.example")
    assert "Stadt Lippstadt" in str(mail["Subject"])
    token = link_token(mail)
    done = await accept(mail_client, token, "ein-gutes-passwort")
    assert done.status_code == 200
    assert "Erledigt" in done.text
    # The admin's town requires a second factor of staff: no API token without an app.
    is_problem(await mail_client.post("/api/v1/admin-tokens", json={
        "username": "buero@lippstadt.example", "password": "ein-gutes-passwort",
        "tenant": "lippstadt"}), 403)
    app = await give_app(ident, town["admin_account"])
    admin = await town_headers(mail_client, tenant="lippstadt",
                               username="buero@lippstadt.example",
                               password="ein-gutes-passwort", app=app)
    listed = (await mail_client.get("/api/v1/town/accounts", headers=admin)).json()
    assert [(a["email"], a["status"], a["town_roles"]) for a in listed] == [
        ("buero@lippstadt.example", "active", ["admin"])]
    # Each role keeps to its own API.
    is_problem(await mail_client.get("/api/v1/operator/towns", headers=admin), 403)
    is_problem(await mail_client.get("/api/v1/town/accounts", headers=headers), 403)
    [created] = await _audit(ident, "town.created")
    assert (created.tenant_id, created.actor, created.detail["actor_kind"]) == (
        "lippstadt", op.id, "operator")
    assert created.at is not None


async def test_bad_town_input_is_problem_json(mail_app: FastAPI,
                                             mail_client: httpx.AsyncClient) -> None:
    ident: Identity = mail_app.state.identity
    headers = await operator_headers(mail_client, await make_operator(ident))
    short = is_problem(await _create(mail_client, headers, ags="0597402"), 422)
    assert "acht Ziffern" in short["detail"]
    other_state = is_problem(await _create(mail_client, headers, state="BY"), 422)
    assert "09" in other_state["detail"]
    is_problem(await _create(mail_client, headers, state="XX"), 422)
    is_problem(await _create(mail_client, headers, id="Not A Slug"), 422)
    is_problem(await _create(mail_client, headers, admin={"email": "kein-at", "name": "x"}),
               422)
    assert (await _create(mail_client, headers)).status_code == 201
    is_problem(await _create(mail_client, headers), 409)
    same_key = is_problem(await _create(mail_client, headers, id="lippstadt-2"), 409)
    assert "05974028" in same_key["detail"]
    english = await mail_client.post("/api/v1/operator/towns", json={**TOWN, "ags": "1"},
                                     headers={**headers, "Accept-Language": "en"})
    assert "eight digits" in is_problem(english, 422)["detail"]
    is_problem(await mail_client.get("/api/v1/operator/towns/nirgendwo", headers=headers), 404)


async def test_suspended_town_cannot_sign_in_refresh_or_administer(
    mail_app: FastAPI, mail_client: httpx.AsyncClient, person: Any,
) -> None:
    ident: Identity = mail_app.state.identity
    headers = await operator_headers(mail_client, await make_operator(ident))
    member = await person({"soest": ["member"]})
    other = await person({"werl": ["member"]})
    tokens = await sign_in(mail_client, username=member.username, password=member.password)
    answer = await mail_client.post("/api/v1/operator/towns/soest/suspend", headers=headers)
    assert answer.status_code == 200
    assert answer.json()["status"] == "suspended"
    assert answer.json()["revoked_refresh_tokens"] == 1
    refreshed = await mail_client.post("/token", data={
        "grant_type": "refresh_token", "refresh_token": tokens["refresh_token"],
        "client_id": "ratsraum-web"})
    assert refreshed.status_code == 400
    assert refreshed.json()["error"] == "invalid_grant"

    flow = Flow()
    refused = await submit(mail_client, await open_form(mail_client, flow),
                           username=member.username, password=member.password)
    assert refused.status_code == 403  # no town to sign in to
    # Another town is untouched.
    assert "access_token" in await sign_in(mail_client, username=other.username,
                                           password=other.password)
    resumed = await mail_client.post("/api/v1/operator/towns/soest/resume", headers=headers)
    assert resumed.json()["status"] == "active"
    assert "access_token" in await sign_in(mail_client, username=member.username,
                                           password=member.password)
    events = {e.event for e in await _audit(ident, "town.suspended")
              + await _audit(ident, "town.resumed")}
    assert events == {"town.suspended", "town.resumed"}


async def test_delete_only_a_suspended_town_and_only_its_accounts(
    mail_app: FastAPI, mail_client: httpx.AsyncClient, person: Any,
) -> None:
    ident: Identity = mail_app.state.identity
    headers = await operator_headers(mail_client, await make_operator(ident))
    only_soest = await person({"soest": ["member"]})
    both = await person({"soest": ["member"], "werl": ["chair"]})
    only_werl = await person({"werl": ["member"]})
    is_problem(await mail_client.delete("/api/v1/operator/towns/soest", headers=headers), 409)
    await mail_client.post("/api/v1/operator/towns/soest/suspend", headers=headers)
    deleted = await mail_client.delete("/api/v1/operator/towns/soest", headers=headers)
    assert deleted.status_code == 204
    listed = (await mail_client.get("/api/v1/operator/towns", headers=headers)).json()
    assert [t["id"] for t in listed] == ["werl"]
    assert listed[0]["accounts"] == 2
    async with ident.db.system_session() as session:
        left = set((await session.scalars(select(User.id))).all())
    assert only_soest.subject not in left
    assert {both.subject, only_werl.subject} <= left
    assert "access_token" in await sign_in(mail_client, username=both.username,
                                           password=both.password)
    [event] = await _audit(ident, "town.deleted")
    assert event.tenant_id == "soest"
    assert event.detail["deleted_accounts"] == 1
