"""Imports every model module, so Base.metadata knows all tables (migrations, tests)."""

from __future__ import annotations


def load_all() -> None:
    """Register every table of meeting on Base.metadata."""
    from ratsraum_meeting import live_tickets as _live_tickets  # noqa: F401
    from ratsraum_meeting.agenda import models as _agenda  # noqa: F401
    from ratsraum_meeting.attendance import models as _attendance  # noqa: F401
    from ratsraum_meeting.conflicts import models as _conflicts  # noqa: F401
    from ratsraum_meeting.disruptions import models as _disruptions  # noqa: F401
    from ratsraum_meeting.invitations import models as _invitations  # noqa: F401
    from ratsraum_meeting.lobby import models as _lobby  # noqa: F401
    from ratsraum_meeting.masterdata import models as _masterdata  # noqa: F401
    from ratsraum_meeting.meetings import models as _meetings  # noqa: F401
    from ratsraum_meeting.minutes import models as _minutes  # noqa: F401
    from ratsraum_meeting.oparl import models as _oparl  # noqa: F401
    from ratsraum_meeting.polls import models as _polls  # noqa: F401
    from ratsraum_meeting.profiles import models as _profiles  # noqa: F401
    from ratsraum_meeting.signin import models as _signin  # noqa: F401
    from ratsraum_meeting.speakers import models as _speakers  # noqa: F401
    from ratsraum_meeting.video import models as _video  # noqa: F401
