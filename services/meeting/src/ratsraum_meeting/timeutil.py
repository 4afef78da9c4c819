"""Time helpers: SQLite hands back naive datetimes, which are UTC by our convention."""

from __future__ import annotations

from datetime import UTC, datetime


def utc(value: datetime) -> datetime:
    """The same instant as an aware UTC datetime."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def now() -> datetime:
    """The current time in UTC."""
    return datetime.now(UTC)

