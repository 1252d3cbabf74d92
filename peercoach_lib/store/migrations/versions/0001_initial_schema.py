"""Initial schema: people, partnerships, agreements, sessions, plans and assessments.

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "persons",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("email", sa.String(length=254), server_default="", nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("time_zone", sa.String(length=64), nullable=False),
        sa.Column("cohort_id", sa.Integer(), nullable=True),
        sa.Column("is_demo", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_persons")),
    )
    with op.batch_alter_table("persons", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_persons_cohort_id"), ["cohort_id"], unique=False)

    op.create_table(
        "change_plans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("change", sa.String(length=500), nullable=False),
        sa.Column("why_it_matters", sa.Text(), server_default="", nullable=False),
        sa.Column("importance", sa.Integer(), nullable=False),
        sa.Column("confidence", sa.Integer(), nullable=False),
        sa.Column("lsi_area", sa.String(length=80), nullable=True),
        sa.Column("goal_statement", sa.Text(), server_default="", nullable=False),
        sa.Column("steps", sa.JSON(), nullable=False),
        sa.Column("supports", sa.Text(), server_default="", nullable=False),
        sa.Column("obstacles", sa.JSON(), nullable=False),
        sa.Column("evidence", sa.Text(), server_default="", nullable=False),
        sa.Column("milestones", sa.JSON(), nullable=False),
        sa.Column("gas", sa.JSON(), nullable=False),
        sa.Column("baseline_level", sa.Integer(), nullable=False),
        sa.Column("weight", sa.Float(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("status_reason", sa.Text(), server_default="", nullable=False),
        sa.Column("created_on", sa.Date(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=True),
        sa.Column("is_demo", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["persons.id"],
            name=op.f("fk_change_plans_person_id_persons"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_change_plans")),
    )
    with op.batch_alter_table("change_plans", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_change_plans_person_id"), ["person_id"], unique=False)

    op.create_table(
        "cohorts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("facilitator_id", sa.Integer(), nullable=True),
        sa.Column("starts_on", sa.Date(), nullable=True),
        sa.Column("description", sa.Text(), server_default="", nullable=False),
        sa.Column("settings", sa.JSON(), nullable=False),
        sa.Column("is_demo", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.ForeignKeyConstraint(
            ["facilitator_id"],
            ["persons.id"],
            name=op.f("fk_cohorts_facilitator_id_persons"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cohorts")),
    )
    with op.batch_alter_table("cohorts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_cohorts_facilitator_id"), ["facilitator_id"], unique=False
        )

    op.create_table(
        "lsi_assessments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("taken_on", sa.Date(), nullable=False),
        sa.Column("note", sa.Text(), server_default="", nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=True),
        sa.Column("is_demo", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["persons.id"],
            name=op.f("fk_lsi_assessments_person_id_persons"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lsi_assessments")),
    )
    with op.batch_alter_table("lsi_assessments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_lsi_assessments_person_id"), ["person_id"], unique=False
        )

    op.create_table(
        "lsi_ratings",
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("area", sa.String(length=80), nullable=False),
        sa.Column("satisfaction", sa.Integer(), nullable=False),
        sa.Column("importance", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["assessment_id"],
            ["lsi_assessments.id"],
            name=op.f("fk_lsi_ratings_assessment_id_lsi_assessments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("assessment_id", "position", name=op.f("pk_lsi_ratings")),
    )
    op.create_table(
        "partnerships",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cohort_id", sa.Integer(), nullable=True),
        sa.Column("person_a_id", sa.Integer(), nullable=False),
        sa.Column("person_b_id", sa.Integer(), nullable=False),
        sa.Column("started_on", sa.Date(), nullable=False),
        sa.Column("ended_on", sa.Date(), nullable=True),
        sa.Column("end_reason", sa.String(length=40), nullable=True),
        sa.Column("is_demo", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.CheckConstraint("person_a_id <> person_b_id", name=op.f("ck_partnerships_two_people")),
        sa.ForeignKeyConstraint(
            ["cohort_id"],
            ["cohorts.id"],
            name=op.f("fk_partnerships_cohort_id_cohorts"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["person_a_id"],
            ["persons.id"],
            name=op.f("fk_partnerships_person_a_id_persons"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_b_id"],
            ["persons.id"],
            name=op.f("fk_partnerships_person_b_id_persons"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_partnerships")),
    )
    with op.batch_alter_table("partnerships", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_partnerships_cohort_id"), ["cohort_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_partnerships_person_a_id"), ["person_a_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_partnerships_person_b_id"), ["person_b_id"], unique=False
        )

    op.create_table(
        "agreements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("partnership_id", sa.Integer(), nullable=False),
        sa.Column("partners", sa.JSON(), nullable=False),
        sa.Column("medium", sa.String(length=20), nullable=False),
        sa.Column("format", sa.String(length=40), nullable=False),
        sa.Column("minutes_per_person", sa.Integer(), nullable=False),
        sa.Column("frequency", sa.String(length=20), nullable=False),
        sa.Column("day", sa.String(length=10), nullable=True),
        sa.Column("time", sa.Time(), nullable=True),
        sa.Column("time_zone", sa.String(length=64), nullable=False),
        sa.Column("caller_id", sa.Integer(), nullable=True),
        sa.Column("first_session_on", sa.Date(), nullable=True),
        sa.Column("session_count", sa.Integer(), nullable=False),
        sa.Column("goals", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=True),
        sa.Column("updated_by", sa.Integer(), nullable=True),
        sa.Column("is_demo", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.ForeignKeyConstraint(
            ["caller_id"],
            ["persons.id"],
            name=op.f("fk_agreements_caller_id_persons"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["partnership_id"],
            ["partnerships.id"],
            name=op.f("fk_agreements_partnership_id_partnerships"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["updated_by"],
            ["persons.id"],
            name=op.f("fk_agreements_updated_by_persons"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agreements")),
        sa.UniqueConstraint("partnership_id", name=op.f("uq_agreements_partnership_id")),
    )
    with op.batch_alter_table("agreements", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_agreements_caller_id"), ["caller_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_agreements_updated_by"), ["updated_by"], unique=False)

    op.create_table(
        "sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("partnership_id", sa.Integer(), nullable=False),
        sa.Column("planned", sa.Boolean(), nullable=False),
        sa.Column("scheduled_on", sa.Date(), nullable=True),
        sa.Column("scheduled_time", sa.Time(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=True),
        sa.Column("is_demo", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.ForeignKeyConstraint(
            ["partnership_id"],
            ["partnerships.id"],
            name=op.f("fk_sessions_partnership_id_partnerships"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sessions")),
    )
    with op.batch_alter_table("sessions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_sessions_partnership_id"), ["partnership_id"], unique=False
        )

    op.create_table(
        "commitments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("partnership_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("made_in_session_id", sa.Integer(), nullable=True),
        sa.Column("text", sa.String(length=500), nullable=False),
        sa.Column("by_when", sa.Date(), nullable=True),
        sa.Column("goal_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("obstacle", sa.Text(), server_default="", nullable=False),
        sa.Column("reviewed_in_session_id", sa.Integer(), nullable=True),
        sa.Column("is_demo", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.ForeignKeyConstraint(
            ["goal_id"],
            ["change_plans.id"],
            name=op.f("fk_commitments_goal_id_change_plans"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["made_in_session_id"],
            ["sessions.id"],
            name=op.f("fk_commitments_made_in_session_id_sessions"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["partnership_id"],
            ["partnerships.id"],
            name=op.f("fk_commitments_partnership_id_partnerships"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["persons.id"],
            name=op.f("fk_commitments_person_id_persons"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["reviewed_in_session_id"],
            ["sessions.id"],
            name=op.f("fk_commitments_reviewed_in_session_id_sessions"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_commitments")),
    )
    with op.batch_alter_table("commitments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_commitments_goal_id"), ["goal_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_commitments_made_in_session_id"), ["made_in_session_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_commitments_partnership_id"), ["partnership_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_commitments_person_id"), ["person_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_commitments_reviewed_in_session_id"),
            ["reviewed_in_session_id"],
            unique=False,
        )

    op.create_table(
        "feedback",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=10), nullable=False),
        sa.Column("most_helpful", sa.Text(), server_default="", nullable=False),
        sa.Column("less_helpful", sa.Text(), server_default="", nullable=False),
        sa.Column("what_worked", sa.Text(), server_default="", nullable=False),
        sa.Column("try_next_time", sa.Text(), server_default="", nullable=False),
        sa.Column("is_demo", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["persons.id"],
            name=op.f("fk_feedback_author_id_persons"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["sessions.id"],
            name=op.f("fk_feedback_session_id_sessions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feedback")),
    )
    with op.batch_alter_table("feedback", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_feedback_author_id"), ["author_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_feedback_session_id"), ["session_id"], unique=False)

    op.create_table(
        "gas_ratings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=True),
        sa.Column("rated_on", sa.Date(), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("is_demo", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["change_plans.id"],
            name=op.f("fk_gas_ratings_plan_id_change_plans"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["sessions.id"],
            name=op.f("fk_gas_ratings_session_id_sessions"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gas_ratings")),
    )
    with op.batch_alter_table("gas_ratings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_gas_ratings_plan_id"), ["plan_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_gas_ratings_session_id"), ["session_id"], unique=False)

    op.create_table(
        "session_checks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("heard", sa.Integer(), nullable=False),
        sa.Column("focus", sa.Integer(), nullable=False),
        sa.Column("approach", sa.Integer(), nullable=False),
        sa.Column("overall", sa.Integer(), nullable=False),
        sa.Column("total_below", sa.Integer(), nullable=False),
        sa.Column("item_below", sa.Integer(), nullable=False),
        sa.Column("is_demo", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["persons.id"],
            name=op.f("fk_session_checks_person_id_persons"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["sessions.id"],
            name=op.f("fk_session_checks_session_id_sessions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_session_checks")),
        sa.UniqueConstraint("session_id", "person_id", name="uq_session_checks_session_person"),
    )
    with op.batch_alter_table("session_checks", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_session_checks_person_id"), ["person_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_session_checks_session_id"), ["session_id"], unique=False
        )

    op.create_table(
        "session_halves",
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("coach_id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["persons.id"],
            name=op.f("fk_session_halves_client_id_persons"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["coach_id"],
            ["persons.id"],
            name=op.f("fk_session_halves_coach_id_persons"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["sessions.id"],
            name=op.f("fk_session_halves_session_id_sessions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("session_id", "position", name=op.f("pk_session_halves")),
    )
    with op.batch_alter_table("session_halves", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_session_halves_client_id"), ["client_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_session_halves_coach_id"), ["coach_id"], unique=False)

    op.create_table(
        "session_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), server_default="", nullable=False),
        sa.Column("shared", sa.Boolean(), nullable=False),
        sa.Column("is_demo", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["persons.id"],
            name=op.f("fk_session_notes_person_id_persons"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["sessions.id"],
            name=op.f("fk_session_notes_session_id_sessions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_session_notes")),
    )
    with op.batch_alter_table("session_notes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_session_notes_person_id"), ["person_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_session_notes_session_id"), ["session_id"], unique=False
        )

    op.create_table(
        "session_preps",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("purpose", sa.String(length=500), nullable=False),
        sa.Column("outcomes", sa.Text(), server_default="", nullable=False),
        sa.Column("process", sa.Text(), server_default="", nullable=False),
        sa.Column("pinned_questions", sa.JSON(), nullable=False),
        sa.Column("shared", sa.Boolean(), nullable=False),
        sa.Column("private_notes", sa.Text(), server_default="", nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=True),
        sa.Column("is_demo", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["persons.id"],
            name=op.f("fk_session_preps_person_id_persons"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["sessions.id"],
            name=op.f("fk_session_preps_session_id_sessions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_session_preps")),
        sa.UniqueConstraint("session_id", "person_id", name="uq_session_preps_session_person"),
    )
    with op.batch_alter_table("session_preps", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_session_preps_person_id"), ["person_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_session_preps_session_id"), ["session_id"], unique=False
        )

    # Persons and cohorts refer to each other: the person -> cohort key comes once both exist.
    with op.batch_alter_table("persons", schema=None) as batch_op:
        batch_op.create_foreign_key(
            batch_op.f("fk_persons_cohort_id_cohorts"),
            "cohorts",
            ["cohort_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:
    with op.batch_alter_table("persons", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_persons_cohort_id_cohorts"), type_="foreignkey")

    with op.batch_alter_table("session_preps", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_session_preps_session_id"))
        batch_op.drop_index(batch_op.f("ix_session_preps_person_id"))

    op.drop_table("session_preps")
    with op.batch_alter_table("session_notes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_session_notes_session_id"))
        batch_op.drop_index(batch_op.f("ix_session_notes_person_id"))

    op.drop_table("session_notes")
    with op.batch_alter_table("session_halves", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_session_halves_coach_id"))
        batch_op.drop_index(batch_op.f("ix_session_halves_client_id"))

    op.drop_table("session_halves")
    with op.batch_alter_table("session_checks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_session_checks_session_id"))
        batch_op.drop_index(batch_op.f("ix_session_checks_person_id"))

    op.drop_table("session_checks")
    with op.batch_alter_table("gas_ratings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_gas_ratings_session_id"))
        batch_op.drop_index(batch_op.f("ix_gas_ratings_plan_id"))

    op.drop_table("gas_ratings")
    with op.batch_alter_table("feedback", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_feedback_session_id"))
        batch_op.drop_index(batch_op.f("ix_feedback_author_id"))

    op.drop_table("feedback")
    with op.batch_alter_table("commitments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_commitments_reviewed_in_session_id"))
        batch_op.drop_index(batch_op.f("ix_commitments_person_id"))
        batch_op.drop_index(batch_op.f("ix_commitments_partnership_id"))
        batch_op.drop_index(batch_op.f("ix_commitments_made_in_session_id"))
        batch_op.drop_index(batch_op.f("ix_commitments_goal_id"))

    op.drop_table("commitments")
    with op.batch_alter_table("sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sessions_partnership_id"))

    op.drop_table("sessions")
    with op.batch_alter_table("agreements", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_agreements_updated_by"))
        batch_op.drop_index(batch_op.f("ix_agreements_caller_id"))

    op.drop_table("agreements")
    with op.batch_alter_table("partnerships", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_partnerships_person_b_id"))
        batch_op.drop_index(batch_op.f("ix_partnerships_person_a_id"))
        batch_op.drop_index(batch_op.f("ix_partnerships_cohort_id"))

    op.drop_table("partnerships")
    op.drop_table("lsi_ratings")
    with op.batch_alter_table("lsi_assessments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_lsi_assessments_person_id"))

    op.drop_table("lsi_assessments")
    with op.batch_alter_table("cohorts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cohorts_facilitator_id"))

    op.drop_table("cohorts")
    with op.batch_alter_table("change_plans", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_change_plans_person_id"))

    op.drop_table("change_plans")
    with op.batch_alter_table("persons", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_persons_cohort_id"))

    op.drop_table("persons")
