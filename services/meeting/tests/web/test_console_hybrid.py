"""The console's hybrid session page: the clerk records the conditions the law demands before
opening, and sees, beside the open button and on the page, why opening is refused."""

from __future__ import annotations

from signin_kit import MEETING, Browser, WebStack

from ratsraum_common import demo
from ratsraum_meeting.seed import body_id

M = f"/sitzungen/{demo.MEETING_ID}"
PROFILE = f"/api/v1/bodies/{body_id(demo.TENANT, demo.BODY_SHORT)}/rule-profile"
REMOTE = [p for p in demo.PEOPLE if p.is_member][6]
CITE = "§ 47a Abs. 1 GO NRW"


async def signed_in(web: WebStack, username: str) -> tuple[Browser, str]:
    """A browser signed in as the demo user, and the CSRF token of its session."""
    browser = web.browser()
    page = await browser.sign_in(username, web.passwords[username])
    assert page.status_code == 200, page.text
    return browser, browser.csrf(page.text)


async def post(browser: Browser, url: str, token: str, **fields: str) -> tuple[int, str, str]:
    """Submit a form as the browser does (no redirect followed): status, location, body."""
    answer = await browser.meeting.post(url, data={"csrf_token": token, **fields},
                                        headers={"Origin": MEETING, "Accept": "text/html"})
    return answer.status_code, answer.headers.get("location", ""), answer.text


async def _nrw_council(web: WebStack) -> None:
    admin, token = await signed_in(web, "lange")
    answer = await admin.meeting.put(PROFILE, json={"preset": "NRW", "kind": "council"},
                                     headers={"X-CSRF-Token": token, "Origin": MEETING})
    assert answer.status_code == 200, answer.text


def _conditions(yes: str, **extra: str) -> dict[str, str]:
    return {"back": "hybrid", "emergency_declared_on": "2026-12-01",
            "emergency_declared_by": "council", "emergency_note": "Hochwasser",
            "two_thirds_decided_on": "2026-12-01", "two_thirds_yes": yes, **extra}


async def test_the_clerk_records_the_conditions_and_sees_why_opening_is_refused(
    web: WebStack,
) -> None:
    await _nrw_council(web)
    clerk, token = await signed_in(web, "richter")
    page = await clerk.meeting.get(f"{M}/konsole/hybrid")
    assert page.status_code == 200
    assert f"muss erfasst sein ({CITE})" in page.text
    assert "die Feststellung einer Notlage" in page.text
    assert "data-hybrid-ok" in page.text  # nobody remote yet: nothing stands in the way
    assert f'href="{M}/konsole/hybrid" aria-current="page"' in page.text

    # A malformed count is named before any call, linking to its field.
    status, _loc, body = await post(clerk, f"{M}/konsole/hybrid", token, **_conditions("viele"))
    assert status == 422
    assert 'href="#two_thirds_yes"' in body
    assert "ganze Zahl" in body

    status, location, _body = await post(clerk, f"{M}/konsole/hybrid", token,
                                         **_conditions("11", **{f"consent-{REMOTE.subject}":
                                                                "yes"}))
    assert (status, location) == (303, f"{M}/konsole/hybrid?ok=staff.ok.hybrid")
    page = await clerk.meeting.get(location)
    assert "Die Voraussetzungen der Hybridsitzung sind gespeichert." in page.text
    assert 'value="Hochwasser"' in page.text
    assert f'id="consent-{REMOTE.subject}" name="consent-{REMOTE.subject}" value="yes" checked' \
        in page.text
    status, _loc, _body = await post(clerk, f"{M}/konsole/anwesenheit", token,
                                     one=f"{REMOTE.subject}:remote")
    assert status == 303

    # The decision is withdrawn (too few votes in favour) while a member is remote.
    status, _loc, _body = await post(clerk, f"{M}/konsole/hybrid", token, **_conditions("3"))
    assert status == 303
    page = await clerk.meeting.get(f"{M}/konsole/hybrid")
    assert "data-hybrid-refusal" in page.text
    assert "Ja-Stimmen; erfasst sind 3" in page.text
    overview = await clerk.meeting.get(f"{M}/konsole")
    assert "data-hybrid-refusal" in overview.text  # beside the open button
    assert f'href="{M}/konsole/hybrid"' in overview.text
    status, _loc, body = await post(clerk, f"{M}/konsole/eroeffnen", token)
    assert status == 409
    assert 'id="rr-error-summary"' in body
    assert CITE in body

    # In English the refusal is English.
    chosen = await clerk.meeting.post("/sprache", data={"lang": "en", "next": f"{M}/konsole"},
                                      headers={"Origin": MEETING})
    assert chosen.status_code == 303
    page = await clerk.meeting.get(f"{M}/konsole/hybrid")
    assert "Remote participation not yet allowed" in page.text
    assert "votes in favour; 3 are recorded" in page.text

    status, location, _body = await post(clerk, f"{M}/konsole/hybrid", token, **_conditions("8"))
    assert status == 303
    status, location, _body = await post(clerk, f"{M}/konsole/eroeffnen", token)
    assert (status, location) == (303, f"{M}/konsole?ok=staff.ok.opened")


async def test_a_member_neither_sees_nor_records_the_conditions(web: WebStack) -> None:
    member, token = await signed_in(web, "becker")
    page = await member.meeting.get(f"{M}/konsole/hybrid", headers={"Accept": "text/html"})
    assert page.status_code == 403
    status, _loc, _body = await post(member, f"{M}/konsole/hybrid", token, **_conditions("11"))
    assert status == 403
    clerk, _token = await signed_in(web, "richter")
    page = await clerk.meeting.get(f"{M}/konsole/hybrid")
    assert 'value="Hochwasser"' not in page.text  # nothing was recorded by the member
