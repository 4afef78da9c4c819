"""The portal's own SQLAlchemy base and its record of processed events."""

from __future__ import annotations

from sqlalchemy.orm import DeclarativeBase

from ratsraum_common.nats import DeadLetterRecord, ProcessedEventRecord


class Base(DeclarativeBase):
    """Declarative base for every table in the portal's database."""


class ProcessedEvent(ProcessedEventRecord, Base):
    """Event ids the read-model consumer has applied (exactly-once effects)."""


class DeadLetter(DeadLetterRecord, Base):
    """Events the read-model consumer refused or gave up on, kept for the operator."""
