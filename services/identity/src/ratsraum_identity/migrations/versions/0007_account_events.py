"""outbox: identity's events (account deactivated, town suspended/resumed/deleted)

Revision ID: 0007_account_events
Revises: 0006_federation
Create Date: 2026-12-06 (hand-written against ratsraum_common.outbox.OutboxRecord)
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_account_events"
down_revision: str | None = "0006_federation"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "outbox",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("tenant_id", sa.String(length=63), nullable=False),
        sa.Column("subject", sa.String(length=255), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.Column("traceparent", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_outbox_seq"), ["seq"], unique=False)
        batch_op.create_index("ix_outbox_unpublished", ["published_at", "seq"], unique=False)


def downgrade() -> None:
    """Revert this revision."""
    op.drop_table("outbox")
