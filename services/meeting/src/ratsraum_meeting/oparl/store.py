"""Shared steps of writing OParl objects: find by OParl id, change only what differs, delete."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import String, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from ratsraum_meeting.oparl.report import ImportReport
from ratsraum_meeting.timeutil import utc

_NAMESPACE = uuid.UUID("0b8f5c56-3d0e-4f43-9d7b-5f0a1c2e7d91")
T = TypeVar("T")


@dataclass
class Context:
    """One run's state: the town, the report, and the meetings whose public view changed."""

    tenant: str
    report: ImportReport
    changed_meetings: set[str] = field(default_factory=set)


def local_id(tenant: str, oparl_id: str) -> str:
    """The id a new local row gets: stable per town and OParl id, so reruns agree."""
    return str(uuid.uuid5(_NAMESPACE, f"{tenant}\n{oparl_id}"))


async def find(session: AsyncSession, model: type[T], oparl_id: str) -> T | None:
    """The town's row of this model for an OParl id."""
    column = model.oparl_id  # type: ignore[attr-defined]
    return (await session.scalars(select(model).where(column == oparl_id))).first()


def assign(row: object, values: dict[str, Any]) -> bool:
    """Set the attributes that differ; True if any did (so reruns report "unchanged")."""
    changed = False
    for key, value in values.items():
        if not _same(getattr(row, key), value):
            setattr(row, key, value)
            changed = True
    return changed


def _same(old: Any, new: Any) -> bool:
    # SQLite hands back naive UTC datetimes; the source sends offsets. Compare the instants.
    if isinstance(old, datetime) and isinstance(new, datetime):
        return utc(old) == utc(new)
    return bool(old == new)


async def upsert(
    session: AsyncSession, ctx: Context, model: type[T], oparl_id: str, values: dict[str, Any],
    *, kind: str, on_create: dict[str, Any] | None = None,
) -> tuple[T, str]:
    """Create or update the row for an OParl id; returns it with the counted outcome."""
    row = await find(session, model, oparl_id)
    if row is None:
        # Integer keys (memberships) number themselves; string keys get the stable id.
        if isinstance(model.__table__.c.id.type, String):  # type: ignore[attr-defined]
            values = {"id": local_id(ctx.tenant, oparl_id), **values}
        row = model(oparl_id=oparl_id, **values, **(on_create or {}))  # type: ignore[call-arg]
        session.add(row)
        outcome = "created"
    else:
        outcome = "updated" if assign(row, values) else "unchanged"
    ctx.report.count(kind, outcome)
    return row, outcome


async def remove(
    session: AsyncSession, ctx: Context, model: type[Any], oparl_id: str, *, kind: str,
    before: Callable[[Any], Awaitable[None]] | None = None,
) -> None:
    """Delete the local copy of an object the source deleted, unless Ratsraum still uses it."""
    row = await find(session, model, oparl_id)
    if row is None:
        ctx.report.count(kind, "unchanged")
        return
    try:
        async with session.begin_nested():
            if before is not None:
                await before(row)
            await session.delete(row)
            await session.flush()
    except IntegrityError:
        # Attendance, votes or a meeting still point at it: keep it and tell the admin.
        ctx.report.skip(kind, oparl_id, "In der Quelle gelöscht, wird in Ratsraum aber noch "
                                        "verwendet (z. B. Anwesenheit, Abstimmung, Sitzung); "
                                        "nicht gelöscht.")
        return
    ctx.report.count(kind, "deleted")
