"""LSI and GAS scoring, with the numbers of the domain reference, and their edge cases."""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest

from peercoach_lib import gas, lsi
from peercoach_lib.errors import ConfigurationError
from peercoach_lib.model import LsiAssessment


def assessment(*ratings, areas=None, importance=None, on=dt.date(2026, 1, 5)) -> LsiAssessment:
    areas = areas or [f"Area {k}" for k in range(len(ratings))]
    rows = []
    for k, (area, satisfaction) in enumerate(zip(areas, ratings, strict=True)):
        row = {"area": area, "satisfaction": satisfaction}
        if importance is not None and importance[k] is not None:
            row["importance"] = importance[k]
        rows.append(row)
    return LsiAssessment(person_id=1, taken_on=on, areas=rows)


# -- GAS: the test vectors of the domain reference -------------------------------------------------


def test_gas_domain_vector_weighted():
    assert round(gas.t_score([-2, 0, -1, 2, 0, 1], [3, 5, 1, 4, 2, 6]), 1) == 55.0


def test_gas_domain_vector_three_goals_at_plus_one():
    assert round(gas.t_score([1, 1, 1]), 2) == 63.69


def test_gas_domain_vector_one_goal_at_expected():
    assert gas.t_score([0]) == 50


def test_gas_rho_is_configurable_and_extremes():
    assert gas.t_score([2], rho=0.0) == pytest.approx(70.0)
    assert gas.t_score([-2, -2]) == pytest.approx(50 - 10 * 4 / (0.7 * 2 + 0.3 * 4) ** 0.5)
    assert gas.t_score([1, 1, 1], rho=0.5) < gas.t_score([1, 1, 1], rho=0.0)


def test_gas_undefined_and_refused_inputs():
    assert gas.t_score([]) is None
    for args, kwargs in [(([3],), {}), (([1], [0]), {}), (([1, 1], [1]), {}), (([1],), {"rho": 1})]:
        with pytest.raises(ValueError):
            gas.t_score(*args, **kwargs)


# -- LSI -----------------------------------------------------------------------------------------


def test_lsi_scores_of_a_typical_assessment():
    a = assessment(
        3, 7, 5, 9, areas=["Work", "Money", "Health", "Family"], importance=[9, 7, 10, 8]
    )
    assert lsi.index(a) == 60.0
    assert lsi.spread(a) == 6
    assert lsi.priority_gaps(a) == {"Work": 6, "Money": 0, "Health": 5, "Family": -1}
    assert lsi.focus_areas(a) == ["Work", "Health"]  # only positive gaps


def test_lsi_index_rounds_to_one_decimal():
    assert lsi.index(assessment(1, 2, 2)) == 16.7


def test_focus_ties_go_to_the_lower_satisfaction():
    a = assessment(6, 2, 4, 3, areas=["A", "B", "C", "D"], importance=[9, 5, 7, 6])
    # Every gap is 3: the lowest satisfaction first, and only three.
    assert lsi.focus_areas(a) == ["B", "D", "C"]
    # The gaps table lists them all in that order.
    assert lsi.ranked_gaps(a) == [("B", 3), ("D", 3), ("C", 3), ("A", 3)]


def test_edge_all_equal_all_zero_one_area_missing_importance():
    equal = assessment(5, 5, 5)
    assert (lsi.index(equal), lsi.spread(equal), lsi.focus_areas(equal)) == (50.0, 0, [])
    zero = assessment(0, 0, 0, 0)
    assert (lsi.index(zero), lsi.spread(zero)) == (0.0, 0)
    assert lsi.focus_areas(zero) == ["Area 0", "Area 1", "Area 2"]  # importance 5 by default
    one = assessment(7, areas=["Only"], importance=[10])
    assert (lsi.index(one), lsi.spread(one), lsi.focus_areas(one)) == (70.0, 0, ["Only"])
    missing = assessment(4, 4, importance=[None, 8])
    assert lsi.priority_gaps(missing) == {"Area 0": 1, "Area 1": 4}


