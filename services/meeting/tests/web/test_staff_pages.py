"""Clerk console, chair view and hall display: who may see and use them, and forms without JS."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import pytest
from signin_kit import MEETING, WebStack, post, signed_in

from ratsraum_common import demo
from ratsraum_meeting.video.fakes.bbb import FakeBigBlueButton
from ratsraum_meeting.video.fakes.server import serve

M = f"/sitzungen/{demo.MEETING_ID}"
STAFF_PAGES = [f"{M}/konsole", f"{M}/konsole/abstimmungen", f"{M}/konsole/redeliste",
               f"{M}/konsole/stoerungen", f"{M}/konsole/einladungen",
               f"{M}/konsole/niederschrift", f"{M}/vorsitz", f"{M}/saal"]
ITEM = next(i for i in demo.AGENDA if i.key == "o3")
STAFF_ACTIONS = [f"{M}/konsole/eroeffnen", f"{M}/konsole/warteraum", f"{M}/konsole/anwesenheit",
                 f"{M}/konsole/punkte/{ITEM.id}/status",
                 f"{M}/konsole/abstimmungen/eroeffnen",
                 f"{M}/konsole/redeliste/{ITEM.id}/naechste", f"{M}/konsole/unterbrechen",
                 f"{M}/konsole/einladungen", f"{M}/konsole/niederschrift/unterschreiben"]


async def test_a_member_gets_403_on_every_staff_page_and_action_and_sees_no_control(
    web: WebStack,
) -> None:
    browser, token = await signed_in(web, "becker")
    meeting = await browser.meeting.get(M, headers={"Accept": "text/html"})
    assert meeting.status_code == 200
    assert "/konsole" not in meeting.text
    assert "/vorsitz" not in meeting.text
    assert "/saal" not in meeting.text
    for url in STAFF_PAGES:
        answer = await browser.meeting.get(url, headers={"Accept": "text/html"})
        assert answer.status_code == 403, url
        assert "Berechtigung" in answer.text
    for url in STAFF_ACTIONS:
        status, _location, _body = await post(browser, url, token, status="called")
        assert status == 403, url
    # The member's refusal happened before anything changed: the meeting is still scheduled.
    facts = await browser.meeting.get(f"/api/v1/meetings/{demo.MEETING_ID}")
    assert facts.json()["status"] == "scheduled"


@pytest.mark.parametrize("username", ["richter", "schulte"])
async def test_the_clerk_and_the_chair_of_the_town_get_every_staff_page(
    web: WebStack, username: str,
) -> None:
    browser, _token = await signed_in(web, username)
    meeting = await browser.meeting.get(M, headers={"Accept": "text/html"})
    assert f'href="{M}/konsole"' in meeting.text
    for url in STAFF_PAGES:
        answer = await browser.meeting.get(url, headers={"Accept": "text/html"})
        assert answer.status_code == 200, (url, answer.text[:500])
        assert 'data-live-stream' in answer.text


async def test_the_clerk_runs_a_vote_with_forms_alone(web: WebStack) -> None:
    browser, token = await signed_in(web, "richter")
    # Not yet open: the vote is refused and the error summary says why, on the same page.
    status, _loc, body = await post(browser, f"{M}/konsole/abstimmungen/eroeffnen", token,
                                    back="votes", item_id=ITEM.id, method="open",
                                    majority_rule="simple")
    assert status == 409
    assert 'id="rr-error-summary"' in body
    assert 'href="#vote-item"' in body
    assert "Die Sitzung ist noch nicht eröffnet." in body  # the quorum panel's reason

    status, location, _body = await post(browser, f"{M}/konsole/eroeffnen", token)
    assert (status, location) == (303, f"{M}/konsole?ok=staff.ok.opened")
    page = await browser.meeting.get(location)
    assert "Die Sitzung ist eröffnet." in page.text

    # A bulk check-in of every member (each recorded and logged by the API).
    members = [p.subject for p in demo.PEOPLE if p.is_member and p.username != "braun"]
    status, location, _body = await post(browser, f"{M}/konsole/anwesenheit", token,
                                         selected=members, presence="in_room")
    assert status == 303, _body
    page = await browser.meeting.get(f"{M}/konsole/abstimmungen")
    assert "data-vote-ready" in page.text

    status, location, _body = await post(browser, f"{M}/konsole/abstimmungen/eroeffnen",
                                         token, back="votes", item_id=ITEM.id,
                                         method="roll_call", majority_rule="simple")
    assert (status, location) == (303, f"{M}/konsole/abstimmungen?ok=staff.ok.vote_opened")
    page = await browser.meeting.get(location)
    poll_id = re.search(r'data-poll-count="([^"]+)"', page.text)
    assert poll_id, page.text
    assert "0 von 10 haben abgestimmt." in page.text

    # The clerk may not cancel (the chair's right): no control, and the API refuses anyway.
    assert "/abbrechen" not in page.text
    status, _loc, body = await post(browser, f"{M}/konsole/abstimmungen/{poll_id.group(1)}"
                                    "/abbrechen", token, back="votes",
                                    **{f"reason-{poll_id.group(1)}": "Formfehler"})
    assert status == 403
    assert 'id="rr-error-summary"' in body

    status, location, _body = await post(browser, f"{M}/konsole/abstimmungen/"
                                         f"{poll_id.group(1)}/schliessen", token, back="votes")
    assert (status, location) == (303, f"{M}/konsole/abstimmungen?ok=staff.ok.vote_closed")

    # The minutes: an absence reason and an item's decision wording, seen in the preview.
    braun = demo.subject_for(demo.TENANT, "braun")  # never came
    page = await browser.meeting.get(f"{M}/konsole/niederschrift")
    assert f'name="absence-{braun}"' in page.text
    status, _loc, _body = await post(browser, f"{M}/konsole/niederschrift/abwesenheit", token,
                                     back="minutes", **{f"absence-{braun}": "entschuldigt",
                                                        f"was-absence-{braun}": ""})
    assert status == 303
    status, _loc, _body = await post(browser, f"{M}/konsole/niederschrift/punkte/{ITEM.id}",
                                     token, back="minutes", decision="Der Ausschuss empfiehlt "
                                     "die Einführung.", notes="")
    assert status == 303
    preview = await browser.meeting.get(f"/api/v1/meetings/{demo.MEETING_ID}/minutes/html")
    assert "entschuldigt" in preview.text
    assert "Der Ausschuss empfiehlt die Einführung." in preview.text


async def test_a_missing_reason_is_named_in_the_error_summary_before_any_call(
    web: WebStack,
) -> None:
    browser, token = await signed_in(web, "schulte")
    status, _loc, body = await post(browser, f"{M}/konsole/abstimmungen/p-1/abbrechen", token,
                                    back="chair")
    assert status == 422
    assert 'href="#reason-p-1"' in body
    assert "Begründung mit mindestens drei Zeichen" in body
    assert "<h1 class=\"kern-heading-large\">Vorsitz</h1>" in body


@pytest.fixture
async def bbb(web: WebStack, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[str]:
    """A fake BigBlueButton (the provider is the border), configured by the town's admin."""

    async def deliver(_url: str, _headers: dict[str, str], _body: bytes) -> int:
        return 204

    monkeypatch.setenv("RATSRAUM_VIDEO_SOEST_BBB", "bbb-staff-secret")
    async with serve(FakeBigBlueButton(secret="bbb-staff-secret", deliver=deliver).app) as base:
        admin, token = await signed_in(web, "lange")
        answer = await admin.meeting.put("/api/v1/video/config", json={
            "provider": "bbb", "options": {"base_url": f"{base}/bigbluebutton"},
            "secret_env": {"secret": "RATSRAUM_VIDEO_SOEST_BBB"}},
            headers={"X-CSRF-Token": token, "Origin": MEETING})
        assert answer.status_code < 300, answer.text
        yield base


