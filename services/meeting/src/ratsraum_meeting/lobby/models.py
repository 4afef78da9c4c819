"""Lobby entries of remote members and the append-only log of admissions."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ratsraum_common.db import TenantScoped
from ratsraum_meeting.base import Base
from ratsraum_meeting.meetings.models import person_key

# waiting: asked to join remotely; admitted: let in by a clerk; left: gone (may ask again).
LOBBY_STATES = ("waiting", "admitted", "left")


class LobbyEntry(TenantScoped, Base):
    """A member's remote participation in one meeting."""

    __tablename__ = "lobby_entries"
    __table_args__ = (
        UniqueConstraint("meeting_id", "person_id", name="uq_lobby_entry"),
        person_key("lobby_entries"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    meeting_id: Mapped[str] = mapped_column(ForeignKey("meetings.id"), index=True)
    person_id: Mapped[str] = mapped_column(String(64), index=True)
    state: Mapped[str] = mapped_column(String(16))
    requested_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # The provider's id of the participant waiting in its lobby (to admit through its API).
    provider_participant_id: Mapped[str | None] = mapped_column(String(300), nullable=True)
    last_heartbeat_at: Mapped[datetime | None] = mapped_column(
        DateTime(timezone=True), nullable=True)
    # The provider's time of the newest presence event applied: polled reports older than this
    # are already known (from pushed events) and must not be applied twice.
    provider_seen_at: Mapped[datetime | None] = mapped_column(
        DateTime(timezone=True), nullable=True)


class Admission(TenantScoped, Base):
    """One admission from the lobby: who, when, by whom (never updated)."""

    __tablename__ = "lobby_admissions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    meeting_id: Mapped[str] = mapped_column(ForeignKey("meetings.id"), index=True)
    person_id: Mapped[str] = mapped_column(String(64))
    admitted_by: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
