"""Initial read model: towns, public meeting snapshots, processed event ids.

Revision ID: 0001
Revises:
Create Date: 2025-11-21 08:41:05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create the read-model tables."""
    op.create_table(
        "processed_events",
        sa.Column("consumer", sa.String(length=64), nullable=False),
        sa.Column("event_id", sa.String(length=64), nullable=False),
        sa.Column("processed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("consumer", "event_id"),
    )
    op.create_table(
        "public_tenants",
        sa.Column("id", sa.String(length=63), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "public_meetings",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("body_name", sa.String(length=255), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("snapshot", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("tenant_id", sa.String(length=63), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "id", name="pk_public_meetings"),
    )
    op.create_index("ix_public_meetings_starts_at", "public_meetings", ["starts_at"])
    op.create_index("ix_public_meetings_tenant_id", "public_meetings", ["tenant_id"])


def downgrade() -> None:
    """Drop the read-model tables."""
    op.drop_index("ix_public_meetings_tenant_id", table_name="public_meetings")
    op.drop_index("ix_public_meetings_starts_at", table_name="public_meetings")
    op.drop_table("public_meetings")
    op.drop_table("public_tenants")
    op.drop_table("processed_events")
