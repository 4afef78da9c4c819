"""The minutes of a meeting: the clerk's free text, the signatures and the sealed version."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ratsraum_common.db import TenantScoped
from ratsraum_meeting.base import Base


class Minutes(TenantScoped, Base):
    """One meeting's minutes; once both have signed, signed_html is final and never changes."""

    __tablename__ = "minutes"

    meeting_id: Mapped[str] = mapped_column(ForeignKey("meetings.id"), primary_key=True)
    # {"items": {item_id: {"decision": str, "notes": str}}, "absences": {person_id: reason},
    #  "general": str, "disruptions": str, "started_at": iso, "ended_at": iso}
    texts: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    revision: Mapped[int] = mapped_column(Integer, default=0)
    chair_signed_by: Mapped[str | None] = mapped_column(String(64))
    chair_signed_name: Mapped[str | None] = mapped_column(String(200))
    chair_signed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    clerk_signed_by: Mapped[str | None] = mapped_column(String(64))
    clerk_signed_name: Mapped[str | None] = mapped_column(String(200))
    clerk_signed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    signed_html: Mapped[str | None] = mapped_column(Text)
    sha256: Mapped[str | None] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_by: Mapped[str] = mapped_column(String(64))
