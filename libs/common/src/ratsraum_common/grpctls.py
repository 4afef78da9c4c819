"""Mutual TLS for gRPC channels between our own components (voting and its guardians).

Both sides present a certificate from the same private CA and accept only peers whose
certificate that CA signed. The files are read once at start; rotating them means a restart.
Without files the channel stays plaintext (local demo and tests on loopback).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import grpc


@dataclass(frozen=True)
class MutualTls:
    """PEM files: the CA that signs the peers, our certificate chain and its private key."""

    ca_file: Path
    cert_file: Path
    key_file: Path

    @classmethod
    def from_files(
        cls, *, ca_file: Path | None, cert_file: Path | None, key_file: Path | None
    ) -> MutualTls | None:
        """All three files, or None when none is set; a partial set is an error."""
        given = [f for f in (ca_file, cert_file, key_file) if f is not None]
        if not given:
            return None
        if ca_file is None or cert_file is None or key_file is None:
            raise ValueError("mutual TLS needs the CA, the certificate and the key together")
        return cls(ca_file=ca_file, cert_file=cert_file, key_file=key_file)

    def _read(self) -> tuple[bytes, bytes, bytes]:
        return self.ca_file.read_bytes(), self.cert_file.read_bytes(), self.key_file.read_bytes()

    def server_credentials(self) -> grpc.ServerCredentials:
        """Server side: present our certificate, demand one from the client signed by the CA."""
        ca, cert, key = self._read()
        return grpc.ssl_server_credentials(
            [(key, cert)], root_certificates=ca, require_client_auth=True
        )

    def channel_credentials(self) -> grpc.ChannelCredentials:
        """Client side: trust only the CA, and present our own certificate."""
        ca, cert, key = self._read()
        return grpc.ssl_channel_credentials(
            root_certificates=ca, private_key=key, certificate_chain=cert
        )


def add_port(server: grpc.Server | grpc.aio.Server, address: str, tls: MutualTls | None) -> int:
    """Bind the server to address, with mutual TLS when configured; returns the bound port."""
    if tls is None:
        bound: int = server.add_insecure_port(address)
    else:
        bound = server.add_secure_port(address, tls.server_credentials())
    return bound


def blocking_channel(
    target: str, tls: MutualTls | None, *, options: Sequence[tuple[str, Any]] = ()
) -> grpc.Channel:
    """A blocking client channel to target, with mutual TLS when configured."""
    if tls is None:
        return grpc.insecure_channel(target, options=list(options))
    return grpc.secure_channel(target, tls.channel_credentials(), options=list(options))
