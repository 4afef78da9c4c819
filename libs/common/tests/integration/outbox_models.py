"""Tables shared by the outbox crash test and the child process it kills."""

from __future__ import annotations

from sqlalchemy import String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from ratsraum_common.db import TenantScoped
from ratsraum_common.nats import ProcessedEventRecord
from ratsraum_common.outbox import OutboxRecord


class Base(DeclarativeBase):
    pass


class OutboxMessage(OutboxRecord, Base):
    pass


class ProcessedEvent(ProcessedEventRecord, Base):
    pass


class Decision(TenantScoped, Base):
    """The change the event announces (written in the same transaction)."""

    __tablename__ = "decisions"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    text: Mapped[str] = mapped_column(String(200))


class Received(TenantScoped, Base):
    """What the consuming side recorded: one row per effect it applied."""

    __tablename__ = "received"
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    event_id: Mapped[str] = mapped_column(String(64))
