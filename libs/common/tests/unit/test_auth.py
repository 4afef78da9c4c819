"""Token verification: signature, issuer, audience, expiry, tenant and key rotation."""

from __future__ import annotations

import time
from typing import Any

import pytest
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey

from ratsraum_common.auth import InvalidToken, TokenVerifier

ISSUER = "https://id.example.test"
AUDIENCE = "ratsraum-meeting"


def make_key(kid: str) -> RSAKey:
    return RSAKey.generate_key(2048, parameters={"kid": kid, "use": "sig", "alg": "RS256"})


def sign(key: RSAKey, **overrides: Any) -> str:
    now = int(time.time())
    claims = {"iss": ISSUER, "aud": AUDIENCE, "sub": "p-1", "tenant": "soest",
              "roles": ["member"], "iat": now, "exp": now + 300, **overrides}
    claims = {k: v for k, v in claims.items() if v is not None}
    return jwt.encode({"alg": "RS256", "kid": key.kid, "typ": "at+jwt"}, claims, key)


class Jwks:
    def __init__(self, *keys: RSAKey) -> None:
        self.keys = list(keys)
        self.fetches = 0

    async def __call__(self, _url: str) -> dict[str, Any]:
        self.fetches += 1
        return KeySet(self.keys).as_dict(private=False)


def verifier(jwks: Jwks) -> TokenVerifier:
    return TokenVerifier(issuer=ISSUER, audience=AUDIENCE, jwks_url="x", fetch=jwks,
                         refresh_cooldown_seconds=0)


async def test_valid_token_gives_principal() -> None:
    key = make_key("k1")
    principal = await verifier(Jwks(key)).verify(sign(key, roles=["clerk", "member"]))
    assert principal.tenant == "soest"
    assert principal.subject == "p-1"
    assert principal.has_any("clerk")


@pytest.mark.parametrize(
    ("claims", "why"),
    [
        ({"iss": "https://evil.test"}, "issuer"),
        ({"aud": "someone-else"}, "audience"),
        ({"exp": int(time.time()) - 120}, "expired"),
        ({"exp": None}, "no expiry"),
        ({"tenant": None}, "no tenant"),
        ({"tenant": "Not A Slug"}, "bad tenant"),
        ({"roles": "admin"}, "roles not a list"),
    ],
)
async def test_bad_claims_are_refused(claims: dict[str, Any], why: str) -> None:
    key = make_key("k1")
    with pytest.raises(InvalidToken):
        await verifier(Jwks(key)).verify(sign(key, **claims))


async def test_forged_signature_is_refused() -> None:
    real, forger = make_key("k1"), make_key("k1")
    with pytest.raises(InvalidToken):
        await verifier(Jwks(real)).verify(sign(forger))


async def test_garbage_is_refused() -> None:
    with pytest.raises(InvalidToken):
        await verifier(Jwks(make_key("k1"))).verify("not.a.jwt")


async def test_rotated_key_is_fetched_once_seen() -> None:
    old, new = make_key("old"), make_key("new")
    jwks = Jwks(old)
    v = verifier(jwks)
    await v.verify(sign(old))
    jwks.keys.append(new)
    principal = await v.verify(sign(new))
    assert principal.subject == "p-1"
    assert jwks.fetches == 2
