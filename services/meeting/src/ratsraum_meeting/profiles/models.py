"""A body's choice of rule profile beyond its preset: its kind and the town's overrides."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ratsraum_common.db import TenantScoped
from ratsraum_meeting.base import Base


class BodyRuleSettings(TenantScoped, Base):
    """Kind and rule overrides of one body; the preset itself is Body.rule_profile."""

    __tablename__ = "body_rule_settings"

    body_id: Mapped[str] = mapped_column(ForeignKey("bodies.id"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(32), default="committee")
    overrides: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    updated_by: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class HybridConditions(TenantScoped, Base):
    """What was recorded for one meeting so that it may run with remote members.

    The law decides which of these a session needs (docs/law.md, "Sessions"); the minutes
    reproduce them. `item_kinds` marks bylaw and budget bylaw items ({item id: kind});
    `remote_members` holds each remote member's consent and reasoned request
    ({person id: {"consent": bool, "reason": str}}).
    """

    __tablename__ = "meeting_hybrid_conditions"

    meeting_id: Mapped[str] = mapped_column(ForeignKey("meetings.id"), primary_key=True)
    emergency_declared_on: Mapped[date | None] = mapped_column(Date)
    emergency_declared_by: Mapped[str | None] = mapped_column(String(32))
    emergency_note: Mapped[str] = mapped_column(String(500), default="")
    emergency_confirmed_on: Mapped[date | None] = mapped_column(Date)
    two_thirds_decided_on: Mapped[date | None] = mapped_column(Date)
    two_thirds_yes: Mapped[int | None] = mapped_column(Integer)
    supervisory_notified_on: Mapped[date | None] = mapped_column(Date)
    constituent_session: Mapped[bool] = mapped_column(Boolean, default=False)
    item_kinds: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    remote_members: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    recorded_by: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
