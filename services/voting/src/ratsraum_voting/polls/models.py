"""Tables of polls, their rolls, the current ballot per voter, and accepted cast requests."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column

from ratsraum_common.db import TenantScoped
from ratsraum_voting.db import Base

ID_LENGTH = 128


class Poll(TenantScoped, Base):
    """One vote on one motion. The internal key keeps poll ids of different towns apart."""

    __tablename__ = "polls"
    __table_args__ = (UniqueConstraint("tenant_id", "poll_id", name="uq_polls_tenant_poll"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    poll_id: Mapped[str] = mapped_column(String(36))
    meeting_id: Mapped[str] = mapped_column(String(ID_LENGTH))
    agenda_item_id: Mapped[str] = mapped_column(String(ID_LENGTH))
    title: Mapped[str] = mapped_column(Text)
    method: Mapped[str] = mapped_column(String(16))
    majority_rule: Mapped[str] = mapped_column(String(32))
    options: Mapped[list[dict[str, str]]] = mapped_column(JSON)
    statutory_members: Mapped[int | None] = mapped_column(Integer)
    public: Mapped[bool]
    roll_size: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(16))
    opened_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    closed_by: Mapped[str | None] = mapped_column(String(ID_LENGTH))
    # Frozen at close: counts per option, outcome, explanation, ballots cast.
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # Life cycle and elections (revision 0002_votelife).
    kind: Mapped[str] = mapped_column(String(16), default="motion", server_default="motion")
    cancel_reason: Mapped[str | None] = mapped_column(Text)
    void_reason: Mapped[str | None] = mapped_column(Text)
    rerun_of: Mapped[str | None] = mapped_column(String(36))
    rerun_poll_id: Mapped[str | None] = mapped_column(String(36))
    runoff_of: Mapped[str | None] = mapped_column(String(36))
    show_of_hands: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false()
    )
    published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    lot_seed: Mapped[str | None] = mapped_column(String(64))


class RollEntry(TenantScoped, Base):
    """A voter eligible in one poll (the roll is fixed when the poll opens)."""

    __tablename__ = "roll_entries"

    poll_pk: Mapped[str] = mapped_column(
        String(36), ForeignKey("polls.id", ondelete="CASCADE"), primary_key=True
    )
    voter_id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)


class Ballot(TenantScoped, Base):
    """The current ballot of one voter in one poll; a changed vote replaces the row.

    The primary key (poll, voter) is the constraint that makes a second counted ballot of
    the same voter impossible, whatever the interleaving of concurrent casts.
    """

    __tablename__ = "ballots"

    poll_pk: Mapped[str] = mapped_column(
        String(36), ForeignKey("polls.id", ondelete="CASCADE"), primary_key=True
    )
    voter_id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    ballot_id: Mapped[str] = mapped_column(String(36))
    option_id: Mapped[str] = mapped_column(String(ID_LENGTH))
    cast_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class CastRequest(TenantScoped, Base):
    """An accepted CastBallot call, kept so a retry with the same key gets the same answer."""

    __tablename__ = "cast_requests"
    __table_args__ = (
        UniqueConstraint("poll_pk", "idempotency_key", name="uq_cast_requests_poll_key"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # the ballot id answered
    poll_pk: Mapped[str] = mapped_column(String(36), ForeignKey("polls.id", ondelete="CASCADE"))
    idempotency_key: Mapped[str] = mapped_column(String(ID_LENGTH))
    voter_id: Mapped[str] = mapped_column(String(ID_LENGTH))
    option_id: Mapped[str] = mapped_column(String(ID_LENGTH))
    ballots_cast: Mapped[int] = mapped_column(Integer)
    accepted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class AuditEntry(TenantScoped, Base):
    """One link of a poll's hash chain; rows are only ever inserted (see audit/chain.py)."""

    __tablename__ = "audit_entries"

    poll_pk: Mapped[str] = mapped_column(
        String(36), ForeignKey("polls.id", ondelete="CASCADE"), primary_key=True
    )
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    event: Mapped[str] = mapped_column(String(32))
    body: Mapped[str] = mapped_column(Text)  # canonical JSON, hashed as stored
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
