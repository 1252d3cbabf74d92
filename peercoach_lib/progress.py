"""A person's progress across sessions: the tables behind each chart, and what they say.

Only the person's own records and their partnership's sessions are read: never the partner's
notes, goals, feedback or checks.
"""

from __future__ import annotations

import datetime as dt
import textwrap
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from peercoach_lib import change_plan, dates, lsi, sessions, wording
from peercoach_lib.model import (
    Agreement,
    ChangePlan,
    CohortSettings,
    LsiAssessment,
    Partnership,
    Person,
    PlanStatus,
)
from peercoach_lib.store import Store


@dataclass
class Progress:
    person: Person
    partnership: Partnership | None
    interval_days: int
    interval_agreed: bool  # False: no agreement yet, so the usual fortnight
    as_of: pd.Timestamp
    gas_levels: pd.DataFrame  # rated_on, goal, level
    gas_scores: pd.DataFrame  # rated_on, goals, t_score
    milestones: pd.DataFrame  # due_on, goal, description
    follow_weekly: pd.DataFrame  # week, done, partly, not done, dropped, rate
    follow_recent: float | None  # the last four weeks
    follow_overall: float | None
    sessions: pd.DataFrame  # date, status, planned
    gaps: pd.DataFrame  # from, to, days, too_long, still_open
    held: int  # planned sessions held
    planned: int
    held_unplanned: int
    lsi_index: pd.DataFrame  # taken_on, index
    lsi_change: pd.DataFrame  # area, first, latest, change
    lsi_table: pd.DataFrame  # the index and each area, by assessment (lsi.over_time)
    lsi_by_day: pd.DataFrame  # the same, an assessment a row, for a spreadsheet (lsi.by_day)
    checks: pd.DataFrame  # date, total, flagged
    check_threshold: int
    partner: str | None = None  # the partner's name in ``partnership``
    plans: int = 0  # the person's change plans (their goals), whatever their status
    partnerships: int = 1  # how many partnerships the person has had (the one shown among them)
    #: Planned sessions due by now that ``planned`` leaves out: put off to another day (counted
    #: there), and cancelled.
    put_off: int = 0
    #: Of ``put_off``, those with no new day booked (else counted on their new day).
    not_rebooked: int = 0
    cancelled: int = 0

    @property
    def gas_table(self) -> pd.DataFrame:
        """Each goal's level by date, with the T-score of that date."""
        scores = self.gas_scores.assign(rated_on=pd.to_datetime(self.gas_scores["rated_on"]))
        levels = self.gas_levels.assign(rated_on=pd.to_datetime(self.gas_levels["rated_on"]))
        return levels.merge(scores, on="rated_on", how="left")[
            ["rated_on", "goal", "level", "t_score"]
        ]

    @property
    def is_empty(self) -> bool:
        return self.sessions.empty and self.lsi_index.empty and self.gas_levels.empty


def _partnership_shown(pairs: list[Partnership], with_sessions: set) -> Partnership | None:
    """Whose sessions "Meeting regularly" shows: the running partnership once it has
    sessions, else the latest that has any (a new pair not met yet does not hide the earlier
    one's sessions), else the running one (or the latest)."""
    newest_first = sorted(pairs, key=lambda p: (p.started_on, p.id), reverse=True)
    running = next((p for p in newest_first if p.is_active), None)
    if running is not None and running.id in with_sessions:
        return running
    met = next((p for p in newest_first if p.id in with_sessions), None)
    return met or running or (newest_first[0] if newest_first else None)


