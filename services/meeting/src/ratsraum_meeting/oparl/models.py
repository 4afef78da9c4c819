"""Where a town imports from, and the report of every import run."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ratsraum_common.db import TenantScoped
from ratsraum_meeting.base import Base


class OParlSource(TenantScoped, Base):
    """An OParl system a town imports from; remembers the last complete sync."""

    __tablename__ = "oparl_sources"
    __table_args__ = (UniqueConstraint("tenant_id", "system_url", name="uq_oparl_sources_url"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    system_url: Mapped[str] = mapped_column(String(500))
    body_url: Mapped[str | None] = mapped_column(String(500))
    # Start of the last run that fetched every list; the next run asks only for changes since.
    last_synced_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class OParlImport(TenantScoped, Base):
    """One import run and its report (counts, repaired defects, skipped objects)."""

    __tablename__ = "oparl_imports"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    source_id: Mapped[str] = mapped_column(ForeignKey("oparl_sources.id"), index=True)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column(String(16))
    modified_since: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    report: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    started_by: Mapped[str] = mapped_column(String(64))
