"""Backup mid-session, restore into a fresh stack, every poll verified there (short form).

`make backup-test` runs the longer form (40 members; --postgres for PostgreSQL).
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from ratsraum_devstack.backup_check import check

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("postgres", [
    pytest.param(False, id="sqlite"),
    pytest.param(True, id="postgres", marks=pytest.mark.postgres),
])
def test_a_restored_stack_verifies_every_poll_and_goes_on(tmp_path: Path,
                                                           postgres: bool) -> None:
    outcome = asyncio.run(check(voters=8, postgres=postgres, work=tmp_path))
    assert outcome.problems == []
    assert outcome.polls_verified == 2
    assert outcome.ballots_checked == 8 + 8  # the open poll, and the secret one finished after
    assert outcome.stream_messages > 0
    assert outcome.stream_restored == outcome.stream_messages
