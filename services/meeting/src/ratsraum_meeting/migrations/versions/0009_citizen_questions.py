"""citizen_questions: citizens' question time (questions, decisions, answers)

Revision ID: 0009_citizen_questions
Revises: 0008_device_checks
Create Date: 2026-12-06 (hand-written against questions/models.py)
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009_citizen_questions"
down_revision: str | Sequence[str] | None = "0008_device_checks"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "citizen_questions",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("meeting_id", sa.String(length=36), sa.ForeignKey("meetings.id"),
                  nullable=False),
        sa.Column("author", sa.String(length=120), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("answer", sa.Text(), nullable=True),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("tenant_id", sa.String(length=63), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_citizen_questions_meeting_id", "citizen_questions", ["meeting_id"])
    op.create_index("ix_citizen_questions_tenant_id", "citizen_questions", ["tenant_id"])


def downgrade() -> None:
    """Revert this revision."""
    op.drop_index("ix_citizen_questions_tenant_id", "citizen_questions")
    op.drop_index("ix_citizen_questions_meeting_id", "citizen_questions")
    op.drop_table("citizen_questions")
