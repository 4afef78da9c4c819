"""Password hashing with argon2id; verification takes the same time for unknown users."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

# argon2-cffi's defaults follow RFC 9106's second recommendation and use the argon2id variant.
_hasher = PasswordHasher()
# Verified against when the username is unknown, so the answer takes as long as for a real one.
_DUMMY_HASH = _hasher.hash("ratsraum-no-such-user")


def hash_password(password: str) -> str:
    """An argon2id hash of the password (PHC string format)."""
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True if the password matches; always spends one full argon2 verification."""
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and bool(password_hash)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """True if the hash was made with weaker parameters than today's."""
    return _hasher.check_needs_rehash(password_hash)
