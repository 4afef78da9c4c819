"""Alembic environment of meeting: all tables are on Base.metadata."""

from ratsraum_common.db import run_alembic_env
from ratsraum_meeting.base import Base
from ratsraum_meeting.models import load_all

load_all()
run_alembic_env(Base.metadata)
