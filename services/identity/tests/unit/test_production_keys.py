"""Production identity refuses to start without its key material given from outside."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from pydantic import ValidationError

from ratsraum_identity.config import Settings


def _key() -> str:
    return Fernet.generate_key().decode()


def test_production_refuses_a_generated_totp_key(tmp_path):
    with pytest.raises(ValidationError, match="IDENTITY_TOTP_ENCRYPTION_KEYS"):
        Settings(environment="production", keys_dir=tmp_path)


def test_production_refuses_signing_keys_in_the_scratch_folder():
    with pytest.raises(ValidationError, match="IDENTITY_KEYS_DIR"):
        Settings(environment="production", totp_encryption_keys=_key())


def test_production_starts_with_both_given(tmp_path):
    settings = Settings(environment="production", keys_dir=tmp_path,
                        totp_encryption_keys=_key())
    assert settings.signing_keys_dir == tmp_path


def test_totp_keys_come_comma_separated_newest_first(monkeypatch):
    newest, older = _key(), _key()
    monkeypatch.setenv("IDENTITY_TOTP_ENCRYPTION_KEYS", f"{newest}, {older}")
    keys = Settings(environment="test").totp_encryption_keys
    assert [k.get_secret_value() for k in keys] == [newest, older]


def test_development_still_generates_its_own_keys():
    assert Settings(environment="development").totp_encryption_keys == []
