"""Read-model rules of public records: apply meeting's record events and agenda snapshots,
keep deleted objects as stubs, and page and look them up for OParl."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

# Type stubs for protobuf are optional in the dev tools; the ignore covers both cases.
from google.protobuf import json_format  # type: ignore[import-untyped, unused-ignore]
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from ratsraum.meeting.v1 import public_pb2
from ratsraum_common.logging import get_logger
from ratsraum_portal.meetings.towns import upsert_tenant
from ratsraum_portal.meetings.windows import ChangeWindow, within
from ratsraum_portal.records.models import PublicRecord, PublicRecordRef

log = get_logger(__name__)
# What meeting may send; anything else is refused (the portal serves nothing it cannot check).
RECORD_KINDS = frozenset({"organization", "person", "membership", "legislative_term", "paper",
                          "consultation", "file"})
# Kinds the portal derives itself: agenda items from meeting snapshots, locations from papers
# and from meetings' places.
DERIVED_KINDS = frozenset({"agenda_item", "location"})
RECORD_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$")
_LIVE_FIELDS = frozenset({"status", "live_vote"})
_REFS = {  # data field -> referenced kind, per record kind
    "membership": {"person_id": "person", "organization_id": "organization"},
    "consultation": {"paper_id": "paper", "meeting_id": "meeting",
                     "organization_id": "organization"},
}


def is_record_id(value: str) -> bool:
    """True if the value can be a record id (checked before any lookup)."""
    return bool(RECORD_ID.match(value))


def item_key(meeting_id: str, item_id: str) -> str:
    """The record id of an agenda item: item ids are only unique within their meeting."""
    return f"{meeting_id}-{item_id}"


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _refs(kind: str, data: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(ref_kind, ref_id, role) the record names."""
    out = [(ref, str(data[field]), "") for field, ref in _REFS.get(kind, {}).items()
           if data.get(field)]
    if kind == "consultation" and data.get("agenda_item_id") and data.get("meeting_id"):
        out.append(("agenda_item", item_key(str(data["meeting_id"]),
                                             str(data["agenda_item_id"])), ""))
    if kind == "file":
        for link in data.get("links", []):
            owner, owner_id = str(link.get("owner_kind", "")), str(link.get("owner_id", ""))
            if owner == "agenda_item":
                owner_id = item_key(str(link.get("meeting_id", "")), owner_id)
            out.append((owner, owner_id, str(link.get("role", ""))[:24]))
    if kind == "agenda_item" and data.get("meeting_id"):
        out.append(("meeting", str(data["meeting_id"]), ""))
    if kind == "location" and data.get("paper_id"):
        out.append(("paper", str(data["paper_id"]), ""))
    if kind == "location" and data.get("meeting_id"):
        out.append(("meeting", str(data["meeting_id"]), ""))
    return out


async def _put(session: AsyncSession, *, tenant: str, kind: str, record_id: str,
               data: dict[str, Any] | None, stamp: datetime) -> bool:
    """Store a record (None: a deleted stub); False if the stored one is newer."""
    row = await session.get(PublicRecord, (tenant, kind, record_id))
    if row is not None and _aware(row.modified_at) > stamp:
        return False
    if row is None:
        if data is None:
            return False  # never published: nothing to keep a stub of
        row = PublicRecord(tenant_id=tenant, kind=kind, id=record_id, created_at=stamp)
        session.add(row)
    elif (data is None and row.deleted) or (not row.deleted and data == row.data):
        return False  # nothing new: the stamps stay as they are
    row.data, row.deleted, row.modified_at = data or {}, data is None, stamp
    if data is None:
        return True  # a stub keeps its references: where it was is still worth knowing
    await session.execute(delete(PublicRecordRef).where(
        PublicRecordRef.kind == kind, PublicRecordRef.id == record_id))
    for ref_kind, ref_id, role in sorted(set(_refs(kind, data))):
        session.add(PublicRecordRef(tenant_id=tenant, kind=kind, id=record_id,
                                    ref_kind=ref_kind, ref_id=ref_id[:128], role=role))
    return True


async def _put_locations(session: AsyncSession, *, tenant: str, paper_id: str,
                         places: Iterable[dict[str, Any]], stamp: datetime) -> None:
    """A paper's places as Location records `<paper id>.<n>`; surplus ones become stubs."""
    wanted = {f"{paper_id}.{n}": {**place, "paper_id": paper_id}
              for n, place in enumerate(places, start=1)}
    stored = (await session.scalars(select(PublicRecord.id).join(
        PublicRecordRef, (PublicRecordRef.kind == PublicRecord.kind)
        & (PublicRecordRef.id == PublicRecord.id)).where(
        PublicRecord.kind == "location", PublicRecordRef.ref_kind == "paper",
        PublicRecordRef.ref_id == paper_id))).all()
    for location_id in {*wanted, *stored}:
        await _put(session, tenant=tenant, kind="location", record_id=location_id,
                   data=wanted.get(location_id), stamp=stamp)


