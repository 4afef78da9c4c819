"""Storage of authorization codes and refresh tokens.

Both carry the town in a readable prefix (`<tenant>.<random>`), so every lookup runs in a
session scoped to that town. Only SHA-256 hashes are stored. Both are claimed atomically on
first use, so two concurrent redemptions cannot both succeed.

The refresh tokens descending from one authorization code form a family (they share its
`code_hash`). Presenting a token of the family that was already used or revoked means someone
else holds a copy, so the whole family is revoked (RFC 9700 section 4.14.2). A family also
ends at the absolute session limit, counted from the moment the person signed in.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import update

from ratsraum_common.db import TENANT_PATTERN, Database
from ratsraum_common.logging import get_logger
from ratsraum_identity.accounts import audit
from ratsraum_identity.accounts.service import SignedInUser
from ratsraum_identity.oauth.models import AuthorizationCode, RefreshToken

log = get_logger(__name__)


def token_hash(value: str) -> str:
    """The stored form of a code or refresh token."""
    return hashlib.sha256(value.encode()).hexdigest()


def tenant_of(value: str) -> str | None:
    """The town a code or refresh token belongs to, if its prefix is well-formed."""
    tenant, dot, rest = value.partition(".")
    return tenant if dot and rest and TENANT_PATTERN.match(tenant) else None


def _utc(moment: datetime) -> datetime:
    # SQLite hands back naive datetimes; everything we store is UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class StoredCode:
    """A redeemed authorization code, in the shape Authlib's grants and extensions read."""

    code_hash: str
    tenant: str
    client_id: str
    user_id: str
    redirect_uri: str
    scope: str
    nonce: str | None
    code_challenge: str | None
    code_challenge_method: str | None
    auth_time: int
    amr: tuple[str, ...]

    def get_redirect_uri(self) -> str:
        """The redirect URI the code was issued for."""
        return self.redirect_uri

    def get_scope(self) -> str:
        """The granted scope."""
        return self.scope

    def get_nonce(self) -> str | None:
        """The OIDC nonce to echo in the ID token."""
        return self.nonce

    def get_auth_time(self) -> int:
        """When the person signed in (epoch seconds)."""
        return self.auth_time

    def get_acr(self) -> str | None:
        """No authentication context classes yet."""
        return None

    def get_amr(self) -> list[str]:
        """How the person signed in (RFC 8176)."""
        return list(self.amr)


@dataclass(frozen=True, slots=True)
class StoredRefreshToken:
    """A claimed refresh token."""

    token_hash: str
    tenant: str
    client_id: str
    user_id: str
    scope: str
    auth_time: int
    amr: tuple[str, ...]
    code_hash: str | None

    def check_client(self, client: object) -> bool:
        """True if the token was issued to this client."""
        return getattr(client, "client_id", None) == self.client_id

    def get_scope(self) -> str:
        """The granted scope."""
        return self.scope


async def save_code(
    db: Database, *, code: str, client_id: str, redirect_uri: str, scope: str,
    user: SignedInUser, nonce: str | None, code_challenge: str | None,
    code_challenge_method: str | None, lifetime_seconds: int,
) -> None:
    """Store a freshly issued authorization code."""
    async with db.transaction(user.tenant) as session:
        session.add(AuthorizationCode(
            code_hash=token_hash(code), client_id=client_id, user_id=user.subject,
            redirect_uri=redirect_uri, scope=scope, nonce=nonce,
            code_challenge=code_challenge, code_challenge_method=code_challenge_method,
            auth_time=user.auth_time, amr=list(user.amr),
            expires_at=datetime.now(UTC) + timedelta(seconds=lifetime_seconds),
        ))


