"""The LSI app, driven through its sliders."""

from __future__ import annotations

import datetime as dt
import html
import urllib.parse

import pytest

from peercoach_lib import lsi, model
from peercoach_lib.apps import forms
from peercoach_lib.apps.lsi_app import LsiApp
from peercoach_lib.model import PlanStatus
from tests.examples import quoted as q

TODAY = dt.date(2026, 3, 1)


@pytest.fixture
def app(store, pair):
    return LsiApp(store, person_id=pair["alice"].id, today=TODAY)


def rate(app: LsiApp, satisfaction: list[int], importance: list[int]) -> None:
    """Move every slider, as a person does one after another. The scores and charts follow
    each move (the tests that move one slider check that); here they are worked out once, after
    the last move, rather than twenty times over (each drawing its charts)."""
    moves = [
        (slider, value)
        for row, s, i in zip(app.rows, satisfaction, importance, strict=True)
        for slider, value in ((row.satisfaction, s), (row.importance, i))
    ]
    *before, (last, value) = moves
    loading, app._loading = app._loading, True
    try:
        for slider, to in before:
            slider.value = to
    finally:
        app._loading = loading
    if last.value == value:
        app._on_rating(None)  # the last move changes nothing: the others still count
    else:
        last.value = value


SAT = [3, 7, 4, 8, 6, 9, 5, 5, 7, 2]
IMP = [9, 6, 9, 8, 5, 9, 7, 4, 6, 8]


def test_rating_updates_results_and_saving_keeps_them(store, pair, app):
    assert [row.area for row in app.rows] == lsi.load_areas()
    rate(app, SAT, IMP)
    # index 5.6 * 10; gaps: Pace of life +6, Work +6 (tie: lower satisfaction first), Health +5
    assert "Index: 56.0" in app.results.value and "Spread:</strong> 7" in app.results.value
    assert app.focus.value == ("Pace of life", "Work and career", "Health and energy")
    # The gaps table in the same order as the suggested focus.
    table = app.results.value.split("<tbody>")[1]
    at = [table.index(f"<td>{area}</td>") for area in app.focus.value]
    assert at == sorted(at)
    assert app.wheel.png.startswith(b"\x89PNG") and app.wheel.alt.startswith(
        "Life satisfaction wheel"
    )
    app.note.value = "A tiring month"
    app.save_button.click()
    assert "Saved your assessment of 1 March 2026 (index 56.0)" in app.result.value
    (saved,) = store.find(model.LsiAssessment, person_id=pair["alice"].id)
    assert [a.satisfaction for a in saved.areas] == SAT
    assert [a.importance for a in saved.areas] == IMP
    assert [a.area for a in saved.areas] == lsi.load_areas() and saved.note == "A tiring month"
    # Reopened, the sliders start where I was, and the history lists the assessment.
    again = LsiApp(store, person_id=pair["alice"].id, today=TODAY)
    assert [r.satisfaction.value for r in again.rows] == SAT
    assert [r.importance.value for r in again.rows] == IMP
    assert ">1 Mar 2026</td>" in again.history_table.value
    assert "padding-right:14px'>56.0</td>" in again.history_table.value  # kept apart
    assert "56.0" in again.history_table.value


def test_a_later_assessment_is_compared_with_the_earlier_one(store, pair):
    earlier = model.LsiAssessment(
        person_id=pair["alice"].id,
        taken_on=dt.date(2026, 1, 5),
        areas=[{"area": a, "satisfaction": 4} for a in lsi.load_areas()],
    )
    store.save(earlier)
    app = LsiApp(store, person_id=pair["alice"].id, today=TODAY)
    # The sliders start as left on 5 January: that compared with itself is no news.
    assert app.comparison.layout.display == "none"
    assert (
        "The sliders start where you left them on 5 January 2026: move them to rate how "
        "things are now" in app.comparison_title.value
    )
    app.rows[2].satisfaction.value = 9
    assert "Compared with 5 January 2026: index 40.0 → 45.0 (+5.0)" in app.comparison_title.value
    assert app.comparison.layout.display == "flex"
    assert app.comparison.png.startswith(b"\x89PNG")
    assert app.comparison.alt == (
        f"Index rose from 40 to 45 since 5 January 2026; largest gain: {lsi.load_areas()[2]} (+5)."
    )
    # Its numbers as the chart labels them: each side by its day, the change signed.
    numbers = app.comparison.table.value
    assert "<th>5 Jan 2026</th>" in numbers and "<th>1 Mar 2026</th>" in numbers
    assert "<td>+5</td>" in numbers and "<td>±0</td>" in numbers


