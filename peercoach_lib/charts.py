"""Charts as pure functions: data in, a matplotlib ``Figure`` out (pyplot is never used).

Colours come from the Okabe-Ito palette and a single-hue blue ramp, both readable with the common
forms of colour blindness; every value that a colour shows is also written as a number or a word.
"""

from __future__ import annotations

import io
import math
import re
import textwrap

import matplotlib
import numpy as np
import pandas as pd
from matplotlib import font_manager
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import Formatter

from peercoach_lib import cohort, dates, lsi, sessions, wording
from peercoach_lib.model import LsiAssessment

#: Okabe & Ito (2008), "Color universal design".
OKABE_ITO = {
    "orange": "#E69F00",
    "sky": "#56B4E9",
    "green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "purple": "#CC79A7",
    "grey": "#999999",
    "black": "#000000",
}
TEXT = "#1a1a1a"

#: Fonts a chart falls back to, in turn, for what Matplotlib's own DejaVu Sans cannot draw
#: (it has Latin, Greek, Cyrillic, Arabic and Hebrew): names and life areas in Chinese,
#: Japanese or Korean draw once one of these is installed on the server (Debian's
#: fonts-noto-cjk, say); without one, those characters show as boxes.
FALLBACK_FONTS = (
    "Noto Sans CJK JP",
    "Noto Sans CJK SC",
    "Noto Sans CJK TC",
    "Noto Sans CJK KR",
    "Source Han Sans",
    "WenQuanYi Zen Hei",
    "Droid Sans Fallback",
    "Noto Sans Symbols2",
)


def font_families(installed) -> list[str]:
    """The font families charts ask for: DejaVu Sans, then the fallbacks ``installed``."""
    present = set(installed)
    return ["DejaVu Sans", *(name for name in FALLBACK_FONTS if name in present)]


matplotlib.rcParams["font.family"] = font_families(
    font.name for font in font_manager.fontManager.ttflist
)


def _figure(size: tuple[float, float], *, polar: bool = False, ax: Axes | None = None) -> Axes:
    if ax is not None:
        return ax
    figure = Figure(figsize=size, layout="constrained")
    return figure.add_subplot(projection="polar" if polar else None)


def lsi_wheel(assessment: LsiAssessment, *, ax: Axes | None = None) -> Figure:
    """The wheel: one bar per area, as long as its satisfaction (0-10), value written on it."""
    ax = _figure((6.4, 6.4), polar=True, ax=ax)
    table = lsi.frame(assessment)
    n = len(table)
    angles = np.linspace(0, 2 * np.pi, n, endpoint=False)
    width = 2 * np.pi / n * 0.9
    colours = [_blues(v / 10) for v in table["satisfaction"]]
    bars = ax.bar(
        angles,
        table["satisfaction"],
        width=width,
        bottom=0,
        color=colours,
        edgecolor="white",
        linewidth=1.5,
    )
    for bar, angle, value in zip(bars, angles, table["satisfaction"], strict=True):
        bar.set_gid("lsi-area")
        ax.text(
            angle,  # the middle of its wedge (a bar's x is its edge, on the neighbour's side)
            max(value, 0) + 0.7,
            str(value),
            ha="center",
            va="center",
            fontsize=11,
            fontweight="bold",
            color=TEXT,
        )
    ax.set_ylim(0, 11.5)
    ax.set_yticks([2, 4, 6, 8, 10])
    ax.set_yticklabels(["2", "4", "6", "8", "10"], fontsize=8, color="#555555")
    ax.set_xticks(angles)
    ax.set_xticklabels([textwrap.fill(a, 14) for a in table["area"]], fontsize=9, color=TEXT)
    ax.tick_params(axis="x", pad=14)
    ax.set_theta_zero_location("N")
    ax.set_theta_direction(-1)
    ax.spines["polar"].set_visible(False)
    ax.set_title(
        f"Satisfaction by area (index {lsi.index(assessment):.1f} of 100)",
        fontsize=12,
        color=TEXT,
        pad=18,
    )
    return ax.figure


