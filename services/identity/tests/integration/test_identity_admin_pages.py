"""The town admin's pages: sign-in, accounts of the own town only, invitations by real mail,
roles, person links, deactivation, password resets, CSV import, the second-factor setting and
the audit log; errors shown on the page with the values kept; CSRF refused."""

from __future__ import annotations

import re
from typing import Any

import httpx
from admin_pages_kit import csrf_of, page_sign_in, post_form, town_admin_session
from admin_testkit import accept, give_app, link_token
from fastapi import FastAPI
from sqlalchemy import select

from ratsraum_identity.accounts.models import AuditEvent
from ratsraum_identity.api.deps import Identity
from ratsraum_identity.members import service as members


async def _signed_in_admin(ident: Identity, client: httpx.AsyncClient, person: Any,
                           tenant: str = "soest") -> Any:
    admin = await person({tenant: ["admin"]}, name="Anna Admin")
    app = await give_app(ident, admin.subject)
    await town_admin_session(client, tenant=tenant, username=admin.username,
                             password=admin.password, app=app)
    return admin


async def _events(ident: Identity, event: str) -> list[AuditEvent]:
    async with ident.db.system_session() as session:
        return list((await session.scalars(
            select(AuditEvent).where(AuditEvent.event == event))).all())


async def test_accounts_page_shows_only_the_own_town(
    app: FastAPI, client: httpx.AsyncClient, person: Any
) -> None:
    ident: Identity = app.state.identity
    await _signed_in_admin(ident, client, person)
    ours = await person({"soest": ["member"]}, name="Berta Soest")
    theirs = await person({"hamm": ["member"]}, name="Carl Hamm")
    page = await client.get("/admin/accounts")
    assert page.status_code == 200
    assert "Berta Soest" in page.text
    assert ours.subject in page.text
    assert "Carl Hamm" not in page.text
    assert theirs.subject not in page.text
    assert 'lang="de"' in page.text
    assert "Konten" in page.text
    assert page.headers["content-security-policy"].startswith("default-src 'none'")
    other = await client.get(f"/admin/accounts/{theirs.subject}")
    assert other.status_code == 404
    assert "Carl Hamm" not in other.text
    english = await client.get("/admin/accounts", headers={"accept-language": "en"})
    assert 'lang="en"' in english.text
    assert "Accounts" in english.text


async def test_without_a_session_the_pages_ask_to_sign_in(client: httpx.AsyncClient) -> None:
    for path in ("/admin/accounts", "/admin/import", "/admin/settings", "/admin/audit",
                 "/admin/accounts/new"):
        answer = await client.get(path)
        assert answer.status_code == 303, path
        assert answer.headers["location"].startswith("/admin/sign-in")
    posted = await client.post("/admin/accounts/new", data={"name": "X", "email": "x@x.de"})
    assert posted.status_code == 303


async def test_a_member_cannot_sign_in_and_a_removed_admin_gets_403(
    app: FastAPI, client: httpx.AsyncClient, person: Any
) -> None:
    ident: Identity = app.state.identity
    member = await person({"soest": ["member"]})
    refused = await page_sign_in(client, "town", username=member.username,
                                 password=member.password, tenant="soest")
    assert refused.status_code == 401
    assert "falsch" in refused.text
    assert member.username in refused.text
    assert "ratsraum_admin" not in refused.cookies
    admin = await _signed_in_admin(ident, client, person)
    await person({"soest": ["admin"]})  # the town keeps an admin when this one's role goes
    await members.set_roles(ident.db, tenant="soest", user_id=admin.subject,
                            town_roles=[], body_roles=[("rat", "member")])
    gone = await client.get("/admin/accounts")
    assert gone.status_code == 403
    assert "Administration" in gone.text


async def test_sign_in_needs_the_app_where_the_town_requires_it(
    app: FastAPI, client: httpx.AsyncClient, person: Any
) -> None:
    admin = await person({"soest": ["admin"]})  # staff need a second factor by default
    answer = await page_sign_in(client, "town", username=admin.username,
                                password=admin.password, tenant="soest")
    assert answer.status_code == 403
    assert "Authenticator-App" in answer.text