def test_a_spread_of_one_is_one_point(app):
    for row in app.rows:
        row.satisfaction.value = 5
    app.rows[0].satisfaction.value = 6
    assert "<strong>Spread:</strong> 1 point between" in app.results.value
    app.rows[0].satisfaction.value = 7
    assert "<strong>Spread:</strong> 2 points between" in app.results.value


def test_a_first_assessment_has_no_comparison(app):
    assert app.comparison.layout.display == "none"
    assert "This will be your first assessment" in app.history_table.value


def test_the_app_says_it_is_not_a_clinical_measure(app):
    assert "not a validated psychological or clinical measure" in app.about.value


def test_focus_areas_lead_to_a_change_plan_once_the_assessment_is_saved(app, pair):
    rate(app, SAT, IMP)
    app.focus.value = ("Money", "Family")
    # Following a link leaves the page: what is not saved would be lost without a word.
    assert "href" not in app.plan_link.value
    assert (
        "Save this assessment first: then a link here starts a Personal Change Plan for "
        "each of Money and Family." in app.plan_link.value
    )
    app.save_button.click()
    assert "Saved your assessment" in app.result.value
    # A plan serves one life area: one link for each area chosen.
    hrefs = [html.unescape(h.split("'")[0]) for h in app.plan_link.value.split("href='")[1:]]
    assert len(hrefs) == 2
    for href, area in zip(hrefs, ("Money", "Family"), strict=True):
        path, query = href.split("?")
        assert path == "personal_change_plan.ipynb"
        assert urllib.parse.parse_qs(query) == {
            "person": [str(pair["alice"].id)],
            "focus": [area],
        }
        assert f">Start a Personal Change Plan for {area}</a>" in app.plan_link.value


def test_an_area_with_a_plan_under_way_links_to_that_plan(store, pair):
    """The link opens the plan already made for the area (it said "Start" a plan); a plan
    dropped does not count."""
    alice = pair["alice"].id
    for area, status in (("Money", PlanStatus.ACTIVE), ("Family", PlanStatus.DROPPED)):
        store.save(
            model.ChangePlan(
                person_id=alice, change=f"More {area}", lsi_area=area, created_on=TODAY,
                status=status, status_reason="Not now" if status is PlanStatus.DROPPED else "",
            )
        )  # fmt: skip
    app = LsiApp(store, person_id=alice, today=TODAY)
    rate(app, SAT, IMP)
    app.focus.value = ("Money", "Family")
    # Before saving, what the links will do (it said each would start a plan).
    assert (
        "Save this assessment first: then a link here opens your Personal Change Plan for "
        "Money and starts one for Family." in app.plan_link.value
    )
    app.save_button.click()
    app.focus.value = ("Money", "Family")
    assert ">Open your Personal Change Plan for Money</a>" in app.plan_link.value
    assert ">Start a Personal Change Plan for Family</a>" in app.plan_link.value


def test_a_future_date_is_refused_and_nothing_is_saved(store, app):
    app.taken_on.value = TODAY + dt.timedelta(days=3)
    assert "cannot be after today (1 Mar 2026)" in app.taken_on.message.value  # as chosen
    app.save_button.click()
    assert "cannot be after today (1 Mar 2026)" in app.taken_on.message.value
    app.taken_on.value = None
    app.save_button.click()
    assert "Error:</strong> needs a date</div>" in app.taken_on.message.value
    # A day far ahead: the rule that matters is said, not the range of years.
    app.taken_on.value = dt.date(9999, 12, 31)
    app.save_button.click()
    assert "cannot be after today (1 Mar 2026)" in app.taken_on.message.value
    assert "2100" not in app.taken_on.message.value
    assert store.find(model.LsiAssessment) == []
    # Once the date is put right, the summary under Save goes with its mark.
    assert f"Nothing was saved: {q('Date')} needs attention" in app.result.value
    app.taken_on.value = TODAY
    assert app.result.value == ""


