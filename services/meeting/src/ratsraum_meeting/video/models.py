"""Which provider a town or body uses, the rooms created there, and members' accounts."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ratsraum_common.db import TenantScoped
from ratsraum_meeting.base import Base
from ratsraum_meeting.meetings.models import person_key

PROVIDERS = ("jitsi", "bbb", "webex", "teams")


class VideoConfig(TenantScoped, Base):
    """A provider for the town (body_id empty) or one body: non-secret options only.

    Secrets are never stored: `secret_env` maps a secret's name to the environment variable
    that holds it (e.g. {"secret": "RATSRAUM_VIDEO_SOEST_BBB"}).
    """

    __tablename__ = "video_configs"
    __table_args__ = (UniqueConstraint("tenant_id", "body_id", name="uq_video_config"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    body_id: Mapped[str] = mapped_column(String(36), default="")
    provider: Mapped[str] = mapped_column(String(16))
    options: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    secret_env: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)


class VideoRoom(TenantScoped, Base):
    """The provider meeting of one of our meetings, created on the first join."""

    __tablename__ = "video_rooms"
    __table_args__ = (UniqueConstraint("meeting_id", name="uq_video_room"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    meeting_id: Mapped[str] = mapped_column(ForeignKey("meetings.id"), index=True)
    provider: Mapped[str] = mapped_column(String(16))
    room_id: Mapped[str] = mapped_column(String(200))
    join_url: Mapped[str] = mapped_column(String(2000))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class VideoIdentity(TenantScoped, Base):
    """A member's own account at a provider (Teams: Entra user id; Webex: email)."""

    __tablename__ = "video_identities"
    __table_args__ = (
        UniqueConstraint("tenant_id", "person_id", "provider", name="uq_video_identity"),
        person_key("video_identities"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    person_id: Mapped[str] = mapped_column(String(64), index=True)
    provider: Mapped[str] = mapped_column(String(16))
    external_id: Mapped[str] = mapped_column(String(320), index=True)


class VideoSubscription(TenantScoped, Base):
    """A provider's push registration for a meeting, kept alive until the meeting closes."""

    __tablename__ = "video_subscriptions"
    __table_args__ = (UniqueConstraint("provider", "subscription_id",
                                       name="uq_video_subscription"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    meeting_id: Mapped[str] = mapped_column(ForeignKey("meetings.id"), index=True)
    provider: Mapped[str] = mapped_column(String(16))
    subscription_id: Mapped[str] = mapped_column(String(300))
    topic: Mapped[str] = mapped_column(String(2000), default="")
    # None: the registration does not expire (Webex), but is still checked now and then.
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    checked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
