"""The broadcaster's routing and memory, and the check that only public updates pass."""

from __future__ import annotations

import asyncio

from ratsraum.meeting.v1 import public_pb2
from ratsraum_common.events import make_envelope
from ratsraum_portal.config import Settings
from ratsraum_portal.events import decode_public_update
from ratsraum_portal.live.broadcaster import Broadcaster, Snapshot


async def test_subscribers_get_their_meeting_only_and_never_an_older_version() -> None:
    hub = Broadcaster()
    with hub.subscribe(tenant="soest", meeting_id="m1") as mine, \
            hub.subscribe(tenant="soest", meeting_id="m2") as other:
        assert hub.clients == 2
        assert hub.publish(tenant="soest", meeting_id="m1", snapshot=Snapshot(2, {"v": 2})) == 1
        assert hub.publish(tenant="soest", meeting_id="m1", snapshot=Snapshot(1, {"v": 1})) == 0
        assert (await asyncio.wait_for(mine.next(), 1)) == Snapshot(2, {"v": 2})
        assert other._queue.empty()
    assert hub.clients == 0
    assert hub.latest(tenant="soest", meeting_id="m1") == Snapshot(2, {"v": 2})


async def test_slow_reader_keeps_the_newest_and_close_ends_streams() -> None:
    hub = Broadcaster()
    with hub.subscribe(tenant="soest", meeting_id="m1") as sub:
        for version in range(1, 20):
            hub.publish(tenant="soest", meeting_id="m1", snapshot=Snapshot(version, {}))
        received = [(await sub.next()) for _ in range(4)]
        assert received[-1] == Snapshot(19, {})
        hub.close()
        assert await sub.next() is None


def test_memory_is_bounded() -> None:
    hub = Broadcaster(remembered=2)
    for n in range(3):
        hub.publish(tenant="soest", meeting_id=f"m{n}", snapshot=Snapshot(1, {}))
    assert hub.latest(tenant="soest", meeting_id="m0") is None
    assert hub.latest(tenant="soest", meeting_id="m2") is not None


def _envelope(payload_tenant: str = "soest"):  # type: ignore[no-untyped-def]
    meeting = public_pb2.PublicMeeting(id="m1", tenant=public_pb2.PublicTenant(id=payload_tenant))
    return make_envelope(
        tenant="soest", service="meeting", event="public.meeting.updated",
        payload=public_pb2.PublicMeetingUpdated(meeting=meeting, version=3), traceparent=None,
    )


def test_only_public_updates_of_the_envelopes_own_town_pass() -> None:
    subject, envelope = _envelope()
    assert subject == "ratsraum.soest.meeting.public.meeting.updated"
    update = decode_public_update(envelope, subject=subject)
    assert update is not None
    assert update.version == 3
    assert decode_public_update(envelope, subject="ratsraum.soest.meeting.closed.x") is None
    other_town = "ratsraum.other.meeting.public.meeting.updated"
    assert decode_public_update(envelope, subject=other_town) is None
    _, foreign = _envelope(payload_tenant="other")
    assert decode_public_update(foreign, subject=subject) is None


def test_settings_defaults_follow_the_port(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("PORTAL_HTTP_PORT", "9090")
    settings = Settings()
    assert settings.public_base_url == "http://127.0.0.1:9090"
    assert settings.meeting_grpc_target == "127.0.0.1:50052"
    assert settings.database().endswith("portal.sqlite3")
    assert Settings(http_port=8080).public_base_url == "http://127.0.0.1:8080"


async def test_each_snapshot_is_encoded_once_as_the_sse_event_every_viewer_gets() -> None:
    hub = Broadcaster()
    snapshot = Snapshot(7, {"title": "Haushalt 2027", "result": {"yes": 6, "no": 3}})
    with hub.subscribe(tenant="soest", meeting_id="m1") as first, \
            hub.subscribe(tenant="soest", meeting_id="m1") as second:
        assert hub.publish(tenant="soest", meeting_id="m1", snapshot=snapshot) == 2
        got = [await asyncio.wait_for(sub.next(), 1) for sub in (first, second)]
    assert got[0] is got[1] is snapshot
    frame = snapshot.frame
    assert snapshot.frame is frame, "the bytes are built once, then shared"
    lines = frame.decode().split("\r\n")
    assert lines[:3] == ["id: 7", "event: meeting",
                         'data: {"title":"Haushalt 2027","result":{"yes":6,"no":3}}']
    assert frame.endswith(b"\r\n\r\n")
