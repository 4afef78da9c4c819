"""Public master data leaves meeting as `public.records.changed` events, and only public data:
members but not their mail, papers and files but not those of a closed-part item, and what is
deleted or stops being public as a `deleted` record."""

from __future__ import annotations

import uuid
from typing import Any

import grpc
import pytest
from google.protobuf.json_format import MessageToDict  # type: ignore[import-untyped, unused-ignore]
from sqlalchemy import delete, select

from ratsraum.meeting.v1 import public_pb2, public_pb2_grpc
from ratsraum_common import demo
from ratsraum_common.events import Envelope
from ratsraum_common.grpcutil import channel, error_reason
from ratsraum_common.limits import PUBLIC_RECORDS_PAGE_MAX
from ratsraum_meeting.base import OutboxMessage
from ratsraum_meeting.masterdata.models import File, FileLink, Paper
from ratsraum_meeting.meetings.models import AgendaItem, Body, Membership, Tenant

ADMIN = "/api/v1/admin"
SUBJECT = f"ratsraum.{demo.TENANT}.meeting.public.records.changed"


async def _records(meeting: Any) -> dict[tuple[str, str], dict[str, Any]]:
    """The latest record of every (kind, id) meeting staged for the portal, in order."""
    async with meeting.app.state.db.tenant_session(demo.TENANT) as session:
        rows = (await session.scalars(select(OutboxMessage).where(
            OutboxMessage.subject == SUBJECT).order_by(OutboxMessage.seq))).all()
    latest: dict[tuple[str, str], dict[str, Any]] = {}
    for row in rows:
        event = Envelope.from_json(row.body).payload(public_pb2.PublicRecordsChanged)
        assert event.tenant.id == demo.TENANT
        for record in event.records:
            latest[(record.kind, record.id)] = {
                "deleted": record.deleted, **MessageToDict(record.data)}
    return latest


async def test_members_are_published_without_their_mail_and_seats_as_memberships(
    meeting: Any, issuer: Any
) -> None:
    admin = issuer.person("lange")
    client = meeting.client
    body_id = (await client.get(f"{ADMIN}/bodies", headers=admin)).json()[0]["id"]
    person = (await client.post(f"{ADMIN}/persons", headers=admin,
                                json={"name": "Ute Vogel", "party": "FDP"})).json()
    mailed = await client.put(f"{ADMIN}/persons/{person['id']}/email", headers=admin,
                              json={"email": "ute.vogel@example.org"})
    assert mailed.status_code in (200, 204), mailed.text
    records = await _records(meeting)
    assert ("person", person["id"]) not in records  # no seat yet: not a public figure
    seat = (await client.post(f"{ADMIN}/memberships", headers=admin, json={
        "body_id": body_id, "person_id": person["id"], "start_date": "2025-11-01"})).json()

    records = await _records(meeting)
    assert records[("person", person["id"])] == {"deleted": False, "name": "Ute Vogel"}
    assert records[("membership", str(seat["id"]))] == {
        "deleted": False, "person_id": person["id"], "organization_id": body_id,
        "role": "member", "start_date": "2025-11-01"}
    assert records[("organization", body_id)]["organization_type"] == "Gremium"
    assert "ute.vogel@example.org" not in repr(records)

    async with meeting.app.state.db.transaction(demo.TENANT) as session:
        await session.execute(delete(Membership).where(Membership.id == seat["id"]))
    records = await _records(meeting)
    assert records[("membership", str(seat["id"]))] == {"deleted": True}
    assert records[("person", person["id"])] == {"deleted": True}


async def test_papers_and_files_of_a_closed_item_never_leave(meeting: Any) -> None:
    open_paper, closed_paper = str(uuid.uuid4()), str(uuid.uuid4())
    open_item, closed_item = str(uuid.uuid4()), str(uuid.uuid4())
    open_file, closed_file = str(uuid.uuid4()), str(uuid.uuid4())
    async with meeting.app.state.db.transaction(demo.TENANT) as session:
        session.add_all([
            Paper(id=open_paper, name="Radwegekonzept", reference="V/2025/101",
                  locations=[{"description": "Markt", "lon": 8.1, "lat": 51.57}]),
            Paper(id=closed_paper, name="Grundstücksverkauf Am Wall", reference="V/2025/102"),
            AgendaItem(id=open_item, meeting_id=demo.MEETING_ID, number="Ö 9", position=90,
                       title="Radwegekonzept", public=True, paper_id=open_paper),
            AgendaItem(id=closed_item, meeting_id=demo.MEETING_ID, number="N 9", position=91,
                       title="Grundstücksverkauf", public=False, paper_id=closed_paper),
            File(id=open_file, name="Vorlage", file_name="v101.pdf", mime_type="application/pdf",
                 access_url="https://ris.example.de/v101.pdf"),
            File(id=closed_file, name="Kaufvertrag", file_name="kv.pdf",
                 access_url="https://ris.example.de/kv.pdf"),
        ])
        await session.flush()
        session.add_all([
            FileLink(file_id=open_file, owner_kind="paper", owner_id=open_paper,
                     role="mainFile"),
            FileLink(file_id=closed_file, owner_kind="paper", owner_id=closed_paper,
                     role="mainFile"),
        ])

    records = await _records(meeting)
    assert records[("paper", open_paper)]["reference"] == "V/2025/101"
    assert records[("paper", open_paper)]["locations"] == [
        {"description": "Markt", "lon": 8.1, "lat": 51.57}]
    assert records[("consultation", open_item)]["paper_id"] == open_paper
    assert records[("file", open_file)]["links"] == [
        {"owner_kind": "paper", "owner_id": open_paper, "role": "mainFile"}]
    assert ("paper", closed_paper) not in records
    assert ("file", closed_file) not in records
    assert ("consultation", closed_item) not in records
    assert "Kaufvertrag" not in repr(records)

    # The open paper moves into the closed part: it and its file stop being public.
    async with meeting.app.state.db.transaction(demo.TENANT) as session:
        item = await session.get(AgendaItem, open_item)
        assert item is not None
        item.public = False
    records = await _records(meeting)
    for key in (("paper", open_paper), ("file", open_file), ("consultation", open_item)):
        assert records[key] == {"deleted": True}, key


