"""The signed note that carries a half-finished sign-in from the password to the second factor.

It is a short-lived JWT signed with identity's key, with its own type and audience (so it is
never mistaken for an access or ID token), and bound to the browser's login-form cookie: a
note copied into another browser is worthless.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from ratsraum_identity.keys.keystore import ALGORITHM, KeyStore

TYPE = "ratsraum-mfa-pending+jwt"
LIFETIME_SECONDS = 300


@dataclass(frozen=True, slots=True)
class Pending:
    """A person who passed the password step for one town."""

    subject: str
    tenant: str
    auth_time: int
    stage: str  # "verify": enter a code; "enrol": confirm a new app; "done": second factor ok
    secret: str = ""  # the new TOTP secret while enrolling
    amr: tuple[str, ...] = ("pwd",)


def _binding(browser_secret: str) -> str:
    return hashlib.sha256(browser_secret.encode()).hexdigest()


def _audience(issuer: str) -> str:
    return f"{issuer}/authorize#second-factor"


def issue(pending: Pending, *, keystore: KeyStore, issuer: str, browser_secret: str) -> str:
    """Sign the note for this browser."""
    now = int(time.time())
    claims = {"iss": issuer, "aud": _audience(issuer), "iat": now,
              "exp": now + LIFETIME_SECONDS, "sub": pending.subject, "tenant": pending.tenant,
              "auth_time": pending.auth_time, "stage": pending.stage, "amr": list(pending.amr),
              "bind": _binding(browser_secret)}
    if pending.secret:
        claims["secret"] = pending.secret
    key = keystore.signing_key
    return jwt.encode({"alg": ALGORITHM, "kid": key.kid, "typ": TYPE}, claims,
                      keystore.signing_keyset())


def read(token: str, *, keystore: KeyStore, issuer: str, browser_secret: str) -> Pending | None:
    """The note, if it is ours, unexpired and issued to this browser."""
    if not token or len(token) > 4096 or not browser_secret:
        return None
    keys = KeySet.import_key_set(keystore.jwks())  # type: ignore[arg-type]
    try:
        decoded = jwt.decode(token, keys, algorithms=[ALGORITHM])
        jwt.JWTClaimsRegistry(
            iss={"essential": True, "value": issuer},
            aud={"essential": True, "value": _audience(issuer)},
            exp={"essential": True}, sub={"essential": True},
        ).validate(decoded.claims)
    except (JoseError, ValueError):
        return None
    claims = decoded.claims
    if decoded.header.get("typ") != TYPE or claims.get("bind") != _binding(browser_secret):
        return None
    return Pending(subject=str(claims["sub"]), tenant=str(claims.get("tenant", "")),
                   auth_time=int(claims.get("auth_time", 0)), stage=str(claims.get("stage")),
                   secret=str(claims.get("secret", "")),
                   amr=tuple(str(a) for a in claims.get("amr", ["pwd"])))
