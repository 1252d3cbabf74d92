"""The Personal Change Plan, written, saved and found again in a real browser.

Person 5 of the demo database (Nadia Weber) is this file's own: other browser tests use other
people. She has change plans already; each test reads what it needs from the page rather than
assuming it, and finds its own plan by its name, so the tests pass in any order.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets

import pytest
from playwright.sync_api import Locator, Page, expect

from peercoach_lib import change_plan as cp
from peercoach_lib import dates, drafts
from peercoach_lib.model import ChangePlan, Draft
from peercoach_lib.store import Store
from tests.browser.harness import KERNEL_MS

NOTEBOOK = "personal_change_plan.ipynb"
NADIA = 5
GAS = {
    "+2: much more than expected": "Walking five days a week",
    "+1: somewhat more than expected": "Walking four days a week",
    "0: expected outcome": "Walking three days a week",
    "−1: somewhat less than expected": "Walking one or two days a week",
    "−2: much less than expected": "Not walking at all",
}


@pytest.fixture(autouse=True)
def _no_draft_left_behind(demo_database):
    """A test that fails half-way leaves what it typed as Nadia's draft, which the next test's
    new plan would restore: drop her plan drafts after each test, so one failure stays one."""
    yield
    with Store(demo_database) as store, store.transaction() as tx:
        for draft in tx.find(Draft, person_id=NADIA, kind=cp.DRAFT_KIND):
            tx.delete(Draft, draft.id)


def field(page: Page, label: str) -> Locator:
    return page.get_by_label(label, exact=True)


def fill(box: Locator, value: str) -> None:
    box.fill(value)
    box.press("Tab")


def slider(page: Page, label: str) -> Locator:
    return page.locator(".widget-hslider").filter(has_text=label).locator(".noUi-handle")


def move(handle: Locator, to: int) -> None:
    """As a person with a keyboard does: focus the handle and press the arrow keys."""
    now = round(float(handle.get_attribute("aria-valuenow")))
    handle.focus()
    for _ in range(abs(to - now)):
        handle.press("ArrowRight" if to > now else "ArrowLeft")
    expect(handle).to_have_attribute("aria-valuenow", f"{to}.0")


def rows(page: Page, title: str) -> Locator:
    """One of the plan's lists (steps, obstacles, milestones), by the title beside it."""
    return page.locator(".peercoach-rowlist").filter(has=page.get_by_text(title, exact=True))


def start_new_plan(page: Page) -> None:
    """Choose "Start a new plan…" and wait until the whole form shows the new plan.

    The kernel's answer reaches the page as one update per widget, in order: the change's box
    is emptied before the lists are, so a test that went on once that box was empty could add
    a row to (or fill in) the previous plan's list, about to be replaced. The downloads line,
    set after the form is filled, is the last of them when no draft is kept (each test
    discards its own; a draft restored would fill the form again after it).
    """
    field(page, "Plan").select_option(label="Start a new plan…")
    expect(
        page.locator("#peercoach-main").get_by_text("Save the plan to download it.")
    ).to_have_count(1, timeout=KERNEL_MS)
    expect(page.locator("#peercoach-main").get_by_text("Restored what you typed")).to_have_count(0)
    expect(field(page, "The change I want to make")).to_have_value("")


def discard_draft(page: Page) -> None:
    """Leave nothing typed behind for the next test of Nadia's: drop what this one typed."""
    page.get_by_role("button", name="Discard the draft").click()
    expect(page.locator("#peercoach-main").get_by_text("Draft discarded")).to_be_visible(
        timeout=KERNEL_MS
    )


def list_error(page: Page, title: str) -> Locator:
    return rows(page, title).locator(".peercoach-error")


def field_error(page: Page, label: str) -> Locator:
    return (
        page.locator(".peercoach-field").filter(has=field(page, label)).locator(".peercoach-error")
    )


