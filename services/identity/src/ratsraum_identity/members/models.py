"""A person's standing in one town: account state, person link, roles per body, mail links."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ratsraum_common.db import TenantScoped
from ratsraum_identity.base import Base


class TownMember(TenantScoped, Base):
    """An account's membership of one town: invited, active or deactivated."""

    __tablename__ = "town_member"
    __table_args__ = (UniqueConstraint("tenant_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    user_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[str] = mapped_column(String(16))  # invited | active | deactivated
    # The person in meeting (imported from OParl) this account stands for in this town.
    person_id: Mapped[str | None] = mapped_column(String(64))
    # The name this town gave the person (an account shared by towns shows each its own).
    name: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class BodyRole(TenantScoped, Base):
    """One role an account holds in one body (Gremium) of a town."""

    __tablename__ = "body_role"
    __table_args__ = (UniqueConstraint("tenant_id", "user_id", "body_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    user_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    body_id: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(20))


class MailLink(TenantScoped, Base):
    """A single-use link sent by mail (invitation or password reset), stored as SHA-256."""

    __tablename__ = "mail_link"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    purpose: Mapped[str] = mapped_column(String(16))  # invite | reset
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