def test_an_assessment_keeps_the_areas_it_was_taken_with(store, pair, monkeypatch):
    monkeypatch.setattr(lsi, "load_areas", lambda: ["Work", "Rest"])
    app = LsiApp(store, person_id=pair["alice"].id, today=TODAY)
    rate(app, [2, 8], [9, 9])
    app.save_button.click()
    monkeypatch.setattr(lsi, "load_areas", lambda: ["Work", "Play"])
    later = LsiApp(store, person_id=pair["alice"].id, today=TODAY + dt.timedelta(days=30))
    assert [r.area for r in later.rows] == ["Work", "Play"]
    assert [r.satisfaction.value for r in later.rows] == [2, 5]  # "Play" is new: starts at 5
    (saved,) = store.find(model.LsiAssessment)
    assert [a.area for a in saved.areas] == ["Work", "Rest"]


def test_every_problem_is_shown_at_once(store, app):
    app.taken_on.value = TODAY + dt.timedelta(days=3)
    app.note.value = "x" * 5000
    app.save_button.click()
    assert "cannot be after today (1 Mar 2026)" in app.taken_on.message.value
    assert "at most 4,000 characters (it has " in app.note.message.value
    assert store.find(model.LsiAssessment) == []


def test_saving_again_the_same_day_updates_that_days_assessment(store, pair, app):
    rate(app, SAT, IMP)
    app.save_button.click()
    app.rows[0].satisfaction.value = 10
    app.save_button.click()
    assert "Updated your assessment of 1 March 2026" in app.result.value
    (saved,) = store.find(model.LsiAssessment, person_id=pair["alice"].id)
    assert (
        saved.areas[0].satisfaction == 10 and [a.satisfaction for a in saved.areas[1:]] == SAT[1:]
    )
    assert app.history_table.value.count(">1 Mar 2026</td>") == 1
    # Another day is another assessment.
    app.taken_on.value = TODAY - dt.timedelta(days=1)
    app.save_button.click()
    assert "Saved your assessment of 28 February 2026" in app.result.value
    assert len(store.find(model.LsiAssessment, person_id=pair["alice"].id)) == 2


def test_a_day_already_saved_shows_its_note_so_saving_again_keeps_it(store, pair, app):
    rate(app, SAT, IMP)
    app.note.value = "Work is heavy this month"
    app.save_button.click()

    again = LsiApp(store, person_id=pair["alice"].id, today=TODAY)  # the page reloaded
    assert again.note.value == "Work is heavy this month"
    again.rows[0].satisfaction.value = 10
    again.save_button.click()
    (saved,) = store.find(model.LsiAssessment, person_id=pair["alice"].id)
    assert saved.note == "Work is heavy this month" and saved.areas[0].satisfaction == 10

    # The note follows the date while nobody writes in it: another day has a note of its own.
    again.taken_on.value = TODAY - dt.timedelta(days=3)
    assert again.note.value == ""
    again.taken_on.value = TODAY
    assert again.note.value == "Work is heavy this month"
    # Once written in, the note stays whatever the date.
    again.note.value = "Better now"
    again.taken_on.value = TODAY - dt.timedelta(days=3)
    assert again.note.value == "Better now"
    # Emptying the note on purpose empties it.
    again.taken_on.value = TODAY
    again.note.value = ""
    again.save_button.click()
    (saved,) = store.find(model.LsiAssessment, person_id=pair["alice"].id)
    assert saved.note == ""


