"""What meeting last published of each public master-data record (to send only changes)."""

from __future__ import annotations

from sqlalchemy import PrimaryKeyConstraint, String
from sqlalchemy.orm import Mapped, mapped_column

from ratsraum_common.db import TenantScoped
from ratsraum_meeting.base import Base


class PublishedRecord(TenantScoped, Base):
    """The digest of a record as last published; a row without a record now means 'deleted'."""

    __tablename__ = "published_records"
    __table_args__ = (PrimaryKeyConstraint("tenant_id", "kind", "id", name="pk_published_records"),)

    kind: Mapped[str] = mapped_column(String(24))
    id: Mapped[str] = mapped_column(String(64))
    # SHA-256 of the canonical JSON; "" once the record was published as deleted.
    digest: Mapped[str] = mapped_column(String(64))
