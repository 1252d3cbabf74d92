"""The name a person signs in with on a shared server (JupyterHub's user name).

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ALTERs, not batch mode: copying the persons table would cascade deletes on SQLite.
    op.add_column("persons", sa.Column("sign_in", sa.String(length=254), nullable=True))
    op.create_index("ix_persons_sign_in", "persons", ["sign_in"], unique=True)


def downgrade() -> None:
    op.drop_index("ix_persons_sign_in", table_name="persons")
    op.drop_column("persons", "sign_in")
