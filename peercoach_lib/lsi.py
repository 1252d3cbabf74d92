"""Scoring the Lifestyle Satisfaction Index, and the list of areas it is taken with.

A self-reflection aid in the spirit of the "wheel of life", not a validated clinical measure.
For each area a person rates satisfaction (0-10) and importance (0-10, 5 when not given):

- index = mean satisfaction x 10, from 0 to 100, to one decimal;
- spread = highest minus lowest satisfaction;
- priority gap of an area = importance - satisfaction;
- suggested focus areas = the three largest positive gaps (ties: lower satisfaction first).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from pydantic import Field, field_validator

from peercoach_lib import datafiles, dates
from peercoach_lib.config import data_dir
from peercoach_lib.model import LsiAssessment
from peercoach_lib.model.base import Record
from peercoach_lib.store import Store
from peercoach_lib.wording import listed

AREAS_FILE = "lsi_areas.json"
FOCUS_COUNT = 3
DISCLAIMER = (
    "The Lifestyle Satisfaction Index is a self-reflection aid to help you choose what to work on. "
    "It is not a validated psychological or clinical measure, and its numbers are not a diagnosis."
)


class AreaList(Record):
    format: str = Field("peercoach-lsi-areas", pattern="^peercoach-lsi-areas$")
    version: int = Field(1, ge=1, le=1)
    about: str = ""
    areas: list[str] = Field(
        min_length=1, max_length=30, title="Areas", json_schema_extra={"item": "area"}
    )

    @field_validator("areas")
    @classmethod
    def _clean(cls, value: list[str]) -> list[str]:
        cleaned = [a.strip() for a in value]
        if any(not a or len(a) > 80 for a in cleaned):
            raise ValueError("each area needs a name of 1 to 80 characters")
        if len({a.casefold() for a in cleaned}) != len(cleaned):
            raise ValueError("each area can appear only once")
        return cleaned


def load_areas(path: Path | None = None) -> list[str]:
    """The areas to assess, from ``data/lsi_areas.json``; a broken file is explained."""
    path = path or data_dir() / AREAS_FILE
    return datafiles.load(path, AreaList, "the list of LSI areas").areas


def frame(assessment: LsiAssessment) -> pd.DataFrame:
    """One row per area: satisfaction, importance and priority gap, in the assessment's order."""
    out = pd.DataFrame(
        [(a.area, a.satisfaction, a.importance) for a in assessment.areas],
        columns=["area", "satisfaction", "importance"],
    )
    out["gap"] = out["importance"] - out["satisfaction"]
    return out


def index(assessment: LsiAssessment) -> float:
    """Mean satisfaction x 10, to one decimal (0-100)."""
    ratings = [a.satisfaction for a in assessment.areas]
    return round(10 * sum(ratings) / len(ratings), 1)


def spread(assessment: LsiAssessment) -> int:
    ratings = [a.satisfaction for a in assessment.areas]
    return max(ratings) - min(ratings)


def priority_gaps(assessment: LsiAssessment) -> dict[str, int]:
    return {a.area: a.importance - a.satisfaction for a in assessment.areas}


def ranked_gaps(assessment: LsiAssessment) -> list[tuple[str, int]]:
    """The areas whose importance exceeds their satisfaction, with that gap, most wanting
    first: the largest gap; ties go to the lower satisfaction, then to the list's order."""
    ranked = sorted(
        (
            (a.importance - a.satisfaction, -a.satisfaction, -k, a.area)
            for k, a in enumerate(assessment.areas)
        ),
        reverse=True,
    )
    return [(area, gap) for gap, _, _, area in ranked if gap > 0]


def focus_areas(assessment: LsiAssessment, count: int = FOCUS_COUNT) -> list[str]:
    """The first ``count`` areas of :func:`ranked_gaps`."""
    return [area for area, _gap in ranked_gaps(assessment)][:count]


def compare(before: LsiAssessment, after: LsiAssessment) -> pd.DataFrame:
    """Area by area: satisfaction before and after and the change (areas in either, in order).

    An area only one of the two assessments has shows a blank on the other side.
    """
    first, second = frame(before), frame(after)
    areas = list(dict.fromkeys([*second["area"], *first["area"]]))
    out = pd.DataFrame({"area": areas})
    out["before"] = out["area"].map(first.set_index("area")["satisfaction"]).astype("Int64")
    out["after"] = out["area"].map(second.set_index("area")["satisfaction"]).astype("Int64")
    out["change"] = out["after"] - out["before"]
    return out


#: The first row of :func:`over_time`.
INDEX_ROW = "Index (0–100)"


def over_time(assessments: list[LsiAssessment]) -> pd.DataFrame:
    """Every assessment side by side: the index, then each area's satisfaction, one column per
    assessment (headed by its day, "3 Aug 2026", oldest first) and, with two or more, the change
    from the first to the latest. Areas in the latest's order, then those it no longer asks; an
    area an assessment did not ask is blank there, and so is its change."""
    ordered = sorted(assessments, key=lambda a: a.taken_on)
    areas = list(dict.fromkeys(a.area for one in reversed(ordered) for a in one.areas))
    out = pd.DataFrame({"": [INDEX_ROW, *areas]}, dtype=object)
    for one in ordered:
        taken = {a.area: a.satisfaction for a in one.areas}
        # (As given: whole ratings, the index to one decimal; not all made decimals.)
        out[dates.short(one.taken_on)] = pd.Series(
            [index(one), *(taken.get(area) for area in areas)], dtype=object
        )
    if len(ordered) >= 2:
        first, latest = out.columns[1], out.columns[-1]
        out["Change"] = pd.Series(
            [
                None if before is None or after is None else round(after - before, 1)
                for before, after in zip(out[first], out[latest], strict=True)
            ],
            dtype=object,
        )
    return out


