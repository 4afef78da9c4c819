"""Stored feedback messages; portal-wide, not tied to one town."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ratsraum_portal.base import Base


class FeedbackMessage(Base):
    """One message sent through the feedback form."""

    __tablename__ = "feedback_messages"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    message: Mapped[str] = mapped_column(Text)
    # Optional: only given by people who want a reply.
    email: Mapped[str | None] = mapped_column(String(254))
    page: Mapped[str | None] = mapped_column(String(500))
    lang: Mapped[str] = mapped_column(String(2))
