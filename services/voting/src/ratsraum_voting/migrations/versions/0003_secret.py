"""Secret polls (ElectionGuard): polls with context and running tally, roll, ballots.

Revision ID: 0003_secret
Revises: 0002_votelife
Create Date: 2026-11-21 10:00:00

New tables only. The roll has no timestamps; ballots have neither voter nor timestamp.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003_secret"
down_revision: str | None = "0002_votelife"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "secret_polls",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("poll_id", sa.String(length=36), nullable=False),
        sa.Column("meeting_id", sa.String(length=128), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("majority_rule", sa.String(length=32), nullable=False),
        sa.Column("options", sa.JSON(), nullable=False),
        sa.Column("statutory_members", sa.Integer(), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("ceremony_id", sa.String(length=128), nullable=False),
        sa.Column("manifest_json", sa.Text(), nullable=False),
        sa.Column("context_json", sa.Text(), nullable=False),
        sa.Column("guardians", sa.JSON(), nullable=False),
        sa.Column("tally", sa.JSON(), nullable=False),
        sa.Column("ballots_cast", sa.Integer(), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("result", sa.JSON(), nullable=True),
        sa.Column("record_sha256", sa.String(length=64), nullable=True),
        sa.Column("tenant_id", sa.String(length=63), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("tenant_id", "poll_id", name="uq_secret_polls_tenant_poll"),
    )
    op.create_index("ix_secret_polls_tenant_id", "secret_polls", ["tenant_id"])
    op.create_table(
        "secret_roll",
        sa.Column("poll_pk", sa.String(length=36), nullable=False),
        sa.Column("voter_id", sa.String(length=128), nullable=False),
        sa.Column("voted", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("tenant_id", sa.String(length=63), nullable=False),
        sa.ForeignKeyConstraint(["poll_pk"], ["secret_polls.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("poll_pk", "voter_id"),
    )
    op.create_index("ix_secret_roll_tenant_id", "secret_roll", ["tenant_id"])
    op.create_table(
        "secret_ballots",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("poll_pk", sa.String(length=36), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("ballot_json", sa.Text(), nullable=False),
        sa.Column("tenant_id", sa.String(length=63), nullable=False),
        sa.ForeignKeyConstraint(["poll_pk"], ["secret_polls.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("poll_pk", "code", name="uq_secret_ballots_poll_code"),
    )
    op.create_index("ix_secret_ballots_tenant_id", "secret_ballots", ["tenant_id"])


def downgrade() -> None:
    """Revert this revision."""
    for table in ("secret_ballots", "secret_roll", "secret_polls"):
        op.drop_index(f"ix_{table}_tenant_id", table_name=table)
        op.drop_table(table)
