"""Password hashing with argon2id at OWASP's recommended minimum cost, off the event loop.

OWASP's Password Storage Cheat Sheet recommends argon2id with at least 19 MiB of memory, two
iterations and one lane. That costs a fraction of argon2-cffi's default (64 MiB, 3
iterations, 4 lanes), so a sign-in storm of thousands of members fits on two cores. Hashes
made with other parameters (older or stronger) are re-made on the next successful sign-in.

Hashing runs in worker threads, at most `concurrency` at a time: argon2 with one lane keeps
one core busy, so more in parallel than cores only queues in memory (19 MiB each).
"""

from __future__ import annotations

import asyncio
import os
import weakref
from dataclasses import dataclass, field

import anyio
import anyio.to_thread
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

# OWASP Password Storage Cheat Sheet: argon2id, m=19456 KiB (19 MiB), t=2, p=1.
OWASP_MEMORY_KIB = 19456
OWASP_TIME_COST = 2
OWASP_PARALLELISM = 1


@dataclass
class Passwords:
    """Hashes and checks passwords with fixed argon2id parameters."""

    memory_kib: int = OWASP_MEMORY_KIB
    time_cost: int = OWASP_TIME_COST
    parallelism: int = OWASP_PARALLELISM
    concurrency: int = field(default_factory=lambda: os.cpu_count() or 2)

    def __post_init__(self) -> None:
        self._hasher = PasswordHasher(memory_cost=self.memory_kib, time_cost=self.time_cost,
                                      parallelism=self.parallelism)
        # Verified against when the username is unknown, so the answer takes as long.
        self._dummy = self._hasher.hash("ratsraum-no-such-user")
        self._slots: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop,
                                               anyio.CapacityLimiter] = weakref.WeakKeyDictionary()

    def hash(self, password: str) -> str:
        """An argon2id hash of the password (PHC string format)."""
        return self._hasher.hash(password)

    def verify(self, password_hash: str | None, password: str) -> bool:
        """True if the password matches; always spends one full argon2 verification."""
        try:
            return self._hasher.verify(password_hash or self._dummy, password) and bool(
                password_hash)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, password_hash: str) -> bool:
        """True if the hash was made with other parameters than today's."""
        return self._hasher.check_needs_rehash(password_hash)

    def _limiter(self) -> anyio.CapacityLimiter:
        # One per event loop: a CapacityLimiter belongs to the loop that first uses it.
        loop = asyncio.get_running_loop()
        slots = self._slots.get(loop)
        if slots is None:
            slots = self._slots[loop] = anyio.CapacityLimiter(self.concurrency)
        return slots

    async def hash_async(self, password: str) -> str:
        """`hash` in a worker thread, within the concurrency bound."""
        result: str = await anyio.to_thread.run_sync(self.hash, password,
                                                     limiter=self._limiter())
        return result

    async def verify_async(self, password_hash: str | None, password: str) -> bool:
        """`verify` in a worker thread, within the concurrency bound."""
        result: bool = await anyio.to_thread.run_sync(self.verify, password_hash, password,
                                                      limiter=self._limiter())
        return result


DEFAULT = Passwords()


def hash_password(password: str) -> str:
    """An argon2id hash with the default (OWASP minimum) parameters."""
    return DEFAULT.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Check against a hash with the default parameters' timing for unknown users."""
    return DEFAULT.verify(password_hash, password)


def needs_rehash(password_hash: str) -> bool:
    """True if the hash differs from the default parameters."""
    return DEFAULT.needs_rehash(password_hash)
