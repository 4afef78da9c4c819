"""Tables of secret polls: the poll with its running encrypted tally, the roll, the ballots.

The roll says *that* a member voted (a flag, no time); ballots carry a random id and no
voter and no time, so no column joins one to the other.
"""

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
from ratsraum_voting.polls.models import ID_LENGTH


class SecretPoll(TenantScoped, Base):
    """A secret poll: manifest, election context, guardians, running tally and result."""

    __tablename__ = "secret_polls"
    __table_args__ = (
        UniqueConstraint("tenant_id", "poll_id", name="uq_secret_polls_tenant_poll"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    poll_id: Mapped[str] = mapped_column(String(36))
    meeting_id: Mapped[str] = mapped_column(String(ID_LENGTH))
    title: Mapped[str] = mapped_column(Text)
    majority_rule: Mapped[str] = mapped_column(String(32))
    options: Mapped[list[list[str]]] = mapped_column(JSON)
    statutory_members: Mapped[int | None] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(16))
    ceremony_id: Mapped[str] = mapped_column(String(128))
    manifest_json: Mapped[str] = mapped_column(Text)
    context_json: Mapped[str] = mapped_column(Text)
    # Public guardian records (ElectionGuard JSON), one per guardian, in sequence order.
    guardians: Mapped[list[str]] = mapped_column(JSON)
    # Running encrypted tally: selection id -> [pad hex, data hex] (product of all ballots).
    tally: Mapped[dict[str, list[str]]] = mapped_column(JSON)
    ballots_cast: Mapped[int] = mapped_column(Integer, default=0)
    opened_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    record_sha256: Mapped[str | None] = mapped_column(String(64))
    # Life cycle and elections (revision 0004_secret_more), as for open polls.
    agenda_item_id: Mapped[str] = mapped_column(String(ID_LENGTH), default="",
                                                server_default="")
    public: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    kind: Mapped[str] = mapped_column(String(16), default="motion", server_default="motion")
    closed_by: Mapped[str | None] = mapped_column(String(ID_LENGTH))
    cancel_reason: Mapped[str | None] = mapped_column(Text)
    void_reason: Mapped[str | None] = mapped_column(Text)
    rerun_of: Mapped[str | None] = mapped_column(String(36))
    rerun_poll_id: Mapped[str | None] = mapped_column(String(36))
    runoff_of: Mapped[str | None] = mapped_column(String(36))
    # A tied election commits to this seed's SHA-256 at close; DrawSecretLot reveals it.
    lot_seed: Mapped[str | None] = mapped_column(String(64))


class SecretRollEntry(TenantScoped, Base):
    """An eligible voter and whether they voted; never what, never when."""

    __tablename__ = "secret_roll"

    poll_pk: Mapped[str] = mapped_column(
        String(36), ForeignKey("secret_polls.id", ondelete="CASCADE"), primary_key=True
    )
    voter_id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    voted: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class SecretBallot(TenantScoped, Base):
    """A cast encrypted ballot: random id, its confirmation code, the ElectionGuard JSON."""

    __tablename__ = "secret_ballots"
    __table_args__ = (
        UniqueConstraint("poll_pk", "code", name="uq_secret_ballots_poll_code"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    poll_pk: Mapped[str] = mapped_column(
        String(36), ForeignKey("secret_polls.id", ondelete="CASCADE")
    )
    code: Mapped[str] = mapped_column(String(64))
    ballot_json: Mapped[str] = mapped_column(Text)


class SecretAuditEntry(TenantScoped, Base):
    """One link of a secret poll's hash chain (rules in audit/chain.py); insert-only.

    Ballot entries carry the ballot's hash and confirmation code, never a voter, and are
    chained at close sorted by code, so their order says nothing about who cast them.
    """

    __tablename__ = "secret_audit_entries"

    poll_pk: Mapped[str] = mapped_column(
        String(36), ForeignKey("secret_polls.id", ondelete="CASCADE"), primary_key=True
    )
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    event: Mapped[str] = mapped_column(String(32))
    body: Mapped[str] = mapped_column(Text)  # canonical JSON, hashed as stored
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
