"""The change plan's SMART helper, default milestones and document."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from peercoach_lib import change_plan as cp
from peercoach_lib import documents, model
from tests.examples import complete_plan


@pytest.mark.parametrize(
    ("statement", "missing"),
    [
        ("", ["Specific"]),
        ("Be healthier", ["Specific", "Measurable", "Time-bound"]),
        ("Walk to the office and back three times a week", ["Time-bound"]),
        ("Walk to the office and back by the end of March", ["Measurable"]),
        ("Walk to the office and back three times a week by 31 March 2026", []),
        ("Finish the funding bid draft, 12 pages, before 2026-04-01", []),
    ],
)
def test_smart_hints_name_what_is_missing(statement, missing):
    assert [h.criterion for h in cp.smart_hints(statement)] == missing


def test_smart_hints_use_the_rest_of_the_plan():
    plan = complete_plan(1).replace(
        goal_statement="Two 2-hour focus blocks a week by 31 March 2026",
        confidence=3,
        why_it_matters="",
        lsi_area=None,
    )
    assert [h.criterion for h in cp.smart_hints(plan)] == ["Achievable", "Relevant"]
    assert "3/10" in cp.smart_hints(plan)[0].hint
    assert cp.smart_hints(plan.replace(confidence=7, why_it_matters="Focus")) == []


def test_default_milestones_are_monthly_across_eight_sessions():
    start = dt.date(2026, 3, 2)
    fortnightly = cp.eight_sessions_end(start, model.Frequency.FORTNIGHTLY)
    assert fortnightly == start + dt.timedelta(weeks=16)
    assert [m.due_on for m in cp.default_milestones(start, fortnightly)] == [
        dt.date(2026, 3, 30),
        dt.date(2026, 4, 27),
        dt.date(2026, 5, 25),
        dt.date(2026, 6, 22),
    ]
    weekly = cp.eight_sessions_end(start, model.Frequency.WEEKLY)
    assert len(cp.default_milestones(start, weekly)) == 2
    assert len(cp.default_milestones(start, cp.eight_sessions_end(start, None))) == 4
    assert cp.default_milestones(start, start) == []
    assert cp.default_milestones(start)[0].description == "Month 1: review progress with my partner"


def test_the_plan_reads_well():
    text = cp.markdown(complete_plan(1), "Alice")
    assert text.startswith("# Personal Change Plan: Protect time for deep work\n")
    assert "Status: dropped: Changed role." in text
    assert "1. Block Tuesday mornings (by 12 Jan 2026)" in text
    assert "- Urgent requests: Defer to the afternoon" in text
    assert "Where I start: -2 (much less than expected)." in text
    assert "- **+2** (much more than expected): Three or more" in text
    bare = cp.markdown(
        model.ChangePlan(person_id=1, change="Rest", created_on=dt.date(2026, 1, 1)), "Bob"
    )
    assert "## Steps\n\n-\n" in bare


def test_a_plan_document_shows_markup_in_what_was_written_as_typed():
    plan = complete_plan(1).replace(change="Sleep <script>alert(1)</script> & rest")
    text = cp.markdown(plan, "<b>Zoë</b> 🦊")
    assert re.search(r"(?<!\\)<", text) is None  # every "<" escaped
    assert "Sleep \\<script>alert(1)\\</script> \\& rest" in text
    page = documents.html_page(text, "Plan")
    assert "Sleep &lt;script&gt;alert(1)&lt;/script&gt; &amp; rest" in page
    assert "&lt;b&gt;Zoë&lt;/b&gt; 🦊" in page