def load(
    store: Store,
    person_id: int,
    *,
    as_of: dt.date | None = None,
    settings: CohortSettings | None = None,
    schedule_day: Callable[[str | None], dt.date] | None = None,
    partnership_id: int | None = None,
) -> Progress:
    """The person's progress by ``as_of`` (their today). Sessions count by their partnership's
    day, ``schedule_day(its agreement's time zone)`` where given (the apps'
    ``context.schedule_today``): a session held today in that zone, which the session log takes,
    counts as held while the reader's clock is still on yesterday. The sessions are those of
    partnership ``partnership_id`` if it is one of the person's, else as
    :func:`_partnership_shown` chooses."""
    as_of = pd.Timestamp(as_of or dt.date.today())
    settings = settings or CohortSettings()
    with store.reading() as tx:
        person = tx.get(Person, person_id)
        pairs = [p for p in tx.find(Partnership) if person_id in p.members]
        plans = tx.find(ChangePlan, person_id=person_id)
        assessments = tx.find(LsiAssessment, person_id=person_id, order_by="taken_on")
        frames = {
            name: tx.frame(name)
            for name in ("sessions", "commitments", "gas_ratings", "session_checks")
        }
        pair = next((p for p in pairs if p.id == partnership_id), None) or _partnership_shown(
            pairs, set(frames["sessions"]["partnership_id"])
        )
        agreement = tx.find(Agreement, partnership_id=pair.id) if pair else []
        partner = tx.get(Person, pair.partner_of(person_id)).name if pair else None
    interval = agreement[0].frequency.interval_days if agreement else 14
    sessions_as_of = (
        as_of
        if schedule_day is None
        else pd.Timestamp(schedule_day(agreement[0].time_zone if agreement else None))
    )
    all_sessions = frames["sessions"]
    mine = all_sessions[all_sessions["partnership_id"] == (pair.id if pair else -1)]

    goal_names = change_plan.plan_names(plans)
    ratings = frames["gas_ratings"]
    ratings = ratings[ratings["plan_id"].isin(list(goal_names))]
    weights = pd.Series({p.id: p.weight for p in plans}, dtype=float)
    gas_levels = ratings.assign(goal=ratings["plan_id"].map(goal_names))[
        ["rated_on", "plan_id", "goal", "level"]
    ].sort_values(["rated_on", "plan_id"])
    milestones = pd.DataFrame(
        [
            (pd.Timestamp(m.due_on), goal_names[p.id], m.description)
            for p in plans
            if p.status is not PlanStatus.DROPPED  # (a plan dropped has no milestones to come)
            for m in p.milestones
        ],
        columns=["due_on", "goal", "description"],
    )

    commitments = frames["commitments"]
    commitments = commitments[commitments["person_id"] == person_id]
    reviewed = sessions.reviewed(commitments, all_sessions)
    # Followed up in a preparation for a session still to come: it counts from that day, once
    # the session is logged or the day is over (as the session counts, held against planned).
    day, today = pd.to_datetime(reviewed["reviewed_on"]), sessions_as_of
    reviewed = reviewed[(day < today) | ((day == today) & reviewed["logged"].astype(bool))]
    recent = sessions.follow_through_since(reviewed, as_of - pd.Timedelta(weeks=4))

    held, planned, held_unplanned = sessions.held_and_planned(mine, sessions_as_of)
    due = mine["planned"].astype(bool) & (pd.to_datetime(mine["scheduled_on"]) <= sessions_as_of)
    status_ = mine["status"].astype(str)
    # A booking made in place of a session put off, cancelled since, is that session's new
    # day taken away: said with it (put off with no new day), not as a cancelled session too.
    taken_away = mine["replaces_id"].notna() & (status_ == "cancelled")
    left_out = status_[due & ~taken_away].value_counts()
    put_off = mine.loc[due & (status_ == "rescheduled"), "id"]
    not_rebooked = sum(sessions.booked_instead(mine, int(s)) is None for s in put_off)
    # A booked day gone by that nobody logged is "not logged", as the dashboard has it: not
    # still to come ("scheduled").
    status = sessions.with_not_logged(mine["status"], mine["scheduled_on"], sessions_as_of.date())
    timeline = (
        mine.assign(date=mine["held_on"].fillna(mine["scheduled_on"]), status=status)[
            ["date", "status", "planned"]
        ]
        .sort_values("date")
        .reset_index(drop=True)
    )

    lsi_index = pd.DataFrame(
        {
            "taken_on": [pd.Timestamp(a.taken_on) for a in assessments],
            "index": [lsi.index(a) for a in assessments],
        }
    )
    if len(assessments) >= 2:
        table = lsi.compare(assessments[0], assessments[-1])
        lsi_change = table.rename(columns={"before": "first", "after": "latest"})
    else:
        lsi_change = pd.DataFrame(columns=["area", "first", "latest", "change"])

    checks = frames["session_checks"]
    checks = checks[checks["person_id"] == person_id]
    when = all_sessions.set_index("id")["held_on"]
    totals = checks[["heard", "focus", "approach", "overall"]].sum(axis=1)
    low_item = checks[["heard", "focus", "approach", "overall"]].min(axis=1) < checks["item_below"]
    check_table = (
        pd.DataFrame(
            {
                "date": when.reindex(checks["session_id"].to_numpy()).to_numpy(),
                "total": totals.to_numpy(),
                "flagged": ((totals < checks["total_below"]) | low_item).to_numpy(),
            }
        )
        .sort_values("date")
        .reset_index(drop=True)
    )

    return Progress(
        person=person,
        partnership=pair,
        partner=partner,
        partnerships=len(pairs),
        interval_days=interval,
        interval_agreed=bool(agreement),
        as_of=as_of,
        gas_levels=gas_levels.reset_index(drop=True),
        gas_scores=sessions.gas_series(ratings, weights),
        milestones=milestones,
        follow_weekly=sessions.follow_through_by_week(reviewed),
        follow_recent=recent,
        follow_overall=sessions.follow_through(reviewed["status"].astype(str)),
        sessions=timeline,
        gaps=sessions.cadence(mine if pair else mine.iloc[0:0], interval, sessions_as_of),
        held=held,
        planned=planned,
        held_unplanned=held_unplanned,
        lsi_index=lsi_index,
        lsi_change=lsi_change,
        lsi_table=lsi.over_time(assessments),
        lsi_by_day=lsi.by_day(assessments),
        checks=check_table,
        check_threshold=settings.check_total_below,
        plans=len(plans),
        put_off=int(left_out.get("rescheduled", 0)),
        not_rebooked=not_rebooked,
        cancelled=int(left_out.get("cancelled", 0)),
    )


