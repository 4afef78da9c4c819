"""Open live streams counted per town and per user, so no one town or person takes them all.

A process-wide cap alone lets one town (or one member with a script) hold every stream of a
replica. Each stream takes a lease here before its response starts and gives it back when the
stream ends; `release` may be called more than once (stream end and response end both call it).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from ratsraum_common.i18n import Msg
from ratsraum_common.problems import Problem

TOO_MANY_FOR_USER = Msg(
    "Sie haben bereits zu viele Live-Ansichten geöffnet; bitte schließen Sie eine andere "
    "Ansicht (Tab oder Gerät) und versuchen Sie es erneut.",
    "You already have too many live views open; close another view (tab or device) and "
    "try again.",
)
TOO_MANY_FOR_TOWN = Msg(
    "In dieser Kommune sind gerade zu viele Live-Ansichten geöffnet; die Seite funktioniert "
    "auch ohne Live-Aktualisierung, bitte laden Sie sie später neu.",
    "Too many live views are open in this town right now; the page works without live "
    "updates, please reload it later.",
)


@dataclass
class StreamLease:
    """One open stream's share of the counts; gives it back exactly once."""

    limits: StreamLimits
    tenant: str
    user: str
    released: bool = False

    def release(self) -> None:
        """Give the stream's share back (idempotent)."""
        if not self.released:
            self.released = True
            self.limits.give_back(self)


@dataclass
class StreamLimits:
    """Counts open streams per town and per (town, user) against their caps."""

    per_town: int
    per_user: int
    retry_after_seconds: int = 30
    _towns: Counter[str] = field(default_factory=Counter)
    _users: Counter[tuple[str, str]] = field(default_factory=Counter)

    def open_for(self, *, tenant: str) -> int:
        """How many streams the town has open in this process."""
        return self._towns[tenant]

    def acquire(self, *, tenant: str, user: str) -> StreamLease:
        """Take a lease, or refuse with a 429 problem naming which limit was reached."""
        headers = {"Retry-After": str(self.retry_after_seconds)}
        if self._users[(tenant, user)] >= self.per_user:
            raise Problem(429, "too-many-streams-for-user", TOO_MANY_FOR_USER,
                          headers=headers, limit=self.per_user)
        if self._towns[tenant] >= self.per_town:
            raise Problem(429, "too-many-streams-for-town", TOO_MANY_FOR_TOWN,
                          headers=headers, limit=self.per_town)
        self._towns[tenant] += 1
        self._users[(tenant, user)] += 1
        return StreamLease(limits=self, tenant=tenant, user=user)

    def give_back(self, lease: StreamLease) -> None:
        """Called by the lease; counts that reach zero are dropped so memory stays bounded."""
        self._towns[lease.tenant] -= 1
        if self._towns[lease.tenant] <= 0:
            del self._towns[lease.tenant]
        key = (lease.tenant, lease.user)
        self._users[key] -= 1
        if self._users[key] <= 0:
            del self._users[key]
