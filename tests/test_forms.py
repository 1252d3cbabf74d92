"""The shared form parts: messages under fields and lists, and the summary of a refused save."""

from __future__ import annotations

import datetime as dt

import ipywidgets as widgets
import pandas as pd
import pytest

from peercoach_lib import model
from peercoach_lib.apps import forms
from tests.examples import quoted as q


def _row(item: dict | None) -> dict:
    item = item or {}
    return {
        "text": widgets.Text(value=item.get("text", ""), description="Step"),
        "by_when": widgets.DatePicker(value=item.get("by_when"), description="By when"),
    }


@pytest.fixture
def steps() -> forms.RowList:
    rows = forms.RowList("Steps", "steps", _row, add_label="Add a step", noun="Step")
    rows.load([{"text": "Walk"}, {"text": "Run"}, {"text": "Swim"}])
    return rows


def _invalid(rows: forms.RowList) -> list[tuple[int, str]]:
    return [
        (k, name)
        for k, row in enumerate(rows.rows)
        for name, control in row.items()
        if "peercoach-invalid" in control._dom_classes
    ]


def _said(rows: forms.RowList) -> list[str]:
    """What each row's message line says, then the list's."""
    return [note.value for note in rows.notes] + [rows.message.value]


def test_a_row_error_is_said_under_its_row_and_marks_the_controls_its_path_names(steps):
    forms.show_messages(
        {"steps": steps},
        {
            "steps[1].by_when": "By when (step 2): too early",
            "steps[2]": "Step 3: wrong",
            "steps[2].text": "Step (step 3): too short",
        },
    )
    assert steps.kind == "error"
    first, second, third, whole = _said(steps)
    assert first == "" and whole == ""
    assert "<strong>Error:</strong> By when (step 2): too early" in second
    assert "Step 3: wrong; Step (step 3): too short" in third and "too early" not in third
    # Under the row's controls, in the row's own box.
    line = steps.box.children[1]
    assert line.children[-1] is steps.notes[1] and steps.rows[1]["by_when"] in (
        line.children[0].children
    )
    assert _invalid(steps) == [(1, "by_when"), (2, "text"), (2, "by_when")]
    # A list-wide error is said under the list and marks no control; a note marks none either.
    forms.show_messages({"steps": steps}, {"steps": "at least one step"})
    assert _invalid(steps) == []
    assert _said(steps)[:3] == ["", "", ""] and "at least one step" in steps.message.value
    forms.show_messages({"steps": steps}, {}, {"steps[0].text": "say more"})
    assert steps.kind == "warning" and _invalid(steps) == []


@pytest.mark.parametrize(
    "change",
    [
        lambda rows: setattr(rows.rows[1]["text"], "value", "Walk far"),
        lambda rows: setattr(rows.rows[1]["by_when"], "value", dt.date(2026, 5, 1)),
        lambda rows: rows._remove(rows.rows[1], rows.box.children[1]),
    ],
    ids=["text", "date", "remove"],
)
def test_a_row_error_goes_once_the_person_changes_that_row(steps, change):
    mended = []
    steps.on_mended(lambda: mended.append(True))
    forms.show_messages({"steps": steps}, {"steps[1].by_when": "too early"})
    change(steps)
    assert steps.kind is None and not any(_said(steps))
    assert _invalid(steps) == []
    assert mended == [True]