# -- what each chart says, in plain words --------------------------------------------------------


def _milestones_said(milestones: pd.DataFrame, at_most: int = 4) -> str:
    """The chart's dotted lines in words: each milestone's day and what it is (the lines
    carried neither)."""
    if milestones.empty:
        return ""
    # Plans made alike (the same milestones on the same days) share their line: said once.
    rows = milestones.groupby(["due_on", "description"], sort=True)["goal"].nunique().reset_index()
    items = [
        f"{dates.short(pd.Timestamp(day).date())} ({textwrap.shorten(text, 60, placeholder='…')}"
        + (f", in {goals} plans" if goals > 1 else "")
        + ")"
        for day, text, goals in zip(rows["due_on"], rows["description"], rows["goal"], strict=True)
    ]
    more = len(items) - at_most
    listed = "; ".join(items[:at_most]) + (f"; and {more} more" if more > 0 else "")
    return f" Dotted lines mark your milestones: {listed}."


def read_gas(p: Progress) -> str:
    if p.gas_scores.empty and not p.plans:
        return (
            "You have no goal yet: set one in a Personal Change Plan, then rate it in the "
            "session log after each session."
        )
    if p.gas_scores.empty:
        return "No goal has been rated yet: rate your goals in the session log after a session."
    first, last = p.gas_scores["t_score"].iloc[0], p.gas_scores["t_score"].iloc[-1]
    if len(p.gas_scores) == 1:
        return (
            f"Your goal attainment score is {last:.0f} after one rated session; 50 means every "
            "goal is where you expected. Rate your goals again to see it move."
            + _milestones_said(p.milestones)
        )
    if round(first) == round(last):
        moved = f"stayed at {last:.0f}"
    else:
        moved = f"{'rose' if last > first else 'fell'} from {first:.0f} to {last:.0f}"
    return (
        f"Your goal attainment score {moved} over {len(p.gas_scores)} rated sessions; 50 means "
        "every goal is where you expected." + _milestones_said(p.milestones)
    )


