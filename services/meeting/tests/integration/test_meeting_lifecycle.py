"""A meeting from start to end: start time, the current item in the public snapshot (never a
closed-part one), and closing, which is refused while a vote is open and records the end."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from nats.js.api import ConsumerConfig, DeliverPolicy

from ratsraum.meeting.v1 import public_pb2, public_pb2_grpc
from ratsraum_common import demo
from ratsraum_common.grpcutil import channel
from ratsraum_common.nats import connect

BASE = f"/api/v1/meetings/{demo.MEETING_ID}"
SUBJECT = f"ratsraum.{demo.TENANT}.meeting.public.meeting.updated"
PUBLIC_ITEM, CLOSED_ITEM = demo.AGENDA[2], demo.AGENDA[6]  # Ö 3, N 1


class Portal:
    """Reads the public snapshot events as the citizen portal would."""

    def __init__(self, sub: Any) -> None:
        self.sub = sub

    async def until(self, check: Any, tries: int = 30) -> tuple[dict[str, Any], bytes]:
        """The first event (data, raw bytes) whose meeting passes the check."""
        for _ in range(tries):
            msg = await self.sub.next_msg(timeout=5)
            data = json.loads(msg.data)["data"]
            if check(data["meeting"]):
                return data["meeting"], bytes(msg.data)
        raise AssertionError("no matching public snapshot")


@pytest.fixture
async def portal(nats_url: str) -> AsyncIterator[Portal]:
    """A subscriber to the meeting's public events from now on."""
    nc = await connect(nats_url, name="test-portal")
    sub = await nc.jetstream().subscribe(SUBJECT, config=ConsumerConfig(
        deliver_policy=DeliverPolicy.NEW))
    yield Portal(sub)
    await nc.close()


async def _call(meeting, clerk, item: demo.DemoAgendaItem) -> None:  # type: ignore[no-untyped-def]
    answer = await meeting.client.post(f"{BASE}/agenda-items/{item.id}/status",
                                       json={"status": "called"}, headers=clerk)
    assert answer.status_code == 200, answer.text


async def _backfill(meeting) -> public_pb2.PublicMeeting:  # type: ignore[no-untyped-def]
    async with channel(f"127.0.0.1:{meeting.app.state.grpc_port}") as ch:
        stub = public_pb2_grpc.PublicMeetingServiceStub(ch)
        return await stub.GetPublicMeeting(public_pb2.GetPublicMeetingRequest(
            tenant=demo.TENANT, meeting_id=demo.MEETING_ID), timeout=5)


async def test_start_current_item_and_end_of_a_meeting(meeting, issuer, portal) -> None:
    clerk, chair = issuer.person("richter"), issuer.person("schulte")
    early = await meeting.client.post(f"{BASE}/close", headers=chair)
    assert early.status_code == 409
    assert "noch nicht eröffnet" in early.json()["detail"]
    await meeting.open_and_attend(clerk, present=6)
    started = (await meeting.client.get(BASE, headers=clerk)).json()
    assert started["started_at"] is not None
    assert started["ended_at"] is None
    assert (await meeting.client.post(f"{BASE}/open", headers=clerk)).json()["started_at"] == (
        started["started_at"])  # opening again keeps the recorded start

    await _call(meeting, clerk, PUBLIC_ITEM)
    snapshot, _raw = await portal.until(lambda m: m.get("current_item_id"))
    assert snapshot["current_item_id"] == PUBLIC_ITEM.id
    assert (await _backfill(meeting)).current_item_id == PUBLIC_ITEM.id
    # The closed part: the public learns that no public item is current, never which one is.
    await _call(meeting, clerk, CLOSED_ITEM)
    snapshot, raw = await portal.until(lambda m: not m.get("current_item_id"))
    assert CLOSED_ITEM.id.encode() not in raw
    assert CLOSED_ITEM.title.encode() not in raw
    assert (await _backfill(meeting)).current_item_id == ""

    poll = await meeting.client.post(f"{BASE}/agenda-items/{demo.AGENDA[3].id}/polls",
                                     json={"method": "open"}, headers=clerk)
    assert poll.status_code == 201, poll.text
    refused = await meeting.client.post(f"{BASE}/close", headers=chair)
    assert refused.status_code == 409
    assert refused.headers["content-type"] == "application/problem+json"
    assert "Ö 4" in refused.json()["detail"]
    assert (await meeting.client.post(f"/api/v1/polls/{poll.json()['id']}/close",
                                      headers=clerk)).status_code == 200
    member = await meeting.client.post(f"{BASE}/close", headers=issuer.person("becker"))
    assert member.status_code == 403
    closed = await meeting.client.post(f"{BASE}/close", headers=clerk)
    assert closed.status_code == 200, closed.text
    assert closed.json()["status"] == "closed"
    assert closed.json()["ended_at"] is not None
    assert closed.json()["started_at"] == started["started_at"]
    snapshot, _raw = await portal.until(lambda m: m["status"] == "closed")
    assert not snapshot.get("current_item_id")
    again = await meeting.client.post(f"{BASE}/close", headers=chair)
    assert again.status_code == 200
    assert again.json()["ended_at"] == closed.json()["ended_at"]
    after = await meeting.client.put(f"{BASE}/attendance/{demo.PEOPLE[7].subject}",
                                     json={"presence": "in_room"}, headers=clerk)
    assert after.status_code == 409
    assert (await meeting.client.post(f"{BASE}/open", headers=clerk)).status_code == 409


async def test_an_interrupted_meeting_resumes_only_through_resume(meeting, issuer) -> None:
    clerk, chair = issuer.person("richter"), issuer.person("schulte")
    await meeting.open_and_attend(clerk, present=6)
    assert (await meeting.client.post(f"{BASE}/interrupt", json={"reason": "Stromausfall"},
                                      headers=chair)).status_code == 200
    reopened = await meeting.client.post(f"{BASE}/open", headers=clerk)
    assert reopened.status_code == 409
    assert "Fortsetzen" in reopened.json()["detail"]
    # The chair may also end an interrupted session that cannot go on.
    ended = await meeting.client.post(f"{BASE}/close", headers=chair)
    assert ended.status_code == 200, ended.text
    assert ended.json()["status"] == "closed"
