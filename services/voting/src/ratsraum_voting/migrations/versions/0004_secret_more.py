"""Secret polls: life cycle (cancel, re-run), elections (runoff, lot) and their audit chain.

Revision ID: 0004_secret_more
Revises: 0003_secret
Create Date: 2026-11-28 10:00:00

The audit entries of secret polls have no timestamp: the chain's order and the ballots'
hashes are what is checked, and a time would only help to link a ballot to a voter.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004_secret_more"
down_revision: str | None = "0003_secret"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _columns() -> list[sa.Column[object]]:
    """The new columns of secret_polls (fresh objects: a Column belongs to one table)."""
    return [
        sa.Column("agenda_item_id", sa.String(length=128), nullable=False, server_default=""),
        sa.Column("public", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("kind", sa.String(length=16), nullable=False, server_default="motion"),
        sa.Column("closed_by", sa.String(length=128), nullable=True),
        sa.Column("cancel_reason", sa.Text(), nullable=True),
        sa.Column("void_reason", sa.Text(), nullable=True),
        sa.Column("rerun_of", sa.String(length=36), nullable=True),
        sa.Column("rerun_poll_id", sa.String(length=36), nullable=True),
        sa.Column("runoff_of", sa.String(length=36), nullable=True),
        sa.Column("lot_seed", sa.String(length=64), nullable=True),
    ]


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("secret_polls") as batch:
        for column in _columns():
            batch.add_column(column)
    op.create_table(
        "secret_audit_entries",
        sa.Column("poll_pk", sa.String(length=36), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("event", sa.String(length=32), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column("tenant_id", sa.String(length=63), nullable=False),
        sa.ForeignKeyConstraint(["poll_pk"], ["secret_polls.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("poll_pk", "seq"),
    )
    op.create_index("ix_secret_audit_entries_tenant_id", "secret_audit_entries",
                    ["tenant_id"])


def downgrade() -> None:
    """Revert this revision."""
    op.drop_index("ix_secret_audit_entries_tenant_id", table_name="secret_audit_entries")
    op.drop_table("secret_audit_entries")
    with op.batch_alter_table("secret_polls") as batch:
        for column in reversed(_columns()):
            batch.drop_column(column.name)
