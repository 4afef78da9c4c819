"""Personal links: a random token per mail, stored only as its SHA-256."""

from __future__ import annotations

import hashlib
import secrets
from urllib.parse import quote

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ratsraum_meeting.invitations.models import InvitationDelivery


def mint_token() -> str:
    """A fresh unguessable token (256 bits)."""
    return secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    """The stored form of a token."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def personal_link(*, base_url: str, meeting_id: str, token: str) -> str:
    """The member's personal entry into Ratsraum for this meeting."""
    return f"{base_url.rstrip('/')}/sitzungen/{quote(meeting_id)}?einladung={quote(token)}"


async def find_invitation(
    session: AsyncSession, *, meeting_id: str, token: str
) -> InvitationDelivery | None:
    """The delivered invitation a personal link belongs to, or None if it is not valid.

    For the join endpoint: valid while the meeting's invitations are not cancelled.
    """
    delivery = await session.scalar(
        select(InvitationDelivery).where(InvitationDelivery.token_hash == hash_token(token))
    )
    if delivery is None or delivery.meeting_id != meeting_id or delivery.status != "sent":
        return None
    cancelled = await session.scalar(
        select(InvitationDelivery.id).where(
            InvitationDelivery.meeting_id == meeting_id,
            InvitationDelivery.kind == "cancellation",
        ).limit(1)
    )
    return None if cancelled else delivery
