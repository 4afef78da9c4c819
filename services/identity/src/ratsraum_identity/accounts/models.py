"""Towns, people and their roles per town."""

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
    UniqueConstraint,
    func,
)
from sqlalchemy import false as sa_false
from sqlalchemy import true as sa_true
from sqlalchemy.orm import Mapped, mapped_column

from ratsraum_common.db import TenantScoped
from ratsraum_identity.base import Base


class Tenant(Base):
    """A town served by the platform; its id is the slug used everywhere."""

    __tablename__ = "tenant"

    id: Mapped[str] = mapped_column(String(63), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    # The town decides who must sign in with a second factor: staff (admin, clerk) by
    # default, members only if the town asks for it.
    staff_mfa_required: Mapped[bool] = mapped_column(Boolean, server_default=sa_true())
    member_mfa_required: Mapped[bool] = mapped_column(Boolean, server_default=sa_false())
    # Official municipality key (Amtlicher Gemeindeschlüssel, 8 digits) and the state preset
    # of meeting's rules; empty for towns seeded before the operator API existed.
    ags: Mapped[str | None] = mapped_column(String(8), unique=True)
    state: Mapped[str | None] = mapped_column(String(8))
    # "active" or "suspended": nobody of a suspended town signs in or refreshes a token.
    status: Mapped[str] = mapped_column(String(16), server_default="active")


class User(Base):
    """A person who signs in; one account may hold roles in several towns."""

    __tablename__ = "user_account"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # the token subject
    username: Mapped[str] = mapped_column(String(100), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(255))
    # Where invitations and resets go (lower case); invited accounts sign in with it.
    email: Mapped[str | None] = mapped_column(String(320), unique=True)
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )


class TenantRole(TenantScoped, Base):
    """One role a person holds in one town."""

    __tablename__ = "tenant_role"
    __table_args__ = (UniqueConstraint("tenant_id", "user_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    user_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[str] = mapped_column(String(20))


class TotpCredential(Base):
    """A person's authenticator app (RFC 6238); confirmed once a code from it was entered."""

    __tablename__ = "totp_credential"

    user_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True
    )
    secret: Mapped[str] = mapped_column(String(255))  # encrypted (ratsraum_common.secret_box)
    # The last time step a code was accepted for: no code works twice.
    last_step: Mapped[int] = mapped_column(Integer, default=0)
    confirmed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class RecoveryCode(Base):
    """A one-time recovery code, stored as SHA-256 hash (the codes are random, 64 bits)."""

    __tablename__ = "recovery_code"

    code_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class AuditEvent(Base):
    """Something security-relevant that happened: sign-in, failure, second factor, sign-out.

    Kept apart from tenant scoping on purpose: a failure may name no town, and the provider's
    security officer reads across towns. Each row still names its town where there is one.
    """

    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    event: Mapped[str] = mapped_column(String(60))
    tenant_id: Mapped[str | None] = mapped_column(String(63), index=True)
    actor: Mapped[str | None] = mapped_column(String(36))
    client: Mapped[str | None] = mapped_column(String(64))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON)
