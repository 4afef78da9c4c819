"""Sign-ins at a town's provider: the attempt kept until the callback, and the account match."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select

from ratsraum_common.db import Database
from ratsraum_identity.accounts.models import User
from ratsraum_identity.federation.models import FederationAttempt
from ratsraum_identity.federation.settings import Federation
from ratsraum_identity.federation.upstream import UpstreamRequest
from ratsraum_identity.members.models import TownMember


def _hash(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class Attempt:
    """A sign-in returning from the town's provider: its secrets and the client's request."""

    tenant: str
    upstream: UpstreamRequest
    request: list[tuple[str, str]]


async def begin(db: Database, *, tenant: str, upstream: UpstreamRequest, browser: str,
                request: list[tuple[str, str]], lifetime_seconds: int) -> None:
    """Keep the attempt (state hashed) for this browser until the callback or expiry."""
    now = datetime.now(UTC)
    async with db.transaction(tenant) as session:
        await session.execute(delete(FederationAttempt).where(FederationAttempt.expires_at < now))
        session.add(FederationAttempt(
            tenant_id=tenant, state_hash=_hash(upstream.state), nonce=upstream.nonce,
            verifier=upstream.verifier, browser_hash=_hash(browser),
            request=[list(pair) for pair in request],
            expires_at=now + timedelta(seconds=lifetime_seconds)))


async def take(db: Database, *, state: str, browser: str) -> Attempt | None:
    """The attempt of this state, used up; None if unknown, expired or of another browser."""
    if not state or len(state) > 200 or not browser:
        return None
    async with db.transaction(None) as session:
        row = await session.get(FederationAttempt, _hash(state))
        if row is None:
            return None
        await session.delete(row)
        expires = row.expires_at if row.expires_at.tzinfo else row.expires_at.replace(tzinfo=UTC)
        if expires < datetime.now(UTC) or row.browser_hash != _hash(browser):
            return None
        pairs: list[Any] = row.request
        return Attempt(tenant=row.tenant_id,
                       upstream=UpstreamRequest(state=state, nonce=row.nonce,
                                                verifier=row.verifier),
                       request=[(str(k), str(v)) for k, v in pairs])


def claimed_name(claims: dict[str, Any], federation: Federation) -> str | None:
    """The value of the configured claim, if the provider vouches for it."""
    value = claims.get(federation.claim)
    if not isinstance(value, str | int) or isinstance(value, bool) or str(value).strip() == "":
        return None
    if any(ord(char) < 32 or ord(char) == 127 for char in str(value)):
        return None  # no account name holds control characters (nor may a query carry NUL)
    # A provider that says the address is unverified does not vouch for it.
    if federation.claim == "email" and claims.get("email_verified") is False:
        return None
    return str(value).strip()[:320]


async def account_for(db: Database, *, federation: Federation, name: str) -> str | None:
    """The subject of the town's account whose field matches the claimed name, if any.

    Only memberships of this town are searched: an account of another town never matches.
    """
    column = User.email if federation.match_field == "email" else User.username
    wanted = name.lower() if federation.match_field == "email" else name
    async with db.tenant_session(federation.tenant) as session:
        found: str | None = await session.scalar(
            select(User.id).join(TownMember, TownMember.user_id == User.id)
            # Named here as well: the tenant session scopes only queries whose selected
            # entities are tenant rows (ratsraum_common.db), and User is not one.
            .where(TownMember.tenant_id == federation.tenant)
            .where(func.lower(column) == wanted if federation.match_field == "email"
                   else column == wanted))
        return found