def test_an_earlier_day_already_saved_shows_its_own_ratings_until_sliders_move(store, pair, app):
    rate(app, SAT, IMP)
    week_ago = TODAY - dt.timedelta(days=7)
    app.taken_on.value = week_ago
    app.note.value = "A week ago"
    app.save_button.click()
    app.taken_on.value = TODAY
    app.rows[0].satisfaction.value = 10
    app.save_button.click()  # today's is now the latest, shown on the sliders
    again = LsiApp(store, person_id=pair["alice"].id, today=TODAY)
    assert again.rows[0].satisfaction.value == 10
    again.taken_on.value = week_ago  # that day's own ratings and note, nothing to replace
    assert again.rows[0].satisfaction.value == SAT[0] and again.note.value == "A week ago"
    assert again.taken_on.kind is None
    assert "Index: 56.0" in again.results.value
    again.taken_on.value = TODAY
    assert again.rows[0].satisfaction.value == 10 and again.note.value == ""
    # Sliders moved, then an earlier day chosen: they stay, and saving would replace its own.
    again.rows[1].satisfaction.value = 0
    again.taken_on.value = week_ago
    assert again.rows[1].satisfaction.value == 0 and again.rows[0].satisfaction.value == 10
    assert again.taken_on.kind == "warning"
    assert "saving replaces its ratings with these" in again.taken_on.message.value
    assert again.note.value == "A week ago"
    again.taken_on.value = TODAY
    assert again.taken_on.kind is None


def test_two_windows_saving_the_same_day_keep_one_assessment_and_say_so(store, pair):
    first = LsiApp(store, person_id=pair["alice"].id, today=TODAY)
    second = LsiApp(store, person_id=pair["alice"].id, today=TODAY)
    rate(first, SAT, IMP)
    first.note.value = "From the laptop"
    first.save_button.click()
    assert "Saved your assessment of" in first.result.value
    second.rows[0].satisfaction.value = 9
    second.save_button.click()
    (saved,) = store.find(model.LsiAssessment, person_id=pair["alice"].id)
    assert saved.areas[0].satisfaction == 9
    assert "Updated your assessment of" in second.result.value
    assert (
        "It replaces the one saved for that day from another window since this page opened "
        "(index 56.0)"
    ) in second.result.value
    second.rows[0].satisfaction.value = 8
    second.save_button.click()  # its own now: an ordinary update
    assert "another window" not in second.result.value


def test_the_focus_picked_stays_when_a_slider_moves(store, pair, app):
    rate(app, SAT, IMP)
    suggested = app.focus.value
    picked = ("Family", "Fun and recreation")
    assert set(picked) <= set(app.focus.options) and set(picked) != set(suggested)
    app.focus.value = picked
    app.rows[0].satisfaction.value = 0
    app.taken_on.value = TODAY - dt.timedelta(days=2)
    assert app.focus.value == picked
    assert "Family and Fun and recreation" in app.plan_link.value
    app.note.value = "Only the note changed"
    app.save_button.click()
    assert "href" in app.plan_link.value
    app.note.value = "Changed again"  # a note not saved holds the link back too
    assert "href" not in app.plan_link.value
    app.person.value = pair["bob"].id  # someone else: suggestions again
    app.unsaved.discard_button.click()
    assert app.person.value == pair["bob"].id and app.focus.value != picked


def test_a_comparison_with_an_assessment_of_other_areas_says_so(store, pair, app):
    rate(app, SAT, IMP)
    earlier = app.draft().replace(
        taken_on=TODAY - dt.timedelta(days=30),
        areas=[*app.draft().areas[1:], model.LsiAreaRating(area="Finances", satisfaction=2)],
    )
    store.save(earlier)
    later = LsiApp(store, person_id=pair["alice"].id, today=TODAY)
    area = later.rows[0].area
    later.rows[0].satisfaction.value = 7  # rated now
    assert f"other areas (new: {area}; no longer asked: Finances)" in later.comparison_title.value
    assert "(over other areas: new: " in lsi.describe_comparison(earlier, later.draft())


