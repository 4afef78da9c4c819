"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-05-01 (hand-checked against the models)
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "bodies",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("short", sa.String(length=40), nullable=False),
        sa.Column("statutory_members", sa.Integer(), nullable=False),
        sa.Column("rule_profile", sa.String(length=16), nullable=False),
        sa.Column("tenant_id", sa.String(length=63), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("bodies", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_bodies_tenant_id"), ["tenant_id"], unique=False)

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

    op.create_table(
        "persons",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("party", sa.String(length=80), nullable=False),
        sa.Column("tenant_id", sa.String(length=63), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("persons", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_persons_tenant_id"), ["tenant_id"], unique=False)

    op.create_table(
        "processed_events",
        sa.Column("consumer", sa.String(length=64), nullable=False),
        sa.Column("event_id", sa.String(length=64), nullable=False),
        sa.Column("processed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("consumer", "event_id"),
    )
    op.create_table(
        "tenants",
        sa.Column("id", sa.String(length=63), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("tenant_id", sa.String(length=63), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("tenants", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_tenants_tenant_id"), ["tenant_id"], unique=False)

    op.create_table(
        "meetings",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("body_id", sa.String(length=36), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("location", sa.String(length=300), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.String(length=63), nullable=False),
        sa.ForeignKeyConstraint(
            ["body_id"],
            ["bodies.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_meetings_body_id"), ["body_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_meetings_tenant_id"), ["tenant_id"], unique=False)

    op.create_table(
        "memberships",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("body_id", sa.String(length=36), nullable=False),
        sa.Column("person_id", sa.String(length=64), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("tenant_id", sa.String(length=63), nullable=False),
        sa.ForeignKeyConstraint(
            ["body_id"],
            ["bodies.id"],
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["persons.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("body_id", "person_id", name="uq_membership"),
    )
    with op.batch_alter_table("memberships", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_memberships_body_id"), ["body_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_memberships_person_id"), ["person_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_memberships_tenant_id"), ["tenant_id"], unique=False)

    op.create_table(
        "agenda_items",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("meeting_id", sa.String(length=36), nullable=False),
        sa.Column("number", sa.String(length=20), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("public", sa.Boolean(), nullable=False),
        sa.Column("votable", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("tenant_id", sa.String(length=63), nullable=False),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["meetings.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("agenda_items", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_agenda_items_meeting_id"), ["meeting_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_agenda_items_tenant_id"), ["tenant_id"], unique=False)

    op.create_table(
        "attendance",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("meeting_id", sa.String(length=36), nullable=False),
        sa.Column("person_id", sa.String(length=64), nullable=False),
        sa.Column("presence", sa.String(length=16), nullable=False),
        sa.Column("since", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_by", sa.String(length=64), nullable=False),
        sa.Column("tenant_id", sa.String(length=63), nullable=False),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["meetings.id"],
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["persons.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("meeting_id", "person_id", name="uq_attendance"),
    )
    with op.batch_alter_table("attendance", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_attendance_meeting_id"), ["meeting_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_attendance_person_id"), ["person_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_attendance_tenant_id"), ["tenant_id"], unique=False)

    op.create_table(
        "attendance_log",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("meeting_id", sa.String(length=36), nullable=False),
        sa.Column("person_id", sa.String(length=64), nullable=False),
        sa.Column("presence", sa.String(length=16), nullable=False),
        sa.Column("previous", sa.String(length=16), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_by", sa.String(length=64), nullable=False),
        sa.Column("tenant_id", sa.String(length=63), nullable=False),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["meetings.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("attendance_log", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_attendance_log_meeting_id"), ["meeting_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_attendance_log_tenant_id"), ["tenant_id"], unique=False
        )

    op.create_table(
        "polls",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("meeting_id", sa.String(length=36), nullable=False),
        sa.Column("agenda_item_id", sa.String(length=36), nullable=False),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("method", sa.String(length=16), nullable=False),
        sa.Column("majority_rule", sa.String(length=32), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("roll_size", sa.Integer(), nullable=False),
        sa.Column("ballots_cast", sa.Integer(), nullable=False),
        sa.Column("result", sa.JSON(), nullable=True),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("opened_by", sa.String(length=64), nullable=False),
        sa.Column("closed_by", sa.String(length=64), nullable=True),
        sa.Column("tenant_id", sa.String(length=63), nullable=False),
        sa.ForeignKeyConstraint(
            ["agenda_item_id"],
            ["agenda_items.id"],
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["meetings.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("polls", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_polls_agenda_item_id"), ["agenda_item_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_polls_meeting_id"), ["meeting_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_polls_tenant_id"), ["tenant_id"], unique=False)


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("polls", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_polls_tenant_id"))
        batch_op.drop_index(batch_op.f("ix_polls_meeting_id"))
        batch_op.drop_index(batch_op.f("ix_polls_agenda_item_id"))

    op.drop_table("polls")
    with op.batch_alter_table("attendance_log", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_attendance_log_tenant_id"))
        batch_op.drop_index(batch_op.f("ix_attendance_log_meeting_id"))

    op.drop_table("attendance_log")
    with op.batch_alter_table("attendance", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_attendance_tenant_id"))
        batch_op.drop_index(batch_op.f("ix_attendance_person_id"))
        batch_op.drop_index(batch_op.f("ix_attendance_meeting_id"))

    op.drop_table("attendance")
    with op.batch_alter_table("agenda_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_agenda_items_tenant_id"))
        batch_op.drop_index(batch_op.f("ix_agenda_items_meeting_id"))

    op.drop_table("agenda_items")
    with op.batch_alter_table("memberships", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_memberships_tenant_id"))
        batch_op.drop_index(batch_op.f("ix_memberships_person_id"))
        batch_op.drop_index(batch_op.f("ix_memberships_body_id"))

    op.drop_table("memberships")
    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_meetings_tenant_id"))
        batch_op.drop_index(batch_op.f("ix_meetings_body_id"))

    op.drop_table("meetings")
    with op.batch_alter_table("tenants", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tenants_tenant_id"))

    op.drop_table("tenants")
    op.drop_table("processed_events")
    with op.batch_alter_table("persons", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_persons_tenant_id"))

    op.drop_table("persons")
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_unpublished")
        batch_op.drop_index(batch_op.f("ix_outbox_seq"))

    op.drop_table("outbox")
    with op.batch_alter_table("bodies", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_bodies_tenant_id"))

    op.drop_table("bodies")
