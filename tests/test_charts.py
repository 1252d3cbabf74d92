"""Charts are checked for what they show: bars, labels, values, titles."""

from __future__ import annotations

import datetime as dt
import itertools
import math

import matplotlib.colors
import matplotlib.dates as mdates
import pandas as pd
import pytest
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from peercoach_lib import charts, cohort
from tests.test_scoring import assessment

AREAS = ["Work and career", "Money", "Health and energy", "Personal growth and learning"]


def _bars(ax, gid=None):
    return [
        p for p in ax.patches if isinstance(p, Rectangle) and (gid is None or p.get_gid() == gid)
    ]


def test_the_wheel_has_one_bar_per_area_with_its_value():
    a = assessment(3, 7, 5, 10, areas=AREAS)
    figure = charts.lsi_wheel(a)
    assert isinstance(figure, Figure)
    (ax,) = figure.axes
    bars = _bars(ax, "lsi-area")
    assert [b.get_height() for b in bars] == [3, 7, 5, 10]
    labels = [t.get_text().replace("\n", " ") for t in ax.get_xticklabels()]
    assert labels == AREAS
    values = [t.get_text() for t in ax.texts]
    assert values == ["3", "7", "5", "10"]
    assert "index 62.5 of 100" in ax.get_title()
    # Colours follow satisfaction: the fullest bar is the darkest of the colour-blind-safe map.
    assert bars[3].get_facecolor() != bars[0].get_facecolor()


def test_the_wheel_draws_a_zero_and_a_single_area():
    figure = charts.lsi_wheel(assessment(0, areas=["Only area"]))
    (ax,) = figure.axes
    assert [b.get_height() for b in _bars(ax, "lsi-area")] == [0]
    assert charts.to_png(figure).startswith(b"\x89PNG")


def test_the_comparison_shows_before_after_and_the_change():
    before = assessment(4, 6, 5, areas=["Work", "Money", "Fun"], on=dt.date(2026, 1, 5))
    after = assessment(7, 6, 8, areas=["Work", "Money", "Health"], on=dt.date(2026, 3, 2))
    figure = charts.lsi_comparison(before, after)
    (ax,) = figure.axes
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Work", "Money", "Health", "Fun"]
    assert [b.get_width() for b in _bars(ax, "before")] == [4, 6, 0, 5]
    assert [b.get_width() for b in _bars(ax, "after")] == [7, 6, 8, 0]
    assert [t.get_text() for t in ax.texts] == ["+3", "±0", "new", "new"]
    assert ax.get_title() == "Index 50.0 → 70.0 (+20.0)"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["5 Jan 2026", "2 Mar 2026"]


def test_charts_draw_into_a_given_axes():
    figure = Figure()
    ax = figure.add_subplot(projection="polar")
    assert charts.lsi_wheel(assessment(5, 6), ax=ax) is figure


def test_the_lsi_change_labels_stay_inside_the_axes():
    import pandas as pd

    index = pd.DataFrame(
        {"taken_on": [dt.date(2026, 1, 5), dt.date(2026, 3, 2)], "index": [50, 55]}
    )
    change = pd.DataFrame({"area": ["Family", "Health", "Money"], "change": [-4, 0, 6]})
    figure = charts.lsi_trend_chart(index, change)
    right = figure.axes[1]
    labels = [t for t in right.texts if t.get_text()[:1] in "+-"]
    assert len(labels) == 3
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = FigureCanvasAgg(figure)
    canvas.draw()
    renderer = canvas.get_renderer()
    inside = right.get_window_extent(renderer)
    for label in labels:
        box = label.get_window_extent(renderer)
        assert inside.x0 <= box.x0 and box.x1 <= inside.x1, label.get_text()


def test_one_lsi_assessment_says_the_change_comes_with_the_second():
    import pandas as pd

    index = pd.DataFrame({"taken_on": [dt.date(2026, 1, 5)], "index": [50]})
    change = pd.DataFrame({"area": ["Family", "Health"], "change": [float("nan")] * 2})
    right = charts.lsi_trend_chart(index, change).axes[1]
    assert not right.axison and not right.patches  # no empty axes with a ±0.04 scale
    assert [t.get_text() for t in right.texts] == [
        "The change per area shows\nfrom the second assessment."
    ]