def test_a_plan_with_steps_and_an_obstacle_is_saved_and_found_again(workbook, visit):
    change = f"Walk to work ({secrets.token_hex(3)})"
    goal = "Walk to work three times a week by 31 March 2027"
    step_due = dt.date.today() + dt.timedelta(days=7)
    visit_ = visit(workbook.url(NOTEBOOK, person=NADIA))
    visit_.assert_clean()
    page = visit_.page
    expect(field(page, "I am")).to_have_value("Nadia Weber")
    start_new_plan(page)
    expect(rows(page, "Steps").get_by_label(re.compile(r"^Step \d+$"))).to_have_count(0)

    fill(field(page, "The change I want to make"), change)
    fill(field(page, "Why it matters to me"), "I feel better on the days I walk")
    move(slider(page, "How important is it?"), 8)
    move(slider(page, "How confident am I that I can do it?"), 7)
    field(page, "Life area it serves").select_option(label="Health and energy")
    fill(field(page, "My goal, in one sentence"), goal)
    # The SMART helper reads the goal as it is typed.
    expect(page.locator("#peercoach-main").get_by_text("Well put.")).to_be_visible(
        timeout=KERNEL_MS
    )

    steps = rows(page, "Steps")
    steps.get_by_role("button", name="Add a step").click()
    steps.get_by_role("button", name="Add a step").click()
    expect(steps.get_by_label(re.compile(r"^Step \d+$"))).to_have_count(2, timeout=KERNEL_MS)
    fill(steps.get_by_label(re.compile(r"^Step \d+$")).nth(0), "Buy good shoes")
    fill(steps.get_by_label(re.compile(r"^Step \d+: By when$")).nth(0), step_due.isoformat())
    fill(steps.get_by_label(re.compile(r"^Step \d+$")).nth(1), "Find a route along the river")
    obstacles = rows(page, "What could get in the way")
    obstacles.get_by_role("button", name="Add an obstacle").click()
    expect(obstacles.get_by_label(re.compile(r"^Obstacle \d+$"))).to_have_count(
        1, timeout=KERNEL_MS
    )
    fill(obstacles.get_by_label(re.compile(r"^Obstacle \d+$")), "Rain")
    fill(obstacles.get_by_label(re.compile(r"^Obstacle \d+: Then I will$")), "Take the bus one way")
    fill(field(page, "Who and what can help"), "A colleague who walks too")
    fill(field(page, "How I will know it is working"), "My step counter")
    milestones = rows(page, "Milestones").get_by_label(re.compile(r"^Milestone \d+: Date$"))
    milestone_dates = [milestones.nth(k).input_value() for k in range(milestones.count())]
    assert milestone_dates and all(milestone_dates)
    for label, text in GAS.items():
        fill(field(page, label), text)
    field(page, "Where I start").select_option(label="−2: much less than expected")
    fill(field(page, "Weight against my other goals"), "2.5")

    page.get_by_role("button", name="Save plan").click()
    expect(page.get_by_role("status").filter(has_text="Saved at")).to_be_visible(timeout=KERNEL_MS)
    listed = f"{change} ({dates.short(dt.date.today())})"  # a plan is listed with its start
    expect(field(page, "Plan")).to_have_value(listed)
    expect(page.get_by_role("link", name="Plan (Markdown)")).to_be_visible()
    visit_.assert_clean()
    visit_.screenshot("personal_change_plan-saved")

    visit_.reload()
    visit_.assert_clean()
    field(page, "Plan").select_option(label=listed)
    expect(field(page, "The change I want to make")).to_have_value(change, timeout=KERNEL_MS)
    expect(field(page, "Why it matters to me")).to_have_value("I feel better on the days I walk")
    expect(slider(page, "How important is it?")).to_have_attribute("aria-valuenow", "8.0")
    expect(slider(page, "How confident am I that I can do it?")).to_have_attribute(
        "aria-valuenow", "7.0"
    )
    expect(field(page, "Life area it serves")).to_have_value("Health and energy")
    expect(field(page, "My goal, in one sentence")).to_have_value(goal)
    expect(steps.get_by_label(re.compile(r"^Step \d+$"))).to_have_count(2)
    expect(steps.get_by_label(re.compile(r"^Step \d+$")).nth(0)).to_have_value("Buy good shoes")
    expect(steps.get_by_label(re.compile(r"^Step \d+: By when$")).nth(0)).to_have_value(
        step_due.isoformat()
    )
    expect(steps.get_by_label(re.compile(r"^Step \d+$")).nth(1)).to_have_value(
        "Find a route along the river"
    )
    expect(steps.get_by_label(re.compile(r"^Step \d+: By when$")).nth(1)).to_have_value("")
    expect(obstacles.get_by_label(re.compile(r"^Obstacle \d+$"))).to_have_value("Rain")
    expect(obstacles.get_by_label(re.compile(r"^Obstacle \d+: Then I will$"))).to_have_value(
        "Take the bus one way"
    )
    expect(field(page, "Who and what can help")).to_have_value("A colleague who walks too")
    expect(field(page, "How I will know it is working")).to_have_value("My step counter")
    expect(milestones).to_have_count(len(milestone_dates))
    for k, date in enumerate(milestone_dates):
        expect(milestones.nth(k)).to_have_value(date)
    for label, text in GAS.items():
        expect(field(page, label)).to_have_value(text)
    expect(field(page, "Where I start")).to_have_value("−2: much less than expected")
    expect(field(page, "Weight against my other goals")).to_have_value(re.compile(r"^2\.5$"))
    expect(field(page, "Status")).to_have_value("Active")


