"""Upgrading a portal that already holds meetings: migration 0006 gives them their body (for
Organization.meeting) and their place (a Location) from the snapshots it stored before."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config

import ratsraum_portal

MIGRATIONS = Path(ratsraum_portal.__file__).parent / "migrations"


def _config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url)
    return config


def _upgrade(url: str, revision: str) -> None:
    # The migration environment runs its own event loop; keep it off the test's.
    command.upgrade(_config(url), revision)


async def test_meetings_stored_before_get_their_body_and_place(tmp_path: Path) -> None:
    path = tmp_path / "portal.sqlite3"
    url = f"sqlite+aiosqlite:///{path}"
    await asyncio.to_thread(_upgrade, url, "0005_public_records")
    engine = sa.create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        for meeting_id, place in (("m1", "Rathaus, Ratssaal"), ("m2", "")):
            conn.execute(sa.text(
                "INSERT INTO public_meetings (tenant_id, id, version, title, body_name, status,"
                " snapshot, updated_at, created_at) VALUES ('soest', :m, 1, 'Sitzung', 'Rat',"
                " 'closed', :s, '2025-11-25 17:00:00', '2025-11-20 09:00:00')"),
                {"m": meeting_id, "s": json.dumps({"body_id": "rat", "location": place})})
    await asyncio.to_thread(_upgrade, url, "heads")
    with engine.connect() as conn:
        bodies = conn.execute(sa.text(
            "SELECT id, body_id FROM public_meetings ORDER BY id")).all()
        places = conn.execute(sa.text(
            "SELECT id, data, deleted FROM public_records WHERE kind = 'location'")).all()
        refs = conn.execute(sa.text(
            "SELECT id, ref_kind, ref_id FROM public_record_refs")).all()
    engine.dispose()
    assert [tuple(b) for b in bodies] == [("m1", "rat"), ("m2", "rat")]
    assert [(p.id, json.loads(p.data), bool(p.deleted)) for p in places] == [
        ("meeting-m1", {"description": "Rathaus, Ratssaal", "meeting_id": "m1"}, False)]
    assert [tuple(r) for r in refs] == [("meeting-m1", "meeting", "m1")]
