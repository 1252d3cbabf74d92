"""A session logged as held or missed keeps the time zone its booked time was read in, so that
changing the agreement's time zone later moves the sessions to come, never those already past.

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A plain nullable column: added in place on SQLite too (no table copy).
    op.add_column("sessions", sa.Column("time_zone", sa.String(64), nullable=True))


def downgrade() -> None:
    op.drop_column("sessions", "time_zone")
