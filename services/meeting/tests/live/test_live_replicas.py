"""Between replicas: an update made in one reaches both, once each; a ticket works anywhere."""

from __future__ import annotations

import asyncio

import httpx

from ratsraum_common import demo
from ratsraum_common.nats import connect
from ratsraum_meeting import live_tickets
from ratsraum_meeting.live import LiveHub

BASE = f"/api/v1/meetings/{demo.MEETING_ID}"
MEMBER = next(p for p in demo.PEOPLE if p.is_member).subject


async def test_both_replicas_deliver_an_update_made_in_one(  # type: ignore[no-untyped-def]
        start_meeting, fake_voting, nats_url, issuer, serve, sse) -> None:
    first = await start_meeting(f"127.0.0.1:{fake_voting[1]}")
    second = await start_meeting(f"127.0.0.1:{fake_voting[1]}")
    # The second replica gets a hub of its own, as a separate process would have.
    nc = await connect(nats_url, name="meeting-replica-test")
    second.app.state.live_hub = LiveHub()
    await second.app.state.live_hub.attach(nc)
    clerk = issuer.person("richter")
    assert (await first.client.post(f"{BASE}/open", headers=clerk)).status_code == 200
    try:
        async with serve(first.app) as url_a, serve(second.app) as url_b, \
                httpx.AsyncClient() as http, \
                http.stream("GET", f"{url_a}{BASE}/live", headers=clerk) as stream_a, \
                http.stream("GET", f"{url_b}{BASE}/live", headers=clerk) as stream_b:
            events_a, events_b = sse(stream_a), sse(stream_b)
            assert (await events_a.next())[0] == (await events_b.next())[0] == "state"
            put = await http.put(f"{url_a}{BASE}/attendance/{MEMBER}", headers=clerk,
                                 json={"presence": "in_room"})
            assert put.status_code == 200, put.text
            for events in (events_a, events_b):
                connected = (await events.until("attendance"))["connected"]
                assert [c["person_id"] for c in connected] == [MEMBER]
                assert (await events.until("quorum"))["present"] == 1
            # The origin skips its own message from NATS: nothing arrives twice.
            assert await events_a.kinds(0.5) == []
            assert await events_b.kinds(0.1) == []
    finally:
        await second.app.state.live_hub.detach(nc)
        await nc.close()


async def test_a_ticket_issued_by_one_replica_is_redeemed_by_another_exactly_once(  # type: ignore[no-untyped-def]
        start_meeting, fake_voting, issuer, serve, sse) -> None:
    first = await start_meeting(f"127.0.0.1:{fake_voting[1]}")
    second = await start_meeting(f"127.0.0.1:{fake_voting[1]}")
    member = issuer.person("becker")
    issued = await first.client.post(f"{BASE}/live-ticket", headers=member)
    assert issued.status_code == 200, issued.text
    ticket = issued.json()["ticket"]
    async with serve(second.app) as url, httpx.AsyncClient(base_url=url) as http, \
            http.stream("GET", f"{BASE}/live", params={"ticket": ticket}) as stream:
        assert stream.status_code == 200
        kind, state = await sse(stream).next()
        assert (kind, state["meeting_id"]) == ("state", demo.MEETING_ID)
        assert "lobby" not in state  # the member's roles came along, not more
    used = await first.client.get(f"{BASE}/live", params={"ticket": ticket})
    assert used.status_code == 401

    # Two replicas racing for one ticket: exactly one gets the caller.
    principal = await first.app.state.token_verifier.verify(member["Authorization"].split()[1])
    raced = await live_tickets.issue(first.app.state.db, principal=principal,
                                     meeting_id=demo.MEETING_ID)
    outcomes = await asyncio.gather(
        *(live_tickets.redeem(app.state.db, raced, meeting_id=demo.MEETING_ID)
          for app in (first.app, second.app, first.app, second.app)),
        return_exceptions=True)
    winners = [o for o in outcomes if not isinstance(o, BaseException)]
    assert [w.subject for w in winners] == [principal.subject]
    assert all(isinstance(o, live_tickets.InvalidTicket) for o in outcomes if o not in winners)
