"""Signed minutes of public meetings (public part, with its hashes).

Revision ID: 0002_minutes
Revises: 0001
Create Date: 2026-11-21 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002_minutes"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create the minutes table."""
    op.create_table(
        "public_minutes",
        sa.Column("meeting_id", sa.String(length=64), nullable=False),
        sa.Column("minutes_sha256", sa.String(length=64), nullable=False),
        sa.Column("public_html", sa.Text(), nullable=False),
        sa.Column("public_html_sha256", sa.String(length=64), nullable=False),
        sa.Column("signed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("chair_name", sa.String(length=200), nullable=False),
        sa.Column("clerk_name", sa.String(length=200), nullable=False),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.Column("event_id", sa.String(length=64), nullable=False),
        sa.Column("tenant_id", sa.String(length=63), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "meeting_id", name="pk_public_minutes"),
    )
    op.create_index("ix_public_minutes_tenant_id", "public_minutes", ["tenant_id"])


def downgrade() -> None:
    """Drop the minutes table."""
    op.drop_index("ix_public_minutes_tenant_id", table_name="public_minutes")
    op.drop_table("public_minutes")
