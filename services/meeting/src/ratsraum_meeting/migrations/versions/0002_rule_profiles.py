"""rule profiles per body, conflicts of interest, vote requests

Revision ID: 0002_rule_profiles
Revises: 0001
Create Date: 2026-05-20 (hand-checked against profiles/models.py and conflicts/models.py)
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002_rule_profiles"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "body_rule_settings",
        sa.Column("body_id", sa.String(length=36), sa.ForeignKey("bodies.id"), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("overrides", sa.JSON(), nullable=False),
        sa.Column("updated_by", sa.String(length=64), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("tenant_id", sa.String(length=63), nullable=False),
        sa.PrimaryKeyConstraint("body_id"),
    )
    op.create_index("ix_body_rule_settings_tenant_id", "body_rule_settings", ["tenant_id"])
    op.create_table(
        "conflicts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("meeting_id", sa.String(length=36), sa.ForeignKey("meetings.id"),
                  nullable=False),
        sa.Column("agenda_item_id", sa.String(length=36), sa.ForeignKey("agenda_items.id"),
                  nullable=False),
        sa.Column("person_id", sa.String(length=64), sa.ForeignKey("persons.id"),
                  nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("declared_by", sa.String(length=64), nullable=False),
        sa.Column("declared_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("withdrawn_by", sa.String(length=64), nullable=True),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("tenant_id", sa.String(length=63), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    for column in ("meeting_id", "agenda_item_id", "tenant_id"):
        op.create_index(f"ix_conflicts_{column}", "conflicts", [column])
    op.create_table(
        "vote_requests",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("meeting_id", sa.String(length=36), sa.ForeignKey("meetings.id"),
                  nullable=False),
        sa.Column("agenda_item_id", sa.String(length=36), sa.ForeignKey("agenda_items.id"),
                  nullable=False),
        sa.Column("person_id", sa.String(length=64), sa.ForeignKey("persons.id"),
                  nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("tenant_id", sa.String(length=63), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("agenda_item_id", "person_id", "kind", name="uq_vote_request"),
    )
    for column in ("meeting_id", "agenda_item_id", "tenant_id"):
        op.create_index(f"ix_vote_requests_{column}", "vote_requests", [column])


def downgrade() -> None:
    """Revert this revision."""
    op.drop_table("vote_requests")
    op.drop_table("conflicts")
    op.drop_table("body_rule_settings")
