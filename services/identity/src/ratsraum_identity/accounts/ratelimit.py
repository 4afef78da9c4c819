"""A per-process limit on failed logins, shaped so nobody can lock a named person out.

Three counters over one sliding window:
- per (client address, account): a guesser at one account from one place stops there;
- per client address: one place guessing at many accounts stops there;
- all failures together: above a threshold (password spraying from many places) every
  address that has failed lately is refused at once, while addresses without failures,
  where people type their password right, still get through.
No counter is per account alone, so failures from outside never lock the account itself.
Kept in memory: with several replicas each counts on its own; argon2's cost does the rest.
"""

from __future__ import annotations

import time
from collections import OrderedDict, deque
from enum import StrEnum


class Block(StrEnum):
    """Why an attempt is refused."""

    ACCOUNT_FROM_ADDRESS = "account_from_address"
    ADDRESS = "address"
    SPRAY = "spray"


class _Window:
    """Failure times per key within a sliding window, bounded in keys."""

    def __init__(self, window: float, max_keys: int, max_per_key: int | None = None) -> None:
        self.window, self.max_keys, self.max_per_key = window, max_keys, max_per_key
        self._times: OrderedDict[object, deque[float]] = OrderedDict()

    def count(self, key: object, now: float) -> int:
        times = self._times.get(key)
        if times is None:
            return 0
        while times and times[0] <= now - self.window:
            times.popleft()
        if not times:
            del self._times[key]
        return len(times)

    def add(self, key: object, now: float) -> None:
        self.count(key, now)
        self._times.setdefault(key, deque(maxlen=self.max_per_key)).append(now)
        self._times.move_to_end(key)
        while len(self._times) > self.max_keys:  # bound memory under a spray attack
            self._times.popitem(last=False)

    def forget(self, key: object) -> None:
        self._times.pop(key, None)


class LoginLimiter:
    """Refuses further attempts after too many failures within a sliding window."""

    def __init__(self, *, max_failures: int, window_seconds: float,
                 max_failures_per_address: int | None = None,
                 spray_threshold: int | None = None, max_keys: int = 50_000):
        self.max_failures = max_failures
        self.max_per_address = max_failures_per_address
        self.spray_threshold = spray_threshold
        self.window = window_seconds
        self._pairs = _Window(window_seconds, max_keys)
        self._addresses = _Window(window_seconds, max_keys)
        # Only whether the threshold is reached matters, so the newest failures suffice.
        self._all = _Window(window_seconds, 1, max_per_key=spray_threshold or 1)

    @staticmethod
    def _pair(username: str, client: str) -> tuple[str, str]:
        return (username.strip().lower(), client)

    def check(self, *, username: str, client: str) -> Block | None:
        """Why this attempt must be refused, or None if it may go ahead."""
        now = time.monotonic()
        if self._pairs.count(self._pair(username, client), now) >= self.max_failures:
            return Block.ACCOUNT_FROM_ADDRESS
        from_address = self._addresses.count(client, now)
        if self.max_per_address is not None and from_address >= self.max_per_address:
            return Block.ADDRESS
        if (self.spray_threshold is not None and from_address > 0
                and self._all.count("all", now) >= self.spray_threshold):
            return Block.SPRAY
        return None

    def blocked(self, *, username: str, client: str) -> bool:
        """True if this attempt must be refused."""
        return self.check(username=username, client=client) is not None

    def failed(self, *, username: str, client: str) -> None:
        """Record a failed attempt."""
        now = time.monotonic()
        self._pairs.add(self._pair(username, client), now)
        self._addresses.add(client, now)
        self._all.add("all", now)

    def succeeded(self, *, username: str, client: str) -> None:
        """Forget this account's failures from this address after a successful login."""
        self._pairs.forget(self._pair(username, client))
