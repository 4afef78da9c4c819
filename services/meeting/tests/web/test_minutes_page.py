"""The members' minutes page: nothing before both signatures, then the signed document."""

from __future__ import annotations

from signin_kit import MEETING, Browser, WebStack

from ratsraum_common import demo

BASE = f"/sitzungen/{demo.MEETING_ID}"
API = f"/meetings/{demo.MEETING_ID}"
CLOSED_ITEM = next(i for i in demo.AGENDA if not i.public)


async def _call(browser: Browser, page_html: str, method: str, path: str,
                body: object = None) -> None:
    answer = await browser.meeting.request(
        method, f"{MEETING}/api/v1{path}", json=body if body is not None else {},
        headers={"X-CSRF-Token": browser.csrf(page_html), "Origin": MEETING})
    assert answer.status_code < 300, answer.text


async def test_members_see_the_minutes_only_once_signed(web: WebStack) -> None:
    member, clerk, chair = web.browser(), web.browser(), web.browser()
    await member.sign_in("becker", web.passwords["becker"])
    clerk_page = (await clerk.sign_in("richter", web.passwords["richter"])).text
    chair_page = (await chair.sign_in("schulte", web.passwords["schulte"])).text
    await _call(clerk, clerk_page, "PUT", f"{API}/minutes",
                {"general": "Die Sitzung verlief ohne Besonderheiten."})

    before = await member.go(f"{MEETING}{BASE}/niederschrift")
    assert before.status_code == 200
    assert "noch nicht unterzeichnet" in before.text
    assert "ohne Besonderheiten" not in before.text  # the draft stays the clerk's
    await _call(clerk, clerk_page, "POST", f"{API}/open")
    await _call(clerk, clerk_page, "POST", f"{API}/close")
    await _call(clerk, clerk_page, "POST", f"{API}/minutes/sign", {"role": "clerk"})
    half = await member.go(f"{MEETING}{BASE}/niederschrift")
    assert "noch nicht unterzeichnet" in half.text
    assert f'href="{BASE}/niederschrift"' not in (await member.go(f"{MEETING}{BASE}")).text

    await _call(chair, chair_page, "POST", f"{API}/minutes/sign", {"role": "chair"})
    signed = await member.go(f"{MEETING}{BASE}/niederschrift")
    assert signed.status_code == 200
    assert "data-minutes-signed" in signed.text
    assert "ohne Besonderheiten" in signed.text
    assert "Anna Schulte" in signed.text
    assert "Jana Richter" in signed.text
    # Council members are entitled to the closed part, and the API gives it to them.
    assert CLOSED_ITEM.title in signed.text
    assert "<body" not in signed.text.split("<main", 1)[1]
    meeting_page = await member.go(f"{MEETING}{BASE}")
    assert f'href="{BASE}/niederschrift"' in meeting_page.text
    pdf = await member.meeting.get(f"/api/v1{API}/minutes/pdf")
    assert pdf.headers["content-type"] == "application/pdf"
