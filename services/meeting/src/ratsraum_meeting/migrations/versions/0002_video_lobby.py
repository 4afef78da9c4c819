"""video providers, lobby, admissions, attendance spans

Revision ID: 0002_video_lobby
Revises: 0001
Create Date: 2026-05-20 (hand-written for the video and lobby branch)
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002_video_lobby"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _tenant_index(table: str) -> None:
    op.create_index(f"ix_{table}_tenant_id", table, ["tenant_id"])


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "video_configs",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("body_id", sa.String(length=36), nullable=False),
        sa.Column("provider", sa.String(length=16), nullable=False),
        sa.Column("options", sa.JSON(), nullable=False),
        sa.Column("secret_env", sa.JSON(), nullable=False),
        sa.Column("tenant_id", sa.String(length=63), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("tenant_id", "body_id", name="uq_video_config"),
    )
    _tenant_index("video_configs")
    op.create_table(
        "video_rooms",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("meeting_id", sa.String(length=36), nullable=False),
        sa.Column("provider", sa.String(length=16), nullable=False),
        sa.Column("room_id", sa.String(length=200), nullable=False),
        sa.Column("join_url", sa.String(length=2000), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("tenant_id", sa.String(length=63), nullable=False),
        sa.ForeignKeyConstraint(["meeting_id"], ["meetings.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("meeting_id", name="uq_video_room"),
    )
    _tenant_index("video_rooms")
    op.create_index("ix_video_rooms_meeting_id", "video_rooms", ["meeting_id"])
    op.create_table(
        "video_identities",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("person_id", sa.String(length=64), nullable=False),
        sa.Column("provider", sa.String(length=16), nullable=False),
        sa.Column("external_id", sa.String(length=320), nullable=False),
        sa.Column("tenant_id", sa.String(length=63), nullable=False),
        sa.ForeignKeyConstraint(["person_id"], ["persons.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("person_id", "provider", name="uq_video_identity"),
    )
    _tenant_index("video_identities")
    op.create_index("ix_video_identities_person_id", "video_identities", ["person_id"])
    op.create_index("ix_video_identities_external_id", "video_identities", ["external_id"])
    op.create_table(
        "lobby_entries",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("meeting_id", sa.String(length=36), nullable=False),
        sa.Column("person_id", sa.String(length=64), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("provider_participant_id", sa.String(length=300), nullable=True),
        sa.Column("last_heartbeat_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("tenant_id", sa.String(length=63), nullable=False),
        sa.ForeignKeyConstraint(["meeting_id"], ["meetings.id"]),
        sa.ForeignKeyConstraint(["person_id"], ["persons.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("meeting_id", "person_id", name="uq_lobby_entry"),
    )
    _tenant_index("lobby_entries")
    op.create_index("ix_lobby_entries_meeting_id", "lobby_entries", ["meeting_id"])
    op.create_index("ix_lobby_entries_person_id", "lobby_entries", ["person_id"])
    op.create_table(
        "lobby_admissions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("meeting_id", sa.String(length=36), nullable=False),
        sa.Column("person_id", sa.String(length=64), nullable=False),
        sa.Column("admitted_by", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("tenant_id", sa.String(length=63), nullable=False),
        sa.ForeignKeyConstraint(["meeting_id"], ["meetings.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    _tenant_index("lobby_admissions")
    op.create_index("ix_lobby_admissions_meeting_id", "lobby_admissions", ["meeting_id"])
    op.create_table(
        "attendance_spans",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("meeting_id", sa.String(length=36), nullable=False),
        sa.Column("person_id", sa.String(length=64), nullable=False),
        sa.Column("presence", sa.String(length=16), nullable=False),
        sa.Column("joined_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("left_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("tenant_id", sa.String(length=63), nullable=False),
        sa.ForeignKeyConstraint(["meeting_id"], ["meetings.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    _tenant_index("attendance_spans")
    op.create_index("ix_attendance_spans_meeting_id", "attendance_spans", ["meeting_id"])
    op.create_index("ix_attendance_spans_person_id", "attendance_spans", ["person_id"])


def downgrade() -> None:
    """Revert this revision."""
    for table in ("attendance_spans", "lobby_admissions", "lobby_entries", "video_identities",
                  "video_rooms", "video_configs"):
        op.drop_table(table)
