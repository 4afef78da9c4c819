"""access_revocations: tokens identity voided (account deactivated, town suspended)

Revision ID: 0011_access_revocations
Revises: 0010_citizen_links
Create Date: 2026-12-06 (hand-written against signin/models.py)
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011_access_revocations"
down_revision: str | Sequence[str] | None = "0010_citizen_links"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "access_revocations",
        sa.Column("tenant_id", sa.String(length=63), nullable=False),
        sa.Column("subject", sa.String(length=255), nullable=False),
        sa.Column("not_before_ms", sa.BigInteger(), nullable=False),
        sa.Column("blocked", sa.Boolean(), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "subject"),
    )


def downgrade() -> None:
    """Revert this revision."""
    op.drop_table("access_revocations")