async def _staged(meeting: Any) -> int:
    async with meeting.app.state.db.tenant_session(demo.TENANT) as session:
        return len((await session.scalars(select(OutboxMessage.id).where(
            OutboxMessage.subject == SUBJECT))).all())


async def test_live_changes_publish_no_records(meeting: Any, issuer: Any) -> None:
    before = await _staged(meeting)
    clerk = issuer.person("richter")
    opened = await meeting.client.post(f"/api/v1/meetings/{demo.MEETING_ID}/open", headers=clerk)
    assert opened.status_code == 200
    assert await _staged(meeting) == before


async def test_backfill_lists_the_town_records_as_they_are_now(meeting: Any) -> None:
    async with channel(f"127.0.0.1:{meeting.app.state.grpc_port}") as ch:
        stub = public_pb2_grpc.PublicMeetingServiceStub(ch)
        answer = await stub.ListPublicRecords(
            public_pb2.ListPublicRecordsRequest(tenant=demo.TENANT), timeout=5)
    (town,) = answer.towns
    assert town.tenant.id == demo.TENANT
    names = {MessageToDict(r.data)["name"] for r in town.records if r.kind == "person"}
    assert {p.name for p in demo.PEOPLE if p.is_member} <= names
    assert not any(r.deleted for r in town.records)
    assert not any(p.email in str(town) for p in demo.PEOPLE)


async def test_the_records_backfill_comes_in_bounded_pages_of_one_town(meeting: Any) -> None:
    other = "zz-zweitstadt"  # sorts after the demo town
    async with meeting.app.state.db.transaction(other) as session:
        session.add(Tenant(id=other, name="Zweitstadt"))
        session.add_all(Body(id=f"body-{n}", name=f"Rat {n}", statutory_members=5)
                        for n in range(3))
    async with channel(f"127.0.0.1:{meeting.app.state.grpc_port}") as ch:
        stub = public_pb2_grpc.PublicMeetingServiceStub(ch)
        whole = await stub.ListPublicRecords(public_pb2.ListPublicRecordsRequest(
            tenant=demo.TENANT, page_size=PUBLIC_RECORDS_PAGE_MAX), timeout=5)
        expected = [(demo.TENANT, r.kind, r.id) for r in whole.towns[0].records]
        expected += [(other, "organization", f"body-{n}") for n in range(3)]
        assert not whole.next_page_token
        assert len(expected) > 8
        seen: list[tuple[str, str, str]] = []
        token, pages = "", 0
        while True:
            page = await stub.ListPublicRecords(public_pb2.ListPublicRecordsRequest(
                page_size=4, page_token=token), timeout=5)
            (town,) = page.towns  # one town per page, never an empty one
            assert 0 < len(town.records) <= 4
            seen += [(town.tenant.id, r.kind, r.id) for r in town.records]
            pages += 1
            token = page.next_page_token
            if not token:
                break
        assert seen == expected
        assert pages == -(-(len(expected) - 3) // 4) + 1
        with pytest.raises(grpc.aio.AioRpcError) as too_large:
            await stub.ListPublicRecords(public_pb2.ListPublicRecordsRequest(
                page_size=PUBLIC_RECORDS_PAGE_MAX + 1), timeout=5)
        assert error_reason(too_large.value) == "PAGE_SIZE_TOO_LARGE"
        with pytest.raises(grpc.aio.AioRpcError) as forged:
            await stub.ListPublicRecords(public_pb2.ListPublicRecordsRequest(
                page_token="not-a-token"), timeout=5)
        assert error_reason(forged.value) == "INVALID_PAGE_TOKEN"
