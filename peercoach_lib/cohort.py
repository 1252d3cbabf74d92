"""The facilitator's view of a cohort: per-pair figures, flags, headline numbers.

Privacy is built into the queries: every one aggregates in the database and groups by pair (or by
partner within a pair for goal and LSI numbers, which are reduced to a change before use), and
none selects a text column. No note, preparation, feedback or plan text can reach the
facilitator's kernel, and figures that would average fewer than three people are withheld ("too
few to show").

Speed is built in the same way: the work is done by a handful of grouped SQL queries and
vectorised pandas, never by Python loops over rows, so 10,000 pairs take about as long as reading
one count per pair.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import sqlalchemy as sa

from peercoach_lib import sessions
from peercoach_lib.model import (
    Cohort,
    CohortSettings,
    EndReason,
    FlagEpisode,
    FlagOutcome,
    FlagRule,
    Frequency,
)
from peercoach_lib.store import Store, schema

MIN_GROUP = 3
RECENT = dt.timedelta(weeks=4)
ONE_SIDED_SHARE = 1 / 3
TOO_FEW = "too few to show"
NO_DATA = "none in this range"
#: A change (GAS, LSI) with no figure: nobody rated twice within the range (ratings before it
#: do not count), which "none" alone leaves a riddle when ratings are there to see.
NO_CHANGE = "none in this range (a change takes two ratings within it)"
ACTION = "Suggest a courageous conversation"
INTERVAL_DAYS = {f.value: f.interval_days for f in Frequency}
#: How the pairs spread, measure by measure: (title, scale to show it in, unit).
SPREAD = {
    "follow_through": ("Follow-through", 100, "%"),
    "minute_balance": ("Share of minutes to the partner coached less", 100, "%"),
    "check_mean": ("Average session-check total (0–40)", 1, ""),
    "gas_change": ("GAS T-score change", 1, ""),
    "lsi_change": ("LSI change", 1, ""),
}

#: Figures made of people's own answers: shown across pairs, never pair by pair (the spread
#: chart's bars each hold at least :data:`MIN_GROUP` pairs: :func:`grouped_bins`).
PEOPLES_ANSWERS = ("check_mean",)

#: The measures that are a pair's only when both partners rated, each with the column counting
#: how many of the pair did (a pair's figure made of one partner alone is withheld).
RATERS = {"gas_change": "gas_people", "lsi_change": "lsi_people"}

p, s, h, c, k = (
    schema.partnerships,
    schema.sessions,
    schema.session_halves,
    schema.commitments,
    schema.session_checks,
)


@dataclass
class CohortView:
    cohort: Cohort
    start: dt.date
    end: dt.date
    pairs: pd.DataFrame
    flags: pd.DataFrame
    people: int
    #: How many people sent the session checks in the range (the low-check share is theirs),
    #: counted up to :data:`MIN_GROUP`, all that the share's rule asks.
    checkers: int = 0
    #: How many people each averaged measure is made of: those whose commitments make the
    #: follow-through (counted up to :data:`MIN_GROUP`, all the rule asks), and the partners of
    #: the pairs with a GAS or LSI change (a pair's change is both partners').
    contributors: dict[str, int] = field(default_factory=dict)

    def headline(self) -> dict[str, str]:
        """The headline figures as people read them; averages of fewer than 3 people withheld."""
        return headline(
            self.pairs, self.people, checkers=self.checkers, contributors=self.contributors
        )

    def enough_people(self, column: str) -> bool:
        """Whether a measure of :data:`SPREAD` is made of at least :data:`MIN_GROUP` people, as
        the headline counts them (the session checks: of the people who sent them)."""
        if self.people < MIN_GROUP:
            return False
        if column == "check_mean":
            return self.checkers >= MIN_GROUP
        return _contributors(self.pairs, column, self.contributors) >= MIN_GROUP


def _count(condition) -> sa.ColumnElement:
    return sa.func.sum(sa.case((condition, 1), else_=0))


def _frame(connection, query) -> pd.DataFrame:
    return pd.read_sql(query, connection)


def load(
    store: Store,
    cohort_id: int,
    *,
    start: dt.date | None = None,
    end: dt.date | None = None,
    today: dt.date | None = None,
) -> CohortView:
    """Every per-pair figure of the cohort between ``start`` and ``end`` (inclusive).

    Pairs that start after ``end`` are left out. The flags are those standing on ``end``: each rule
    looks back from ``end`` (the last four weeks, the last four held sessions, the last two due
    sessions, the days since the last held session), whatever the start of the range. A session
    booked for ``today`` (the computer's when not given) and not logged yet is not counted as
    planned: its day is not over.
    """
    today = today or dt.date.today()
    end = end or today
    with store.reading() as tx:
        cohort = tx.get(Cohort, cohort_id)
        start = start or _default_start(tx, cohort, end - dt.timedelta(weeks=52))
        frames = _queries(tx.connection, cohort_id, start, end, today)
        follow_ups = tx.frame("flag_follow_ups")
    pairs = _pairs(frames, start, end, cohort.settings)
    flags = find_flags(pairs, cohort.settings, follow_ups, end=end)
    people = int(pd.unique(pairs[["person_a_id", "person_b_id"]].to_numpy().ravel()).size)
    checkers = int(frames["checkers"].iloc[0, 0] or 0)
    contributors = {
        "follow_through": int(frames["committers"].iloc[0, 0] or 0),
        # Both partners of each pair with a change (a person in two such pairs counts once).
        **{
            column: int(
                pd.unique(
                    pairs.loc[pairs[column].notna(), ["person_a_id", "person_b_id"]]
                    .to_numpy()
                    .ravel()
                ).size
            )
            for column in ("gas_change", "lsi_change")
        },
    }
    return CohortView(cohort, start, end, pairs, flags, people, checkers, contributors)


def default_start(store: Store, cohort: Cohort, *, otherwise: dt.date) -> dt.date:
    """Where a range over the cohort starts unless someone chooses: the cohort's start, or its
    first pair's when that started earlier (a cohort enrolled after its pairs began); else
    ``otherwise``."""
    with store.reading() as tx:
        return _default_start(tx, cohort, otherwise)


def _default_start(tx, cohort: Cohort, otherwise: dt.date) -> dt.date:
    first = tx.connection.execute(
        sa.select(sa.func.min(p.c.started_on)).where(p.c.cohort_id == cohort.id)
    ).scalar_one()
    if isinstance(first, str):  # SQLite gives a date back as text from an aggregate
        first = dt.date.fromisoformat(first)
    days = [d for d in (cohort.starts_on, first) if d is not None]
    return min(days) if days else otherwise


def _people(connection, person, joined, *where) -> pd.DataFrame:
    """How many people (``person``, a column of ``joined``) have a row meeting ``where``,
    counted up to :data:`MIN_GROUP`: all that withholding a figure asks."""
    return _frame(
        connection,
        sa.select(sa.func.count().label("people")).select_from(
            sa.select(person)
            .distinct()
            .select_from(joined)
            .where(*where)
            .limit(MIN_GROUP)
            .subquery()
        ),
    )


def _queries(
    connection, cohort_id: int, start: dt.date, end: dt.date, today: dt.date
) -> dict[str, pd.DataFrame]:
    in_cohort = s.c.partnership_id.in_(sa.select(p.c.id).where(p.c.cohort_id == cohort_id))
    day = sa.func.coalesce(s.c.held_on, s.c.scheduled_on)
    in_range = day.between(start, end)
    recent_from = end - RECENT
    # The flags look back from the end of the range, so the recent counts may start before it.
    window = day.between(min(start, recent_from), end)
    held = s.c.status == "held"
    out: dict[str, pd.DataFrame] = {}

    # Sessions per pair (with each pair's agreed frequency, a setting, not text anyone wrote).
    out["pairs"] = _frame(
        connection,
        sa.select(
            p.c.id.label("pair"),
            p.c.person_a_id,
            p.c.person_b_id,
            p.c.started_on,
            p.c.ended_on,
            p.c.end_reason,
            sa.select(schema.agreements.c.frequency)
            .where(schema.agreements.c.partnership_id == p.c.id)
            .scalar_subquery()
            .label("frequency"),
        ).where(p.c.cohort_id == cohort_id, p.c.started_on <= end),
    )
    out["sessions"] = _frame(
        connection,
        sa.select(
            s.c.partnership_id.label("pair"),
            _count(sa.and_(held, in_range)).label("held"),
            # Held of those planned in the range, and held without being planned. A planned
            # session counts on the day it was held, else on its booked day (as "planned"
            # counts it): one held early, before a booked day after the range, is in it.
            _count(sa.and_(held, s.c.planned, in_range)).label("held_planned"),
            _count(sa.and_(held, in_range, sa.not_(s.c.planned))).label("held_unplanned"),
            # A session cancelled, or moved to another day (counted there), is not planned; nor
            # one booked for today and not logged yet (due once logged, or once the day is over).
            _count(
                sa.and_(
                    s.c.planned,
                    in_range,
                    s.c.status.not_in(["cancelled", "rescheduled"]),
                    sa.not_(sa.and_(s.c.status == "scheduled", s.c.scheduled_on >= today)),
                )
            ).label("planned"),
            _count(sa.and_(s.c.status == "missed", in_range)).label("missed"),
            sa.func.max(sa.case((sa.and_(held, s.c.held_on <= end), s.c.held_on))).label(
                "last_held"
            ),
        )
        .where(in_cohort)
        .group_by(s.c.partnership_id),
    )

    # The last two planned sessions that were due: both missed? Per pair, a walk back along the
    # (pair, date) index that stops after two sessions.
    due = (
        sa.select(s.c.status)
        .where(
            s.c.partnership_id == p.c.id,
            s.c.planned,
            s.c.scheduled_on <= end,
            s.c.status.in_(["held", "missed", "rescheduled"]),
        )
        .order_by(s.c.scheduled_on.desc(), s.c.id.desc())
        .limit(2)
        .correlate(p)
        .subquery("due")
    )
    out["missed_in_a_row"] = _frame(
        connection,
        sa.select(
            p.c.id.label("pair"),
            sa.select(sa.func.count())
            .select_from(due)
            .where(due.c.status == "missed")
            .scalar_subquery()
            .label("last_two_missed"),
        ).where(p.c.cohort_id == cohort_id),
    )

    # Follow-through: statuses only, never the commitment's words.
    reviewer = s.alias("reviewer")
    reviewed_on = sa.func.coalesce(reviewer.c.held_on, reviewer.c.scheduled_on)
    # A follow-up made in the preparation for a session booked for today counts once the
    # session is logged, or once the day is over, as the session itself does.
    reviewed_yet = sa.not_(
        sa.and_(reviewer.c.status == "scheduled", reviewer.c.scheduled_on >= today)
    )
    recent = sa.and_(reviewed_on >= recent_from, reviewed_yet)
    reviewed_in_range = sa.and_(reviewed_on >= start, reviewed_yet)
    out["commitments"] = _frame(
        connection,
        sa.select(
            c.c.partnership_id.label("pair"),
            _count(sa.and_(c.c.status == "done", reviewed_in_range)).label("done"),
            _count(sa.and_(c.c.status == "partly", reviewed_in_range)).label("partly"),
            _count(sa.and_(c.c.status == "not done", reviewed_in_range)).label("not_done"),
            _count(sa.and_(c.c.status == "done", recent)).label("done_recent"),
            _count(sa.and_(c.c.status == "partly", recent)).label("partly_recent"),
            _count(sa.and_(c.c.status == "not done", recent)).label("not_done_recent"),
        )
        .select_from(c.join(reviewer, reviewer.c.id == c.c.reviewed_in_session_id))
        .where(
            c.c.partnership_id.in_(sa.select(p.c.id).where(p.c.cohort_id == cohort_id)),
            reviewed_on.between(min(start, recent_from), end),
        )
        .group_by(c.c.partnership_id),
    )

    # How many people the follow-through counted in the range is made of (up to three).
    out["committers"] = _people(
        connection,
        c.c.person_id,
        c.join(reviewer, reviewer.c.id == c.c.reviewed_in_session_id),
        c.c.partnership_id.in_(sa.select(p.c.id).where(p.c.cohort_id == cohort_id)),
        c.c.status.in_(["done", "partly", "not done"]),
        reviewed_on.between(start, end),
        reviewed_yet,
    )

    # Coaching minutes each partner received over the sessions held in the range (the pair's
    # figure), and over the pair's last four held sessions by the end (the one-sided flag's):
    # for those, per pair, a walk back along the (pair, held day) index that stops after four.
    recent_held = s.alias("recent_held")
    last_four = (
        sa.select(recent_held.c.id)
        .where(
            recent_held.c.partnership_id == p.c.id,
            recent_held.c.status == "held",
            recent_held.c.held_on <= end,
        )
        .order_by(recent_held.c.held_on.desc(), recent_held.c.id.desc())
        .limit(4)
        .correlate(p)
    )

    def received(suffix: str) -> tuple:
        return (
            sa.func.sum(sa.case((h.c.client_id == p.c.person_a_id, h.c.minutes), else_=0)).label(
                f"minutes_a{suffix}"
            ),
            sa.func.sum(sa.case((h.c.client_id == p.c.person_b_id, h.c.minutes), else_=0)).label(
                f"minutes_b{suffix}"
            ),
        )

    out["minutes"] = _frame(
        connection,
        sa.select(p.c.id.label("pair"), *received(""))
        .select_from(
            p.join(
                s,
                sa.and_(
                    s.c.partnership_id == p.c.id,
                    s.c.status == "held",
                    s.c.held_on.between(start, end),
                ),
            ).join(h, h.c.session_id == s.c.id)
        )
        .where(p.c.cohort_id == cohort_id)
        .group_by(p.c.id),
    )
    out["minutes_recent"] = _frame(
        connection,
        sa.select(p.c.id.label("pair"), *received("_recent"))
        # The pair condition too: without it PostgreSQL runs the walk for every session. As
        # "+ 0", so that SQLite still walks once per pair rather than once per session.
        .select_from(
            p.join(s, sa.and_(s.c.partnership_id + 0 == p.c.id, s.c.id.in_(last_four))).join(
                h, h.c.session_id == s.c.id
            )
        )
        .where(p.c.cohort_id == cohort_id)
        .group_by(p.c.id),
    )

    # Session checks: totals and flags, counted per pair; no one's answers leave the database.
    total = k.c.heard + k.c.focus + k.c.approach + k.c.overall
    flagged = sa.or_(
        total < k.c.total_below,
        k.c.heard < k.c.item_below,
        k.c.focus < k.c.item_below,
        k.c.approach < k.c.item_below,
        k.c.overall < k.c.item_below,
    )
    ranged = day >= start

    def sessions_where(condition) -> sa.ColumnElement:
        return sa.func.count(sa.distinct(sa.case((condition, s.c.id))))

    out["checks"] = _frame(
        connection,
        sa.select(
            s.c.partnership_id.label("pair"),
            _count(ranged).label("checks"),
            sa.func.sum(sa.case((ranged, total), else_=0)).label("check_total_sum"),
            _count(sa.and_(ranged, flagged)).label("flagged_checks"),
            _count(sa.and_(day >= recent_from, flagged)).label("flagged_recent"),
            # A session is low when any check of it is below the line.
            sessions_where(ranged).label("checked_sessions"),
            sessions_where(sa.and_(ranged, flagged)).label("low_check_sessions"),
        )
        .select_from(k.join(s, s.c.id == k.c.session_id))
        .where(in_cohort, window)
        .group_by(s.c.partnership_id),
    )
    # How many people sent those checks: the share of low checks is withheld below three, so
    # counting stops at three.
    out["checkers"] = _people(
        connection, k.c.person_id, k.join(s, s.c.id == k.c.session_id), in_cohort, in_range
    )

    # GAS and LSI change belong to each partner within each partnership: a person paired twice
    # counts in each pair for the days that pair ran (and in the range), not in one of them.
    in_cohort_pairs = p.c.cohort_id == cohort_id
    members = (
        sa.select(
            p.c.id.label("pair"),
            p.c.person_a_id.label("person"),
            p.c.started_on.label("from_"),
            p.c.ended_on.label("until"),
        )
        .where(in_cohort_pairs, p.c.started_on <= end)
        .union_all(
            sa.select(p.c.id, p.c.person_b_id, p.c.started_on, p.c.ended_on).where(
                in_cohort_pairs, p.c.started_on <= end
            )
        )
        .subquery("members")
    )

    def during(column) -> sa.ColumnElement:
        """``column`` (a date) falls in the range and while the member's pair ran."""
        return sa.and_(
            column.between(start, end),
            column >= members.c.from_,
            sa.or_(members.c.until.is_(None), column <= members.c.until),
        )

    # GAS: each goal's first and latest level, with its weight. Each is one short walk of the
    # (plan, date) index per goal, rather than ranking every rating in the cohort.
    g, plans = schema.gas_ratings, schema.change_plans

    def level(*order) -> sa.ScalarSelect:
        return (
            sa.select(g.c.level)
            .where(g.c.plan_id == plans.c.id, during(g.c.rated_on))
            .order_by(*order)
            .limit(1)
            .scalar_subquery()
        )

    goals = (
        sa.select(
            members.c.pair,
            members.c.person,
            plans.c.weight,
            level(g.c.rated_on, g.c.id).label("first_level"),
            level(g.c.rated_on.desc(), g.c.id.desc()).label("last_level"),
            # Whether the goal was rated twice: a single rating is no change, only a level.
            sa.select(g.c.id)
            .where(g.c.plan_id == plans.c.id, during(g.c.rated_on))
            .order_by(g.c.rated_on, g.c.id)
            .limit(1)
            .offset(1)
            .scalar_subquery()
            .label("second_rating"),
        )
        .select_from(members.join(plans, plans.c.person_id == members.c.person))
        .subquery()
    )
    out["goals"] = _frame(connection, sa.select(goals).where(goals.c.first_level.is_not(None)))

    # LSI: each member's first and latest assessment (by the (person, date) index), and the
    # index of each: the mean satisfaction of its ratings, times ten. The first may be the one
    # taken last before the pair began: the index is taken before a first session, and a
    # change counted from the first taken during the pair left out where people started from
    # (My progress counts from it). A range that holds the pair's beginning holds that starting
    # point, even from before the range (the range starts with the first pair by default, a
    # day after the index taken the day before); a range starting later counts from within.
    a, r = schema.lsi_assessments, schema.lsi_ratings
    before = a.alias("before")
    baseline = (
        sa.select(before.c.id)
        .where(
            before.c.person_id == members.c.person,
            sa.or_(before.c.taken_on >= start, members.c.from_ >= start),
            before.c.taken_on < members.c.from_,
        )
        .order_by(before.c.taken_on.desc(), before.c.id.desc())
        .limit(1)
        .correlate_except(before)  # to the member two levels out
        .scalar_subquery()
    )
    taken = sa.and_(
        a.c.person_id == members.c.person,
        sa.or_(during(a.c.taken_on), a.c.id == baseline),
    )

    def assessment(*order) -> sa.ScalarSelect:
        return sa.select(a.c.id).where(taken).order_by(*order).limit(1).scalar_subquery()

    ends = sa.select(
        members.c.pair,
        members.c.person,
        assessment(a.c.taken_on, a.c.id).label("first_id"),
        assessment(a.c.taken_on.desc(), a.c.id.desc()).label("last_id"),
        sa.select(sa.func.count()).where(taken).scalar_subquery().label("assessments"),
    ).subquery()

    def index_of(assessment_id) -> sa.ScalarSelect:
        return (
            sa.select(sa.func.avg(r.c.satisfaction) * 10)
            .where(r.c.assessment_id == assessment_id)
            .scalar_subquery()
        )

    out["lsi"] = _frame(
        connection,
        sa.select(
            ends.c.pair,
            ends.c.person,
            index_of(ends.c.first_id).label("first_index"),
            index_of(ends.c.last_id).label("last_index"),
            ends.c.assessments,
        ).where(ends.c.assessments > 0),
    )
    return out


def _t_scores(
    levels: pd.Series, weights: pd.Series, member: list[pd.Series], rho: float = 0.3
) -> pd.Series:
    """The GAS T-score per member (pair, person) from one level per goal (vectorised)."""
    parts = (
        pd.DataFrame({"wx": weights * levels, "w2": weights**2, "w": weights})
        .groupby([m.rename(n) for m, n in zip(member, ("pair", "person"), strict=True)])
        .sum()
    )
    return 50 + 10 * parts["wx"] / np.sqrt((1 - rho) * parts["w2"] + rho * parts["w"] ** 2)


def _pairs(
    frames: dict[str, pd.DataFrame], start: dt.date, end: dt.date, settings: CohortSettings
) -> pd.DataFrame:
    pairs = frames["pairs"].copy()
    for name in (
        "sessions",
        "missed_in_a_row",
        "commitments",
        "minutes",
        "minutes_recent",
        "checks",
    ):
        pairs = pairs.merge(frames[name], on="pair", how="left")
    counts = [
        "held",
        "held_planned",
        "held_unplanned",
        "planned",
        "missed",
        "last_two_missed",
        "done",
        "partly",
        "not_done",
        "done_recent",
        "partly_recent",
        "not_done_recent",
        "minutes_a",
        "minutes_b",
        "minutes_a_recent",
        "minutes_b_recent",
        "checks",
        "check_total_sum",
        "flagged_checks",
        "flagged_recent",
        "checked_sessions",
        "low_check_sessions",
    ]
    pairs[counts] = pairs[counts].fillna(0).astype("int64")
    end_ts = pd.Timestamp(end)
    for column in ("started_on", "ended_on", "last_held"):
        pairs[column] = pd.to_datetime(pairs[column])
    pairs["active"] = pairs["ended_on"].isna() | (pairs["ended_on"] > end_ts)
    pairs["interval_days"] = pairs["frequency"].map(INTERVAL_DAYS).fillna(14).astype(int)
    since = pairs["last_held"].fillna(pairs["started_on"])
    pairs["days_since_last"] = (end_ts - since).dt.days
    counted = pairs["done"] + pairs["partly"] + pairs["not_done"]
    pairs["follow_through"] = (pairs["done"] + 0.5 * pairs["partly"]) / counted.replace(0, np.nan)
    recent = pairs["done_recent"] + pairs["partly_recent"] + pairs["not_done_recent"]
    pairs["follow_through_recent"] = (
        pairs["done_recent"] + 0.5 * pairs["partly_recent"]
    ) / recent.replace(0, np.nan)
    for suffix in ("", "_recent"):  # the range's, and the last four sessions' (the flag's)
        a, b = pairs[f"minutes_a{suffix}"], pairs[f"minutes_b{suffix}"]
        pairs[f"minute_balance{suffix}"] = np.minimum(a, b) / (a + b).replace(0, np.nan)
    pairs["check_mean"] = pairs["check_total_sum"] / pairs["checks"].replace(0, np.nan)

    # GAS and LSI change per partner in each pair, then the pair's mean (what the facilitator
    # sees).
    goals = frames["goals"]
    # A person's change needs a goal rated twice in the range (one rating is a level, and would
    # read as "no change").
    rated_twice = goals["second_rating"].notna().groupby([goals["pair"], goals["person"]])
    goals = goals[rated_twice.transform("any").astype(bool)]
    if len(goals):
        member = [goals["pair"], goals["person"]]
        change = _t_scores(goals["last_level"], goals["weight"], member) - _t_scores(
            goals["first_level"], goals["weight"], member
        )
        pairs["gas_change"] = pairs["pair"].map(change.groupby(level="pair").mean())
        pairs["gas_people"] = pairs["pair"].map(change.groupby(level="pair").size())
    else:
        pairs["gas_change"] = np.nan
        pairs["gas_people"] = 0
    lsi = frames["lsi"]
    lsi = lsi[lsi["assessments"] >= 2]
    if len(lsi):
        change = (lsi["last_index"] - lsi["first_index"]).groupby(lsi["pair"])
        pairs["lsi_change"] = pairs["pair"].map(change.mean())
        pairs["lsi_people"] = pairs["pair"].map(change.size())
    else:
        pairs["lsi_change"] = np.nan
        pairs["lsi_people"] = 0
    pairs[list(RATERS.values())] = pairs[list(RATERS.values())].fillna(0).astype(int)
    # A pair's change is both partners': one partner's alone would be that person's own, read
    # pair by pair (and worked back out of a median over pairs).
    for column, raters in RATERS.items():
        pairs.loc[pairs[raters] < 2, column] = np.nan
    # Running pairs first, the longest without a session at the top; pairs that ended last.
    return pairs.sort_values(
        ["active", "days_since_last"], ascending=[False, False], kind="stable"
    ).reset_index(drop=True)


def find_flags(
    pairs: pd.DataFrame,
    settings: CohortSettings,
    follow_ups: pd.DataFrame | None = None,
    *,
    end: dt.date | None = None,
) -> pd.DataFrame:
    """One row per flag raised: the pair, the rule, the numbers behind it, the suggested action.

    A flag counts as followed up when the facilitator marked it so within the four weeks up to
    ``end`` (the window the rules look at): a pair that lapses again months later is flagged
    afresh, and a follow-up made after ``end`` does not reach back.
    """
    active = pairs[pairs["active"]]
    lapse_days = settings.lapse_factor * active["interval_days"]
    quiet = active["days_since_last"] > lapse_days
    two_missed = active["last_two_missed"] >= 2
    lapsing = active[quiet | two_missed]
    rows = [
        pd.DataFrame(
            {
                "pair": lapsing["pair"],
                "rule": FlagRule.LAPSING.value,
                "numbers": np.where(
                    quiet[quiet | two_missed],
                    "no held session for "
                    + lapsing["days_since_last"].astype(str)
                    + np.where(
                        lapsing["frequency"].notna(),
                        " days (agreed: every ",
                        " days (no agreement yet: the usual every ",
                    )
                    + lapsing["interval_days"].astype(str)
                    + " days)",
                    "the last two planned sessions were missed",
                ),
                "action": ACTION + " about meeting regularly",
            }
        )
    ]
    low = active[active["follow_through_recent"] < settings.low_follow_through]
    rows.append(
        pd.DataFrame(
            {
                "pair": low["pair"],
                "rule": FlagRule.LOW_FOLLOW_THROUGH.value,
                "numbers": "follow-through "
                + (low["follow_through_recent"] * 100).round().astype(int).astype(str)
                + "% over the last four weeks",
                "action": ACTION + " about the commitments you make",
            }
        )
    )
    one_sided = active[active["minute_balance_recent"] < ONE_SIDED_SHARE]
    rows.append(
        pd.DataFrame(
            {
                "pair": one_sided["pair"],
                "rule": FlagRule.ONE_SIDED.value,
                "numbers": "one partner received "
                + (one_sided["minute_balance_recent"] * 100).round().astype(int).astype(str)
                + "% of the coaching minutes over the last four sessions",
                "action": ACTION + " about sharing the time",
            }
        )
    )
    checked = active[active["flagged_recent"] > 0]
    rows.append(
        pd.DataFrame(
            {
                "pair": checked["pair"],
                "rule": FlagRule.LOW_SESSION_CHECK.value,
                "numbers": checked["flagged_recent"].astype(str)
                + np.where(checked["flagged_recent"] == 1, " session check", " session checks")
                + f" below the line (a total under {settings.check_total_below} of 40, or an "
                f"answer under {settings.check_item_below} of 10) in the last four weeks",
                "action": ACTION + " about how the sessions feel",
            }
        )
    )
    flags = pd.concat(rows, ignore_index=True)
    flags["pair"] = flags["pair"].astype("int64")
    if follow_ups is not None and end is not None and len(follow_ups):
        when = pd.to_datetime(follow_ups["followed_up_on"])
        follow_ups = follow_ups[(when > pd.Timestamp(end - RECENT)) & (when <= pd.Timestamp(end))]
    if follow_ups is not None and len(follow_ups):
        latest = (
            follow_ups.sort_values("followed_up_on")
            .groupby(["partnership_id", "rule"])["followed_up_on"]
            .last()
        )
        keys = pd.MultiIndex.from_frame(flags[["pair", "rule"]].astype({"rule": str}))
        flags["followed_up_on"] = latest.reindex(keys).to_numpy()
    else:
        flags["followed_up_on"] = pd.NaT
    return flags


def nothing_shown(pairs: pd.DataFrame, column: str) -> str:
    """What a measure with no figure to show reads: withheld when someone rated (one partner of
    a pair, say), else none (a change: none, and what one takes)."""
    raters = RATERS.get(column)
    if raters is None:
        return NO_DATA
    return TOO_FEW if raters in pairs and bool((pairs[raters] > 0).any()) else NO_CHANGE


def median_text(column: str, value: float) -> str:
    """A median across pairs of a measure of :data:`SPREAD` as the page says it, wherever it
    is said (headline, chart, its words): "79%", "37.6", "+1.6", "0.0"; halves rounded up (a
    median of 11.25 read "+11.2" in the headline and "11" on the chart)."""
    if column in ("follow_through", "minute_balance"):
        return sessions.percent(value)
    tenths = sessions.whole(value * 10) / 10
    if column == "check_mean":
        return f"{tenths:.1f}"
    return "0.0" if tenths == 0 else f"{tenths:+.1f}"  # a change


def _median(
    values: pd.Series, people: int, fmt: Callable[[float], str], *, empty: str = NO_DATA
) -> str:
    values = values.dropna()
    if values.empty:
        return empty
    if people < MIN_GROUP:
        return TOO_FEW
    return fmt(values.median())


def _contributors(pairs: pd.DataFrame, column: str, counted: dict[str, int] | None) -> int:
    """How many people a measure is made of: as counted by :func:`load`, else two per pair with
    a figure (all a pair's figure can be made of)."""
    if counted and column in counted:
        return counted[column]
    return 2 * int(pairs[column].notna().sum())


def headline(
    pairs: pd.DataFrame,
    people: int,
    *,
    checkers: int | None = None,
    contributors: dict[str, int] | None = None,
) -> dict[str, str]:
    """The headline figures; any average or median of fewer than three people is withheld.

    The share of sessions with a low check is of the sessions with at least one check, a session
    counting as low when any check of it is below the line; it is withheld when fewer than three
    people sent checks (``checkers``; the cohort's ``people`` when not given). How many people
    make each other measure is in ``contributors`` (as :attr:`CohortView.contributors`); a
    measure not in it counts two people per pair with a figure.
    """

    def made_of(column: str) -> int:
        return min(people, _contributors(pairs, column, contributors))

    active = pairs[pairs["active"]]
    checked = int(pairs["checked_sessions"].sum())
    checkers = people if checkers is None else checkers
    if not checked:
        share = NO_DATA
    elif checkers < MIN_GROUP:
        share = TOO_FEW
    else:
        share = sessions.percent(pairs["low_check_sessions"].sum() / checked)
    return {
        "Pairs active": f"{int((active['held'] > 0).sum())} of {len(active)}",
        "Sessions held / planned": _held_of_planned(pairs),
        "Median follow-through": _median(
            pairs["follow_through"],
            made_of("follow_through"),
            functools.partial(median_text, "follow_through"),
        ),
        "Sessions with a low check": share,
        "Median GAS T-score change": _median(
            pairs["gas_change"],
            made_of("gas_change"),
            functools.partial(median_text, "gas_change"),
            empty=nothing_shown(pairs, "gas_change"),
        ),
        "Median LSI change": _median(
            pairs["lsi_change"],
            made_of("lsi_change"),
            functools.partial(median_text, "lsi_change"),
            empty=nothing_shown(pairs, "lsi_change"),
        ),
    }


def _held_of_planned(pairs: pd.DataFrame) -> str:
    """Planned sessions held of those planned, and the unplanned ones beside: "4 / 5 (+1
    unplanned)", never more held than planned."""
    held, planned = int(pairs["held_planned"].sum()), int(pairs["planned"].sum())
    unplanned = int(pairs["held_unplanned"].sum())
    return f"{held} / {planned}" + (f" (+{unplanned} unplanned)" if unplanned else "")


def week_grid(
    store: Store,
    pair_ids: list[int],
    start: dt.date,
    end: dt.date,
    *,
    today: dt.date | None = None,
) -> pd.DataFrame:
    """Pair x week: 'held', 'missed', 'rescheduled', 'not logged', 'booked', 'none planned'
    or 'not paired' (a week before the pair began or after it ended), for some pairs. A
    booked session whose day is before ``today`` (the computer's when not given) and that
    nobody logged is 'not logged': it is not to come any more. The week that holds ``end``
    shows a session booked for later that week as 'booked', as it stood on the end (not 'none
    planned' for a pair meeting the next day)."""
    today = today or dt.date.today()
    weeks = pd.date_range(
        pd.Timestamp(start) - pd.Timedelta(days=pd.Timestamp(start).weekday()),
        pd.Timestamp(end),
        freq="W-MON",
    )
    week_end = end + dt.timedelta(days=6 - end.weekday())
    with store.reading() as tx:
        rows = _frame(
            tx.connection,
            sa.select(
                s.c.partnership_id.label("pair"),
                s.c.status,
                s.c.planned,
                sa.func.coalesce(s.c.held_on, s.c.scheduled_on).label("day"),
            ).where(
                s.c.partnership_id.in_(pair_ids),
                s.c.status != "cancelled",
                sa.func.coalesce(s.c.held_on, s.c.scheduled_on).between(start, week_end),
            ),
        )
    grid = pd.DataFrame("none planned", index=pd.Index(pair_ids, name="pair"), columns=weeks)
    # After the end (in its week): a planned session only, booked as it stood then.
    later = pd.to_datetime(rows["day"]).dt.date > end
    rows = rows[~later | rows["planned"].astype(bool)].assign(later=later)
    if rows.empty:
        return _unpaired_weeks(store, grid.astype(object))
    day = pd.to_datetime(rows["day"])
    rows["week"] = (day - pd.to_timedelta(day.dt.day_of_week, unit="D")).dt.normalize()
    rank = {
        "none planned": 0,
        "booked": 1,
        "not logged": 2,
        "rescheduled": 3,
        "missed": 4,
        "held": 5,
    }
    rows["status"] = sessions.with_not_logged(rows["status"], day, today).replace(
        {"scheduled": "booked"}
    )
    rows.loc[rows["later"], "status"] = "booked"
    rows["rank"] = rows["status"].map(rank)
    best = rows.sort_values("rank").groupby(["pair", "week"])["status"].last()
    table = best.unstack("week").reindex(index=pair_ids, columns=weeks)
    return _unpaired_weeks(store, table.astype(object).fillna("none planned"))


def _unpaired_weeks(store: Store, grid: pd.DataFrame) -> pd.DataFrame:
    """The weeks wholly before a pair began, or after it ended, are 'not paired': a range
    reaching back before a pair was made showed it as planning nothing for weeks."""
    with store.reading() as tx:
        spans = _frame(
            tx.connection,
            sa.select(p.c.id, p.c.started_on, p.c.ended_on).where(p.c.id.in_(list(grid.index))),
        ).set_index("id")
    mondays = pd.DatetimeIndex(grid.columns)
    for pair_id, span in spans.iterrows():
        outside = mondays + pd.Timedelta(days=6) < pd.Timestamp(span["started_on"])
        if pd.notna(span["ended_on"]):
            outside |= mondays > pd.Timestamp(span["ended_on"])
        grid.loc[pair_id, outside] = "not paired"
    return grid


# -- what the charts show, in words (their alt text) ---------------------------------------------


#: The longest name the week grid shows whole (long names would squeeze the grid).
GRID_NAME_CHARS = 18


def shortened(text: str, most: int) -> str:
    """``text`` cut to ``most`` characters, with an ellipsis, when longer."""
    return text if len(text) <= most else text[: most - 1].rstrip() + "…"


def since_label(days: int, last_held, active: bool) -> str:
    """How a pair's row names its wait: "12 d" since the last session held, "no session yet,
    paired 23 d ago" for a pair that never met ("paired today" on its first day), or "ended"."""
    if not active:
        return "ended"
    if pd.notna(last_held):
        return f"{days} d"
    return f"no session yet, paired {days} d ago" if days else "no session yet, paired today"


def describe_grid(grid: pd.DataFrame, labels: list[str], *, by_name: bool = False) -> str:
    """The week grid in one sentence: how many sessions of each kind, and who waited longest.

    ``labels`` name the grid's rows in order ("A & B (12 d)", the names whole where the
    chart cuts them); ``by_name``
    says the rows are in order of name rather than of days since a held session.
    """
    counts = pd.Series(grid.to_numpy().ravel()).value_counts()
    # A cell is a pair's week (two sessions in one week share it): count weeks, not sessions.
    kinds = ", ".join(
        f"{state} in {int(counts[state])}"
        for state in ("held", "missed", "rescheduled", "not logged", "booked")
        if counts.get(state, 0)
    )
    said = (
        f"Sessions of {len(grid)} pair{'s' if len(grid) != 1 else ''} over {grid.shape[1]} "
        f"week{'s' if grid.shape[1] != 1 else ''}, one row per pair and one column per week; "
        f"of the pairs' weeks, {kinds or 'none had a session'}."
    )
    if labels:
        order = "by name" if by_name else "longest since a held session"
        said += f" First row ({order}): {labels[0]}."
    return said


def grouped_bins(
    values: pd.Series, *, most: int = 20, span: tuple[float, float] | None = None
) -> np.ndarray | None:
    """Bin edges for a histogram of ``values`` whose every bar holds at least
    :data:`MIN_GROUP` of them (as many equal bins as allow that, up to ``most``, over ``span``
    or the values' own range: bars close together on a wider scale stay visible), so that no
    bar stands for one or two pairs; None when even one bar of them all would be too few.
    One bar of them all (values all alike, say: not one filled bin of many, a sliver) runs
    between the whole numbers around them, or half a unit either side of the value they all
    are, or of the whole number they all round to."""
    values = values.dropna().to_numpy(dtype=float)
    if len(values) < MIN_GROUP:
        return None
    for bins in range(most, 1, -1):
        counts, edges = np.histogram(values, bins=bins, range=span)
        filled = counts[counts > 0]
        if len(filled) > 1 and filled.min() >= MIN_GROUP:
            return edges
    if values.min() == values.max():
        return np.array([values.min() - 0.5, values.min() + 0.5])
    if sessions.whole(values.min()) == sessions.whole(values.max()):
        middle = sessions.whole(values.min())
        return np.array([middle - 0.5, middle + 0.5])
    return np.array([float(math.floor(values.min())), float(math.ceil(values.max()))])


def describe_spread(pairs: pd.DataFrame, shown: dict[str, bool], titles: dict[str, str]) -> str:
    """The distributions in one sentence: each measure's median across pairs, where shown."""
    parts = []
    for column, title in titles.items():
        values = pairs[column].dropna()
        grouped = column not in PEOPLES_ANSWERS or grouped_bins(values) is not None
        if values.empty or not shown.get(column) or not grouped:
            parts.append(f"{title}: {nothing_shown(pairs, column) if values.empty else TOO_FEW}")
        else:
            parts.append(f"{title}: median {median_text(column, values.median())}")
    many = f"{len(pairs)} pairs" if len(pairs) != 1 else "1 pair"
    return f"How the {many} spread. " + "; ".join(parts) + "."


# -- flags over time, endings and recoveries ------------------------------------------------------


def track_flags(store: Store, view: CohortView, *, on: dt.date | None = None) -> tuple[int, int]:
    """Keep the pairs' flag episodes up to date with ``view``'s flags; (opened, closed).

    A flag raised now and not open yet opens an episode: for a pair that went quiet, from the day
    it became overdue (the last held session plus the lapse allowance), otherwise from ``on``. An
    open episode whose flag is no longer raised closes as recovered; one on a pair that has ended
    closes as ended, on the day it ended.

    Episodes are noted as the dashboard is looked at, and sessions are often logged days or
    weeks late. A pair's lapse is told by its sessions, so an open lapsing episode follows them:
    it closes on the day the pair met again (not the day someone looked), from the day the pair
    became overdue as its sessions now say (a session logged late may show it later); and a
    pair that met during the episode and is quiet again closes it on that meeting and opens
    another.
    """

    on = on or view.end
    raised = {(int(r.pair), str(r.rule)) for r in view.flags.itertuples()}
    pairs = view.pairs.set_index("pair")
    lapsing = FlagRule.LAPSING.value
    opened = closed = 0
    with store.transaction() as tx:
        in_cohort = [int(p) for p in pairs.index]
        open_now = {
            (e.partnership_id, e.rule.value): e
            for e in tx.find(FlagEpisode, partnership_id=in_cohort, closed_on=None)
        }
        met = _held_days(tx, sorted(p for p, rule in open_now if rule == lapsing), on)
        for key, episode in open_now.items():
            pair = pairs.loc[key[0]]
            if key[1] == lapsing and key[0] in met:
                # The first meeting on or after the day it was raised ends it, as the
                # sessions now say; the one before it says when the pair became overdue.
                days = met[key[0]]
                after = next((d for d in days if d >= episode.raised_on), None)
                if after is not None:
                    before = max((d for d in days if d < after), default=None)
                    start = before or pair["started_on"].date()
                    allowance = _allowance(pair, view.cohort.settings)
                    overdue = start + dt.timedelta(days=allowance + 1)
                    if overdue < after:
                        tx.save(
                            episode.replace(
                                raised_on=max(overdue, episode.raised_on),
                                closed_on=after,
                                outcome=FlagOutcome.RECOVERED,
                            )
                        )
                    else:  # met in time after all, as the sessions logged since say
                        tx.delete(FlagEpisode, episode.id)
                    closed += 1
                    if key in raised:  # quiet again since: a new episode
                        tx.save(
                            FlagEpisode(
                                partnership_id=key[0],
                                rule=key[1],
                                raised_on=max(
                                    _raised_on(pair, key[1], view.cohort.settings, on), after
                                ),
                            )
                        )
                        opened += 1
                    continue
            if key in raised:
                continue
            ended = pair["ended_on"]
            if not pair["active"] and pd.notna(ended):
                when, outcome = ended.date(), FlagOutcome.ENDED
            else:
                when, outcome = on, FlagOutcome.RECOVERED
            tx.save(episode.replace(closed_on=max(when, episode.raised_on), outcome=outcome))
            closed += 1
        for pair_id, rule in sorted(raised - set(open_now)):
            tx.save(
                FlagEpisode(
                    partnership_id=pair_id,
                    rule=rule,
                    raised_on=_raised_on(pairs.loc[pair_id], rule, view.cohort.settings, on),
                )
            )
            opened += 1
    return opened, closed


def _held_days(tx, pair_ids: list[int], on: dt.date) -> dict[int, list[dt.date]]:
    """The days each of ``pair_ids`` held a session, up to ``on``, in order (a query for each
    500 pairs: a database takes so many values in one)."""
    table = schema.sessions
    days: dict[int, list[dt.date]] = {}
    for chunk in range(0, len(pair_ids), 500):
        rows = tx.connection.execute(
            sa.select(table.c.partnership_id, table.c.held_on)
            .where(
                table.c.partnership_id.in_(pair_ids[chunk : chunk + 500]),
                table.c.status == "held",
                table.c.held_on <= on,
            )
            .order_by(table.c.partnership_id, table.c.held_on)
        )
        for pair_id, held_on in rows:
            days.setdefault(int(pair_id), []).append(held_on)
    return days


def _allowance(pair: pd.Series, settings: CohortSettings) -> int:
    """Days a pair may go without a session before it is lapsing (the rule's own line)."""
    return int(np.ceil(settings.lapse_factor * pair["interval_days"]))


def _raised_on(pair: pd.Series, rule: str, settings: CohortSettings, on: dt.date) -> dt.date:
    if rule == FlagRule.LAPSING.value and pair["days_since_last"] > 0:
        allowance = _allowance(pair, settings)
        since = on - dt.timedelta(days=int(pair["days_since_last"]))
        overdue = since + dt.timedelta(days=allowance + 1)
        return min(max(overdue, pair["started_on"].date()), on)
    return on


@dataclass
class Endings:
    """How partnerships in trouble came out of it, for the dashboard."""

    ended: int
    reasons: pd.Series
    days_to_recovery: pd.Series
    days_to_ending: pd.Series

    def figures(self) -> dict[str, str]:
        """The numbers as people read them; a median of fewer than two pairs is withheld."""

        def median(days: pd.Series) -> str:
            if days.empty:
                return NO_DATA
            if 2 * len(days) < MIN_GROUP:
                return TOO_FEW
            return f"{days.median():.0f} days ({len(days)} pair{'s' if len(days) != 1 else ''})"

        return {
            "Partnerships ended": str(self.ended),
            "From the first flag to recovery (median)": median(self.days_to_recovery),
            "From the first flag to the ending (median)": median(self.days_to_ending),
        }

    @property
    def reasons_withheld(self) -> bool:
        """Whether the reasons are withheld: of fewer than :data:`MIN_GROUP` partnerships, each
        pair's reason could be told from the others' (the dashboard names the pairs that
        ended), as an average of fewer than three people could."""
        return 0 < self.ended < MIN_GROUP


def endings(store: Store, cohort_id: int, start: dt.date, end: dt.date) -> Endings:
    """Partnerships of the cohort that ended between ``start`` and ``end`` (not those called
    off before they began), and how long each pair took from its first flag to recovering or
    ending (episodes closed in that time).

    Reasons are counted by category only; the partners' own words are never read.
    """
    f = schema.flag_episodes
    with store.reading() as tx:
        ended = _frame(
            tx.connection,
            sa.select(p.c.id.label("pair"), p.c.end_reason).where(
                p.c.cohort_id == cohort_id,
                p.c.ended_on.between(start, end),
                # Not a pairing called off before it began (it starts the day it ends): no
                # partnership ended, and its reason would unlock the others' too soon.
                p.c.ended_on > p.c.started_on,
            ),
        )
        episodes = _frame(
            tx.connection,
            sa.select(f.c.partnership_id.label("pair"), f.c.raised_on, f.c.closed_on, f.c.outcome)
            .select_from(f.join(p, p.c.id == f.c.partnership_id))
            .where(p.c.cohort_id == cohort_id, f.c.closed_on.between(start, end)),
        )
    reasons = ended["end_reason"].fillna("not given").value_counts()
    order = [r.value for r in EndReason if r.value in reasons.index] + [
        r for r in reasons.index if r not in {e.value for e in EndReason}
    ]
    reasons = reasons.reindex(order)
    if episodes.empty:
        empty = pd.Series(dtype=float)
        return Endings(len(ended), reasons, empty, empty)
    for column in ("raised_on", "closed_on"):
        episodes[column] = pd.to_datetime(episodes[column])
    # One outcome per pair and day it came: from the earliest flag that was open until then.
    spans = episodes.groupby(["pair", "closed_on", "outcome"], as_index=False)["raised_on"].min()
    spans["days"] = (spans["closed_on"] - spans["raised_on"]).dt.days
    recovered = spans[spans["outcome"] == "recovered"].groupby("pair")["days"].max()
    ending = spans[spans["outcome"] == "ended"].groupby("pair")["days"].max()
    return Endings(len(ended), reasons, recovered, ending)
