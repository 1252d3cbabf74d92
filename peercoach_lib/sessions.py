"""What the sessions say over time: follow-through, cadence against the agreement, GAS progress.

Pure functions over DataFrames (as :meth:`Store.frame` returns them), vectorised, with no store
access, so that the same code serves one person's progress and a whole cohort.

- *Follow-through* over a set of reviewed commitments is (done + 0.5 x partly) / (done + partly +
  not done); dropped and still-open ones are left out, and with nothing to count it is undefined
  (NaN / None), never zero.
- *Cadence* compares the sessions held with those planned, and finds the gaps between held
  sessions that were longer than the agreed interval.
- The *GAS series* is the T-score of a person's goals at each session at which any was rated, each
  goal counting with its latest level so far.
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd

from peercoach_lib.gas import DEFAULT_RHO

#: How each status counts towards follow-through; the rest are left out.
CREDIT = {"done": 1.0, "partly": 0.5, "not done": 0.0}


def follow_through(statuses) -> float | None:
    """The follow-through rate of some commitments' statuses, or None when nothing counts."""
    credit = pd.Series(statuses, dtype="object").map(CREDIT).dropna()
    return float(credit.mean()) if len(credit) else None


def reviewed(commitments: pd.DataFrame, sessions: pd.DataFrame) -> pd.DataFrame:
    """Commitments that have been followed up, with the date of the session that reviewed them
    (``reviewed_on``) and whether that session is logged yet (``logged``: not one still
    booked, whose preparation followed them up ahead)."""
    by_id = sessions.set_index("id")
    when = pd.to_datetime(by_id["held_on"]).fillna(pd.to_datetime(by_id["scheduled_on"]))
    out = commitments[commitments["status"].astype(str) != "open"].copy()
    # reindex, not map: pandas cannot map an empty float column through dates.
    reviewer = out["reviewed_in_session_id"].to_numpy()
    out["reviewed_on"] = when.reindex(reviewer).to_numpy()
    out["logged"] = (by_id["status"].astype(str) != "scheduled").reindex(reviewer).to_numpy()
    return out.dropna(subset=["reviewed_on"])


def follow_through_by_week(reviewed_commitments: pd.DataFrame) -> pd.DataFrame:
    """Per week (from Monday) of review: how many of each status, and the rate (NaN if none)."""
    frame = reviewed_commitments
    columns = ["week", "done", "partly", "not done", "dropped", "rate"]
    if frame.empty:
        empty = {name: pd.Series(dtype="int64") for name in columns}
        empty.update(week=pd.Series(dtype="datetime64[ns]"), rate=pd.Series(dtype="float64"))
        return pd.DataFrame(empty)[columns]
    day = pd.to_datetime(frame["reviewed_on"])
    week = (day - pd.to_timedelta(day.dt.day_of_week, unit="D")).dt.normalize()
    counts = pd.crosstab(week, frame["status"].astype(str))
    counts = counts.reindex(columns=["done", "partly", "not done", "dropped"], fill_value=0)
    counted = counts["done"] + counts["partly"] + counts["not done"]
    rate = (counts["done"] + 0.5 * counts["partly"]) / counted.replace(0, np.nan)
    out = counts.assign(rate=rate).reset_index(names="week")
    out.columns.name = None
    return out[columns]


def follow_through_since(reviewed_commitments: pd.DataFrame, since: pd.Timestamp) -> float | None:
    """The rate over the commitments reviewed on or after ``since`` (the last four weeks, say)."""
    recent = reviewed_commitments[pd.to_datetime(reviewed_commitments["reviewed_on"]) >= since]
    return follow_through(recent["status"].astype(str))


def cadence(sessions: pd.DataFrame, interval_days: int, as_of: pd.Timestamp) -> pd.DataFrame:
    """Each held session with the gap since the previous one, flagged when over the interval.

    The last row is the gap from the last held session to ``as_of`` (a session not yet held).
    """
    held = pd.to_datetime(sessions.loc[sessions["status"].astype(str) == "held", "held_on"])
    days = pd.Series(sorted(held.dropna()), dtype="datetime64[ns]")
    ends = pd.concat(
        [days, pd.Series([pd.Timestamp(as_of)], dtype="datetime64[ns]")], ignore_index=True
    )
    starts = pd.concat([pd.Series([pd.NaT], dtype="datetime64[ns]"), days], ignore_index=True)
    out = pd.DataFrame({"from": starts, "to": ends})
    out["days"] = (out["to"] - out["from"]).dt.days
    out["too_long"] = out["days"] > interval_days
    out["still_open"] = [False] * len(days) + [True]
    return out.dropna(subset=["from"]).reset_index(drop=True)


