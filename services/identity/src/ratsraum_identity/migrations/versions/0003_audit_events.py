"""Audit events: sign-ins, failures, second factor, sign-outs, with town, actor and time.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-06 (hand-written against accounts/models.py)
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "audit_event",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("event", sa.String(length=60), nullable=False),
        sa.Column("tenant_id", sa.String(length=63), nullable=True),
        sa.Column("actor", sa.String(length=36), nullable=True),
        sa.Column("client", sa.String(length=64), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_audit_event_at", "audit_event", ["at"])
    op.create_index("ix_audit_event_tenant_id", "audit_event", ["tenant_id"])


def downgrade() -> None:
    """Revert this revision."""
    op.drop_table("audit_event")