def test_compare_area_by_area_across_changed_area_lists():
    before = assessment(4, 6, 5, areas=["Work", "Money", "Fun"], on=dt.date(2026, 1, 5))
    after = assessment(7, 6, 8, areas=["Work", "Money", "Health"], on=dt.date(2026, 3, 2))
    table = lsi.compare(before, after)
    expected = pd.DataFrame(
        {
            "area": ["Work", "Money", "Health", "Fun"],
            "before": pd.array([4, 6, None, 5], dtype="Int64"),
            "after": pd.array([7, 6, 8, None], dtype="Int64"),
            "change": pd.array([3, 0, None, None], dtype="Int64"),
        }
    )
    pd.testing.assert_frame_equal(table, expected)
    assert lsi.index_change(before, after) == 20.0


def test_every_assessment_side_by_side_with_the_index_and_the_change():
    first = assessment(4, 6, 5, areas=["Work", "Money", "Fun"], on=dt.date(2026, 1, 5))
    middle = assessment(5, 6, 6, areas=["Work", "Money", "Fun"], on=dt.date(2026, 2, 2))
    latest = assessment(7, 6, 8, areas=["Work", "Money", "Health"], on=dt.date(2026, 3, 2))
    # Given in any order: shown oldest first.
    table = lsi.over_time([latest, first, middle])
    assert list(table.columns) == ["", "5 Jan 2026", "2 Feb 2026", "2 Mar 2026", "Change"]
    assert table.to_dict("list") == {
        "": ["Index (0–100)", "Work", "Money", "Health", "Fun"],
        "5 Jan 2026": [50.0, 4, 6, None, 5],
        "2 Feb 2026": [56.7, 5, 6, None, 6],
        "2 Mar 2026": [70.0, 7, 6, 8, None],
        "Change": [20.0, 3, 0, None, None],
    }
    # As a file: whole ratings, the index to one decimal, blanks where an area was not asked.
    assert table.to_csv(index=False).splitlines()[1:3] == [
        "Index (0–100),50.0,56.7,70.0,20.0",
        "Work,4,5,7,3",
    ]
    # One assessment: nothing to change from yet.
    alone = lsi.over_time([first])
    assert list(alone.columns) == ["", "5 Jan 2026"]
    assert lsi.over_time([]).to_dict("list") == {"": ["Index (0–100)"]}


def test_every_assessment_on_a_row_of_its_own_for_a_spreadsheet():
    first = assessment(4, 6, 5, areas=["Work", "Money", "Fun"], on=dt.date(2026, 1, 5))
    latest = assessment(7, 6, 8, areas=["Work", "Money", "Health"], on=dt.date(2026, 3, 2))
    table = lsi.by_day([latest, first])  # given in any order: oldest first
    assert table.to_csv(index=False).splitlines() == [
        "taken_on,index,Work,Money,Health,Fun",
        "2026-01-05,50.0,4,6,,5",
        "2026-03-02,70.0,7,6,8,",
    ]
    assert list(lsi.by_day([]).columns) == ["taken_on", "index"]


def test_the_area_list_comes_from_data_and_is_checked(tmp_path):
    assert lsi.load_areas()[:2] == ["Work and career", "Money"]
    assert len(lsi.load_areas()) == 10
    path = tmp_path / "areas.json"
    for content, message in [
        ("[", "cannot be read"),
        (json.dumps({"areas": []}), "needs at least 1 entry"),
        (json.dumps({"areas": ["Money", "money"]}), "each area can appear only once"),
    ]:
        path.write_text(content)
        with pytest.raises(ConfigurationError, match=message):
            lsi.load_areas(path)


def test_the_charts_described_in_words():
    before = assessment(5, 5, 5)
    assert lsi.describe_wheel(before) == (
        "Life satisfaction wheel of 3 areas, index 50 of 100: every area rated 5 of 10."
    )
    after = assessment(9, 5, 2, on=dt.date(2026, 5, 1))
    assert lsi.describe_wheel(after).endswith(
        f"most satisfied with {after.areas[0].area} (9 of 10), least with "
        f"{after.areas[2].area} (2 of 10)."
    )
    said = lsi.describe_comparison(before, after)
    assert said.startswith("Index rose from 50 to 53 since")
    assert f"largest gain: {after.areas[0].area} (+4)" in said
    assert said.endswith(f"largest drop: {after.areas[2].area} (-3).")
