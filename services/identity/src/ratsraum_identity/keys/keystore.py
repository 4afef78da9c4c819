"""Signing keys: RSA private keys as PEM files in keys_dir, published as a JWKS.

Rotation: a new PEM file in the folder (put there by an operator, or generated when the
signing key is older than `max_age_seconds`) signs from then on: the newest file by
modification time, then name. A replaced key stays published until every token it signed has
expired (`retire_after_seconds` after its successor appeared); then it is retired: no longer
published, so the other services stop trusting it, and its file is deleted. The folder is
rescanned when its contents change.
"""

from __future__ import annotations

import os
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from joserfc.jwk import KeySet, RSAKey

from ratsraum_common.logging import get_logger

log = get_logger(__name__)

ALGORITHM = "RS256"
KEY_SIZE = 2048


class KeyStore:
    """The identity's signing keys, read from (and on first start generated into) a folder."""

    def __init__(
        self, keys_dir: Path, *, retire_after_seconds: float | None = None,
        max_age_seconds: float | None = None,
    ) -> None:
        self.keys_dir = keys_dir
        self.retire_after = retire_after_seconds
        self.max_age = max_age_seconds or None
        self._lock = threading.Lock()
        self._signature: tuple[tuple[str, int], ...] | None = None
        # Each key with its file and the time (epoch seconds) its file appeared.
        self._keys: tuple[tuple[RSAKey, Path, float], ...] = ()
        self._no_rotation_until = 0.0
        self._undeletable: set[Path] = set()

    def ensure(self) -> None:
        """Create the folder and a first key if there is none; then load all keys."""
        self.keys_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        if not list(self.keys_dir.glob("*.pem")):
            self.generate()
        self.refresh()

    def generate(self) -> str:
        """Write a new RSA key (mode 0600) and return its kid; it signs from now on."""
        key = RSAKey.generate_key(KEY_SIZE, private=True)
        kid = key.thumbprint()
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
        path = self.keys_dir / f"{stamp}-{kid[:12]}.pem"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(key.as_pem(private=True))
        log.info("identity.key_generated", kid=kid, file=path.name)
        self._signature = None
        return kid

    def _scan(self) -> list[tuple[Path, int]]:
        files = []
        for path in self.keys_dir.glob("*.pem"):
            try:
                files.append((path, path.stat().st_mtime_ns))
            except FileNotFoundError:  # removed while we looked
                continue
        return sorted(files, key=lambda item: (item[1], item[0].name))

    def refresh(self) -> None:
        """Reload the keys if files changed; rotate and retire keys that are due.

        A read-only folder (keys mounted from a Secret) is managed from outside: then no key
        is generated or deleted here, but retired keys are still no longer published.
        """
        self._load()
        now = time.time()
        if (self.max_age and now - self._keys[-1][2] > self.max_age
                and now >= self._no_rotation_until):
            log.info("identity.key_rotation_due", kid=self._keys[-1][0].kid)
            try:
                self.generate()
            except OSError as exc:
                log.warning("identity.key_rotation_impossible", error=str(exc))
                self._no_rotation_until = now + 3600
            self._load()
        for key, path, _since in self._retired(now):
            if path in self._undeletable:
                continue
            try:
                path.unlink(missing_ok=True)
            except OSError:
                self._undeletable.add(path)
            log.info("identity.key_retired", kid=key.kid, file=path.name)
            self._signature = None
        if self._signature is None:
            self._load()

    def _retired(self, now: float) -> list[tuple[RSAKey, Path, float]]:
        """Replaced keys whose successor appeared longer ago than the retirement delay."""
        if self.retire_after is None:
            return []
        return [entry for entry, successor in zip(self._keys, self._keys[1:], strict=False)
                if now - successor[2] > self.retire_after]

    def _load(self) -> None:
        files = self._scan()
        signature = tuple((p.name, m) for p, m in files)
        if signature == self._signature:
            return
        with self._lock:
            keys = []
            for path, mtime in files:
                try:
                    key = RSAKey.import_key(path.read_bytes())
                except (ValueError, TypeError) as exc:
                    # A broken or non-RSA file must not take the whole service down.
                    log.warning("identity.key_unreadable", file=path.name, error=str(exc))
                    continue
                if not key.is_private:
                    log.warning("identity.key_not_private", file=path.name)
                    continue
                keys.append((RSAKey.import_key(
                    key.as_dict(private=True),
                    {"kid": key.thumbprint(), "use": "sig", "alg": ALGORITHM},
                ), path, mtime / 1e9))
            if not keys:
                raise RuntimeError(f"no usable signing key in {self.keys_dir}")
            self._keys = tuple(keys)
            self._signature = signature
            log.info("identity.keys_loaded", count=len(keys), signing_kid=keys[-1][0].kid)

    @property
    def signing_key(self) -> RSAKey:
        """The newest key, which signs new tokens."""
        self.refresh()
        return self._keys[-1][0]

    def signing_keyset(self) -> KeySet:
        """A key set of only the signing key, so joserfc puts its kid into the header."""
        return KeySet([self.signing_key])

    def jwks(self) -> dict[str, Any]:
        """The public keys of every key in the folder (RFC 7517 JWK Set)."""
        self.refresh()
        retired = {path for _k, path, _t in self._retired(time.time())}
        return {"keys": [dict(k.as_dict(private=False))
                         for k, path, _t in reversed(self._keys) if path not in retired]}
