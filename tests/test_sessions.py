"""Follow-through, cadence and the GAS series, with hand-computed numbers and empty histories."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from peercoach_lib import gas, sessions

D = pd.Timestamp


def test_follow_through_counts_done_partly_not_done_and_leaves_out_the_rest():
    assert sessions.follow_through(["done", "partly", "not done", "dropped", "open"]) == 0.5
    assert sessions.follow_through(["done", "done", "partly", "not done"]) == pytest.approx(0.625)
    assert sessions.follow_through(["dropped", "open"]) is None
    assert sessions.follow_through([]) is None


def _sessions() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "id": [1, 2, 3, 4, 5],
            "planned": [True, True, True, True, False],
            "scheduled_on": [
                D("2026-03-02"),
                D("2026-03-09"),
                D("2026-03-16"),
                D("2026-03-23"),
                pd.NaT,
            ],
            "held_on": [D("2026-03-02"), pd.NaT, D("2026-03-16"), pd.NaT, D("2026-03-26")],
            "status": pd.Categorical(["held", "missed", "held", "rescheduled", "held"]),
        }
    )


def _commitments() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "id": range(1, 8),
            "status": pd.Categorical(
                ["done", "partly", "not done", "dropped", "done", "done", "open"]
            ),
            "reviewed_in_session_id": [3, 3, 3, 3, 5, 5, None],
        }
    )


def test_follow_through_by_week_of_review():
    done = sessions.reviewed(_commitments(), _sessions())
    assert list(done["reviewed_on"]) == [D("2026-03-16")] * 4 + [D("2026-03-26")] * 2
    weekly = sessions.follow_through_by_week(done)
    assert list(weekly["week"]) == [D("2026-03-16"), D("2026-03-23")]
    assert list(weekly["done"]) == [1, 2] and list(weekly["dropped"]) == [1, 0]
    assert list(weekly["rate"]) == [0.5, 1.0]
    assert sessions.follow_through_since(done, D("2026-03-20")) == 1.0
    assert sessions.follow_through_since(done, D("2026-04-01")) is None


def test_a_week_with_only_dropped_commitments_has_no_rate():
    frame = pd.DataFrame({"status": ["dropped"], "reviewed_on": [D("2026-03-04")]})
    weekly = sessions.follow_through_by_week(frame)
    assert math.isnan(weekly["rate"][0])


def test_empty_histories():
    empty_c = _commitments().iloc[0:0]
    empty_s = _sessions().iloc[0:0]
    assert sessions.follow_through_by_week(sessions.reviewed(empty_c, empty_s)).empty
    gaps = sessions.cadence(empty_s, 7, D("2026-03-30"))
    assert gaps.empty
    assert sessions.held_and_planned(empty_s, D("2026-03-30")) == (0, 0, 0)
    assert sessions.gas_series(pd.DataFrame(columns=["plan_id", "rated_on", "level"])).empty


def test_cadence_flags_gaps_longer_than_the_interval():
    gaps = sessions.cadence(_sessions(), 7, D("2026-04-10"))
    assert list(gaps["days"]) == [14, 10, 15]
    assert list(gaps["too_long"]) == [True, True, True]
    assert list(gaps["still_open"]) == [False, False, True]
    assert list(sessions.cadence(_sessions(), 14, D("2026-04-10"))["too_long"]) == [
        False,
        False,
        True,
    ]
    # Planned by 20 March: three, two of them held; the unplanned one came later.
    assert sessions.held_and_planned(_sessions(), D("2026-03-20")) == (2, 3, 0)
    # The session of 23 March was moved (rescheduled): it counts on the day it moved to.
    assert sessions.held_and_planned(_sessions(), D("2026-04-10")) == (2, 3, 1)
    # A planned session held early, before its date and the day asked about, counts as due.
    early = _sessions()
    early.loc[3, ["status", "held_on"]] = ["held", D("2026-03-19")]
    assert sessions.held_and_planned(early, D("2026-03-20")) == (3, 4, 0)


def test_a_session_booked_for_today_is_due_once_logged():
    today = D("2026-03-23")
    booked = _sessions()
    booked["status"] = booked["status"].astype(str)
    booked.loc[3, "status"] = "scheduled"  # booked for today, not logged yet
    assert sessions.held_and_planned(booked, today) == (2, 3, 0)
    assert sessions.held_and_planned(booked, today + pd.Timedelta(days=1)) == (2, 4, 0)
    for status, counted in (("missed", (2, 4, 0)), ("held", (3, 4, 0))):
        logged = booked.copy()
        logged.loc[3, ["status", "held_on"]] = [status, today if status == "held" else pd.NaT]
        assert sessions.held_and_planned(logged, today) == counted


def test_a_single_session():
    one = _sessions().iloc[:1]
    gaps = sessions.cadence(one, 7, D("2026-03-05"))
    assert list(gaps["days"]) == [3] and not gaps["too_long"].any()


def test_gas_series_carries_each_goal_forward():
    ratings = pd.DataFrame(
        {
            "plan_id": [10, 20, 10, 20, 10],
            "rated_on": [
                D("2026-03-02"),
                D("2026-03-02"),
                D("2026-03-09"),
                D("2026-03-16"),
                D("2026-03-16"),
            ],
            "level": [-1, -2, 0, 1, 2],
        }
    )
    series = sessions.gas_series(ratings, pd.Series({10: 2.0}))
    assert list(series["goals"]) == [2, 2, 2]
    expected = [
        gas.t_score([-1, -2], [2, 1]),
        gas.t_score([0, -2], [2, 1]),
        gas.t_score([2, 1], [2, 1]),
    ]
    assert list(series["t_score"]) == [round(t, 2) for t in expected]
    # A goal first rated later joins then; before, only the goals rated so far count.
    late = pd.DataFrame(
        {"plan_id": [1, 2], "rated_on": [D("2026-03-02"), D("2026-03-09")], "level": [1, 1]}
    )
    assert list(sessions.gas_series(late)["goals"]) == [1, 2]
    assert list(sessions.gas_series(late)["t_score"]) == [
        round(gas.t_score([1]), 2),
        round(gas.t_score([1, 1]), 2),
    ]


def test_gas_series_matches_the_domain_vector():
    ratings = pd.DataFrame(
        {"plan_id": range(6), "rated_on": [D("2026-03-02")] * 6, "level": [-2, 0, -1, 2, 0, 1]}
    )
    weights = pd.Series([3, 5, 1, 4, 2, 6], index=range(6), dtype=float)
    assert sessions.gas_series(ratings, weights)["t_score"][0] == 55.0


def test_rate_text():
    assert sessions.rate_text(0.625) == "63%"
    assert sessions.rate_text(None) == "no commitments to count"
    assert sessions.rate_text(np.nan) == "no commitments to count"


@pytest.mark.parametrize(
    ("share", "said"),
    [(0.625, "63%"), (0.285, "29%"), (0.5, "50%"), (1 / 3, "33%"), (0.0, "0%"), (1.0, "100%")],
)
def test_a_share_is_a_whole_percent_with_halves_rounded_up(share, said):
    assert sessions.percent(share) == said
