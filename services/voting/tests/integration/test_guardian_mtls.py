"""A guardian process with mutual TLS answers voting's certificate and nobody without one."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from ratsraum_devstack.testca import TestCA
from ratsraum_voting.config import Settings
from ratsraum_voting.secret.ceremony import CeremonyFailed
from ratsraum_voting.secret.remote import GuardianAddress, RemoteGuardian, parse_guardians

pytestmark = pytest.mark.filterwarnings("ignore:.*pydantic_encoder.*")


@pytest.fixture
def ca(tmp_path: Path) -> TestCA:
    """The private CA shared by voting and the guardians."""
    return TestCA(tmp_path / "ca")


@pytest.fixture
def guardian(tmp_path: Path, ca: TestCA) -> Iterator[str]:
    """One guardian process configured for mutual TLS through its GUARDIAN_TLS_* variables."""
    cert = ca.issue("guardian-vorsitz", server=True, hosts=("127.0.0.1",))
    env = {**os.environ, "PRIME_OPTION": "TestOnly", "GUARDIAN_TLS_CERT_FILE": str(cert.cert),
           "GUARDIAN_TLS_KEY_FILE": str(cert.key), "GUARDIAN_TLS_CLIENT_CA_FILE": str(cert.ca)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "ratsraum_voting.guardian", "--name", "vorsitz",
         "--dir", str(tmp_path / "vorsitz"), "--order", "1", "--port", "0"],
        stdout=subprocess.PIPE, text=True, env=env)
    try:
        assert proc.stdout is not None
        port = None
        while port is None:
            line = proc.stdout.readline()
            assert line, "guardian process ended before listening"
            port = re.search(r"listening on [\d.]+:(\d+)", line)
        yield f"127.0.0.1:{port.group(1)}"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_voting_reaches_the_guardian_with_its_client_certificate(
    guardian: str, ca: TestCA, monkeypatch: pytest.MonkeyPatch
) -> None:
    """VOTING_GUARDIAN_TLS_* files give voting a channel the guardian accepts."""
    client = ca.issue("voting", server=False)
    monkeypatch.setenv("VOTING_GUARDIAN_TLS_CA_FILE", str(client.ca))
    monkeypatch.setenv("VOTING_GUARDIAN_TLS_CERT_FILE", str(client.cert))
    monkeypatch.setenv("VOTING_GUARDIAN_TLS_KEY_FILE", str(client.key))
    settings = Settings(guardians=f'[{{"id": "vorsitz", "address": "{guardian}"}}]')
    [address] = parse_guardians(settings.guardians, tls=settings.guardian_tls())
    remote = RemoteGuardian(address)
    try:
        key = remote.announce(ceremony_id="soest.p-1", guardians=2, quorum=2)
        assert key.owner_id == "vorsitz"
    finally:
        remote.close()


def test_caller_without_certificate_is_refused(guardian: str) -> None:
    """A plaintext caller (any pod that reaches the port) gets no ceremony step."""
    remote = RemoteGuardian(GuardianAddress("vorsitz", guardian))
    try:
        with pytest.raises(CeremonyFailed):
            remote.announce(ceremony_id="soest.p-2", guardians=2, quorum=2)
    finally:
        remote.close()


def test_production_refuses_guardians_without_tls() -> None:
    """In production voting does not start with guardians it would call in plaintext."""
    with pytest.raises(ValueError, match="VOTING_GUARDIAN_TLS"):
        Settings(environment="production", guardians='[{"id": "a", "address": "g:50071"}]')
    assert Settings(environment="development",
                    guardians='[{"id": "a", "address": "g:50071"}]').guardian_tls() is None