def test_other_rows_errors_stay_and_follow_their_rows(steps):
    mended = []
    steps.on_mended(lambda: mended.append(True))
    forms.show_messages(
        {"steps": steps},
        {"steps[1].by_when": "By when (step 2): too early", "steps[2]": "Step 3: wrong"},
    )
    steps.rows[0]["text"].value = "Walk far"  # a row without an error
    steps.add.click()
    assert _invalid(steps) == [(1, "by_when"), (2, "text"), (2, "by_when")]
    steps.rows[1]["by_when"].value = dt.date(2026, 5, 1)
    assert steps.kind == "error" and not any("too early" in said for said in _said(steps))
    assert "Step 3: wrong" in steps.notes[2].value
    assert _invalid(steps) == [(2, "text"), (2, "by_when")]
    # Removing an earlier row renumbers the error with its row.
    steps._remove(steps.rows[0], steps.box.children[0])
    assert "Step 2: wrong" in steps.notes[1].value and "Step 3" not in steps.notes[1].value
    assert [bool(said) for said in _said(steps)] == [False, True, False, False]
    assert _invalid(steps) == [(1, "text"), (1, "by_when")]
    assert mended == []
    steps.rows[1]["text"].value = "Right now"
    assert steps.kind is None and _invalid(steps) == [] and mended == [True]


@pytest.mark.parametrize(
    "change",
    [
        lambda rows: setattr(rows.rows[0]["text"], "value", "Walk far"),
        lambda rows: rows.add.click(),
        lambda rows: rows._remove(rows.rows[2], rows.box.children[2]),
    ],
    ids=["text", "add", "remove"],
)
def test_an_error_about_the_list_goes_on_any_change(steps, change):
    mended = []
    steps.on_mended(lambda: mended.append(True))
    forms.show_messages({"steps": steps}, {"steps": "at most two steps"})
    change(steps)
    assert steps.kind is None and steps.message.value == "" and mended == [True]


def test_a_list_note_stays_when_the_list_changes(steps):
    steps.show("warning", "say more")
    steps.rows[0]["text"].value = "Walk far"
    assert steps.kind == "warning" and "say more" in steps.message.value


def test_the_summary_names_marked_fields_and_goes_once_they_are_mended(steps):
    name = forms.text("Name", "name")
    hours = forms.integer("Hours", "hours", low=0, high=10, value=1)
    fields = {"name": name, "hours": hours, "steps": steps}
    result = widgets.HTML()
    forms.retire_when_mended(result, fields.values())
    hours.value = 11  # out of range: marked at once
    unplaced = forms.show_messages(
        fields,
        {**forms.range_errors([hours]), "name": "cannot be empty", "steps[0].text": "too short"},
    )
    assert unplaced == []
    result.value = forms.refused(fields, unplaced, "Your draft is kept.")
    text = result.value
    assert (
        f"Nothing was saved: {q('Name')}, {q('Hours')} and {q('Step 1')} need attention "
        "(marked Error). Your draft is kept."
    ) in text
    name.value = "Ana"
    assert (
        f"Nothing was saved: {q('Hours')} and {q('Step 1')} need attention (marked Error)."
        in result.value
    )
    steps.rows[0]["text"].value = "Walk every day"
    text = result.value
    assert f"Nothing was saved: {q('Hours')} needs attention (marked Error)." in text
    assert "Your draft is kept." in text  # the rest is as it was
    hours.value = 12
    assert result.value == text
    hours.value = 8
    assert result.value == ""


def test_the_summary_names_each_row_of_a_list_said_to_be_wrong(steps):
    """Two steps marked under themselves are two places to put right, not one field; each is
    named by its number as it is now."""
    result = widgets.HTML()
    forms.retire_when_mended(result, [steps])
    unplaced = forms.show_messages(
        {"steps": steps}, {"steps[0].text": "too short", "steps[2].by_when": "too early"}
    )
    result.value = forms.refused({"steps": steps}, unplaced)
    assert (
        f"Nothing was saved: {q('Step 1')} and {q('Step 3')} need attention (marked Error)."
        in result.value
    )
    steps.rows[0]["text"].value = "Walk every day"  # one mended, one left
    assert f"Nothing was saved: {q('Step 3')} needs attention (marked Error)." in result.value
    steps.rows[2]["by_when"].value = dt.date(2026, 5, 1)
    assert result.value == ""


