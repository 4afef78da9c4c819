"""Attendance of members at a meeting, and its append-only log."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ratsraum_common.db import TenantScoped
from ratsraum_meeting.base import Base
from ratsraum_meeting.meetings.models import person_key

PRESENCES = ("in_room", "remote", "absent")
PRESENT = frozenset({"in_room", "remote"})


class Attendance(TenantScoped, Base):
    """A member's current presence at a meeting."""

    __tablename__ = "attendance"
    __table_args__ = (
        UniqueConstraint("meeting_id", "person_id", name="uq_attendance"),
        person_key("attendance"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    meeting_id: Mapped[str] = mapped_column(ForeignKey("meetings.id"), index=True)
    person_id: Mapped[str] = mapped_column(String(64), index=True)
    presence: Mapped[str] = mapped_column(String(16))
    since: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    recorded_by: Mapped[str] = mapped_column(String(64))


class AttendanceLog(TenantScoped, Base):
    """One recorded change of presence: who, what, when, by whom (never updated)."""

    __tablename__ = "attendance_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    meeting_id: Mapped[str] = mapped_column(ForeignKey("meetings.id"), index=True)
    person_id: Mapped[str] = mapped_column(String(64))
    presence: Mapped[str] = mapped_column(String(16))
    previous: Mapped[str | None] = mapped_column(String(16))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    recorded_by: Mapped[str] = mapped_column(String(64))


class AttendanceSpan(TenantScoped, Base):
    """One stretch of presence (in the room or remote): joined, and left when it ended."""

    __tablename__ = "attendance_spans"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    meeting_id: Mapped[str] = mapped_column(ForeignKey("meetings.id"), index=True)
    person_id: Mapped[str] = mapped_column(String(64), index=True)
    presence: Mapped[str] = mapped_column(String(16))
    joined_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    left_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