async def test_invite_shows_errors_with_values_kept_then_mails_the_link(
    mail_app: FastAPI, mail_client: httpx.AsyncClient, person: Any, smtp: tuple[Any, int]
) -> None:
    ident: Identity = mail_app.state.identity
    inbox, _ = smtp
    await _signed_in_admin(ident, mail_client, person)
    form = {"name": "Dora Neu", "email": "kein-mail", "body_0": "hauptausschuss",
            "role_0": "chair", "town_clerk": "1"}
    wrong = await post_form(mail_client, "/admin/accounts/new", "/admin/accounts/new", form)
    assert wrong.status_code == 422
    assert "gültige E-Mail-Adresse" in wrong.text
    assert 'value="Dora Neu"' in wrong.text
    assert 'value="hauptausschuss"' in wrong.text
    assert re.search(r'<option value="chair" selected>', wrong.text)
    assert re.search(r'id="town_clerk" name="town_clerk" value="1" checked', wrong.text)
    assert inbox.received == []
    no_role = await post_form(mail_client, "/admin/accounts/new", "/admin/accounts/new",
                              {"name": "Dora Neu", "email": "dora@soest.example"})
    assert no_role.status_code == 422
    assert "mindestens eine Rolle" in no_role.text
    done = await post_form(mail_client, "/admin/accounts/new", "/admin/accounts/new",
                           {**form, "email": "Dora@Soest.example"})
    assert done.status_code == 303
    shown = await mail_client.get(done.headers["location"])
    assert "Die Einladung ist angelegt." in shown.text
    assert "E-Mail ist verschickt" in shown.text
    assert "eingeladen" in shown.text
    assert link_token(inbox.to("dora@soest.example")[0])
    account = await members.get_account(ident.db, tenant="soest",
                                        user_id=done.headers["location"].split("/")[3]
                                        .split("?")[0])
    assert account.body_roles == (("hauptausschuss", "chair"),)
    assert account.town_roles == ("clerk",)
    assert await _events(ident, "account.invited")


async def test_forms_without_the_session_token_are_refused(
    app: FastAPI, client: httpx.AsyncClient, person: Any
) -> None:
    ident: Identity = app.state.identity
    await _signed_in_admin(ident, client, person)
    target = await person({"soest": ["member"]})
    data = {"name": "Eva", "email": "eva@soest.example", "body_0": "rat", "role_0": "member"}
    for token in ("", "x" * 64):
        answer = await client.post("/admin/accounts/new", data={**data, "csrf_token": token})
        assert answer.status_code == 403
        assert "abgelaufen" in answer.text
    page = await client.get("/admin/accounts")
    foreign = await client.post(f"/admin/accounts/{target.subject}/deactivate",
                                data={"csrf_token": csrf_of(page)},
                                headers={"origin": "https://evil.example"})
    assert foreign.status_code == 403
    assert (await members.get_account(ident.db, tenant="soest",
                                      user_id=target.subject)).status == "active"
    assert "Eva" not in (await client.get("/admin/accounts")).text


async def test_account_page_changes_roles_person_and_access(
    mail_app: FastAPI, mail_client: httpx.AsyncClient, person: Any, smtp: tuple[Any, int]
) -> None:
    ident: Identity = mail_app.state.identity
    _inbox, _ = smtp
    await _signed_in_admin(ident, mail_client, person)
    target = await person({"soest": ["member"]}, name="Fritz Rat")
    await members.set_person(ident.db, tenant="soest", user_id=target.subject, person_id=None)
    path = f"/admin/accounts/{target.subject}"
    bad = await post_form(mail_client, path, f"{path}/roles",
                          {"body_0": "rat", "role_0": "member", "body_1": "bau ausschuss",
                           "role_1": "chair"})
    assert bad.status_code == 422
    assert "keine gültige Kennung" in bad.text
    assert 'value="bau ausschuss"' in bad.text
    ok = await post_form(mail_client, path, f"{path}/roles",
                         {"body_0": "rat", "role_0": "member", "body_1": "bauausschuss",
                          "role_1": "vice_chair"})
    assert ok.status_code == 303
    page = await mail_client.get(ok.headers["location"])
    assert "Die Rollen sind gespeichert" in page.text
    assert (await members.get_account(ident.db, tenant="soest", user_id=target.subject)
            ).body_roles == (("bauausschuss", "vice_chair"), ("rat", "member"))
    linked = await post_form(mail_client, path, f"{path}/person", {"person_id": "oparl-42"})
    assert linked.status_code == 303
    assert 'value="oparl-42"' in (await mail_client.get(path)).text
    off = await post_form(mail_client, path, f"{path}/deactivate")
    assert off.status_code == 303
    assert "deaktiviert" in (await mail_client.get(off.headers["location"])).text
    on = await post_form(mail_client, path, f"{path}/reactivate")
    assert on.status_code == 303
    assert await _events(ident, "account.deactivated")
    assert await _events(ident, "account.reactivated")


