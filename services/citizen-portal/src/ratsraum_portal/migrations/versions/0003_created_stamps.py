"""When the portal first published a town or meeting, and when a town last changed (OParl).

Revision ID: 0003_created_stamps
Revises: 0002_minutes
Create Date: 2026-12-06 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003_created_stamps"
down_revision: str | None = "0002_minutes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add the stamps; rows from before take their first known change as creation."""
    with op.batch_alter_table("public_meetings") as batch:
        batch.add_column(sa.Column("created_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("public_tenants") as batch:
        batch.add_column(sa.Column("created_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("modified_at", sa.DateTime(timezone=True), nullable=True))
    op.execute("UPDATE public_meetings SET created_at = updated_at")
    op.execute(
        "UPDATE public_tenants SET created_at = (SELECT MIN(m.updated_at) FROM public_meetings m"
        " WHERE m.tenant_id = public_tenants.id)"
    )
    op.execute("UPDATE public_tenants SET modified_at = created_at")


def downgrade() -> None:
    """Drop the stamps."""
    with op.batch_alter_table("public_tenants") as batch:
        batch.drop_column("modified_at")
        batch.drop_column("created_at")
    with op.batch_alter_table("public_meetings") as batch:
        batch.drop_column("created_at")
