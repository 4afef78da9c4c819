"""The portal's own SQLAlchemy base and its record of processed events."""

from __future__ import annotations

from ratsraum_common.nats import ProcessedEventRecord
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    """Declarative base for every table in the portal's database."""


class ProcessedEvent(ProcessedEventRecord, Base):
    """Event ids the read-model consumer has applied (exactly-once effects)."""
