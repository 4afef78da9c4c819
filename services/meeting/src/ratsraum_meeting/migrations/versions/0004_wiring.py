"""meetings: the actual start of the session (its end is ends_at since 0002_masterdata_oparl)

Revision ID: 0004_wiring
Revises: 0003_votelife
Create Date: 2026-11-21 (hand-checked against meetings/models.py)
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004_wiring"
down_revision: str | None = "0003_votelife"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    # A plain ADD COLUMN (nullable) works on SQLite too; no table copy needed.
    op.add_column("meetings", sa.Column("started_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("meetings") as batch:
        batch.drop_column("started_at")