async def redeem_code(db: Database, *, code: str, client_id: str) -> StoredCode | None:
    """Claim the code for this client; None if unknown, expired, or used before.

    A second use revokes the refresh tokens the first use produced (RFC 6749 section 4.1.2).
    """
    tenant = tenant_of(code)
    if tenant is None:
        return None
    hashed = token_hash(code)
    now = datetime.now(UTC)
    async with db.transaction(tenant) as session:
        claimed = await session.execute(
            update(AuthorizationCode)
            .where(AuthorizationCode.code_hash == hashed, AuthorizationCode.used_at.is_(None))
            .values(used_at=now)
        )
        row = await session.get(AuthorizationCode, hashed)
        if row is None:
            return None
        if claimed.rowcount != 1:  # type: ignore[attr-defined]
            log.warning("identity.code_replayed", tenant=tenant, client_id=row.client_id)
            await session.execute(
                update(RefreshToken)
                .where(RefreshToken.code_hash == hashed, RefreshToken.revoked_at.is_(None))
                .values(revoked_at=now)
            )
            return None
        if row.client_id != client_id or _utc(row.expires_at) <= now:
            return None
        return StoredCode(
            code_hash=hashed, tenant=tenant, client_id=row.client_id, user_id=row.user_id,
            redirect_uri=row.redirect_uri, scope=row.scope, nonce=row.nonce,
            code_challenge=row.code_challenge, code_challenge_method=row.code_challenge_method,
            auth_time=row.auth_time, amr=tuple(row.amr),
        )


async def save_refresh_token(
    db: Database, *, token: str, client_id: str, user: SignedInUser, scope: str,
    code_hash: str | None, lifetime_seconds: int, session_max_seconds: int,
) -> None:
    """Store a freshly issued refresh token (never valid past the session limit)."""
    now = datetime.now(UTC)
    session_end = datetime.fromtimestamp(user.auth_time + session_max_seconds, UTC)
    async with db.transaction(user.tenant) as session:
        session.add(RefreshToken(
            token_hash=token_hash(token), client_id=client_id, user_id=user.subject,
            scope=scope, auth_time=user.auth_time, amr=list(user.amr), code_hash=code_hash,
            issued_at=now,
            expires_at=min(now + timedelta(seconds=lifetime_seconds), session_end),
        ))


async def claim_refresh_token(
    db: Database, *, token: str, session_max_seconds: int
) -> StoredRefreshToken | None:
    """Revoke the refresh token and return it, if it was valid (each one works once).

    A token that was used or revoked before revokes its whole family; a session past its
    absolute limit is refused.
    """
    tenant = tenant_of(token)
    if tenant is None:
        return None
    hashed = token_hash(token)
    now = datetime.now(UTC)
    async with db.transaction(tenant) as session:
        claimed = await session.execute(
            update(RefreshToken)
            .where(RefreshToken.token_hash == hashed, RefreshToken.revoked_at.is_(None))
            .values(revoked_at=now)
        )
        row = await session.get(RefreshToken, hashed)
        if row is None:
            return None
        reused = claimed.rowcount != 1  # type: ignore[attr-defined]
        if reused and row.code_hash is not None:
            await session.execute(
                update(RefreshToken)
                .where(RefreshToken.code_hash == row.code_hash,
                       RefreshToken.revoked_at.is_(None))
                .values(revoked_at=now)
            )
        found = StoredRefreshToken(
            token_hash=hashed, tenant=tenant, client_id=row.client_id, user_id=row.user_id,
            scope=row.scope, auth_time=row.auth_time, amr=tuple(row.amr),
            code_hash=row.code_hash,
        )
        expired = _utc(row.expires_at) <= now
    # Audit rows are written after the transaction: SQLite allows one writer at a time.
    if reused:
        await audit.record(db, event="refresh_token.reused", tenant=tenant,
                           actor=found.user_id, client=None, client_id=found.client_id,
                           family_revoked=True)
        return None
    if found.auth_time + session_max_seconds <= now.timestamp():
        await audit.record(db, event="session.limit_reached", tenant=tenant,
                           actor=found.user_id, client=None, client_id=found.client_id)
        return None
    return None if expired else found


async def revoke_refresh_token(db: Database, *, token: str, client_id: str) -> str | None:
    """Revoke a refresh token of this client (RFC 7009); the subject it belonged to, or None
    if it was unknown, already revoked or not this client's."""
    tenant = tenant_of(token)
    if tenant is None:
        return None
    hashed = token_hash(token)
    async with db.transaction(tenant) as session:
        revoked = await session.execute(
            update(RefreshToken)
            .where(RefreshToken.token_hash == hashed,
                   RefreshToken.client_id == client_id, RefreshToken.revoked_at.is_(None))
            .values(revoked_at=datetime.now(UTC))
        )
        if not revoked.rowcount:  # type: ignore[attr-defined]
            return None
        row = await session.get(RefreshToken, hashed)
        return row.user_id if row else None
