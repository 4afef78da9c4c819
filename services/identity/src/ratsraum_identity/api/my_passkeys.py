"""The signed-in person's own passkeys: list and remove them (Bearer access token).

Removing one needs a fresh sign-in (ratsraum_identity.api.fresh_auth) and is refused (409)
when it is the last second factor the town requires of the person.
"""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel

from ratsraum_common.auth import CurrentPrincipal
from ratsraum_common.i18n import Msg
from ratsraum_common.problems import Problem
from ratsraum_identity.accounts import audit, passkeys
from ratsraum_identity.accounts.own_factors import LAST_FACTOR, may_remove_passkey
from ratsraum_identity.api.deps import identity
from ratsraum_identity.api.fresh_auth import FreshPrincipal

router = APIRouter(prefix="/api/v1/me/passkeys", tags=["passkeys"])


class PasskeyOut(BaseModel):
    """One passkey as its owner sees it (no key material)."""

    id: str
    label: str
    kind: str  # "device" (bound to one device) or "synced"
    created_at: datetime
    last_used_at: datetime | None


@router.get("", response_model=list[PasskeyOut])
async def list_mine(request: Request, principal: CurrentPrincipal) -> list[PasskeyOut]:
    """The caller's passkeys, oldest first."""
    rows = await passkeys.passkeys_of(identity(request).db, user_id=principal.subject)
    return [PasskeyOut(id=r.id, label=r.label, kind="synced" if r.synced else "device",
                       created_at=r.created_at, last_used_at=r.last_used_at) for r in rows]


@router.delete("/{credential_id}", status_code=204)
async def remove_mine(request: Request, principal: FreshPrincipal,
                      credential_id: str) -> Response:
    """Remove one of the caller's passkeys (needs a recent sign-in); it can no longer sign in."""
    ident = identity(request)
    credential_id = credential_id[:1400]
    if not await may_remove_passkey(ident.db, user_id=principal.subject, tenant=principal.tenant,
                                    roles=tuple(principal.roles), credential_id=credential_id):
        await audit.record(ident.db, event="passkey.removal_refused", tenant=principal.tenant,
                           actor=principal.subject, client=ident.client_of(request),
                           credential=credential_id[:16], reason="last_second_factor")
        raise Problem(409, "second-factor-required", LAST_FACTOR)
    if not await passkeys.remove(ident.db, user_id=principal.subject,
                                 credential_id=credential_id):
        raise Problem(404, "passkey-not-found", Msg(
            de="Diesen Passkey gibt es in Ihrem Konto nicht.",
            en="There is no such passkey in your account."))
    await audit.record(ident.db, event="passkey.removed", tenant=principal.tenant,
                       actor=principal.subject, client=ident.client_of(request),
                       credential=credential_id[:16])
    return Response(status_code=204)
