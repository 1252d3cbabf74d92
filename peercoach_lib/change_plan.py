"""The Personal Change Plan: the SMART helper, default milestones, and the plan as a document.

The SMART helper points out what a goal statement seems to lack. It reads words, not minds: its
hints never block a save, and a person can ignore any of them.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from pydantic_core import to_jsonable_python

from peercoach_lib import dates, gas, wording
from peercoach_lib.agreement import STEP_DAYS
from peercoach_lib.documents import words
from peercoach_lib.model import (
    ChangePlan,
    Draft,
    Frequency,
    GasScale,
    Milestone,
    Obstacle,
    PlanStatus,
    PlanStep,
)
from peercoach_lib.store import Store

#: Months between default milestones, and how long the eight sessions take when nothing is booked.
MILESTONE_WEEKS = 4
DEFAULT_SPAN_WEEKS = 16
SESSIONS = 8
LOW_CONFIDENCE = 5
#: A goal whose nearest date is further off than this, from the day its plan started, is
#: pointed out: the sessions that review it end long before.
FAR_OFF_YEARS = 3
#: What an empty section of the plan's document says (a bare "-" would be an empty list item).
NONE = "(none)"
#: A plan typed and not saved yet is kept as a draft of this kind (:mod:`peercoach_lib.drafts`).
DRAFT_KIND = "change_plan"

_MONTHS = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
    "jan",
    "feb",
    "mar",
    "apr",
    "jun",
    "jul",
    "aug",
    "sep",
    "sept",
    "oct",
    "nov",
    "dec",
]
_NUMBER_WORDS = [
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "twelve",
    "fifteen",
    "twenty",
    "thirty",
    "forty",
    "fifty",
    "hundred",
    "half",
    "twice",
    "once",
    "daily",
    "weekly",
    "monthly",
    "every",
    "each",
]
_SEASONS = ["spring", "summer", "autumn", "fall", "winter", "christmas", "easter"]
_WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
#: A deadline: "by 31 March", "within eight weeks", "before the end of June", "until Friday".
_DEADLINE = re.compile(
    r"\b(?:by|until|till|before|within|in)\s+(?:the\s+)?(?:end|next|\d+|"
    + "|".join(_NUMBER_WORDS[:12] + _MONTHS + _SEASONS + _WEEKDAYS)
    + r")\b|\b(?:deadline|today|tomorrow|tonight)\b"
    # A span of time from now: "for the next 8 weeks", "over six months", "this month".
    r"|\b(?:for|over|during|throughout)\s+(?:the\s+)?(?:next\s+|coming\s+|following\s+)?"
    r"(?:(?:\d+|" + "|".join(_NUMBER_WORDS[:12]) + r"|a|one)\s+)?"
    r"(?:days?|weeks?|fortnights?|months?|years?|quarters?)\b"
    r"|\b(?:this|next)\s+(?:week|fortnight|month|quarter|year)\b",
    re.IGNORECASE,
)
_VAGUE = [
    "better",
    "more",
    "less",
    "improve",
    "good",
    "great",
    "nicer",
    "happier",
    "healthier",
    "somehow",
    "stuff",
    "things",
    "try",
]


_MONTH_NUMBER = {name: k for k, name in enumerate(_MONTHS[:12], start=1)}
_MONTH_NUMBER |= {name[:3]: k for name, k in _MONTH_NUMBER.items()} | {"sept": 9}
_MONTH_WORD = "|".join(sorted(_MONTH_NUMBER, key=len, reverse=True))
_ORDINAL = r"(?:st|nd|rd|th)?"
#: Dates as people write them: "31 Feb 2027", "February 31st, 2027", "2027-02-31", "31/02/2027".
#: The month-first form needs a capital and no unit after the number ("May 45 minutes" is no date).
_WRITTEN_DATES = [
    re.compile(r"\b(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})\b"),
    re.compile(
        rf"\b(?P<d>\d{{1,2}}){_ORDINAL}\s+(?:of\s+)?(?P<month>{_MONTH_WORD})\b\.?"
        r"(?:,?\s+(?P<y>\d{4})\b)?",
        re.IGNORECASE,
    ),
    re.compile(
        rf"\b(?P<month>(?=[A-Z])(?i:{_MONTH_WORD}))\b\.?\s+(?P<d>\d{{1,2}}){_ORDINAL}"
        r"(?:(?:,?\s+(?P<y>\d{4}))\b|(?=\s*(?:[,.;:!?)]|$)))"
    ),
    re.compile(r"\b(?P<a>\d{1,2})[/.](?P<b>\d{1,2})[/.](?P<y>\d{4})\b"),
]
#: A month and year with no day ("by Jan 2027"), or a year alone after a deadline word ("by the
#: end of 2025"): the day is the last of that month or year, for telling whether it has passed.
_MONTH_YEAR = re.compile(
    rf"(?<!\d )(?<!st )(?<!nd )(?<!rd )(?<!th )(?<!of )"
    rf"\b(?P<month>{_MONTH_WORD})\b\.?,?\s+(?P<y>\d{{4}})\b",
    re.IGNORECASE,
)
_YEAR = re.compile(
    r"\b(?:by|before|until|in|end of|the end of)\s+(?:the\s+end\s+of\s+)?(?P<y>\d{4})\b"
    r"(?![-/.]\d)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class WrittenDate:
    """A date as written in a sentence: whether the calendar has it, and the day given a year."""

    text: str
    exists: bool
    on: dt.date | None


def _exists(year: int | None, month: int, day: int) -> tuple[bool, dt.date | None]:
    try:
        # Without a year, any leap year will do: "29 Feb" exists, "31 Feb" does not.
        on = dt.date(year or 2028, month, day)
    except ValueError:
        return False, None
    return True, on if year else None


def written_dates(text: str) -> list[WrittenDate]:
    """Each date written in ``text``, in the order of the forms above.

    "03/04/2027" exists whichever of day and month comes first; it is no date only when neither
    order makes one.
    """
    found = []
    for pattern in _WRITTEN_DATES:
        for match in pattern.finditer(text):
            groups = match.groupdict()
            year = int(groups["y"]) if groups.get("y") else None
            if groups.get("a"):
                a, b = int(groups["a"]), int(groups["b"])
                exists, on = _exists(year, b, a)
                if not exists:
                    exists, on = _exists(year, a, b)
            else:
                month = (
                    _MONTH_NUMBER[groups["month"].lower()]
                    if groups.get("month")
                    else int(groups["m"])
                )
                exists, on = _exists(year, month, int(groups["d"]))
            found.append(WrittenDate(match.group(0).strip(" .,"), exists, on))
    for match in _MONTH_YEAR.finditer(text):
        month, year = _MONTH_NUMBER[match["month"].lower()], int(match["y"])
        last = calendar.monthrange(year, month)[1]
        found.append(WrittenDate(match.group(0).strip(" .,"), True, dt.date(year, month, last)))
    for match in _YEAR.finditer(text):
        year = int(match["y"])
        if 1900 < year < 2200:
            found.append(WrittenDate(match.group(0), True, dt.date(year, 12, 31)))
    return found


@dataclass(frozen=True)
class SmartHint:
    """One SMART criterion the statement seems to miss, and what to add."""

    criterion: str
    hint: str


def smart_hints(plan_or_statement: ChangePlan | str) -> list[SmartHint]:
    """What the goal statement seems to lack, letter by letter of SMART (empty when nothing)."""
    plan = plan_or_statement if isinstance(plan_or_statement, ChangePlan) else None
    statement = plan.goal_statement if plan else plan_or_statement
    text = statement.strip()
    words = re.findall(r"[a-z']+", text.lower())
    if not text:
        return [
            SmartHint(
                "Specific", "write the goal as one sentence: what will be different, and by when"
            )
        ]
    hints = []
    letters = [ch for ch in text if ch.isalpha()]
    if sum(ch.isascii() for ch in letters) < len(letters) / 2:
        # Written in another script: the word lists below are English, so they would find
        # every goal vague. Say what the helper cannot check, and check only what it can.
        hints.append(
            SmartHint(
                "SMART",
                "the helper reads goals written in English: check for yourself that yours says "
                "what you will do, how you will count it, and by when",
            )
        )
        words = []
    if wording.several_sentences(text):
        hints.append(
            SmartHint(
                "Specific",
                "write the goal as one sentence: a second sentence often holds a second goal "
                "(a plan of its own) or a step (put it under Steps)",
            )
        )
    concrete = [w for w in words if len(w) > 3 and w not in _VAGUE]
    if words and (len(words) < 5 or len(concrete) < 3):
        hints.append(
            SmartHint(
                "Specific",
                "say exactly what you will do or change, not only that it will be better",
            )
        )
    has_number = bool(re.search(r"\d", text)) or any(w in _NUMBER_WORDS for w in words)
    if words and not has_number:
        hints.append(
            SmartHint(
                "Measurable",
                "add a number you can count or check, such as 'three times a week' or '2 hours'",
            )
        )
    if plan is not None and plan.confidence < LOW_CONFIDENCE:
        hints.append(
            SmartHint(
                "Achievable",
                f"you rated your confidence {plan.confidence}/10: "
                "a smaller first step may serve you better",
            )
        )
    if plan is not None and not (plan.why_it_matters or plan.lsi_area):
        hints.append(
            SmartHint("Relevant", "say why it matters to you, or which life area it serves")
        )
    written = written_dates(text)
    has_date = (
        bool(re.search(r"\d{1,4}[-/.]\d{1,2}", text))
        or any(w in _MONTHS for w in words)
        or bool(_DEADLINE.search(text))
        or bool(written)
        # A year at least, in whatever language ("entro il 31 marzo 2027", "2027年3月31日前"):
        # one that ends the sentence or a clause, not a count ("2000 steps a day").
        or bool(re.search(r"(?<!\d)(?:19|20|21)\d\d(?=\s*(?:$|[.,;:!?)\]年]))", text))
    )
    impossible = [d.text for d in written if not d.exists]
    started = plan.created_on if plan is not None else None
    # A past date is pointed out when no date in the goal is still to come ("as fast as in
    # 2019, by June 2027" is fine).
    ahead = any(started and d.on and d.on >= started for d in written)
    passed = [] if ahead else [d.text for d in written if started and d.on and d.on < started]
    if impossible:
        hints.append(SmartHint("Time-bound", f"'{impossible[0]}' is not a date in the calendar"))
    elif passed:
        hints.append(
            SmartHint(
                "Time-bound",
                f"'{passed[0]}' is before the plan started ({dates.short(started)}): "
                "choose a date still to come",
            )
        )
    elif (far := _far_off(written, started)) is not None:
        hints.append(
            SmartHint(
                "Time-bound",
                f"'{far}' is more than {FAR_OFF_YEARS} years away: choose a date you can reach "
                "while you meet (a step on the way there, say), so that your sessions can see it",
            )
        )
    elif not has_date and words:
        hints.append(
            SmartHint(
                "Time-bound",
                "add a date or a time frame, such as 'by 31 March' or 'within eight weeks'",
            )
        )
    return hints


def _far_off(written: list[WrittenDate], started: dt.date | None) -> str | None:
    """The goal's nearest date still to come, as written, when it is more than
    :data:`FAR_OFF_YEARS` after ``started`` (else None)."""
    ahead = [d for d in written if started and d.on and d.on >= started]
    if not ahead:
        return None
    nearest = min(ahead, key=lambda d: d.on)
    try:
        limit = started.replace(year=started.year + FAR_OFF_YEARS)
    except ValueError:  # 29 February
        limit = started.replace(year=started.year + FAR_OFF_YEARS, day=28)
    return nearest.text if nearest.on > limit else None


def plan_errors(plan: ChangePlan | Mapping) -> dict[str, str]:
    """What a plan cannot be saved with beyond what the record checks, by field path (a row's
    field: ``steps[0].by_when``).

    Steps and milestones fall on or after the day the plan started, and a milestone says what is
    expected by then (a bare date is nothing to review). ``plan`` is a plan, or its fields as a
    form holds them (checked or not: so that these problems are said with the record's own,
    not a save later).
    """
    values = plan.model_dump() if isinstance(plan, ChangePlan) else plan
    started = values.get("created_on")
    if not isinstance(started, dt.date):
        return {}
    errors: dict[str, str] = {}
    for k, step in enumerate(values.get("steps") or []):
        errors.update(row_date_error("steps", k, step, started))
    for k, milestone in enumerate(values.get("milestones") or []):
        errors.update(row_date_error("milestones", k, milestone, started))
        if not (milestone.get("description") or "").strip():
            errors[f"milestones[{k}].description"] = (
                f"Milestone (milestone {k + 1}): say what you expect to have done by then"
            )
    return errors


#: A row's date, and its name in a message, by the list it is in.
_ROW_DATES = {
    "steps": ("by_when", "By when", "step"),
    "milestones": ("due_on", "Date", "milestone"),
}


def row_date_error(path: str, k: int, row: Mapping, started: dt.date | None) -> dict[str, str]:
    """The error of row ``k`` of the plan's ``path`` ("steps" or "milestones") dated before
    the plan ``started``, by field path (none if its date is fine): said as the date is
    chosen, and on saving."""
    name, label, noun = _ROW_DATES[path]
    due = row.get(name)
    if not isinstance(due, dt.date) or started is None or due >= started:
        return {}
    return {
        f"{path}[{k}].{name}": f"{label} ({noun} {k + 1}): {dates.short(due)} is before the "
        f"plan started ({dates.short(started)})"
    }


def step_notes(steps: Iterable[PlanStep | Mapping]) -> dict[str, str]:
    """Notes for the steps written without a by-when date (by field path). A plan may be saved
    so; the notes say what the date is for."""
    notes = {}
    for k, step in enumerate(steps):
        values = step.model_dump() if isinstance(step, PlanStep) else step
        if (values.get("text") or "").strip() and values.get("by_when") is None:
            notes[f"steps[{k}].by_when"] = (
                f"Step {k + 1} has no by-when date: give it one, so that at a session you can "
                "both see whether it is done"
            )
    return notes


def obstacle_notes(obstacles: Iterable[Obstacle | Mapping]) -> dict[str, str]:
    """Notes for the obstacles written without what to do when they come (by field path). A
    plan may be saved so; the notes say what deciding it now is for."""
    notes = {}
    for k, obstacle in enumerate(obstacles):
        values = obstacle.model_dump() if isinstance(obstacle, Obstacle) else obstacle
        if (values.get("obstacle") or "").strip() and not (values.get("response") or "").strip():
            notes[f"obstacles[{k}].response"] = (
                f"Obstacle {k + 1} has no “what I will do then”: decided now, it is ready "
                "when the obstacle comes"
            )
    return notes


def gas_notes(scale: GasScale) -> dict[str, str]:
    """Notes for the GAS levels still to describe, once any is described (by field path).

    A plan may be saved with some levels still to write; the notes say why all five matter.
    """
    names = list(type(scale).model_fields)
    if scale.is_complete or not any(getattr(scale, name) for name in names):
        return {}
    return {
        f"gas.{name}": f"“{type(scale).model_fields[name].title}” is still to describe: at each "
        "session you will say which of the five levels you reached"
        for name in names
        if not getattr(scale, name)
    }


def eight_sessions_end(start: dt.date, frequency: Frequency | None) -> dt.date:
    """When eight sessions on the agreed rhythm end (sixteen weeks when none is agreed)."""
    if frequency is None:
        return start + dt.timedelta(weeks=DEFAULT_SPAN_WEEKS)
    return start + dt.timedelta(days=SESSIONS * STEP_DAYS[frequency])


def default_milestones(start: dt.date, until: dt.date | None = None) -> list[Milestone]:
    """Four-weekly milestones from ``start`` up to ``until`` (sixteen weeks by default)."""
    end = until or start + dt.timedelta(weeks=DEFAULT_SPAN_WEEKS)
    out = []
    k = 1
    while (due := start + dt.timedelta(weeks=MILESTONE_WEEKS * k)) <= end:
        out.append(Milestone(due_on=due, description=f"Month {k}: review progress with my partner"))
        k += 1
    return out


def fill_monthly(
    typed: list[dict], start: dt.date, until: dt.date | None = None
) -> tuple[list[dict], int]:
    """The milestones ``typed`` (rows as dicts with ``due_on`` and ``description``), with one of
    :func:`default_milestones` added for each four weeks that none of them is due near (two
    weeks either way); by date, those without one last. Rows with neither a date nor words
    are dropped. Returns the rows and how many were added."""
    kept = [m for m in typed if m.get("due_on") or (m.get("description") or "").strip()]
    near = dt.timedelta(weeks=MILESTONE_WEEKS) / 2
    added = [
        {"due_on": m.due_on, "description": m.description}
        for m in default_milestones(start, until)
        if not any(t.get("due_on") and abs(t["due_on"] - m.due_on) < near for t in kept)
    ]
    rows = sorted(
        [*kept, *added], key=lambda m: (m.get("due_on") is None, m.get("due_on") or start)
    )
    return rows, len(added)


def markdown(plan: ChangePlan, person_name: str, serves: Iterable[str] = ()) -> str:
    """The plan as a readable Markdown document; ``serves``: the partnership goals linked to it
    (see :func:`peercoach_lib.agreement.goals_served`)."""
    w = words
    serves = list(serves)
    status = plan.status.value + (f": {w(plan.status_reason)}" if plan.status_reason else "")
    lines = [
        f"# Personal Change Plan: {w(plan.change)}",
        "",
        f"{w(person_name)}, started {dates.long(plan.created_on)}. Status: {status}.",
        "",
        "## Why it matters to me",
        "",
        w(plan.why_it_matters) or NONE,
        "",
        f"- **Importance:** {plan.importance}/10",
        f"- **Confidence that I can do it:** {plan.confidence}/10",
        f"- **Life area it serves:** {w(plan.lsi_area or '') or '-'}",
        *(
            [
                f"- **Partnership goal{'s' if len(serves) > 1 else ''} it serves:** "
                + "; ".join(w(goal) for goal in serves)
            ]
            if serves
            else []
        ),
        "",
        "## Goal",
        "",
        w(plan.goal_statement) or NONE,
        "",
        "## Steps",
        "",
    ]
    lines += [
        f"{k}. {w(s.text)}" + (f" (by {dates.short(s.by_when)})" if s.by_when else "")
        for k, s in enumerate(plan.steps, start=1)
    ] or [NONE]
    lines += [
        "",
        "## Who and what can help",
        "",
        w(plan.supports) or NONE,
        "",
        "## What could get in the way, and what I will do then",
        "",
    ]
    lines += [
        f"- {w(o.obstacle)}: {w(o.response) or '(to think about)'}" for o in plan.obstacles
    ] or [NONE]
    lines += [
        "",
        "## How I will know it is working",
        "",
        w(plan.evidence) or NONE,
        "",
        "## Milestones",
        "",
    ]
    lines += [
        f"- {dates.short(m.due_on)}: {w(m.description) or '-'}" for m in plan.milestones_by_date
    ] or [NONE]
    lines += [
        "",
        "## Goal attainment levels",
        "",
        f"Where I start: {gas.sign(plan.baseline_level)} ({gas.LEVELS[plan.baseline_level]}).",
        "",
        f"Weight against my other goals: {plan.weight:g}.",
        "",
    ]
    scale = plan.gas
    for level, text in (
        (2, scale.much_more),
        (1, scale.somewhat_more),
        (0, scale.expected),
        (-1, scale.somewhat_less),
        (-2, scale.much_less),
    ):
        lines.append(f"- **{gas.sign(level)}** ({gas.LEVELS[level]}): {w(text or '') or '-'}")
    return "\n".join(lines) + "\n"


def plan_names(plans: list[ChangePlan]) -> dict[int, str]:
    """Each plan's name for a label or a legend: its change, and where two plans say the same,
    the day each was started (then its number), so that no two read alike."""
    seen: dict[str, int] = {}
    for plan in plans:
        seen[plan.change] = seen.get(plan.change, 0) + 1
    names = {
        plan.id: f"{plan.change} (from {dates.short(plan.created_on)})"
        if seen[plan.change] > 1
        else plan.change
        for plan in plans
    }
    # Started the same day too: told apart by the order they were made in ("first", ...).
    alike: dict[str, list[int]] = {}
    for pid, name in sorted(names.items()):
        alike.setdefault(name, []).append(pid)
    order = ["first", "second", "third", "fourth", "fifth"]
    for name, pids in alike.items():
        if len(pids) > 1:
            for k, pid in enumerate(pids):
                nth = order[k] if k < len(order) else f"no. {k + 1}"
                names[pid] = f"{name[:-1]}, {nth})"
    return names


# -- drafts ----------------------------------------------------------------------------------------


def draft_key(plan_id: int | None) -> str:
    """A plan's draft, or (None) the draft of a new plan."""
    return f"plan:{plan_id if plan_id is not None else 'new'}"