async def test_the_clerk_admits_one_by_click_then_the_ticked_then_all_each_logged(
    web: WebStack, bbb: str,
) -> None:
    clerk, token = await signed_in(web, "richter")
    assert (await post(clerk, f"{M}/konsole/eroeffnen", token))[0] == 303
    waiting = ["becker", "hoffmann", "yilmaz", "wagner"]
    for username in waiting:
        member, member_token = await signed_in(web, username)
        status, _loc, _body = await post(member, f"{M}/warteraum", member_token)
        assert status == 303
    lobby = await clerk.meeting.get(f"{M}/konsole")
    for username in waiting:
        assert f'value="{demo.subject_for(demo.TENANT, username)}"' in lobby.text
    assert "Alle 4 zulassen" in lobby.text

    first, second = (demo.subject_for(demo.TENANT, u) for u in waiting[:2])
    status, location, _body = await post(clerk, f"{M}/konsole/warteraum", token,
                                         person_id=first)
    assert (status, location) == (303, f"{M}/konsole?ok=staff.ok.admitted")
    status, _loc, _body = await post(clerk, f"{M}/konsole/warteraum", token, selected=[second])
    assert status == 303
    page = await clerk.meeting.get(f"{M}/konsole")
    assert "Alle 2 zulassen" in page.text
    status, _loc, _body = await post(clerk, f"{M}/konsole/warteraum", token, all="1")
    assert status == 303
    page = await clerk.meeting.get(f"{M}/konsole")
    assert "Niemand wartet." in page.text

    log = await clerk.meeting.get(f"/api/v1/meetings/{demo.MEETING_ID}/admissions")
    richter = demo.subject_for(demo.TENANT, "richter")
    assert sorted(a["person_id"] for a in log.json()) == sorted(
        demo.subject_for(demo.TENANT, u) for u in waiting)
    assert {a["admitted_by"] for a in log.json()} == {richter}
    # Nothing selected: the error summary names it and links to the first box.
    status, _loc, body = await post(clerk, f"{M}/konsole/warteraum", token)
    assert status == 422
    assert "mindestens eine Person" in body


async def test_the_quorum_panel_names_an_item_that_conflicts_leave_without_quorum(
    web: WebStack,
) -> None:
    clerk, token = await signed_in(web, "richter")
    assert (await post(clerk, f"{M}/konsole/eroeffnen", token))[0] == 303
    six = [p.subject for p in demo.PEOPLE if p.is_member][:6]
    assert (await post(clerk, f"{M}/konsole/anwesenheit", token, selected=six,
                       presence="in_room"))[0] == 303
    assert (await post(clerk, f"{M}/konsole/punkte/{ITEM.id}/status", token,
                       status="called"))[0] == 303
    page = await clerk.meeting.get(f"{M}/konsole")
    assert "data-vote-ready" in page.text

    member, member_token = await signed_in(web, "becker")
    status, _loc, _body = await post(member, f"{M}/punkte/{ITEM.id}/befangenheit",
                                     member_token, reason="Eigenes Interesse")
    assert status == 303
    page = await clerk.meeting.get(f"{M}/konsole")
    assert "data-vote-blockers" in page.text
    assert f"Zu {ITEM.number} nicht beschlussfähig (Befangenheit): 5" in page.text