def test_every_week_in_the_grid_carries_its_state_as_a_letter_not_only_a_colour():
    weeks = pd.date_range("2026-01-05", periods=4, freq="7D")
    grid = pd.DataFrame(
        [
            ["held", "missed", "none planned", "booked"],
            ["rescheduled", "held", "not logged", "none planned"],
        ],
        index=[7, 9],
        columns=weeks,
    )
    (ax,) = charts.week_heatmap(grid, ["Ann & Bo", "Cy & Di"]).axes
    marked = {
        c.get_gid().removeprefix("letters-"): sorted(map(tuple, c.get_offsets().tolist()))
        for c in ax.collections
        if (c.get_gid() or "").startswith("letters-")
    }
    # (week, row) of each cell, by state; a week with nothing planned has no letter.
    assert marked == {
        "held": [(0.0, 0.0), (1.0, 1.0)],
        "missed": [(1.0, 0.0)],
        "rescheduled": [(0.0, 1.0)],
        "not logged": [(2.0, 1.0)],
        "booked": [(3.0, 0.0)],
    }
    # Each cell's colour is its state's.
    (image,) = ax.get_images()
    colours = image.get_array()[:, :, :3] / 255
    for row, states in enumerate(grid.to_numpy()):
        for week, state in enumerate(states):
            expected = matplotlib.colors.to_rgb(charts.WEEK_STATES[state][0])
            assert tuple(colours[row, week]) == pytest.approx(expected, abs=1 / 255), (row, week)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Ann & Bo", "Cy & Di"]
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == [
        "● held",
        "✕ missed",
        "↻ rescheduled",
        "? not logged",
        "○ booked",
        "none planned",
        "– not paired",
    ]
    # Every state's name is within the picture, beside long names too (seven in a row ran
    # off its right edge).
    long = charts.week_heatmap(
        grid, ["Noor Alvarez & Ines Moreau (no session yet, paired 6 d ago)", "Cy"]
    )
    renderer = _drawn(long)
    box = long.axes[0].get_legend().get_window_extent(renderer)
    assert box.x0 >= long.bbox.x0 and box.x1 <= long.bbox.x1
    assert box.y1 <= long.bbox.y1


def test_the_spread_has_a_panel_per_measure_counts_whole_pairs_and_hides_small_groups():
    pairs = pd.DataFrame(
        {
            "follow_through": [0.5, 0.75, 1.0],
            "minute_balance": [0.4, 0.5, 0.3],
            "check_mean": [30.0, 34.0, 28.0],
            "gas_change": [float("nan")] * 3,
            "lsi_change": [2.0, 5.0, -1.0],
        }
    )
    shown = dict.fromkeys(cohort.SPREAD, True) | {"lsi_change": False}
    figure = charts.distributions(pairs, shown)
    panels = [ax for ax in figure.axes if ax.get_visible()]
    assert [ax.get_title() for ax in panels] == [t for t, _, _ in cohort.SPREAD.values()]
    follow = panels[0]
    assert sum(b.get_height() for b in _bars(follow, "hist-follow_through")) == 3
    assert all(float(tick).is_integer() for tick in follow.get_yticks())
    assert [t.get_text() for t in follow.texts] == ["median 75%"]
    # Its ticks in the median's unit (a narrow spread ticked 49.25, 49.50 with no unit).
    figure.canvas.draw()
    ticks = [t.get_text() for t in follow.get_xticklabels() if t.get_text()]
    assert ticks and all(t.endswith("%") for t in ticks)
    assert not any(t.get_text().endswith("%") for t in panels[2].get_xticklabels())
    # The label sits above the tallest bar.
    assert follow.get_ylim()[1] > max(b.get_height() for b in _bars(follow))
    # No GAS change in the range: none, and what a change takes (in lines that fit the panel).
    (said,) = panels[3].texts
    assert said.get_text().replace("\n", " ") == cohort.NO_CHANGE
    assert max(len(line) for line in said.get_text().splitlines()) <= 24
    assert [t.get_text() for t in panels[4].texts] == ["too few to show"]