#: How long a draft left in the plan app is where the app opens (a reload, the next day).
RECENT_DRAFT = dt.timedelta(days=2)


def drafted_plans(store: Store, person_id: int) -> list[Draft]:
    """The person's plan drafts, the newest first."""
    found = store.find(Draft, person_id=person_id, kind=DRAFT_KIND)
    return sorted(found, key=lambda d: d.updated_at or dt.datetime.min.replace(tzinfo=dt.UTC))[::-1]


def plan_of_draft(draft: Draft) -> int | None:
    """The plan a draft is of (None: a new plan)."""
    tail = draft.key.removeprefix("plan:")
    return int(tail) if tail.isdigit() else None


def form_to_json(values: dict) -> dict:
    """A plan's form values (as a plan's fields, checked or not) for a draft: JSON."""
    return to_jsonable_python(values)


def form_from_json(data: dict) -> dict:
    """:func:`form_to_json`'s values back: its dates as dates and its status as a status; what
    is not a date the calendar has is left empty."""

    def day(text: str | None) -> dt.date | None:
        try:
            return dt.date.fromisoformat(text) if text else None
        except (TypeError, ValueError):
            return None

    out = dict(data)
    out["steps"] = [{**s, "by_when": day(s.get("by_when"))} for s in data.get("steps", [])]
    out["milestones"] = [{**m, "due_on": day(m.get("due_on"))} for m in data.get("milestones", [])]
    if "created_on" in data:
        out["created_on"] = day(data["created_on"])
    if data.get("status") in {s.value for s in PlanStatus}:
        out["status"] = PlanStatus(data["status"])
    return out
