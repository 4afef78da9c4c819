"""Read-model tables: towns and the public view of their meetings."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, DateTime, Index, PrimaryKeyConstraint, String
from sqlalchemy.orm import Mapped, mapped_column

from ratsraum_common.db import TenantScoped
from ratsraum_portal.base import Base


class PublicTenant(Base):
    """A town that has published at least one public meeting (the list of all towns)."""

    __tablename__ = "public_tenants"

    id: Mapped[str] = mapped_column(String(63), primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    # When the portal first heard of the town, and when its name last changed (OParl Body).
    created_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    modified_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class PublicMeetingView(TenantScoped, Base):
    """The latest public snapshot of one meeting, with the columns pages sort and filter by."""

    __tablename__ = "public_meetings"
    # Keyed by town too: a meeting id is only unique within the town that published it.
    __table_args__ = (PrimaryKeyConstraint("tenant_id", "id", name="pk_public_meetings"),
                      Index("ix_public_meetings_body", "tenant_id", "body_id", "created_at"))

    id: Mapped[str] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(BigInteger, default=0)
    starts_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    title: Mapped[str] = mapped_column(String(500))
    body_name: Mapped[str] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(32))
    # The body (an organization record) holding the meeting: OParl's Organization.meeting list.
    body_id: Mapped[str | None] = mapped_column(String(36))
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSON)
    # When meeting last changed it (from the snapshot); guards against stale backfills.
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # The change stamp of the first snapshot the portal stored (OParl `created`).
    created_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # When the public object last changed (OParl `modified`): the newest snapshot's stamp or
    # the arrival of its signed minutes, whichever is later. Kept apart from updated_at, which
    # orders snapshots and must stay meeting's own stamp.
    modified_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
