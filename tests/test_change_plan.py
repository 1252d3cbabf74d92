"""The change plan's SMART helper, default milestones and document."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from peercoach_lib import change_plan as cp
from peercoach_lib import documents, model
from peercoach_lib.model import PlanStep
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
        # Other languages: a year is a date; other scripts get one honest hint, not five.
        ("Camminare al lavoro tre volte alla settimana entro il 31 marzo 2027", []),
        ("Walk 2000 steps every day at lunchtime with a colleague", ["Time-bound"]),
        # A span of time from now is a time frame too (it was asked for "within eight weeks").
        ("Run 3 times a week, 30 minutes each, for the next 8 weeks.", []),
        ("Cook at home four nights a week over the coming three months", []),
        ("Read two books this month", []),
        # Minutes and hours measure a step, not a time frame.
        ("Run 3 times a week for 30 minutes", ["Time-bound"]),
        ("أمشي إلى العمل ثلاث مرات في الأسبوع حتى نهاية مارس 2027", ["SMART"]),
        ("到2027年3月31日前每周步行上班三次", ["SMART"]),
        # Two sentences: often two goals, or a goal and a step ("Well put" was said of it).
        (
            "Walk to the office three times a week by 31 March 2027. Also cook at home twice.",
            ["Specific"],
        ),
        # Not sentences: an abbreviation's stop, a decimal point.
        ("Run 5.5 km three times a week from Oct. 1 to 31 March 2027", []),
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
    assert "Where I start: −2 (much less than expected)." in text
    assert f"Weight against my other goals: {complete_plan(1).weight:g}." in text
    assert "- **+2** (much more than expected): Three or more" in text
    bare = cp.markdown(
        model.ChangePlan(person_id=1, change="Rest", created_on=dt.date(2026, 1, 1)), "Bob"
    )
    assert "## Steps\n\n(none)\n" in bare
    assert "<li></li>" not in documents.html_page(bare, "Plan")  # no empty bullets


def test_a_plan_document_shows_markup_in_what_was_written_as_typed():
    plan = complete_plan(1).replace(change="Sleep <script>alert(1)</script> & rest")
    text = cp.markdown(plan, "<b>Zoë</b> 🦊")
    assert re.search(r"(?<!\\)<", text) is None  # every "<" escaped
    assert "Sleep \\<script\\>alert(1)\\</script\\> \\& rest" in text
    page = documents.html_page(text, "Plan")
    assert "Sleep &lt;script&gt;alert(1)&lt;/script&gt; &amp; rest" in page
    assert "&lt;b&gt;Zoë&lt;/b&gt; 🦊" in page


@pytest.mark.parametrize(
    ("statement", "written", "exists"),
    [
        ("Walk three times a week by 31 Feb 2027", "31 Feb 2027", False),
        ("Send it by February 31st, 2027", "February 31st, 2027", False),
        ("Done before 2027-02-31", "2027-02-31", False),
        ("Done by 31/04/2027", "31/04/2027", False),
        ("Done by 30 feb", "30 feb", False),
        ("Done by the 31st of June", "31st of June", False),
        ("Done by 29 Feb", "29 Feb", True),  # no year: a leap year has it
        ("Done by 03/04/2027", "03/04/2027", True),
        ("Done by 12/25/2027", "12/25/2027", True),  # month first
        ("Run 5k on March 3rd.", "March 3rd", True),
    ],
)
def test_dates_are_found_as_written_and_checked_against_the_calendar(statement, written, exists):
    (found,) = cp.written_dates(statement)
    assert (found.text, found.exists) == (written, exists)


@pytest.mark.parametrize(
    "statement", ["Swim for May 45 minutes", "I may 3 times a week swim", "12 pages, 3 drafts"]
)
def test_numbers_that_are_not_dates_are_not_taken_for_dates(statement):
    assert cp.written_dates(statement) == []


def test_the_smart_helper_points_out_a_date_that_does_not_exist_or_has_passed():
    plan = complete_plan(1).replace(confidence=7)  # started 5 January 2026
    impossible = plan.replace(goal_statement="Two 2-hour focus blocks a week by 31 Feb 2027")
    assert [(h.criterion, h.hint) for h in cp.smart_hints(impossible)] == [
        ("Time-bound", "'31 Feb 2027' is not a date in the calendar")
    ]
    passed = plan.replace(goal_statement="Two 2-hour focus blocks a week by 3 March 2025")
    (hint,) = cp.smart_hints(passed)
    assert "'3 March 2025' is before the plan started (5 Jan 2026)" in hint.hint
    assert cp.smart_hints(plan) == []


def test_steps_and_milestones_fall_after_the_plan_started_and_milestones_have_words():
    plan = complete_plan(1)  # started 5 January 2026
    assert cp.plan_errors(plan) == {}
    early = plan.replace(
        steps=[model.PlanStep(text="Start", by_when=dt.date(2026, 1, 4))],
        milestones=[
            model.Milestone(due_on=dt.date(2026, 2, 2), description="Month one"),
            model.Milestone(due_on=dt.date(2025, 12, 1), description=""),
        ],
    )
    assert cp.plan_errors(early) == {
        "steps[0].by_when": (
            "By when (step 1): 4 Jan 2026 is before the plan started (5 Jan 2026)"
        ),
        "milestones[1].due_on": (
            "Date (milestone 2): 1 Dec 2025 is before the plan started (5 Jan 2026)"
        ),
        "milestones[1].description": (
            "Milestone (milestone 2): say what you expect to have done by then"
        ),
    }


def test_gas_notes_name_the_levels_still_to_describe_once_one_is():
    assert cp.gas_notes(model.GasScale()) == {}
    assert cp.gas_notes(complete_plan(1).gas) == {}
    notes = cp.gas_notes(model.GasScale(expected="One block a week"))
    assert sorted(notes) == [
        "gas.much_less",
        "gas.much_more",
        "gas.somewhat_less",
        "gas.somewhat_more",
    ]
    assert all("still to describe" in text for text in notes.values())
    assert notes["gas.much_less"].startswith("“−2: much less than expected” is still to describe")


def test_what_people_write_shows_as_typed_in_the_documents_and_loads_nothing():
    why = (
        "I want to feel fit again.\nMy doctor said so.\n# Status: achieved\n"
        "![x](http://198.51.100.7/pixel.png)\n\n1. *first* - [link](javascript:alert(1))"
    )
    text = cp.markdown(complete_plan(1).replace(why_it_matters=why), "Alice")
    page = documents.html_page(text, "Plan")
    body = page[page.index("<main>") :]
    for raw in ("<h1>Status", "<img", "<em>", "<a "):
        assert raw not in body
    assert (
        "I want to feel fit again.<br />\nMy doctor said so.<br />\n# Status: achieved<br />\n"
        "![x](http://198.51.100.7/pixel.png)<br />\n<br />\n"
        "1. *first* - [link](javascript:alert(1))"
    ) in body
    assert "default-src 'none'" in page  # and the page may fetch nothing, whatever it holds


def test_a_lines_indent_is_kept_in_the_documents():
    """ "  - a point" under a line stays set in under it, in the Markdown and on the page (it
    lost its spaces), and is neither a list nor a code block."""
    why = "Options:\n  - move team\n\t- stay where I am\n        even this deep"
    text = cp.markdown(complete_plan(1).replace(why_it_matters=why), "Alice")
    nbsp, joiner = "\u00a0", "\u2060"
    assert f"Options:\\\n{joiner}{nbsp * 2}\\- move team\\\n" in text
    assert f"{joiner}{nbsp * 4}\\- stay where I am" in text
    page = documents.html_page(text, "Plan")
    body = page[page.index("<main>") :]
    assert f"Options:<br />\n{joiner}{nbsp * 2}- move team<br />\n" in body
    assert f"{joiner}{nbsp * 8}even this deep" in body
    for block in ("<pre>", "<code>", "<ul>"):
        assert block not in body.split("Options:")[1].split("</p>")[0]


@pytest.mark.parametrize(
    ("goal", "passed"),
    [
        ("Two 2-hour focus blocks a week by Dec 2025", "'Dec 2025'"),
        ("Two 2-hour focus blocks a week by the end of 2025", "'by the end of 2025'"),
        ("Two 2-hour focus blocks a week by Jan 2026", None),  # the month the plan started
        ("Two 2-hour focus blocks a week in 2026", None),
        ("Two 2-hour blocks a week, as I did in 2019, by 30 June 2027", None),  # one ahead
    ],
)
def test_a_month_or_year_that_has_passed_is_pointed_out(goal, passed):
    plan = complete_plan(1).replace(confidence=7, goal_statement=goal)  # started 5 Jan 2026
    hints = [h.hint for h in cp.smart_hints(plan)]
    if passed is None:
        assert hints == []
    else:
        assert hints == [
            f"{passed} is before the plan started (5 Jan 2026): choose a date still to come"
        ]


def test_plans_that_say_the_same_are_told_apart_by_their_start_then_number():
    def plan(pid: int, change: str, day: int) -> model.ChangePlan:
        return model.ChangePlan(
            id=pid, person_id=1, change=change, created_on=dt.date(2026, 8, day)
        )

    names = cp.plan_names(
        [plan(1, "Sleep more", 3), plan(2, "Save money", 3), plan(3, "Save money", 9)]
    )
    assert names == {
        1: "Sleep more",
        2: "Save money (from 3 Aug 2026)",
        3: "Save money (from 9 Aug 2026)",
    }
    same_day = cp.plan_names([plan(4, "Save money", 3), plan(5, "Save money", 3)])
    assert same_day == {
        4: "Save money (from 3 Aug 2026, first)",
        5: "Save money (from 3 Aug 2026, second)",
    }


def test_the_plan_lists_its_milestones_from_the_first_due():
    plan = model.ChangePlan(
        person_id=1,
        change="Run",
        created_on=dt.date(2026, 3, 2),
        milestones=[
            model.Milestone(due_on=dt.date(2026, 5, 4), description="10 km"),
            model.Milestone(due_on=dt.date(2026, 4, 6), description="5 km"),
        ],
    )
    text = cp.markdown(plan, "Alice")
    assert "- 6 Apr 2026: 5 km\n- 4 May 2026: 10 km\n" in text
    assert [m.description for m in plan.milestones] == ["10 km", "5 km"]  # as typed


def test_steps_without_a_by_when_date_are_noted_by_path():
    steps = [
        PlanStep(text="Block Tuesday mornings", by_when=dt.date(2026, 3, 9)),
        {"text": "Tell the team", "by_when": None},
        {"text": "   ", "by_when": None},  # an empty row: nothing to date
        PlanStep(text="Review with my coach"),
    ]
    notes = cp.step_notes(steps)
    assert list(notes) == ["steps[1].by_when", "steps[3].by_when"]
    assert notes["steps[3].by_when"].startswith("Step 4 has no by-when date")
    assert cp.step_notes([]) == {}


@pytest.mark.parametrize(
    ("goal", "far"),
    [
        ("Two 2-hour focus blocks a week by 31 December 2099", "31 December 2099"),
        ("Two 2-hour focus blocks a week, as in 2019, by 2035", "by 2035"),
        ("Two 2-hour focus blocks a week by 5 January 2029", None),  # three years exactly
        ("Two 2-hour focus blocks a week by 6 January 2029", "6 January 2029"),
        ("Two 2-hour focus blocks a week by June 2027, four by 2040", None),  # nearest counts
        ("Two 2-hour focus blocks a week by 31 March 2026", None),
    ],
)
def test_a_goal_whose_nearest_date_is_years_away_is_pointed_out(goal, far):
    plan = complete_plan(1).replace(goal_statement=goal)  # started 5 January 2026
    timed = [h for h in cp.smart_hints(plan) if h.criterion == "Time-bound"]
    if far is None:
        assert timed == []
    else:
        (hint,) = timed
        assert hint.hint.startswith(f"'{far}' is more than 3 years away")
