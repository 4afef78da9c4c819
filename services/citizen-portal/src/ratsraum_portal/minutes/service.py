"""Read-model rules of signed minutes: checked on intake, stored once, read by pages and OParl."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any

# Type stubs for protobuf are optional in the dev tools; the ignore covers both cases.
from google.protobuf import json_format  # type: ignore[import-untyped, unused-ignore]
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ratsraum.meeting.v1 import public_pb2
from ratsraum_common.logging import get_logger
from ratsraum_portal.meetings.models import PublicMeetingView
from ratsraum_portal.meetings.service import ApplyResult, is_meeting_id, touch
from ratsraum_portal.minutes.models import PublicMinutes

log = get_logger(__name__)


def sha256_hex(text: str) -> str:
    """The SHA-256 of a text's UTF-8 bytes, as meeting computes it."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _is_hash(value: str) -> bool:
    return len(value) == 64 and all(c in "0123456789abcdef" for c in value)


def acceptable(event: public_pb2.PublicMinutesSigned, *, tenant: str) -> bool:
    """Whether an event is well-formed minutes of this tenant whose HTML matches its hash."""
    return (event.tenant.id == tenant and is_meeting_id(event.meeting_id)
            and _is_hash(event.minutes_sha256) and _is_hash(event.public_html_sha256)
            and event.HasField("signed_at")
            # The hash travels with the HTML: a mismatch means it was changed on the way.
            and sha256_hex(event.public_html) == event.public_html_sha256)


async def apply_minutes(
    *, session: AsyncSession, tenant: str, event: public_pb2.PublicMinutesSigned, event_id: str
) -> ApplyResult:
    """Store signed minutes once; a repeat is stale, a different version is refused."""
    if not acceptable(event, tenant=tenant):
        return ApplyResult.REJECTED
    row = await session.get(PublicMinutes, (tenant, event.meeting_id))
    if row is not None:
        if row.minutes_sha256 != event.minutes_sha256:
            # Signed minutes never change; a second version is an error upstream, not news.
            log.warning("portal.minutes_conflict", tenant=tenant, meeting_id=event.meeting_id,
                        stored=row.minutes_sha256, offered=event.minutes_sha256)
            return ApplyResult.REJECTED
        return ApplyResult.STALE
    content: dict[str, Any] = json_format.MessageToDict(
        event, preserving_proto_field_name=True)
    content.pop("public_html", None)  # stored once, in its own column
    session.add(PublicMinutes(
        tenant_id=tenant, meeting_id=event.meeting_id, minutes_sha256=event.minutes_sha256,
        public_html=event.public_html, public_html_sha256=event.public_html_sha256,
        signed_at=event.signed_at.ToDatetime(tzinfo=UTC), chair_name=event.chair_name[:200],
        clerk_name=event.clerk_name[:200], content=content, event_id=event_id[:64],
    ))
    # The meeting's OParl object now carries a resultsProtocol: it changed, now (the portal's
    # clock, so clients syncing by modified_since never miss minutes that arrived late).
    meeting = await session.get(PublicMeetingView, (tenant, event.meeting_id))
    if meeting is not None:
        touch(meeting, at=datetime.now(UTC))
    return ApplyResult.APPLIED


async def get_minutes(*, session: AsyncSession, meeting_id: str) -> PublicMinutes | None:
    """The session tenant's signed minutes of a meeting, or None."""
    return await session.scalar(
        select(PublicMinutes).where(PublicMinutes.meeting_id == meeting_id))


def signed_at(row: PublicMinutes) -> datetime:
    """When the minutes were signed, as an aware UTC time (SQLite drops the zone)."""
    value = row.signed_at
    return value if value.tzinfo else value.replace(tzinfo=UTC)


async def minutes_by_meeting(
    *, session: AsyncSession, meeting_ids: list[str]
) -> dict[str, PublicMinutes]:
    """The session tenant's signed minutes of these meetings, by meeting id."""
    if not meeting_ids:
        return {}
    rows = await session.scalars(
        select(PublicMinutes).where(PublicMinutes.meeting_id.in_(meeting_ids))
    )
    return {row.meeting_id: row for row in rows}
