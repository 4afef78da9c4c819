"""dead_letters: events a consumer refused or gave up on (own branch from the first schema)

Revision ID: 0001_dead_letters
Revises: 0001
Create Date: 2026-12-06 (hand-written against ratsraum_common.nats.DeadLetterRecord)
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001_dead_letters"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "dead_letters",
        sa.Column("consumer", sa.String(length=64), nullable=False),
        sa.Column("event_id", sa.String(length=64), nullable=False),
        sa.Column("subject", sa.String(length=255), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.Column("dead_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("consumer", "event_id"),
    )


def downgrade() -> None:
    """Revert this revision."""
    op.drop_table("dead_letters")
