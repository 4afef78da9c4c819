"""A per-process limit on failed logins per username and client address."""

from __future__ import annotations

import time
from collections import OrderedDict, deque


class LoginLimiter:
    """Refuses further attempts after too many failures within a sliding window.

    Kept in memory: with several replicas each counts on its own, which still caps a
    guessing attack per replica; the argon2 cost per attempt does the rest.
    """

    def __init__(self, *, max_failures: int, window_seconds: float, max_keys: int = 50_000):
        self.max_failures = max_failures
        self.window = window_seconds
        self.max_keys = max_keys
        self._failures: OrderedDict[tuple[str, str], deque[float]] = OrderedDict()

    def _recent(self, key: tuple[str, str], now: float) -> deque[float]:
        times = self._failures.get(key)
        if times is None:
            return deque()
        while times and times[0] <= now - self.window:
            times.popleft()
        if not times:
            del self._failures[key]
        return times

    def blocked(self, *, username: str, client: str) -> bool:
        """True if this username from this address has failed too often lately."""
        key = (username.strip().lower(), client)
        return len(self._recent(key, time.monotonic())) >= self.max_failures

    def failed(self, *, username: str, client: str) -> None:
        """Record a failed attempt."""
        now = time.monotonic()
        key = (username.strip().lower(), client)
        times = self._recent(key, now)
        times.append(now)
        self._failures[key] = times
        self._failures.move_to_end(key)
        while len(self._failures) > self.max_keys:  # bound memory under a spray attack
            self._failures.popitem(last=False)

    def succeeded(self, *, username: str, client: str) -> None:
        """Forget the failures after a successful login."""
        self._failures.pop((username.strip().lower(), client), None)
