"""Poll lifecycle (cancel, void/re-run, show of hands, publish), elections and the audit chain.

Revision ID: 0002_votelife
Revises: 0001
Create Date: 2026-11-22 09:00:00

Only nullable or defaulted columns on `polls` plus the new table `audit_entries`, so this
branch stays independent of other features' revisions.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002_votelife"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

def _poll_columns() -> tuple[sa.Column[object], ...]:
    return (
        sa.Column("kind", sa.String(length=16), nullable=False, server_default="motion"),
        sa.Column("cancel_reason", sa.Text(), nullable=True),
        sa.Column("void_reason", sa.Text(), nullable=True),
        sa.Column("rerun_of", sa.String(length=36), nullable=True),
        sa.Column("rerun_poll_id", sa.String(length=36), nullable=True),
        sa.Column("runoff_of", sa.String(length=36), nullable=True),
        sa.Column("show_of_hands", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        # Election lot: the seed stays here between commitment (close) and draw.
        sa.Column("lot_seed", sa.String(length=64), nullable=True),
    )


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("polls") as batch:
        for column in _poll_columns():
            batch.add_column(column)
    op.create_table(
        "audit_entries",
        sa.Column("poll_pk", sa.String(length=36), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("event", sa.String(length=32), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("tenant_id", sa.String(length=63), nullable=False),
        sa.ForeignKeyConstraint(["poll_pk"], ["polls.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("poll_pk", "seq"),
    )
    op.create_index("ix_audit_entries_tenant_id", "audit_entries", ["tenant_id"])


def downgrade() -> None:
    """Revert this revision."""
    op.drop_index("ix_audit_entries_tenant_id", table_name="audit_entries")
    op.drop_table("audit_entries")
    with op.batch_alter_table("polls") as batch:
        for column in reversed(_poll_columns()):
            batch.drop_column(column.name)
