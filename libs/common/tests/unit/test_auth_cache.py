"""The verified-token cache: hits skip the signature check, expiry and bounds still hold."""

from __future__ import annotations

import time
from typing import Any

import pytest
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey

from ratsraum_common import auth
from ratsraum_common.auth import InvalidToken, TokenVerifier

ISSUER = "https://id.example.test"
AUDIENCE = "ratsraum-meeting"
KEY = RSAKey.generate_key(2048, parameters={"kid": "k1", "use": "sig", "alg": "RS256"})


def sign(**overrides: Any) -> str:
    now = int(time.time())
    claims = {"iss": ISSUER, "aud": AUDIENCE, "sub": "p-1", "tenant": "soest",
              "roles": ["member"], "iat": now, "exp": now + 300, **overrides}
    return jwt.encode({"alg": "RS256", "kid": "k1", "typ": "at+jwt"}, claims, KEY)


async def _jwks(_url: str) -> dict[str, Any]:
    return KeySet([KEY]).as_dict(private=False)


def counting(cache_size: int = 10_000) -> tuple[TokenVerifier, list[str]]:
    verifier = TokenVerifier(issuer=ISSUER, audience=AUDIENCE, jwks_url="x", fetch=_jwks,
                             cache_size=cache_size)
    calls: list[str] = []
    real = verifier._verify

    async def spy(token: str) -> tuple[auth.Principal, str]:
        calls.append(token)
        return await real(token)

    verifier._verify = spy  # type: ignore[method-assign]
    return verifier, calls


async def test_second_verification_of_a_token_is_a_cache_hit() -> None:
    verifier, calls = counting()
    token = sign()
    first, second = await verifier.verify(token), await verifier.verify(token)
    assert first == second
    assert first.subject == "p-1"
    assert len(calls) == 1


async def test_expired_cached_token_is_checked_again_and_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    verifier, calls = counting()
    token = sign()
    await verifier.verify(token)
    later = time.time() + 400
    monkeypatch.setattr(auth.time, "time", lambda: later)
    with pytest.raises(InvalidToken):
        await verifier.verify(token)
    assert len(calls) == 2


async def test_invalid_tokens_are_never_cached() -> None:
    verifier, calls = counting()
    forged = sign()[:-4] + "AAAA"
    for _ in range(2):
        with pytest.raises(InvalidToken):
            await verifier.verify(forged)
    assert len(calls) == 2


async def test_cache_is_bounded_and_evicts_the_least_recently_used() -> None:
    verifier, calls = counting(cache_size=2)
    a, b, c = sign(sub="a"), sign(sub="b"), sign(sub="c")
    for token in (a, b, a, c):  # b is the least recently used when c arrives
        await verifier.verify(token)
    await verifier.verify(a)
    await verifier.verify(b)
    assert calls == [a, b, c, b]
