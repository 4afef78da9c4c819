"""Late arrivals during an open vote, against the real voting service: off by default (the
roll is fixed at opening); where the profile allows it, admitted or checked-in members are
added through voting's AmendRoll, conflicted members never."""

from __future__ import annotations

import uuid

from ratsraum_common import demo
from ratsraum_meeting.lobby import service as lobby
from ratsraum_meeting.meetings.service import get_meeting
from ratsraum_meeting.seed import body_id

BASE = f"/api/v1/meetings/{demo.MEETING_ID}"
ITEM = demo.AGENDA[3]  # Ö 4
BODY = body_id(demo.TENANT, demo.BODY_SHORT)
BY_NAME = {p.username: p for p in demo.PEOPLE if p.is_member}


async def _cast(meeting, issuer, poll_id: str, username: str):  # type: ignore[no-untyped-def]
    return await meeting.client.post(
        f"/api/v1/polls/{poll_id}/ballots", json={"choice": "yes"},
        headers={**issuer.person(username), "Idempotency-Key": uuid.uuid4().hex})


async def _allow_late_arrivals(meeting, issuer) -> None:  # type: ignore[no-untyped-def]
    answer = await meeting.client.put(
        f"/api/v1/bodies/{BODY}/rule-profile", headers=issuer.person("lange"),
        json={"preset": "NRW", "kind": "committee",
              "overrides": {"late_arrivals_join_open_votes": True}})
    assert answer.status_code == 200, answer.text
    assert answer.json()["effective"]["late_arrivals_join_open_votes"] is True


async def _roll_size(meeting, issuer, poll_id: str) -> int:  # type: ignore[no-untyped-def]
    got = await meeting.client.get(f"/api/v1/polls/{poll_id}", headers=issuer.person("richter"))
    return int(got.json()["roll_size"])


async def test_by_default_a_late_arrival_does_not_join_the_open_vote(
        start_meeting, voting_target, issuer) -> None:
    meeting = await start_meeting(voting_target)
    clerk = issuer.person("richter")
    profile = await meeting.client.get(f"/api/v1/bodies/{BODY}/rule-profile", headers=clerk)
    assert profile.json()["effective"]["late_arrivals_join_open_votes"] is False
    await meeting.open_and_attend(clerk, present=6)
    poll_id = (await meeting.client.post(f"{BASE}/agenda-items/{ITEM.id}/polls",
                                         json={"method": "open"}, headers=clerk)).json()["id"]
    checked = await meeting.client.post(f"{BASE}/check-in", headers=issuer.person("schmitz"))
    assert checked.status_code == 200, checked.text
    refused = await _cast(meeting, issuer, poll_id, "schmitz")
    assert refused.status_code == 403, refused.text
    assert await _roll_size(meeting, issuer, poll_id) == 6


async def test_where_allowed_admitted_and_checked_in_members_join_but_not_the_conflicted(
        start_meeting, voting_target, issuer) -> None:
    meeting = await start_meeting(voting_target)
    clerk = issuer.person("richter")
    await _allow_late_arrivals(meeting, issuer)
    wolf, braun = BY_NAME["wolf"], BY_NAME["braun"]
    declared = await meeting.client.post(
        f"{BASE}/agenda-items/{ITEM.id}/conflicts",
        json={"person_id": wolf.subject, "reason": "Verwandt mit dem Antragsteller"},
        headers=clerk)
    assert declared.status_code == 201, declared.text
    await meeting.open_and_attend(clerk, present=6)
    poll_id = (await meeting.client.post(f"{BASE}/agenda-items/{ITEM.id}/polls",
                                         json={"method": "open"}, headers=clerk)).json()["id"]
    assert await _roll_size(meeting, issuer, poll_id) == 6

    assert (await meeting.client.post(f"{BASE}/check-in",
                                      headers=issuer.person("klein"))).status_code == 200
    assert (await _cast(meeting, issuer, poll_id, "klein")).status_code == 201
    # Through the lobby: waiting, then admitted by the clerk.
    async with meeting.app.state.db.transaction(demo.TENANT) as session:
        found, _body = await get_meeting(session, meeting_id=demo.MEETING_ID)
        await lobby.request_join(session, meeting=found, person_id=braun.subject)
    admitted = await meeting.client.post(f"{BASE}/lobby/{braun.subject}/admit", headers=clerk)
    assert admitted.status_code == 200, admitted.text
    assert (await _cast(meeting, issuer, poll_id, "braun")).status_code == 201
    # A conflicted member arriving late is never put on the roll.
    assert (await meeting.client.post(f"{BASE}/check-in",
                                      headers=issuer.person("wolf"))).status_code == 200
    assert (await _cast(meeting, issuer, poll_id, "wolf")).status_code == 403
    assert await _roll_size(meeting, issuer, poll_id) == 8
    log = (await meeting.client.get(f"/api/v1/polls/{poll_id}/log", headers=clerk)).json()
    added = [e["data"]["added"] for e in log if e["kind"] == "roll_amended"]
    assert added == [BY_NAME["klein"].subject, braun.subject]
    assert all("Verspätet" in e["reason"] for e in log if e["kind"] == "roll_amended")
    closed = await meeting.client.post(f"/api/v1/polls/{poll_id}/close", headers=clerk)
    assert closed.json()["result"]["roll_size"] == 8


async def test_where_allowed_members_recorded_in_bulk_join_the_open_vote(
        start_meeting, voting_target, issuer) -> None:
    meeting = await start_meeting(voting_target)
    clerk = issuer.person("richter")
    await _allow_late_arrivals(meeting, issuer)
    await meeting.open_and_attend(clerk, present=6)
    poll_id = (await meeting.client.post(f"{BASE}/agenda-items/{ITEM.id}/polls",
                                         json={"method": "open"}, headers=clerk)).json()["id"]
    late = [BY_NAME["klein"], BY_NAME["braun"]]
    recorded = await meeting.client.put(
        f"{BASE}/attendance", headers=clerk,
        json=[{"person_id": p.subject, "presence": "in_room"} for p in late])
    assert recorded.status_code == 200, recorded.text
    assert await _roll_size(meeting, issuer, poll_id) == 8
    for person in late:
        assert (await _cast(meeting, issuer, poll_id, person.username)).status_code == 201
