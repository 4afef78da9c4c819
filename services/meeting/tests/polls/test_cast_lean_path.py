"""The lean cast path answers exactly as the documented route does, and only valid casts."""

from __future__ import annotations

import uuid

from ratsraum_common import demo

BASE = f"/api/v1/meetings/{demo.MEETING_ID}"
POLLS = f"{BASE}/agenda-items/{demo.AGENDA[2].id}/polls"
MEMBERS = [p for p in demo.PEOPLE if p.is_member]


async def _open_poll(meeting, issuer) -> str:
    clerk = issuer.person("richter")
    await meeting.open_and_attend(clerk, present=6)
    response = await meeting.client.post(POLLS, json={"method": "open"}, headers=clerk)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


async def test_a_lean_cast_answers_as_the_route_does(meeting, issuer) -> None:
    poll_id = await _open_poll(meeting, issuer)
    url = f"/api/v1/polls/{poll_id}/ballots"
    lean = await meeting.client.post(url, json={"choice": "yes"}, headers={
        **issuer.person(MEMBERS[0].username), "Idempotency-Key": uuid.uuid4().hex})
    # A JSON media type other than application/json is the route's alone.
    routed = await meeting.client.post(url, content=b'{"choice": "yes"}', headers={
        **issuer.person(MEMBERS[1].username), "Idempotency-Key": uuid.uuid4().hex,
        "Content-Type": "application/vnd.ratsraum+json"})
    assert (lean.status_code, routed.status_code) == (201, 201)
    assert [k for k, _ in lean.headers.raw if k != b"x-request-id"] == [
        k for k, _ in routed.headers.raw if k != b"x-request-id"]
    assert lean.headers["content-type"] == routed.headers["content-type"]
    assert list(lean.json()) == list(routed.json()) == ["ballot_id", "replayed", "ballots_cast"]
    assert len(lean.content) == len(routed.content)  # same compact JSON, same-sized ids
    metrics = (await meeting.client.get("/metrics")).text
    assert 'route="/api/v1/polls/{poll_id}/ballots",status="201"} 2.0' in metrics


async def test_invalid_casts_get_the_routes_own_problems(meeting, issuer) -> None:
    poll_id = await _open_poll(meeting, issuer)
    url = f"/api/v1/polls/{poll_id}/ballots"
    member = issuer.person(MEMBERS[0].username)
    key = {"Idempotency-Key": uuid.uuid4().hex}
    no_token = await meeting.client.post(url, json={"choice": "yes"}, headers=key)
    assert no_token.status_code == 401
    clerk = await meeting.client.post(url, json={"choice": "yes"},
                                      headers={**issuer.person("richter"), **key})
    assert clerk.status_code == 403
    no_key = await meeting.client.post(url, json={"choice": "yes"}, headers=member)
    assert no_key.status_code == 400
    assert no_key.json()["type"].endswith("/idempotency-key-required")
    bad_choice = await meeting.client.post(url, json={"choice": "ja nein"},
                                           headers={**member, **key})
    assert bad_choice.status_code == 422
    assert bad_choice.json()["errors"]
    broken = await meeting.client.post(url, content=b'{"choice": ', headers={
        **member, **key, "Content-Type": "application/json"})
    assert broken.status_code == 422
    unknown = await meeting.client.post(f"/api/v1/polls/{uuid.uuid4()}/ballots",
                                        json={"choice": "yes"}, headers={**member, **key})
    assert unknown.status_code == 404
    assert unknown.headers["content-type"] == "application/problem+json"
