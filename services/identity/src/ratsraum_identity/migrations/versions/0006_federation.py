"""Federation: a town's own OpenID provider and the sign-ins under way there.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06 (hand-written against federation/models.py)
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006_federation"
down_revision: str | None = "0005_passkeys"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "town_federation",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("tenant_id", sa.String(length=63), nullable=False),
        sa.Column("issuer", sa.String(length=500), nullable=False),
        sa.Column("client_id", sa.String(length=200), nullable=False),
        sa.Column("uses_client_secret", sa.Boolean(), nullable=False),
        sa.Column("claim", sa.String(length=64), nullable=False),
        sa.Column("match_field", sa.String(length=16), nullable=False),
        sa.Column("display_name", sa.String(length=100), nullable=False),
        sa.Column("password_allowed", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("tenant_id"),
    )
    op.create_index("ix_town_federation_tenant_id", "town_federation", ["tenant_id"])
    op.create_table(
        "federation_attempt",
        sa.Column("state_hash", sa.String(length=64), nullable=False),
        sa.Column("tenant_id", sa.String(length=63), nullable=False),
        sa.Column("nonce", sa.String(length=100), nullable=False),
        sa.Column("verifier", sa.String(length=100), nullable=False),
        sa.Column("browser_hash", sa.String(length=64), nullable=False),
        sa.Column("request", sa.JSON(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("state_hash"),
    )
    op.create_index("ix_federation_attempt_tenant_id", "federation_attempt", ["tenant_id"])
    op.create_index("ix_federation_attempt_expires_at", "federation_attempt", ["expires_at"])


def downgrade() -> None:
    """Revert this revision."""
    op.drop_table("federation_attempt")
    op.drop_table("town_federation")
