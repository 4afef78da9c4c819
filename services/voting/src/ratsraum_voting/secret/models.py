"""Tables of secret polls: the poll with its running encrypted tally, the roll, the ballots.

The roll says *that* a member voted (a flag, no time); ballots carry a random id and no
voter and no time, so no column joins one to the other. Neither may the storage order: the
ballots' table has no rowid on SQLite (rows sit in the order of their random id), and every
cast rewrites the whole roll of its poll, so on PostgreSQL every live roll row carries the
latest cast's transaction id (xmin), not its own voter's (see docs/security.md for what
remains: dead row versions until VACUUM, the write-ahead log).
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
    LargeBinary,
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
    """A cast encrypted ballot: random id, its own hash, its confirmation code, the JSON.

    A ballot is known by the SHA-256 of its JSON (a replay is the same ballot again) and by
    ElectionGuard's object id (the tally needs it unique); its confirmation code is short
    (16 bits in ElectionGuard's test group) and two voters' ballots may share one.
    """

    __tablename__ = "secret_ballots"
    __table_args__ = (
        UniqueConstraint("poll_pk", "ballot_hash", name="uq_secret_ballots_poll_hash"),
        UniqueConstraint("poll_pk", "object_id", name="uq_secret_ballots_poll_object"),
        {"sqlite_with_rowid": False},
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    poll_pk: Mapped[str] = mapped_column(
        String(36), ForeignKey("secret_polls.id", ondelete="CASCADE")
    )
    ballot_hash: Mapped[str] = mapped_column(String(64))
    object_id: Mapped[str] = mapped_column(String(255))
    code: Mapped[str] = mapped_column(String(64), index=True)
    ballot_json: Mapped[str] = mapped_column(Text)


class SecretRecordFile(TenantScoped, Base):
    """One file of a closed poll's published election record, kept in the database.

    Every replica and every restart finds the record here; its digest (SHA256SUMS' SHA-256)
    is in the poll row and the audit chain.
    """

    __tablename__ = "secret_record_files"

    poll_pk: Mapped[str] = mapped_column(
        String(36), ForeignKey("secret_polls.id", ondelete="CASCADE"), primary_key=True
    )
    path: Mapped[str] = mapped_column(String(255), primary_key=True)
    content: Mapped[bytes] = mapped_column(LargeBinary)


class SecretAuditEntry(TenantScoped, Base):
    """One link of a secret poll's hash chain (rules in audit/chain.py); insert-only.

    Ballot entries carry the ballot's hash and confirmation code, never a voter, and are
    chained at close sorted by hash, so their order says nothing about who cast them.
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
