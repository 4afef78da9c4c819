"""The town admin API: invitations and resets by real mail, roles per body in the tokens,
deactivation, person links, and towns that never see each other."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from admin_testkit import (
    accept,
    claims_of,
    give_app,
    is_problem,
    link_token,
    sign_in,
    town_headers,
)
from fastapi import FastAPI
from identity_testkit import Flow, open_form, submit
from sqlalchemy import select, update

from ratsraum_identity.accounts.models import AuditEvent
from ratsraum_identity.api.deps import Identity
from ratsraum_identity.members.models import MailLink

PASSWORD = "sitzung-2026-gut"


async def _admin(ident: Identity, client: httpx.AsyncClient, person: Any,
                 tenant: str) -> tuple[dict[str, str], Any]:
    admin = await person({tenant: ["admin"]})
    app = await give_app(ident, admin.subject)
    headers = await town_headers(client, tenant=tenant, username=admin.username,
                                 password=admin.password, app=app)
    return headers, admin


async def _invite(client: httpx.AsyncClient, headers: dict[str, str], email: str,
                  **body: Any) -> httpx.Response:
    return await client.post("/api/v1/town/accounts", headers=headers,
                             json={"email": email, "name": "Max Rat", **body})


def _refresh(client: httpx.AsyncClient, token: str) -> Any:
    return client.post("/token", data={"grant_type": "refresh_token", "refresh_token": token,
                                       "client_id": "ratsraum-web"})


async def test_invited_member_signs_in_with_roles_per_body(
    mail_app: FastAPI, mail_client: httpx.AsyncClient, person: Any, smtp: tuple[Any, int]
) -> None:
    ident: Identity = mail_app.state.identity
    inbox, _ = smtp
    headers, _admin_person = await _admin(ident, mail_client, person, "soest")
    answer = await _invite(mail_client, headers, "Max@Soest.example", person_id="p-17",
                           body_roles=[{"body": "rat", "role": "member"},
                                       {"body": "hauptausschuss", "role": "chair"}])
    assert answer.status_code == 201, answer.text
    assert answer.json()["status"] == "invited"
    assert answer.json()["mail"] == "sent"
    token = link_token(inbox.to("max@soest.example")[0])
    # Not before the invitation is accepted.
    flow = Flow()
    early = await submit(mail_client, await open_form(mail_client, flow),
                         username="max@soest.example", password=PASSWORD)
    assert early.status_code == 401
    done = await accept(mail_client, token, PASSWORD)
    assert done.status_code == 200
    again = await mail_client.get("/account/link", params={"token": token})
    assert again.status_code == 400  # single use
    tokens = await sign_in(mail_client, username="max@soest.example", password=PASSWORD)
    claims = await claims_of(mail_client, tokens["access_token"])
    assert claims["roles"] == ["chair", "member"]
    assert claims["town_roles"] == []
    assert claims["body_roles"] == [{"body": "hauptausschuss", "role": "chair"},
                                    {"body": "rat", "role": "member"}]
    assert claims["person"] == "p-17"
    # The ID token and userinfo say the same.
    info = (await mail_client.get("/userinfo", headers={
        "Authorization": f"Bearer {tokens['access_token']}"})).json()
    assert info["body_roles"] == claims["body_roles"]
    # An account seeded with town-wide roles keeps its old claims.
    seeded = await person({"soest": ["member"]})
    old = await claims_of(mail_client, (await sign_in(
        mail_client, username=seeded.username, password=seeded.password))["access_token"])
    assert (old["roles"], old["town_roles"], old["body_roles"]) == (["member"], ["member"], [])
    assert "person" not in old


async def test_role_changes_apply_from_the_next_token_and_are_audited(
    mail_app: FastAPI, mail_client: httpx.AsyncClient, person: Any,
) -> None:
    ident: Identity = mail_app.state.identity
    headers, admin = await _admin(ident, mail_client, person, "soest")
    member = await person({"soest": ["member"]})
    tokens = await sign_in(mail_client, username=member.username, password=member.password)
    changed = await mail_client.put(f"/api/v1/town/accounts/{member.subject}/roles",
                                    headers=headers, json={
                                        "town_roles": ["clerk"],
                                        "body_roles": [{"body": "bau", "role": "vice_chair"}]})
    assert changed.status_code == 200, changed.text
    fresh = (await _refresh(mail_client, tokens["refresh_token"])).json()
    claims = await claims_of(mail_client, fresh["access_token"])
    assert claims["town_roles"] == ["clerk"]
    assert claims["body_roles"] == [{"body": "bau", "role": "vice_chair"}]
    async with ident.db.system_session() as session:
        [event] = (await session.scalars(select(AuditEvent).where(
            AuditEvent.event == "account.roles_changed"))).all()
    assert (event.tenant_id, event.actor) == ("soest", admin.subject)
    assert event.detail["before"] == {"town": ["member"], "body": []}
    # Bad roles and ids are problem JSON, nothing changes.
    for body in ({"body_roles": [{"body": "bau", "role": "king"}]},
                 {"town_roles": ["operator"]},
                 {"body_roles": [{"body": "bau raum", "role": "member"}]},
                 {}):
        is_problem(await mail_client.put(f"/api/v1/town/accounts/{member.subject}/roles",
                                         headers=headers, json=body), 422)
    # The last admin cannot take away their own admin role.
    last = is_problem(await mail_client.put(f"/api/v1/town/accounts/{admin.subject}/roles",
                                            headers=headers, json={"body_roles": [
                                                {"body": "rat", "role": "member"}]}), 409)
    assert "Administration" in last["detail"]


async def test_towns_never_see_each_other(
    mail_app: FastAPI, mail_client: httpx.AsyncClient, person: Any, smtp: tuple[Any, int]
) -> None:
    ident: Identity = mail_app.state.identity
    inbox, _ = smtp
    soest, _ = await _admin(ident, mail_client, person, "soest")
    werl, _ = await _admin(ident, mail_client, person, "werl")
    invited = await _invite(mail_client, werl, "anna@example.org",
                            body_roles=[{"body": "rat", "role": "member"}])
    werl_id = invited.json()["id"]
    await accept(mail_client, link_token(inbox.to("anna@example.org")[0]), PASSWORD)
    unknown = is_problem(await mail_client.get("/api/v1/town/accounts/no-such-id",
                                               headers=soest), 404)
    for method, suffix, body in (("GET", "", None), ("PUT", "/person", {"person_id": "x"}),
                                 ("PUT", "/roles", {"town_roles": ["admin"]}),
                                 ("POST", "/deactivate", None), ("POST", "/invitation", None)):
        foreign = is_problem(await mail_client.request(
            method, f"/api/v1/town/accounts/{werl_id}{suffix}", headers=soest, json=body), 404)
        assert foreign["detail"] == unknown["detail"]
    listed = (await mail_client.get("/api/v1/town/accounts", headers=soest)).json()
    assert werl_id not in {a["id"] for a in listed}
    # Soest invites the same address: the same answer as for a new person, with Soest's name.
    again = await _invite(mail_client, soest, "anna@example.org", name="Anna S.",
                          body_roles=[{"body": "rat", "role": "deputy"}])
    fresh = await _invite(mail_client, soest, "neu@example.org", name="Neu",
                          body_roles=[{"body": "rat", "role": "deputy"}])
    assert again.status_code == fresh.status_code == 201
    shape = {k for k in again.json() if k not in ("id", "email", "name")}
    assert {k: again.json()[k] for k in shape} == {k: fresh.json()[k] for k in shape}
    assert again.json()["name"] == "Anna S."
    # Anna's mail says to accept and keep her password; the page asks for none.
    first_mail, second_mail = inbox.to("anna@example.org")
    assert "Passwort fest" in first_mail.get_body(("plain",)).get_content()
    assert "bisherigen" in second_mail.get_body(("plain",)).get_content()
    page = await mail_client.get("/account/link", params={"token": link_token(second_mail)})
    assert 'name="password"' not in page.text
    werl_view = (await mail_client.get(f"/api/v1/town/accounts/{werl_id}",
                                       headers=werl)).json()
    assert werl_view["name"] == "Max Rat"
    assert werl_view["body_roles"] == [{"body": "rat", "role": "member"}]


async def test_expired_or_forged_links_are_refused(
    mail_app: FastAPI, mail_client: httpx.AsyncClient, person: Any, smtp: tuple[Any, int]
) -> None:
    ident: Identity = mail_app.state.identity
    inbox, _ = smtp
    headers, _ = await _admin(ident, mail_client, person, "soest")
    await _invite(mail_client, headers, "spaet@example.org",
                  body_roles=[{"body": "rat", "role": "member"}])
    token = link_token(inbox.to("spaet@example.org")[0])
    async with ident.db.transaction("soest") as session:
        await session.execute(update(MailLink).values(
            expires_at=datetime.now(UTC) - timedelta(minutes=1)))
    assert (await mail_client.get("/account/link", params={"token": token})).status_code == 400
    for bad in (token, "soest.forged-but-long-enough-token", "nonsense"):
        is_problem(await mail_client.post("/api/v1/mail-links/redeem",
                                          json={"token": bad, "password": PASSWORD}), 422)
    weak = await _invite(mail_client, headers, "kurz@example.org",
                         body_roles=[{"body": "rat", "role": "member"}])
    assert weak.status_code == 201
    short = await mail_client.post("/api/v1/mail-links/redeem", json={
        "token": link_token(inbox.to("kurz@example.org")[0]), "password": "kurz"})
    assert "12 Zeichen" in is_problem(short, 422)["detail"]


async def test_password_reset_never_tells_whether_an_account_exists(
    mail_app: FastAPI, mail_client: httpx.AsyncClient, person: Any, smtp: tuple[Any, int]
) -> None:
    ident: Identity = mail_app.state.identity
    inbox, _ = smtp
    headers, _ = await _admin(ident, mail_client, person, "soest")
    await _invite(mail_client, headers, "eva@example.org",
                  body_roles=[{"body": "rat", "role": "member"}])
    await accept(mail_client, link_token(inbox.to("eva@example.org")[0]), PASSWORD)
    tokens = await sign_in(mail_client, username="eva@example.org", password=PASSWORD)
    known = await mail_client.post("/api/v1/password-resets",
                                   json={"tenant": "soest", "email": "Eva@example.org"})
    unknown = await mail_client.post("/api/v1/password-resets",
                                     json={"tenant": "soest", "email": "niemand@example.org"})
    other_town = await mail_client.post("/api/v1/password-resets",
                                        json={"tenant": "werl", "email": "eva@example.org"})
    assert known.status_code == unknown.status_code == other_town.status_code == 202
    assert known.json() == unknown.json() == other_town.json()
    assert inbox.to("niemand@example.org") == []
    _invitation, reset = inbox.to("eva@example.org")
    assert "Passwort zurücksetzen" in str(reset["Subject"])
    done = await mail_client.post("/api/v1/mail-links/redeem", json={
        "token": link_token(reset), "password": "ganz-neues-passwort"})
    assert done.json() == {"purpose": "reset", "tenant": "soest"}
    # The old sessions end with the old password.
    assert (await _refresh(mail_client, tokens["refresh_token"])).status_code == 400
    flow = Flow()
    old = await submit(mail_client, await open_form(mail_client, flow),
                       username="eva@example.org", password=PASSWORD)
    assert old.status_code == 401
    assert "access_token" in await sign_in(mail_client, username="eva@example.org",
                                           password="ganz-neues-passwort")


async def test_deactivation_ends_every_session_at_once(
    mail_app: FastAPI, mail_client: httpx.AsyncClient, person: Any,
) -> None:
    ident: Identity = mail_app.state.identity
    headers, admin = await _admin(ident, mail_client, person, "soest")
    member = await person({"soest": ["member"]})
    first = await sign_in(mail_client, username=member.username, password=member.password)
    second = await sign_in(mail_client, username=member.username, password=member.password)
    answer = await mail_client.post(f"/api/v1/town/accounts/{member.subject}/deactivate",
                                    headers=headers)
    assert answer.json()["status"] == "deactivated"
    assert answer.json()["revoked_refresh_tokens"] == 2
    for tokens in (first, second):
        assert (await _refresh(mail_client, tokens["refresh_token"])).status_code == 400
    flow = Flow()
    refused = await submit(mail_client, await open_form(mail_client, flow),
                           username=member.username, password=member.password)
    assert refused.status_code == 403
    is_problem(await mail_client.post(f"/api/v1/town/accounts/{admin.subject}/deactivate",
                                      headers=headers), 409)  # the last admin
    back = await mail_client.post(f"/api/v1/town/accounts/{member.subject}/reactivate",
                                  headers=headers)
    assert back.json()["status"] == "active"
    assert "access_token" in await sign_in(mail_client, username=member.username,
                                           password=member.password)
    # A deactivated admin's API token stops working on the next call.
    second_admin = await person({"soest": ["admin"]})
    app = await give_app(ident, second_admin.subject)
    other = await town_headers(mail_client, tenant="soest", username=second_admin.username,
                               password=second_admin.password, app=app)
    await mail_client.post(f"/api/v1/town/accounts/{second_admin.subject}/deactivate",
                           headers=headers)
    is_problem(await mail_client.get("/api/v1/town/accounts", headers=other), 401)


async def test_link_person_from_oparl(mail_app: FastAPI, mail_client: httpx.AsyncClient,
                                      person: Any) -> None:
    ident: Identity = mail_app.state.identity
    headers, _ = await _admin(ident, mail_client, person, "soest")
    member = await person({"soest": ["member"]})
    linked = await mail_client.put(f"/api/v1/town/accounts/{member.subject}/person",
                                   headers=headers, json={"person_id": "oparl-person-42"})
    assert linked.json()["person_id"] == "oparl-person-42"
    claims = await claims_of(mail_client, (await sign_in(
        mail_client, username=member.username, password=member.password))["access_token"])
    assert claims["person"] == "oparl-person-42"
    is_problem(await mail_client.put(f"/api/v1/town/accounts/{member.subject}/person",
                                     headers=headers, json={"person_id": "a b"}), 422)
