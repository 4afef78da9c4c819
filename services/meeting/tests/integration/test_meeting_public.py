"""What the public gets: the snapshot event on JetStream and the gRPC backfill."""

from __future__ import annotations

import json

import grpc
import pytest
from nats.js.api import ConsumerConfig, DeliverPolicy

from ratsraum.meeting.v1 import public_pb2, public_pb2_grpc
from ratsraum_common import demo
from ratsraum_common.grpcutil import channel, error_reason
from ratsraum_common.limits import PUBLIC_MEETINGS_PAGE_MAX
from ratsraum_common.nats import connect
from ratsraum_meeting.meetings.models import Meeting

SUBJECT = f"ratsraum.{demo.TENANT}.meeting.public.meeting.updated"
CLOSED_PART = [i for i in demo.AGENDA if not i.public]


async def test_opening_publishes_the_public_snapshot(meeting, issuer, nats_url) -> None:
    nc = await connect(nats_url, name="test-portal")
    try:
        js = nc.jetstream()
        sub = await js.subscribe(SUBJECT, config=ConsumerConfig(
            deliver_policy=DeliverPolicy.NEW))
        await meeting.open_and_attend(issuer.person("richter"), present=6)
        running = None
        for _ in range(20):
            msg = await sub.next_msg(timeout=5)
            event = json.loads(msg.data)
            data = event["data"]
            if data["meeting"]["status"] == "running" and data["meeting"].get("present") == 6:
                running = (msg, event, data)
                break
        assert running is not None
        msg, event, data = running
        assert msg.subject == SUBJECT
        assert msg.headers
        assert msg.headers["Nats-Msg-Id"] == event["id"]
        assert event["tenant"] == demo.TENANT
        assert data["meeting"]["quorate"] is True
        numbers = [i["number"] for i in data["meeting"]["agenda"]]
        assert numbers == [i.number for i in demo.AGENDA if i.public]
        assert not any(i.title in msg.data.decode() for i in CLOSED_PART)
        assert int(data["version"]) >= 2  # seed, open, and each attendance change count up
    finally:
        await nc.close()


async def test_backfill_serves_the_same_public_view(meeting, issuer) -> None:
    await meeting.open_and_attend(issuer.person("richter"), present=3)
    port = meeting.app.state.grpc_port
    async with channel(f"127.0.0.1:{port}") as ch:
        stub = public_pb2_grpc.PublicMeetingServiceStub(ch)
        every = await stub.ListPublicMeetings(public_pb2.ListPublicMeetingsRequest(), timeout=5)
        assert [m.id for m in every.meetings] == [demo.MEETING_ID]
        one = await stub.GetPublicMeeting(public_pb2.GetPublicMeetingRequest(
            tenant=demo.TENANT, meeting_id=demo.MEETING_ID), timeout=5)
        assert (one.status, one.present, one.quorate, one.members) == ("running", 3, False, 11)
        assert one.tenant.name == demo.TENANT_NAME
        assert {i.id for i in one.agenda}.isdisjoint({i.id for i in CLOSED_PART})
        with pytest.raises(grpc.aio.AioRpcError) as missing:
            await stub.GetPublicMeeting(public_pb2.GetPublicMeetingRequest(
                tenant="hamm", meeting_id=demo.MEETING_ID), timeout=5)
        assert missing.value.code() == grpc.StatusCode.NOT_FOUND
        assert error_reason(missing.value) == "MEETING_NOT_FOUND"
        other = await stub.ListPublicMeetings(
            public_pb2.ListPublicMeetingsRequest(tenant="hamm"), timeout=5)
        assert list(other.meetings) == []


async def test_readiness_reports_each_dependency(meeting) -> None:
    ready = await meeting.client.get("/readyz")
    assert ready.status_code == 200
    assert set(ready.json()["checks"]) == {"database", "nats", "voting"}


async def test_the_backfill_list_comes_in_bounded_pages(meeting) -> None:
    db = meeting.app.state.db
    async with db.transaction(demo.TENANT) as session:
        seeded = await session.get(Meeting, demo.MEETING_ID)
        assert seeded is not None
        extra = [Meeting(id=f"{n:08d}-0000-4000-8000-000000000000", body_id=seeded.body_id,
                         title=f"Sitzung {n}", starts_at=seeded.starts_at,
                         tenant_id=demo.TENANT) for n in range(4)]
        session.add_all(extra)
    expected = sorted([demo.MEETING_ID, *(m.id for m in extra)])
    port = meeting.app.state.grpc_port
    async with channel(f"127.0.0.1:{port}") as ch:
        stub = public_pb2_grpc.PublicMeetingServiceStub(ch)
        seen, token, pages = [], "", 0
        while True:
            page = await stub.ListPublicMeetings(public_pb2.ListPublicMeetingsRequest(
                page_size=2, page_token=token), timeout=5)
            assert len(page.meetings) <= 2
            seen += [m.id for m in page.meetings]
            pages += 1
            token = page.next_page_token
            if not token:
                break
        assert seen == expected
        assert pages == 3
        with pytest.raises(grpc.aio.AioRpcError) as too_large:
            await stub.ListPublicMeetings(public_pb2.ListPublicMeetingsRequest(
                page_size=PUBLIC_MEETINGS_PAGE_MAX + 1), timeout=5)
        assert error_reason(too_large.value) == "PAGE_SIZE_TOO_LARGE"
        with pytest.raises(grpc.aio.AioRpcError) as forged:
            await stub.ListPublicMeetings(public_pb2.ListPublicMeetingsRequest(
                page_token="not-a-token"), timeout=5)
        assert forged.value.code() == grpc.StatusCode.INVALID_ARGUMENT
