"""Live push over SSE: the first state, then lobby, admission, attendance, quorum and polls."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import httpx
from sqlalchemy import select

from ratsraum_common import demo
from ratsraum_meeting import live_tickets
from ratsraum_meeting.lobby import service as lobby
from ratsraum_meeting.meetings.service import get_meeting
from ratsraum_meeting.publish.push import push_lobby
from ratsraum_meeting.timeutil import now

BASE = f"/api/v1/meetings/{demo.MEETING_ID}"
BECKER = next(p for p in demo.PEOPLE if p.username == "becker").subject
MEMBERS = [p.subject for p in demo.PEOPLE if p.is_member]
ITEM = demo.AGENDA[2]  # Ö 3, public and votable


async def _wait_in_lobby(meeting, person_id: str) -> None:  # type: ignore[no-untyped-def]
    db = meeting.app.state.db
    async with db.transaction(demo.TENANT) as session:
        found, _body = await get_meeting(session, meeting_id=demo.MEETING_ID)
        await lobby.request_join(session, meeting=found, person_id=person_id)
    await push_lobby(db, tenant=demo.TENANT, meeting_id=demo.MEETING_ID)


async def test_clerk_follows_lobby_admission_attendance_quorum_and_poll(  # type: ignore[no-untyped-def]
        meeting, issuer, serve, sse) -> None:
    clerk = issuer.person("richter")
    assert (await meeting.client.post(f"{BASE}/open", headers=clerk)).status_code == 200
    async with serve(meeting.app) as url, httpx.AsyncClient(base_url=url) as http, \
            http.stream("GET", f"{BASE}/live", headers=clerk) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        events = sse(response)
        kind, state = await events.next()
        assert kind == "state"
        assert state["status"] == "running"
        assert state["lobby"] == []
        assert state["quorum"]["quorate"] is False
        assert state["connected"] == []

        await _wait_in_lobby(meeting, BECKER)
        assert [w["person_id"] for w in (await events.until("lobby"))["waiting"]] == [BECKER]
        admitted = await http.post(f"{BASE}/lobby/{BECKER}/admit", headers=clerk)
        assert admitted.status_code == 200, admitted.text
        assert (await events.until("admitted"))["person_id"] == BECKER
        assert (await events.until("lobby"))["waiting"] == []
        connected = (await events.until("attendance"))["connected"]
        assert [(c["person_id"], c["presence"]) for c in connected] == [(BECKER, "remote")]
        assert (await events.until("quorum"))["present"] == 1

        for person_id in [m for m in MEMBERS if m != BECKER][:5]:
            put = await http.put(f"{BASE}/attendance/{person_id}", headers=clerk,
                                 json={"presence": "in_room"})
            assert put.status_code == 200, put.text
        quorum = {"present": 0}
        while quorum["present"] < 6:
            quorum = await events.until("quorum")
        assert quorum["quorate"] is True

        opened = await http.post(f"{BASE}/agenda-items/{ITEM.id}/polls", headers=clerk,
                                 json={"method": "open"})
        assert opened.status_code == 201, opened.text
        poll = await events.until("poll")
        assert (poll["poll_id"], poll["state"]) == (opened.json()["id"], "open")


async def test_a_member_sees_no_lobby_and_a_ticket_works_once(  # type: ignore[no-untyped-def]
        meeting, issuer, serve, sse) -> None:
    member = issuer.person("becker")
    assert (await meeting.client.post(f"{BASE}/open",
                                      headers=issuer.person("richter"))).status_code == 200
    issued = await meeting.client.post(f"{BASE}/live-ticket", headers=member)
    assert issued.status_code == 200, issued.text
    ticket = issued.json()["ticket"]
    async with serve(meeting.app) as url, httpx.AsyncClient(base_url=url) as http:
        async with http.stream("GET", f"{BASE}/live", params={"ticket": ticket}) as response:
            assert response.status_code == 200
            events = sse(response)
            kind, state = await events.next()
            assert kind == "state"
            assert "lobby" not in state
            await _wait_in_lobby(meeting, MEMBERS[1])
            assert "lobby" not in await events.kinds(0.5)
        again = await http.get(f"{BASE}/live", params={"ticket": ticket})
        assert again.status_code == 401
        assert again.json()["type"].endswith("invalid-live-ticket")
        assert (await http.get(f"{BASE}/live")).status_code == 401


async def test_tickets_expire_and_belong_to_one_meeting(meeting, issuer) -> None:  # type: ignore[no-untyped-def]
    principal = await meeting.app.state.token_verifier.verify(
        issuer.person("becker")["Authorization"].split()[1])
    db = meeting.app.state.db
    expired = await live_tickets.issue(
        db, principal=principal, meeting_id=demo.MEETING_ID,
        at=now() - timedelta(seconds=live_tickets.TICKET_SECONDS + 1))
    refused = await meeting.client.get(f"{BASE}/live", params={"ticket": expired})
    assert refused.status_code == 401
    elsewhere = await live_tickets.issue(db, principal=principal, meeting_id="another-meeting")
    refused = await meeting.client.get(f"{BASE}/live", params={"ticket": elsewhere})
    assert refused.status_code == 401
    # Another town's name on a ticket of this town finds nothing there.
    fresh = await live_tickets.issue(db, principal=principal, meeting_id=demo.MEETING_ID)
    forged = "hamm" + fresh[fresh.index("."):]
    refused = await meeting.client.get(f"{BASE}/live", params={"ticket": forged})
    assert refused.status_code == 401
    assert (await meeting.client.get(f"{BASE}/live", params={"ticket": "garbage"})
            ).status_code == 401
    async with db.tenant_session(demo.TENANT) as session:
        stored = (await session.scalars(select(live_tickets.LiveTicket.token_hash))).all()
    secret = fresh.split(".", 1)[1]
    assert hashlib.sha256(secret.encode()).hexdigest() in stored  # kept only as a hash
    assert secret not in stored


async def test_streams_past_the_cap_get_503(meeting, issuer, serve) -> None:  # type: ignore[no-untyped-def]
    hub = meeting.app.state.live_hub
    cap, hub.max_streams = hub.max_streams, hub.streams
    try:
        refused = await meeting.client.get(f"{BASE}/live", headers=issuer.person("becker"))
        assert refused.status_code == 503
        assert refused.json()["type"].endswith("too-many-streams")
        assert "Verbindungen" in refused.json()["title"] + refused.json().get("detail", "")
    finally:
        hub.max_streams = cap
