"""Encryption at rest of short secrets (Fernet from `cryptography`).

A stolen database backup must not let anyone use what a service keeps for a person: identity
seals the authenticator-app secrets, meeting the web sessions' refresh tokens. Keys come from
the service's settings (newest first, so a key can be rotated in); where a service allows it,
the first start generates one into the data folder, as identity does for its signing keys.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

_PREFIX = "f1:"


class SecretBox:
    """Seals and opens short secrets with the newest of several keys."""

    def __init__(self, keys: Sequence[str]) -> None:
        if not keys:
            raise ValueError("at least one key is needed")
        self._fernet = MultiFernet([Fernet(k.encode()) for k in keys])

    @classmethod
    def from_file(cls, path: Path) -> SecretBox:
        """The key kept in this file, generated (mode 0600) if the file is missing."""
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as handle:
                handle.write(Fernet.generate_key())
        return cls([path.read_text(encoding="ascii").strip()])

    def seal(self, secret: str) -> str:
        """The secret encrypted for storage."""
        return _PREFIX + self._fernet.encrypt(secret.encode()).decode("ascii")

    def open(self, stored: str) -> str | None:
        """The secret, or None if no key of ours opens it."""
        if not stored.startswith(_PREFIX):
            return None
        try:
            return self._fernet.decrypt(stored[len(_PREFIX):].encode()).decode()
        except InvalidToken:
            return None
