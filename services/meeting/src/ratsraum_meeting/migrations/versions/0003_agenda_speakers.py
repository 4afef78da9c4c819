"""agenda calls and changes during the session, speakers lists

Revision ID: 0003_agenda_speakers
Revises: 0002_rule_profiles
Create Date: 2026-11-21 (hand-checked against agenda/models.py and speakers/models.py)
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003_agenda_speakers"
down_revision: str | None = "0002_rule_profiles"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _refs() -> list[sa.Column[str]]:
    return [
        sa.Column("meeting_id", sa.String(length=36), sa.ForeignKey("meetings.id"),
                  nullable=False),
        sa.Column("agenda_item_id", sa.String(length=36), sa.ForeignKey("agenda_items.id"),
                  nullable=False),
    ]


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "agenda_calls",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        *_refs(),
        sa.Column("called_by", sa.String(length=64), nullable=False),
        sa.Column("called_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("left_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("tenant_id", sa.String(length=63), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "agenda_changes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        *_refs(),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.String(length=1000), nullable=False),
        sa.Column("changed_by", sa.String(length=64), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("tenant_id", sa.String(length=63), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "speaker_requests",
        sa.Column("id", sa.String(length=36), nullable=False),
        *_refs(),
        sa.Column("person_id", sa.String(length=64), sa.ForeignKey("persons.id"),
                  nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("requested_by", sa.String(length=64), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("seconds", sa.Integer(), nullable=True),
        sa.Column("limit_seconds", sa.Integer(), nullable=True),
        sa.Column("tenant_id", sa.String(length=63), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "speakers_lists",
        sa.Column("agenda_item_id", sa.String(length=36), sa.ForeignKey("agenda_items.id"),
                  nullable=False),
        sa.Column("meeting_id", sa.String(length=36), sa.ForeignKey("meetings.id"),
                  nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_by", sa.String(length=64), nullable=True),
        sa.Column("limit_seconds", sa.Integer(), nullable=True),
        sa.Column("tenant_id", sa.String(length=63), nullable=False),
        sa.PrimaryKeyConstraint("agenda_item_id"),
    )
    for table in ("agenda_calls", "agenda_changes", "speaker_requests"):
        for column in ("meeting_id", "agenda_item_id", "tenant_id"):
            op.create_index(f"ix_{table}_{column}", table, [column])
    for column in ("meeting_id", "tenant_id"):
        op.create_index(f"ix_speakers_lists_{column}", "speakers_lists", [column])


def downgrade() -> None:
    """Revert this revision."""
    for table in ("speakers_lists", "speaker_requests", "agenda_changes", "agenda_calls"):
        op.drop_table(table)
