"""invitations (persons.email, invitation_deliveries) and minutes

Revision ID: 0002_invitations_minutes
Revises: 0001
Create Date: 2026-05-20 (hand-checked against invitations/models.py and minutes/models.py)
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002_invitations_minutes"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("persons", schema=None) as batch_op:
        batch_op.add_column(sa.Column("email", sa.String(length=320), nullable=True))

    op.create_table(
        "invitation_deliveries",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("meeting_id", sa.String(length=36), nullable=False),
        sa.Column("person_id", sa.String(length=64), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("subject", sa.String(length=500), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("token_hash", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sent_by", sa.String(length=64), nullable=False),
        sa.Column("tenant_id", sa.String(length=63), nullable=False),
        sa.ForeignKeyConstraint(["meeting_id"], ["meetings.id"]),
        sa.ForeignKeyConstraint(["person_id"], ["persons.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    with op.batch_alter_table("invitation_deliveries", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_invitation_deliveries_meeting_id"), ["meeting_id"])
        batch_op.create_index(batch_op.f("ix_invitation_deliveries_person_id"), ["person_id"])
        batch_op.create_index(batch_op.f("ix_invitation_deliveries_tenant_id"), ["tenant_id"])

    op.create_table(
        "minutes",
        sa.Column("meeting_id", sa.String(length=36), nullable=False),
        sa.Column("texts", sa.JSON(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("chair_signed_by", sa.String(length=64), nullable=True),
        sa.Column("chair_signed_name", sa.String(length=200), nullable=True),
        sa.Column("chair_signed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("clerk_signed_by", sa.String(length=64), nullable=True),
        sa.Column("clerk_signed_name", sa.String(length=200), nullable=True),
        sa.Column("clerk_signed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("signed_html", sa.Text(), nullable=True),
        sa.Column("sha256", sa.String(length=64), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=64), nullable=False),
        sa.Column("tenant_id", sa.String(length=63), nullable=False),
        sa.ForeignKeyConstraint(["meeting_id"], ["meetings.id"]),
        sa.PrimaryKeyConstraint("meeting_id"),
    )
    with op.batch_alter_table("minutes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_minutes_tenant_id"), ["tenant_id"])


def downgrade() -> None:
    """Revert this revision."""
    op.drop_table("minutes")
    op.drop_table("invitation_deliveries")
    with op.batch_alter_table("persons", schema=None) as batch_op:
        batch_op.drop_column("email")
