"""A fresh sign-in for changes to the account's own sign-in means (step-up, RFC 9470).

The access token's `auth_time` says when the person last proved who they are; a token
refreshed for hours keeps its old `auth_time`. Too old: 401 with
`error="insufficient_user_authentication"` and `max_age`, so the client signs in again
(`prompt=login` or `max_age` at /authorize) and comes back with a fresh token.
"""

from __future__ import annotations

import time
from typing import Annotated

from fastapi import Depends, Request

from ratsraum_common.auth import CurrentPrincipal, Principal
from ratsraum_common.i18n import Msg
from ratsraum_common.problems import Problem
from ratsraum_identity.api.deps import identity

SIGN_IN_AGAIN = Msg(
    "Zu Ihrer Sicherheit: Bitte melden Sie sich erneut an (höchstens {minutes} Minuten vor "
    "dieser Änderung) und versuchen Sie es dann noch einmal.",
    "For your security: please sign in again (at most {minutes} minutes before this change) "
    "and then try once more.",
)


async def fresh_principal(request: Request, principal: CurrentPrincipal) -> Principal:
    """The caller, if they signed in within the configured minutes; else a 401 problem."""
    max_age = identity(request).settings.fresh_auth_seconds
    signed_in = principal.claims.get("auth_time")
    if isinstance(signed_in, int | float) and 0 <= time.time() - signed_in <= max_age:
        return principal
    raise Problem(401, "reauthentication-required", SIGN_IN_AGAIN, minutes=max_age // 60,
                  headers={"WWW-Authenticate": (
                      'Bearer realm="ratsraum", error="insufficient_user_authentication", '
                      f'error_description="A more recent sign-in is required", '
                      f'max_age={max_age}')})


FreshPrincipal = Annotated[Principal, Depends(fresh_principal)]
