"""What was sent to whom and when; each row is one mail to one member."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ratsraum_common.db import TenantScoped
from ratsraum_meeting.base import Base
from ratsraum_meeting.meetings.models import person_key

KINDS = ("invitation", "update", "cancellation")
STATUSES = ("pending", "sent", "failed", "no_address")


class InvitationDelivery(TenantScoped, Base):
    """One invitation mail to one member; the personal link's token is kept only as a hash."""

    __tablename__ = "invitation_deliveries"
    __table_args__ = (person_key("invitation_deliveries"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    meeting_id: Mapped[str] = mapped_column(ForeignKey("meetings.id"), index=True)
    person_id: Mapped[str] = mapped_column(String(64), index=True)
    email: Mapped[str | None] = mapped_column(String(320))
    kind: Mapped[str] = mapped_column(String(16))
    # iCalendar SEQUENCE of this mail; the UID is derived from the meeting and never changes.
    sequence: Mapped[int] = mapped_column(Integer)
    subject: Mapped[str] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(16), default="pending")
    error: Mapped[str | None] = mapped_column(Text)
    # SHA-256 (hex) of the personal link's token; the token itself is only in the mail.
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    sent_by: Mapped[str] = mapped_column(String(64))
