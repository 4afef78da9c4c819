"""Feedback messages from the portal's form.

Revision ID: 0004_feedback
Revises: 0003_created_stamps
Create Date: 2026-12-06 09:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004_feedback"
down_revision: str | None = "0003_created_stamps"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create the feedback table."""
    op.create_table(
        "feedback_messages",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("page", sa.String(length=500), nullable=True),
        sa.Column("lang", sa.String(length=2), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_feedback_messages_received_at", "feedback_messages", ["received_at"])


def downgrade() -> None:
    """Drop the feedback table."""
    op.drop_index("ix_feedback_messages_received_at", table_name="feedback_messages")
    op.drop_table("feedback_messages")