def test_pairs_close_together_are_ticked_at_whole_numbers_within_the_scale():
    """Near-equal pairs ticked 66.25%, 66.50%, ... where the page says 66%; pairs who all kept
    every commitment must not be ticked at 101%."""
    shown = dict.fromkeys(cohort.SPREAD, True)
    close = pd.DataFrame({column: [0.6625, 0.665, 0.6675] for column in cohort.SPREAD})
    close["minute_balance"] = [0.4625, 0.465, 0.4675]  # at most half of the minutes
    close["check_mean"] = [30.1, 30.2, 30.3]
    full = pd.DataFrame({column: [1.0] * 4 for column in cohort.SPREAD})
    full["minute_balance"] = [0.5] * 4  # even shares: the most the measure can be
    full["check_mean"] = [40.0] * 4
    for pairs in (close, full):
        figure = charts.distributions(pairs, shown)
        figure.canvas.draw()
        for ax, (column, (_, scale, _)) in zip(figure.axes, cohort.SPREAD.items(), strict=False):
            if not ax.get_visible() or not _bars(ax) or column in cohort.PEOPLES_ANSWERS:
                continue  # (people's answers: one bar of them all fills its panel, below)
            left, right = ax.get_xlim()
            ticks = [t for t in ax.get_xticks() if left <= t <= right]
            assert len(ticks) >= 3, (column, ticks)
            assert all(float(t).is_integer() for t in ticks), (column, ticks)
            top = {"follow_through": 100, "minute_balance": 50}.get(column)
            if top is not None:
                assert max(ticks) <= top, (column, ticks)
            values = pairs[column] * scale
            assert left <= values.min() and values.max() <= right  # every pair in view


@pytest.mark.parametrize("low, high", [(0.6, 0.92), (0.32, 0.96), (0.3, 0.48), (0.0, 1.0)])
def test_the_spread_ticks_never_run_into_each_other(low, high):
    """Whole-number ticks at every step read "60%64%68%72%..." as one run of text."""
    values = [low + (high - low) * k / 12 for k in range(13)]
    pairs = pd.DataFrame(dict.fromkeys(cohort.SPREAD, values))
    # Session checks from 28 to 38 in one bar of them all (none finer holds three).
    pairs["check_mean"] = [28.0, *([37.0] * 11), 38.0]
    figure = charts.distributions(pairs, dict.fromkeys(cohort.SPREAD, True))
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    renderer = FigureCanvasAgg(figure).get_renderer()
    figure.draw(renderer)
    for ax in figure.axes:
        boxes = sorted(
            (t.get_window_extent(renderer) for t in ax.get_xticklabels() if t.get_text()),
            key=lambda box: box.x0,
        )
        gaps = [b.x0 - a.x1 for a, b in itertools.pairwise(boxes)]
        assert all(gap > 2 for gap in gaps), (ax.get_title(), gaps)
        assert len(boxes) <= 8, (ax.get_title(), len(boxes))  # a tick every unit of 27-38


@pytest.mark.parametrize(
    "checks, edges, said",
    [
        ([37.2, 38.8, 37.5, 38.0, 38.4], (37, 39), "all 5 pairs,\n37 to 39"),
        ([40.0] * 4, (39.5, 40.5), "all 4 pairs,\nat 40"),
        ([36.6, 37.4, 37.0], (36.5, 37.5), "all 3 pairs,\nat 37"),
        ([37.5] * 3, (37.0, 38.0), "all 3 pairs,\nat 37.5"),  # (the median says 37.5)
    ],
)
def test_session_checks_close_together_are_one_bar_over_their_own_range(checks, edges, said):
    """Widened to a scale of whole numbers, one bar of them all ran from 36 to 40 beside words
    saying 37 to 39; four pairs alike were a sliver of a bar with no words at all. The bar runs
    between the whole numbers its words say (or half a unit about the one they round to)."""
    shown = dict.fromkeys(cohort.SPREAD, True)
    pairs = pd.DataFrame({column: checks for column in cohort.SPREAD})
    panel = charts.distributions(pairs, shown).axes[2]
    (bar,) = [b for b in _bars(panel, "hist-check_mean") if b.get_height()]
    assert bar.get_height() == len(checks)
    assert (bar.get_x(), bar.get_x() + bar.get_width()) == pytest.approx(edges)
    (words,) = [t.get_text() for t in panel.texts if t.get_gid() == "one-bar"]
    assert words.split("\n(")[0] == said
    # Why no finer bar, where answers differ: all alike, none could be finer.
    assert ("(a narrower bar would" in words) == (min(checks) != max(checks))
    assert [t for t in panel.get_xticks() if edges[0] <= t <= edges[1]] == list(
        range(math.ceil(edges[0]), math.floor(edges[1]) + 1)
    )


