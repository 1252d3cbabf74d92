"""A preparation carried on from a session that did not take place (cancelled, or put off with
no new day) to the next one says where it came from, so that it goes back there if that session
is booked again.

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

_FK = "fk_session_preps_carried_from_session_id_sessions"


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        # In place, with its key, as 0012 does: batch mode would copy the table.
        op.execute(
            "ALTER TABLE session_preps ADD COLUMN carried_from_session_id INTEGER "
            f"CONSTRAINT {_FK} REFERENCES sessions (id) ON DELETE SET NULL"
        )
    else:
        op.add_column(
            "session_preps", sa.Column("carried_from_session_id", sa.Integer, nullable=True)
        )
        op.create_foreign_key(
            _FK,
            "session_preps",
            "sessions",
            ["carried_from_session_id"],
            ["id"],
            ondelete="SET NULL",
        )
    op.create_index(
        "ix_session_preps_carried_from_session_id", "session_preps", ["carried_from_session_id"]
    )


def downgrade() -> None:
    op.drop_index("ix_session_preps_carried_from_session_id", table_name="session_preps")
    if op.get_bind().dialect.name != "sqlite":
        op.drop_constraint(_FK, "session_preps", type_="foreignkey")
    op.drop_column("session_preps", "carried_from_session_id")
