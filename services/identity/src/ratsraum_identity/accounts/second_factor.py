"""Second factor: TOTP authenticator apps (RFC 6238) and one-time recovery codes.

Codes are checked with pyotp, allowing one 30-second step of clock drift either way; a code
is accepted only for a time step later than the last accepted one, so a code seen over a
shoulder cannot be replayed. Recovery codes are random and stored as SHA-256 hashes.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from datetime import UTC, datetime

import pyotp
import segno
from sqlalchemy import func, select, update

from ratsraum_common.db import Database
from ratsraum_common.secret_box import SecretBox
from ratsraum_identity.accounts.models import RecoveryCode, Tenant, TotpCredential

ISSUER_NAME = "Ratsraum"
RECOVERY_CODES = 10
STAFF_ROLES = frozenset({"operator", "admin", "clerk"})
_DRIFT_STEPS = 1


def new_secret() -> str:
    """A fresh random TOTP secret (base32, 160 bits as RFC 4226 recommends)."""
    return pyotp.random_base32(length=32)


def provisioning_uri(*, secret: str, username: str) -> str:
    """The otpauth:// URI an authenticator app reads (from the QR code or typed in)."""
    return pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name=ISSUER_NAME)


def qr_svg(uri: str) -> str:
    """The URI as an inline SVG QR code (no external image, so the page CSP stays tight)."""
    svg: str = segno.make(uri, error="m").svg_inline(scale=5, title="QR-Code / QR code")
    return svg


def grouped(secret: str) -> str:
    """The secret in groups of four, for typing it into an app by hand."""
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


def matching_step(secret: str, code: str, *, now: float | None = None) -> int | None:
    """The time step whose code this is (within the allowed drift), or None."""
    digits = "".join(code.split())
    if len(digits) != 6 or not digits.isdigit():
        return None
    totp = pyotp.TOTP(secret)
    moment = time.time() if now is None else now
    current = totp.timecode(moment)
    for offset in range(-_DRIFT_STEPS, _DRIFT_STEPS + 1):
        candidate = totp.at(moment + offset * totp.interval)
        if hmac.compare_digest(candidate, digits):
            return current + offset
    return None


def mfa_required(tenant: Tenant, roles: tuple[str, ...]) -> bool:
    """True if a second factor is required of someone with these roles in the town.

    Operators always need one; admins and clerks unless the town turned it off; members
    when the town asks for it.
    """
    if "operator" in roles or tenant.member_mfa_required:
        return True
    return tenant.staff_mfa_required and bool(STAFF_ROLES.intersection(roles))


async def totp_of(db: Database, *, user_id: str) -> TotpCredential | None:
    """The person's confirmed authenticator app, if any."""
    async with db.system_session() as session:
        return await session.get(TotpCredential, user_id)


async def check_totp(db: Database, *, user_id: str, code: str, box: SecretBox) -> bool:
    """True if the code is valid and newer than the last one used (which it then becomes)."""
    credential = await totp_of(db, user_id=user_id)
    secret = box.open(credential.secret) if credential is not None else None
    if secret is None:
        return False
    step = matching_step(secret, code)
    if step is None:
        return False
    async with db.transaction(None) as session:
        claimed = await session.execute(
            update(TotpCredential)
            .where(TotpCredential.user_id == user_id, TotpCredential.last_step < step)
            .values(last_step=step)
        )
        return bool(claimed.rowcount)  # type: ignore[attr-defined]


def _hash(code: str) -> str:
    normal = "".join(code.lower().split()).replace("-", "")
    return hashlib.sha256(normal.encode()).hexdigest()


def _new_recovery_code() -> str:
    # 64 random bits: beyond guessing online, and too many to search offline from the hashes.
    raw = secrets.token_hex(8)
    return "-".join(raw[i:i + 4] for i in range(0, 16, 4))


async def enrol_totp(
    db: Database, *, user_id: str, secret: str, step: int, box: SecretBox
) -> list[str]:
    """Store the confirmed app (secret encrypted) and fresh recovery codes; returns the codes
    to show once."""
    codes = [_new_recovery_code() for _ in range(RECOVERY_CODES)]
    now = datetime.now(UTC)
    async with db.transaction(None) as session:
        existing = await session.get(TotpCredential, user_id)
        if existing is not None:
            await session.delete(existing)
            await session.flush()
        session.add(TotpCredential(user_id=user_id, secret=box.seal(secret), last_step=step,
                                   confirmed_at=now))
        old = await session.scalars(select(RecoveryCode).where(RecoveryCode.user_id == user_id))
        for row in old.all():
            await session.delete(row)
        for code in codes:
            session.add(RecoveryCode(code_hash=_hash(code), user_id=user_id))
    return codes


async def use_recovery_code(db: Database, *, user_id: str, code: str) -> int | None:
    """Spend a recovery code; the number still unused, or None if it was not valid."""
    if not 6 <= len(code) <= 40:
        return None
    now = datetime.now(UTC)
    async with db.transaction(None) as session:
        spent = await session.execute(
            update(RecoveryCode)
            .where(RecoveryCode.code_hash == _hash(code), RecoveryCode.user_id == user_id,
                   RecoveryCode.used_at.is_(None))
            .values(used_at=now)
        )
        if spent.rowcount != 1:  # type: ignore[attr-defined]
            return None
        left = await session.scalar(
            select(func.count()).select_from(RecoveryCode)
            .where(RecoveryCode.user_id == user_id, RecoveryCode.used_at.is_(None))
        )
    return int(left or 0)


async def remove_totp(db: Database, *, user_id: str) -> bool:
    """Forget the person's authenticator app and its recovery codes; False if there was none."""
    async with db.transaction(None) as session:
        credential = await session.get(TotpCredential, user_id)
        if credential is None:
            return False
        await session.delete(credential)
        codes = await session.scalars(select(RecoveryCode).where(RecoveryCode.user_id == user_id))
        for row in codes.all():
            await session.delete(row)
    return True
