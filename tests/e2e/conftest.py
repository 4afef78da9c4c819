"""The whole system, started once for the e2e tests: every service its own process."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from ratsraum_devstack.stack import Stack, StackConfig


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """nats-server and the four services on free ports with a fresh demo town."""
    data: Path = tmp_path_factory.mktemp("ratsraum-e2e")
    with Stack(StackConfig.on_free_ports(data)) as running:
        yield running
