"""Who a code or refresh token stands for, with their roles as they are now."""

from __future__ import annotations

from ratsraum_common.db import Database
from ratsraum_identity.accounts.service import SignedInUser, get_user, standing_in


async def load_signed_in_user(
    db: Database, *, user_id: str, tenant: str, auth_time: int, amr: tuple[str, ...]
) -> SignedInUser | None:
    """The person acting for the town, or None if the account, its membership, its roles or
    the town (suspended) are gone."""
    user = await get_user(db, user_id=user_id)
    if user is None:
        return None
    standing = await standing_in(db, tenant=tenant, user_id=user_id)
    if standing is None:
        return None
    return SignedInUser(subject=user.id, username=user.username, name=user.name,
                        tenant=tenant, roles=standing.roles, auth_time=auth_time, amr=amr,
                        standing=standing)
