"""Federation settings: the issuer check, where the client secret comes from, the claim."""

from __future__ import annotations

from pathlib import Path

import pytest

from ratsraum_identity.admin_errors import Invalid
from ratsraum_identity.federation.settings import (
    Federation,
    check_issuer,
    client_secret,
    secret_env_name,
    secret_reference,
)
from ratsraum_identity.federation.signin import claimed_name


def _federation(claim: str) -> Federation:
    return Federation(tenant="bad-sassendorf", issuer="https://login.example.org",
                      client_id="ratsraum", uses_client_secret=True, claim=claim,
                      match_field="email" if claim == "email" else "username",
                      display_name="Kreis", password_allowed=True)


def test_the_issuer_must_be_https_unless_the_operator_allows_http() -> None:
    assert check_issuer("https://login.example.org/realms/soest", allow_http=False)
    with pytest.raises(Invalid, match="https"):
        check_issuer("http://login.example.org", allow_http=False)
    assert check_issuer("http://127.0.0.1:8443", allow_http=True)
    for bad in ("ftp://login.example.org", "https://", "https://x.org/?a=1",
                "https://user:pw@x.org", "https://x.org/#frag", "login.example.org", "https://[::1"):
        with pytest.raises(Invalid):
            check_issuer(bad, allow_http=True)


def test_the_secret_is_read_from_the_towns_own_variable_or_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert secret_env_name("bad-sassendorf") == "IDENTITY_FEDERATION_SECRET_BAD_SASSENDORF"
    monkeypatch.delenv("IDENTITY_FEDERATION_SECRET_BAD_SASSENDORF", raising=False)
    assert client_secret("bad-sassendorf", None) is None
    assert client_secret("bad-sassendorf", tmp_path) is None
    (tmp_path / "bad-sassendorf").write_text("aus-der-datei\n", encoding="utf-8")
    assert client_secret("bad-sassendorf", tmp_path) == "aus-der-datei"
    assert client_secret("soest", tmp_path) is None  # another town's file is not this one's
    monkeypatch.setenv("IDENTITY_FEDERATION_SECRET_BAD_SASSENDORF", "aus-der-umgebung")
    assert client_secret("bad-sassendorf", tmp_path) == "aus-der-umgebung"
    reference = secret_reference("bad-sassendorf", tmp_path)
    assert "env:IDENTITY_FEDERATION_SECRET_BAD_SASSENDORF" in reference
    assert f"file:{tmp_path / 'bad-sassendorf'}" in reference
    assert "aus-der" not in reference


def test_the_configured_claim_names_the_account_only_when_vouched_for() -> None:
    by_mail = _federation("email")
    assert claimed_name({"email": "Erika@Example.org", "email_verified": True},
                        by_mail) == "Erika@Example.org"
    assert claimed_name({"email": "erika@example.org"}, by_mail) == "erika@example.org"
    assert claimed_name({"email": "erika@example.org", "email_verified": False},
                        by_mail) is None
    assert claimed_name({"preferred_username": "erika"}, by_mail) is None
    by_name = _federation("preferred_username")
    assert claimed_name({"preferred_username": " erika "}, by_name) == "erika"
    for missing in ({}, {"preferred_username": ""}, {"preferred_username": ["a"]},
                    {"preferred_username": True}, {"preferred_username": "erika\x00"}):
        assert claimed_name(missing, by_name) is None
