"""Public master data: records (OParl objects besides meetings) and their references.

Revision ID: 0005_public_records
Revises: 0004_feedback
Create Date: 2026-12-06 11:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_public_records"
down_revision: str | None = "0004_feedback"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create the record tables."""
    op.create_table(
        "public_records",
        sa.Column("tenant_id", sa.String(length=63), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("id", sa.String(length=128), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("modified_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "kind", "id", name="pk_public_records"),
    )
    op.create_index("ix_public_records_tenant_id", "public_records", ["tenant_id"])
    op.create_index("ix_public_records_modified_at", "public_records", ["modified_at"])
    op.create_index("ix_public_records_listing", "public_records",
                    ["tenant_id", "kind", "created_at", "id"])
    op.create_table(
        "public_record_refs",
        sa.Column("tenant_id", sa.String(length=63), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("id", sa.String(length=128), nullable=False),
        sa.Column("ref_kind", sa.String(length=24), nullable=False),
        sa.Column("ref_id", sa.String(length=128), nullable=False),
        sa.Column("role", sa.String(length=24), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "kind", "id", "ref_kind", "ref_id", "role",
                                name="pk_public_record_refs"),
    )
    op.create_index("ix_public_record_refs_tenant_id", "public_record_refs", ["tenant_id"])
    op.create_index("ix_public_record_refs_target", "public_record_refs",
                    ["tenant_id", "ref_kind", "ref_id"])


def downgrade() -> None:
    """Drop the record tables."""
    op.drop_table("public_record_refs")
    op.drop_table("public_records")
