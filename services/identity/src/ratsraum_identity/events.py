"""The events identity publishes: access that ends at once in the other services.

Staged in the caller's transaction (outbox), so the event exists exactly when the change does.
"""

from __future__ import annotations

import time

from sqlalchemy.ext.asyncio import AsyncSession

from ratsraum.identity.v1 import events_pb2
from ratsraum_common.outbox import add_event
from ratsraum_identity.base import OutboxMessage
from ratsraum_identity.config import SERVICE

ACCOUNT_DEACTIVATED = "account.deactivated"
TOWN_EVENTS = {"suspended": "town.suspended", "active": "town.resumed",
               "deleted": "town.deleted"}


def now_ms() -> int:
    """Identity's clock in milliseconds; tokens' `iat` come from the same clock."""
    return time.time_ns() // 1_000_000


def account_deactivated(session: AsyncSession, *, tenant: str, account_id: str) -> str:
    """Stage `account.deactivated`: the account's tokens issued until now are void."""
    return add_event(session, OutboxMessage, tenant=tenant, service=SERVICE,
                     event_name=ACCOUNT_DEACTIVATED,
                     payload=events_pb2.AccountDeactivated(account_id=account_id,
                                                           not_before_ms=now_ms()))


def town_status_changed(session: AsyncSession, *, tenant: str, status: str) -> str:
    """Stage `town.suspended`, `town.resumed` or `town.deleted` for the town."""
    return add_event(session, OutboxMessage, tenant=tenant, service=SERVICE,
                     event_name=TOWN_EVENTS[status],
                     payload=events_pb2.TownStatusChanged(status=status,
                                                          not_before_ms=now_ms()))
