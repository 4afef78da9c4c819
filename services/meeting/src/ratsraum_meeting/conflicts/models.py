"""Declared conflicts of interest (Befangenheit) and members' requests for a kind of vote."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ratsraum_common.db import TenantScoped
from ratsraum_meeting.base import Base
from ratsraum_meeting.meetings.models import person_key

REQUEST_KINDS = ("roll_call", "secret")


class Conflict(TenantScoped, Base):
    """A member's conflict on one agenda item; withdrawn ones stay for the record."""

    __tablename__ = "conflicts"
    __table_args__ = (person_key("conflicts"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    meeting_id: Mapped[str] = mapped_column(ForeignKey("meetings.id"), index=True)
    agenda_item_id: Mapped[str] = mapped_column(ForeignKey("agenda_items.id"), index=True)
    person_id: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(String(500), default="")
    declared_by: Mapped[str] = mapped_column(String(64))
    declared_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    withdrawn_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    withdrawn_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class VoteRequest(TenantScoped, Base):
    """A member's request that the vote on an item be roll-call or secret (one per kind)."""

    __tablename__ = "vote_requests"
    __table_args__ = (
        UniqueConstraint("agenda_item_id", "person_id", "kind", name="uq_vote_request"),
        person_key("vote_requests"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    meeting_id: Mapped[str] = mapped_column(ForeignKey("meetings.id"), index=True)
    agenda_item_id: Mapped[str] = mapped_column(ForeignKey("agenda_items.id"), index=True)
    person_id: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))
    requested_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
