"""Courageous conversations, ending notes and flag episodes; when a person was forgotten.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}"), ondelete="CASCADE"
    )


def _demo() -> sa.Column:
    return sa.Column("is_demo", sa.Boolean(), server_default=sa.false(), nullable=False)


def _text(name: str) -> sa.Column:
    return sa.Column(name, sa.Text(), server_default="", nullable=False)


def upgrade() -> None:
    with op.batch_alter_table("persons", schema=None) as batch_op:
        batch_op.add_column(sa.Column("forgotten_at", sa.DateTime(), nullable=True))

    op.create_table(
        "conversations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("partnership_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("prompted_by", sa.String(length=40), nullable=False),
        sa.Column("issue", sa.String(length=500), nullable=False),
        _text("example"),
        _text("feeling"),
        _text("stakes"),
        _text("my_part"),
        _text("wish"),
        _text("invitation"),
        sa.Column("held_on", sa.Date(), nullable=True),
        sa.Column("outcome", sa.String(length=30), nullable=True),
        _text("agreed"),
        _text("hold_to_it"),
        sa.Column("review_on", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=True),
        _demo(),
        _fk("conversations", "partnership_id", "partnerships"),
        _fk("conversations", "person_id", "persons"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conversations")),
    )
    op.create_table(
        "ending_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("partnership_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        _text("reason"),
        _text("learned"),
        sa.Column("shared", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=True),
        _demo(),
        _fk("ending_notes", "partnership_id", "partnerships"),
        _fk("ending_notes", "person_id", "persons"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ending_notes")),
        sa.UniqueConstraint(
            "partnership_id", "person_id", name="uq_ending_notes_partnership_person"
        ),
    )
    op.create_table(
        "flag_episodes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("partnership_id", sa.Integer(), nullable=False),
        sa.Column("rule", sa.String(length=30), nullable=False),
        sa.Column("raised_on", sa.Date(), nullable=False),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("outcome", sa.String(length=20), nullable=True),
        _demo(),
        _fk("flag_episodes", "partnership_id", "partnerships"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_flag_episodes")),
    )
    for table, columns in (
        ("conversations", ("partnership_id", "person_id")),
        ("ending_notes", ("partnership_id", "person_id")),
        ("flag_episodes", ("partnership_id",)),
    ):
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column in columns:
                batch_op.create_index(batch_op.f(f"ix_{table}_{column}"), [column])


def downgrade() -> None:
    op.drop_table("flag_episodes")
    op.drop_table("ending_notes")
    op.drop_table("conversations")
    # A plain ALTER (SQLite 3.35 and later): batch mode would copy the table, and dropping the
    # old copy would cascade to every record that refers to a person.
    op.drop_column("persons", "forgotten_at")
