"""Flags a facilitator has followed up.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "flag_follow_ups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("partnership_id", sa.Integer(), nullable=False),
        sa.Column("rule", sa.String(length=30), nullable=False),
        sa.Column("followed_up_on", sa.Date(), nullable=False),
        sa.Column("by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["partnership_id"],
            ["partnerships.id"],
            name=op.f("fk_flag_follow_ups_partnership_id_partnerships"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["by"],
            ["persons.id"],
            name=op.f("fk_flag_follow_ups_by_persons"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_flag_follow_ups")),
    )
    with op.batch_alter_table("flag_follow_ups", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_flag_follow_ups_partnership_id"), ["partnership_id"])
        batch_op.create_index(batch_op.f("ix_flag_follow_ups_by"), ["by"])


def downgrade() -> None:
    op.drop_table("flag_follow_ups")
