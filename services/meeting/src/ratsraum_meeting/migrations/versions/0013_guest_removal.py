"""guest removal: citizen_links.removal_state, removal_note, removal_at

Revision ID: 0013_guest_removal
Revises: 0012_livestream
Create Date: 2026-12-06 (hand-written against citizen_links/models.py)
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013_guest_removal"
down_revision: str | Sequence[str] | None = "0012_livestream"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("citizen_links") as batch:
        batch.add_column(sa.Column("removal_state", sa.String(length=16), nullable=True))
        batch.add_column(sa.Column("removal_note", sa.String(length=300), nullable=False,
                                   server_default=""))
        batch.add_column(sa.Column("removal_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("citizen_links") as batch:
        batch.drop_column("removal_at")
        batch.drop_column("removal_note")
        batch.drop_column("removal_state")
