"""dead_letters.replayed_at: when a dead letter was published again (ratsraum_common.dead_letters)

Revision ID: 0002_dead_letter_replays
Revises: 0001_dead_letters
Create Date: 2026-12-06 (hand-written against ratsraum_common.nats.DeadLetterRecord)
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002_dead_letter_replays"
down_revision: str | None = "0001_dead_letters"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("dead_letters") as batch:
        batch.add_column(sa.Column("replayed_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("dead_letters") as batch:
        batch.drop_column("replayed_at")