async def test_password_reset_from_the_account_page_sends_the_mail(
    mail_app: FastAPI, mail_client: httpx.AsyncClient, person: Any, smtp: tuple[Any, int]
) -> None:
    ident: Identity = mail_app.state.identity
    inbox, _ = smtp
    await _signed_in_admin(ident, mail_client, person)
    invited = await post_form(mail_client, "/admin/accounts/new", "/admin/accounts/new",
                              {"name": "Gabi", "email": "gabi@soest.example",
                               "body_0": "rat", "role_0": "member"})
    path = invited.headers["location"].split("?")[0]
    assert (await accept(mail_client, link_token(inbox.to("gabi@soest.example")[0]),
                         "ein-gutes-passwort-2026")).status_code == 200
    sent = await post_form(mail_client, path, f"{path}/reset")
    assert sent.status_code == 303
    assert "Zurücksetzen" in (await mail_client.get(sent.headers["location"])).text
    assert len(inbox.to("gabi@soest.example")) == 2
    assert await _events(ident, "account.password_reset_sent")


async def test_csv_import_shows_each_faulty_line_and_imports_nothing(
    mail_app: FastAPI, mail_client: httpx.AsyncClient, person: Any, smtp: tuple[Any, int]
) -> None:
    ident: Identity = mail_app.state.identity
    inbox, _ = smtp
    await _signed_in_admin(ident, mail_client, person)
    faulty = ("email,name,roles\nhans@soest.example,Hans,rat:member\n"
              "kaputt,Ina,rat:member\njan@soest.example,Jan,rat:boss\n")
    answer = await post_form(mail_client, "/admin/import", "/admin/import", {"csv": faulty})
    assert answer.status_code == 422
    table = answer.text.split('id="rr-line-errors"')[1].split("</table>")[0]
    assert ">3<" in table
    assert ">4<" in table
    assert ">2<" not in table
    assert "kaputt" in answer.text  # the pasted text is kept to fix it
    assert inbox.received == []
    assert "Hans" not in (await mail_client.get("/admin/accounts")).text
    good = "email,name,roles\nhans@soest.example,Hans,rat:member\n"
    page = await mail_client.get("/admin/import")
    done = await mail_client.post("/admin/import", data={"csrf_token": csrf_of(page)},
                                  files={"file": ("mitglieder.csv", good.encode(), "text/csv")})
    assert done.status_code == 200, done.text
    assert "1 Personen eingeladen" in done.text
    assert len(inbox.to("hans@soest.example")) == 1
    latin = await mail_client.post("/admin/import", data={"csrf_token": csrf_of(page)},
                                   files={"file": ("m.csv", "name\nJörg".encode("latin-1"),
                                                   "text/csv")})
    assert latin.status_code == 422
    assert "UTF-8" in latin.text


async def test_member_mfa_setting_and_the_paged_audit_log(
    app: FastAPI, client: httpx.AsyncClient, person: Any
) -> None:
    ident: Identity = app.state.identity
    await _signed_in_admin(ident, client, person)
    page = await client.get("/admin/settings")
    assert 'name="member_mfa_required" value="1">' in page.text  # not checked
    saved = await post_form(client, "/admin/settings", "/admin/settings",
                            {"member_mfa_required": "1"})
    assert saved.status_code == 303
    assert 'value="1" checked' in (await client.get("/admin/settings")).text
    for _ in range(60):
        await post_form(client, "/admin/settings", "/admin/settings")
    first = await client.get("/admin/audit")
    assert first.status_code == 200
    assert first.text.count("town.settings_changed") == 50
    older = re.search(r'href="(/admin/audit\?before=\d+)"', first.text)
    assert older
    second = await client.get(older[1])
    assert "town.settings_changed" in second.text
    assert "admin_token.issued" in second.text
    assert "Neueste Ereignisse" in second.text
