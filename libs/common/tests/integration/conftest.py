"""Fixtures shared by the consumer, dead-letter and housekeeping tests of this folder.

`db` is a fresh database (SQLite and PostgreSQL, from the workspace's `database_url`) holding
the tables a test module lists in its own `tables` fixture; `js` is a JetStream context on the
session's nats-server with the RATSRAUM stream in place.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence

import nats
import pytest
from nats.js import JetStreamContext
from sqlalchemy import MetaData

from ratsraum_common.db import Database
from ratsraum_common.nats import ensure_stream


@pytest.fixture
async def db(database_url: str, tables: Sequence[MetaData]) -> AsyncIterator[Database]:
    """A fresh database with the test module's tables."""
    database = Database(database_url)
    async with database.engine.begin() as conn:
        for metadata in tables:
            await conn.run_sync(metadata.create_all)
    yield database
    await database.dispose()


@pytest.fixture
async def js(nats_url: str) -> AsyncIterator[JetStreamContext]:
    """A JetStream context with the RATSRAUM stream, closed after the test."""
    nc = await nats.connect(nats_url)
    jetstream = nc.jetstream()
    await ensure_stream(jetstream)
    yield jetstream
    await nc.close()
