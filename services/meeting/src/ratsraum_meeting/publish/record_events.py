"""Public master data as events (`public.records.changed`), staged in the outbox at commit.

A commit that touched master data (by ORM or by a bulk statement: the OParl import deletes in
bulk) makes meeting compare the town's whole public record set (publish/records.py) with the
digests it published before, and stage what changed, what is new and what is gone (as
`deleted`). So imports, edits in Ratsraum, deletions and things that stop being public reach
the portal alike. Sessions that touch only live state (votes, attendance) skip all of this.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from google.protobuf import struct_pb2  # type: ignore[import-untyped, unused-ignore]
from sqlalchemy import event, inspect, select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_session
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction
from sqlalchemy.util import await_only

from ratsraum.meeting.v1 import public_pb2
from ratsraum_common.db import Database
from ratsraum_common.logging import get_logger
from ratsraum_common.outbox import add_event
from ratsraum_meeting.base import OutboxMessage
from ratsraum_meeting.config import SERVICE
from ratsraum_meeting.events import PUBLIC_RECORDS_CHANGED
from ratsraum_meeting.masterdata.models import File, FileLink, LegislativeTerm, Organization, Paper
from ratsraum_meeting.meetings.models import AgendaItem, Body, Meeting, Membership, Person, Tenant
from ratsraum_meeting.publish.models import PublishedRecord
from ratsraum_meeting.publish.records import load_public_records
from ratsraum_meeting.timeutil import now

log = get_logger(__name__)
_TOUCHED = "ratsraum_meeting.masterdata_touched"
_TENANT_KEY = "tenant_id"  # where ratsraum_common.db keeps a tenant session's town
MASTER_DATA = (Body, Person, Membership, Organization, LegislativeTerm, Paper, File, FileLink)
# Agenda items and meetings change all session long; only these columns matter to records.
_ITEM_COLUMNS = ("paper_id", "public", "meeting_id")
RECORDS_PER_EVENT = 200  # keeps each event far below NATS's default 1 MB payload limit


def _digest(data: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()


def _matters(obj: object, *, changed: bool) -> bool:
    if isinstance(obj, MASTER_DATA):
        return True
    if isinstance(obj, AgendaItem):
        if not changed:
            return bool(obj.paper_id) or not obj.public
        state = inspect(obj)
        return any(state.attrs[c].history.has_changes() for c in _ITEM_COLUMNS)
    return False


def _after_flush(session: Session, _flush: UOWTransaction) -> None:
    if session.info.get(_TOUCHED):
        return
    touched = (any(_matters(o, changed=False) for o in (*session.new, *session.deleted))
               or any(_matters(o, changed=True) for o in session.dirty)
               or any(isinstance(o, Meeting) for o in session.deleted))
    if touched:
        session.info[_TOUCHED] = True


_BULK_TABLES = frozenset(m.__tablename__ for m in MASTER_DATA)


def _on_bulk(state: ORMExecuteState) -> None:
    if not (state.is_delete or state.is_update):
        return
    tables = {m.local_table.name for m in state.all_mappers}  # type: ignore[attr-defined]
    # A bulk update of agenda items is status bookkeeping; a bulk delete may drop consultations.
    if tables & _BULK_TABLES or (state.is_delete and tables & {"agenda_items", "meetings"}):
        state.session.info[_TOUCHED] = True


def record_message(kind: str, record_id: str, data: dict[str, Any]) -> public_pb2.PublicRecord:
    """One record as sent to the portal."""
    body = struct_pb2.Struct()
    body.update(data)
    return public_pb2.PublicRecord(kind=kind, id=record_id, data=body)


async def town_records(session: AsyncSession, *, after: tuple[str, str] | None = None,
                       limit: int | None = None) -> public_pb2.PublicRecordsChanged:
    """The session town's public records as they are now, ordered by (kind, id): those after
    `after`, at most `limit` of them (one page of the portal's backfill)."""
    tenant = str(session.info.get(_TENANT_KEY, ""))
    town = await session.get(Tenant, tenant)
    ordered = sorted((await load_public_records(session)).items())
    if after is not None:
        ordered = [(key, data) for key, data in ordered if key > after]
    message = public_pb2.PublicRecordsChanged(
        tenant=public_pb2.PublicTenant(id=tenant, name=town.name if town else tenant),
        records=[record_message(k, i, d) for (k, i), d in ordered[:limit]])
    message.changed_at.FromDatetime(now())
    return message


async def publish_records(session: AsyncSession) -> int:
    """Stage the changed public records of the session's town; returns how many changed."""
    tenant = session.info.get(_TENANT_KEY)
    if not tenant:
        return 0
    await session.flush()
    if session.bind is not None and session.bind.dialect.name == "postgresql":
        # Two commits of one town must not both publish the same change (or clash on insert).
        await session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:t))"), {"t": tenant})
    current = await load_public_records(session)
    published = {(r.kind, r.id): r for r in (await session.scalars(select(PublishedRecord)))}
    changes: list[public_pb2.PublicRecord] = []
    for key, data in current.items():
        digest, row = _digest(data), published.get(key)
        if row is not None and row.digest == digest:
            continue
        if row is None:
            session.add(PublishedRecord(kind=key[0], id=key[1], digest=digest))
        else:
            row.digest = digest
        changes.append(record_message(key[0], key[1], data))
    for key, row in published.items():
        if key not in current and row.digest:
            row.digest = ""
            changes.append(public_pb2.PublicRecord(kind=key[0], id=key[1], deleted=True))
    if changes:
        await _stage(session, tenant, changes)
    return len(changes)


async def _stage(session: AsyncSession, tenant: str,
                 changes: list[public_pb2.PublicRecord]) -> None:
    town = await session.get(Tenant, tenant)
    for start in range(0, len(changes), RECORDS_PER_EVENT):
        message = public_pb2.PublicRecordsChanged(
            tenant=public_pb2.PublicTenant(id=tenant, name=town.name if town else tenant),
            records=changes[start:start + RECORDS_PER_EVENT])
        message.changed_at.FromDatetime(now())
        add_event(session, OutboxMessage, tenant=tenant, service=SERVICE,
                  event_name=PUBLIC_RECORDS_CHANGED, payload=message)


async def publish_all_towns(db: Database) -> None:
    """Publish every town's changed records once (at startup: data from before this feature,
    or changed while the hook was not installed, reaches the portal without an edit)."""
    async with db.system_session() as session:
        towns = list((await session.scalars(select(Tenant.id))).all())
    for town in towns:
        try:
            async with db.transaction(town) as session:
                count = await publish_records(session)
        except Exception:
            log.exception("records.startup_publish_failed", tenant=town)
            continue
        log.info("records.startup_published", tenant=town, changed=count)


def _before_commit(sync_session: Session) -> None:
    if not sync_session.info.get(_TENANT_KEY):
        return
    # Flush first: what is still pending may touch master data too.
    sync_session.flush()
    if not sync_session.info.pop(_TOUCHED, False):
        return
    session = async_session(sync_session)
    if session is None:
        raise RuntimeError("master data changed on a session without asyncio")
    await_only(publish_records(session))


def _forget(sync_session: Session) -> None:
    sync_session.info.pop(_TOUCHED, None)


def install() -> None:
    """Publish changed public records whenever a session commits (idempotent)."""
    if not event.contains(Session, "before_commit", _before_commit):
        event.listen(Session, "after_flush", _after_flush)
        event.listen(Session, "do_orm_execute", _on_bulk)
        event.listen(Session, "before_commit", _before_commit)
        event.listen(Session, "after_rollback", _forget)
