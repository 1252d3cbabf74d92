"""Charts as pure functions: data in, a matplotlib ``Figure`` out (pyplot is never used).

Colours come from the Okabe-Ito palette and a single-hue blue ramp, both readable with the common
forms of colour blindness; every value that a colour shows is also written as a number or a word.
"""

from __future__ import annotations

import io
import textwrap

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from peercoach_lib import lsi
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
    for bar, value in zip(bars, table["satisfaction"], strict=True):
        bar.set_gid("lsi-area")
        ax.text(
            bar.get_x(),
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
        label=f"{before.taken_on:%d %b %Y}",
        gid="before",
    )
    ax.barh(
        y - height / 2,
        new,
        height,
        color=OKABE_ITO["blue"],
        label=f"{after.taken_on:%d %b %Y}",
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
