"""Persons are per town: one id in two towns is two people, and no town learns of the other."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.config import Config

from ratsraum_common import demo
from ratsraum_common.db import Database
from ratsraum_meeting.main import MIGRATIONS

PERSONS = "/api/v1/admin/persons"
SHARED_ID = "0f7c2a52-4b0e-4c1e-9d55-1f6a0c3e9b21"


def admin_of(issuer: Any, tenant: str) -> dict[str, str]:
    token = issuer.token(demo.subject_for(tenant, "lange"), ["admin"], tenant=tenant,
                         body=demo.body_id_for(tenant, demo.BODY_SHORT))
    return {"Authorization": f"Bearer {token}"}


async def test_the_same_id_is_a_person_in_each_town_and_nothing_leaks(meeting, issuer) -> None:
    client = meeting.client
    soest, hamm = admin_of(issuer, demo.TENANT), admin_of(issuer, "hamm")
    first = await client.post(PERSONS, headers=soest, json={"id": SHARED_ID, "name": "Ada Soest"})
    assert first.status_code == 201, first.text
    # A second town adds the same account: its own row, no 500, no hint of the first.
    second = await client.post(PERSONS, headers=hamm, json={"id": SHARED_ID, "name": "Ada Hamm"})
    assert second.status_code == 201, second.text
    assert second.json()["name"] == "Ada Hamm"
    again = await client.post(PERSONS, headers=hamm, json={"id": SHARED_ID, "name": "Ada 2"})
    assert again.status_code == 409  # twice in the same town is a conflict there
    listed = (await client.get(PERSONS, headers=hamm)).json()
    assert [p["name"] for p in listed] == ["Ada Hamm"]
    # Changing one town's person leaves the other's alone.
    renamed = await client.patch(f"{PERSONS}/{SHARED_ID}", headers=hamm, json={"name": "Ada H."})
    assert renamed.status_code == 200
    soest_names = {p["id"]: p["name"] for p in (await client.get(PERSONS, headers=soest)).json()}
    assert soest_names[SHARED_ID] == "Ada Soest"
    # A demo member's id asked for in another town: the same 404 as an id nobody has.
    becker = next(p for p in demo.PEOPLE if p.username == "becker")
    elsewhere = await client.patch(f"{PERSONS}/{becker.subject}", headers=hamm,
                                   json={"name": "X"})
    nowhere = await client.patch(f"{PERSONS}/no-such-id", headers=hamm, json={"name": "X"})
    assert elsewhere.status_code == nowhere.status_code == 404
    assert elsewhere.json()["detail"] == nowhere.json()["detail"]
    # The seat in the second town refers to that town's person.
    body = await client.post("/api/v1/admin/bodies", headers=hamm,
                             json={"name": "Rat der Stadt Hamm", "statutory_members": 58})
    seat = await client.post("/api/v1/admin/memberships", headers=hamm, json={
        "body_id": body.json()["id"], "person_id": SHARED_ID})
    assert seat.status_code == 201, seat.text


def _upgrade(connection: sa.Connection, target: str) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    command.upgrade(config, target)


async def test_the_migration_keeps_people_and_seats(database_url: str) -> None:
    db = Database(database_url)
    try:
        async with db.engine.begin() as conn:
            for head in ("0005_hybrid_conditions", "0005_web_sessions"):
                await conn.run_sync(_upgrade, head)
            for statement in (
                "INSERT INTO tenants (id, tenant_id, name) VALUES ('soest', 'soest', 'S')",
                "INSERT INTO bodies (id, tenant_id, name, short, statutory_members, "
                "rule_profile) VALUES ('b1', 'soest', 'Rat', 'R', 5, 'NRW')",
                "INSERT INTO persons (id, tenant_id, name, party) VALUES ('p1', 'soest', "
                "'Ada', '')",
                "INSERT INTO memberships (body_id, person_id, tenant_id, role) VALUES "
                "('b1', 'p1', 'soest', 'chair')",
            ):
                await conn.execute(sa.text(statement))
        async with db.engine.begin() as conn:
            await conn.run_sync(_upgrade, "heads")
        async with db.engine.begin() as conn:
            await conn.execute(sa.text("INSERT INTO persons (id, tenant_id, name, party) "
                                       "VALUES ('p1', 'hamm', 'Ada aus Hamm', '')"))
            seats = (await conn.execute(sa.text(
                "SELECT person_id, role FROM memberships"))).all()
            assert [tuple(s) for s in seats] == [("p1", "chair")]
        refused = False
        try:  # a seat for a person the town does not have
            async with db.engine.begin() as conn:
                await conn.execute(sa.text(
                    "INSERT INTO memberships (body_id, person_id, tenant_id, role) VALUES "
                    "('b1', 'p9', 'soest', 'member')"))
        except sa.exc.IntegrityError:
            refused = True
        assert refused
    finally:
        await db.dispose()
