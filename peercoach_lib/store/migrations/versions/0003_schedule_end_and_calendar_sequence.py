"""Schedules: an agreement's optional last session date, and a calendar revision per session.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMN (no table copy): both databases do it in place, and foreign keys stay put.
    op.add_column("agreements", sa.Column("last_session_on", sa.Date(), nullable=True))
    op.add_column(
        "sessions",
        sa.Column("calendar_sequence", sa.Integer(), nullable=False, server_default="0"),
    )


def downgrade() -> None:
    # In place, never by copying the table: rebuilding `sessions` with foreign keys on would
    # cascade and delete every session's halves, notes and checks (SQLite 3.35+ drops in place).
    op.drop_column("sessions", "calendar_sequence")
    op.drop_column("agreements", "last_session_on")