def test_an_empty_step_and_a_reasonless_drop_are_refused_and_nothing_saved_is_lost(workbook, visit):
    visit_ = visit(workbook.url(NOTEBOOK, person=NADIA))
    visit_.assert_clean()
    page = visit_.page
    plans = field(page, "Plan")
    shown = plans.evaluate("select => select.selectedIndex")
    assert shown > 0, "an existing plan opens first"
    options = plans.locator("option").all_inner_texts()
    labels = ["The change I want to make", "My goal, in one sentence", "Status", "Reason"]
    before = {label: field(page, label).input_value() for label in labels}
    assert before["Status"] == "Active"
    steps = rows(page, "Steps").get_by_label(re.compile(r"^Step \d+$"))
    kept = [steps.nth(k).input_value() for k in range(steps.count())]

    # Edit the plan, add a step but leave it empty, and drop the plan without saying why.
    fill(field(page, "The change I want to make"), "This edit must not be saved")
    rows(page, "Steps").get_by_role("button", name="Add a step").click()
    expect(steps).to_have_count(len(kept) + 1, timeout=KERNEL_MS)
    field(page, "Status").select_option(label="Dropped")
    page.get_by_role("button", name="Save plan").click()
    expect(page.get_by_role("alert").filter(has_text="Nothing was saved")).to_have_text(
        re.compile(
            r"^Nothing was saved: \u201cStep \d+\u201d and \u201cReason\u201d need attention "
            r"\(marked Error\)\. Show me where$"
        ),
        timeout=KERNEL_MS,
    )
    expect(list_error(page, "Steps")).to_have_text(
        f"Error: Step (step {len(kept) + 1}): cannot be empty"
    )
    # Said under the empty step itself, however long the list.
    row = rows(page, "Steps").locator(".peercoach-row").nth(len(kept))
    expect(row.locator(".peercoach-error")).to_have_text(
        f"Error: Step (step {len(kept) + 1}): cannot be empty"
    )
    box = row.get_by_label(re.compile(r"^Step \d+$")).bounding_box()
    said = row.locator(".peercoach-error").bounding_box()
    assert box["y"] + box["height"] <= said["y"] <= box["y"] + box["height"] + 40
    expect(field_error(page, "Reason")).to_have_text("Error: say briefly why the plan was dropped")
    # A screen reader hears the field as invalid, and its error with it.
    expect(field(page, "Reason")).to_have_attribute("aria-invalid", "true")
    expect(field(page, "Reason")).to_have_accessible_description(
        "Error: say briefly why the plan was dropped"
    )
    expect(field(page, "The change I want to make")).not_to_have_attribute("aria-invalid", "true")
    # In the list, the empty step is the one marked, described by the list's error.
    empty = steps.nth(len(kept))
    expect(empty).to_have_attribute("aria-invalid", "true")
    expect(empty).to_have_accessible_description(
        f"Error: Step (step {len(kept) + 1}): cannot be empty"
    )
    if kept:
        expect(steps.nth(0)).not_to_have_attribute("aria-invalid", "true")
    fill(field(page, "Reason"), "Changed my mind")  # the error goes, and the marks with it
    expect(field_error(page, "Reason")).to_have_count(0, timeout=KERNEL_MS)
    expect(field(page, "Reason")).not_to_have_attribute("aria-invalid", "true")
    summary = page.get_by_role("alert").filter(has_text="Nothing was saved")
    expect(summary).to_have_count(1)  # the step is still empty
    fill(empty, "Walk to the station")
    expect(list_error(page, "Steps")).to_have_count(0, timeout=KERNEL_MS)
    expect(empty).not_to_have_attribute("aria-invalid", "true")
    expect(summary).to_have_count(0)  # nothing marked is left for it to point at
    expect(page.locator("#peercoach-main").get_by_text("Saved at")).to_have_count(0)
    visit_.assert_clean()

    visit_.reload()
    visit_.assert_clean()
    expect(plans.locator("option")).to_have_text(options)
    plans.select_option(index=shown)
    # What was typed comes back (a draft, for Nadia alone), and says so; discarding it shows
    # the plan as saved, untouched by the refused save.
    expect(
        page.locator("#peercoach-main").get_by_text("Restored what you typed and had not saved")
    ).to_be_visible(timeout=KERNEL_MS)
    expect(field(page, "The change I want to make")).to_have_value("This edit must not be saved")
    expect(steps.nth(len(kept))).to_have_value("Walk to the station")
    page.get_by_role("button", name="Discard the draft").click()
    expect(page.locator("#peercoach-main").get_by_text("Draft discarded")).to_be_visible(
        timeout=KERNEL_MS
    )
    for label, value in before.items():
        expect(field(page, label)).to_have_value(value, timeout=KERNEL_MS)
    expect(steps).to_have_count(len(kept))
    assert [steps.nth(k).input_value() for k in range(len(kept))] == kept
    expect(page.locator("#peercoach-main").get_by_text("Restored what you typed")).to_have_count(0)


