"""One citizen's question for one meeting's question time."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ratsraum_common.db import TenantScoped
from ratsraum_meeting.base import Base


class CitizenQuestion(TenantScoped, Base):
    """A question as the citizen sent it, the clerk's decision and the answer given.

    Only name, question and answer are ever public (after approval); the mail address is for
    the clerk's reply only and is erased when the meeting closes.
    """

    __tablename__ = "citizen_questions"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    meeting_id: Mapped[str] = mapped_column(ForeignKey("meetings.id"), index=True)
    author: Mapped[str] = mapped_column(String(120))
    email: Mapped[str | None] = mapped_column(String(320), nullable=True)
    text: Mapped[str] = mapped_column(Text)
    # "submitted" | "approved" | "rejected"
    status: Mapped[str] = mapped_column(String(16), default="submitted")
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    answer: Mapped[str | None] = mapped_column(Text, nullable=True)
    submitted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    answered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
