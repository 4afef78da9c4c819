"""The vote lifecycle against the real voting service: cancel, show of hands, election, re-run."""

from __future__ import annotations

import uuid

from ratsraum_common import demo

BASE = f"/api/v1/meetings/{demo.MEETING_ID}"
ITEM = demo.AGENDA[3]  # Ö 4
MEMBERS = [p for p in demo.PEOPLE if p.is_member]


async def _open(meeting, issuer, body: dict[str, object], kind: str = "polls") -> str:
    opened = await meeting.client.post(f"{BASE}/agenda-items/{ITEM.id}/{kind}", json=body,
                                       headers=issuer.person("richter"))
    assert opened.status_code == 201, opened.text
    return str(opened.json()["id"])


async def test_lifecycle_through_real_voting(start_meeting, voting_target, issuer) -> None:
    meeting = await start_meeting(voting_target)
    clerk, chair = issuer.person("richter"), issuer.person("schulte")
    await meeting.open_and_attend(clerk, present=7)
    poll_id = await _open(meeting, issuer, {"method": "open"})
    cancelled = await meeting.client.post(f"/api/v1/polls/{poll_id}/cancel",
                                          json={"reason": "Antrag zurückgezogen"}, headers=chair)
    assert cancelled.json()["state"] == "cancelled", cancelled.text
    poll_id = await _open(meeting, issuer, {"method": "open"})
    hands = await meeting.client.post(f"/api/v1/polls/{poll_id}/show-of-hands",
                                      json={"counts": {"yes": 5, "no": 1}}, headers=clerk)
    assert hands.status_code == 200, hands.text
    assert hands.json()["result"]["show_of_hands"] is True
    assert hands.json()["result"]["outcome"] == "accepted"
    candidates = [{"id": "c-meier", "name": "Meier"}, {"id": "c-kaya", "name": "Kaya"}]
    election_id = await _open(meeting, issuer, {"candidates": candidates}, kind="elections")
    for person, choice in zip(MEMBERS[:4], ["c-meier", "c-kaya"] * 2, strict=True):
        cast = await meeting.client.post(
            f"/api/v1/polls/{election_id}/ballots", json={"choice": choice},
            headers={**issuer.person(person.username), "Idempotency-Key": uuid.uuid4().hex})
        assert cast.status_code == 201, cast.text
    rerun = await meeting.client.post(f"/api/v1/polls/{election_id}/rerun",
                                      json={"reason": "Ton ausgefallen"}, headers=chair)
    assert rerun.status_code == 201, rerun.text
    new_id = rerun.json()["id"]
    for person, choice in zip(MEMBERS[:4], ["c-meier", "c-kaya"] * 2, strict=True):
        await meeting.client.post(
            f"/api/v1/polls/{new_id}/ballots", json={"choice": choice},
            headers={**issuer.person(person.username), "Idempotency-Key": uuid.uuid4().hex})
    first = await meeting.client.post(f"/api/v1/polls/{new_id}/close", headers=clerk)
    assert first.json()["result"]["election"]["status"] == "runoff", first.text
    runoff = await meeting.client.post(f"/api/v1/polls/{new_id}/runoff", headers=clerk)
    assert runoff.status_code == 201, runoff.text
    new_id = runoff.json()["id"]
    for person, choice in zip(MEMBERS[:4], ["c-meier", "c-kaya"] * 2, strict=True):
        await meeting.client.post(
            f"/api/v1/polls/{new_id}/ballots", json={"choice": choice},
            headers={**issuer.person(person.username), "Idempotency-Key": uuid.uuid4().hex})
    tied = await meeting.client.post(f"/api/v1/polls/{new_id}/close", headers=clerk)
    election = tied.json()["result"]["election"]
    assert election["status"] == "lot_pending", tied.text
    drawn = await meeting.client.post(f"/api/v1/polls/{new_id}/lot", headers=chair)
    assert drawn.status_code == 200, drawn.text
    election = drawn.json()["result"]["election"]
    assert election["lot_commitment"]
    assert election["lot_seed"]
    assert election["lot_drawn"][0] in {"c-meier", "c-kaya"}
