"""A body's choice of rule profile beyond its preset: its kind and the town's overrides."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, String
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
