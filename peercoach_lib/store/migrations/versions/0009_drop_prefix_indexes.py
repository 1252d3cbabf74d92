"""Drop three single-column indexes that the 0008 composites lead with (they served no query
the composites do not, and cost every write).

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-24
"""

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

#: (index, table, column): each column leads a composite index added in 0008.
PREFIXES = (
    ("ix_sessions_partnership_id", "sessions", "partnership_id"),
    ("ix_gas_ratings_plan_id", "gas_ratings", "plan_id"),
    ("ix_lsi_assessments_person_id", "lsi_assessments", "person_id"),
)


def upgrade() -> None:
    for name, table, _column in PREFIXES:
        op.drop_index(name, table_name=table)


def downgrade() -> None:
    for name, table, column in PREFIXES:
        op.create_index(name, table, [column])
