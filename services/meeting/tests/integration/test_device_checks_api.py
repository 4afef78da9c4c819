"""Device checks: members report their own outcome, the clerk sees everyone's, and the
practice vote goes through the cast's checks without becoming a decision anywhere."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select

from ratsraum_common import demo
from ratsraum_meeting.polls.models import Poll

BASE = f"/api/v1/meetings/{demo.MEETING_ID}"
MEMBERS = [p for p in demo.PEOPLE if p.is_member]
BECKER, HOFFMANN = MEMBERS[1], MEMBERS[2]
OWN = f"{BASE}/device-checks/{BECKER.subject}"


def _problem(answer, status: int) -> dict:  # type: ignore[no-untyped-def]
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    body: dict = answer.json()
    return body


async def test_a_member_reports_their_check_and_the_clerk_sees_it(
    meeting, issuer, fake_voting
) -> None:
    becker, clerk = issuer.person(BECKER.username), issuer.person("richter")
    reported = await meeting.client.put(OWN, json={
        "camera": "working", "microphone": "no_signal", "connection_ms": 84}, headers=becker)
    assert reported.status_code == 200, reported.text
    assert reported.json()["camera"] == "working"
    key = {"Idempotency-Key": uuid.uuid4().hex}
    practice = await meeting.client.post(f"{OWN}/practice-vote", json={"choice": "yes"},
                                         headers={**becker, **key})
    assert practice.status_code == 201, practice.text
    assert practice.json()["practice"] is True
    assert practice.json()["replayed"] is False
    again = await meeting.client.post(f"{OWN}/practice-vote", json={"choice": "yes"},
                                      headers={**becker, **key})
    assert (again.status_code, again.json()["replayed"]) == (200, True)
    assert again.json()["practice_voted_at"] == practice.json()["practice_voted_at"]

    listed = await meeting.client.get(f"{BASE}/device-checks", headers=clerk)
    assert listed.status_code == 200, listed.text
    by_person = {row["person_id"]: row for row in listed.json()}
    assert len(by_person) == len(MEMBERS)
    own = by_person[BECKER.subject]
    assert (own["name"], own["camera"], own["microphone"], own["connection_ms"],
            own["practice_voted"]) == (BECKER.name, "working", "no_signal", 84, True)
    other = by_person[HOFFMANN.subject]
    assert (other["camera"], other["practice_voted"], other["checked_at"]) == (
        "not_checked", False, None)
    mine = await meeting.client.get(OWN, headers=becker)
    assert mine.json()["practice_voted"] is True

    # Never a decision: no poll in meeting, nothing sent to voting, nothing in the minutes.
    async with meeting.app.state.db.tenant_session(demo.TENANT) as session:
        assert await session.scalar(select(func.count()).select_from(Poll)) == 0
    assert fake_voting[0].polls == {}
    minutes = await meeting.client.get(f"{BASE}/minutes/html", headers=clerk)
    assert "Probe" not in minutes.text


async def test_only_the_own_check_and_only_in_the_own_town(meeting, issuer) -> None:
    becker, clerk = issuer.person(BECKER.username), issuer.person("richter")
    check = {"camera": "working", "microphone": "working", "connection_ms": 20}
    for_other = await meeting.client.put(f"{BASE}/device-checks/{HOFFMANN.subject}",
                                         json=check, headers=becker)
    assert "nur für sich selbst" in _problem(for_other, 403)["detail"]
    practice_other = await meeting.client.post(
        f"{BASE}/device-checks/{HOFFMANN.subject}/practice-vote", json={"choice": "yes"},
        headers={**becker, "Idempotency-Key": uuid.uuid4().hex})
    _problem(practice_other, 403)
    _problem(await meeting.client.get(f"{BASE}/device-checks/{HOFFMANN.subject}",
                                      headers=becker), 403)
    _problem(await meeting.client.get(f"{BASE}/device-checks", headers=becker), 403)
    # The clerk holds no seat: a clerk cannot report a check either.
    clerk_id = demo.subject_for(demo.TENANT, "richter")
    _problem(await meeting.client.put(f"{BASE}/device-checks/{clerk_id}", json=check,
                                      headers=clerk), 403)
    elsewhere = {"Authorization": "Bearer " + issuer.token(BECKER.subject, ["member"],
                                                            tenant="hamm")}
    _problem(await meeting.client.put(OWN, json=check, headers=elsewhere), 404)
    staff_elsewhere = {"Authorization": "Bearer " + issuer.token(clerk_id, ["clerk"],
                                                                  tenant="hamm")}
    _problem(await meeting.client.get(f"{BASE}/device-checks", headers=staff_elsewhere), 404)
    # What a member of another town might have reported is not seen here.
    listed = (await meeting.client.get(f"{BASE}/device-checks", headers=clerk)).json()
    assert all(row["checked_at"] is None for row in listed)


async def test_bad_input_is_refused_with_a_problem(meeting, issuer) -> None:
    becker = issuer.person(BECKER.username)
    for body in ({"camera": "great", "microphone": "working"},
                 {"camera": "working", "microphone": "working", "connection_ms": -1},
                 {"camera": "working", "microphone": "working", "video": "frame"},
                 {}):
        _problem(await meeting.client.put(OWN, json=body, headers=becker), 422)
    key = {"Idempotency-Key": uuid.uuid4().hex}
    no_such = await meeting.client.post(f"{OWN}/practice-vote", json={"choice": "maybe"},
                                        headers={**becker, **key})
    assert "maybe" in _problem(no_such, 422)["detail"]
    _problem(await meeting.client.post(f"{OWN}/practice-vote", json={"choice": "yes"},
                                       headers=becker), 400)
    _problem(await meeting.client.post(f"{OWN}/practice-vote", json={"choice": "yes"},
                                       headers={**becker, "Idempotency-Key": "short"}), 400)
    _problem(await meeting.client.put(f"{BASE.replace(demo.MEETING_ID, 'nope')}"
                                      f"/device-checks/{BECKER.subject}",
                                      json={"camera": "working", "microphone": "working"},
                                      headers=becker), 404)
    listed = (await meeting.client.get(f"{BASE}/device-checks",
                                       headers=issuer.person("richter"))).json()
    assert all(not row["practice_voted"] for row in listed)
