"""Token verification: signature, issuer, audience, expiry, tenant and key rotation."""

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


def make_key(kid: str) -> RSAKey:
    return RSAKey.generate_key(2048, parameters={"kid": kid, "use": "sig", "alg": "RS256"})


def sign(key: RSAKey, typ: str | None = "at+jwt", **overrides: Any) -> str:
    now = int(time.time())
    claims = {"iss": ISSUER, "aud": AUDIENCE, "sub": "p-1", "tenant": "soest",
              "roles": ["member"], "iat": now, "exp": now + 300, **overrides}
    claims = {k: v for k, v in claims.items() if v is not None}
    header = {"alg": "RS256", "kid": key.kid, "typ": typ}
    return jwt.encode({k: v for k, v in header.items() if v is not None}, claims, key)


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


async def test_body_roles_are_read_per_body() -> None:
    key = make_key("k1")
    principal = await verifier(Jwks(key)).verify(sign(
        key, roles=["admin", "chair", "member"], town_roles=["admin"],
        body_roles=[{"body": "rat", "role": "member"}, {"body": "bau", "role": "chair"}],
        amr=["pwd", "otp", "mfa"]))
    assert principal.body_scoped
    assert principal.wide_roles == {"admin"}
    assert principal.roles_in("bau") == {"chair"}
    assert principal.roles_in("rat") == {"member"}
    assert principal.second_factor


async def test_old_tokens_have_only_town_wide_roles() -> None:
    key = make_key("k1")
    principal = await verifier(Jwks(key)).verify(sign(key, roles=["chair"], amr=["pwd"]))
    assert not principal.body_scoped
    assert principal.wide_roles == {"chair"}
    assert not principal.second_factor


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
        ({"body_roles": [{"body": "rat", "role": "king"}]}, "unknown body role"),
        ({"body_roles": [{"role": "chair"}]}, "body role without body"),
        ({"body_roles": "rat:chair"}, "body roles not a list"),
        ({"town_roles": "admin"}, "town roles not a list"),
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


@pytest.mark.parametrize("typ", [None, "JWT", "id+jwt"])
async def test_a_token_that_is_not_typed_as_access_token_is_refused(typ: str | None) -> None:
    key = make_key("k1")
    with pytest.raises(InvalidToken, match="not an access token"):
        await verifier(Jwks(key)).verify(sign(key, typ=typ))


async def test_the_media_type_form_of_at_jwt_is_accepted() -> None:
    key = make_key("k1")
    principal = await verifier(Jwks(key)).verify(sign(key, typ="application/at+jwt"))
    assert principal.subject == "p-1"


async def test_an_id_token_verifier_accepts_tokens_without_the_access_token_type() -> None:
    key = make_key("k1")
    id_tokens = verifier(Jwks(key)).for_audience("ratsraum-web")
    principal = await id_tokens.verify(sign(key, typ=None, aud="ratsraum-web"))
    assert principal.subject == "p-1"


async def test_unknown_key_ids_refetch_the_keys_at_most_once_per_cooldown() -> None:
    key = make_key("k1")
    jwks = Jwks(key)
    v = TokenVerifier(issuer=ISSUER, audience=AUDIENCE, jwks_url="x", fetch=jwks,
                      refresh_cooldown_seconds=60)
    await v.verify(sign(key))
    for n in range(20):  # an attacker making up key ids
        with pytest.raises(InvalidToken):
            await v.verify(sign(make_key(f"made-up-{n % 2}")))
    assert jwks.fetches == 1


async def test_a_retired_key_is_no_longer_trusted_once_the_keys_are_refetched(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    old, new = make_key("old"), make_key("new")
    jwks = Jwks(old, new)
    v = TokenVerifier(issuer=ISSUER, audience=AUDIENCE, jwks_url="x", fetch=jwks,
                      refresh_cooldown_seconds=1, jwks_max_age_seconds=60)
    signed_by_old = sign(old)
    assert (await v.verify(signed_by_old)).subject == "p-1"  # now cached
    jwks.keys.remove(old)  # identity retires the old key
    assert (await v.verify(signed_by_old)).subject == "p-1"  # keys still fresh enough
    later = time.monotonic() + 61
    monkeypatch.setattr(auth.time, "monotonic", lambda: later)
    with pytest.raises(InvalidToken):
        await v.verify(signed_by_old)
    assert (await v.verify(sign(new))).subject == "p-1"
    assert jwks.fetches == 2


async def test_keys_stay_usable_while_identity_cannot_be_reached(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    key = make_key("k1")
    jwks = Jwks(key)
    v = TokenVerifier(issuer=ISSUER, audience=AUDIENCE, jwks_url="x", fetch=jwks,
                      jwks_max_age_seconds=60, cache_size=0)
    await v.verify(sign(key))

    async def down(_url: str) -> dict[str, Any]:
        raise OSError("connection refused")

    v._fetch = down
    later = time.monotonic() + 61
    monkeypatch.setattr(auth.time, "monotonic", lambda: later)
    assert (await v.verify(sign(key))).subject == "p-1"
