"""Alembic environment of identity's database."""

from ratsraum_common.db import run_alembic_env
from ratsraum_identity.accounts import models as _accounts  # noqa: F401 - register tables
from ratsraum_identity.accounts import passkey_models as _passkeys  # noqa: F401 - register tables
from ratsraum_identity.base import Base
from ratsraum_identity.federation import models as _federation  # noqa: F401 - register tables
from ratsraum_identity.members import models as _members  # noqa: F401 - register tables
from ratsraum_identity.oauth import models as _oauth  # noqa: F401 - register tables
from ratsraum_identity.operators import models as _operators  # noqa: F401 - register tables

run_alembic_env(Base.metadata)