def test_session_checks_in_several_bars_close_together_are_ticked_at_whole_numbers():
    shown = dict.fromkeys(cohort.SPREAD, True)
    pairs = pd.DataFrame({column: [37.1] * 3 + [37.3] * 3 for column in cohort.SPREAD})
    panel = charts.distributions(pairs, shown).axes[2]
    bars = [b for b in _bars(panel, "hist-check_mean") if b.get_height()]
    assert len(bars) == 2
    left, right = panel.get_xlim()
    assert all(bar.get_width() >= (right - left) / 40 for bar in bars)  # seen, not slivers
    left, right = panel.get_xlim()
    ticks = [t for t in panel.get_xticks() if left <= t <= right]
    assert len(ticks) >= 3 and all(float(t).is_integer() for t in ticks), ticks


def test_no_bar_of_session_checks_stands_for_one_or_two_pairs():
    """A pair's check average is its partners' own answers: its bar, with a low-check flag
    beside the pair's name, would tell what they answered."""
    shown = dict.fromkeys(cohort.SPREAD, True)
    spread = [12.0, 30.0, 31.0, 32.0, 33.0, 38.0, 39.0, 39.5]
    pairs = pd.DataFrame({column: spread for column in cohort.SPREAD})
    figure = charts.distributions(pairs, shown)
    checks = _bars(figure.axes[2], "hist-check_mean")
    held = [b.get_height() for b in checks if b.get_height()]
    assert sum(held) == len(spread) and min(held) >= cohort.MIN_GROUP
    # Measures shown pair by pair in the table keep their finer bars.
    follow = [b.get_height() for b in _bars(figure.axes[0], "hist-follow_through")]
    assert min(h for h in follow if h) == 1
    # Two pairs (three people sent checks): no bar, no median, on the chart and in its words.
    two = pd.DataFrame({column: [20.0, 35.0] for column in cohort.SPREAD})
    panel = charts.distributions(two, shown).axes[2]
    assert not _bars(panel, "hist-check_mean")
    assert [t.get_text() for t in panel.texts] == ["too few to show"]
    titles = {column: title for column, (title, _, _) in cohort.SPREAD.items()}
    said = cohort.describe_spread(two, shown, titles)
    assert "Average session-check total (0–40): too few to show" in said
    assert "Follow-through: median" in said


def test_session_checks_in_one_bar_say_what_it_holds_and_why_no_finer():
    shown = dict.fromkeys(cohort.SPREAD, True)
    # Any narrower bars would leave one or two pairs alone in one of them.
    pairs = pd.DataFrame({column: [28.0, 36.0, 37.0, 37.5, 38.0] for column in cohort.SPREAD})
    panel = charts.distributions(pairs, shown).axes[2]
    assert len([b for b in _bars(panel, "hist-check_mean") if b.get_height()]) == 1
    (said,) = [t.get_text() for t in panel.texts if t.get_gid() == "one-bar"]
    assert said == "all 5 pairs,\n28 to 38\n(a narrower bar would\nhold fewer than 3)"
    # Finer bars need no such words.
    spread = [30.0, 31.0, 32.0, 36.0, 37.0, 38.0]
    finer = charts.distributions(pd.DataFrame({c: spread for c in cohort.SPREAD}), shown)
    assert len([b for b in _bars(finer.axes[2], "hist-check_mean") if b.get_height()]) == 2
    assert not [t for t in finer.axes[2].texts if t.get_gid() == "one-bar"]


