"""Roles per body from both token shapes, and the second factor for clerk actions."""

from __future__ import annotations

import pytest

from ratsraum_common import demo

BASE = f"/api/v1/meetings/{demo.MEETING_ID}"
BODY = demo.body_id_for(demo.TENANT, demo.BODY_SHORT)
SCHULTE = demo.subject_for(demo.TENANT, "schulte")
RICHTER = demo.subject_for(demo.TENANT, "richter")


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_old_tokens_count_chair_and_member_only_where_meeting_knows_the_seat(
    meeting, issuer
) -> None:
    # Old shape: town-wide strings. Schulte chairs the demo body in meeting's own data.
    chair = bearer(issuer.token(SCHULTE, ["member", "chair"]))
    assert (await meeting.client.post(f"{BASE}/open", headers=chair)).status_code == 200
    # A town-wide "chair" of someone without a seat in this body runs nothing here.
    stranger = bearer(issuer.token("p-elsewhere", ["member", "chair"]))
    refused = await meeting.client.post(f"{BASE}/close", headers=stranger)
    assert refused.status_code == 403
    assert (await meeting.client.get(f"{BASE}/minutes", headers=stranger)).status_code == 403
    assert (await meeting.client.get("/api/v1/meetings", headers=stranger)).json() == []


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_a_chair_of_another_body_is_told_roles_count_per_body(meeting, issuer) -> None:
    elsewhere = bearer(issuer.token(SCHULTE, ["member", "chair"], body="another-body"))
    refused = await meeting.client.post(f"{BASE}/open", headers=elsewhere)
    assert refused.status_code == 403
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert "Rollen gelten je Gremium" in refused.json()["detail"]
    english = await meeting.client.post(f"{BASE}/open", headers={
        **elsewhere, "Accept-Language": "en"})
    assert "Roles count per body" in english.json()["detail"]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_a_linked_account_acts_as_its_meeting_person(meeting, issuer) -> None:
    becker = next(p for p in demo.PEOPLE if p.username == "becker")
    linked = bearer(issuer.token("account-77", ["member"], body=BODY, person=becker.subject))
    me = await meeting.client.get("/api/v1/me", headers=linked)
    assert me.status_code == 200
    assert me.json()["subject"] == becker.subject


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_clerk_actions_need_a_second_factor_when_required(meeting, issuer) -> None:
    app = meeting.app
    app.state.settings = app.state.settings.model_copy(update={"clerk_mfa_required": True})
    password_only = bearer(issuer.token(RICHTER, ["clerk"], body=BODY, amr=["pwd"]))
    refused = await meeting.client.post(f"{BASE}/open", headers=password_only)
    assert refused.status_code == 403
    problem = refused.json()
    assert problem["type"].endswith("/second-factor-required")
    assert "zweitem Faktor" in problem["detail"]
    # Reading needs no second factor; nor does the chair's own action.
    assert (await meeting.client.get(f"{BASE}/attendance",
                                     headers=password_only)).status_code == 200
    chair = bearer(issuer.token(SCHULTE, ["member", "chair"], body=BODY, amr=["pwd"]))
    assert (await meeting.client.post(f"{BASE}/open", headers=chair)).status_code == 200
    with_code = bearer(issuer.token(RICHTER, ["clerk"], body=BODY, amr=["pwd", "otp", "mfa"]))
    closed = await meeting.client.post(f"{BASE}/close", headers=with_code)
    assert closed.status_code == 200, closed.text


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_an_old_town_wide_clerk_grants_nothing_in_a_body(meeting, issuer) -> None:
    # Old shape: "clerk" with no word on bodies. Meeting has no clerk seats to narrow it by.
    legacy = bearer(issuer.token(RICHTER, ["clerk"]))
    refused = await meeting.client.post(f"{BASE}/open", headers=legacy)
    assert refused.status_code == 403
    assert (await meeting.client.get(f"{BASE}/minutes", headers=legacy)).status_code == 403
    # Holding no role anywhere, the token is not even shown the list of meetings.
    assert (await meeting.client.get("/api/v1/meetings", headers=legacy)).status_code == 403


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_a_clerk_of_every_body_granted_by_identity_runs_any_body(meeting, issuer) -> None:
    # Identity's town admin made the account clerk of the whole town (`town_roles`).
    office = bearer(issuer.token(RICHTER, ["clerk"], town_roles=["clerk"], body_roles=[]))
    listed = await meeting.client.get("/api/v1/meetings", headers=office)
    assert demo.MEETING_ID in [m["id"] for m in listed.json()]
    opened = await meeting.client.post(f"{BASE}/open", headers=office)
    assert opened.status_code == 200, opened.text
