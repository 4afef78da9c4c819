"""The signed-in person turns off their authenticator app (Bearer token of a fresh sign-in).

Refused while the town requires a second factor of them and no passkey would be left.
"""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from ratsraum_common.i18n import Msg
from ratsraum_common.problems import Problem
from ratsraum_identity.accounts import audit, passkeys, second_factor
from ratsraum_identity.accounts.models import Tenant
from ratsraum_identity.api.deps import identity
from ratsraum_identity.api.fresh_auth import FreshPrincipal

router = APIRouter(prefix="/api/v1/me/totp", tags=["second factor"])

NO_APP = Msg("In Ihrem Konto ist keine Authenticator-App eingerichtet.",
             "No authenticator app is set up in your account.")
STILL_REQUIRED = Msg(
    "Ihre Kommune verlangt für Ihre Rolle einen zweiten Faktor. Richten Sie zuerst einen "
    "Passkey ein; dann können Sie die Authenticator-App abschalten.",
    "Your town requires a second factor for your role. Set up a passkey first; then you can "
    "turn the authenticator app off.",
)


@router.delete("", status_code=204)
async def remove_mine(request: Request, principal: FreshPrincipal) -> Response:
    """Turn off the caller's authenticator app and void its recovery codes."""
    ident = identity(request)
    if await second_factor.totp_of(ident.db, user_id=principal.subject) is None:
        raise Problem(404, "totp-not-found", NO_APP)
    async with ident.db.system_session() as session:
        town = await session.get(Tenant, principal.tenant)
    required = town is not None and second_factor.mfa_required(town, tuple(principal.roles))
    if required and not await passkeys.passkeys_of(ident.db, user_id=principal.subject):
        raise Problem(409, "second-factor-required", STILL_REQUIRED)
    await second_factor.remove_totp(ident.db, user_id=principal.subject)
    await audit.record(ident.db, event="totp.removed", tenant=principal.tenant,
                       actor=principal.subject, client=ident.client_of(request))
    return Response(status_code=204)
