"""One citizen's request for a link into a meeting's public part."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from ratsraum_common.db import TenantScoped
from ratsraum_meeting.base import Base


class CitizenLink(TenantScoped, Base):
    """A request, confirmed by mail into a personal link for this meeting only.

    Tokens are kept only as SHA-256 hashes. The address and the network are kept only until
    the meeting is closed (then they are erased; the row stays for the clerk's count).
    """

    __tablename__ = "citizen_links"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    meeting_id: Mapped[str] = mapped_column(ForeignKey("meetings.id"), index=True)
    email: Mapped[str | None] = mapped_column(String(320), nullable=True, index=True)
    # The requester's network (IPv4 /24, IPv6 /64): the second limit on requests.
    network: Mapped[str | None] = mapped_column(String(64), nullable=True)
    confirm_hash: Mapped[str] = mapped_column(String(64), unique=True)
    link_hash: Mapped[str | None] = mapped_column(String(64), unique=True, nullable=True)
    # pending, active (confirmed), revoked (by the clerk), expired (meeting closed, erased)
    state: Mapped[str] = mapped_column(String(16), default="pending")
    requested_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    confirmed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    erased_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    # The guest's removal from the provider's room when the closed part last began:
    # removed, absent (not in the room), failed (provider error) or manual (the provider
    # cannot; the clerk must), with the provider's error for "failed".
    removal_state: Mapped[str | None] = mapped_column(String(16), nullable=True)
    removal_note: Mapped[str] = mapped_column(String(300), default="", server_default="")
    removal_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