def test_a_day_the_calendar_does_not_have_is_said_beside_its_box_and_nothing_is_saved(
    workbook, visit, demo_database
):
    """The browser reads 30 February as an empty box; the page must not save it as "no date"."""
    visit_ = visit(workbook.url(NOTEBOOK, person=NADIA))
    visit_.assert_clean()
    page = visit_.page
    start_new_plan(page)
    change = f"Cycle to work ({secrets.token_hex(3)})"
    fill(field(page, "The change I want to make"), change)
    fill(field(page, "Why it matters to me"), "Fresh air")
    fill(field(page, "My goal, in one sentence"), "Cycle to work twice a week by 31 May 2027")
    steps = rows(page, "Steps")
    steps.get_by_role("button", name="Add a step").click()
    fill(steps.get_by_label("Step 1", exact=True), "Mend the bike")
    no_date = steps.get_by_text("Step 1 has no by-when date")
    expect(no_date).to_be_visible(timeout=KERNEL_MS)
    due = steps.get_by_label("Step 1: By when", exact=True)
    due.click()
    due.press("ArrowLeft")
    due.press("ArrowLeft")
    page.keyboard.type("02302027")  # month, day, year: 30 February 2027
    assert due.evaluate("input => input.validity.badInput")
    due.blur()  # leaving the box says so at once, under the box (not its label)
    error = steps.locator(".peercoach-date-error")
    expect(error).to_have_text(
        "Error: not a date the calendar has, or not complete: correct it or clear it."
    )
    # The list's note that the step has no date is put away: a date was typed.
    expect(no_date).to_be_hidden()
    expect(error.locator("strong")).to_have_text("Error:")  # as the app's own errors read
    box, said = due.bounding_box(), error.bounding_box()
    assert abs(said["x"] - box["x"]) <= 2 and said["y"] >= box["y"] + box["height"] - 1
    page.set_viewport_size({"width": 320, "height": 900})  # and after the window narrows
    page.wait_for_timeout(300)
    assert abs(error.bounding_box()["x"] - due.bounding_box()["x"]) <= 2
    page.set_viewport_size({"width": 1280, "height": 900})
    page.wait_for_timeout(300)

    page.get_by_role("button", name="Save plan").click()
    expect(due).to_be_focused()
    expect(due).to_have_attribute("aria-invalid", "true")
    # Said by the button too: the box may be far up the page.
    held = page.locator(".peercoach-date-held")
    expect(held).to_have_text(
        "Nothing was saved: \u201cStep 1: By when\u201d holds a day the calendar does not have "
        "(marked Error)."
    )
    expect(held).to_have_attribute("role", "alert")
    button = page.get_by_role("button", name="Save plan").bounding_box()
    assert abs(held.bounding_box()["x"] - button["x"]) <= 2
    # In the red box the app's own "Nothing was saved" comes in, not as bare red words.
    assert held.evaluate(
        "e => [getComputedStyle(e).backgroundColor, getComputedStyle(e).borderLeft]"
    ) == ["rgb(253, 232, 232)", "6px solid rgb(179, 38, 30)"]
    page.wait_for_timeout(1500)  # a save, had it gone through, would have said so by now
    expect(page.locator("#peercoach-main").get_by_text("Saved at")).to_have_count(0)
    expect(field(page, "Plan").locator("option", has_text=change)).to_have_count(0)
    # Another field marked already is counted with the box, not left out of the sentence.
    weight = field(page, "Weight against my other goals")
    fill(weight, "150")
    expect(field_error(page, "Weight against my other goals")).to_have_text(
        "Error: must be from 0.1 to 100", timeout=KERNEL_MS
    )
    page.get_by_role("button", name="Save plan").click()
    expect(held).to_have_text(
        "Nothing was saved: \u201cStep 1: By when\u201d holds a day the calendar does not have, "
        "and \u201cWeight against my other goals\u201d needs attention (marked Error)."
    )
    fill(weight, "1")
    expect(field_error(page, "Weight against my other goals")).to_have_count(0, timeout=KERNEL_MS)

    due.fill("2027-03-01")  # corrected: the message goes, and the plan saves with the date
    due.blur()
    expect(error).to_have_count(0)
    expect(held).to_have_count(0)
    page.get_by_role("button", name="Save plan").click()
    expect(page.locator("#peercoach-main").get_by_text("Saved at")).to_be_visible(timeout=KERNEL_MS)
    with Store(demo_database) as store:
        plan = next(p for p in store.find(ChangePlan, person_id=NADIA) if p.change == change)
    assert [(s.text, s.by_when) for s in plan.steps] == [("Mend the bike", dt.date(2027, 3, 1))]

    # A date that was good, made bad and left: the kernel is told neither "no date" (a draft
    # kept it, and a restored draft then saved the plan without its date) nor the real days
    # on the way (2/1/2027 as the month is typed): the form is as stored, so no draft is made;
    # the box keeps what was typed, marked; the save is still held back, and the stored date
    # kept.
    due.click()
    due.press("ArrowLeft")
    due.press("ArrowLeft")
    page.keyboard.type("02302027")
    due.blur()
    page.wait_for_timeout(1500)  # an answer from the kernel, or a draft, has come by now
    assert due.evaluate("input => input.validity.badInput")
    expect(due).to_have_attribute("aria-invalid", "true")
    with Store(demo_database) as store:
        draft = drafts.find(store, NADIA, cp.DRAFT_KIND, cp.draft_key(plan.id))
    assert draft is None
    page.get_by_role("button", name="Save plan").click()
    expect(error).to_have_count(1)
    page.wait_for_timeout(1500)
    with Store(demo_database) as store:
        plan = store.get(ChangePlan, plan.id)
    assert [s.by_when for s in plan.steps] == [dt.date(2027, 3, 1)]
    due.fill("")  # cleared: the message goes, and the app hears "no date" only now
    due.blur()
    expect(error).to_have_count(0)


