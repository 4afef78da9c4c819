"""Identity's passkey script and the options of a passwordless sign-in (fetched by it)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from fastapi import APIRouter, Request
from starlette.responses import Response

from ratsraum_identity.accounts import passkeys
from ratsraum_identity.api.deps import identity

router = APIRouter()
_SCRIPT = Path(__file__).resolve().parents[1] / "static" / "passkey.js"


@cache
def _script() -> bytes:
    return _SCRIPT.read_bytes()


@router.get("/passkey.js", include_in_schema=False)
async def passkey_script() -> Response:
    """The small script that hands options to navigator.credentials and posts the answer."""
    return Response(_script(), media_type="text/javascript",
                    headers={"Cache-Control": "public, max-age=300",
                             "X-Content-Type-Options": "nosniff"})


@router.post("/passkeys/sign-in-options", include_in_schema=False)
async def sign_in_options(request: Request) -> Response:
    """A fresh single-use challenge for signing in with any passkey of this site."""
    ident = identity(request)
    ceremony = await passkeys.start_sign_in(ident.db, rp=ident.relying_party)
    body = f'{{"challenge_id":"{ceremony.challenge_id}","public_key":{ceremony.options_json}}}'
    return Response(body, media_type="application/json", headers={"Cache-Control": "no-store"})
