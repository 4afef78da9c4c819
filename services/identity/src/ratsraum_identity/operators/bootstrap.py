"""Creating the first operator on the server, from `ratsraum-admin bootstrap-operator`."""

from __future__ import annotations

from typing import Any

from ratsraum_common.db import Database
from ratsraum_common.secret_box import SecretBox
from ratsraum_identity.accounts import audit
from ratsraum_identity.accounts.passwords import Passwords
from ratsraum_identity.accounts.second_factor import provisioning_uri
from ratsraum_identity.config import SERVICE, Settings, get_settings
from ratsraum_identity.main import MIGRATIONS
from ratsraum_identity.operators.service import create_operator


async def bootstrap_operator(
    *, username: str, name: str, password: str, settings: Settings | None = None
) -> dict[str, Any]:
    """Create an operator in identity's database; returns the authenticator-app secret.

    Raises ValueError if the username is taken.
    """
    settings = settings or get_settings()
    db = Database(settings.resolved_database_url(SERVICE))
    try:
        await db.migrate(MIGRATIONS)
        box = (SecretBox([k.get_secret_value() for k in settings.totp_encryption_keys])
               if settings.totp_encryption_keys
               else SecretBox.from_file(settings.data_dir / "identity-totp.key"))
        passwords = Passwords(memory_kib=settings.password_hash_memory_kib,
                              time_cost=settings.password_hash_time_cost,
                              parallelism=settings.password_hash_parallelism)
        account, secret = await create_operator(db, username=username, name=name,
                                                password=password, passwords=passwords,
                                                box=box)
        await audit.record(db, event="operator.created", tenant=None, actor=None,
                           client="cli", operator=account.id, username=account.username)
        return {"operator": account.id, "username": account.username,
                "totp_secret": secret,
                "otpauth_uri": provisioning_uri(secret=secret, username=account.username)}
    finally:
        await db.dispose()
