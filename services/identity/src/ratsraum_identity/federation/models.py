"""A town's own OpenID provider and the sign-ins at it that are under way."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ratsraum_common.db import TenantScoped
from ratsraum_identity.base import Base


class TownFederation(TenantScoped, Base):
    """The town's provider: where it is, who identity is there, and how accounts match.

    The client secret is never stored here: identity reads it from the environment or a
    mounted file named after the town (see federation/settings.py).
    """

    __tablename__ = "town_federation"
    __table_args__ = (UniqueConstraint("tenant_id"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    issuer: Mapped[str] = mapped_column(String(500))
    client_id: Mapped[str] = mapped_column(String(200))
    # Whether identity authenticates at the token endpoint with a client secret; without
    # one, identity is a public client protected by PKCE alone.
    uses_client_secret: Mapped[bool] = mapped_column(Boolean)
    # The upstream ID token claim whose value names the account ("email", "preferred_username",
    # "upn", "sub", ...), and the account field it is compared with ("email" or "username").
    claim: Mapped[str] = mapped_column(String(64))
    match_field: Mapped[str] = mapped_column(String(16))
    display_name: Mapped[str] = mapped_column(String(100))
    # False: the town's people sign in only through their provider (town admins keep the
    # password, so a broken provider configuration can still be repaired).
    password_allowed: Mapped[bool] = mapped_column(Boolean)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class FederationAttempt(TenantScoped, Base):
    """One sign-in sent to the town's provider, until its callback (single use, short-lived)."""

    __tablename__ = "federation_attempt"

    state_hash: Mapped[str] = mapped_column(String(64), primary_key=True)  # SHA-256 of state
    nonce: Mapped[str] = mapped_column(String(100))
    verifier: Mapped[str] = mapped_column(String(100))  # the PKCE code verifier
    # SHA-256 of the browser's cookie: a callback in another browser is worthless.
    browser_hash: Mapped[str] = mapped_column(String(64))
    # The original authorization request of the client, continued after the callback.
    request: Mapped[list[Any]] = mapped_column(JSON)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
