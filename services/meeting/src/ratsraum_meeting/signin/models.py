"""Server-side sessions of the web app; the browser holds only a random id in a cookie."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, Boolean, DateTime, PrimaryKeyConstraint, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ratsraum_meeting.base import Base


class WebSession(Base):
    """One browser's sign-in: pending (between /auth/login and the callback) or active.

    Not tenant-scoped: a session exists before anyone knows the town. Lookups go by the
    SHA-256 of the cookie's secret, so a database reader cannot take over a session. The
    tokens stay on the server; the page never sees them.
    """

    __tablename__ = "web_sessions"

    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    status: Mapped[str] = mapped_column(String(10))  # pending | active
    # Pending: what the callback checks.
    oauth_state: Mapped[str] = mapped_column(String(100), default="")
    nonce: Mapped[str] = mapped_column(String(100), default="")
    code_verifier: Mapped[str] = mapped_column(String(128), default="")
    return_to: Mapped[str] = mapped_column(String(2000), default="/")
    # Active: who, and the tokens identity issued.
    tenant: Mapped[str] = mapped_column(String(63), default="")
    subject: Mapped[str] = mapped_column(String(255), default="", index=True)
    name: Mapped[str] = mapped_column(String(300), default="")
    roles: Mapped[list[str]] = mapped_column(JSON, default=list)
    access_token: Mapped[str] = mapped_column(Text, default="")
    refresh_token: Mapped[str] = mapped_column(Text, default="")
    id_token: Mapped[str] = mapped_column(Text, default="")
    access_expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    csrf_token: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class AccessRevocation(Base):
    """Access tokens identity voided before they expire, from its events.

    Per account (`subject` its tokens' `sub`): tokens issued before `not_before_ms` no longer
    count. Per town (`subject` ""): the same, and while `blocked` (suspended, deleted) none do.
    """

    __tablename__ = "access_revocations"
    __table_args__ = (PrimaryKeyConstraint("tenant_id", "subject"),)

    tenant_id: Mapped[str] = mapped_column(String(63))
    subject: Mapped[str] = mapped_column(String(255))
    not_before_ms: Mapped[int] = mapped_column(BigInteger)
    blocked: Mapped[bool] = mapped_column(Boolean, default=False)
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
