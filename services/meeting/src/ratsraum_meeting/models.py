"""Imports every model module, so Base.metadata knows all tables (migrations, tests)."""

from __future__ import annotations


def load_all() -> None:
    """Register every table of meeting on Base.metadata."""
    from ratsraum_meeting.attendance import models as _attendance  # noqa: F401
    from ratsraum_meeting.meetings import models as _meetings  # noqa: F401
    from ratsraum_meeting.polls import models as _polls  # noqa: F401
