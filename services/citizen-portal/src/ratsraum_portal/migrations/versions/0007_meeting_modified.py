"""Meetings keep their own OParl `modified` time, moved on by signed minutes.

Revision ID: 0007_meeting_modified
Revises: 0006_meeting_places
Create Date: 2026-12-06 18:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_meeting_modified"
down_revision: str | None = "0006_meeting_places"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add modified_at: the snapshot's stamp, or the minutes' signing if that is later (when
    minutes stored before this revision arrived is not known; they arrive after signing)."""
    with op.batch_alter_table("public_meetings") as batch:
        batch.add_column(sa.Column("modified_at", sa.DateTime(timezone=True), nullable=True))
    op.execute("UPDATE public_meetings SET modified_at = updated_at")
    op.execute(
        "UPDATE public_meetings SET modified_at = (SELECT m.signed_at FROM public_minutes m"
        " WHERE m.tenant_id = public_meetings.tenant_id AND m.meeting_id = public_meetings.id)"
        " WHERE EXISTS (SELECT 1 FROM public_minutes m WHERE m.tenant_id ="
        " public_meetings.tenant_id AND m.meeting_id = public_meetings.id"
        " AND m.signed_at > public_meetings.updated_at)")


def downgrade() -> None:
    """Drop modified_at."""
    with op.batch_alter_table("public_meetings") as batch:
        batch.drop_column("modified_at")
