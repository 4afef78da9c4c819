"""Read-model tables of public master data: one row per record, and who refers to whom."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, Index, PrimaryKeyConstraint, String
from sqlalchemy.orm import Mapped, mapped_column

from ratsraum_common.db import TenantScoped
from ratsraum_portal.base import Base


class PublicRecord(TenantScoped, Base):
    """One public object of a town (organization, person, paper, file, agenda item, ...).

    A deleted or no longer public object stays as a stub (`deleted`, empty data), so OParl
    clients that sync by `modified_since` learn that it is gone.
    """

    __tablename__ = "public_records"
    __table_args__ = (
        PrimaryKeyConstraint("tenant_id", "kind", "id", name="pk_public_records"),
        Index("ix_public_records_listing", "tenant_id", "kind", "created_at", "id"),
    )

    kind: Mapped[str] = mapped_column(String(24))
    # Agenda items are named "<meeting id>-<item id>" (an item id is unique in its meeting).
    id: Mapped[str] = mapped_column(String(128))
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    modified_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class PublicRecordRef(TenantScoped, Base):
    """A record naming another object (a file hanging on a paper, a seat of a person).

    Kept so an object can list what refers to it (a person's memberships, a paper's files)
    without scanning every record.
    """

    __tablename__ = "public_record_refs"
    __table_args__ = (
        PrimaryKeyConstraint("tenant_id", "kind", "id", "ref_kind", "ref_id", "role",
                             name="pk_public_record_refs"),
        Index("ix_public_record_refs_target", "tenant_id", "ref_kind", "ref_id"),
    )

    kind: Mapped[str] = mapped_column(String(24))
    id: Mapped[str] = mapped_column(String(128))
    ref_kind: Mapped[str] = mapped_column(String(24))
    ref_id: Mapped[str] = mapped_column(String(128))
    role: Mapped[str] = mapped_column(String(24), default="")
