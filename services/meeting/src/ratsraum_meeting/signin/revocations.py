"""Access tokens identity ended before they expire: the gate every verified token passes.

Identity's events (ratsraum_meeting.signin.identity_events) write `access_revocations`; the
database is the truth, shared by every replica. Each replica keeps the whole (small) table in
memory and reads it again at most every `max_age_seconds`, so a request costs a dict lookup;
the replica that handled the event knows at once.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select

from ratsraum_common.auth import AccessEnded, Principal
from ratsraum_common.db import Database
from ratsraum_common.i18n import Msg
from ratsraum_common.logging import get_logger
from ratsraum_meeting.signin.models import AccessRevocation

log = get_logger(__name__)
TOWN = ""  # the subject of a town's own row

ACCESS_ENDED = Msg(
    "Ihr Zugang wurde beendet (das Konto wurde deaktiviert oder die Anmeldung widerrufen). "
    "Bitte melden Sie sich erneut an; hilft das nicht, wenden Sie sich an Ihre Verwaltung.",
    "Your access has ended (the account was deactivated or the sign-in revoked). Please sign "
    "in again; if that fails, ask your town's office.",
)
TOWN_SUSPENDED = Msg(
    "Ihre Kommune ist in Ratsraum derzeit gesperrt. Bitte wenden Sie sich an Ihre Verwaltung "
    "oder Ihren IT-Dienstleister.",
    "Your town is suspended in Ratsraum at present. Please ask your town's office or its IT "
    "service provider.",
)


@dataclass(frozen=True, slots=True)
class Revocation:
    """Tokens issued before `not_before_ms` are void; `blocked`: every token is."""

    not_before_ms: int
    blocked: bool = False


class Revocations:
    """The in-memory copy of `access_revocations`, read again when older than max_age."""

    def __init__(self, db: Database, *, max_age_seconds: float = 2.0) -> None:
        self.db = db
        self.max_age = max_age_seconds
        self._known: dict[tuple[str, str], Revocation] = {}
        self._loaded_at = float("-inf")
        self._lock = asyncio.Lock()

    async def check(self, principal: Principal) -> None:
        """Raise AccessEnded if the principal's town or account was ended since issue."""
        if time.monotonic() - self._loaded_at > self.max_age:
            await self._reload()
        issued = principal.claims.get("iat")
        issued_ms = int(issued * 1000) if isinstance(issued, int | float) else 0
        town = self._known.get((principal.tenant, TOWN))
        if town is not None and town.blocked:
            raise AccessEnded("town suspended", status=403, code="town-suspended",
                              message=TOWN_SUSPENDED)
        account = self._known.get((principal.tenant, principal.subject))
        for ended in (town, account):
            if ended is not None and issued_ms < ended.not_before_ms:
                raise AccessEnded("token issued before its access ended", status=401,
                                  code="access-ended", message=ACCESS_ENDED)

    async def refresh(self) -> None:
        """Read the table now (this replica just recorded a change)."""
        self._loaded_at = float("-inf")
        await self._reload()

    async def _reload(self) -> None:
        async with self._lock:
            if time.monotonic() - self._loaded_at <= self.max_age:
                return  # another request read it meanwhile
            try:
                async with self.db.system_session() as session:
                    rows = (await session.execute(select(
                        AccessRevocation.tenant_id, AccessRevocation.subject,
                        AccessRevocation.not_before_ms, AccessRevocation.blocked))).all()
            except Exception as exc:
                # Keep what we know and try again after max_age; the request itself will
                # meet the database's trouble.
                log.warning("revocations.reload_failed", error=str(exc))
                self._loaded_at = time.monotonic()
                return
            self._known = {(t, s): Revocation(n, b) for t, s, n, b in rows}
            self._loaded_at = time.monotonic()


async def prune_revocations(db: Database, *, keep: timedelta, batch: int = 1000) -> int:
    """Delete revocations no token still presentable can be refused by; returns how many.

    A row refuses tokens issued before its `not_before_ms`; once `keep` (the longest token
    lifetime plus leeway) has passed since then, every such token has expired. A blocked town
    (suspended, deleted) refuses every token however new, so its row stays while blocked.
    """
    cutoff = datetime.now(UTC) - keep
    cutoff_ms = int(cutoff.timestamp() * 1000)
    async with db.transaction(None) as session:
        keys = (await session.execute(
            select(AccessRevocation.tenant_id, AccessRevocation.subject).where(
                AccessRevocation.blocked.is_(False),
                AccessRevocation.not_before_ms < cutoff_ms,
                AccessRevocation.changed_at < cutoff).limit(batch))).all()
        for tenant, subject in keys:
            await session.execute(delete(AccessRevocation).where(
                AccessRevocation.tenant_id == tenant, AccessRevocation.subject == subject))
    if keys:
        log.info("revocations.pruned", rows=len(keys))
    return len(keys)
