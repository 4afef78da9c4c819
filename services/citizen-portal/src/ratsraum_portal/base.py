"""The portal's own SQLAlchemy base and its record of processed events."""

from __future__ import annotations

from sqlalchemy.orm import DeclarativeBase

from ratsraum_common.nats import ProcessedEventRecord


class Base(DeclarativeBase):
    """Declarative base for every table in the portal's database."""


class ProcessedEvent(ProcessedEventRecord, Base):
    """Event ids the read-model consumer has applied (exactly-once effects)."""