def lsi_comparison(
    before: LsiAssessment, after: LsiAssessment, *, ax: Axes | None = None
) -> Figure:
    """Area by area, satisfaction before and after, with the change written beside each pair."""
    table = lsi.compare(before, after)
    ax = _figure((7.2, 0.45 * len(table) + 1.6), ax=ax)
    y = np.arange(len(table))[::-1]
    height = 0.38
    old = table["before"].astype("float").fillna(0)
    new = table["after"].astype("float").fillna(0)
    ax.barh(
        y + height / 2,
        old,
        height,
        color=OKABE_ITO["grey"],
        label=dates.short(before.taken_on),
        gid="before",
    )
    ax.barh(
        y - height / 2,
        new,
        height,
        color=OKABE_ITO["blue"],
        label=dates.short(after.taken_on),
        gid="after",
    )
    for row, change in zip(y, table["change"], strict=True):
        text = "new" if pd.isna(change) else (f"{int(change):+d}" if change else "±0")
        ax.text(10.4, row, text, va="center", fontsize=10, color=TEXT)
    ax.set_yticks(y)
    ax.set_yticklabels(table["area"], fontsize=9, color=TEXT)
    ax.set_xlim(0, 11.2)
    ax.set_xticks(range(0, 11, 2))
    ax.set_xlabel("Satisfaction (0-10)", color=TEXT)
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncols=2, frameon=False)
    change = lsi.index_change(before, after)
    ax.set_title(
        f"Index {lsi.index(before):.1f} → {lsi.index(after):.1f} ({change:+.1f})",
        fontsize=12,
        color=TEXT,
        pad=26,
    )
    return ax.figure


