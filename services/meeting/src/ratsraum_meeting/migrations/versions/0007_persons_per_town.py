"""persons keyed by (town, id); every person_id refers to the person of the same town

The same human may sit in two towns' bodies (one row per town), and a town adding an id that
another town holds no longer collides with it.

Revision ID: 0007_persons_per_town
Revises: 0006_published_records
Create Date: 2026-12-06 (hand-written against meetings/models.py)
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_persons_per_town"
down_revision: str | Sequence[str] | None = "0006_published_records"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Every table with a person_id (see meetings.models.person_key).
CHILDREN = ("memberships", "attendance", "speaker_requests", "lobby_entries",
            "disruption_reports", "conflicts", "vote_requests", "video_identities",
            "invitation_deliveries")
# SQLite keeps the old references unnamed; this names them so batch mode can drop them.
NAMING = {"fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s"}


def _person_references(table: str) -> list[str]:
    """Names of a table's foreign keys to persons (by the convention where unnamed)."""
    found = sa.inspect(op.get_bind()).get_foreign_keys(table)
    return [fk.get("name") or f"fk_{table}_person_id_persons"
            for fk in found if fk["referred_table"] == "persons"]


def _rekey_persons(columns: list[str]) -> None:
    name = sa.inspect(op.get_bind()).get_pk_constraint("persons").get("name")
    # On SQLite the table is copied; the new key replaces the reflected one (with a warning
    # from SQLAlchemy that it does so).
    with op.batch_alter_table("persons") as batch:
        if name:
            batch.drop_constraint(name, type_="primary")
        batch.create_primary_key("pk_persons", columns)


def _video_unique(columns: list[str]) -> None:
    with op.batch_alter_table("video_identities") as batch:
        batch.drop_constraint("uq_video_identity", type_="unique")
        batch.create_unique_constraint("uq_video_identity", columns)


def upgrade() -> None:
    """Apply this revision."""
    for table in CHILDREN:
        with op.batch_alter_table(table, naming_convention=NAMING) as batch:
            for name in _person_references(table):
                batch.drop_constraint(name, type_="foreignkey")
    _rekey_persons(["tenant_id", "id"])
    for table in CHILDREN:
        with op.batch_alter_table(table) as batch:
            batch.create_foreign_key(f"fk_{table}_person", "persons",
                                     ["tenant_id", "person_id"], ["tenant_id", "id"])
    _video_unique(["tenant_id", "person_id", "provider"])


def downgrade() -> None:
    """Revert this revision (fails if an id is held by two towns)."""
    _video_unique(["person_id", "provider"])
    for table in CHILDREN:
        with op.batch_alter_table(table) as batch:
            batch.drop_constraint(f"fk_{table}_person", type_="foreignkey")
    _rekey_persons(["id"])
    for table in CHILDREN:
        with op.batch_alter_table(table) as batch:
            batch.create_foreign_key(f"fk_{table}_person_id_persons", "persons",
                                     ["person_id"], ["id"])