def test_the_median_label_sits_on_the_side_away_from_its_line():
    values = {column: [0.1, 0.9, 0.95, 1.0] for column in cohort.SPREAD}
    shown = dict.fromkeys(cohort.SPREAD, True)
    high = charts.distributions(pd.DataFrame(values), shown).axes[0]
    (label,) = high.texts
    assert label.get_text() == "median 93%" and label.get_horizontalalignment() == "left"
    values = {column: [0.0, 0.05, 0.1, 0.9] for column in cohort.SPREAD}
    low = charts.distributions(pd.DataFrame(values), shown).axes[0]
    assert low.texts[0].get_horizontalalignment() == "right"


def test_a_single_date_is_shown_with_its_week_not_years():
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure()
    ax = figure.subplots()
    ax.plot(pd.to_datetime(["2026-11-17"]), [40], marker="o")
    charts._dates(ax)
    FigureCanvasAgg(figure).draw()
    low, high = ax.get_xlim()
    assert high - low == 14
    labels = [t.get_text() for t in ax.get_xticklabels()]
    assert "17 Nov" in labels and "01 Jan" not in labels
    assert ax.xaxis.get_major_formatter().get_offset() == "2026"


def test_one_rated_session_and_later_milestones_span_those_dates_not_years():
    levels = pd.DataFrame(
        {"goal": ["Run twice a week"], "rated_on": pd.to_datetime(["2026-11-10"]), "level": [0]}
    )
    scores = pd.DataFrame({"rated_on": pd.to_datetime(["2026-11-10"]), "t_score": [50.0]})
    milestones = pd.DataFrame({"due_on": pd.to_datetime(["2026-12-01", "2027-01-01"])})
    for ax in charts.gas_progress(levels, scores, milestones).axes:
        low, high = (mdates.num2date(x).date() for x in ax.get_xlim())
        assert dt.date(2026, 10, 20) < low <= dt.date(2026, 11, 10)
        assert dt.date(2027, 1, 1) <= high < dt.date(2027, 1, 20)


def test_charts_fall_back_to_installed_fonts_for_other_scripts():
    import matplotlib

    assert charts.font_families(["Liberation Sans"]) == ["DejaVu Sans"]
    assert charts.font_families(["WenQuanYi Zen Hei", "Noto Sans CJK JP", "Arial"]) == [
        "DejaVu Sans",
        "Noto Sans CJK JP",
        "WenQuanYi Zen Hei",
    ]
    installed = [font.name for font in matplotlib.font_manager.fontManager.ttflist]
    assert matplotlib.rcParams["font.family"] == charts.font_families(installed)


def _drawn(figure):
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = FigureCanvasAgg(figure)
    canvas.draw()
    return canvas.get_renderer()


def test_each_wheel_value_is_written_on_its_own_wedge():
    # Clockwise from the top: a label at a bar's edge would sit on its neighbour's wedge.
    figure = charts.lsi_wheel(assessment(10, 1, 10, 0, areas=AREAS))
    (ax,) = figure.axes
    for bar, label in zip(_bars(ax, "lsi-area"), ax.texts, strict=True):
        middle = bar.get_x() + bar.get_width() / 2
        assert label.get_position()[0] == pytest.approx(middle)