def to_png(figure: Figure, *, dpi: int = 100) -> bytes:
    """The figure as PNG bytes, for an image widget or a download."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi, facecolor="white")
    return buffer.getvalue()


def _blues(fraction: float) -> tuple[float, float, float, float]:
    from matplotlib import colormaps

    # One hue from light to dark reads the same with every common colour-vision deficiency;
    # the palest end is left out so that every bar stands out from the white background.
    return colormaps["Blues"](0.35 + 0.55 * fraction)


# -- progress across sessions ------------------------------------------------------------------

_SERIES = [OKABE_ITO[k] for k in ("blue", "orange", "green", "vermillion", "purple", "sky")]
_MARKERS = ["o", "s", "^", "D", "v", "P"]


#: Days shown either side of the dates when they are all within a week (one session, say):
#: matplotlib would otherwise widen a single date to years.
_NARROW_PAD_DAYS = 7


def _dates(ax: Axes) -> None:
    """A date axis: ticks labelled with the day and month, the year where it changes."""
    import matplotlib.dates as mdates

    if ax.has_data() and ax.get_autoscalex_on():
        # A single dated point widens the view to years; a vertical line drawn after it (a
        # milestone) is inside that view, so matplotlib does not look at the limits again.
        ax.autoscale_view(scaley=False)
    if ax.dataLim.width < _NARROW_PAD_DAYS and ax.dataLim.width >= 0 and ax.has_data():
        middle = ax.dataLim.x0 + ax.dataLim.width / 2
        ax.set_xlim(middle - _NARROW_PAD_DAYS, middle + _NARROW_PAD_DAYS)
    # A tick for each 0.7 inch or so: a narrow panel (the LSI's, beside its bars) ran its
    # labels together with seven.
    inches = ax.get_position().width * ax.figure.get_figwidth()
    locator = mdates.AutoDateLocator(minticks=3, maxticks=max(3, min(7, int(inches * 1.4))))
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(
        mdates.ConciseDateFormatter(
            locator,
            formats=["%Y", "%b", "%d %b", "%H:%M", "%H:%M", "%S"],
            # A day tick on the 1st is a day like the others ("01 Nov"), not the month's name
            # between days ("29 Oct, Nov, 05 Nov").
            zero_formats=["", "%Y", "%d %b", "%d %b", "%H:%M", "%H:%M"],
            offset_formats=["", "%Y", "%Y", "%d %b %Y", "%d %b %Y", "%d %b %Y %H:%M"],
        )
    )
    ax.spines[["top", "right"]].set_visible(False)


def _legend_labels(names: list[str], width: int = 90) -> list[str]:
    """Short labels for a legend that still tell ``names`` apart: what ends a name in brackets
    ("(from 3 Aug 2026, second)", which is what tells two plans of one change apart) is kept
    whole while the words before it are shortened; names that would still read alike are
    written in full, wrapped."""

    def short(name: str) -> str:
        found = re.match(r"^(.*?)\s*(\([^()]*\))$", name)
        if found and len(name) > width:
            base, tail = found.groups()
            return f"{textwrap.shorten(base, max(width - len(tail) - 1, 12))} {tail}"
        return textwrap.shorten(name, width)

    labels = [short(name) for name in names]
    alike = {label for label in labels if labels.count(label) > 1}
    return [
        "\n".join(
            _set_apart(line)
            for line in (textwrap.fill(name, width) if label in alike else label).split("\n")
        )
        for name, label in zip(names, labels, strict=True)
    ]


def _set_apart(line: str) -> str:
    """A line of a label whose words are written right to left, set apart from its tail in
    brackets ("(from 3 Aug 2026)"): a line is laid out by its first letter, and the tail
    of a Hebrew goal was drawn at its left."""
    words, tail = re.match(r"^(.*?)(\s*\([^()]*\))?$", line).groups()
    return wording.isolated(words) + (tail or "")


def gas_progress(levels, scores, milestones, *, figure: Figure | None = None) -> Figure:
    """Each goal's level by session (top) and the GAS T-score (bottom), milestones marked."""
    figure = figure or Figure(figsize=(7.6, 5.6), layout="constrained")
    top, bottom = figure.subplots(2, 1, sharex=True, height_ratios=[3, 2])
    goals = list(levels.groupby("goal", sort=False))
    labels = _legend_labels([goal for goal, _rows in goals])
    for k, ((_goal, rows), label) in enumerate(zip(goals, labels, strict=True)):
        top.plot(
            rows["rated_on"],
            rows["level"],
            marker=_MARKERS[k % 6],
            color=_SERIES[k % 6],
            label=label,
            gid="gas-goal",
        )
    top.set_yticks(
        [-2, -1, 0, 1, 2],
        ["−2 much less", "−1 less", "0 expected", "+1 more", "+2 much more"],
        fontsize=8,
    )
    top.set_ylim(-2.4, 2.4)
    top.axhline(0, color="#bbbbbb", linewidth=1)
    top.set_title("Goal attainment by session", fontsize=11, color=TEXT)
    bottom.plot(
        scores["rated_on"], scores["t_score"], marker="o", color=OKABE_ITO["black"], gid="t-score"
    )
    bottom.axhline(50, color=OKABE_ITO["grey"], linestyle="--", linewidth=1)
    # Said beside the axis, where no point of the line can sit on it (scores hug 50).
    bottom.set_ylabel("T-score\n(50 = as expected)")
    for ax in (top, bottom):
        for k, due in enumerate(milestones["due_on"].drop_duplicates()):
            ax.axvline(
                due,
                color=OKABE_ITO["green"],
                linestyle=":",
                linewidth=1.2,
                gid="milestone",
                label="milestone" if k == 0 and ax is top else None,
            )
        _dates(ax)
    if len(levels) or len(milestones):
        # Beneath the chart, where a goal's name has room and no line runs under it.
        handles, names = top.get_legend_handles_labels()
        figure.legend(handles, names, fontsize=8, loc="outside lower left", frameon=False, ncols=1)
    return figure


