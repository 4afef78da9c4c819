"""Single-use links sent by mail (invitation, password reset).

A link token is `<tenant>.<random>` like refresh tokens, so it is looked up in a session
scoped to its town; only its SHA-256 hash is stored. Redeeming claims it atomically, so a
link works once even when clicked twice at the same moment.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from ratsraum_common.db import TENANT_PATTERN, Database
from ratsraum_identity.members.models import MailLink


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Claimed:
    """A link that was valid and is now used."""

    tenant: str
    user_id: str
    purpose: str


async def issue(
    session: AsyncSession, *, tenant: str, user_id: str, purpose: str, lifetime: timedelta
) -> tuple[str, datetime]:
    """A new link token for the person (earlier unused links of this purpose stop working)."""
    now = datetime.now(UTC)
    await session.execute(
        update(MailLink)
        .where(MailLink.user_id == user_id, MailLink.purpose == purpose,
               MailLink.used_at.is_(None))
        .values(used_at=now)
    )
    token = f"{tenant}.{secrets.token_urlsafe(32)}"
    expires = now + lifetime
    session.add(MailLink(token_hash=_hash(token), tenant_id=tenant, user_id=user_id,
                         purpose=purpose, expires_at=expires))
    return token, expires


async def peek(db: Database, *, token: str) -> Claimed | None:
    """The link's owner and purpose if it is still usable (not claimed)."""
    tenant = tenant_of(token)
    if tenant is None:
        return None
    async with db.tenant_session(tenant) as session:
        row = await session.get(MailLink, _hash(token))
        if row is None or row.used_at is not None or _utc(row.expires_at) <= datetime.now(UTC):
            return None
        return Claimed(tenant=tenant, user_id=row.user_id, purpose=row.purpose)


async def claim(session: AsyncSession, *, token: str, tenant: str) -> Claimed | None:
    """Use the link (once); None if unknown, used, expired or not of this town."""
    now = datetime.now(UTC)
    hashed = _hash(token)
    claimed = await session.execute(
        update(MailLink)
        .where(MailLink.token_hash == hashed, MailLink.used_at.is_(None))
        .values(used_at=now)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        return None
    row = await session.get(MailLink, hashed)
    # Expiry is checked here rather than in SQL: SQLite keeps datetimes without a zone.
    if row is None or _utc(row.expires_at) <= now:
        return None
    return Claimed(tenant=tenant, user_id=row.user_id, purpose=row.purpose)


async def revoke_all(session: AsyncSession, *, user_id: str) -> None:
    """Every unused link of the person in this town stops working."""
    await session.execute(
        update(MailLink)
        .where(MailLink.user_id == user_id, MailLink.used_at.is_(None))
        .values(used_at=datetime.now(UTC))
    )


def tenant_of(token: str) -> str | None:
    """The town a link token belongs to, if well-formed."""
    tenant, dot, rest = token.partition(".")
    return tenant if dot and 20 <= len(rest) <= 100 and TENANT_PATTERN.match(tenant) else None
