"""The database schema: SQLAlchemy Core tables, one per record (plus child tables for lists).

This module describes the *current* schema; the migrations under ``migrations/versions`` build it
step by step, and a test checks that the two agree.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.types import TypeDecorator

metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


class UtcDateTime(TypeDecorator):
    """An instant stored as naive UTC and read back as an aware UTC datetime.

    SQLite keeps no time zone, so every instant is normalised to UTC on the way in.
    """

    impl = sa.DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None and value.tzinfo is not None:
            value = value.astimezone(dt.UTC).replace(tzinfo=None)
        return value

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        return value


def _id() -> sa.Column:
    return sa.Column("id", sa.Integer, primary_key=True)


def _demo() -> sa.Column:
    return sa.Column("is_demo", sa.Boolean, nullable=False, server_default=sa.false())


def _fk(
    name: str,
    target: str,
    *,
    nullable: bool = False,
    ondelete: str = "CASCADE",
    use_alter: bool = False,
    index: bool = True,
) -> sa.Column:
    """A foreign key column, indexed unless a composite index leads with it (``index=False``)."""
    return sa.Column(
        name,
        sa.Integer,
        sa.ForeignKey(f"{target}.id", ondelete=ondelete, use_alter=use_alter),
        nullable=nullable,
        index=index,
    )


def _text(name: str) -> sa.Column:
    return sa.Column(name, sa.Text, nullable=False, server_default="")


persons = sa.Table(
    "persons",
    metadata,
    _id(),
    sa.Column("name", sa.String(120), nullable=False),
    sa.Column("email", sa.String(254), nullable=False, server_default=""),
    sa.Column("role", sa.String(20), nullable=False),
    sa.Column("time_zone", sa.String(64), nullable=False),
    # Cohorts and persons refer to each other; this key is added after both tables exist.
    _fk("cohort_id", "cohorts", nullable=True, ondelete="SET NULL", use_alter=True),
    _demo(),
    sa.Column("created_at", UtcDateTime),
    sa.Column("forgotten_at", UtcDateTime),
    # Added in schema version 0007: the name a person signs in with on a shared server.
    sa.Column("sign_in", sa.String(254)),
    sa.Index("ix_persons_sign_in", "sign_in", unique=True),
)

cohorts = sa.Table(
    "cohorts",
    metadata,
    _id(),
    sa.Column("name", sa.String(120), nullable=False),
    _fk("facilitator_id", "persons", nullable=True, ondelete="SET NULL"),
    sa.Column("starts_on", sa.Date),
    _text("description"),
    sa.Column("settings", sa.JSON, nullable=False),
    _demo(),
)

partnerships = sa.Table(
    "partnerships",
    metadata,
    _id(),
    _fk("cohort_id", "cohorts", nullable=True, ondelete="SET NULL"),
    _fk("person_a_id", "persons"),
    _fk("person_b_id", "persons"),
    sa.Column("started_on", sa.Date, nullable=False),
    sa.Column("ended_on", sa.Date),
    sa.Column("end_reason", sa.String(40)),
    _demo(),
    sa.CheckConstraint("person_a_id <> person_b_id", name="two_people"),
)

agreements = sa.Table(
    "agreements",
    metadata,
    _id(),
    sa.Column(
        "partnership_id",
        sa.Integer,
        sa.ForeignKey("partnerships.id", ondelete="CASCADE"),
        nullable=False,
        unique=True,
    ),
    sa.Column("partners", sa.JSON, nullable=False),
    sa.Column("medium", sa.String(20), nullable=False),
    sa.Column("format", sa.String(40), nullable=False),
    sa.Column("minutes_per_person", sa.Integer, nullable=False),
    sa.Column("frequency", sa.String(20), nullable=False),
    sa.Column("day", sa.String(10)),
    sa.Column("time", sa.Time),
    sa.Column("time_zone", sa.String(64), nullable=False),
    _fk("caller_id", "persons", nullable=True, ondelete="SET NULL"),
    sa.Column("first_session_on", sa.Date),
    sa.Column("session_count", sa.Integer, nullable=False),
    # Added in schema version 0003.
    sa.Column("last_session_on", sa.Date),
    sa.Column("goals", sa.JSON, nullable=False),
    sa.Column("updated_at", UtcDateTime),
    _fk("updated_by", "persons", nullable=True, ondelete="SET NULL"),
    _demo(),
)

sessions = sa.Table(
    "sessions",
    metadata,
    _id(),
    _fk("partnership_id", "partnerships", index=False),
    sa.Column("planned", sa.Boolean, nullable=False),
    sa.Column("scheduled_on", sa.Date),
    sa.Column("scheduled_time", sa.Time),
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("held_on", sa.Date),
    # Added in schema version 0003.
    sa.Column("calendar_sequence", sa.Integer, nullable=False, server_default="0"),
    sa.Column("created_at", UtcDateTime),
    _demo(),
    # Added in 0008: a pair's latest planned sessions, by index (and, since 0009, its sessions).
    sa.Index("ix_sessions_partnership_scheduled", "partnership_id", "scheduled_on"),
    # Added in 0010: a pair's latest held sessions, by index.
    sa.Index("ix_sessions_partnership_held", "partnership_id", "held_on"),
    # Added in 0012: the session this one was booked in place of (one logged as rescheduled).
    _fk("replaces_id", "sessions", nullable=True, ondelete="SET NULL"),
    # Added in 0014: the time zone of a past session's booked time, once the agreement's changed.
    sa.Column("time_zone", sa.String(64)),
)

session_halves = sa.Table(
    "session_halves",
    metadata,
    sa.Column(
        "session_id", sa.Integer, sa.ForeignKey("sessions.id", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column("position", sa.Integer, primary_key=True),
    _fk("coach_id", "persons"),
    _fk("client_id", "persons"),
    sa.Column("minutes", sa.Integer, nullable=False),
)

session_notes = sa.Table(
    "session_notes",
    metadata,
    _id(),
    _fk("session_id", "sessions"),
    _fk("person_id", "persons"),
    _text("text"),
    sa.Column("shared", sa.Boolean, nullable=False),
    _demo(),
)

session_preps = sa.Table(
    "session_preps",
    metadata,
    _id(),
    _fk("session_id", "sessions"),
    _fk("person_id", "persons"),
    sa.Column("purpose", sa.String(500), nullable=False),
    _text("outcomes"),
    _text("process"),
    sa.Column("pinned_questions", sa.JSON, nullable=False),
    sa.Column("shared", sa.Boolean, nullable=False),
    _text("private_notes"),
    sa.Column("updated_at", UtcDateTime),
    _demo(),
    sa.UniqueConstraint("session_id", "person_id", name="uq_session_preps_session_person"),
    # Added in 0013: the session it was carried on from (one that did not take place).
    _fk("carried_from_session_id", "sessions", nullable=True, ondelete="SET NULL"),
)

change_plans = sa.Table(
    "change_plans",
    metadata,
    _id(),
    _fk("person_id", "persons"),
    sa.Column("change", sa.String(500), nullable=False),
    _text("why_it_matters"),
    sa.Column("importance", sa.Integer, nullable=False),
    sa.Column("confidence", sa.Integer, nullable=False),
    sa.Column("lsi_area", sa.String(80)),
    _text("goal_statement"),
    sa.Column("steps", sa.JSON, nullable=False),
    _text("supports"),
    sa.Column("obstacles", sa.JSON, nullable=False),
    _text("evidence"),
    sa.Column("milestones", sa.JSON, nullable=False),
    sa.Column("gas", sa.JSON, nullable=False),
    sa.Column("baseline_level", sa.Integer, nullable=False),
    sa.Column("weight", sa.Float, nullable=False),
    sa.Column("status", sa.String(20), nullable=False),
    _text("status_reason"),
    sa.Column("created_on", sa.Date, nullable=False),
    sa.Column("updated_at", UtcDateTime),
    _demo(),
)

commitments = sa.Table(
    "commitments",
    metadata,
    _id(),
    _fk("partnership_id", "partnerships"),
    _fk("person_id", "persons"),
    _fk("made_in_session_id", "sessions", nullable=True, ondelete="SET NULL"),
    sa.Column("text", sa.String(500), nullable=False),
    sa.Column("by_when", sa.Date),
    _fk("goal_id", "change_plans", nullable=True, ondelete="SET NULL"),
    sa.Column("status", sa.String(20), nullable=False),
    _text("obstacle"),
    _fk("reviewed_in_session_id", "sessions", nullable=True, ondelete="SET NULL"),
    _demo(),
)

feedback = sa.Table(
    "feedback",
    metadata,
    _id(),
    _fk("session_id", "sessions"),
    _fk("author_id", "persons"),
    sa.Column("role", sa.String(10), nullable=False),
    _text("most_helpful"),
    _text("less_helpful"),
    _text("what_worked"),
    _text("try_next_time"),
    _demo(),
)

session_checks = sa.Table(
    "session_checks",
    metadata,
    _id(),
    _fk("session_id", "sessions"),
    _fk("person_id", "persons"),
    sa.Column("heard", sa.Integer, nullable=False),
    sa.Column("focus", sa.Integer, nullable=False),
    sa.Column("approach", sa.Integer, nullable=False),
    sa.Column("overall", sa.Integer, nullable=False),
    sa.Column("total_below", sa.Integer, nullable=False),
    sa.Column("item_below", sa.Integer, nullable=False),
    _demo(),
    sa.UniqueConstraint("session_id", "person_id", name="uq_session_checks_session_person"),
)

lsi_assessments = sa.Table(
    "lsi_assessments",
    metadata,
    _id(),
    _fk("person_id", "persons", index=False),
    sa.Column("taken_on", sa.Date, nullable=False),
    _text("note"),
    sa.Column("created_at", UtcDateTime),
    _demo(),
    # Added in 0008: a person's first and latest assessment in a date range, by index (and,
    # since 0009, all of a person's assessments).
    sa.Index("ix_lsi_assessments_person_taken", "person_id", "taken_on"),
)

lsi_ratings = sa.Table(
    "lsi_ratings",
    metadata,
    sa.Column(
        "assessment_id",
        sa.Integer,
        sa.ForeignKey("lsi_assessments.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("position", sa.Integer, primary_key=True),
    sa.Column("area", sa.String(80), nullable=False),
    sa.Column("satisfaction", sa.Integer, nullable=False),
    sa.Column("importance", sa.Integer, nullable=False),
)

gas_ratings = sa.Table(
    "gas_ratings",
    metadata,
    _id(),
    _fk("plan_id", "change_plans", index=False),
    _fk("session_id", "sessions", nullable=True, ondelete="SET NULL"),
    sa.Column("rated_on", sa.Date, nullable=False),
    sa.Column("level", sa.Integer, nullable=False),
    _demo(),
    # Added in 0008: a goal's first and latest rating in a date range, by index (and, since
    # 0009, all of a goal's ratings).
    sa.Index("ix_gas_ratings_plan_rated", "plan_id", "rated_on"),
)

# Added in schema version 0002: what changed in a kept-in-history record, when and by whom.
record_history = sa.Table(
    "record_history",
    metadata,
    _id(),
    sa.Column("table_name", sa.String(40), nullable=False),
    sa.Column("record_id", sa.Integer, nullable=False),
    sa.Column("action", sa.String(10), nullable=False),
    sa.Column("changed_at", UtcDateTime, nullable=False),
    _fk("changed_by", "persons", nullable=True, ondelete="SET NULL"),
    sa.Column("changes", sa.JSON, nullable=False),
    sa.Index("ix_record_history_record", "table_name", "record_id"),
)

# Added in schema version 0004: forms as a person left them, until saved.
drafts = sa.Table(
    "drafts",
    metadata,
    _id(),
    _fk("person_id", "persons"),
    sa.Column("kind", sa.String(40), nullable=False),
    sa.Column("key", sa.String(120), nullable=False),
    sa.Column("data", sa.JSON, nullable=False),
    sa.Column("updated_at", UtcDateTime),
    sa.UniqueConstraint("person_id", "kind", "key", name="uq_drafts_person_kind_key"),
)

# Added in schema version 0005: flags a facilitator has followed up.
flag_follow_ups = sa.Table(
    "flag_follow_ups",
    metadata,
    _id(),
    _fk("partnership_id", "partnerships"),
    sa.Column("rule", sa.String(30), nullable=False),
    sa.Column("followed_up_on", sa.Date, nullable=False),
    _fk("by", "persons", nullable=True, ondelete="SET NULL"),
    sa.Column("created_at", UtcDateTime),
)

# Added in schema version 0006: courageous conversations, endings, and flags as they come and go.
conversations = sa.Table(
    "conversations",
    metadata,
    _id(),
    _fk("partnership_id", "partnerships"),
    _fk("person_id", "persons"),
    sa.Column("prompted_by", sa.String(40), nullable=False),
    sa.Column("issue", sa.String(500), nullable=False),
    _text("example"),
    _text("feeling"),
    _text("stakes"),
    _text("my_part"),
    _text("wish"),
    _text("invitation"),
    sa.Column("held_on", sa.Date),
    sa.Column("outcome", sa.String(30)),
    _text("agreed"),
    _text("hold_to_it"),
    sa.Column("review_on", sa.Date),
    sa.Column("created_at", UtcDateTime),
    sa.Column("updated_at", UtcDateTime),
    _demo(),
)

ending_notes = sa.Table(
    "ending_notes",
    metadata,
    _id(),
    _fk("partnership_id", "partnerships"),
    _fk("person_id", "persons"),
    _text("reason"),
    _text("learned"),
    sa.Column("shared", sa.Boolean, nullable=False),
    sa.Column("created_at", UtcDateTime),
    _demo(),
    sa.UniqueConstraint("partnership_id", "person_id", name="uq_ending_notes_partnership_person"),
)

flag_episodes = sa.Table(
    "flag_episodes",
    metadata,
    _id(),
    _fk("partnership_id", "partnerships"),
    sa.Column("rule", sa.String(30), nullable=False),
    sa.Column("raised_on", sa.Date, nullable=False),
    sa.Column("closed_on", sa.Date),
    sa.Column("outcome", sa.String(20)),
    _demo(),
)