def follow_through_chart(
    weekly, recent: float | None, *, as_of=None, ax: Axes | None = None
) -> Figure:
    """Follow-through per week (bars, percent written on each) and over the last four weeks
    up to ``as_of`` (a line over those weeks alone: across the whole chart it read as a target
    or an average of all; by default up to the end of the last week shown)."""
    ax = _figure((7.6, 3.4), ax=ax)
    rates = weekly["rate"].astype(float)
    bars = ax.bar(
        weekly["week"], (rates * 100).fillna(0), width=5, color=OKABE_ITO["blue"], gid="week"
    )
    for bar, rate in zip(bars, rates, strict=True):
        label = "–" if pd.isna(rate) else sessions.percent(rate)
        ax.text(
            bar.get_x() + bar.get_width() / 2,
            bar.get_height() + 2,
            label,
            ha="center",
            fontsize=8,
            color=TEXT,
        )
    if recent is not None:
        end = (
            pd.Timestamp(as_of)
            if as_of is not None
            else pd.Timestamp(weekly["week"].max()) + pd.Timedelta(days=6)
        )
        ax.hlines(
            recent * 100,
            end - pd.Timedelta(weeks=4),
            end,
            color=OKABE_ITO["orange"],
            linestyle="--",
            linewidth=1.5,
            gid="recent",
            label=f"last 4 weeks: {sessions.percent(recent)}",
        )
        # In a legend above the bars, where it never covers a bar's own label.
        ax.legend(fontsize=8, frameon=False, loc="lower right", bbox_to_anchor=(1, 1.0))
    ax.set_ylim(0, 112)
    ax.set_ylabel("Commitments kept (%)")
    ax.set_title("Follow-through by week", fontsize=11, color=TEXT)
    _dates(ax)
    _week_ticks(ax)
    return ax.figure


