"""One-time tickets for the live stream, kept in the database so any replica can redeem them.

EventSource cannot send an Authorization header, so a client first asks for a ticket with
its token and then opens `GET .../live?ticket=`. Only a hash of the ticket is stored; the
ticket names its town so the redeeming replica looks in that town's rows only; a ticket is
used up by one atomic DELETE, so two replicas racing for it cannot both win.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import JSON, DateTime, Integer, String, UniqueConstraint, delete
from sqlalchemy.orm import Mapped, mapped_column

from ratsraum_common.auth import Principal
from ratsraum_common.db import Database, TenantScoped, validate_tenant
from ratsraum_meeting.base import Base
from ratsraum_meeting.timeutil import now as utcnow
from ratsraum_meeting.timeutil import utc

TICKET_SECONDS = 60.0
_SEPARATOR = "."  # not in token_urlsafe's alphabet, nor in a tenant id


class LiveTicket(TenantScoped, Base):
    """An issued, not yet redeemed ticket: the caller it stands for, one meeting, a deadline."""

    __tablename__ = "live_tickets"
    __table_args__ = (UniqueConstraint("token_hash", name="uq_live_ticket"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    token_hash: Mapped[str] = mapped_column(String(64))
    meeting_id: Mapped[str] = mapped_column(String(36))
    subject: Mapped[str] = mapped_column(String(255))
    name: Mapped[str] = mapped_column(String(300), default="")
    roles: Mapped[list[str]] = mapped_column(JSON, default=list)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class InvalidTicket(LookupError):
    """Unknown, already used, expired, for another meeting, or malformed."""


def _hash(secret: str) -> str:
    # The secret has 256 random bits: a plain SHA-256 cannot be reversed by guessing.
    return hashlib.sha256(secret.encode()).hexdigest()


async def issue(
    db: Database, *, principal: Principal, meeting_id: str, at: datetime | None = None
) -> str:
    """A new ticket for this caller and meeting, valid for TICKET_SECONDS from `at`."""
    moment = at or utcnow()
    secret = secrets.token_urlsafe(32)
    async with db.transaction(principal.tenant) as session:
        # Tidy up the town's unredeemed leftovers while we are here.
        await session.execute(delete(LiveTicket).where(
            LiveTicket.tenant_id == principal.tenant, LiveTicket.expires_at <= utcnow()))
        session.add(LiveTicket(
            token_hash=_hash(secret), meeting_id=meeting_id, subject=principal.subject,
            name=principal.name, roles=sorted(principal.roles),
            expires_at=moment + timedelta(seconds=TICKET_SECONDS)))
    return f"{principal.tenant}{_SEPARATOR}{secret}"


async def redeem(db: Database, ticket: str, *, meeting_id: str) -> Principal:
    """The ticket's caller, exactly once; InvalidTicket otherwise."""
    tenant, _, secret = ticket.partition(_SEPARATOR)
    try:
        validate_tenant(tenant)
    except ValueError:
        raise InvalidTicket from None
    if not secret:
        raise InvalidTicket
    async with db.transaction(tenant) as session:
        # One statement finds and consumes the ticket: of two concurrent redemptions (on any
        # replicas) only one gets the row back.
        row: Any = (await session.execute(
            delete(LiveTicket).where(LiveTicket.tenant_id == tenant,
                                     LiveTicket.token_hash == _hash(secret))
            .returning(LiveTicket.meeting_id, LiveTicket.subject, LiveTicket.name,
                       LiveTicket.roles, LiveTicket.expires_at)
            .execution_options(synchronize_session=False))).first()
    if row is None or row.meeting_id != meeting_id or utc(row.expires_at) <= utcnow():
        raise InvalidTicket
    return Principal(subject=row.subject, tenant=tenant, roles=frozenset(row.roles),
                     name=row.name)
