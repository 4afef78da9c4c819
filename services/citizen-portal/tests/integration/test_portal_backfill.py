"""Backfill from meeting's PublicMeetingService (a small in-test fake of that border)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import grpc

from ratsraum.meeting.v1 import public_pb2, public_pb2_grpc
from ratsraum_common.limits import (
    PUBLIC_MEETINGS_PAGE_DEFAULT,
    PUBLIC_MEETINGS_PAGE_MAX,
    PUBLIC_RECORDS_PAGE_DEFAULT,
    PUBLIC_RECORDS_PAGE_MAX,
)
from ratsraum_devstack.ports import free_port


class FakeMeeting(public_pb2_grpc.PublicMeetingServiceServicer):  # type: ignore[misc]
    """Answers from a dict of public meetings, and counts the calls it gets."""

    def __init__(self, meetings: list[public_pb2.PublicMeeting],
                 towns: list[public_pb2.PublicRecordsChanged] | None = None,
                 page_size: int = 5) -> None:
        self.meetings = {m.id: m for m in meetings}
        self.towns = towns or []
        self.get_calls = 0
        self.page_size = page_size  # fewer than asked, as meeting may answer
        self.pages_asked: list[int] = []
        self.record_pages_asked: list[int] = []

    async def ListPublicRecords(self, request: Any, context: Any) -> Any:
        # Pages of one town each, at most page_size records; the token is the page's number.
        self.record_pages_asked.append(request.page_size)
        size = min(request.page_size or PUBLIC_RECORDS_PAGE_DEFAULT, self.page_size)
        pages = []
        for town in self.towns:
            for start in range(0, len(town.records), size):
                page = public_pb2.PublicRecordsChanged()
                page.CopyFrom(town)
                del page.records[:]
                page.records.extend(town.records[start:start + size])
                pages.append(page)
        number = int(request.page_token or 0)
        more = number + 1 < len(pages)
        return public_pb2.ListPublicRecordsResponse(
            towns=pages[number:number + 1], next_page_token=str(number + 1) if more else "")

    async def ListPublicMeetings(self, request: Any, context: Any) -> Any:
        self.pages_asked.append(request.page_size)
        start = int(request.page_token or 0)
        size = min(request.page_size or PUBLIC_MEETINGS_PAGE_DEFAULT, self.page_size)
        ordered = sorted(self.meetings.values(), key=lambda m: (m.tenant.id, m.id))
        end = start + size
        return public_pb2.ListPublicMeetingsResponse(
            meetings=ordered[start:end], next_page_token=str(end) if end < len(ordered) else "")

    async def GetPublicMeeting(self, request: Any, context: Any) -> Any:
        self.get_calls += 1
        meeting = self.meetings.get(request.meeting_id)
        if meeting is None or meeting.tenant.id != request.tenant:
            await context.abort(grpc.StatusCode.NOT_FOUND, "no such public meeting")
        return meeting


async def serve_fake(fake: FakeMeeting, port: int = 0) -> tuple[grpc.aio.Server, int]:
    """Start the fake on a port (0: one the server chooses, no race); returns it and the port."""
    server = grpc.aio.server()
    public_pb2_grpc.add_PublicMeetingServiceServicer_to_server(fake, server)
    port = server.add_insecure_port(f"127.0.0.1:{port}")
    await server.start()
    return server, port


async def test_backfill_waits_for_meeting_then_fills_the_read_model(
    start_portal: Any, database_url: str, new_meeting: Any, tenant: str
) -> None:
    meeting = new_meeting(title="Aus dem Backfill")
    port = free_port()
    async with start_portal(database_url, f"127.0.0.1:{port}") as portal:
        # Meeting starts after the portal: the portal is ready meanwhile and retries.
        ready = await portal.http.get("/readyz")
        assert ready.status_code == 200
        await asyncio.sleep(0.3)
        server, _ = await serve_fake(FakeMeeting([meeting]), port)
        try:
            stored = await portal.wait_for_meeting(tenant, meeting.id)
            assert stored["title"] == "Aus dem Backfill"
            page = await portal.http.get(f"/{tenant}/sitzungen/{meeting.id}")
            assert "Aus dem Backfill" in page.text
        finally:
            await server.stop(None)


async def test_backfill_brings_records_older_than_the_stream(
    start_portal: Any, database_url: str, new_meeting: Any, tenant: str
) -> None:
    meeting = new_meeting()
    town = public_pb2.PublicRecordsChanged(
        tenant=meeting.tenant, records=[public_pb2.PublicRecord(kind="person", id="anna")])
    town.records[0].data.update({"name": "Anna Becker"})
    town.changed_at.FromDatetime(datetime.now(UTC))
    server, port = await serve_fake(FakeMeeting([meeting], [town]))
    try:
        async with start_portal(database_url, f"127.0.0.1:{port}") as portal:
            for _ in range(200):
                person = await portal.http.get(f"/oparl/v1/{tenant}/persons/anna")
                if person.status_code == 200:
                    break
                await asyncio.sleep(0.05)
            assert person.json()["name"] == "Anna Becker"
            assert person.json()["id"].endswith(f"/oparl/v1/{tenant}/persons/anna")
    finally:
        await server.stop(None)


async def test_backfill_reads_every_page_each_bounded(
    start_portal: Any, sqlite_url: str, new_meeting: Any, tenant: str
) -> None:
    meetings = [new_meeting(title=f"Sitzung {n}") for n in range(12)]
    fake = FakeMeeting(meetings)
    server, port = await serve_fake(fake)
    try:
        async with start_portal(sqlite_url, f"127.0.0.1:{port}") as portal:
            for meeting in meetings:
                await portal.wait_for_meeting(tenant, meeting.id)
        assert len(fake.pages_asked) == 3  # 5 + 5 + 2
        assert all(0 < size <= PUBLIC_MEETINGS_PAGE_MAX for size in fake.pages_asked)
    finally:
        await server.stop(None)


def _town(tenant: str, names: list[str]) -> public_pb2.PublicRecordsChanged:
    town = public_pb2.PublicRecordsChanged(tenant=public_pb2.PublicTenant(
        id=tenant, name=f"Stadt {tenant}"))
    for number, name in enumerate(names):
        record = town.records.add(kind="person", id=f"p{number}")
        record.data.update({"name": name})
    town.changed_at.FromDatetime(datetime.now(UTC))
    return town


async def test_backfill_follows_every_page_of_records_one_town_each(
    start_portal: Any, sqlite_url: str, new_meeting: Any, tenant: str
) -> None:
    other = f"{tenant}-b"
    towns = [_town(tenant, [f"Person {n}" for n in range(5)]),
             _town(other, [f"Mensch {n}" for n in range(3)])]
    fake = FakeMeeting([new_meeting()], towns, page_size=2)  # pages of 2, 2, 1 and 2, 1
    server, port = await serve_fake(fake)
    try:
        async with start_portal(sqlite_url, f"127.0.0.1:{port}") as portal:
            for town, last in ((tenant, "p4"), (other, "p2")):
                for _ in range(200):
                    person = await portal.http.get(f"/oparl/v1/{town}/persons/{last}")
                    if person.status_code == 200:
                        break
                    await asyncio.sleep(0.05)
                assert person.status_code == 200, (town, person.text)
            for number in range(5):
                person = await portal.http.get(f"/oparl/v1/{tenant}/persons/p{number}")
                assert person.json()["name"] == f"Person {number}"
        assert len(fake.record_pages_asked) == 5
        assert all(0 < size <= PUBLIC_RECORDS_PAGE_MAX for size in fake.record_pages_asked)
    finally:
        await server.stop(None)


async def test_backfill_never_overwrites_a_newer_event(
    start_portal: Any, database_url: str, new_meeting: Any, publish: Any, tenant: str
) -> None:
    fresh = new_meeting(title="Aktueller Stand")
    old = new_meeting(fresh.id, title="Veralteter Stand")
    old.updated_at.FromDatetime(datetime.now(UTC) - timedelta(minutes=5))
    port = free_port()
    async with start_portal(database_url, f"127.0.0.1:{port}") as portal:
        await publish(fresh, 4)
        await portal.wait_for_meeting(tenant, fresh.id)
        fake = FakeMeeting([old, new_meeting(title="Nur im Backfill")])
        server, _ = await serve_fake(fake, port)
        try:
            marker_id = next(m for m in fake.meetings if m != fresh.id)
            await portal.wait_for_meeting(tenant, marker_id)
            stored = (await portal.http.get(f"/api/v1/{tenant}/meetings/{fresh.id}")).json()
            assert stored["title"] == "Aktueller Stand"
        finally:
            await server.stop(None)


async def test_an_unknown_meeting_is_404_from_the_read_model_without_asking_meeting(
    start_portal: Any, sqlite_url: str, new_meeting: Any, tenant: str
) -> None:
    later = new_meeting(title="Nur bei meeting")
    fake = FakeMeeting([])
    server, port = await serve_fake(fake)
    try:
        async with start_portal(sqlite_url, f"127.0.0.1:{port}") as portal:
            await asyncio.sleep(0.2)  # the startup backfill found nothing
            fake.meetings[later.id] = later  # no event yet: the portal does not know it
            for meeting_id in (later.id, "made-up-1", "made-up-2", "made-up-1"):
                page = await portal.http.get(f"/{tenant}/sitzungen/{meeting_id}",
                                             headers={"Accept": "text/html"})
                api = await portal.http.get(f"/api/v1/{tenant}/meetings/{meeting_id}")
                assert page.status_code == api.status_code == 404
            assert fake.get_calls == 0
    finally:
        await server.stop(None)


class _Recorder:
    """Stands in for the backfill's logger: which events at which level."""

    def __init__(self) -> None:
        self.lines: list[tuple[str, str]] = []

    def info(self, event: str, **_: object) -> None:
        self.lines.append(("info", event))

    def debug(self, event: str, **_: object) -> None:
        self.lines.append(("debug", event))


async def test_waiting_for_meeting_is_logged_at_info_once(
    sqlite_url: str, monkeypatch: Any
) -> None:
    from ratsraum_common.db import Database
    from ratsraum_portal.meetings import backfill

    recorder = _Recorder()
    monkeypatch.setattr(backfill, "log", recorder)
    db = Database(sqlite_url)
    client = backfill.MeetingClient(target=f"127.0.0.1:{free_port()}", timeout=0.2)
    task = asyncio.create_task(backfill.backfill_until_done(
        db=db, client=client, initial_backoff=0.01, max_backoff=0.02))
    try:
        for _ in range(200):
            if len(recorder.lines) >= 4:
                break
            await asyncio.sleep(0.05)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await client.close()
        await db.dispose()
    waiting = [level for level, event in recorder.lines if event == "portal.backfill_waiting"]
    assert len(waiting) >= 4
    assert waiting[0] == "info"
    assert set(waiting[1:]) == {"debug"}
