"""Sign-in through identity's code flow, the server-side session, refresh, CSRF, sign-out."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from urllib.parse import parse_qs, quote, urlsplit

from signin_kit import IDENTITY, MEETING, WebStack
from sqlalchemy import update

from ratsraum_common import demo
from ratsraum_meeting.signin.models import WebSession
from ratsraum_meeting.timeutil import now

ME = f"{MEETING}/api/v1/me"
TICKET = f"{MEETING}/api/v1/meetings/{demo.MEETING_ID}/live-ticket"


async def test_login_redirect_carries_pkce_state_nonce_and_sets_only_an_id_cookie(
    web: WebStack,
) -> None:
    browser = web.browser()
    answer = await browser.meeting.get("/auth/login?next=/sitzungen")
    assert answer.status_code == 303
    target = urlsplit(answer.headers["location"])
    assert f"{target.scheme}://{target.netloc}{target.path}" == f"{IDENTITY}/authorize"
    query = parse_qs(target.query)
    assert query["code_challenge_method"] == ["S256"]
    assert query["redirect_uri"] == [f"{MEETING}/auth/callback"]
    assert query["state"][0]
    assert query["nonce"][0]
    assert query["code_challenge"][0]
    cookie = answer.headers["set-cookie"]
    assert "ratsraum_session=" in cookie
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie or "samesite=lax" in cookie.lower()
    assert "Secure" not in cookie  # http public URL; https would add it


async def test_member_signs_in_and_the_api_accepts_the_session_cookie(web: WebStack) -> None:
    browser = web.browser()
    page = await browser.sign_in("becker", web.passwords["becker"])
    assert page.status_code == 200, page.text
    assert str(page.url) == f"{MEETING}/sitzungen"
    assert demo.MEETING_TITLE in page.text
    assert "access_token" not in page.text
    assert "eyJ" not in page.text
    me = await browser.meeting.get(ME)
    assert me.status_code == 200, me.text
    assert me.json()["subject"] == demo.subject_for(demo.TENANT, "becker")


async def test_unsafe_api_calls_by_cookie_need_the_csrf_token_and_our_origin(
    web: WebStack,
) -> None:
    browser = web.browser()
    page = await browser.sign_in("becker", web.passwords["becker"])
    token = browser.csrf(page.text)
    refused = await browser.meeting.post(TICKET)
    assert refused.status_code == 403
    assert refused.json()["type"].endswith("csrf-failed")
    foreign = await browser.meeting.post(TICKET, headers={
        "X-CSRF-Token": token, "Origin": "https://evil.example"})
    assert foreign.status_code == 403
    allowed = await browser.meeting.post(TICKET, headers={
        "X-CSRF-Token": token, "Origin": MEETING})
    assert allowed.status_code == 200, allowed.text


async def test_a_forged_state_at_the_callback_starts_no_session(web: WebStack) -> None:
    browser = web.browser()
    await browser.meeting.get("/auth/login")
    answer = await browser.meeting.get("/auth/callback?code=soest.x&state=forged")
    assert answer.status_code == 400
    assert (await browser.meeting.get(ME)).status_code == 401


async def test_an_expiring_access_token_is_renewed_silently_with_a_rotated_refresh_token(
    web: WebStack,
) -> None:
    browser = web.browser()
    await browser.sign_in("becker", web.passwords["becker"])
    db = web.meeting.state.db
    async with db.system_session() as session:
        before = (await session.execute(WebSession.__table__.select())).one()
    async with db.transaction(None) as session:
        await session.execute(update(WebSession).values(
            access_expires_at=now() + timedelta(seconds=5)))
    assert (await browser.meeting.get(ME)).status_code == 200
    async with db.system_session() as session:
        after = (await session.execute(WebSession.__table__.select())).one()
    assert after.refresh_token != before.refresh_token
    assert after.access_token != before.access_token
    old = await browser.identity.post(f"{IDENTITY}/token", data={
        "grant_type": "refresh_token",
        "refresh_token": web.meeting.state.signin.box.open(before.refresh_token),
        "client_id": demo.WEB_CLIENT_ID})
    assert old.status_code == 400  # rotated: the old one works no more


async def test_sign_out_ends_the_session_here_and_at_identity(web: WebStack) -> None:
    browser = web.browser()
    page = await browser.sign_in("becker", web.passwords["becker"])
    db = web.meeting.state.db
    async with db.system_session() as session:
        held = (await session.execute(WebSession.__table__.select())).one()
    answer = await browser.meeting.post("/auth/logout", data={
        "csrf_token": browser.csrf(page.text)}, headers={"Origin": MEETING})
    assert answer.status_code == 303
    location = answer.headers["location"]
    assert location.startswith(f"{IDENTITY}/logout?")
    assert "id_token_hint=" in location
    back = await browser.identity.get(location)
    assert back.status_code == 303
    assert back.headers["location"] == f"{MEETING}/auth/signed-out"
    assert (await browser.meeting.get(ME)).status_code == 401
    renew = await browser.identity.post(f"{IDENTITY}/token", data={
        "grant_type": "refresh_token",
        "refresh_token": web.meeting.state.signin.box.open(held.refresh_token),
        "client_id": demo.WEB_CLIENT_ID})
    assert renew.status_code == 400  # revoked at sign-out


async def test_sign_out_without_the_csrf_token_is_refused(web: WebStack) -> None:
    browser = web.browser()
    await browser.sign_in("becker", web.passwords["becker"])
    answer = await browser.meeting.post("/auth/logout", data={})
    assert answer.status_code == 403
    assert (await browser.meeting.get(ME)).status_code == 200


async def test_the_invitation_link_survives_the_sign_in_and_is_checked_for_the_member(
    web: WebStack,
) -> None:
    browser = web.browser()
    link = f"/sitzungen/{demo.MEETING_ID}?einladung=not-a-real-token"
    first = await browser.meeting.get(link)
    assert first.status_code == 303
    assert first.headers["location"] == f"/auth/login?next={quote(link, safe='')}"
    landed = await browser.sign_in("becker", web.passwords["becker"], start=link)
    # The bogus token is refused by the API's check, shown as a page (not a crash).
    assert landed.status_code == 404
    assert "Einladungslink" in landed.text


async def test_open_redirects_after_sign_in_are_refused(web: WebStack) -> None:
    browser = web.browser()
    landed = await browser.sign_in("becker", web.passwords["becker"],
                                   start="/auth/login?next=//evil.example/x")
    assert str(landed.url) == f"{MEETING}/sitzungen"


async def test_racing_requests_refresh_once_and_keep_the_session(web: WebStack) -> None:
    browser = web.browser()
    await browser.sign_in("becker", web.passwords["becker"])
    db = web.meeting.state.db
    async with db.transaction(None) as session:
        await session.execute(update(WebSession).values(
            access_expires_at=now() + timedelta(seconds=5)))
    answers = await asyncio.gather(*(browser.meeting.get(ME) for _ in range(4)))
    assert [a.status_code for a in answers] == [200] * 4
    assert (await browser.meeting.get(ME)).status_code == 200
