"""citizen_links: citizens' personal links into a meeting's public part; meetings.citizen_room

Revision ID: 0010_citizen_links
Revises: 0009_citizen_questions
Create Date: 2026-12-06 (hand-written against citizen_links/models.py)
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010_citizen_links"
down_revision: str | Sequence[str] | None = "0009_citizen_questions"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "citizen_links",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("meeting_id", sa.String(length=36), sa.ForeignKey("meetings.id"),
                  nullable=False),
        sa.Column("email", sa.String(length=320), nullable=True),
        sa.Column("network", sa.String(length=64), nullable=True),
        sa.Column("confirm_hash", sa.String(length=64), nullable=False),
        sa.Column("link_hash", sa.String(length=64), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("erased_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("tenant_id", sa.String(length=63), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("confirm_hash"),
        sa.UniqueConstraint("link_hash"),
    )
    op.create_index("ix_citizen_links_meeting_id", "citizen_links", ["meeting_id"])
    op.create_index("ix_citizen_links_email", "citizen_links", ["email"])
    op.create_index("ix_citizen_links_tenant_id", "citizen_links", ["tenant_id"])
    with op.batch_alter_table("meetings") as batch:
        batch.add_column(sa.Column("citizen_room", sa.String(length=300), nullable=False,
                                   server_default=""))


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("meetings") as batch:
        batch.drop_column("citizen_room")
    op.drop_index("ix_citizen_links_tenant_id", "citizen_links")
    op.drop_index("ix_citizen_links_email", "citizen_links")
    op.drop_index("ix_citizen_links_meeting_id", "citizen_links")
    op.drop_table("citizen_links")