def test_the_summary_names_rows_by_their_numbers_now_and_counts_what_it_cannot_name(steps):
    """A row's number follows the rows removed before it; the list's own error goes by the
    list's label; a label two fields share is said once; past four names the rest are
    counted; a field without a label is counted, never named as nothing."""
    result = widgets.HTML()
    forms.retire_when_mended(result, [steps])
    forms.show_messages({"steps": steps}, {"steps[2].text": "too short"})
    result.value = forms.refused({"steps": steps}, [])
    steps._remove(steps.rows[0], steps.box.children[0])
    assert f"Nothing was saved: {q('Step 2')} needs attention (marked Error)." in result.value
    steps.show("error", "needs a step you can take this week")
    assert f"{q('Steps')} needs attention" in forms.refused({"steps": steps}, [])

    minutes = [forms.integer("Minutes", f"halves[{k}]", low=0, high=60, value=30) for k in range(2)]
    fields = {f.path: f for f in minutes}
    for field in minutes:
        field.value = 90
    assert f"Nothing was saved: {q('Minutes')} need attention (marked Error)." in forms.refused(
        fields, []
    )
    many = {label: forms.text(label, label) for label in "ABCDE"}
    forms.show_messages(many, dict.fromkeys(many, "cannot be empty"))
    assert (
        f"Nothing was saved: {q('A')}, {q('B')}, {q('C')} and 2 other fields need attention "
        "(marked Error)." in (forms.refused(many, []))
    )
    unnamed = {"a": forms.text("A", "a"), "b": forms.Field(widgets.Text(), "b")}
    forms.show_messages(unnamed, dict.fromkeys(unnamed, "cannot be empty"))
    assert "Nothing was saved: 2 fields need attention (marked Error)." in forms.refused(
        unnamed, []
    )


def test_a_summary_with_a_problem_no_field_shows_stays():
    name = forms.text("Name", "name")
    fields = {"name": name}
    result = widgets.HTML()
    forms.retire_when_mended(result, fields.values())
    unplaced = forms.show_messages(fields, {"name": "cannot be empty", "ended": "it has ended"})
    result.value = forms.refused(fields, unplaced)
    assert f"Nothing was saved: {q('Name')} needs attention (marked Error); it has ended." in (
        result.value
    )
    name.value = "Ana"
    assert "it has ended" in result.value
    # Only problems no field shows: said as they are.
    result.value = forms.refused(fields, ["it has ended"])
    assert "Nothing was saved: it has ended." in result.value


def test_another_notice_is_not_taken_away():
    name = forms.text("Name", "name")
    result = widgets.HTML()
    forms.retire_when_mended(result, [name])
    name.show("error", "cannot be empty")
    result.value = forms.notice("ok", "Saved at 10:00.")
    name.value = "Ana"
    assert "Saved at 10:00." in result.value


def test_rows_loaded_anew_take_the_errors_about_the_old_rows_with_them(steps):
    mended = []
    steps.on_mended(lambda: mended.append(True))
    forms.show_messages({"steps": steps}, {"steps[1].by_when": "By when (step 2): too early"})
    steps.load([{"text": "Walk"}, {"text": "Run"}])  # filled in again (monthly milestones, say)
    assert steps.kind is None and not any(_said(steps)) and _invalid(steps) == []
    assert mended == [True]


def test_the_row_a_press_of_add_made_is_marked_for_the_page_to_focus(steps):
    """The page focuses the row an "Add" press made: marked by the list, not guessed from which
    rows are new on the page (a list shown anew brings rows of its own)."""

    def marked() -> list[int]:
        return [k for k, row in enumerate(steps.box.children) if forms.ADDED in row._dom_classes]

    steps.load([{"text": "Walk"}, {"text": "Run"}])
    assert marked() == []
    steps.add.click()
    assert marked() == [2]
    steps.add.click()
    assert marked() == [3]  # the latest press's row alone
    steps.load([{"text": "Swim"}])
    assert marked() == []


