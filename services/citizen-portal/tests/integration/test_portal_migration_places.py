"""Upgrading a portal that already holds meetings: migration 0006 gives them their body (for
Organization.meeting) and their place (a Location) from the snapshots it stored before."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from sqlalchemy.ext.asyncio import create_async_engine

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


async def test_meetings_stored_before_get_their_body_and_place(database_url: str) -> None:
    await asyncio.to_thread(_upgrade, database_url, "0005_public_records")
    engine = create_async_engine(database_url)
    async with engine.begin() as conn:
        for meeting_id, place in (("m1", "Rathaus, Ratssaal"), ("m2", "")):
            await conn.execute(sa.text(
                "INSERT INTO public_meetings (tenant_id, id, version, title, body_name, status,"
                " snapshot, updated_at, created_at) VALUES ('soest', :m, 1, 'Sitzung', 'Rat',"
                " 'closed', :s, :u, :c)").bindparams(sa.bindparam("s", type_=sa.JSON)),
                {"m": meeting_id, "s": {"body_id": "rat", "location": place},
                 "u": datetime(2025, 11, 25, 17, tzinfo=UTC),
                 "c": datetime(2025, 11, 20, 9, tzinfo=UTC)})
    await asyncio.to_thread(_upgrade, database_url, "heads")
    async with engine.connect() as conn:
        bodies = (await conn.execute(sa.text(
            "SELECT id, body_id FROM public_meetings ORDER BY id"))).all()
        places = (await conn.execute(sa.select(
            sa.column("id"), sa.column("data", sa.JSON), sa.column("deleted", sa.Boolean))
            .select_from(sa.table("public_records")).where(sa.column("kind") == "location"))
                  ).all()
        refs = (await conn.execute(sa.text(
            "SELECT id, ref_kind, ref_id FROM public_record_refs"))).all()
    await engine.dispose()
    assert [tuple(b) for b in bodies] == [("m1", "rat"), ("m2", "rat")]
    assert [tuple(p) for p in places] == [
        ("meeting-m1", {"description": "Rathaus, Ratssaal", "meeting_id": "m1"}, False)]
    assert [tuple(r) for r in refs] == [("meeting-m1", "meeting", "m1")]