def held_and_planned(sessions: pd.DataFrame, as_of: pd.Timestamp) -> tuple[int, int, int]:
    """By ``as_of`` (today): the planned sessions held, the sessions planned to have happened,
    and the unplanned sessions held besides (so "12 of 14 planned, and 2 more"). A session
    cancelled, or logged as rescheduled (moved to another day, booked and counted there), is not
    planned; one booked for today and not logged yet is not due yet (its day is not over)."""
    status = sessions["status"].astype(str)
    held = (status == "held") & (pd.to_datetime(sessions["held_on"]) <= as_of)
    booked_on = pd.to_datetime(sessions["scheduled_on"])
    due = (booked_on < as_of) | ((booked_on == as_of) & (status != "scheduled"))
    # A planned session held early (before its date, and before as_of) counts as due.
    planned = sessions["planned"] & (due | held) & ~status.isin(["cancelled", "rescheduled"])
    return int((held & planned).sum()), int(planned.sum()), int((held & ~sessions["planned"]).sum())


def gas_series(
    ratings: pd.DataFrame, weights: pd.Series | None = None, *, rho: float = DEFAULT_RHO
) -> pd.DataFrame:
    """The T-score at each rating occasion, each goal at its latest level so far.

    ``ratings`` has ``plan_id``, ``rated_on`` and ``level``; ``weights`` maps plan ids to weights
    (1 when missing). Returns one row per date with ``goals`` (how many counted) and ``t_score``.
    """
    if ratings.empty:
        return pd.DataFrame(
            {
                "rated_on": pd.Series(dtype="datetime64[ns]"),
                "goals": pd.Series(dtype="int64"),
                "t_score": pd.Series(dtype="float64"),
            }
        )
    levels = (
        ratings.sort_values(["rated_on", "plan_id"])
        .pivot_table(index="rated_on", columns="plan_id", values="level", aggfunc="last")
        .sort_index()
        .ffill()
    )
    w = (weights if weights is not None else pd.Series(dtype=float)).reindex(levels.columns)
    w = w.fillna(1.0).to_numpy(dtype=float)
    present = levels.notna().to_numpy()
    x = levels.fillna(0).to_numpy(dtype=float)
    weighted = (x * w).sum(axis=1)
    squares = (present * w**2).sum(axis=1)
    total = (present * w).sum(axis=1)
    spread = np.sqrt((1 - rho) * squares + rho * total**2)
    t = 50 + 10 * weighted / np.where(spread > 0, spread, np.nan)
    return pd.DataFrame(
        {"rated_on": levels.index, "goals": present.sum(axis=1), "t_score": np.round(t, 2)}
    ).reset_index(drop=True)


def whole(value: float) -> int:
    """``value`` to a whole number as people round it, a half up: 62.5 is 63 (``round`` and
    the ``.0f`` format round halves to even, 62)."""
    return math.floor(value + 0.5 + 1e-9)


def percent(share: float) -> str:
    """A share as a whole percent, a half rounded up: 0.625 is "63%"."""
    return f"{whole(share * 100)}%"


def rate_text(rate: float | None) -> str:
    """A rate as people read it: "75%", or "no commitments to count"."""
    return "no commitments to count" if rate is None or math.isnan(rate) else percent(rate)


def booked_instead(frame: pd.DataFrame, session_id: int) -> int | None:
    """Of a partnership's sessions (``frame``: id, status, replaces_id), the booking where the
    pair now meets in place of session ``session_id``, put off: the last of the bookings made
    one in place of the other (one put off itself leads on), unless it was cancelled; else
    None. As ``session_log.booked_instead`` reads the store, for a frame."""
    by_replaced = frame.dropna(subset=["replaces_id"]).drop_duplicates("replaces_id")
    by_replaced = by_replaced.set_index(by_replaced["replaces_id"].astype(int))
    found, seen = None, {session_id}
    while session_id in by_replaced.index:
        row = by_replaced.loc[session_id]
        found = row
        if str(row["status"]) != "rescheduled" or int(row["id"]) in seen:
            break
        seen.add(int(row["id"]))
        session_id = int(row["id"])
    if found is None or str(found["status"]) == "cancelled":
        return None
    return int(found["id"])


def with_not_logged(status: pd.Series, day: pd.Series, today: dt.date) -> pd.Series:
    """Sessions' ``status`` (as text) with a booked day gone by that nobody logged, "scheduled"
    before ``today``, told as "not logged": it is not still to come (the dashboard's grid and
    My progress say so alike)."""
    status = status.astype(str)
    past = pd.to_datetime(day) < pd.Timestamp(today)
    return status.mask(status.eq("scheduled") & past, "not logged")
