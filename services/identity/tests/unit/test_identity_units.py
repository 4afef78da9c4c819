"""Pure pieces: password hashing, the login limiter, the client's redirect check, key files."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from argon2 import Type, extract_parameters
from argon2.low_level import ARGON2_VERSION

from ratsraum_identity.accounts.passwords import hash_password, verify_password
from ratsraum_identity.accounts.ratelimit import LoginLimiter
from ratsraum_identity.keys import keystore as keystore_module
from ratsraum_identity.keys.keystore import KeyStore
from ratsraum_identity.oauth.client import PublicClient
from ratsraum_identity.oauth.store import tenant_of


def test_passwords_are_stored_as_salted_argon2id_hashes() -> None:
    first, second = hash_password("geheim-123"), hash_password("geheim-123")
    assert first.startswith(f"$argon2id$v={ARGON2_VERSION}$")
    assert extract_parameters(first).type is Type.ID
    assert first != second  # salted
    assert "geheim-123" not in first
    assert verify_password(first, "geheim-123")
    assert not verify_password(first, "geheim-124")
    assert not verify_password(None, "geheim-123")  # unknown user
    assert not verify_password("not-a-hash", "geheim-123")


def test_limiter_blocks_after_too_many_failures_per_user_and_address() -> None:
    limiter = LoginLimiter(max_failures=2, window_seconds=60)
    for _ in range(2):
        assert not limiter.blocked(username="Anna", client="10.0.0.1")
        limiter.failed(username="anna", client="10.0.0.1")
    assert limiter.blocked(username="ANNA ", client="10.0.0.1")
    assert not limiter.blocked(username="anna", client="10.0.0.2")
    assert not limiter.blocked(username="bert", client="10.0.0.1")
    limiter.succeeded(username="anna", client="10.0.0.1")
    assert not limiter.blocked(username="anna", client="10.0.0.1")


def test_limiter_forgets_failures_after_the_window() -> None:
    limiter = LoginLimiter(max_failures=1, window_seconds=0.0001)
    limiter.failed(username="anna", client="x")
    time.sleep(0.01)
    assert not limiter.blocked(username="anna", client="x")


def test_public_client_matches_redirect_uris_exactly() -> None:
    client = PublicClient("ratsraum-web", ("http://127.0.0.1:8082/auth/callback",))
    assert client.check_redirect_uri("http://127.0.0.1:8082/auth/callback")
    assert not client.check_redirect_uri("http://127.0.0.1:8082/auth/callback/../x")
    assert not client.check_redirect_uri("http://127.0.0.1:8082/auth/callback?x=1")
    assert client.get_allowed_scope("openid profile email") == "openid profile"
    assert not client.check_client_secret("anything")
    assert client.check_response_type("code")
    assert not client.check_response_type("token")


@pytest.mark.parametrize(("value", "tenant"), [
    ("soest.abc", "soest"), ("Soest.abc", None), ("soest.", None), ("abc", None),
    ("../x.abc", None),
])
def test_codes_carry_a_well_formed_town_prefix(value: str, tenant: str | None) -> None:
    assert tenant_of(value) == tenant


def test_keystore_skips_unreadable_files_and_signs_with_the_newest(tmp_path: Path) -> None:
    store = KeyStore(tmp_path / "keys")
    store.ensure()
    first = store.signing_key.kid
    (tmp_path / "keys" / "zz-broken.pem").write_text("not a key")
    second = store.generate()
    assert store.signing_key.kid == second
    assert {k["kid"] for k in store.jwks()["keys"]} == {first, second}


def _age(path: Path, seconds: float) -> None:
    """Pretend the file appeared this many seconds ago."""
    then = time.time() - seconds
    os.utime(path, (then, then))


def test_a_replaced_key_stays_published_until_its_tokens_expired_then_retires(
    tmp_path: Path,
) -> None:
    store = KeyStore(tmp_path / "keys", retire_after_seconds=1000)
    store.ensure()
    old = store.signing_key.kid
    (old_file,) = (tmp_path / "keys").glob("*.pem")
    _age(old_file, 5000)
    new = store.generate()
    new_file = next(p for p in (tmp_path / "keys").glob("*.pem") if p != old_file)
    _age(new_file, 999)  # replaced 999 s ago: tokens of the old key may still be valid
    assert [k["kid"] for k in store.jwks()["keys"]] == [new, old]
    assert store.signing_key.kid == new
    _age(new_file, 1001)  # now every token the old key signed has expired
    assert [k["kid"] for k in store.jwks()["keys"]] == [new]
    assert not old_file.exists()


def test_a_signing_key_older_than_the_maximum_age_is_replaced(tmp_path: Path) -> None:
    store = KeyStore(tmp_path / "keys", retire_after_seconds=1000, max_age_seconds=86400)
    store.ensure()
    first = store.signing_key.kid
    assert store.signing_key.kid == first  # young enough: no rotation
    (first_file,) = (tmp_path / "keys").glob("*.pem")
    _age(first_file, 86401)
    second = store.signing_key.kid
    assert second != first
    assert {k["kid"] for k in store.jwks()["keys"]} == {first, second}


def test_keys_mounted_read_only_are_not_rotated_here_but_retired_ones_are_hidden(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    keys = tmp_path / "keys"
    writer = KeyStore(keys)
    writer.ensure()
    (old_file,) = keys.glob("*.pem")
    _age(old_file, 5000)
    new = writer.generate()
    new_file = next(p for p in keys.glob("*.pem") if p != old_file)
    _age(new_file, 2000)

    def read_only(*_args: object, **_kwargs: object) -> None:
        raise OSError(30, "Read-only file system")

    # As a Secret mounted into the pod (the tests run as root, so chmod would not do).
    monkeypatch.setattr(keystore_module.os, "open", read_only)
    monkeypatch.setattr(Path, "unlink", read_only)
    store = KeyStore(keys, retire_after_seconds=1000, max_age_seconds=1000)
    store.ensure()
    assert store.signing_key.kid == new  # due for rotation, but nothing can be written
    assert [k["kid"] for k in store.jwks()["keys"]] == [new]
    assert old_file.exists()