def _individual_apps():
    from peercoach_lib.apps.change_plan_app import ChangePlanApp
    from peercoach_lib.apps.conversation_app import ConversationApp
    from peercoach_lib.apps.lsi_app import LsiApp
    from peercoach_lib.apps.my_data_app import MyDataApp
    from peercoach_lib.apps.prep_app import SessionPrepApp
    from peercoach_lib.apps.progress_app import ProgressApp
    from peercoach_lib.apps.session_log_app import SessionLogApp

    return [
        ChangePlanApp,
        ConversationApp,
        LsiApp,
        MyDataApp,
        SessionPrepApp,
        ProgressApp,
        SessionLogApp,
    ]


@pytest.mark.parametrize("make", _individual_apps(), ids=lambda make: make.__name__)
def test_a_link_for_a_facilitator_says_why_nobody_is_chosen_until_someone_is(store, pair, make):
    app = make(store, person_id=pair["fay"].id)
    assert app.person.value is None
    assert app.person.kind == "warning"
    assert (
        "Fay Facilitator is a facilitator, in no pair here: this page is for a participant&#x27;s "
        "own workbook" in app.person.message.value
    )
    app.person.value = pair["alice"].id
    assert app.person.kind is None and app.person.message.value == ""
    # A participant's link, or none, says nothing.
    assert make(store, person_id=pair["alice"].id).person.message.value == ""
    assert make(store).person.message.value == ""


@pytest.mark.parametrize("make", _individual_apps(), ids=lambda make: make.__name__)
def test_a_link_naming_only_a_partnership_says_whose_it_is_until_someone_is_chosen(
    store, pair, make, monkeypatch
):
    store.save(model.Person(name="Carol"))  # in no pair of the link's
    monkeypatch.setenv("QUERY_STRING", f"partnership={pair['partnership'].id}")
    app = make(store)
    assert app.person.value is None and app.person.kind == "warning"
    assert (
        "This link is for the partnership of Alice and Bob: choose which of you is here."
        in app.person.message.value
    )
    # Offered the two of them, not everyone in the workbook.
    assert [label for label, _ in app.person.control.options] == [
        "Choose who you are\u2026",
        "Alice",
        "Bob",
    ]
    app.person.value = pair["bob"].id
    assert app.person.message.value == ""
    monkeypatch.setenv("QUERY_STRING", "partnership=999")  # unknown: the page reports it
    assert make(store).person.message.value == ""


def test_the_place_says_what_the_choosers_hold_now():
    person = forms.dropdown("I am", "person_id", [("Choose who you are…", None), ("A", 3)])
    plan = forms.dropdown("Plan", "plan", [("Start a new plan…", "new"), ("Walk", 7)])
    place = forms.Place(person=person, partnership=plan)
    assert place.layout.display == "none"
    assert place.value == '<span class="peercoach-place" data-person="" data-partnership=""></span>'
    person.value = 3
    plan.value = 7
    assert 'data-person="3" data-partnership="7"' in place.value
    person.value = None  # "Choose who you are…": the page drops it from its address
    assert 'data-person=""' in place.value


def test_a_button_says_what_did_not_happen_when_the_page_holds_it_back():
    button = widgets.Button(description="Pair them")
    forms.says_when_held(button, "Nobody was paired")
    assert "peercoach-lead-nobody-was-paired" in button._dom_classes
    with pytest.raises(ValueError):
        forms.says_when_held(button, "Nobody-was paired: <b>")


def test_a_label_too_long_for_the_labels_column_goes_above_its_box():
    """A goal in a person's own words (up to 500 characters) as a label: a column of a dozen
    lines beside its box, unless it goes above it."""
    short = forms.dropdown("Walk every morning", "levels.1", [("Not rated today", None)])
    long = forms.dropdown(
        "Walk for twenty minutes every morning before work, whatever the weather, and note "
        "how I feel afterwards",
        "levels.2",
        [("Not rated today", None)],
    )
    assert "peercoach-label-above" not in short.control._dom_classes
    assert "peercoach-label-above" in long.control._dom_classes
    assert ".peercoach-label-above > .widget-label" in forms.stylesheet().value
    # A check box's words stand beside it: set under the labels' column, the box went twice
    # as far in as the boxes above it (the ending's confirmation).
    tick = forms.Field(
        widgets.Checkbox(
            description="I have talked with my partner, and booked sessions after this day "
            "will be cancelled"
        ),
        "confirm",
    )
    assert "peercoach-label-above" not in tick.control._dom_classes


