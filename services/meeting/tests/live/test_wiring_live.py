"""Changes that move quorum or what the public sees reach members' screens (SSE) and the
public snapshot: rule-profile changes, conflicts declared and withdrawn, agenda calls."""

from __future__ import annotations

import json

import httpx
from nats.js.api import ConsumerConfig, DeliverPolicy

from ratsraum_common import demo
from ratsraum_common.nats import connect
from ratsraum_meeting.seed import body_id

BASE = f"/api/v1/meetings/{demo.MEETING_ID}"
BODY = body_id(demo.TENANT, demo.BODY_SHORT)
SUBJECT = f"ratsraum.{demo.TENANT}.meeting.public.meeting.updated"
PUBLIC_ITEM, CLOSED_ITEM = demo.AGENDA[2], demo.AGENDA[6]  # Ö 3, N 1
BECKER = next(p for p in demo.PEOPLE if p.username == "becker")


async def _version(http: httpx.AsyncClient, clerk: dict[str, str]) -> int:
    return int((await http.get(BASE, headers=clerk)).json()["version"])


async def test_profile_change_reaches_screens_and_the_public(  # type: ignore[no-untyped-def]
        meeting, issuer, serve, sse, nats_url) -> None:
    clerk = issuer.person("richter")
    await meeting.open_and_attend(clerk, present=6)
    nc = await connect(nats_url, name="test-portal")
    try:
        sub = await nc.jetstream().subscribe(SUBJECT, config=ConsumerConfig(
            deliver_policy=DeliverPolicy.NEW))
        async with serve(meeting.app) as url, httpx.AsyncClient(base_url=url) as http, \
                http.stream("GET", f"{BASE}/live", headers=clerk) as response:
            events = sse(response)
            assert (await events.next())[0] == "state"
            before = await _version(http, clerk)
            changed = await http.put(f"/api/v1/bodies/{BODY}/rule-profile",
                                     headers=issuer.person("lange"),
                                     json={"preset": "BY", "kind": "committee", "overrides": {}})
            assert changed.status_code == 200, changed.text
            quorum = await events.until("quorum")
            while quorum["rule"] != "BY":  # a push of the attendance before may come first
                quorum = await events.until("quorum")
            assert "Art. 47" in quorum["explanation"]
            for _ in range(20):
                data = json.loads((await sub.next_msg(timeout=5)).data)["data"]
                if int(data["version"]) > before:
                    break
            else:
                raise AssertionError("no public snapshot after the profile change")
            assert data["meeting"]["status"] == "running"
    finally:
        await nc.close()


async def test_conflicts_push_the_item_quorum_and_publish_only_public_items(  # type: ignore[no-untyped-def]
        meeting, issuer, serve, sse) -> None:
    clerk, member = issuer.person("richter"), issuer.person("becker")
    await meeting.open_and_attend(clerk, present=6)  # becker among them
    async with serve(meeting.app) as url, httpx.AsyncClient(base_url=url) as http, \
            http.stream("GET", f"{BASE}/live", headers=member) as response:
        events = sse(response)
        assert (await events.next())[0] == "state"
        before = await _version(http, clerk)
        declared = await http.post(f"{BASE}/agenda-items/{PUBLIC_ITEM.id}/conflicts",
                                   json={"reason": "Mitglied im Vorstand"}, headers=member)
        assert declared.status_code == 201, declared.text
        pushed = await events.until("conflict")
        assert (pushed["agenda_item_id"], pushed["person_id"], pushed["change"]) == (
            PUBLIC_ITEM.id, BECKER.subject, "declared")
        # Without becker only five count for this item: not quorate under NRW (six needed).
        assert (pushed["quorum"]["present"], pushed["quorum"]["quorate"]) == (5, False)
        assert await _version(http, clerk) == before + 1
        withdrawn = await http.delete(f"{BASE}/agenda-items/{PUBLIC_ITEM.id}/conflicts/"
                                      f"{BECKER.subject}", headers=member)
        assert withdrawn.status_code == 204
        pushed = await events.until("conflict")
        assert (pushed["change"], pushed["quorum"]["quorate"]) == ("withdrawn", True)
        assert await _version(http, clerk) == before + 2
        # The closed part: screens learn of it, the public snapshot does not change.
        closed = await http.post(f"{BASE}/agenda-items/{CLOSED_ITEM.id}/conflicts",
                                 json={"reason": "Nachbargrundstück"}, headers=member)
        assert closed.status_code == 201, closed.text
        assert (await events.until("conflict"))["agenda_item_id"] == CLOSED_ITEM.id
        assert await _version(http, clerk) == before + 2


async def test_calling_a_closed_item_after_a_public_one_updates_the_public_view(  # type: ignore[no-untyped-def]
        meeting, issuer, serve, sse) -> None:
    clerk = issuer.person("richter")
    await meeting.open_and_attend(clerk, present=6)
    async with serve(meeting.app) as url, httpx.AsyncClient(base_url=url) as http, \
            http.stream("GET", f"{BASE}/live", headers=clerk) as response:
        events = sse(response)
        assert (await events.next())[0] == "state"
        for item in (PUBLIC_ITEM, CLOSED_ITEM):
            before = await _version(http, clerk)
            called = await http.post(f"{BASE}/agenda-items/{item.id}/status",
                                     json={"status": "called"}, headers=clerk)
            assert called.status_code == 200, called.text
            assert (await events.until("agenda"))["agenda_item_id"] == item.id
            # Both move the public current item (set, then cleared): both are published.
            assert await _version(http, clerk) == before + 1
