"""Put partnerships that belong to no cohort into their partners' cohort, when both partners are
in the same one (a partnership made in the agreement app was saved without its cohort, which
kept it off the facilitator's dashboard).

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-24
"""

from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

_COHORT_OF_A = "(SELECT a.cohort_id FROM persons a WHERE a.id = partnerships.person_a_id)"
_COHORT_OF_B = "(SELECT b.cohort_id FROM persons b WHERE b.id = partnerships.person_b_id)"


def upgrade() -> None:
    op.execute(
        f"UPDATE partnerships SET cohort_id = {_COHORT_OF_A} "
        f"WHERE cohort_id IS NULL AND {_COHORT_OF_A} IS NOT NULL "
        f"AND {_COHORT_OF_A} = {_COHORT_OF_B}"
    )


def downgrade() -> None:
    # Which partnerships had no cohort is not kept: they stay in it (the schema is unchanged).
    pass
