"""Read-model table of signed minutes: the public part, byte for byte as meeting signed it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, PrimaryKeyConstraint, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ratsraum_common.db import TenantScoped
from ratsraum_portal.base import Base


class PublicMinutes(TenantScoped, Base):
    """One meeting's signed minutes (public part); written once, never changed."""

    __tablename__ = "public_minutes"
    __table_args__ = (PrimaryKeyConstraint("tenant_id", "meeting_id", name="pk_public_minutes"),)

    meeting_id: Mapped[str] = mapped_column(String(64))
    # Hash of the complete signed minutes (all parts), as published by meeting.
    minutes_sha256: Mapped[str] = mapped_column(String(64))
    # The public part as HTML; served unchanged so anyone can check it against its hash.
    public_html: Mapped[str] = mapped_column(Text)
    public_html_sha256: Mapped[str] = mapped_column(String(64))
    signed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    chair_name: Mapped[str] = mapped_column(String(200))
    clerk_name: Mapped[str] = mapped_column(String(200))
    # The structured event (items, decisions, results) for the meeting page and OParl.
    content: Mapped[dict[str, Any]] = mapped_column(JSON)
    event_id: Mapped[str] = mapped_column(String(64))
