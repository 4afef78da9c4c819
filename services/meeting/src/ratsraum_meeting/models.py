"""Imports every model module, so Base.metadata knows all tables (migrations, tests).

It sits above every domain (nothing in the service imports it); only migrations and tests do.
"""

from __future__ import annotations

from ratsraum_meeting import live_tickets
from ratsraum_meeting.agenda import models as agenda
from ratsraum_meeting.attendance import models as attendance
from ratsraum_meeting.citizen_links import models as citizen_links
from ratsraum_meeting.conflicts import models as conflicts
from ratsraum_meeting.device_checks import models as device_checks
from ratsraum_meeting.disruptions import models as disruptions
from ratsraum_meeting.invitations import models as invitations
from ratsraum_meeting.livestream import models as livestream
from ratsraum_meeting.lobby import models as lobby
from ratsraum_meeting.masterdata import models as masterdata
from ratsraum_meeting.meetings import models as meetings
from ratsraum_meeting.minutes import models as minutes
from ratsraum_meeting.oparl import models as oparl
from ratsraum_meeting.polls import models as polls
from ratsraum_meeting.profiles import models as profiles
from ratsraum_meeting.publish import models as published
from ratsraum_meeting.questions import models as questions
from ratsraum_meeting.signin import models as signin
from ratsraum_meeting.speakers import models as speakers
from ratsraum_meeting.video import models as video

MODEL_MODULES = (live_tickets, agenda, attendance, citizen_links, conflicts, device_checks,
                 disruptions, invitations, livestream, lobby, masterdata, meetings, minutes,
                 oparl, polls, profiles, published, questions, signin, speakers, video)


def load_all() -> None:
    """Register every table of meeting on Base.metadata (done by importing this module)."""
