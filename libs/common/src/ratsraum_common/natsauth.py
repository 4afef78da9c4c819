"""How a service proves itself to NATS: user and password or a creds file, TLS from files.

Everything is optional: without any of it the client connects as before (the embedded stack's
nats-server has no authentication). In a cluster every service gets its own NATS user whose
permissions cover only its own subjects, and its own inbox prefix so no other user can read
the replies meant for it.
"""

from __future__ import annotations

import ssl
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DEFAULT_INBOX_PREFIX = "_INBOX"


@dataclass(frozen=True)
class NatsOptions:
    """Credentials and TLS files for one NATS connection; all empty means anonymous plain."""

    user: str = ""
    password: str = ""
    creds_file: Path | None = None
    tls_ca_file: Path | None = None
    tls_cert_file: Path | None = None
    tls_key_file: Path | None = None
    inbox_prefix: str = DEFAULT_INBOX_PREFIX

    def __post_init__(self) -> None:
        if bool(self.user) != bool(self.password):
            raise ValueError("NATS: user and password must be given together")
        if self.user and self.creds_file:
            raise ValueError("NATS: either user/password or a creds file, not both")
        if bool(self.tls_cert_file) != bool(self.tls_key_file):
            raise ValueError("NATS: a TLS client certificate needs its key and vice versa")

    @property
    def uses_tls(self) -> bool:
        """True when the connection must be TLS (a CA or a client certificate is set)."""
        return bool(self.tls_ca_file or self.tls_cert_file)

    def tls_context(self) -> ssl.SSLContext | None:
        """A verifying client TLS context from the configured files, or None."""
        if not self.uses_tls:
            return None
        context = ssl.create_default_context(
            ssl.Purpose.SERVER_AUTH,
            cafile=str(self.tls_ca_file) if self.tls_ca_file else None,
        )
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        if self.tls_cert_file and self.tls_key_file:
            context.load_cert_chain(str(self.tls_cert_file), str(self.tls_key_file))
        return context

    def connect_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for `nats.connect` that carry these options."""
        kwargs: dict[str, Any] = {"inbox_prefix": self.inbox_prefix}
        if self.user:
            kwargs["user"] = self.user
            kwargs["password"] = self.password
        if self.creds_file:
            kwargs["user_credentials"] = str(self.creds_file)
        context = self.tls_context()
        if context is not None:
            kwargs["tls"] = context
        return kwargs


def read_secret_file(path: Path) -> str:
    """A secret from a mounted file, without the trailing newline editors and kubectl add."""
    return path.read_text(encoding="utf-8").rstrip("\r\n")