async def apply_records(
    *, session: AsyncSession, tenant: str, event: public_pb2.PublicRecordsChanged
) -> bool | None:
    """Apply one event of changed records: True if anything changed, False if all was stale,
    None if the event is not this town's or holds nothing the portal can serve.

    A record of an unknown kind or with an id unfit for an address is skipped alone, so one
    odd row at the source never holds back the rest of the town's data.
    """
    if event.tenant.id != tenant or not event.HasField("changed_at"):
        return None
    usable = [r for r in event.records if r.kind in RECORD_KINDS and is_record_id(r.id)]
    if len(usable) < len(event.records):
        log.warning("portal.records_skipped", tenant=tenant,
                    skipped=len(event.records) - len(usable))
    if not usable:
        return None
    stamp = _aware(event.changed_at.ToDatetime(tzinfo=UTC))
    await upsert_tenant(session, tenant=tenant, name=event.tenant.name, stamp=stamp)
    applied = False
    for record in usable:
        data = None if record.deleted else json_format.MessageToDict(record.data)
        applied |= await _put(session, tenant=tenant, kind=record.kind, record_id=record.id,
                              data=data, stamp=stamp)
        if record.kind == "paper":
            await _put_locations(session, tenant=tenant, paper_id=record.id,
                                 places=(data or {}).get("locations", []), stamp=stamp)
    return applied


async def sync_agenda_items(*, session: AsyncSession, tenant: str, meeting_id: str,
                            items: list[dict[str, Any]], stamp: datetime) -> None:
    """Keep a meeting's public agenda items as records; items gone from it become stubs."""
    # Live parts (status, a vote under way) stay out: they change with every ballot.
    wanted = {item_key(meeting_id, str(i.get("id", ""))): {
        **{k: v for k, v in i.items() if k not in _LIVE_FIELDS}, "meeting_id": meeting_id}
        for i in items if i.get("id")}
    stored = (await session.scalars(select(PublicRecord).where(
        PublicRecord.kind == "agenda_item",
        PublicRecord.id.in_(select(PublicRecordRef.id).where(
            PublicRecordRef.kind == "agenda_item", PublicRecordRef.ref_kind == "meeting",
            PublicRecordRef.ref_id == meeting_id))))).all()
    unchanged = {r.id for r in stored if not r.deleted and r.data == wanted.get(r.id)}
    for record_id in {*wanted, *(r.id for r in stored)} - unchanged:
        await _put(session, tenant=tenant, kind="agenda_item", record_id=record_id,
                   data=wanted.get(record_id), stamp=stamp)


def meeting_location_id(meeting_id: str) -> str:
    """The record id of a meeting's place (paper places are `<paper id>.<n>`, never this)."""
    return f"meeting-{meeting_id}"


async def sync_meeting_location(*, session: AsyncSession, tenant: str, meeting_id: str,
                                description: str, stamp: datetime) -> None:
    """Keep a meeting's place as a Location record; a place taken away becomes a stub."""
    text = description.strip()
    await _put(session, tenant=tenant, kind="location", record_id=meeting_location_id(meeting_id),
               data={"description": text, "meeting_id": meeting_id} if text else None,
               stamp=stamp)


async def page_records(*, session: AsyncSession, kind: str, window: ChangeWindow, offset: int,
                       limit: int) -> list[PublicRecord]:
    """One page of the session tenant's records of a kind (stubs included), oldest first."""
    query = within(select(PublicRecord).where(PublicRecord.kind == kind),
                   PublicRecord.created_at, PublicRecord.modified_at, window)
    query = query.order_by(PublicRecord.created_at, PublicRecord.id)
    return list((await session.scalars(query.offset(offset).limit(limit))).all())


async def get_record(*, session: AsyncSession, kind: str, record_id: str) -> PublicRecord | None:
    """One record of the session tenant, stub or not."""
    return await session.scalar(select(PublicRecord).where(
        PublicRecord.kind == kind, PublicRecord.id == record_id))


async def referring(*, session: AsyncSession, kind: str, ref_kind: str,
                    ref_ids: Iterable[str]) -> dict[str, list[tuple[PublicRecord, str]]]:
    """Live records of a kind naming each target, with the role they name it in."""
    ids = list(ref_ids)
    if not ids:
        return {}
    rows = (await session.execute(
        select(PublicRecord, PublicRecordRef.ref_id, PublicRecordRef.role)
        .join(PublicRecordRef, (PublicRecordRef.kind == PublicRecord.kind)
              & (PublicRecordRef.id == PublicRecord.id)
              & (PublicRecordRef.tenant_id == PublicRecord.tenant_id))
        .where(PublicRecord.kind == kind, PublicRecord.deleted.is_(False),
               PublicRecordRef.ref_kind == ref_kind, PublicRecordRef.ref_id.in_(ids))
        .order_by(PublicRecord.created_at, PublicRecord.id))).all()
    found: dict[str, list[tuple[PublicRecord, str]]] = {}
    for record, ref_id, role in rows:
        found.setdefault(ref_id, []).append((record, role))
    return found


async def live_records(*, session: AsyncSession, kind: str) -> list[PublicRecord]:
    """Every live record of a kind (for small kinds only: legislative terms)."""
    return list((await session.scalars(select(PublicRecord).where(
        PublicRecord.kind == kind, PublicRecord.deleted.is_(False))
        .order_by(PublicRecord.created_at, PublicRecord.id).limit(200))).all())


async def live_by_ids(*, session: AsyncSession, kind: str, ids: list[str]) -> list[PublicRecord]:
    """The live records of a kind with these ids."""
    if not ids:
        return []
    return list((await session.scalars(select(PublicRecord).where(
        PublicRecord.kind == kind, PublicRecord.deleted.is_(False),
        PublicRecord.id.in_(ids)))).all())