@pytest.mark.parametrize(
    "days",
    [
        [dt.date(2026, 3, 1), dt.date(2026, 3, 4), dt.date(2026, 6, 1)],  # two days apart
        [dt.date(2026, 3, 1), dt.date(2026, 3, 2), dt.date(2026, 3, 3), dt.date(2026, 9, 1)],
        [dt.date(2026, 3, 1), dt.date(2026, 3, 2)],  # only two, one day apart
    ],
)
@pytest.mark.parametrize("rising", [True, False])
def test_the_index_labels_of_assessments_days_apart_do_not_overlap(days, rising):
    values = [54.0 + 3 * k for k in range(len(days))]
    index = pd.DataFrame({"taken_on": days, "index": values if rising else values[::-1]})
    change = pd.DataFrame({"area": ["Family"], "change": [1]})
    figure = charts.lsi_trend_chart(index, change)
    left = figure.axes[0]
    renderer = _drawn(figure)
    labels = [t for t in left.texts if t.get_gid() == "index-label"]
    shown = [f"{v:.0f}" for v in index["index"]]
    if len(days) == 4:  # three within days of each other: the first and last of them are named
        del shown[1]
    assert [t.get_text() for t in labels] == shown
    boxes = [t.get_window_extent(renderer) for t in labels]
    for k, box in enumerate(boxes):
        for other in boxes[k + 1 :]:
            assert not box.overlaps(other), (box, other)


def test_the_flag_line_is_named_beside_the_plot_where_no_total_reaches_it():
    days = [dt.date(2026, 9, 1) + dt.timedelta(days=14 * k) for k in range(4)]
    checks = pd.DataFrame({"date": pd.to_datetime(days), "total": [38, 37, 34, 40]})
    checks["flagged"] = checks["total"] < 36
    figure = charts.checks_chart(checks, 36)
    (ax,) = figure.axes
    renderer = _drawn(figure)
    (label,) = [t for t in ax.texts if t.get_gid() == "threshold-label"]
    assert label.get_text() == "flag\nbelow 36"
    plot = ax.get_window_extent(renderer)
    box = label.get_window_extent(renderer)
    assert box.x0 >= plot.x1  # outside the plotting area
    assert box.x1 <= figure.bbox.x1  # and not cut off
    # The legend of the flag's marker stands above the plot: inside it, its marker read as
    # one more, very low, check.
    legend = ax.get_legend().get_window_extent(renderer)
    assert legend.y0 >= plot.y1 - 1 and legend.y1 <= figure.bbox.y1


def test_two_goals_of_one_change_are_told_apart_in_the_legend():
    names = [
        "Put our finances on a sound footing before the baby arrives (from 3 Aug 2026, first)",
        "Put our finances on a sound footing before the baby arrives (from 3 Aug 2026, second)",
        "Put our finances on a sound footing before the baby arrives, and keep them there",
        "Put our finances on a sound footing before the baby arrives, and keep them so",
        "Walk daily",
    ]
    labels = charts._legend_labels(names, width=40)
    assert len(set(labels)) == len(labels)
    assert labels[0].endswith("(from 3 Aug 2026, first)") and len(labels[0]) <= 40
    assert labels[4] == "Walk daily"
    # The goal chart's legend has the room to say which change the two plans are of.
    roomy = charts._legend_labels(names)  # the goal chart's width
    assert roomy[0].startswith("Put our finances on a sound footing")
    assert roomy[0].endswith("(from 3 Aug 2026, first)") and len(roomy[0]) <= 90
    levels = pd.DataFrame(
        {
            "rated_on": pd.to_datetime([dt.date(2026, 9, 1)] * 2),
            "goal": names[:2],
            "level": [0, 1],
        }
    )
    scores = pd.DataFrame({"rated_on": pd.to_datetime([dt.date(2026, 9, 1)]), "t_score": [55.0]})
    milestones = pd.DataFrame({"due_on": pd.to_datetime([])})
    figure = charts.gas_progress(levels, scores, milestones)
    (legend,) = figure.legends
    shown = [t.get_text() for t in legend.get_texts()]
    assert len(set(shown)) == 2 and all(t.startswith("Put our finances on a") for t in shown)
    # Beneath both plots, where no line runs under it, and not cut off.
    renderer = _drawn(figure)
    box = legend.get_window_extent(renderer)
    for ax in figure.axes:
        assert box.y1 <= ax.get_tightbbox(renderer).y0
    assert box.x0 >= 0 and box.x1 <= figure.bbox.x1 and box.y0 >= 0