def test_choosing_another_person_clears_what_was_typed_for_the_first(store, pair, app):
    app.note.value = "Private to Alice"
    app.taken_on.value = TODAY - dt.timedelta(days=10)
    app.rows[0].satisfaction.value = 9
    app.person.value = pair["bob"].id
    # Held back first: Alice's unsaved ratings and note stay until she discards them.
    assert app.person.value == pair["alice"].id and app.note.value == "Private to Alice"
    assert "changes to this assessment that are not saved" in app.unsaved.text.value
    app.unsaved.discard_button.click()
    assert app.person.value == pair["bob"].id
    assert app.note.value == "" and app.taken_on.value == TODAY
    assert app.rows[0].satisfaction.value == 5
    app.save_button.click()
    (saved,) = store.find(model.LsiAssessment)
    assert saved.person_id == pair["bob"].id and saved.note == ""


def test_a_saved_note_ending_in_a_new_line_still_follows_the_date(store, pair, app):
    """The record trims a note; the box must show it trimmed, or it reads as edited and is
    carried to another day's assessment, replacing that day's note."""
    rate(app, SAT, IMP)
    app.note.value = "Feeling tired this week\n"
    app.save_button.click()
    assert app.note.value == "Feeling tired this week"
    earlier = TODAY - dt.timedelta(days=10)
    app.taken_on.value = earlier
    assert app.note.value == ""  # a day with no note of its own
    app.note.value = "Ten days ago"
    app.save_button.click()
    app.taken_on.value = TODAY
    assert app.note.value == "Feeling tired this week"
    app.note.value = "Feeling tired this week\n "  # spaces only: still this day's note
    app.taken_on.value = earlier
    assert app.note.value == "Ten days ago"
    app.taken_on.value = TODAY
    app.save_button.click()
    notes = {a.taken_on: a.note for a in store.find(model.LsiAssessment)}
    assert notes == {TODAY: "Feeling tired this week", earlier: "Ten days ago"}


def test_a_note_typed_over_a_day_already_saved_says_it_replaces_its_note(store, pair, app):
    rate(app, SAT, IMP)
    app.note.value = "Written first"
    app.save_button.click()
    app.note.value = "Written again"  # this day's own note, edited: an ordinary update
    assert app.taken_on.kind is None
    app.note.value = "Today's note"
    app.save_button.click()
    earlier = TODAY - dt.timedelta(days=3)
    app.taken_on.value = earlier
    app.note.value = "Three days ago"
    app.save_button.click()
    app.note.value = "Written over"  # this day's own note (and ratings), edited
    assert app.taken_on.kind is None
    app.taken_on.value = TODAY  # then back to today, whose note differs
    assert app.note.value == "Written over"
    assert "saving replaces its note with these" in app.taken_on.message.value
    app.note.value = "Today's note"  # as saved: nothing to say
    assert app.taken_on.kind is None
    app.taken_on.value = earlier  # the box began as this day's note: edited, not replacing
    assert app.taken_on.kind is None
    app.rows[0].satisfaction.value = 0  # a slider moved, then another day already saved
    app.taken_on.value = TODAY
    assert "saving replaces its ratings with these" in app.taken_on.message.value


def test_a_save_notice_says_when_the_sliders_moved_since(store, pair, app):
    app.save_button.click()
    assert "Saved your assessment" in app.result.value
    app.rows[0].satisfaction.value = 9
    assert "Changed since: save again to keep the changes." in app.result.value


def test_leaving_the_page_is_asked_about_only_while_edits_are_unsaved(store, pair, app):
    # The LSI keeps no draft: what is not saved is lost when the page goes.
    assert not app.unsaved.holds_unsaved
    rate(app, SAT, IMP)
    app.unsaved.refresh()  # (a served page does this after each change from the browser)
    assert app.unsaved.holds_unsaved
    assert forms.UnsavedChanges.HOLDS_UNSAVED in app.unsaved._dom_classes
    app.save_button.click()
    assert not app.unsaved.holds_unsaved
    app.rows[0].satisfaction.value = SAT[0] + 1
    app.unsaved.refresh()
    assert app.unsaved.holds_unsaved
    app.rows[0].satisfaction.value = SAT[0]  # back as saved: nothing to lose
    app.unsaved.refresh()
    assert not app.unsaved.holds_unsaved