def test_a_row_added_does_not_take_the_focus_from_where_the_person_went_since(workbook, visit):
    """Two quick presses of "Add a step", then a click into the first step: the second row,
    drawn a moment later, must not pull the focus (and what is typed next) away to itself."""
    visit_ = visit(workbook.url(NOTEBOOK, person=NADIA))
    page = visit_.page
    start_new_plan(page)
    steps = rows(page, "Steps")
    add = steps.get_by_role("button", name="Add a step")
    add.click()
    expect(steps.get_by_label("Step 1", exact=True)).to_be_focused(timeout=KERNEL_MS)
    first = steps.get_by_label("Step 1", exact=True)
    # The press (the button takes the focus, as a click gives it) and the move elsewhere in one
    # go: the kernel's answer cannot come between them.
    add.evaluate(
        "(button, box) => { button.focus(); button.click(); box.focus(); }",
        first.element_handle(),
    )
    expect(steps.get_by_label("Step 2", exact=True)).to_be_visible(timeout=KERNEL_MS)
    page.wait_for_timeout(500)  # a frame or two after the row is drawn
    expect(first).to_be_focused()
    # A press made with the focus elsewhere (a script's, or a browser that does not focus
    # buttons on a click), the focus left there: the new row takes it.
    add.evaluate("button => button.click()")
    expect(steps.get_by_label("Step 3", exact=True)).to_be_focused(timeout=KERNEL_MS)
    discard_draft(page)


