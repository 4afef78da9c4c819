"""Meetings know their body (OParl Organization.meeting) and their place (OParl Location).

Revision ID: 0006_meeting_places
Revises: 0005_public_records
Create Date: 2026-12-06 14:30:00
"""

import json
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0006_meeting_places"
down_revision: str | None = "0005_public_records"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _snapshot(value: Any) -> dict[str, Any]:
    # Drivers hand JSON back as text (SQLite, asyncpg) or already parsed.
    parsed = json.loads(value) if isinstance(value, str) else value
    return parsed if isinstance(parsed, dict) else {}


def upgrade() -> None:
    """Add the body column and fill it, and the places, from the stored snapshots."""
    with op.batch_alter_table("public_meetings") as batch:
        batch.add_column(sa.Column("body_id", sa.String(length=36), nullable=True))
    op.create_index("ix_public_meetings_body", "public_meetings",
                    ["tenant_id", "body_id", "created_at"])
    conn = op.get_bind()
    rows = conn.execute(sa.text(
        "SELECT tenant_id, id, snapshot, created_at, updated_at FROM public_meetings")).all()
    for tenant, meeting_id, raw, created, updated in rows:
        snapshot = _snapshot(raw)
        body = str(snapshot.get("body_id", ""))[:36]
        if body:
            conn.execute(sa.text("UPDATE public_meetings SET body_id = :b"
                                 " WHERE tenant_id = :t AND id = :m"),
                         {"b": body, "t": tenant, "m": meeting_id})
        place = str(snapshot.get("location", "")).strip()[:300]
        if not place:
            continue
        record = {"t": tenant, "k": "location", "i": f"meeting-{meeting_id}"}
        conn.execute(sa.text(
            "INSERT INTO public_records (tenant_id, kind, id, data, deleted, created_at,"
            " modified_at) VALUES (:t, :k, :i, :d, :x, :c, :u)").bindparams(
            sa.bindparam("d", type_=sa.JSON), sa.bindparam("x", type_=sa.Boolean)),
            {**record, "d": {"description": place, "meeting_id": meeting_id},
             "x": False, "c": created or updated, "u": updated})
        conn.execute(sa.text(
            "INSERT INTO public_record_refs (tenant_id, kind, id, ref_kind, ref_id, role)"
            " VALUES (:t, :k, :i, 'meeting', :m, '')"), {**record, "m": meeting_id})


def downgrade() -> None:
    """Drop the body column and the meetings' places."""
    op.execute("DELETE FROM public_record_refs WHERE kind = 'location' AND ref_kind = 'meeting'")
    op.execute("DELETE FROM public_records WHERE kind = 'location' AND id LIKE 'meeting-%'")
    op.drop_index("ix_public_meetings_body", table_name="public_meetings")
    with op.batch_alter_table("public_meetings") as batch:
        batch.drop_column("body_id")
