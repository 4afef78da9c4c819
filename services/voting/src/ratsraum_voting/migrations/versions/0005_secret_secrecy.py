"""Secret ballots known by their own hash; no storage order; records in the database.

Revision ID: 0005_secret_secrecy
Revises: 0004_secret_more
Create Date: 2026-12-06 08:30:00

`secret_ballots` is rebuilt: keyed by a random id WITHOUT ROWID on SQLite (the rowid kept
the casting order), unique per poll by the ballot's SHA-256 and ElectionGuard object id,
no longer by its short confirmation code. `secret_record_files` keeps each closed poll's
election record, so every replica and every restart can serve it.
"""

import hashlib
import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_secret_secrecy"
down_revision: str | None = "0004_secret_more"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD = "secret_ballots_before_0005"


def upgrade() -> None:
    """Apply this revision."""
    op.drop_index("ix_secret_ballots_tenant_id", table_name="secret_ballots")
    op.rename_table("secret_ballots", OLD)
    op.create_table(
        "secret_ballots",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("poll_pk", sa.String(length=36), nullable=False),
        sa.Column("ballot_hash", sa.String(length=64), nullable=False),
        sa.Column("object_id", sa.String(length=255), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("ballot_json", sa.Text(), nullable=False),
        sa.Column("tenant_id", sa.String(length=63), nullable=False),
        sa.ForeignKeyConstraint(["poll_pk"], ["secret_polls.id"], ondelete="CASCADE",
                                name="fk_secret_ballots_poll"),
        sa.PrimaryKeyConstraint("id", name="pk_secret_ballots"),
        sa.UniqueConstraint("poll_pk", "ballot_hash", name="uq_secret_ballots_poll_hash"),
        sa.UniqueConstraint("poll_pk", "object_id", name="uq_secret_ballots_poll_object"),
        sqlite_with_rowid=False,
    )
    op.create_index("ix_secret_ballots_tenant_id", "secret_ballots", ["tenant_id"])
    op.create_index("ix_secret_ballots_code", "secret_ballots", ["code"])
    bind = op.get_bind()
    rows = bind.execute(sa.text(
        f"SELECT id, poll_pk, code, ballot_json, tenant_id FROM {OLD}")).all()  # noqa: S608
    for row in rows:
        bind.execute(sa.text(
            "INSERT INTO secret_ballots (id, poll_pk, ballot_hash, object_id, code, "
            "ballot_json, tenant_id) VALUES (:id, :poll_pk, :hash, :object_id, :code, "
            ":ballot_json, :tenant_id)"),
            {"id": row.id, "poll_pk": row.poll_pk, "code": row.code,
             "hash": hashlib.sha256(row.ballot_json.encode()).hexdigest(),
             "object_id": json.loads(row.ballot_json)["object_id"],
             "ballot_json": row.ballot_json, "tenant_id": row.tenant_id})
    op.drop_table(OLD)
    op.create_table(
        "secret_record_files",
        sa.Column("poll_pk", sa.String(length=36), nullable=False),
        sa.Column("path", sa.String(length=255), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("tenant_id", sa.String(length=63), nullable=False),
        sa.ForeignKeyConstraint(["poll_pk"], ["secret_polls.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("poll_pk", "path"),
    )
    op.create_index("ix_secret_record_files_tenant_id", "secret_record_files", ["tenant_id"])


def downgrade() -> None:
    """Revert this revision (records written as files are not restored)."""
    op.drop_index("ix_secret_record_files_tenant_id", table_name="secret_record_files")
    op.drop_table("secret_record_files")
    op.drop_index("ix_secret_ballots_code", table_name="secret_ballots")
    with op.batch_alter_table("secret_ballots") as batch:
        batch.drop_constraint("uq_secret_ballots_poll_object", type_="unique")
        batch.drop_constraint("uq_secret_ballots_poll_hash", type_="unique")
        batch.drop_column("object_id")
        batch.drop_column("ballot_hash")
        batch.create_unique_constraint("uq_secret_ballots_poll_code", ["poll_pk", "code"])
