"""livestream: meetings.stream_url and stream_captions_url; stream_refusals per member

Revision ID: 0012_livestream
Revises: 0011_access_revocations
Create Date: 2026-12-06 (hand-written against livestream/models.py)
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012_livestream"
down_revision: str | Sequence[str] | None = "0011_access_revocations"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("meetings") as batch:
        batch.add_column(sa.Column("stream_url", sa.String(length=1000), nullable=False,
                                   server_default=""))
        batch.add_column(sa.Column("stream_captions_url", sa.String(length=1000),
                                   nullable=False, server_default=""))
    op.create_table(
        "stream_refusals",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("meeting_id", sa.String(length=36), sa.ForeignKey("meetings.id"),
                  nullable=False),
        sa.Column("person_id", sa.String(length=64), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_by", sa.String(length=64), nullable=False),
        sa.Column("tenant_id", sa.String(length=63), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("meeting_id", "person_id", name="uq_stream_refusal"),
        sa.ForeignKeyConstraint(["tenant_id", "person_id"], ["persons.tenant_id", "persons.id"],
                                name="fk_stream_refusals_person"),
    )
    op.create_index("ix_stream_refusals_meeting_id", "stream_refusals", ["meeting_id"])
    op.create_index("ix_stream_refusals_tenant_id", "stream_refusals", ["tenant_id"])


def downgrade() -> None:
    """Revert this revision."""
    op.drop_index("ix_stream_refusals_tenant_id", "stream_refusals")
    op.drop_index("ix_stream_refusals_meeting_id", "stream_refusals")
    op.drop_table("stream_refusals")
    with op.batch_alter_table("meetings") as batch:
        batch.drop_column("stream_captions_url")
        batch.drop_column("stream_url")
