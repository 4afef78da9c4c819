"""The rule behind removing one's own second factor: never the last one a town requires."""

from __future__ import annotations

from ratsraum_common.db import Database
from ratsraum_common.i18n import Msg
from ratsraum_identity.accounts import passkeys, second_factor
from ratsraum_identity.accounts.models import Tenant

LAST_FACTOR = Msg(
    "Ihre Kommune verlangt für Ihre Rolle einen zweiten Faktor, und dies ist Ihr letzter. "
    "Richten Sie zuerst einen weiteren Passkey oder eine Authenticator-App ein; dann können "
    "Sie diesen Passkey entfernen.",
    "Your town requires a second factor for your role, and this is your last one. Set up "
    "another passkey or an authenticator app first; then you can remove this passkey.",
)


async def may_remove_passkey(db: Database, *, user_id: str, tenant: str, roles: tuple[str, ...],
                             credential_id: str) -> bool:
    """False when the town requires a second factor of this person and removing this passkey
    of theirs would leave them none (no other passkey, no authenticator app)."""
    mine = [p.id for p in await passkeys.passkeys_of(db, user_id=user_id)]
    if credential_id not in mine or len(mine) > 1:
        return True
    async with db.system_session() as session:
        town = await session.get(Tenant, tenant)
    if town is None or not second_factor.mfa_required(town, roles):
        return True
    return await second_factor.totp_of(db, user_id=user_id) is not None
