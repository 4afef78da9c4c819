"""The device check page without JavaScript: the practice vote posts as a form and counts as
practice only; the clerk's console lists each member's outcome."""

from __future__ import annotations

import re

from signin_kit import MEETING, WebStack

from ratsraum_common import demo

BASE = f"/sitzungen/{demo.MEETING_ID}"


def _field(html: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]+)"', html)
    assert found, f"no {name} field"
    return found.group(1)


def _row(html: str, person_id: str) -> str:
    found = re.search(rf'data-device-person="{person_id}">(.*?)</tr>', html, re.S)
    assert found, "no row for the member"
    return found.group(1)


async def test_a_practice_vote_form_is_practice_only_and_the_clerk_sees_it(web: WebStack) -> None:
    member, clerk = web.browser(), web.browser()
    await member.sign_in("becker", web.passwords["becker"])
    meeting_page = await member.go(f"{MEETING}{BASE}")
    assert f'href="{BASE}/geraetetest"' in meeting_page.text
    page = await member.go(f"{MEETING}{BASE}/geraetetest")
    assert page.status_code == 200
    assert "Gerätetest" in page.text
    assert page.text.count('name="choice"') == 3  # yes, no, abstain (NRW)
    assert 'data-device-result="practice" data-state="not_checked"' in page.text
    form = {"csrf_token": _field(page.text, "csrf_token"), "choice": "no",
            "idempotency_key": _field(page.text, "idempotency_key")}
    for _ in range(2):  # a resubmitted form is answered as the same practice vote
        done = await member.go(f"{MEETING}{BASE}/geraetetest/probeabstimmung", method="POST",
                               data=form, headers={"Origin": MEETING})
        assert done.status_code == 200
        assert "Ihre Stimme: Nein" in done.text
        assert "Sie zählt nicht" in done.text
        assert 'data-device-result="practice" data-state="working"' in done.text
    wrong = await member.go(f"{MEETING}{BASE}/geraetetest/probeabstimmung", method="POST",
                            data={**form, "choice": "maybe",
                                  "idempotency_key": "anotherkey123"},
                            headers={"Origin": MEETING})
    assert wrong.status_code == 422
    assert "maybe" in wrong.text

    becker = demo.subject_for(demo.TENANT, "becker")
    console = await clerk.sign_in("richter", web.passwords["richter"],
                                  start=f"{BASE}/konsole")
    assert console.status_code == 200
    row = _row(console.text, becker)
    assert "Markus Becker" in row
    assert "Geübt" in row
    assert "Nicht gemessen" in row
    assert (await member.go(f"{MEETING}{BASE}/konsole")).status_code == 403
