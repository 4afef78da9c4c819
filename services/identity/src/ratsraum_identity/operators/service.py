"""Operator accounts: created on the server (bootstrap), signed in with password and TOTP."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy import select, update

from ratsraum_common.db import Database
from ratsraum_common.secret_box import SecretBox
from ratsraum_identity.accounts.passwords import Passwords
from ratsraum_identity.accounts.second_factor import matching_step, new_secret
from ratsraum_identity.operators.models import OperatorAccount


async def create_operator(
    db: Database, *, username: str, name: str, password: str, passwords: Passwords,
    box: SecretBox,
) -> tuple[OperatorAccount, str]:
    """A new operator with an authenticator-app secret; returns it and the secret to show."""
    secret = new_secret()
    account = OperatorAccount(
        id=str(uuid.uuid4()), username=username.strip(), name=name,
        password_hash=await passwords.hash_async(password), totp_secret=box.seal(secret),
        totp_last_step=0, created_at=datetime.now(UTC))
    async with db.transaction(None) as session:
        if await session.scalar(select(OperatorAccount.id).where(
                OperatorAccount.username == account.username)):
            raise ValueError(f"operator {account.username!r} exists already")
        session.add(account)
    return account, secret


async def get_operator(db: Database, *, operator_id: str) -> OperatorAccount | None:
    """The operator with this id, if still there."""
    async with db.system_session() as session:
        return await session.get(OperatorAccount, operator_id)


async def authenticate_operator(
    db: Database, *, username: str, password: str, otp: str, passwords: Passwords,
    box: SecretBox,
) -> OperatorAccount | None:
    """The operator if password and a fresh TOTP code match (each code works once)."""
    async with db.system_session() as session:
        account = await session.scalar(
            select(OperatorAccount).where(OperatorAccount.username == username.strip()))
    ok = await passwords.verify_async(account.password_hash if account else None, password)
    if not ok or account is None:
        return None
    secret = box.open(account.totp_secret)
    step = matching_step(secret, otp) if secret else None
    if step is None:
        return None
    async with db.transaction(None) as session:
        claimed = await session.execute(
            update(OperatorAccount)
            .where(OperatorAccount.id == account.id, OperatorAccount.totp_last_step < step)
            .values(totp_last_step=step))
        if not claimed.rowcount:  # type: ignore[attr-defined]
            return None
    return account