def _week_ticks(ax: Axes, most: int = 7) -> None:
    """Ticks on Mondays, under the bars of the weeks they start, named as the table names a
    week ("9 Nov", with the year under the first and where it changes): the date axis's own
    ticks fall on other days, a bar for the week of 9 Nov sitting over "08 Nov"."""
    import matplotlib.dates as mdates

    start, end = (mdates.num2date(x).date() for x in ax.get_xlim())
    every = max(1, -(-((end - start).days // 7 + 1) // most))
    ax.xaxis.set_major_locator(mdates.WeekdayLocator(byweekday=mdates.MO, interval=every))
    ax.xaxis.set_major_formatter(_WeekNames())


class _WeekNames(Formatter):
    """A week's Monday as "9 Nov"; among the ticks, the first and the first of a new year with
    the year under it."""

    def __call__(self, x: float, pos: int | None = None) -> str:
        import matplotlib.dates as mdates

        return dates.day_month(mdates.num2date(x).date())

    def format_ticks(self, values) -> list[str]:
        import matplotlib.dates as mdates

        days = [mdates.num2date(x).date() for x in values]
        return [
            f"{dates.day_month(day)}\n{day.year}"
            if k == 0 or days[k - 1].year != day.year
            else dates.day_month(day)
            for k, day in enumerate(days)
        ]


_STATUS_STYLE = {
    "held": ("o", OKABE_ITO["blue"], "held"),
    "missed": ("X", OKABE_ITO["vermillion"], "missed"),
    "rescheduled": ("D", OKABE_ITO["orange"], "rescheduled"),
    "not logged": ("s", "none", "not logged"),  # a booked day gone by: hollow, a square
    "scheduled": ("o", "none", "booked"),
    "cancelled": ("_", OKABE_ITO["grey"], "cancelled"),
}


#: The heights of the time line's lanes: sessions a day or two apart go one above the other.
_LANES = (1.0, 1.14, 0.86)


def _lanes(days, share: float = 0.022) -> list[float]:
    """Each session's height on the time line: the first lane where the one before it there
    is more than ``share`` of the whole span away (its marker would cover it: sessions on
    consecutive days read as one), else the middle."""
    stamps = pd.to_datetime(pd.Series(list(days))).astype("int64").to_numpy()
    span = stamps.max() - stamps.min() if len(stamps) else 0
    last: dict[float, int] = {}
    heights = [_LANES[0]] * len(stamps)
    for k in sorted(range(len(stamps)), key=lambda k: stamps[k]):
        free = [y for y in _LANES if y not in last or stamps[k] - last[y] > share * span]
        heights[k] = free[0] if free else _LANES[0]
        last[heights[k]] = stamps[k]
    return heights


def cadence_chart(timeline, gaps, interval_days: int, *, ax: Axes | None = None) -> Figure:
    """Sessions on a time line by what happened, with gaps over the agreed interval shaded."""
    ax = _figure((7.6, 2.6), ax=ax)
    height = pd.Series(_lanes(timeline["date"]), index=timeline.index, dtype=float)
    for _, gap in gaps[gaps["too_long"]].iterrows():
        ax.axvspan(gap["from"], gap["to"], color=OKABE_ITO["yellow"], alpha=0.35, gid="long-gap")
        middle = gap["from"] + (gap["to"] - gap["from"]) / 2
        ax.text(middle, 1.32, f"{int(gap['days'])} days", ha="center", fontsize=8, color=TEXT)
    for status, (marker, colour, label) in _STATUS_STYLE.items():
        rows = timeline[timeline["status"].astype(str) == status]
        if len(rows):
            ax.scatter(
                rows["date"],
                height[rows.index],
                marker=marker,
                s=70,
                label=label,
                facecolors=colour,
                edgecolors=(
                    colour
                    if colour != "none"
                    else TEXT
                    if status == "not logged"
                    else OKABE_ITO["blue"]
                ),
                gid=f"session-{status}",
            )
    ax.set_yticks([])
    ax.set_ylim(0.6, 1.45)
    # Beside the time line, clear of the shaded gaps and the sessions in them.
    ax.legend(loc="upper left", fontsize=8, frameon=False, bbox_to_anchor=(1.0, 1.0))
    ax.set_title(
        f"Sessions (shaded: gaps over the agreed {interval_days} days)", fontsize=11, color=TEXT
    )
    _dates(ax)
    ax.spines["left"].set_visible(False)
    return ax.figure


def _index_labels(days, values, share: float = 0.06) -> list[tuple[bool, str] | None]:
    """Where each point's label goes: (below the point?, horizontal alignment), or None for
    no label. Above it, centred; but points each within ``share`` of the whole span of
    ``days`` from the one before form a run whose labels would overlap: the first and the last
    of the run are labelled, each leaning away from the other (the first's to the left, the
    last's to the right), the lower one's below its point; those between go unlabelled (the
    chart's table has every value)."""
    stamps = pd.to_datetime(pd.Series(list(days))).astype("int64").to_numpy()
    values = list(values)
    span = stamps.max() - stamps.min() if len(stamps) else 0
    placed: list[tuple[bool, str] | None] = [(False, "center")] * len(stamps)
    first = 0
    for k in range(1, len(stamps) + 1):
        if k < len(stamps) and span > 0 and stamps[k] - stamps[k - 1] < share * span:
            continue
        last = k - 1  # the run first..last ends here
        if last > first:
            low = last if values[last] < values[first] else first
            placed[first] = (low == first, "right")
            placed[last] = (low == last, "left")
            for between in range(first + 1, last):
                placed[between] = None
        first = k
    return placed


def lsi_trend_chart(index, change, *, figure: Figure | None = None) -> Figure:
    """The LSI index over time (left) and each area's change since the first assessment (right)."""
    figure = figure or Figure(figsize=(8.4, 3.8), layout="constrained")
    left, right = figure.subplots(1, 2, width_ratios=[2, 3])
    left.plot(index["taken_on"], index["index"], marker="o", color=OKABE_ITO["blue"], gid="index")
    placed = _index_labels(index["taken_on"], index["index"])
    for day, value, place in zip(index["taken_on"], index["index"], placed, strict=True):
        if place is None:
            continue
        below, align = place
        # Near the foot of the scale a label stays above its point, higher than its neighbour's.
        under = below and value >= 8
        left.text(
            day,
            value - 3.5 if under else value + (9 if below else 2.5),
            f"{value:.0f}",
            ha=align,
            va="top" if under else "baseline",
            fontsize=8,
            color=TEXT,
            gid="index-label",
        )
    left.set_ylim(0, 105)
    left.set_title("Index (0–100)", fontsize=11, color=TEXT)
    _dates(left)
    rows = change.dropna(subset=["change"]).iloc[::-1]
    values = rows["change"].astype(int)
    colours = [OKABE_ITO["blue"] if v >= 0 else OKABE_ITO["vermillion"] for v in values]
    right.barh(rows["area"], values, color=colours, gid="area-change")
    for y, v in enumerate(values):
        right.text(
            v + (0.15 if v >= 0 else -0.15),
            y,
            f"{v:+d}",
            va="center",
            ha="left" if v >= 0 else "right",
            fontsize=8,
            color=TEXT,
        )
    if len(values):
        # Room for the value labels beside the bars, so none runs into the area names.
        low, high = min(values.min(), 0), max(values.max(), 0)
        pad = max(0.8, 0.12 * (high - low))
        right.set_xlim(low - pad, high + pad)
        right.axvline(0, color="#888888", linewidth=1)
    else:
        # One assessment: nothing to compare yet; say so rather than draw empty axes.
        right.set_axis_off()
        right.text(
            0.5,
            0.5,
            "The change per area shows\nfrom the second assessment.",
            ha="center",
            va="center",
            fontsize=10,
            color=TEXT,
            transform=right.transAxes,
        )
    right.set_title("Change per area since the first", fontsize=11, color=TEXT)
    right.tick_params(axis="y", labelsize=8)
    right.spines[["top", "right"]].set_visible(False)
    return figure


def checks_chart(checks, threshold: int, *, ax: Axes | None = None) -> Figure:
    """Session-check totals over time, the flag line drawn, flagged sessions marked and named."""
    ax = _figure((7.6, 3.2), ax=ax)
    ax.plot(checks["date"], checks["total"], color=OKABE_ITO["blue"], marker="o", gid="totals")
    flagged = checks[checks["flagged"]]
    ax.scatter(
        flagged["date"],
        flagged["total"],
        marker="v",
        s=80,
        color=OKABE_ITO["vermillion"],
        zorder=3,
        label="flag raised",
        gid="flagged",
    )
    ax.axhline(
        threshold, color=OKABE_ITO["vermillion"], linestyle="--", linewidth=1.2, gid="threshold"
    )
    # Named beside the plot, at the line's end, where no total can run into it.
    ax.text(
        1.01,
        threshold,
        f"flag\nbelow {threshold}",
        transform=ax.get_yaxis_transform(),
        ha="left",
        va="center",
        fontsize=8,
        color=OKABE_ITO["vermillion"],
        gid="threshold-label",
    )
    ax.set_ylim(0, 41)
    ax.set_ylabel("Total (0–40)")
    ax.set_title("Session check", fontsize=11, color=TEXT)
    if len(flagged):
        # Above the plot: inside it, its marker read as one more (very low) check.
        ax.legend(fontsize=8, frameon=False, loc="lower right", bbox_to_anchor=(1, 1.0))
    _dates(ax)
    return ax.figure


# -- the cohort ------------------------------------------------------------------------------

WEEK_STATES = {  # state: (colour, marker letter); the letters carry what the colours show
    "held": (OKABE_ITO["blue"], "●"),
    "missed": (OKABE_ITO["vermillion"], "✕"),
    "rescheduled": (OKABE_ITO["orange"], "↻"),
    "not logged": ("#f5eba8", "?"),  # booked for a day gone by, and nobody logged it
    "booked": ("#cfe3f3", "○"),
    "none planned": ("#f2f2f2", ""),
    "not paired": ("#ffffff", "–"),  # before the pair began, or after it ended
}


def week_heatmap(grid, labels: list[str], *, ax: Axes | None = None) -> Figure:
    """Pairs (rows) by week (columns): held, missed, rescheduled, not logged, booked, none
    planned or not paired."""
    from matplotlib.colors import to_rgba_array
    from matplotlib.patches import Patch

    states = list(WEEK_STATES)
    codes = grid.apply(lambda col: col.map(states.index)).to_numpy(dtype=np.intp)
    rows, cols = codes.shape
    # A fixed width, drawn at the size it is shown: scaling a small figure up blurs it.
    ax = _figure((10.4, 1.0 + 0.3 * max(rows, 1)), ax=ax)
    # Each cell's colour looked up directly (no colour map to normalise through).
    palette = (to_rgba_array([WEEK_STATES[state][0] for state in states]) * 255).astype(np.uint8)
    ax.imshow(
        palette[codes].reshape(rows, cols, 4),
        aspect="auto",
        interpolation="nearest",
        gid="weeks",
    )
    if rows * cols <= 2500:
        # One marker collection per state, the state's letter as the marker: the same picture
        # as a letter per cell, drawn several times faster.
        for code, state in enumerate(states):
            letter = WEEK_STATES[state][1]
            at_rows, at_cols = np.nonzero(codes == code)
            if letter and at_rows.size:
                ax.scatter(
                    at_cols,
                    at_rows,
                    marker=f"${letter}$",
                    s=22,
                    linewidths=0,
                    color="white" if state in ("held", "missed") else TEXT,
                    gid=f"letters-{state}",
                )
    ax.set_yticks(range(rows), labels, fontsize=8)
    step = max(1, -(-cols // 10))
    ax.set_xticks(
        range(0, cols, step), [dates.day_month(w) for w in list(grid.columns)[::step]], fontsize=8
    )
    # White lines between the cells (lines, not minor ticks: a tick per cell costs more to
    # draw than the rest of the chart).
    for lines, at, end in ((ax.vlines, cols, rows), (ax.hlines, rows, cols)):
        lines(np.arange(0.5, at - 1), -0.5, end - 0.5, color="white", linewidth=1, gid="cells")
    ax.legend(
        handles=[
            Patch(
                facecolor=WEEK_STATES[s_][0],
                edgecolor="#999999",
                label=f"{WEEK_STATES[s_][1]} {s_}".strip(),
            )
            for s_ in states
        ],
        loc="lower center",
        bbox_to_anchor=(0.5, 1.0),
        ncols=-(-len(states) // 2) if len(states) > 6 else len(states),  # no wider than the chart
        fontsize=8,
        frameon=False,
    )
    return ax.figure


#: What each measure of ``cohort.SPREAD`` can be, in the unit its panel shows: ticks stay
#: within it (no "101%" beside pairs who all kept every commitment).
_SPREAD_BOUNDS = {
    "follow_through": (0, 100),
    "minute_balance": (0, 50),
    "check_mean": (0, 40),
}

_ANY = (-math.inf, math.inf)

#: The narrowest range a spread panel shows, in its unit: pairs close together are shown close
#: together on a scale of whole numbers, not spread across ticks of 66.25%, 66.50%, ...
_SPREAD_MIN_SPAN = 4


def _spread_range(values: pd.Series, bounds: tuple[float, float]) -> tuple[float, float] | None:
    """The range to bin ``values`` over when they lie closer together than
    :data:`_SPREAD_MIN_SPAN` (about their middle, within ``bounds`` or as far as they reach),
    or None to leave it to the histogram."""
    low, high = float(values.min()), float(values.max())
    if high - low >= _SPREAD_MIN_SPAN:
        return None
    floor, ceiling = min(bounds[0], low), max(bounds[1], high)
    middle = (low + high) / 2
    left, right = middle - _SPREAD_MIN_SPAN / 2, middle + _SPREAD_MIN_SPAN / 2
    shift = max(floor - left, 0) - max(right - ceiling, 0)
    return left + shift, right + shift


def _from_to(edges, values: pd.Series, unit: str) -> str:
    """What one bar of them all holds: "28 to 38" (its edges), "at 37.5" (answers all alike,
    as the median says them), or "at 37" (half a unit either side: answers that round to 37)."""
    low, high = edges
    if values.min() == values.max():
        return f"at {values.min():g}{unit}"
    if float(low).is_integer():
        return f"{int(low)} to {int(high)}{unit}"
    return f"at {sessions.whole((low + high) / 2)}{unit}"


def distributions(pairs, shown: dict[str, bool], *, figure: Figure | None = None) -> Figure:
    """How the pairs spread on each measure of ``cohort.SPREAD``; a measure of too few people
    shows a note instead."""
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    # Fixed margins rather than a layout engine: the panels and their labels are the same
    # whatever the data (counts up to five digits fit), and laying them out would double the
    # time this figure takes to draw.
    figure = figure or Figure(figsize=(9.6, 5.6))
    figure.subplots_adjust(left=0.085, right=0.99, bottom=0.055, top=0.95, wspace=0.32, hspace=0.3)
    axes = figure.subplots(2, 3).ravel()
    for ax, (column, (title, scale, unit)) in zip(axes, cohort.SPREAD.items(), strict=False):
        ax.set_title(title, fontsize=9, color=TEXT)
        ax.spines[["top", "right"]].set_visible(False)
        values = (pairs[column].dropna() * scale) if shown.get(column) else pd.Series(dtype=float)
        bins = min(20, max(5, len(values) // 3))
        span = None if values.empty else _spread_range(values, _SPREAD_BOUNDS.get(column, _ANY))
        one_bar = False
        if column in cohort.PEOPLES_ANSWERS and not values.empty:
            # People's own answers: no bar may stand for one or two pairs, binned over their
            # own range; one bar of them all fills the panel (its words in it), several close
            # together are shown on the wider range, as the other measures are.
            bins = cohort.grouped_bins(values, span=span)
            if bins is None:
                values = pd.Series(dtype=float)
            else:
                one_bar = len(bins) == 2
        if values.empty:
            ax.text(
                0.5,
                0.5,
                textwrap.fill(
                    cohort.nothing_shown(pairs, column)
                    if pairs[column].dropna().empty
                    else cohort.TOO_FEW,
                    24,
                ),
                ha="center",
                va="center",
                transform=ax.transAxes,
                color="#555555",
            )
            ax.set_xticks([])
            ax.set_yticks([])
            continue
        ax.hist(
            values,
            bins=bins,
            range=None if isinstance(bins, np.ndarray) else span,
            color=OKABE_ITO["blue"],
            edgecolor="white",
            gid=f"hist-{column}",
        )
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))  # whole pairs
        # Whole numbers, as the panel says its median (no ticks of 66.25%, 66.50%, ...).
        ax.xaxis.set_major_locator(MaxNLocator(nbins="auto", integer=True))
        if unit == "%":  # ticks in the unit the panel's median is said in (49.5%, not 49.50)
            ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _pos: f"{x:g}%"))
        if one_bar:
            # One bar of them all says little on its own: what it holds, and why no finer
            # (answers all alike have no finer), ticked at the whole numbers it runs between.
            if bins[1] - bins[0] <= _SPREAD_MIN_SPAN:  # a narrow bar: not left to the locator
                ax.set_xticks(range(math.ceil(bins[0]), math.floor(bins[1]) + 1))
            why = (
                ""
                if values.min() == values.max()
                else f"\n(a narrower bar would\nhold fewer than {cohort.MIN_GROUP})"
            )
            ax.text(
                0.5,
                0.45,
                f"all {len(values)} pairs,\n{_from_to(bins, values, unit)}{why}",
                transform=ax.transAxes,
                ha="center",
                va="center",
                fontsize=8,
                color="white",
                gid="one-bar",
            )
        ax.set_ylim(0, ax.get_ylim()[1] * 1.15)  # room above the bars for the median's label
        median = values.median()
        ax.axvline(median, color=OKABE_ITO["orange"], linestyle="--", linewidth=1.5)
        # The label on the side away from the line, so that the line never crosses it.
        left, right = ax.get_xlim()
        on_right = (median - left) / ((right - left) or 1) < 0.5
        ax.text(
            0.98 if on_right else 0.02,
            0.95,
            f"median {cohort.median_text(column, median / scale)}",
            transform=ax.transAxes,
            ha="right" if on_right else "left",
            va="top",
            fontsize=8,
            color=TEXT,
        )
        ax.set_ylabel("pairs", fontsize=8)
    axes[-1].set_visible(False)
    return figure
