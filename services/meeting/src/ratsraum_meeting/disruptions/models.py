"""Disruption reports of members and the chair's steps (interrupt, resume, decide)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ratsraum_common.db import TenantScoped
from ratsraum_meeting.base import Base
from ratsraum_meeting.meetings.models import person_key

LOST = ("picture", "sound", "both")
CHANNELS = ("app", "phone")
SPHERES = ("town", "member")


class DisruptionReport(TenantScoped, Base):
    """A member's report of a lost connection (from the app or by phone to the clerk)."""

    __tablename__ = "disruption_reports"
    __table_args__ = (person_key("disruption_reports"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    meeting_id: Mapped[str] = mapped_column(ForeignKey("meetings.id"), index=True)
    person_id: Mapped[str] = mapped_column(String(64))
    lost: Mapped[str] = mapped_column(String(16))
    channel: Mapped[str] = mapped_column(String(16))
    since: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    reported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    reported_by: Mapped[str] = mapped_column(String(64))
    note: Mapped[str] = mapped_column(String(1000), default="")
    counts: Mapped[bool] = mapped_column(Boolean, default=True)
    late_reason: Mapped[str | None] = mapped_column(String(32), nullable=True)
    decision_id: Mapped[int | None] = mapped_column(Integer, nullable=True)


class DisruptionStep(TenantScoped, Base):
    """The chair's interrupt, resume or decision on whose sphere a fault was in."""

    __tablename__ = "disruption_steps"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    meeting_id: Mapped[str] = mapped_column(ForeignKey("meetings.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # interrupt | resume | decision
    sphere: Mapped[str | None] = mapped_column(String(16), nullable=True)
    reason: Mapped[str] = mapped_column(String(2000), default="")
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    by: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
