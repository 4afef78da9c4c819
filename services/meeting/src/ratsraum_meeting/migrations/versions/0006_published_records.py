"""published_records: what meeting last published of each public master-data record

Revision ID: 0006_published_records
Revises: 0005_hybrid_conditions, 0005_web_sessions
Create Date: 2026-12-06 (hand-written against publish/models.py)
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006_published_records"
down_revision: str | Sequence[str] | None = ("0005_hybrid_conditions", "0005_web_sessions")
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "published_records",
        sa.Column("tenant_id", sa.String(length=63), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "kind", "id", name="pk_published_records"),
    )
    op.create_index("ix_published_records_tenant_id", "published_records", ["tenant_id"])


def downgrade() -> None:
    """Revert this revision."""
    op.drop_index("ix_published_records_tenant_id", table_name="published_records")
    op.drop_table("published_records")
