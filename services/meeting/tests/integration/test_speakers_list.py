"""Speakers list: requests, points of order first, the floor, speaking times, roles, live."""

from __future__ import annotations

import asyncio

from ratsraum_common import demo
from ratsraum_meeting import live
from ratsraum_meeting.speakers.service import speeches

BASE = f"/api/v1/meetings/{demo.MEETING_ID}"
ITEM = demo.AGENDA[2]
URL = f"{BASE}/agenda-items/{ITEM.id}/speakers"
MEMBERS = [p for p in demo.PEOPLE if p.is_member]


async def test_points_of_order_first_chair_orders_and_gives_the_floor(meeting, issuer) -> None:
    clerk, chair = issuer.person("richter"), issuer.person("schulte")
    becker, hoffmann, yilmaz = (issuer.person(p.username) for p in MEMBERS[1:4])
    await meeting.client.post(f"{BASE}/open", headers=clerk)
    for who in (becker, hoffmann):
        answer = await meeting.client.post(URL, json={"device": "phone"}, headers=who)
        assert answer.status_code == 201, answer.text
    twice = await meeting.client.post(URL, json={}, headers=becker)
    assert twice.status_code == 409
    assert "bereits auf der Redeliste" in twice.json()["detail"]
    order = await meeting.client.post(URL, json={"kind": "order"}, headers=yilmaz)
    waiting = order.json()["waiting"]
    assert [w["person_id"] for w in waiting] == [MEMBERS[3].subject, MEMBERS[1].subject,
                                                 MEMBERS[2].subject]
    assert [w["position"] for w in waiting] == [1, 2, 3]
    moved = await meeting.client.post(f"{URL}/{waiting[2]['id']}/move", json={"position": 2},
                                      headers=chair)
    assert [w["person_id"] for w in moved.json()["waiting"]] == [
        MEMBERS[3].subject, MEMBERS[2].subject, MEMBERS[1].subject]
    limit = await meeting.client.put(f"{URL}/settings", json={"limit_seconds": 180},
                                     headers=chair)
    assert limit.json()["limit_seconds"] == 180
    first = await meeting.client.post(f"{URL}/next", headers=chair)
    speaking = first.json()["speaking"]
    assert (speaking["person_id"], speaking["kind"]) == (MEMBERS[3].subject, "order")
    assert 170 <= speaking["remaining_seconds"] <= 180
    second = await meeting.client.post(f"{URL}/next", headers=clerk)
    assert second.json()["speaking"]["person_id"] == MEMBERS[2].subject
    assert [d["person_id"] for d in second.json()["done"]] == [MEMBERS[3].subject]
    ended = await meeting.client.post(f"{URL}/end", headers=chair)
    assert ended.json()["speaking"] is None
    assert ended.json()["done"][1]["seconds"] >= 0
    nobody = await meeting.client.post(f"{URL}/end", headers=chair)
    assert nobody.status_code == 409
    closed = await meeting.client.put(f"{URL}/settings", json={"closed": True}, headers=chair)
    assert closed.json()["closed"] is True
    late = await meeting.client.post(URL, json={}, headers=issuer.person(MEMBERS[4].username))
    assert late.status_code == 409
    assert "geschlossen" in late.json()["detail"]
    async with meeting.app.state.db.tenant_session(demo.TENANT) as session:
        logged = await speeches(session, meeting_id=demo.MEETING_ID)
    assert [(s.person_id, s.kind, s.number) for s in logged] == [
        (MEMBERS[3].subject, "order", ITEM.number), (MEMBERS[2].subject, "speech", ITEM.number)]


async def test_members_act_only_for_themselves(meeting, issuer) -> None:
    clerk = issuer.person("richter")
    becker, hoffmann = issuer.person(MEMBERS[1].username), issuer.person(MEMBERS[2].username)
    await meeting.client.post(f"{BASE}/open", headers=clerk)
    for_other = await meeting.client.post(URL, json={"person_id": MEMBERS[2].subject},
                                          headers=becker)
    assert for_other.status_code == 403
    assert for_other.headers["content-type"] == "application/problem+json"
    own = await meeting.client.post(URL, json={}, headers=becker)
    request_id = own.json()["waiting"][0]["id"]
    assert (await meeting.client.post(f"{URL}/next", headers=becker)).status_code == 403
    assert (await meeting.client.post(f"{URL}/{request_id}/move", json={"position": 1},
                                      headers=becker)).status_code == 403
    not_theirs = await meeting.client.delete(f"{URL}/{request_id}", headers=hoffmann)
    assert not_theirs.status_code == 403
    recorded = await meeting.client.post(URL, json={"person_id": MEMBERS[2].subject},
                                         headers=clerk)
    assert recorded.status_code == 201
    listed = (await meeting.client.get(URL, headers=hoffmann)).json()
    assert [w["person_id"] for w in listed["waiting"]] == [MEMBERS[1].subject,
                                                          MEMBERS[2].subject]
    async with live.hub().subscribe(demo.TENANT, demo.MEETING_ID) as queue:
        withdrawn = await meeting.client.delete(f"{URL}/{request_id}", headers=becker)
        assert withdrawn.status_code == 204
        update = await asyncio.wait_for(queue.get(), 2)
        while update.kind != "speakers":
            update = await asyncio.wait_for(queue.get(), 2)
    assert update.data == {"agenda_item_id": ITEM.id, "change": "withdrawn"}
    after = (await meeting.client.get(URL, headers=hoffmann)).json()
    assert [(w["person_id"], w["position"]) for w in after["waiting"]] == [
        (MEMBERS[2].subject, 1)]


async def test_another_towns_token_gets_404(meeting, issuer) -> None:
    stranger = {"Authorization": "Bearer " + issuer.token("x", ["chair", "member"],
                                                          tenant="werl")}
    assert (await meeting.client.get(URL, headers=stranger)).status_code == 404
    assert (await meeting.client.post(URL, json={}, headers=stranger)).status_code == 404
    assert (await meeting.client.post(f"{URL}/next", headers=stranger)).status_code == 404
