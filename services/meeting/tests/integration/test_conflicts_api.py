"""Conflicts of interest: declared per item, off the roll and the item's quorum, listed."""

from __future__ import annotations

import uuid

from ratsraum_common import demo

BASE = f"/api/v1/meetings/{demo.MEETING_ID}"
ITEM = demo.AGENDA[2]  # Ö 3, public and votable
ITEM_URL = f"{BASE}/agenda-items/{ITEM.id}"
MEMBERS = [p for p in demo.PEOPLE if p.is_member]


async def test_conflicted_members_leave_the_item_quorum_and_the_roll(
    meeting, issuer, fake_voting
) -> None:
    clerk = issuer.person("richter")
    await meeting.open_and_attend(clerk, present=7)
    becker, hoffmann = MEMBERS[1], MEMBERS[2]
    own = await meeting.client.post(f"{ITEM_URL}/conflicts", json={"reason": "Auftragnehmer"},
                                    headers=issuer.person(becker.username))
    assert own.status_code == 201, own.text
    assert own.json() | {"declared_at": ""} == {
        "agenda_item_id": ITEM.id, "person_id": becker.subject, "name": becker.name,
        "reason": "Auftragnehmer", "declared_by": becker.subject, "declared_at": "",
        "recorded_by_clerk": False}
    item_quorum = (await meeting.client.get(f"{BASE}/quorum", params={
        "agenda_item_id": ITEM.id}, headers=clerk)).json()
    assert (item_quorum["present"], item_quorum["quorate"]) == (6, True)
    assert "ohne 1 befangene" in item_quorum["explanation"]
    whole = (await meeting.client.get(f"{BASE}/quorum", headers=clerk)).json()
    assert whole["present"] == 7
    by_clerk = await meeting.client.post(f"{ITEM_URL}/conflicts",
                                         json={"person_id": hoffmann.subject}, headers=clerk)
    assert by_clerk.json()["recorded_by_clerk"] is True
    assert by_clerk.json()["declared_by"] == demo.subject_for(demo.TENANT, "richter")
    refused = await meeting.client.post(f"{ITEM_URL}/polls", json={"method": "open"},
                                        headers=clerk)
    assert refused.status_code == 409
    assert "nicht beschlussfähig: 5 von 11" in refused.json()["detail"]
    assert "ohne 2 befangene" in refused.json()["detail"]
    withdrawn = await meeting.client.delete(f"{ITEM_URL}/conflicts/{hoffmann.subject}",
                                            headers=clerk)
    assert withdrawn.status_code == 204
    listed = (await meeting.client.get(f"{ITEM_URL}/conflicts", headers=clerk)).json()
    assert [c["person_id"] for c in listed] == [becker.subject]
    opened = await meeting.client.post(f"{ITEM_URL}/polls", json={"method": "open"},
                                       headers=clerk)
    assert opened.status_code == 201, opened.text
    poll_id = opened.json()["id"]
    assert opened.json()["roll_size"] == 6
    roll = fake_voting[0].polls[(demo.TENANT, poll_id)].roll
    assert becker.subject not in roll
    assert hoffmann.subject in roll
    cast = await meeting.client.post(
        f"/api/v1/polls/{poll_id}/ballots", json={"choice": "yes"},
        headers={**issuer.person(becker.username), "Idempotency-Key": uuid.uuid4().hex})
    assert cast.status_code == 403
    too_late = await meeting.client.delete(f"{ITEM_URL}/conflicts/{becker.subject}",
                                           headers=issuer.person(becker.username))
    assert too_late.status_code == 409
    assert "nicht mehr zurückgezogen" in too_late.json()["detail"]
    during = await meeting.client.post(f"{ITEM_URL}/conflicts", json={},
                                       headers=issuer.person(MEMBERS[3].username))
    assert during.status_code == 409
    assert "läuft bereits eine Abstimmung" in during.json()["detail"]


async def test_members_declare_only_for_themselves_and_only_in_their_town(
    meeting, issuer
) -> None:
    clerk = issuer.person("richter")
    await meeting.open_and_attend(clerk, present=6)
    becker = issuer.person(MEMBERS[1].username)
    for_other = await meeting.client.post(f"{ITEM_URL}/conflicts",
                                          json={"person_id": MEMBERS[2].subject},
                                          headers=becker)
    assert for_other.status_code == 403
    assert for_other.headers["content-type"] == "application/problem+json"
    assert "nur ihre eigene Befangenheit" in for_other.json()["detail"]
    not_a_member = await meeting.client.post(
        f"{ITEM_URL}/conflicts", json={"person_id": demo.subject_for(demo.TENANT, "lange")},
        headers=clerk)
    assert not_a_member.status_code == 404
    assert (await meeting.client.post(f"{ITEM_URL}/conflicts", json={},
                                      headers=becker)).status_code == 201
    twice = await meeting.client.post(f"{ITEM_URL}/conflicts", json={}, headers=becker)
    assert twice.status_code == 409
    others = await meeting.client.delete(f"{ITEM_URL}/conflicts/{MEMBERS[1].subject}",
                                         headers=issuer.person(MEMBERS[2].username))
    assert others.status_code == 403
    none = await meeting.client.delete(f"{ITEM_URL}/conflicts/{MEMBERS[2].subject}",
                                       headers=clerk)
    assert none.status_code == 404
    elsewhere = {"Authorization": "Bearer " + issuer.token(MEMBERS[1].subject, ["member"],
                                                            tenant="hamm")}
    assert (await meeting.client.post(f"{ITEM_URL}/conflicts", json={},
                                      headers=elsewhere)).status_code == 404
    assert (await meeting.client.get(f"{ITEM_URL}/conflicts",
                                     headers=elsewhere)).status_code == 404
    unknown_item = await meeting.client.get(f"{BASE}/agenda-items/nope/conflicts",
                                            headers=clerk)
    assert unknown_item.status_code == 404
    assert (await meeting.client.get(f"{BASE}/quorum", params={"agenda_item_id": "nope"},
                                     headers=clerk)).status_code == 404
    # Withdrawn by the member before any vote: off the list, back in the count.
    assert (await meeting.client.delete(f"{ITEM_URL}/conflicts/{MEMBERS[1].subject}",
                                        headers=becker)).status_code == 204
    assert (await meeting.client.get(f"{ITEM_URL}/conflicts", headers=becker)).json() == []
