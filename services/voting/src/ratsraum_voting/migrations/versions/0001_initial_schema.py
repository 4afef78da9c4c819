"""Initial schema: polls, rolls, current ballots, accepted cast requests, outbox.

Revision ID: 0001
Revises:
Create Date: 2026-11-21 08:41:09

Generated with `alembic revision --autogenerate` against an empty SQLite database and checked
by hand: the primary key (poll_pk, voter_id) of `ballots` is what guarantees one counted
ballot per voter; the unique (poll_pk, idempotency_key) of `cast_requests` makes retries
idempotent; (tenant_id, poll_id) is unique so poll ids of different towns never collide.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _tenant() -> sa.Column[str]:
    return sa.Column("tenant_id", sa.String(length=63), nullable=False)


def upgrade() -> None:
    """Apply this revision."""
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
    op.create_index("ix_outbox_seq", "outbox", ["seq"])
    op.create_index("ix_outbox_unpublished", "outbox", ["published_at", "seq"])

    op.create_table(
        "polls",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("poll_id", sa.String(length=36), nullable=False),
        sa.Column("meeting_id", sa.String(length=128), nullable=False),
        sa.Column("agenda_item_id", sa.String(length=128), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("method", sa.String(length=16), nullable=False),
        sa.Column("majority_rule", sa.String(length=32), nullable=False),
        sa.Column("options", sa.JSON(), nullable=False),
        sa.Column("statutory_members", sa.Integer(), nullable=True),
        sa.Column("public", sa.Boolean(), nullable=False),
        sa.Column("roll_size", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_by", sa.String(length=128), nullable=True),
        sa.Column("result", sa.JSON(), nullable=True),
        _tenant(),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("tenant_id", "poll_id", name="uq_polls_tenant_poll"),
    )
    op.create_index("ix_polls_tenant_id", "polls", ["tenant_id"])

    op.create_table(
        "ballots",
        sa.Column("poll_pk", sa.String(length=36), nullable=False),
        sa.Column("voter_id", sa.String(length=128), nullable=False),
        sa.Column("ballot_id", sa.String(length=36), nullable=False),
        sa.Column("option_id", sa.String(length=128), nullable=False),
        sa.Column("cast_at", sa.DateTime(timezone=True), nullable=False),
        _tenant(),
        sa.ForeignKeyConstraint(["poll_pk"], ["polls.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("poll_pk", "voter_id"),
    )
    op.create_index("ix_ballots_tenant_id", "ballots", ["tenant_id"])

    op.create_table(
        "cast_requests",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("poll_pk", sa.String(length=36), nullable=False),
        sa.Column("idempotency_key", sa.String(length=128), nullable=False),
        sa.Column("voter_id", sa.String(length=128), nullable=False),
        sa.Column("option_id", sa.String(length=128), nullable=False),
        sa.Column("ballots_cast", sa.Integer(), nullable=False),
        sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=False),
        _tenant(),
        sa.ForeignKeyConstraint(["poll_pk"], ["polls.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("poll_pk", "idempotency_key", name="uq_cast_requests_poll_key"),
    )
    op.create_index("ix_cast_requests_tenant_id", "cast_requests", ["tenant_id"])

    op.create_table(
        "roll_entries",
        sa.Column("poll_pk", sa.String(length=36), nullable=False),
        sa.Column("voter_id", sa.String(length=128), nullable=False),
        _tenant(),
        sa.ForeignKeyConstraint(["poll_pk"], ["polls.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("poll_pk", "voter_id"),
    )
    op.create_index("ix_roll_entries_tenant_id", "roll_entries", ["tenant_id"])


def downgrade() -> None:
    """Revert this revision."""
    for table in ("roll_entries", "cast_requests", "ballots", "polls"):
        op.drop_index(f"ix_{table}_tenant_id", table_name=table)
        op.drop_table(table)
    op.drop_index("ix_outbox_unpublished", table_name="outbox")
    op.drop_index("ix_outbox_seq", table_name="outbox")
    op.drop_table("outbox")
