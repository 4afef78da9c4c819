"""Storage of web sessions: created pending, activated with tokens, refreshed, ended."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, update

from ratsraum_common.db import Database
from ratsraum_common.secret_box import SecretBox
from ratsraum_meeting.signin.models import WebSession
from ratsraum_meeting.signin.oidc import Pending, TokenSet
from ratsraum_meeting.timeutil import now, utc

PENDING_MINUTES = 15


def hash_id(secret: str) -> str:
    """The stored form of a cookie's session secret."""
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class Who:
    """The signed-in person as the access token named them."""

    tenant: str
    subject: str
    name: str
    roles: list[str]
    access_expires_at: datetime


async def start(db: Database, *, pending: Pending, return_to: str) -> str:
    """A pending session for one sign-in attempt; returns the cookie's secret."""
    secret = secrets.token_urlsafe(32)
    moment = now()
    async with db.transaction(None) as session:
        await session.execute(delete(WebSession).where(WebSession.expires_at <= moment))
        session.add(WebSession(
            id_hash=hash_id(secret), status="pending", oauth_state=pending.state,
            nonce=pending.nonce, code_verifier=pending.verifier, return_to=return_to,
            roles=[], created_at=moment,
            expires_at=moment + timedelta(minutes=PENDING_MINUTES)))
    return secret


async def load(db: Database, secret: str, *, status: str) -> WebSession | None:
    """The session behind a cookie, if it exists in this status and has not expired."""
    if not secret or len(secret) > 128:
        return None
    async with db.system_session() as session:
        row = await session.get(WebSession, hash_id(secret))
    if row is None or row.status != status or utc(row.expires_at) <= now():
        return None
    return row


async def activate(
    db: Database, *, pending_secret: str, tokens: TokenSet, who: Who, lifetime: timedelta,
    box: SecretBox,
) -> tuple[str, str]:
    """Replace the pending session by an active one under a new id (no fixation).

    The refresh token is stored sealed with the box. Returns the new cookie secret and the
    session's CSRF token.
    """
    secret, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    moment = now()
    async with db.transaction(None) as session:
        await session.execute(delete(WebSession).where(
            WebSession.id_hash == hash_id(pending_secret)))
        session.add(WebSession(
            id_hash=hash_id(secret), status="active", tenant=who.tenant, subject=who.subject,
            name=who.name, roles=who.roles, access_token=tokens.access_token,
            refresh_token=box.seal(tokens.refresh_token), id_token=tokens.id_token,
            access_expires_at=who.access_expires_at, csrf_token=csrf, created_at=moment,
            expires_at=moment + lifetime))
    return secret, csrf


async def store_refreshed(
    db: Database, *, id_hash: str, old_refresh: str, tokens: TokenSet, who: Who,
    box: SecretBox,
) -> str | None:
    """Keep rotated tokens, unless another request refreshed this session first.

    old_refresh is the sealed value as stored (compared as is); returns the newly stored
    sealed refresh token, or None when another request got there first.
    """
    stored = box.seal(tokens.refresh_token) if tokens.refresh_token else old_refresh
    async with db.transaction(None) as session:
        changed = await session.execute(
            update(WebSession)
            .where(WebSession.id_hash == id_hash, WebSession.refresh_token == old_refresh)
            .values(access_token=tokens.access_token, refresh_token=stored,
                    id_token=tokens.id_token or WebSession.id_token, roles=who.roles,
                    name=who.name, access_expires_at=who.access_expires_at))
        return stored if changed.rowcount else None  # type: ignore[attr-defined]


async def end(db: Database, secret: str) -> WebSession | None:
    """Delete the session; returns what it held (for revocation at identity)."""
    if not secret or len(secret) > 128:
        return None
    async with db.transaction(None) as session:
        row = await session.get(WebSession, hash_id(secret))
        if row is not None:
            await session.delete(row)
    return row


async def end_by_hash(db: Database, id_hash: str) -> None:
    """Delete a session whose refresh token no longer works."""
    async with db.transaction(None) as session:
        await session.execute(delete(WebSession).where(WebSession.id_hash == id_hash))
