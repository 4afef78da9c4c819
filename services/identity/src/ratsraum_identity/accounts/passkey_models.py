"""Passkeys (WebAuthn credentials) and the single-use challenges of their ceremonies."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from ratsraum_identity.base import Base


class PasskeyCredential(Base):
    """A person's passkey: the public key an authenticator made for our relying party."""

    __tablename__ = "passkey_credential"

    # The credential id, base64url: what the browser names when it signs in.
    id: Mapped[str] = mapped_column(String(1400), primary_key=True)
    user_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    public_key: Mapped[bytes] = mapped_column(LargeBinary)  # COSE key
    # The authenticator's signature counter; a counter that does not grow means a clone.
    sign_count: Mapped[int] = mapped_column(Integer, default=0)
    # Synced passkeys (backup eligible) are keys in software; device-bound ones in hardware.
    synced: Mapped[bool] = mapped_column(Boolean, default=False)
    label: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class PasskeyChallenge(Base):
    """A challenge handed to a browser; used at most once and only until it expires."""

    __tablename__ = "passkey_challenge"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    challenge: Mapped[bytes] = mapped_column(LargeBinary)
    purpose: Mapped[str] = mapped_column(String(16))  # "register" or "sign_in"
    # The person a registration or second-factor challenge is for; None for passwordless.
    user_id: Mapped[str | None] = mapped_column(String(36))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