def test_removing_a_row_with_the_keyboard_leaves_the_focus_on_its_list(workbook, visit):
    visit_ = visit(workbook.url(NOTEBOOK, person=NADIA))
    visit_.assert_clean()
    page = visit_.page
    start_new_plan(page)
    steps = rows(page, "Steps")
    add = steps.get_by_role("button", name="Add a step")
    add.focus()
    page.keyboard.press("Enter")  # the new row takes the focus, to be filled in at once
    expect(steps.get_by_label("Step 1", exact=True)).to_be_focused(timeout=KERNEL_MS)
    add.click()
    expect(steps.get_by_label("Step 2", exact=True)).to_be_focused(timeout=KERNEL_MS)
    expect(steps.get_by_label(re.compile(r"^Step \d+$"))).to_have_count(2, timeout=KERNEL_MS)
    remove = steps.get_by_role("button", name="Remove: Step 1")
    remove.focus()
    page.keyboard.press("Enter")
    expect(steps.get_by_label(re.compile(r"^Step \d+$"))).to_have_count(1, timeout=KERNEL_MS)
    expect(add).to_be_focused()  # not thrown back to the top of the page
    expect(steps.get_by_role("button", name="Remove: Step 1")).to_have_count(1)  # renumbered
    # Another plan chosen with changes unsaved: the question's answer gives the focus back to
    # the chooser (the buttons pressed go with the question), not to the top of the page.
    fill(field(page, "Why it matters to me"), "Typed, not saved")
    plan = field(page, "Plan")
    plan.focus()
    page.keyboard.press("ArrowDown")
    keep = page.get_by_role("button", name="Keep editing")
    expect(keep).to_be_visible(timeout=KERNEL_MS)
    keep.focus()
    page.keyboard.press("Enter")
    expect(keep).to_be_hidden(timeout=KERNEL_MS)
    expect(plan).to_be_focused(timeout=KERNEL_MS)
    # Discarding the draft: the plan's first field takes the focus from the button gone (the
    # next Tab goes on through the plan, not out of it), and the page's announcer says so.
    page.get_by_role("button", name="Discard the draft").focus()
    page.keyboard.press("Enter")
    expect(field(page, "The change I want to make")).to_be_focused(timeout=KERNEL_MS)
    expect(page.locator("#peercoach-announcer")).to_contain_text("Draft discarded")
    page.keyboard.press("Tab")
    expect(field(page, "Why it matters to me")).to_be_focused()


def test_a_click_that_leaves_an_impossible_date_is_not_lost(workbook, visit):
    """Leaving a bad date box by clicking a button: the box's message appears after the click,
    so the button has not moved away from under the pointer by the time the click lands."""
    visit_ = visit(workbook.url(NOTEBOOK, person=NADIA))
    page = visit_.page
    start_new_plan(page)
    steps = rows(page, "Steps")
    steps.get_by_role("button", name="Add a step").click()
    due = steps.get_by_label("Step 1: By when", exact=True)
    expect(due).to_be_visible(timeout=KERNEL_MS)
    due.click()
    due.press("ArrowLeft")
    due.press("ArrowLeft")
    page.keyboard.type("02302027")  # 30 February 2027
    steps.get_by_role("button", name="Add a step").click()
    expect(steps.get_by_label("Step 2", exact=True)).to_be_visible(timeout=KERNEL_MS)
    expect(steps.locator(".peercoach-date-error")).to_have_count(1)
    expect(due).to_have_attribute("aria-invalid", "true")
    visit_.assert_clean()
    discard_draft(page)


def test_a_date_typed_is_the_apps_once_the_typing_stops_the_focus_still_in_its_box(workbook, visit):
    """Tab moves from part to part inside a date box, so a box that looks done may not have
    been left: once the typing stops a moment, what it shows is what the app has (the note
    that the step has no date goes)."""
    visit_ = visit(workbook.url(NOTEBOOK, person=NADIA))
    page = visit_.page
    start_new_plan(page)
    steps = rows(page, "Steps")
    steps.get_by_role("button", name="Add a step").click()
    fill(steps.get_by_label("Step 1", exact=True), "Mend the bike")
    expect(steps).to_contain_text("Step 1 has no by-when date", timeout=KERNEL_MS)
    due = steps.get_by_label("Step 1: By when", exact=True)
    due.focus()  # on its month
    page.keyboard.type("03012027", delay=50)
    expect(steps).not_to_contain_text("has no by-when date", timeout=KERNEL_MS)
    expect(due).to_be_focused()
    expect(due).to_have_value("2027-03-01")
    discard_draft(page)