def test_a_day_already_saved_chosen_untouched_holds_nothing_unsaved(store, pair, app):
    """Choosing an earlier assessment's day shows it as saved: nothing to lose on leaving, and
    the link to a plan is offered (both treated the day chosen as an edit)."""
    app.taken_on.value = TODAY - dt.timedelta(days=30)
    rate(app, SAT, IMP)
    app.note.value = "A month ago"
    app.save_button.click()
    app.taken_on.value = TODAY
    rate(app, [min(10, s + 1) for s in SAT], IMP)
    app.save_button.click()
    assert not app.unsaved.unsaved
    app.taken_on.value = TODAY - dt.timedelta(days=30)  # the earlier one, as saved
    assert [row.satisfaction.value for row in app.rows] == SAT
    assert not app.unsaved.unsaved
    app.unsaved.refresh()
    assert not app.unsaved.holds_unsaved
    app.rows[0].satisfaction.value = SAT[0] + 1  # an edit of it is one
    assert app.unsaved.unsaved
    app.rows[0].satisfaction.value = SAT[0]
    assert not app.unsaved.unsaved
    app.taken_on.value = TODAY - dt.timedelta(days=10)  # a day not saved, nothing rated yet
    assert not app.unsaved.unsaved
    app.note.value = "Typed"
    assert app.unsaved.unsaved


def test_a_day_between_two_saved_starts_from_the_one_before_it(store, pair, app):
    """Its sliders start where the person was then, and its comparison (with the one before)
    shows only what is moved: started from the later one, it showed that one's changes."""
    later = [min(10, s + 2) for s in SAT]
    for day, ratings in ((TODAY - dt.timedelta(days=60), SAT), (TODAY, later)):
        app.taken_on.value = day
        rate(app, ratings, IMP)
        app.save_button.click()
    app.taken_on.value = TODAY - dt.timedelta(days=30)
    assert [row.satisfaction.value for row in app.rows] == SAT
    app.taken_on.value = TODAY - dt.timedelta(days=90)  # before both: the nearest, after it
    assert [row.satisfaction.value for row in app.rows] == SAT
    app.taken_on.value = TODAY + dt.timedelta(days=1)  # after both: the latest
    assert [row.satisfaction.value for row in app.rows] == later


def test_an_importance_moved_keeps_the_charts_drawn_and_a_satisfaction_redraws_them(
    store, pair, monkeypatch
):
    """The wheel and the comparison draw satisfaction alone: an importance moved brings new
    words and numbers (its priority gap) but not a new picture, which took a kernel a good
    part of a second each time, slider move after slider move."""
    from peercoach_lib import charts

    store.save(
        model.LsiAssessment(
            person_id=pair["alice"].id,
            taken_on=dt.date(2026, 1, 5),
            areas=[{"area": a, "satisfaction": 4} for a in lsi.load_areas()],
        )
    )
    app = LsiApp(store, person_id=pair["alice"].id, today=TODAY)
    app.rows[0].satisfaction.value = 7  # the comparison is shown
    drawn = []
    to_png = charts.to_png
    monkeypatch.setattr(charts, "to_png", lambda figure: drawn.append(figure) or to_png(figure))
    wheel, comparison = app.wheel.png, app.comparison.png
    app.rows[1].importance.value = 10
    assert drawn == []
    assert (app.wheel.png, app.comparison.png) == (wheel, comparison)
    gap = 10 - app.rows[1].satisfaction.value
    assert f"<td>{gap}</td>" in app.wheel.table.value  # its numbers follow the move
    app.rows[1].satisfaction.value = 9
    assert len(drawn) == 2 and app.wheel.png != wheel and app.comparison.png != comparison
    assert app.wheel.alt == lsi.describe_wheel(app._current())
