"""Alembic environment of the portal's read model."""

from ratsraum_common.db import run_alembic_env
from ratsraum_portal.base import Base
from ratsraum_portal.feedback import models as feedback_models  # noqa: F401
from ratsraum_portal.meetings import models  # noqa: F401  (registers the tables)
from ratsraum_portal.minutes import models as minutes_models  # noqa: F401
from ratsraum_portal.records import models as record_models  # noqa: F401

run_alembic_env(Base.metadata)
