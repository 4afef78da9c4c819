"""Joining remotely from the join page: lobby, admission, the provider link on click, and
reporting a lost connection with one button (BigBlueButton faked at its HTTP border)."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import pytest
from conftest import WebStack
from signin_kit import MEETING, Browser

from ratsraum_common import demo
from ratsraum_meeting.video.fakes.bbb import FakeBigBlueButton
from ratsraum_meeting.video.fakes.server import serve

BASE = f"/sitzungen/{demo.MEETING_ID}"
API = f"{MEETING}/api/v1/meetings/{demo.MEETING_ID}"
BECKER = demo.subject_for(demo.TENANT, "becker")
SECRET = "bbb-web-secret"


def _csrf_field(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found
    return found.group(1)


async def _as_staff(browser: Browser, html: str, method: str, url: str,
                    body: object = None) -> None:
    answer = await browser.meeting.request(method, url, json=body, headers={
        "X-CSRF-Token": browser.csrf(html), "Origin": MEETING})
    assert answer.status_code < 300, answer.text


@pytest.fixture
async def bbb_base(web: WebStack, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[str]:
    """A fake BigBlueButton, configured by the town's admin through the API (cookie)."""

    async def deliver(_url: str, _headers: dict[str, str], _body: bytes) -> int:
        return 204

    fake = FakeBigBlueButton(secret=SECRET, deliver=deliver)
    monkeypatch.setenv("RATSRAUM_VIDEO_SOEST_BBB", SECRET)
    async with serve(fake.app) as base:
        admin = web.browser()
        page = (await admin.sign_in("lange", web.passwords["lange"])).text
        await _as_staff(admin, page, "PUT", f"{MEETING}/api/v1/video/config", {
            "provider": "bbb", "options": {"base_url": f"{base}/bigbluebutton"},
            "secret_env": {"secret": "RATSRAUM_VIDEO_SOEST_BBB"}})
        yield base


async def test_member_waits_in_the_lobby_until_admitted_then_opens_the_video(
    web: WebStack, bbb_base: str,
) -> None:
    clerk, member = web.browser(), web.browser()
    clerk_page = (await clerk.sign_in("richter", web.passwords["richter"])).text
    await _as_staff(clerk, clerk_page, "POST", f"{API}/open")
    await member.sign_in("becker", web.passwords["becker"])
    join = await member.go(f"{MEETING}{BASE}/teilnahme")
    assert "Zum Warteraum" in join.text
    waiting = await member.go(f"{MEETING}{BASE}/warteraum", method="POST",
                              data={"csrf_token": _csrf_field(join.text)},
                              headers={"Origin": MEETING})
    assert "Sie sind im Warteraum" in waiting.text
    assert "data-heartbeat" in waiting.text  # the page keeps the member's presence alive
    assert "Videokonferenz öffnen" not in waiting.text

    await _as_staff(clerk, clerk_page, "POST", f"{API}/lobby/{BECKER}/admit")
    admitted = await member.go(f"{MEETING}{BASE}/teilnahme")
    assert "Videokonferenz öffnen" in admitted.text
    assert "zugeschaltet" in admitted.text
    video = await member.meeting.get(f"{BASE}/video")
    assert video.status_code == 303
    assert video.headers["location"].startswith(bbb_base)

    reported = await member.go(f"{MEETING}{BASE}/stoerung", method="POST",
                               data={"csrf_token": _csrf_field(admitted.text)},
                               headers={"Origin": MEETING})
    assert "Ihre Störungsmeldung ist eingegangen" in reported.text
    reports = await clerk.meeting.get(f"{API}/disruptions")
    assert [r["person_id"] for r in reports.json()["reports"]] == [BECKER]
