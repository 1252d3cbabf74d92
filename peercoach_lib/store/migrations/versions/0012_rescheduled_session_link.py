"""A session booked in place of one logged as rescheduled says which one it replaces, so that
logging the rescheduled session again moves its booking instead of making a second one.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

_FK = "fk_sessions_replaces_id_sessions"


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        # SQLite adds a column with its key in place; batch mode would copy the sessions
        # table, and dropping the old one would cascade to every table that refers to it.
        op.execute(
            f"ALTER TABLE sessions ADD COLUMN replaces_id INTEGER CONSTRAINT {_FK} "
            "REFERENCES sessions (id) ON DELETE SET NULL"
        )
    else:
        op.add_column("sessions", sa.Column("replaces_id", sa.Integer, nullable=True))
        op.create_foreign_key(
            _FK, "sessions", "sessions", ["replaces_id"], ["id"], ondelete="SET NULL"
        )
    op.create_index("ix_sessions_replaces_id", "sessions", ["replaces_id"])


def downgrade() -> None:
    op.drop_index("ix_sessions_replaces_id", table_name="sessions")
    if op.get_bind().dialect.name != "sqlite":
        op.drop_constraint(_FK, "sessions", type_="foreignkey")
    # SQLite (3.35 and later) drops a column that no index or key of another column names.
    op.drop_column("sessions", "replaces_id")
