"""The member's pages without JavaScript: forms post, the API decides, the page reports."""

from __future__ import annotations

import re

from signin_kit import IDENTITY, MEETING, Browser, WebStack

from ratsraum_common import demo

BASE = f"/sitzungen/{demo.MEETING_ID}"
ITEM = next(i for i in demo.AGENDA if i.key == "o3")
OTHERS = ["schulte", "hoffmann", "yilmaz", "wagner", "krause"]


def _field(html: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]+)"', html)
    assert found, f"no {name} field"
    return found.group(1)


async def _staff_api(web: WebStack, browser: Browser, page_html: str, method: str,
                     path: str, body: object = None) -> dict[str, object]:
    answer = await browser.meeting.request(
        method, f"{MEETING}/api/v1{path}", json=body if body is not None else {},
        headers={"X-CSRF-Token": browser.csrf(page_html), "Origin": MEETING})
    assert answer.status_code < 300, answer.text
    data: dict[str, object] = answer.json()
    return data


async def _quorate_meeting_with_open_vote(web: WebStack) -> tuple[Browser, Browser, str]:
    clerk, member = web.browser(), web.browser()
    clerk_page = (await clerk.sign_in("richter", web.passwords["richter"])).text
    await _staff_api(web, clerk, clerk_page, "POST", f"/meetings/{demo.MEETING_ID}/open")
    for name in [*OTHERS, "becker"]:
        await _staff_api(web, clerk, clerk_page, "PUT",
                         f"/meetings/{demo.MEETING_ID}/attendance/"
                         f"{demo.subject_for(demo.TENANT, name)}", {"presence": "in_room"})
    poll = await _staff_api(web, clerk, clerk_page, "POST",
                            f"/meetings/{demo.MEETING_ID}/agenda-items/{ITEM.id}/polls",
                            {"method": "open"})
    await member.sign_in("becker", web.passwords["becker"])
    return clerk, member, str(poll["id"])


async def test_a_resubmitted_vote_form_counts_once_and_the_choice_is_confirmed(
    web: WebStack,
) -> None:
    _clerk, member, poll_id = await _quorate_meeting_with_open_vote(web)
    page = await member.go(f"{MEETING}{BASE}/abstimmungen/{poll_id}")
    assert page.status_code == 200
    assert page.text.count('name="choice"') == 3  # yes, no, abstain (NRW)
    form = {"csrf_token": _field(page.text, "csrf_token"), "choice": "yes",
            "idempotency_key": _field(page.text, "idempotency_key")}
    first = await member.go(f"{MEETING}{BASE}/abstimmungen/{poll_id}/stimme", method="POST",
                            data=form, headers={"Origin": MEETING})
    again = await member.go(f"{MEETING}{BASE}/abstimmungen/{poll_id}/stimme", method="POST",
                            data=form, headers={"Origin": MEETING})
    assert first.status_code == again.status_code == 200
    assert "Ihre Stimme: Ja" in again.text
    status = (await member.meeting.get(f"/api/v1/polls/{poll_id}")).json()
    assert status["ballots_cast"] == 1
    assert status["has_voted"] is True


async def test_a_vote_form_from_elsewhere_is_refused(web: WebStack) -> None:
    _clerk, member, poll_id = await _quorate_meeting_with_open_vote(web)
    page = await member.go(f"{MEETING}{BASE}/abstimmungen/{poll_id}")
    answer = await member.meeting.post(
        f"{BASE}/abstimmungen/{poll_id}/stimme",
        data={"csrf_token": _field(page.text, "csrf_token"), "choice": "yes",
              "idempotency_key": "abcdefgh12345"},
        headers={"Origin": "https://evil.example"})
    assert answer.status_code == 403
    status = (await member.meeting.get(f"/api/v1/polls/{poll_id}")).json()
    assert status["ballots_cast"] == 0


async def test_a_refused_cast_says_so_plainly(web: WebStack) -> None:
    _clerk, member, poll_id = await _quorate_meeting_with_open_vote(web)
    page = await member.go(f"{MEETING}{BASE}/abstimmungen/{poll_id}")
    answer = await member.go(f"{MEETING}{BASE}/abstimmungen/{poll_id}/stimme", method="POST",
                             data={"csrf_token": _field(page.text, "csrf_token"),
                                   "choice": "maybe",
                                   "idempotency_key": _field(page.text, "idempotency_key")},
                             headers={"Origin": MEETING})
    assert answer.status_code == 409
    assert "NICHT angekommen" in answer.text


async def test_conflict_declared_and_withdrawn_from_the_item_page(web: WebStack) -> None:
    member = web.browser()
    await member.sign_in("becker", web.passwords["becker"])
    item = f"{MEETING}{BASE}/punkte/{ITEM.id}"
    page = await member.go(item)
    assert "Befangenheit erklären" in page.text
    declared = await member.go(f"{item}/befangenheit", method="POST", data={
        "csrf_token": _field(page.text, "csrf_token"), "reason": "Eigenes Grundstück"},
        headers={"Origin": MEETING})
    assert "Ihre Befangenheit ist erklärt." in declared.text
    assert "Erklärung zurücknehmen" in declared.text
    withdrawn = await member.go(f"{item}/befangenheit/zuruecknehmen", method="POST", data={
        "csrf_token": _field(declared.text, "csrf_token")}, headers={"Origin": MEETING})
    assert "Befangenheit erklären" in withdrawn.text


async def test_pages_speak_english_on_request_and_remember_it(web: WebStack) -> None:
    member = web.browser()
    page = await member.sign_in("becker", web.passwords["becker"])
    meeting = await member.go(f"{MEETING}{BASE}")
    assert "Teilnehmen" in meeting.text
    english = await member.go(f"{MEETING}/sprache", method="POST",
                              data={"lang": "en", "next": BASE})
    assert english.status_code == 200
    assert 'lang="en"' in english.text
    assert "Take part" in english.text
    assert page.status_code == 200
    again = await member.go(f"{MEETING}/sitzungen")
    assert "My meetings" in again.text


async def test_unknown_pages_answer_with_a_friendly_html_page_and_the_api_with_problems(
    web: WebStack,
) -> None:
    browser = web.browser()
    page = await browser.meeting.get("/nirgendwo", headers={"Accept": "text/html"})
    assert page.status_code == 404
    assert "Diese Seite gibt es nicht." in page.text
    api = await browser.meeting.get("/api/v1/nirgendwo", headers={"Accept": "text/html"})
    assert api.status_code == 404
    assert api.headers["content-type"] == "application/problem+json"


async def test_town_admins_find_the_admin_pages_in_the_navigation(web: WebStack) -> None:
    admin = web.browser()
    page = await admin.sign_in("lange", web.passwords["lange"])
    assert page.status_code == 200
    link = f'href="{IDENTITY}/admin/sign-in?tenant={demo.TENANT}"'
    assert link in page.text
    assert ">Verwaltung<" in page.text
    member = web.browser()
    page = await member.sign_in("becker", web.passwords["becker"])
    assert "/admin/sign-in" not in page.text


async def test_everyone_finds_their_own_passkeys_in_the_navigation(web: WebStack) -> None:
    member = web.browser()
    page = await member.sign_in("becker", web.passwords["becker"])
    assert f'href="{IDENTITY}/account/passkeys?tenant={demo.TENANT}"' in page.text
    assert ">Meine Passkeys<" in page.text
