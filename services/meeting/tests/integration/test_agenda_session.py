"""Agenda during the session: reorder, status, the current item, urgent items, live updates."""

from __future__ import annotations

import asyncio

from ratsraum_common import demo
from ratsraum_meeting import live

BASE = f"/api/v1/meetings/{demo.MEETING_ID}"
O2, O3, O4, N1 = demo.AGENDA[1], demo.AGENDA[2], demo.AGENDA[3], demo.AGENDA[6]


def _positions(agenda: dict) -> list[int]:
    return [i["position"] for i in agenda["items"]]


async def test_reorder_keeps_positions_contiguous_and_public_first(meeting, issuer) -> None:
    clerk, chair = issuer.person("richter"), issuer.person("schulte")
    moved = await meeting.client.post(f"{BASE}/agenda-items/{O4.id}/move",
                                      json={"position": 2}, headers=chair)
    assert moved.status_code == 200, moved.text
    items = moved.json()["items"]
    assert [i["number"] for i in items[:4]] == ["Ö 1", "Ö 4", "Ö 2", "Ö 3"]
    assert _positions(moved.json()) == list(range(1, len(demo.AGENDA) + 1))
    closed_first = await meeting.client.post(f"{BASE}/agenda-items/{N1.id}/move",
                                             json={"position": 1}, headers=clerk)
    assert closed_first.status_code == 422
    assert closed_first.headers["content-type"] == "application/problem+json"
    assert "Nichtöffentliche Punkte stehen nach den öffentlichen" in closed_first.json()["detail"]
    too_far = await meeting.client.post(f"{BASE}/agenda-items/{O2.id}/move",
                                        json={"position": 99}, headers=clerk)
    assert too_far.status_code == 422
    member = await meeting.client.post(f"{BASE}/agenda-items/{O2.id}/move",
                                       json={"position": 3}, headers=issuer.person("becker"))
    assert member.status_code == 403
    after = (await meeting.client.get(f"{BASE}/agenda", headers=issuer.person("becker"))).json()
    assert _positions(after) == list(range(1, len(demo.AGENDA) + 1))


async def test_calling_items_moves_the_current_item_and_notifies_live(meeting, issuer) -> None:
    clerk = issuer.person("richter")
    early = await meeting.client.post(f"{BASE}/agenda-items/{O2.id}/status",
                                      json={"status": "called"}, headers=clerk)
    assert early.status_code == 409
    assert "Die Sitzung läuft nicht" in early.json()["detail"]
    deferred_before = await meeting.client.post(f"{BASE}/agenda-items/{O4.id}/status",
                                                json={"status": "deferred"}, headers=clerk)
    assert deferred_before.status_code == 200, deferred_before.text
    assert (await meeting.client.post(f"{BASE}/open", headers=clerk)).status_code == 200
    async with live.hub().subscribe(demo.TENANT, demo.MEETING_ID) as queue:
        called = await meeting.client.post(f"{BASE}/agenda-items/{O2.id}/status",
                                           json={"status": "called"}, headers=clerk)
        assert called.status_code == 200, called.text
        update = await asyncio.wait_for(queue.get(), 2)
        while update.kind != "agenda":
            update = await asyncio.wait_for(queue.get(), 2)
        assert update.data["agenda_item_id"] == O2.id
        assert update.data["status"] == "called"
    assert called.json()["current"]["agenda_item_id"] == O2.id
    decided = await meeting.client.post(f"{BASE}/agenda-items/{O2.id}/status",
                                        json={"status": "decided"}, headers=clerk)
    assert decided.json()["current"] is None
    again = await meeting.client.post(f"{BASE}/agenda-items/{O2.id}/status",
                                      json={"status": "called"}, headers=clerk)
    assert again.status_code == 409
    assert "erledigt" in again.json()["detail"]
    await meeting.client.post(f"{BASE}/agenda-items/{O3.id}/status", json={"status": "called"},
                              headers=clerk)
    recalled = await meeting.client.post(f"{BASE}/agenda-items/{O4.id}/status",
                                         json={"status": "called"}, headers=clerk)
    body = recalled.json()
    assert body["current"]["agenda_item_id"] == O4.id
    status = {i["id"]: (i["status"], i["current"]) for i in body["items"]}
    assert status[O3.id] == ("called", False)
    assert status[O4.id] == ("called", True)
    assert sum(1 for i in body["items"] if i["current"]) == 1
    version = (await meeting.client.get(BASE, headers=clerk)).json()["version"]
    assert version >= 4  # opened, O2 called + decided, O3, O4 each published


async def test_urgent_item_by_clerk_only_while_running(meeting, issuer) -> None:
    clerk, chair = issuer.person("richter"), issuer.person("schulte")
    urgent = {"title": "Dringlichkeitsantrag: Sturmschäden", "reason": "Unwetter am Montag"}
    before = await meeting.client.post(f"{BASE}/agenda-items", json=urgent, headers=clerk)
    assert before.status_code == 409
    await meeting.client.post(f"{BASE}/open", headers=clerk)
    by_chair = await meeting.client.post(f"{BASE}/agenda-items", json=urgent, headers=chair)
    assert by_chair.status_code == 403
    added = await meeting.client.post(f"{BASE}/agenda-items", json=urgent, headers=clerk)
    assert added.status_code == 201, added.text
    assert (added.json()["number"], added.json()["position"]) == ("Ö 7", 7)
    agenda = (await meeting.client.get(f"{BASE}/agenda", headers=chair)).json()
    assert [i["number"] for i in agenda["items"]][6:] == ["Ö 7", "N 1", "N 2"]
    assert _positions(agenda) == list(range(1, len(demo.AGENDA) + 2))


async def test_another_towns_token_sees_no_agenda(meeting, issuer) -> None:
    stranger = {"Authorization": "Bearer " + issuer.token("x", ["clerk"], tenant="werl")}
    assert (await meeting.client.get(f"{BASE}/agenda", headers=stranger)).status_code == 404
    moved = await meeting.client.post(f"{BASE}/agenda-items/{O2.id}/move",
                                      json={"position": 3}, headers=stranger)
    assert moved.status_code == 404