@pytest.mark.parametrize(
    ("items", "said"),
    [([], ""), (["Medium"], "Medium"), (["Medium", "the schedule"], "Medium and the schedule")],
)
def test_lists_read_as_a_sentence_lists_them(items, said):
    assert forms.listed(items) == said
    assert forms.listed(["A", "B", "C"]) == "A, B and C"


def _too_long_boxes():
    from peercoach_lib.apps.change_plan_app import ChangePlanApp
    from peercoach_lib.apps.conversation_app import ConversationApp
    from peercoach_lib.apps.lsi_app import LsiApp
    from peercoach_lib.apps.session_log_app import SessionLogApp

    return [
        (LsiApp, "note"),
        (ChangePlanApp, "goal"),
        (ChangePlanApp, "reason"),
        (ConversationApp, "issue"),
        (ConversationApp, "example"),
        (ConversationApp, "learned"),
        (SessionLogApp, "note"),
        (SessionLogApp, "less_helpful"),
    ]


@pytest.mark.parametrize(
    ("make", "box"), _too_long_boxes(), ids=lambda v: getattr(v, "__name__", v)
)
def test_a_box_too_long_is_said_as_it_is_left_in_every_app(store, pair, make, box):
    """It was said there only on saving (the preparation and the agreement said it at once);
    a box emptied is not an error until saved."""
    field = getattr(make(store, person_id=pair["alice"].id), box)
    field.value = "x" * 30_000
    assert field.kind == "error" and "must be at most" in field.message.value, box
    assert "(it has 30,000)" in field.message.value
    field.value = "Short"
    assert field.message.value == ""
    field.value = ""
    assert field.message.value == ""


def test_the_option_for_none_stays_shown_once_chosen():
    """As the person chooses "No change plan" (the value None) in the browser, the box shows
    it: ipywidgets' own dropdown took the selection away, and the box went blank."""
    field = forms.dropdown("Goal", "goal", [("No change plan", None), ("Run", 1)], value=1)
    field.control.index = 0  # as the browser sends a choice
    assert (field.control.index, field.control.label, field.value) == (0, "No change plan", None)
    field.value = 1
    field.control.value = None  # set from the kernel, too
    assert field.control.label == "No change plan"
    # Without an option for none, None is still no selection.
    plain = forms.dropdown("Goal", "goal", [("Run", 1), ("Walk", 2)], value=1)
    plain.control.value = None
    assert plain.control.index is None


def test_a_label_of_plain_text_is_named_as_it_reads():
    """A message naming a field names it as the page shows it: someone's name with "<b>" in
    it is not a tag to strip (only a label of HTML is read without its tags)."""
    plain = forms.text('Zo\u00eb "Z" <b>O\'Brien</b> coached Ravi', "minutes")
    assert plain.label == 'Zo\u00eb "Z" <b>O\'Brien</b> coached Ravi'
    marked = forms.text("How satisfied", "satisfaction")
    forms.label_in_context(marked.control, "Money")
    assert marked.label == "Money: How satisfied"
    plain.show("error", "must be from 5 to 240")
    summary = forms.refused({"minutes": plain})
    assert (
        "\u201cZo\u00eb &quot;Z&quot; &lt;b&gt;O&#x27;Brien&lt;/b&gt; coached Ravi\u201d" in summary
    )


