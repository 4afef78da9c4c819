"""Members who refused to be streamed, per meeting and person."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ratsraum_common.db import TenantScoped
from ratsraum_meeting.base import Base
from ratsraum_meeting.meetings.models import person_key


class StreamRefusal(TenantScoped, Base):
    """One member did not consent to being streamed in this meeting (the page names them)."""

    __tablename__ = "stream_refusals"
    __table_args__ = (
        UniqueConstraint("meeting_id", "person_id", name="uq_stream_refusal"),
        person_key("stream_refusals"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    meeting_id: Mapped[str] = mapped_column(ForeignKey("meetings.id"), index=True)
    person_id: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    recorded_by: Mapped[str] = mapped_column(String(64))
