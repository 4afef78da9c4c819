"""Alembic environment of the voting database."""

from ratsraum_common.db import run_alembic_env
from ratsraum_voting.models import Base

run_alembic_env(Base.metadata)
