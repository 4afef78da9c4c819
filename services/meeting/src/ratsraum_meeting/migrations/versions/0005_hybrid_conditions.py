"""meeting_hybrid_conditions: what was recorded so that a meeting may run with remote members

Revision ID: 0005_hybrid_conditions
Revises: 0002_invitations_minutes, 0002_masterdata_oparl, 0003_agenda_speakers,
    0004_video_live, 0004_wiring
Create Date: 2026-12-06 (hand-checked against profiles/models.py)
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_hybrid_conditions"
# Merges the heads present when this was written; the table needs only meetings (0001).
down_revision: str | Sequence[str] | None = (
    "0002_invitations_minutes", "0002_masterdata_oparl", "0003_agenda_speakers",
    "0004_video_live", "0004_wiring",
)
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "meeting_hybrid_conditions",
        sa.Column("meeting_id", sa.String(length=36), sa.ForeignKey("meetings.id"),
                  nullable=False),
        sa.Column("emergency_declared_on", sa.Date(), nullable=True),
        sa.Column("emergency_declared_by", sa.String(length=32), nullable=True),
        sa.Column("emergency_note", sa.String(length=500), nullable=False),
        sa.Column("emergency_confirmed_on", sa.Date(), nullable=True),
        sa.Column("two_thirds_decided_on", sa.Date(), nullable=True),
        sa.Column("two_thirds_yes", sa.Integer(), nullable=True),
        sa.Column("supervisory_notified_on", sa.Date(), nullable=True),
        sa.Column("constituent_session", sa.Boolean(), nullable=False),
        sa.Column("item_kinds", sa.JSON(), nullable=False),
        sa.Column("remote_members", sa.JSON(), nullable=False),
        sa.Column("recorded_by", sa.String(length=64), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("tenant_id", sa.String(length=63), nullable=False),
        sa.PrimaryKeyConstraint("meeting_id"),
    )
    op.create_index("ix_meeting_hybrid_conditions_tenant_id", "meeting_hybrid_conditions",
                    ["tenant_id"])


def downgrade() -> None:
    """Revert this revision."""
    op.drop_index("ix_meeting_hybrid_conditions_tenant_id", "meeting_hybrid_conditions")
    op.drop_table("meeting_hybrid_conditions")
