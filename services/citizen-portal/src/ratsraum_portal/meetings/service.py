"""Read-model rules: apply public snapshots by version, and query them for pages and the API."""

from __future__ import annotations

import enum
import re
from datetime import UTC, datetime
from typing import Any

# Type stubs for protobuf are optional in the dev tools; the ignore covers both cases.
from google.protobuf import json_format  # type: ignore[import-untyped, unused-ignore]
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ratsraum.meeting.v1 import public_pb2
from ratsraum_common.db import TENANT_PATTERN
from ratsraum_portal.meetings.models import PublicMeetingView, PublicTenant
from ratsraum_portal.meetings.towns import upsert_tenant
from ratsraum_portal.records.service import sync_agenda_items, sync_meeting_location

MEETING_ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")
OPEN_STATUSES = frozenset({"scheduled", "running", "interrupted"})


class ApplyResult(enum.StrEnum):
    """What became of one snapshot offered to the read model."""

    APPLIED = "applied"
    STALE = "stale"
    REJECTED = "rejected"


def is_tenant_id(value: str) -> bool:
    """True if the value is a well-formed town slug."""
    return bool(TENANT_PATTERN.match(value))


def is_meeting_id(value: str) -> bool:
    """True if the value can be a meeting id (checked before any lookup or remote call)."""
    return bool(MEETING_ID_PATTERN.match(value))


def snapshot_dict(meeting: public_pb2.PublicMeeting) -> dict[str, Any]:
    """The stored and served JSON form of a public meeting."""
    data: dict[str, Any] = json_format.MessageToDict(meeting, preserving_proto_field_name=True)
    return data


def _aware(value: datetime) -> datetime:
    # SQLite hands timestamps back without a zone; they were stored as UTC.
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _timestamp(meeting: public_pb2.PublicMeeting, field: str) -> datetime | None:
    if not meeting.HasField(field):
        return None
    return _aware(getattr(meeting, field).ToDatetime(tzinfo=UTC))


def _is_newer(
    row: PublicMeetingView, *, version: int | None, changed_at: datetime | None
) -> bool:
    if version is not None:
        # Events: the version is authoritative. A backfill may have stored a newer state
        # already; an older event then shows briefly until the next one, which always comes.
        return version > row.version
    # Backfill snapshots carry no version: only a later change stamp may replace a row.
    return changed_at is not None and changed_at > _aware(row.updated_at)


def snapshot_version(meeting: public_pb2.PublicMeeting) -> int | None:
    """The version a backfilled snapshot carries (None from a sender that sets none)."""
    return int(meeting.version) or None


def modified_at(row: PublicMeetingView) -> datetime:
    """When the public meeting object last changed (OParl `modified`), as aware UTC."""
    return _aware(row.modified_at or row.updated_at)


def touch(row: PublicMeetingView, *, at: datetime) -> None:
    """Mark the public object changed at `at` (never moving its modified time backwards)."""
    if row.modified_at is None or _aware(row.modified_at) < at:
        row.modified_at = at


async def apply_snapshot(
    *, session: AsyncSession, tenant: str, meeting: public_pb2.PublicMeeting, version: int | None
) -> ApplyResult:
    """Store a snapshot if it is newer than the stored one.

    `version` comes with events; backfill snapshots have none (yet) and are compared by the
    meeting's own updated_at, keeping the stored version so later events still apply.
    """
    if meeting.tenant.id != tenant or not is_meeting_id(meeting.id):
        return ApplyResult.REJECTED
    changed_at = _timestamp(meeting, "updated_at")
    row = await session.get(PublicMeetingView, (tenant, meeting.id))
    if row is not None and not _is_newer(row, version=version, changed_at=changed_at):
        return ApplyResult.STALE
    stamp = changed_at or datetime.now(UTC)
    await upsert_tenant(session, tenant=tenant, name=meeting.tenant.name, stamp=stamp)
    if row is None:
        row = PublicMeetingView(id=meeting.id, tenant_id=tenant, version=0, created_at=stamp)
        session.add(row)
    if version is not None:
        row.version = version
    row.starts_at = _timestamp(meeting, "starts_at")
    row.title = meeting.title[:500]
    row.body_name = meeting.body_name[:255]
    row.status = meeting.status[:32]
    row.body_id = meeting.body_id[:36] or None
    row.snapshot = snapshot_dict(meeting)
    row.updated_at = stamp
    touch(row, at=stamp)
    await sync_agenda_items(session=session, tenant=tenant, meeting_id=meeting.id,
                            items=row.snapshot.get("agenda", []), stamp=stamp)
    await sync_meeting_location(session=session, tenant=tenant, meeting_id=meeting.id,
                                description=meeting.location[:300], stamp=stamp)
    return ApplyResult.APPLIED


async def list_tenants(*, session: AsyncSession) -> list[PublicTenant]:
    """All towns with public meetings, by name."""
    return list((await session.scalars(select(PublicTenant).order_by(PublicTenant.name))).all())


async def get_tenant(*, session: AsyncSession, tenant: str) -> PublicTenant | None:
    """One town, or None if it has published nothing."""
    return await session.get(PublicTenant, tenant)


class Period(enum.StrEnum):
    """Which meetings a list shows (German values: they appear in page addresses)."""

    ALL = "alle"
    UPCOMING = "kommende"
    PAST = "beendete"


async def list_meetings(
    *, session: AsyncSession, period: Period = Period.ALL, limit: int = 200
) -> list[PublicMeetingView]:
    """The session tenant's meetings: upcoming/current ones soonest first, others newest first."""
    query = select(PublicMeetingView)
    if period is Period.UPCOMING:
        query = query.where(PublicMeetingView.status.in_(OPEN_STATUSES)).order_by(
            PublicMeetingView.starts_at, PublicMeetingView.id
        )
    else:
        if period is Period.PAST:
            query = query.where(PublicMeetingView.status.not_in(OPEN_STATUSES))
        query = query.order_by(PublicMeetingView.starts_at.desc(), PublicMeetingView.id)
    return list((await session.scalars(query.limit(limit))).all())


async def list_upcoming_by_town(
    *, session: AsyncSession, per_town: int
) -> dict[str, list[PublicMeetingView]]:
    """Upcoming and current meetings of every town (needs a system session), soonest first."""
    rows = await session.scalars(
        select(PublicMeetingView)
        .where(PublicMeetingView.status.in_(OPEN_STATUSES))
        .order_by(PublicMeetingView.tenant_id, PublicMeetingView.starts_at, PublicMeetingView.id)
    )
    by_town: dict[str, list[PublicMeetingView]] = {}
    for row in rows:
        meetings = by_town.setdefault(row.tenant_id, [])
        if len(meetings) < per_town:
            meetings.append(row)
    return by_town


async def get_meeting(*, session: AsyncSession, meeting_id: str) -> PublicMeetingView | None:
    """The session tenant's meeting by id, or None."""
    return await session.scalar(
        select(PublicMeetingView).where(PublicMeetingView.id == meeting_id)
    )
