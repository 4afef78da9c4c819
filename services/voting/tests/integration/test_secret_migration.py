"""Revision 0005 rebuilds secret_ballots: stored ballots keep their JSON and gain their hash."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, text

from ratsraum_common.db import Database
from ratsraum_voting.main import MIGRATIONS

BALLOT = json.dumps({"object_id": "ballot-1", "code": "689A", "state": 1})


def _upgrade_to(connection: Connection, revision: str, location: Path) -> None:
    config = Config()
    config.set_main_option("script_location", str(location))
    config.attributes["connection"] = connection
    command.upgrade(config, revision)


async def test_ballots_stored_before_0005_keep_their_json_and_gain_hash_and_object_id(
    database_url: str,
) -> None:
    db = Database(database_url)
    try:
        async with db.engine.begin() as conn:
            await conn.run_sync(_upgrade_to, "0004_secret_more", MIGRATIONS)
            await conn.execute(text(
                "INSERT INTO secret_polls (id, poll_id, meeting_id, title, majority_rule, "
                "options, state, ceremony_id, manifest_json, context_json, guardians, tally, "
                "ballots_cast, opened_at, tenant_id) VALUES ('pk-1', 'p-1', 'm-1', 'TOP 1', "
                "'simple', '[]', 'open', 'town.p-1', '{}', '{}', '[]', '{}', 1, :now, 'town')"),
                {"now": datetime.now(UTC)})
            await conn.execute(text(
                "INSERT INTO secret_ballots (id, poll_pk, code, ballot_json, tenant_id) "
                "VALUES ('b-1', 'pk-1', '689A', :json, 'town')"), {"json": BALLOT})
        await db.migrate(MIGRATIONS)
        async with db.engine.connect() as conn:
            row = (await conn.execute(text(
                "SELECT id, ballot_hash, object_id, code, ballot_json FROM secret_ballots"
            ))).one()
    finally:
        await db.dispose()
    assert tuple(row) == ("b-1", hashlib.sha256(BALLOT.encode()).hexdigest(), "ballot-1",
                          "689A", BALLOT)
