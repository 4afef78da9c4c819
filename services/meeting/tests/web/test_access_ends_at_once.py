"""Deactivating an account or suspending a town in identity ends access in meeting at once.

Real identity and meeting in-process, identity's events through a real nats-server: meeting
ends the web sessions and refuses the access tokens issued before, long before they expire.
"""

from __future__ import annotations

import asyncio
import time

import httpx
from signin_kit import MEETING, Browser, WebStack
from sqlalchemy import func, select

from ratsraum_common import demo
from ratsraum_identity.members import service as members
from ratsraum_identity.towns import service as towns
from ratsraum_meeting.signin.models import WebSession

ME = f"{MEETING}/api/v1/me"
BECKER = demo.subject_for(demo.TENANT, "becker")
SCHULTE = demo.subject_for(demo.TENANT, "schulte")


async def _signed_in(web: WebStack, username: str) -> tuple[Browser, str]:
    """A browser with a meeting session, and the access token that session holds."""
    browser = web.browser()
    page = await browser.sign_in(username, web.passwords[username])
    assert page.status_code == 200, page.text
    async with web.meeting.state.db.system_session() as session:
        token = await session.scalar(select(WebSession.access_token).where(
            WebSession.subject == demo.subject_for(demo.TENANT, username),
            WebSession.status == "active"))
    assert token
    return browser, token


async def _me(web: WebStack, token: str, language: str = "de") -> httpx.Response:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=web.meeting),
                                 base_url=MEETING) as client:
        return await client.get(ME, headers={"Authorization": f"Bearer {token}",
                                             "Accept-Language": language})


async def _until_status(web: WebStack, token: str, status: int) -> httpx.Response:
    """The API's answer once it is `status` (the event travels through NATS), within 15 s."""
    deadline = time.monotonic() + 15
    while True:
        answer = await _me(web, token)
        if answer.status_code == status or time.monotonic() > deadline:
            return answer
        await asyncio.sleep(0.1)


async def _sessions_of(web: WebStack, subject: str) -> int:
    async with web.meeting.state.db.system_session() as session:
        return int(await session.scalar(select(func.count()).select_from(WebSession).where(
            WebSession.subject == subject, WebSession.status == "active")) or 0)


async def test_a_deactivated_account_loses_its_session_and_tokens_in_meeting(
    web: WebStack,
) -> None:
    becker, becker_token = await _signed_in(web, "becker")
    _schulte, schulte_token = await _signed_in(web, "schulte")
    assert (await _me(web, becker_token)).status_code == 200
    assert (await becker.meeting.get(ME)).status_code == 200

    await members.deactivate(web.identity.state.identity.db, tenant=demo.TENANT,
                             user_id=BECKER)

    refused = await _until_status(web, becker_token, 401)
    assert refused.status_code == 401, refused.text
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert refused.json()["type"].endswith("/access-ended")
    assert "Zugang wurde beendet" in refused.json()["detail"]
    english = await _me(web, becker_token, "en")
    assert "Your access has ended" in english.json()["detail"]
    # The browser's session is gone too, and only Becker's.
    assert await _sessions_of(web, BECKER) == 0
    assert (await becker.meeting.get(ME)).status_code == 401
    assert await _sessions_of(web, SCHULTE) == 1
    assert (await _me(web, schulte_token)).status_code == 200


async def test_a_suspended_town_is_refused_until_resumed_and_old_tokens_stay_void(
    web: WebStack,
) -> None:
    browser, token = await _signed_in(web, "schulte")
    identity_db = web.identity.state.identity.db

    await towns.set_status(identity_db, tenant_id=demo.TENANT, status="suspended")
    refused = await _until_status(web, token, 403)
    assert refused.status_code == 403, refused.text
    assert refused.json()["type"].endswith("/town-suspended")
    assert "gesperrt" in refused.json()["detail"]
    assert "suspended" in (await _me(web, token, "en")).json()["detail"]
    assert await _sessions_of(web, SCHULTE) == 0
    assert (await browser.meeting.get(ME)).status_code == 401

    await towns.set_status(identity_db, tenant_id=demo.TENANT, status="active")
    # The token from before the suspension stays void; a new sign-in works again.
    still_void = await _until_status(web, token, 401)
    assert still_void.json()["type"].endswith("/access-ended")
    # Tokens carry `iat` in whole seconds: one of the resumption's second cannot tell whether
    # it came before, so it counts as before. Sign in again in the next second.
    await asyncio.sleep(1.05 - time.time() % 1)
    again, fresh = await _signed_in(web, "schulte")
    assert (await _me(web, fresh)).status_code == 200
    assert (await again.meeting.get(ME)).status_code == 200
