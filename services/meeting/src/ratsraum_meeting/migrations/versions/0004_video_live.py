"""video push registrations, provider times on lobby entries, live tickets in the database

Revision ID: 0004_video_live
Revises: 0002_video_lobby
Create Date: 2026-06-02 (hand-written: renewal of video subscriptions, live tickets)
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004_video_live"
down_revision: str | None = "0002_video_lobby"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "video_subscriptions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("meeting_id", sa.String(length=36), nullable=False),
        sa.Column("provider", sa.String(length=16), nullable=False),
        sa.Column("subscription_id", sa.String(length=300), nullable=False),
        sa.Column("topic", sa.String(length=2000), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("tenant_id", sa.String(length=63), nullable=False),
        sa.ForeignKeyConstraint(["meeting_id"], ["meetings.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("provider", "subscription_id", name="uq_video_subscription"),
    )
    op.create_index("ix_video_subscriptions_tenant_id", "video_subscriptions", ["tenant_id"])
    op.create_index("ix_video_subscriptions_meeting_id", "video_subscriptions", ["meeting_id"])
    with op.batch_alter_table("lobby_entries") as batch:
        batch.add_column(sa.Column("provider_seen_at", sa.DateTime(timezone=True),
                                   nullable=True))
    op.create_table(
        "live_tickets",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("meeting_id", sa.String(length=36), nullable=False),
        sa.Column("subject", sa.String(length=255), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("roles", sa.JSON(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("tenant_id", sa.String(length=63), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash", name="uq_live_ticket"),
    )
    op.create_index("ix_live_tickets_tenant_id", "live_tickets", ["tenant_id"])
    op.create_index("ix_live_tickets_expires_at", "live_tickets", ["expires_at"])


def downgrade() -> None:
    """Revert this revision."""
    op.drop_table("live_tickets")
    with op.batch_alter_table("lobby_entries") as batch:
        batch.drop_column("provider_seen_at")
    op.drop_table("video_subscriptions")