def test_the_sessions_legend_stands_beside_the_time_line_clear_of_the_shaded_gaps():
    days = [dt.date(2026, 8, 3) + dt.timedelta(days=14 * k) for k in range(6)]
    timeline = pd.DataFrame(
        {
            "date": pd.to_datetime(days),
            "status": ["held", "missed", "held", "missed", "held", "scheduled"],
        }
    )
    gaps = pd.DataFrame(
        {
            "from": pd.to_datetime([days[0], days[2]]),
            "to": pd.to_datetime([days[2], days[4]]),
            "days": [28, 28],
            "too_long": [True, True],
        }
    )
    figure = charts.cadence_chart(timeline, gaps, 14)
    (ax,) = figure.axes
    renderer = _drawn(figure)
    box = ax.get_legend().get_window_extent(renderer)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["held", "missed", "booked"]
    assert box.x0 >= ax.get_window_extent(renderer).x1  # outside the plotting area
    assert box.x1 <= figure.bbox.x1  # and not cut off


def test_sessions_a_day_apart_are_drawn_apart_on_the_time_line():
    """Held on 23, 24 and 25 November, over four months: they were one blot; weeks apart they
    stay on the line."""
    days = [dt.date(2026, 8, 3) + dt.timedelta(days=14 * k) for k in range(8)]
    days += [dt.date(2026, 11, 23), dt.date(2026, 11, 24), dt.date(2026, 11, 25)]
    timeline = pd.DataFrame({"date": pd.to_datetime(days), "status": ["held"] * len(days)})
    gaps = pd.DataFrame(columns=["from", "to", "days", "too_long"]).astype({"too_long": bool})
    (ax,) = charts.cadence_chart(timeline, gaps, 14).axes
    (held,) = [c for c in ax.collections if c.get_gid() == "session-held"]
    heights = [y for _, y in held.get_offsets()]
    assert heights[:8] == [1.0] * 8  # a fortnight apart: on the line
    assert len(set(heights[8:])) == 3  # a day apart: one above the other


def test_day_ticks_are_named_as_days_and_a_narrow_panel_has_fewer():
    """A tick on the 1st read "Nov" between "29 Oct" and "05 Nov"; a panel two inches wide ran
    "Nov 08 Nov 15 Nov 22 Nov" together."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    days = pd.to_datetime(["2026-10-29", "2026-11-12"])
    figure = Figure(figsize=(7, 3))
    ax = figure.subplots()
    ax.plot(days, [34, 38], marker="o")
    charts._dates(ax)
    FigureCanvasAgg(figure).draw()
    labels = [t.get_text() for t in ax.get_xticklabels()]
    assert "Nov" not in labels and "01 Nov" in labels
    narrow = Figure(figsize=(7, 3))
    left, _right = narrow.subplots(1, 2, gridspec_kw={"width_ratios": [1, 2]})
    left.plot(pd.to_datetime(["2026-10-28", "2026-11-26"]), [49, 57], marker="o")
    charts._dates(left)
    FigureCanvasAgg(narrow).draw()
    assert len([t for t in left.get_xticklabels() if t.get_text()]) <= 3


def test_a_goal_written_right_to_left_keeps_its_tail_after_it_in_the_legend():
    """A legend line is laid out by its first letter: a Hebrew goal's "(from 3 Aug 2026)" was
    drawn at its left; the words are now set apart from the tail."""
    hebrew = "\u05dc\u05e8\u05d5\u05e5 \u05d9\u05d5\u05ea\u05e8"
    names = [f"{hebrew} (from 3 Aug 2026, first)", f"{hebrew} (from 3 Aug 2026, second)", "Walk"]
    labels = charts._legend_labels(names)
    assert labels == [
        f"\u2068{hebrew}\u2069 (from 3 Aug 2026, first)",
        f"\u2068{hebrew}\u2069 (from 3 Aug 2026, second)",
        "Walk",
    ]
    # Written in full over lines, each line of its words is set apart alike.
    long = [f"{hebrew} " * 12 + "(from 3 Aug 2026)"] * 2
    for label in charts._legend_labels(long, width=40):
        lines = label.split("\n")
        assert len(lines) > 1
        assert all(line.startswith("\u2068") for line in lines if hebrew[0] in line)
