"""Old access revocations are pruned by housekeeping, but never one a token still presentable
could be refused by: recent ones stay, and a suspended town stays blocked however long ago."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from ratsraum_common.auth import AccessEnded, Principal
from ratsraum_meeting.signin.models import AccessRevocation
from ratsraum_meeting.signin.revocations import TOWN, Revocations, prune_revocations

KEEP = timedelta(hours=25)


def _ms(at: datetime) -> int:
    return int(at.timestamp() * 1000)


def _token(tenant: str, subject: str, *, issued: datetime) -> Principal:
    return Principal(subject=subject, tenant=tenant, roles=frozenset({"member"}),
                     claims={"iat": int(issued.timestamp())})


async def test_old_revocations_go_and_needed_ones_stay(meeting) -> None:  # type: ignore[no-untyped-def]
    db = meeting.app.state.db
    now = datetime.now(UTC)
    rows = {
        # (tenant, subject): (not_before, blocked, changed_at)
        ("bergdorf", "old-account"): (now - timedelta(days=2), False, now - timedelta(days=2)),
        ("bergdorf", TOWN): (now - timedelta(days=3), False, now - timedelta(days=3)),  # resumed
        ("bergdorf", "recent-account"): (now - timedelta(hours=1), False, now - timedelta(hours=1)),
        ("talheim", TOWN): (now - timedelta(days=30), True, now - timedelta(days=30)),  # suspended
        # An old event that arrived only now still guards the order of later events a while.
        ("bergdorf", "late-event"): (now - timedelta(days=2), False, now - timedelta(minutes=5)),
    }
    async with db.transaction(None) as session:
        for (tenant, subject), (not_before, blocked, changed) in rows.items():
            session.add(AccessRevocation(tenant_id=tenant, subject=subject,
                                         not_before_ms=_ms(not_before), blocked=blocked,
                                         changed_at=changed))

    # The app's own housekeeping (the same pruner, the default of 25 hours) may come first.
    await prune_revocations(db, keep=KEEP)
    assert await prune_revocations(db, keep=KEEP) == 0  # repeating finds nothing more
    async with db.system_session() as session:
        kept = {(t, s) for t, s in (await session.execute(
            select(AccessRevocation.tenant_id, AccessRevocation.subject))).all()}
    assert kept == {("bergdorf", "recent-account"), ("talheim", TOWN),
                    ("bergdorf", "late-event")}

    gate = Revocations(db)
    # A token issued just before the recent revocation is still within its lifetime: refused.
    with pytest.raises(AccessEnded) as ended:
        await gate.check(_token("bergdorf", "recent-account",
                                issued=now - timedelta(hours=1, minutes=5)))
    assert ended.value.code == "access-ended"
    # The town suspended a month ago refuses even a brand-new token.
    with pytest.raises(AccessEnded) as suspended:
        await gate.check(_token("talheim", "anyone", issued=now))
    assert suspended.value.code == "town-suspended"
    # The pruned rows could only refuse tokens that have expired long ago.
    await gate.check(_token("bergdorf", "old-account", issued=now - timedelta(minutes=1)))
