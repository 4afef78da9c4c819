"""Operator API and town admin: town key and state, per-town membership, body roles, mail
links, operator accounts.

Revision ID: 0004_admin
Revises: 0003
Create Date: 2026-12-06 (hand-written against accounts/, members/ and operators/ models)
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004_admin"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("tenant") as batch:
        batch.add_column(sa.Column("ags", sa.String(length=8), nullable=True))
        batch.add_column(sa.Column("state", sa.String(length=8), nullable=True))
        batch.add_column(sa.Column("status", sa.String(length=16), nullable=False,
                                   server_default="active"))
        batch.create_unique_constraint("uq_tenant_ags", ["ags"])
    with op.batch_alter_table("user_account") as batch:
        batch.add_column(sa.Column("email", sa.String(length=320), nullable=True))
        batch.create_unique_constraint("uq_user_account_email", ["email"])
    op.create_table(
        "town_member",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("tenant_id", sa.String(length=63), nullable=False),
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("person_id", sa.String(length=64), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("tenant_id", "user_id"),
    )
    op.create_index("ix_town_member_tenant_id", "town_member", ["tenant_id"])
    op.create_index("ix_town_member_user_id", "town_member", ["user_id"])
    # Everyone who already holds a role in a town is an active member of it.
    op.execute(
        "INSERT INTO town_member (tenant_id, user_id, status, created_at) "
        "SELECT DISTINCT tenant_id, user_id, 'active', CURRENT_TIMESTAMP FROM tenant_role"
    )
    op.create_table(
        "body_role",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("tenant_id", sa.String(length=63), nullable=False),
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column("body_id", sa.String(length=64), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("tenant_id", "user_id", "body_id", "role"),
    )
    op.create_index("ix_body_role_tenant_id", "body_role", ["tenant_id"])
    op.create_index("ix_body_role_user_id", "body_role", ["user_id"])
    op.create_table(
        "mail_link",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("tenant_id", sa.String(length=63), nullable=False),
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column("purpose", sa.String(length=16), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("token_hash"),
    )
    op.create_index("ix_mail_link_tenant_id", "mail_link", ["tenant_id"])
    op.create_index("ix_mail_link_user_id", "mail_link", ["user_id"])
    op.create_table(
        "operator_account",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("username", sa.String(length=100), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("totp_secret", sa.String(length=255), nullable=False),
        sa.Column("totp_last_step", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("username"),
    )


def downgrade() -> None:
    """Revert this revision."""
    op.drop_table("operator_account")
    op.drop_table("mail_link")
    op.drop_table("body_role")
    op.drop_table("town_member")
    with op.batch_alter_table("user_account") as batch:
        batch.drop_constraint("uq_user_account_email", type_="unique")
        batch.drop_column("email")
    with op.batch_alter_table("tenant") as batch:
        batch.drop_constraint("uq_tenant_ags", type_="unique")
        batch.drop_column("status")
        batch.drop_column("state")
        batch.drop_column("ags")
