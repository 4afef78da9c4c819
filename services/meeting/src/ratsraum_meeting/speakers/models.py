"""Speakers lists per agenda item: requests to speak, points of order, speeches."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ratsraum_common.db import TenantScoped
from ratsraum_meeting.base import Base
from ratsraum_meeting.meetings.models import person_key

KINDS = ("speech", "order")  # "order": zur Geschäftsordnung, ahead of speeches
STATES = ("waiting", "speaking", "done", "withdrawn")


class SpeakerRequest(TenantScoped, Base):
    """A member's request to speak on an item; position orders the waiting ones."""

    __tablename__ = "speaker_requests"
    __table_args__ = (person_key("speaker_requests"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    meeting_id: Mapped[str] = mapped_column(ForeignKey("meetings.id"), index=True)
    agenda_item_id: Mapped[str] = mapped_column(ForeignKey("agenda_items.id"), index=True)
    person_id: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16), default="speech")
    state: Mapped[str] = mapped_column(String(16), default="waiting")
    position: Mapped[int] = mapped_column(Integer, default=0)
    requested_by: Mapped[str] = mapped_column(String(64))
    requested_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    seconds: Mapped[int | None] = mapped_column(Integer, nullable=True)
    limit_seconds: Mapped[int | None] = mapped_column(Integer, nullable=True)


class SpeakersList(TenantScoped, Base):
    """Settings of one item's list: closed or not, and the speaking time limit."""

    __tablename__ = "speakers_lists"

    agenda_item_id: Mapped[str] = mapped_column(ForeignKey("agenda_items.id"),
                                                primary_key=True)
    meeting_id: Mapped[str] = mapped_column(ForeignKey("meetings.id"), index=True)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    closed_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    limit_seconds: Mapped[int | None] = mapped_column(Integer, nullable=True)
