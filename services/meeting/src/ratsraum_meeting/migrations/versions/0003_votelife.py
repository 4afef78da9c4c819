"""poll lifecycle log, disruption reports and the chair's disruption steps

Revision ID: 0003_votelife
Revises: 0002_rule_profiles
Create Date: 2026-11-21 (hand-checked against polls/models.py and disruptions/models.py)
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003_votelife"
down_revision: str | None = "0002_rule_profiles"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _common() -> list[sa.schema.SchemaItem]:
    return [
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("meeting_id", sa.String(length=36), sa.ForeignKey("meetings.id"),
                  nullable=False),
        sa.Column("tenant_id", sa.String(length=63), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    ]


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "poll_log", *_common(),
        sa.Column("poll_id", sa.String(length=36), sa.ForeignKey("polls.id"), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("reason", sa.String(length=2000), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("by", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "disruption_reports", *_common(),
        sa.Column("person_id", sa.String(length=64), sa.ForeignKey("persons.id"),
                  nullable=False),
        sa.Column("lost", sa.String(length=16), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("since", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reported_by", sa.String(length=64), nullable=False),
        sa.Column("note", sa.String(length=1000), nullable=False),
        sa.Column("counts", sa.Boolean(), nullable=False),
        sa.Column("late_reason", sa.String(length=32), nullable=True),
        sa.Column("decision_id", sa.Integer(), nullable=True),
    )
    op.create_table(
        "disruption_steps", *_common(),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("sphere", sa.String(length=16), nullable=True),
        sa.Column("reason", sa.String(length=2000), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("by", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_poll_log_poll_id", "poll_log", ["poll_id"])
    for table in ("poll_log", "disruption_reports", "disruption_steps"):
        op.create_index(f"ix_{table}_meeting_id", table, ["meeting_id"])
        op.create_index(f"ix_{table}_tenant_id", table, ["tenant_id"])


def downgrade() -> None:
    """Revert this revision."""
    for table in ("disruption_steps", "disruption_reports", "poll_log"):
        op.drop_table(table)