def read_follow_through(p: Progress) -> str:
    if p.follow_overall is None:
        return "No commitment has been followed up yet."
    recent = sessions.rate_text(p.follow_recent)
    return (
        f"You kept {sessions.percent(p.follow_overall)} of your commitments overall (partly kept "
        "counts "
        f"half), and {recent} over the last four weeks."
    )


def read_cadence(p: Progress) -> str:
    if p.sessions.empty:
        return "No sessions yet: book them in the first-session agreement."
    long_gaps = p.gaps[p.gaps["too_long"]]
    interval = (
        f"your agreed {p.interval_days} days"
        if p.interval_agreed
        else f"{p.interval_days} days (the usual fortnight: you have no agreement yet)"
    )
    gaps = (
        f" {len(long_gaps)} gap{'s' if len(long_gaps) != 1 else ''} ran longer than {interval}."
        if len(long_gaps)
        else f" Every gap stayed within {interval}."
    )
    extra = p.held_unplanned
    # The sessions the table lists as planned that the count leaves out, said, so that the
    # two agree.
    rebooked = p.put_off - p.not_rebooked
    left_out = [
        f"{rebooked} put off (counted on {'its' if rebooked == 1 else 'their'} new "
        f"day{'' if rebooked == 1 else 's'})"
        if rebooked
        else "",
        f"{p.not_rebooked} put off with no new day" if p.not_rebooked else "",
        f"{p.cancelled} cancelled" if p.cancelled else "",
    ]
    left_out = [s for s in left_out if s]
    aside = wording.listed(left_out)
    if p.planned:
        held = (
            f"You held {p.held} of {p.planned} planned sessions so far"
            + (f", not counting {aside}" if aside else "")
            + (f", and {extra} unplanned" if extra else "")
        )
    elif extra:
        held = f"You held {extra} session{'s' if extra != 1 else ''} so far, none of them planned"
    else:
        booked = int((p.sessions["status"].astype(str) == "scheduled").sum())
        held = "No session has been held yet" + (
            f"; {booked} {'is' if booked == 1 else 'are'} booked" if booked else ""
        )
        gaps = ""
    pair, partner = p.partnership, p.partner
    if pair is not None and partner and (not pair.is_active or p.partnerships > 1):
        # Whose sessions these are, where they could be another partnership's.
        ended = "" if pair.is_active else f" (ended {dates.long(pair.ended_on)})"
        held = f"With {partner}{ended}: " + held[0].lower() + held[1:]
    return f"{held}.{gaps}"


def read_lsi(p: Progress) -> str:
    if p.lsi_index.empty:
        return "No Lifestyle Satisfaction Index yet."
    if len(p.lsi_index) == 1:
        return f"Your index is {p.lsi_index['index'].iloc[0]:.1f}; take it again to see change."
    first, last = p.lsi_index["index"].iloc[0], p.lsi_index["index"].iloc[-1]
    changes = p.lsi_change.dropna(subset=["change"])
    parts = [f"Your index went from {first:.1f} to {last:.1f}", *lsi.largest_moves(changes)]
    return "; ".join(parts) + "."


def read_checks(p: Progress) -> str:
    if p.checks.empty:
        return "No session checks yet: answer the four questions at the end of a session."
    flagged = int(p.checks["flagged"].sum())
    return (
        f"{len(p.checks)} session check{'s' if len(p.checks) != 1 else ''}, average total "
        f"{p.checks['total'].mean():.1f} of 40; "
        f"{flagged} raised a flag (below {p.check_threshold}, or an item below the line)."
    )
