"""Meeting's fixtures: real tokens, app, database and NATS; voting faked only at its gRPC border.

The fixtures live in modules named by topic; this file only makes them available:
- meeting_fixtures/tokens.py: `issuer` (signs access tokens; `issuer.person("richter")`)
- meeting_fixtures/voting.py: `fake_voting` (FakeVoting on a free port), `voting_target`
  (the real voting service)
- meeting_fixtures/guardians.py: `guardians` (three guardian processes for secret votes)
- meeting_fixtures/app.py: `start_meeting`, `meeting` (the app on the demo town, with
  `open_and_attend`), `member_ids`
- meeting_fakes/voting.py: FakeVoting itself
Database and NATS (`database_url`, `nats_url`, `postgres_cluster`) come from the workspace's
pytest plugin (tools/devstack). Live tests add a real HTTP server and an SSE reader
(live/conftest.py).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from ratsraum_devstack.paths import shared_dir

# The workspace runs pytest with --import-mode=importlib, where test modules cannot import
# sibling helper modules; put this folder on the path so the fixture modules are importable.
sys.path.insert(0, str(Path(__file__).parent))

from meeting_fixtures.app import meeting, start_meeting  # noqa: F401
from meeting_fixtures.guardians import guardians  # noqa: F401
from meeting_fixtures.tokens import issuer  # noqa: F401
from meeting_fixtures.voting import fake_voting, voting_target  # noqa: F401


@pytest.fixture(scope="session", autouse=True)
def _shared_reference_data() -> None:
    """Point the service at shared/ (vendor specs), wherever this checkout found it."""
    import os

    os.environ.setdefault("RATSRAUM_SHARED_DIR", str(shared_dir()))
