"""The declarative base of identity's own database, with its outbox."""

from __future__ import annotations

from sqlalchemy.orm import DeclarativeBase

from ratsraum_common.outbox import OutboxRecord


class Base(DeclarativeBase):
    """Base of all identity tables."""


class OutboxMessage(OutboxRecord, Base):
    """Events written with the change (an account deactivated, a town suspended), published by
    the relay."""
