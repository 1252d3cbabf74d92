"""Record history: what changed in an agreement, plan, partnership or cohort, when and by whom.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "record_history",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("table_name", sa.String(length=40), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=10), nullable=False),
        sa.Column("changed_at", sa.DateTime(), nullable=False),
        sa.Column("changed_by", sa.Integer(), nullable=True),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["changed_by"],
            ["persons.id"],
            name=op.f("fk_record_history_changed_by_persons"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_record_history")),
    )
    with op.batch_alter_table("record_history", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_record_history_changed_by"), ["changed_by"])
        batch_op.create_index("ix_record_history_record", ["table_name", "record_id"])
    # Records made before history was kept get a "created" entry, so every one has a history.
    connection = op.get_bind()
    for table in ("agreements", "change_plans", "partnerships", "cohorts"):
        stamp = "updated_at" if table in ("agreements", "change_plans") else None
        when = f"COALESCE({stamp}, CURRENT_TIMESTAMP)" if stamp else "CURRENT_TIMESTAMP"
        connection.exec_driver_sql(
            "INSERT INTO record_history (table_name, record_id, action, changed_at, changes) "
            f"SELECT '{table}', id, 'created', {when}, '{{}}' FROM {table}"
        )


def downgrade() -> None:
    with op.batch_alter_table("record_history", schema=None) as batch_op:
        batch_op.drop_index("ix_record_history_record")
        batch_op.drop_index(batch_op.f("ix_record_history_changed_by"))
    op.drop_table("record_history")