def by_day(assessments: list[LsiAssessment]) -> pd.DataFrame:
    """Every assessment on a row of its own, oldest first, for a spreadsheet: its day
    (``taken_on``, a date a spreadsheet reads as one), the index, then each area's satisfaction,
    areas in the order of :func:`over_time` (blank where an assessment did not ask the area)."""
    ordered = sorted(assessments, key=lambda a: a.taken_on)
    areas = list(dict.fromkeys(a.area for one in reversed(ordered) for a in one.areas))
    rows = [
        {
            "taken_on": one.taken_on,
            "index": index(one),
            **{a.area: a.satisfaction for a in one.areas},
        }
        for one in ordered
    ]
    table = pd.DataFrame(rows, columns=["taken_on", "index", *areas])
    return table.astype({area: "Int64" for area in areas})


def index_change(before: LsiAssessment, after: LsiAssessment) -> float:
    return round(index(after) - index(before), 1)


def areas_differ(before: LsiAssessment, after: LsiAssessment) -> str:
    """ "" when both were taken with the same areas; else, in words, how the areas differ (the
    indexes are then over different areas): "new: Finances; no longer asked: Money"."""
    first = {a.area.casefold(): a.area for a in before.areas}
    second = {a.area.casefold(): a.area for a in after.areas}
    new = [name for key, name in second.items() if key not in first]
    gone = [name for key, name in first.items() if key not in second]
    return "; ".join(
        f"{word}: {listed(names)}"
        for word, names in (("new", new), ("no longer asked", gone))
        if names
    )


def save(store: Store, assessment: LsiAssessment) -> tuple[LsiAssessment, LsiAssessment | None]:
    """Store ``assessment`` as its person's one assessment of its day.

    A day already assessed is updated (its id and creation kept), also when that assessment
    was saved from another window since this one looked: the lookup and the write are one
    write transaction, and writers take turns. Returns the assessment saved and the one it
    replaced (None for a new day).
    """
    with store.transaction() as tx:
        same_day = tx.find(
            LsiAssessment, person_id=assessment.person_id, taken_on=assessment.taken_on
        )
        replaced = same_day[0] if same_day else None
        if replaced is not None:
            assessment = assessment.replace(id=replaced.id, created_at=replaced.created_at)
        else:
            assessment = assessment.replace(id=None, created_at=None)
        return tx.save(assessment), replaced


# -- what the charts show, in words (their alt text) ---------------------------------------------


def describe_wheel(assessment: LsiAssessment) -> str:
    """The wheel in one sentence: the index, and the most and least satisfying areas."""
    table = frame(assessment)
    top, bottom = table["satisfaction"].max(), table["satisfaction"].min()
    most = listed(list(table.loc[table["satisfaction"] == top, "area"]))
    least = listed(list(table.loc[table["satisfaction"] == bottom, "area"]))
    if top == bottom:
        return (
            f"Life satisfaction wheel of {len(table)} areas, index {index(assessment):.0f} of "
            f"100: every area rated {top} of 10."
        )
    return (
        f"Life satisfaction wheel of {len(table)} areas, index {index(assessment):.0f} of 100: "
        f"most satisfied with {most} ({top} of 10), least with {least} ({bottom} of 10)."
    )


def describe_comparison(before: LsiAssessment, after: LsiAssessment) -> str:
    """The comparison in one sentence, e.g. "Index rose from 54 to 61; largest gain: Health"."""
    first, second = index(before), index(after)
    moved = (
        f"stayed at {second:.0f}"
        if round(first) == round(second)
        else f"{'rose' if second > first else 'fell'} from {first:.0f} to {second:.0f}"
    )
    change = compare(before, after).dropna(subset=["change"])
    parts = [f"Index {moved} since {dates.long(before.taken_on)}"]
    if differ := areas_differ(before, after):
        parts[0] += f" (over other areas: {differ})"
    parts += largest_moves(change)
    return "; ".join(parts) + "."


def largest_moves(change: pd.DataFrame) -> list[str]:
    """The largest gain and the largest drop per area ("largest gain: Health (+4)"), naming
    every area that shares it, in the list's order ("largest gains: Family and Money (+2
    each)")."""
    said = []
    for word, extreme, wanted in (("gain", "max", 1), ("drop", "min", -1)):
        if change.empty:
            break
        value = getattr(change["change"], extreme)()
        if value * wanted <= 0:
            continue
        areas = list(change.loc[change["change"] == value, "area"])
        if len(areas) == 1:
            said.append(f"largest {word}: {areas[0]} ({int(value):+d})")
        else:
            names = ", ".join(areas[:-1]) + " and " + areas[-1]
            said.append(f"largest {word}s: {names} ({int(value):+d} each)")
    return said
