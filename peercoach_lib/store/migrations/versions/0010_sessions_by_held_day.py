"""Index each pair's sessions by the day they were held: the dashboard's coaching-minute balance
reads each pair's last four held sessions by walking it, instead of ranking every session.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-24
"""

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_sessions_partnership_held", "sessions", ["partnership_id", "held_on"])


def downgrade() -> None:
    op.drop_index("ix_sessions_partnership_held", table_name="sessions")
