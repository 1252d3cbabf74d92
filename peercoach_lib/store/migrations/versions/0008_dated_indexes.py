"""Indexes for the cohort dashboard: each goal's ratings, each person's assessments and each
pair's sessions, by date.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-23
"""

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_sessions_partnership_scheduled", "sessions", ["partnership_id", "scheduled_on"]
    )
    op.create_index("ix_gas_ratings_plan_rated", "gas_ratings", ["plan_id", "rated_on"])
    op.create_index("ix_lsi_assessments_person_taken", "lsi_assessments", ["person_id", "taken_on"])


def downgrade() -> None:
    op.drop_index("ix_lsi_assessments_person_taken", table_name="lsi_assessments")
    op.drop_index("ix_gas_ratings_plan_rated", table_name="gas_ratings")
    op.drop_index("ix_sessions_partnership_scheduled", table_name="sessions")
