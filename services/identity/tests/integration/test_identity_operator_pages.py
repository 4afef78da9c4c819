"""The operator's pages: sign-in always with the authenticator code, towns created with their
first admin invited by real mail, suspend and resume, delete only after confirming; errors
on the page with the values kept; CSRF refused; a town admin's session is no operator's."""

from __future__ import annotations

from typing import Any

import httpx
from admin_pages_kit import csrf_of, page_sign_in, post_form, town_admin_session
from admin_testkit import give_app, link_token, make_operator
from fastapi import FastAPI

from ratsraum_identity.admin_errors import NotFound
from ratsraum_identity.api.deps import Identity
from ratsraum_identity.towns import service as towns

TOWN = {"id": "werl", "name": "Stadt Werl", "state": "NRW", "ags": "05974048",
        "admin_name": "Wera Werl", "admin_email": "wera@werl.example"}


async def _operator_session(ident: Identity, client: httpx.AsyncClient) -> Any:
    op = await make_operator(ident)
    answer = await page_sign_in(client, "operator", username=op.username,
                                password=op.password, otp=op.code())
    assert answer.status_code == 303, answer.text
    assert answer.headers["location"] == "/operator/towns"
    return op


async def test_operator_sign_in_always_needs_the_code(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    ident: Identity = app.state.identity
    op = await make_operator(ident)
    without = await page_sign_in(client, "operator", username=op.username,
                                 password=op.password)
    assert without.status_code == 401
    assert "Code ist falsch" in without.text
    assert (await client.get("/operator/towns")).status_code == 303
    wrong = await page_sign_in(client, "operator", username=op.username,
                               password=op.password, otp="000000")
    assert wrong.status_code == 401
    assert (await page_sign_in(client, "operator", username=op.username,
                               password=op.password, otp=op.code())).status_code == 303
    assert (await client.get("/operator/towns")).status_code == 200


async def test_create_town_shows_errors_then_invites_the_first_admin(
    mail_app: FastAPI, mail_client: httpx.AsyncClient, smtp: tuple[Any, int]
) -> None:
    ident: Identity = mail_app.state.identity
    inbox, _ = smtp
    await _operator_session(ident, mail_client)
    wrong = await post_form(mail_client, "/operator/towns", "/operator/towns",
                            {**TOWN, "ags": "09162000"})
    assert wrong.status_code == 422
    assert "gehört nicht zu NRW" in wrong.text
    assert 'value="Stadt Werl"' in wrong.text
    assert 'value="wera@werl.example"' in wrong.text
    assert '<option value="NRW" selected>' in wrong.text
    bad_id = await post_form(mail_client, "/operator/towns", "/operator/towns",
                             {**TOWN, "id": "Werl Stadt!"})
    assert bad_id.status_code == 422
    assert "Kleinbuchstaben" in bad_id.text
    assert inbox.received == []
    done = await post_form(mail_client, "/operator/towns", "/operator/towns", TOWN)
    assert done.status_code == 303
    page = await mail_client.get(done.headers["location"])
    assert "Die Kommune ist angelegt" in page.text
    assert "E-Mail ist verschickt" in page.text
    assert 'data-town="werl"' in page.text
    assert link_token(inbox.to("wera@werl.example")[0])
    again = await post_form(mail_client, "/operator/towns", "/operator/towns", TOWN)
    assert again.status_code == 409
    assert "gibt es schon" in again.text


async def test_suspend_resume_and_delete_after_confirming(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    ident: Identity = app.state.identity
    await _operator_session(ident, client)
    assert (await post_form(client, "/operator/towns", "/operator/towns", TOWN)
            ).status_code == 303
    early = await post_form(client, "/operator/towns", "/operator/towns/werl/delete",
                            {"confirm": "werl"})
    assert early.status_code == 409
    assert "zuerst sperren" in early.text
    suspended = await post_form(client, "/operator/towns", "/operator/towns/werl/suspend")
    assert suspended.status_code == 303
    assert (await towns.get_town(ident.db, tenant_id="werl")).status == "suspended"
    confirm = await client.get("/operator/towns/werl/delete")
    assert confirm.status_code == 200
    assert "Endgültig löschen" in confirm.text
    mismatch = await client.post("/operator/towns/werl/delete",
                                 data={"csrf_token": csrf_of(confirm), "confirm": "wer"})
    assert mismatch.status_code == 422
    assert "nichts gelöscht" in mismatch.text
    assert await towns.get_town(ident.db, tenant_id="werl")
    resumed = await post_form(client, "/operator/towns", "/operator/towns/werl/resume")
    assert resumed.status_code == 303
    assert (await towns.get_town(ident.db, tenant_id="werl")).status == "active"
    await post_form(client, "/operator/towns", "/operator/towns/werl/suspend")
    deleted = await post_form(client, "/operator/towns/werl/delete",
                              "/operator/towns/werl/delete", {"confirm": "werl"})
    assert deleted.status_code == 303
    try:
        await towns.get_town(ident.db, tenant_id="werl")
        raise AssertionError("the town is still there")
    except NotFound:
        pass
    missing = await client.get("/operator/towns/nirgendwo/delete")
    assert missing.status_code == 404
    assert "gibt es nicht" in missing.text


async def test_operator_forms_refuse_a_missing_token_and_town_admins(
    app: FastAPI, client: httpx.AsyncClient, person: Any
) -> None:
    ident: Identity = app.state.identity
    await _operator_session(ident, client)
    refused = await client.post("/operator/towns", data={**TOWN, "csrf_token": "nope"})
    assert refused.status_code == 403
    assert "werl" not in (await client.get("/operator/towns")).text
    admin = await person({"soest": ["admin"]})
    app_code = await give_app(ident, admin.subject)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url=str(client.base_url)) as other:
        await town_admin_session(other, tenant="soest", username=admin.username,
                                 password=admin.password, app=app_code)
        assert (await other.get("/operator/towns")).status_code == 303  # no operator session
        token = other.cookies.get("ratsraum_admin")
        assert token
        other.cookies.set("ratsraum_operator", token, path="/operator")
        forbidden = await other.get("/operator/towns")
        assert forbidden.status_code == 403
        assert "Betrieb" in forbidden.text
    operator_cookie = client.cookies.get("ratsraum_operator")
    assert operator_cookie
    client.cookies.set("ratsraum_admin", operator_cookie, path="/admin")
    assert (await client.get("/admin/accounts")).status_code == 403
