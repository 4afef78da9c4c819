"""The declarative base of meeting's own database, with its outbox and consumer tables."""

from __future__ import annotations

from sqlalchemy.orm import DeclarativeBase

from ratsraum_common.nats import DeadLetterRecord, ProcessedEventRecord
from ratsraum_common.outbox import OutboxRecord


class Base(DeclarativeBase):
    """Base of every table meeting owns."""


class OutboxMessage(OutboxRecord, Base):
    """Events written with the change, published by the relay."""


class ProcessedEvent(ProcessedEventRecord, Base):
    """Event ids meeting's consumers have handled."""


class DeadLetter(DeadLetterRecord, Base):
    """Events meeting's consumers refused or gave up on, kept for the operator."""
