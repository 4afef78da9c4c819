"""Second factor: authenticator apps, recovery codes, and each town's MFA requirement.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-06 (hand-written against accounts/models.py)
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("tenant") as batch:
        batch.add_column(sa.Column("staff_mfa_required", sa.Boolean(), nullable=False,
                                   server_default=sa.true()))
        batch.add_column(sa.Column("member_mfa_required", sa.Boolean(), nullable=False,
                                   server_default=sa.false()))
    op.create_table(
        "totp_credential",
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column("secret", sa.String(length=255), nullable=False),
        sa.Column("last_step", sa.Integer(), nullable=False),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("user_id"),
    )
    op.create_table(
        "recovery_code",
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("code_hash"),
    )
    op.create_index("ix_recovery_code_user_id", "recovery_code", ["user_id"])


def downgrade() -> None:
    """Revert this revision."""
    op.drop_table("recovery_code")
    op.drop_table("totp_credential")
    with op.batch_alter_table("tenant") as batch:
        batch.drop_column("member_mfa_required")
        batch.drop_column("staff_mfa_required")
