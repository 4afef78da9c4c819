"""One member's latest device check for one meeting."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ratsraum_common.db import TenantScoped
from ratsraum_meeting.base import Base
from ratsraum_meeting.meetings.models import person_key


class DeviceCheck(TenantScoped, Base):
    """What the member's browser found, and whether the practice vote went through.

    Only outcomes are kept: no picture, sound or choice ever reaches the server, and the
    practice vote is not a ballot (no poll, no voting service, no minutes).
    """

    __tablename__ = "device_checks"
    __table_args__ = (UniqueConstraint("meeting_id", "person_id", name="uq_device_check"),
                      person_key("device_checks"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    meeting_id: Mapped[str] = mapped_column(ForeignKey("meetings.id"), index=True)
    person_id: Mapped[str] = mapped_column(String(64))
    camera: Mapped[str] = mapped_column(String(16), default="not_checked")
    microphone: Mapped[str] = mapped_column(String(16), default="not_checked")
    # Round trip from the member's device to meeting, as the device measured it.
    connection_ms: Mapped[int | None] = mapped_column(Integer, nullable=True)
    checked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    practice_voted_at: Mapped[datetime | None] = mapped_column(
        DateTime(timezone=True), nullable=True)
    # The Idempotency-Key of the practice cast: a retry with it is answered as a replay.
    practice_key: Mapped[str | None] = mapped_column(String(128), nullable=True)