def test_a_check_list_holds_what_is_checked_in_the_order_chosen():
    """The LSI's focus areas: a multiple select asked for Ctrl-click, said nowhere."""
    chosen = forms.CheckList("Focus on")
    seen = []
    chosen.observe(lambda change: seen.append(change["new"]), names="value")
    chosen.options = ["Money", "Family", "Health"]
    assert [b.description for b in chosen.boxes] == ["Money", "Family", "Health"]
    chosen.value = ("Health", "Money")  # as suggested: most wanting first
    assert [b.value for b in chosen.boxes] == [True, False, True]
    chosen.boxes[1].value = True  # checked by hand: after those checked before
    assert chosen.value == ("Health", "Money", "Family")
    chosen.boxes[2].value = False
    assert chosen.value == ("Money", "Family")
    # New options keep what is still offered, and nothing else.
    chosen.options = ["Family", "Work"]
    assert chosen.value == ("Family",)
    assert [b.value for b in chosen.boxes] == [True, False]
    assert seen[-1] == ("Family",)


def test_a_table_says_a_missing_whole_number_as_a_dash():
    """The dashboard's spread table wrote "<NA>" for a pair with no figure yet."""
    table = pd.DataFrame({"checks": pd.array([3, None], dtype="Int64"), "rate": [1.5, None]})
    shown = forms.table_html(table)
    assert "NA" not in shown
    assert shown.count("<td>–</td>") == 2 and "<td>3</td>" in shown


def test_a_table_is_named_and_a_download_can_be_heard_with_what_it_is_of():
    """A screen reader listed five unnamed tables and five "Chart (PNG)" links alike."""
    shown = forms.table_html(pd.DataFrame({"a": [1]}), name="Numbers: my goals")
    assert '<table class="dataframe peercoach-table" aria-label="Numbers: my goals">' in shown
    link = forms.download_link("Chart (PNG)", "x.png", b"png", "image/png", heard=" of My goals")
    assert '>Chart (PNG)<span class="peercoach-unseen"> of My goals</span></a>' in link
    assert forms.download_link("Plan", "p.md", b"x", "text/markdown").endswith(">Plan</a>")


@pytest.mark.parametrize(
    ("said", "meant"),
    [
        ("attempt to write a readonly database", "is read-only here"),
        ("database is locked", "was busy (another program held it"),
        ("unable to open database file", "cannot be opened"),
        ("database or disk is full", "is full"),
    ],
)
def test_a_save_the_database_refused_says_why_and_whether_to_try_again(said, meant):
    """A read-only or busy database gave "could not be saved ... Try again", which could never
    work for the first."""
    import sqlite3

    import sqlalchemy as sa

    assert forms.try_again() == "Try again."  # outside any failure
    try:
        try:
            raise sqlite3.OperationalError(said)
        except sqlite3.OperationalError as exc:
            raise sa.exc.OperationalError("INSERT", {}, exc) from exc
    except Exception:
        text = forms.try_again()
    assert meant in text and "workbook's database" in text and text.endswith(".")
    try:
        raise ValueError("attempt to write a readonly database")  # not the database's own
    except ValueError:
        assert forms.try_again() == "Try again."


def test_typing_on_a_read_only_workbook_says_drafts_are_not_kept(store, pair):
    """The page says what is typed is kept as a draft; on a read-only database none was, and
    nothing said so."""
    from peercoach_lib.store import Store

    if not store.url.startswith("sqlite:///"):
        pytest.skip("a read-only SQLite file")
    path = store.url.removeprefix("sqlite:///")

    def typed(into) -> forms.DraftBar:
        bar = forms.DraftBar("the plan")
        args = (pair["alice"].id, "change_plan", "plan:new", lambda: {"goal": "Walk"})
        bar.keep(into, *args, as_stored=False)
        return bar

    with Store(f"sqlite:///file:{path}?mode=ro&uri=true") as read_only:
        said = typed(read_only).notice.value
    assert "not kept as a draft just now" in said and "is read-only here" in said
    assert store.find(model.Draft) == []
    # Kept where it can be: nothing said.
    assert typed(store).notice.value == "" and len(store.find(model.Draft)) == 1
