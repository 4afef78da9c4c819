"""device_checks: each member's device check before a meeting (outcomes only)

Revision ID: 0008_device_checks
Revises: 0007_persons_per_town
Create Date: 2026-12-06 (hand-written against device_checks/models.py)
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_device_checks"
# The table refers to a person of the same town, so it comes after persons per town (0007).
down_revision: str | Sequence[str] | None = "0007_persons_per_town"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "device_checks",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("meeting_id", sa.String(length=36), sa.ForeignKey("meetings.id"),
                  nullable=False),
        sa.Column("person_id", sa.String(length=64), nullable=False),
        sa.Column("camera", sa.String(length=16), nullable=False),
        sa.Column("microphone", sa.String(length=16), nullable=False),
        sa.Column("connection_ms", sa.Integer(), nullable=True),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("practice_voted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("practice_key", sa.String(length=128), nullable=True),
        sa.Column("tenant_id", sa.String(length=63), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.ForeignKeyConstraint(["tenant_id", "person_id"], ["persons.tenant_id", "persons.id"],
                                name="fk_device_checks_person"),
        sa.UniqueConstraint("meeting_id", "person_id", name="uq_device_check"),
    )
    op.create_index("ix_device_checks_meeting_id", "device_checks", ["meeting_id"])
    op.create_index("ix_device_checks_tenant_id", "device_checks", ["tenant_id"])


def downgrade() -> None:
    """Revert this revision."""
    op.drop_index("ix_device_checks_tenant_id", "device_checks")
    op.drop_index("ix_device_checks_meeting_id", "device_checks")
    op.drop_table("device_checks")
