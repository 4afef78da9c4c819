"""master data (terms, organizations, papers, files) and the OParl import

Revision ID: 0002_masterdata_oparl
Revises: 0001
Create Date: 2026-05-10
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002_masterdata_oparl"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_OPARL = sa.String(length=500)
# Nullable columns this branch adds to tables of 0001 (no other branch touches them).
_ADDED: dict[str, list[sa.Column]] = {  # type: ignore[type-arg]
    "bodies": [sa.Column("classification", sa.String(length=120), nullable=True)],
    "persons": [],
    "memberships": [
        sa.Column("start_date", sa.Date(), nullable=True),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("voting_right", sa.Boolean(), nullable=True),
    ],
    "meetings": [sa.Column("ends_at", sa.DateTime(timezone=True), nullable=True)],
    "agenda_items": [
        sa.Column("paper_id", sa.String(length=36), nullable=True),
        sa.Column("result", sa.String(length=300), nullable=True),
        sa.Column("resolution_text", sa.Text(), nullable=True),
    ],
}


def _tenant_table(
    name: str, *columns: sa.Column, unique: tuple[str, str] = ("oparl_id", "oparl")  # type: ignore[type-arg]
) -> None:
    """A town-owned table with an id, its tenant index and a unique key within the town."""
    constraints: list[sa.Constraint] = [
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("tenant_id", unique[0], name=f"uq_{name}_{unique[1]}"),
    ]
    op.create_table(
        name, *columns, sa.Column("tenant_id", sa.String(length=63), nullable=False),
        *constraints,
    )
    op.create_index(f"ix_{name}_tenant_id", name, ["tenant_id"])


def upgrade() -> None:
    """Apply this revision."""
    for table, columns in _ADDED.items():
        for column in [*columns, sa.Column("oparl_id", _OPARL, nullable=True)]:
            op.add_column(table, column)
        # One local row per OParl object and town (NULLs, i.e. local rows, never collide).
        op.create_index(f"uq_{table}_oparl", table, ["tenant_id", "oparl_id"], unique=True)
    op.create_index("ix_agenda_items_paper_id", "agenda_items", ["paper_id"])

    _tenant_table(
        "legislative_terms",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=True),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("oparl_id", _OPARL, nullable=True),
    )
    _tenant_table(
        "organizations",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("short", sa.String(length=80), nullable=False),
        sa.Column("organization_type", sa.String(length=80), nullable=False),
        sa.Column("classification", sa.String(length=120), nullable=False),
        sa.Column("oparl_id", _OPARL, nullable=True),
    )
    _tenant_table(
        "papers",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=500), nullable=False),
        sa.Column("reference", sa.String(length=80), nullable=False),
        sa.Column("paper_type", sa.String(length=120), nullable=False),
        sa.Column("date", sa.Date(), nullable=True),
        sa.Column("locations", sa.JSON(), nullable=False),
        sa.Column("oparl_id", _OPARL, nullable=True),
    )
    _tenant_table(
        "files",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("file_name", sa.String(length=300), nullable=False),
        sa.Column("mime_type", sa.String(length=120), nullable=False),
        sa.Column("date", sa.Date(), nullable=True),
        sa.Column("size", sa.Integer(), nullable=True),
        sa.Column("sha1", sa.String(length=40), nullable=True),
        sa.Column("access_url", sa.String(length=1000), nullable=False),
        sa.Column("download_url", sa.String(length=1000), nullable=True),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("oparl_id", _OPARL, nullable=True),
    )
    op.create_table(
        "file_links",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("file_id", sa.String(length=36), nullable=False),
        sa.Column("owner_kind", sa.String(length=16), nullable=False),
        sa.Column("owner_id", sa.String(length=36), nullable=False),
        sa.Column("role", sa.String(length=24), nullable=False),
        sa.Column("tenant_id", sa.String(length=63), nullable=False),
        sa.ForeignKeyConstraint(["file_id"], ["files.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("file_id", "owner_kind", "owner_id", "role", name="uq_file_link"),
    )
    op.create_index("ix_file_links_file_id", "file_links", ["file_id"])
    op.create_index("ix_file_links_owner_id", "file_links", ["owner_id"])
    op.create_index("ix_file_links_tenant_id", "file_links", ["tenant_id"])
    _tenant_table(
        "oparl_sources",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("system_url", sa.String(length=500), nullable=False),
        sa.Column("body_url", sa.String(length=500), nullable=True),
        sa.Column("last_synced_at", sa.DateTime(timezone=True), nullable=True),
        unique=("system_url", "url"),
    )
    op.create_table(
        "oparl_imports",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("source_id", sa.String(length=36), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("modified_since", sa.DateTime(timezone=True), nullable=True),
        sa.Column("report", sa.JSON(), nullable=False),
        sa.Column("started_by", sa.String(length=64), nullable=False),
        sa.Column("tenant_id", sa.String(length=63), nullable=False),
        sa.ForeignKeyConstraint(["source_id"], ["oparl_sources.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_oparl_imports_source_id", "oparl_imports", ["source_id"])
    op.create_index("ix_oparl_imports_started_at", "oparl_imports", ["started_at"])
    op.create_index("ix_oparl_imports_tenant_id", "oparl_imports", ["tenant_id"])


def downgrade() -> None:
    """Revert this revision."""
    for table in ("oparl_imports", "oparl_sources", "file_links", "files", "papers",
                  "organizations", "legislative_terms"):
        op.drop_table(table)
    op.drop_index("ix_agenda_items_paper_id", "agenda_items")
    for table, columns in _ADDED.items():
        op.drop_index(f"uq_{table}_oparl", table)
        with op.batch_alter_table(table) as batch:
            for column in [*columns, sa.Column("oparl_id", _OPARL)]:
                batch.drop_column(column.name)
