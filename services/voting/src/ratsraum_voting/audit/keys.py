"""The Ed25519 key that signs audit chain heads.

In a cluster it comes from a file every replica mounts (VOTING_AUDIT_KEY_FILE, a Kubernetes
Secret), so all replicas sign with one key whose public half verifiers pin; the embedded
default generates it into the data folder on first start.
"""

from __future__ import annotations

import os
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

KEY_FILE = "voting-audit-ed25519.pem"


class AuditSigner:
    """Signs chain heads; the public key is published via GetAuditKey and in each record."""

    def __init__(self, key: Ed25519PrivateKey) -> None:
        self._key = key
        raw = key.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )
        self.public_key_hex = raw.hex()

    def sign(self, message: bytes) -> str:
        """Hex Ed25519 signature of the message."""
        return self._key.sign(message).hex()

    @classmethod
    def from_settings(cls, *, key_file: str, data_dir: Path) -> AuditSigner:
        """The configured key file, or the data folder's key (generated on first start)."""
        return cls.load(Path(key_file)) if key_file else cls.load_or_create(data_dir)

    @classmethod
    def load(cls, path: Path) -> AuditSigner:
        """Read an Ed25519 private key (PEM, PKCS#8) that must already exist."""
        try:
            key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        except (OSError, ValueError) as exc:
            raise ValueError(f"VOTING_AUDIT_KEY_FILE {path}: no readable PEM key ({exc})") from exc
        if not isinstance(key, Ed25519PrivateKey):
            raise ValueError(f"VOTING_AUDIT_KEY_FILE {path}: not an Ed25519 private key")
        return cls(key)

    @classmethod
    def load_or_create(cls, data_dir: Path) -> AuditSigner:
        """Read the key from the data folder, generating it (mode 0600) on first start."""
        path = Path(data_dir) / KEY_FILE
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            pem = Ed25519PrivateKey.generate().private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
            # Written aside, then linked: two processes starting together never see a
            # half-written key, and the first link wins.
            tmp = path.with_suffix(f".{os.getpid()}.tmp")
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "wb") as handle:
                handle.write(pem)
            try:
                os.link(tmp, path)
            except FileExistsError:
                pass
            finally:
                tmp.unlink()
        return cls.load(path)
