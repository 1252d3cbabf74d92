"""The first-session agreement, filled in, saved and found again in a real browser.

Partnership 1 of the demo database (Carmen Moreau, person 2, and Sara Castro, person 3) is this
file's own: other browser tests use other people. Its agreement is in force (both have affirmed
confidentiality) and three sessions are booked ahead; each test reads what it needs from the page
rather than assuming it, so the tests pass in any order.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets

import pytest
from playwright.sync_api import Locator, Page, expect

from peercoach_lib import agreement as ag
from peercoach_lib import dates
from peercoach_lib.model import Agreement, Draft
from peercoach_lib.store import Store
from tests.browser.harness import KERNEL_MS, field, fill, message_under, type_date

NOTEBOOK = "first_session_agreement.ipynb"
PARTNERSHIP, CARMEN = 1, 2


@pytest.fixture(autouse=True)
def _no_draft_left_behind(demo_database):
    """What a test typed and did not save is kept as a draft, which the next test's page
    would restore: drop the agreement drafts after each test, so each starts from what is
    saved."""
    yield
    with Store(demo_database) as store, store.transaction() as tx:
        for draft in tx.find(Draft, kind=ag.DRAFT_KIND):
            tx.delete(Draft, draft.id)


def stored_agreement(database: str) -> Agreement:
    """The partnership's agreement as the database holds it now."""
    with Store(database) as store:
        (found,) = store.find(Agreement, partnership_id=PARTNERSHIP)
    return found


def session_row(page: Page, label: str):
    return page.locator(".widget-hbox").filter(has=field(page, label))


def booked_label(page: Page, index: int) -> str:
    """The label of the schedule's ``index``-th date (from 0): "Session 5" when four sessions
    were held or missed before it (they are counted, not listed)."""
    labels = page.locator("label").filter(has_text=re.compile(r"^Session \d+$"))
    return labels.nth(index).inner_text()


def test_an_agreement_is_saved_and_found_again(workbook, visit):
    token = secrets.token_hex(3)
    hopes = f"Steadier energy, and a calmer week ({token})"
    support = f"A short message on Wednesdays ({token})"
    goals = [f"Meet every week ({token})", "Keep our commitments"]
    visit_ = visit(workbook.url(NOTEBOOK, partnership=PARTNERSHIP, person=CARMEN))
    visit_.assert_clean()
    page = visit_.page
    expect(field(page, "I am")).to_have_value("Carmen Moreau")

    # Carmen's own part; on Sara's tab only Sara may affirm the ground rule.
    expect(page.get_by_role("tab", name="Carmen Moreau")).to_have_attribute("aria-selected", "true")
    fill(page, "What I hope to get out of peer coaching", hopes)
    fill(page, "What support looks like for me", support)
    page.get_by_role("tab", name="Sara Castro").click()
    expect(
        field(page, "I affirm the ground rule: what we share in our sessions stays between us")
    ).to_be_disabled()
    page.get_by_role("tab", name="Carmen Moreau").click()

    # Logistics.
    field(page, "Medium").select_option(label="Video")
    field(page, "Format").select_option(label="One-way sessions, at separate times")
    fill(page, "Minutes of coaching each", "50")
    field(page, "Day").select_option(label="Thursday")
    fill(page, "Time", "18:30")
    fill(page, "Time zone", "Europe/Berlin")
    field(page, "Who calls whom").select_option(label="Sara Castro")

    # The schedule: move the second session booked a day later and cancel the third.
    second_label, third_label = booked_label(page, 1), booked_label(page, 2)
    second = dt.date.fromisoformat(field(page, second_label).input_value())
    moved = second + dt.timedelta(days=1)
    fill(page, second_label, moved.isoformat())
    third = dt.date.fromisoformat(field(page, third_label).input_value())
    session_row(page, third_label).get_by_label("cancelled").check()
    # A cancelled session is named by its day (those after it are numbered on without it).
    cancelled_label = f"Cancelled {dates.day_month(third)}"
    expect(session_row(page, cancelled_label).get_by_role("checkbox")).to_be_checked()
    fill(page, "Goals for the partnership (one per line)", "\n".join(goals))
    # Beside each goal, a chooser of Carmen's own change plans (the demo gave her one); the
    # option for none stays shown once chosen (ipywidgets blanked it).
    meet, keep = field(page, goals[0]), field(page, goals[1])
    expect(meet).to_have_value("No change plan", timeout=KERNEL_MS)
    meet.select_option(index=1)
    plan = meet.input_value()
    assert plan.startswith("My plan: "), plan
    meet.select_option(label="No change plan")
    keep.select_option(label=plan)
    # The kernel has had both choices once it answers a number out of range typed after them.
    fill(page, "Minutes of coaching each", "500")
    expect(message_under(page, "Minutes of coaching each")).to_contain_text(
        "must be", timeout=KERNEL_MS
    )
    expect(meet).to_have_value("No change plan")
    expect(keep).to_have_value(plan)
    fill(page, "Minutes of coaching each", "50")

    page.get_by_role("button", name="Save agreement").click()
    saved = page.get_by_role("status").filter(has_text="Saved at")
    expect(saved).to_contain_text("The agreement is in force.", timeout=KERNEL_MS)
    expect(page.locator("#peercoach-main").get_by_text("Nothing was saved")).to_have_count(0)
    expect(page.get_by_role("link", name="Agreement (Markdown)")).to_be_visible()
    visit_.assert_clean()
    visit_.screenshot("first_session_agreement-saved")

    visit_.reload()
    visit_.assert_clean()
    expect(field(page, "What I hope to get out of peer coaching")).to_have_value(hopes)
    expect(field(page, "What support looks like for me")).to_have_value(support)
    expect(
        field(page, "I affirm the ground rule: what we share in our sessions stays between us")
    ).to_be_checked()
    expect(field(page, "Medium")).to_have_value("Video")
    expect(field(page, "Format")).to_have_value("One-way sessions, at separate times")
    expect(field(page, "Minutes of coaching each")).to_have_value("50")
    expect(field(page, "Day")).to_have_value("Thursday")
    expect(field(page, "Time")).to_have_value("18:30")
    expect(field(page, "Time zone")).to_have_value("Europe/Berlin")
    expect(field(page, "Who calls whom")).to_have_value("Sara Castro")
    expect(field(page, second_label)).to_have_value(moved.isoformat())
    expect(session_row(page, cancelled_label).get_by_role("checkbox")).to_be_checked()
    expect(field(page, "Goals for the partnership (one per line)")).to_have_value("\n".join(goals))
    expect(field(page, goals[0])).to_have_value("No change plan")
    expect(field(page, goals[1])).to_have_value(plan)
    # The change is kept with Carmen's name.
    expect(page.locator("table").filter(has_text="Carmen Moreau").first).to_contain_text("updated")


def test_a_time_zone_that_does_not_exist_is_refused_and_nothing_saved_is_lost(workbook, visit):
    visit_ = visit(workbook.url(NOTEBOOK, partnership=PARTNERSHIP, person=CARMEN))
    visit_.assert_clean()
    page = visit_.page
    labels = [
        "What I hope to get out of peer coaching",
        "Time zone",
        "Goals for the partnership (one per line)",
    ]
    before = {label: field(page, label).input_value() for label in labels}

    fill(page, "What I hope to get out of peer coaching", "This edit must not be saved")
    fill(page, "Time zone", "Moon/Base")
    page.get_by_role("button", name="Save agreement").click()
    expect(page.get_by_role("alert").filter(has_text="Nothing was saved")).to_be_visible(
        timeout=KERNEL_MS
    )
    expect(message_under(page, "Time zone")).to_have_text(
        "Error: choose a time zone from the list, such as Europe/Madrid or Asia/Kolkata"
    )
    # What the person typed stays on the page for them to correct.
    expect(field(page, "Time zone")).to_have_value("Moon/Base")
    expect(page.locator("#peercoach-main").get_by_text("Saved at")).to_have_count(0)
    visit_.assert_clean()

    # Opened again, what was typed is back (Carmen's draft) with what is wrong said again;
    # discarding it shows the agreement as saved, untouched by the refused save.
    visit_.reload()
    visit_.assert_clean()
    expect(
        page.locator("#peercoach-main").get_by_text("Restored what you typed and had not saved")
    ).to_be_visible(timeout=KERNEL_MS)
    expect(field(page, "Time zone")).to_have_value("Moon/Base")
    expect(field(page, labels[0])).to_have_value("This edit must not be saved")
    expect(message_under(page, "Time zone")).to_contain_text("choose a time zone from the list")
    page.get_by_role("button", name="Discard the draft").click()
    expect(page.locator("#peercoach-main").get_by_text("Draft discarded")).to_be_visible(
        timeout=KERNEL_MS
    )
    for label, value in before.items():
        expect(field(page, label)).to_have_value(value, timeout=KERNEL_MS)
    expect(message_under(page, "Time zone")).to_have_count(0)
    visit_.reload()
    visit_.assert_clean()
    expect(field(page, "Time zone")).to_have_value(before["Time zone"])
    expect(page.locator("#peercoach-main").get_by_text("Restored what you typed")).to_have_count(0)


# Changing a running schedule. Neither test saves anything. Partnership 2 (Leila Rossi,
# person 4, and Nadia Weber, person 5) has three sessions booked ahead, like partnership 1.


def test_booking_one_more_session_does_not_book_sessions_in_the_past(workbook, visit):
    visit_ = visit(workbook.url(NOTEBOOK, partnership=2, person=5))
    visit_.assert_clean()
    page = visit_.page
    rows = page.get_by_label(re.compile(r"^Session \d+$"))
    booked = [dt.date.fromisoformat(rows.nth(k).input_value()) for k in range(rows.count())]
    assert booked
    # The number counts the sessions held or missed with those booked.
    fill(page, "Number of sessions", str(int(field(page, "Number of sessions").input_value()) + 1))
    expect(rows).to_have_count(len(booked) + 1, timeout=KERNEL_MS)
    visit_.assert_clean()
    now = [dt.date.fromisoformat(rows.nth(k).input_value()) for k in range(rows.count())]
    # One more session comes after those booked; none moves before them (into the past).
    assert min(now) >= min(booked), f"booked {booked}, then {now}"


def test_a_session_in_the_year_2205_is_refused_next_to_the_schedule(workbook, visit):
    visit_ = visit(workbook.url(NOTEBOOK, partnership=2, person=5))
    visit_.assert_clean()
    page = visit_.page
    second_label = booked_label(page, 1)
    fill(page, second_label, "2205-12-06")
    schedule = page.locator(".peercoach-field").filter(has=field(page, second_label)).last
    # Said as soon as the box is left, before any save is asked for. (Waited for, too: the
    # message moves the button down, and a click aimed while it arrives could miss.)
    expect(schedule.locator(".peercoach-error")).to_contain_text("2100", timeout=KERNEL_MS)
    page.get_by_role("button", name="Save agreement").click()
    result = page.get_by_role("alert").filter(has_text="saved")
    expect(result).to_contain_text("Nothing was saved", timeout=KERNEL_MS)
    expect(schedule.locator(".peercoach-error")).to_contain_text("2100", timeout=1000)


def test_half_a_time_is_said_beside_its_box_and_holds_back_the_save(workbook, visit, demo_database):
    """The browser reads a time with its minutes cleared as an empty box: the page says so
    and saves nothing, rather than saving the agreement with no time."""
    before = stored_agreement(demo_database)
    visit_ = visit(workbook.url(NOTEBOOK, partnership=PARTNERSHIP, person=CARMEN))
    visit_.assert_clean()
    page = visit_.page
    time = field(page, "Time")
    time.click()
    page.keyboard.press("Backspace")  # the part clicked is cleared: half a time is left
    assert time.evaluate("input => input.validity.badInput")
    time.blur()
    error = page.locator(".peercoach-date-error")
    expect(error).to_have_text("Error: not a complete time: correct it or clear it.")
    expect(time).to_have_attribute("aria-invalid", "true")
    # Under the box, where it starts (it stood far to the right of it, in the box's row).
    said, box = error.bounding_box(), time.bounding_box()
    assert abs(said["x"] - box["x"]) <= 3 and said["y"] >= box["y"] + box["height"] - 1
    page.get_by_role("button", name="Save agreement").click()
    expect(time).to_be_focused()
    expect(page.locator(".peercoach-date-held")).to_have_text(
        "Nothing was saved: \u201cTime\u201d holds half a time (marked Error)."
    )
    page.wait_for_timeout(1500)  # a save, had it gone through, would have said so by now
    expect(page.locator("#peercoach-main").get_by_text("Saved at")).to_have_count(0)
    after = stored_agreement(demo_database)
    assert after.time == before.time and after.updated_at == before.updated_at
    time.fill(f"{before.time:%H:%M}")  # put right: the message goes
    time.blur()
    expect(error).to_have_count(0)
    visit_.assert_clean()


def clear_half_the_time(page: Page) -> tuple[Locator, str]:
    """Clear the minutes of the Time box, leaving half a time (which holds a save back); the
    box and what it held."""
    time = field(page, "Time")
    kept = time.input_value()
    time.click()
    page.keyboard.press("Backspace")
    time.blur()
    return time, kept


def put_back(time: Locator, kept: str) -> None:
    """The Time box put right: what the held-back save said goes."""
    time.fill(kept)
    time.blur()
    expect(time.page.locator(".peercoach-date-held")).to_have_count(0)


def test_a_held_back_save_puts_the_earlier_saved_notice_away(workbook, visit):
    """Saved, then a time half cleared and Save pressed again: "Saved at ..." would read as if
    the second save had gone through; it is put away until the time is put right."""
    visit_ = visit(workbook.url(NOTEBOOK, partnership=PARTNERSHIP, person=CARMEN))
    visit_.assert_clean()
    page = visit_.page
    save = page.get_by_role("button", name="Save agreement")
    save.click()
    saved = page.locator("#peercoach-main").get_by_text("Saved at")
    expect(saved).to_be_visible(timeout=KERNEL_MS)
    time, kept = clear_half_the_time(page)
    save.click()
    expect(page.locator(".peercoach-date-held")).to_contain_text("Nothing was saved")
    expect(saved).to_be_hidden()
    put_back(time, kept)
    expect(saved).to_be_visible()
    visit_.assert_clean()


def test_a_held_back_save_puts_an_earlier_refusal_away_and_counts_its_fields(workbook, visit):
    """Refused for a number out of range, then held back for half a time: one summary, the
    held-back one, counting both; the earlier one is back once the time is put right."""
    visit_ = visit(workbook.url(NOTEBOOK, partnership=PARTNERSHIP, person=CARMEN))
    visit_.assert_clean()
    page = visit_.page
    save = page.get_by_role("button", name="Save agreement")
    fill(page, "Minutes of coaching each", "500")
    save.click()
    refused = page.get_by_role("alert").filter(
        has_text="Nothing was saved: \u201cMinutes of coaching each\u201d needs"
    )
    expect(refused).to_be_visible(timeout=KERNEL_MS)
    # The field is far up the page from the button: the summary takes the person there.
    minutes = field(page, "Minutes of coaching each")
    refused.get_by_role("link", name="Show me where").click()
    expect(minutes).to_be_focused()
    expect(minutes).to_be_in_viewport()
    time, kept = clear_half_the_time(page)
    save.click()
    expect(page.locator(".peercoach-date-held")).to_have_text(
        "Nothing was saved: \u201cTime\u201d holds half a time, and \u201cMinutes of coaching "
        "each\u201d needs attention (marked Error)."
    )
    # The first field at fault on the page takes the focus, as "Show me where" gives it (the
    # time box, below the minutes, took it).
    expect(field(page, "Minutes of coaching each")).to_be_focused()
    expect(refused).to_be_hidden()
    put_back(time, kept)
    expect(refused).to_be_visible()
    visit_.assert_clean()


def test_a_year_of_five_digits_is_said_beside_its_box_and_holds_back_the_save(
    workbook, visit, demo_database
):
    """The browser takes 20266 as a year; the app cannot hold it, and would keep the day it
    had while the box shows another. The box says so, and the save waits."""
    before = stored_agreement(demo_database)
    visit_ = visit(workbook.url(NOTEBOOK, partnership=PARTNERSHIP, person=CARMEN))
    visit_.assert_clean()
    page = visit_.page
    first = field(page, "First session")
    kept = first.input_value()
    type_date(page, first, "0301020266")
    assert first.input_value() == "20266-03-01"
    expect(page.locator(".peercoach-date-error")).to_have_text(
        "Error: a year of more than four digits: correct it or clear it."
    )
    expect(first).to_have_attribute("aria-invalid", "true")
    page.get_by_role("button", name="Save agreement").click()
    expect(page.locator(".peercoach-date-held")).to_have_text(
        "Nothing was saved: \u201cFirst session\u201d holds a day the calendar does not have "
        "(marked Error)."
    )
    page.wait_for_timeout(1500)
    expect(page.locator("#peercoach-main").get_by_text("Saved at")).to_have_count(0)
    after = stored_agreement(demo_database)
    assert after.updated_at == before.updated_at
    first.fill(kept)  # put right: the message goes
    first.blur()
    expect(page.locator(".peercoach-date-error")).to_have_count(0)
    visit_.assert_clean()


def test_a_held_back_create_says_nothing_was_created(workbook, visit):
    visit_ = visit(workbook.url(NOTEBOOK, person=CARMEN))
    visit_.assert_clean()
    page = visit_.page
    header = page.get_by_role("button", name="Start a new partnership")
    if header.get_attribute("aria-expanded") != "true":
        header.click()
    start = field(page, "Starting on")
    type_date(page, start, "02312027")
    page.get_by_role("button", name="Create partnership").click()
    expect(page.locator(".peercoach-date-held")).to_have_text(
        "Nothing was created: \u201cStarting on\u201d holds a day the calendar does not have "
        "(marked Error)."
    )
    visit_.assert_clean()


def test_a_date_typed_part_by_part_reaches_the_app_only_when_its_box_is_left(workbook, visit):
    """On the way to 31 February the box holds real dates (2/6, then 2/3): the app hears none
    of them, so nothing acts on a day nobody meant, and the box says what is wrong."""
    visit_ = visit(workbook.url(NOTEBOOK, partnership=PARTNERSHIP, person=CARMEN))
    visit_.assert_clean()
    page = visit_.page
    rows = page.get_by_label(re.compile(r"^Session \d+$"))
    booked = [rows.nth(k).input_value() for k in range(rows.count())]
    first = field(page, "First session")
    type_date(page, first, "02312027")
    expect(page.locator(".peercoach-date-error")).to_have_text(
        "Error: not a date the calendar has, or not complete: correct it or clear it."
    )
    page.wait_for_timeout(1500)  # what the app would say of a new first session, by now
    expect(message_under(page, "First session")).to_have_count(0)
    assert [rows.nth(k).input_value() for k in range(rows.count())] == booked
    visit_.assert_clean()


def test_the_sessions_a_schedule_error_names_are_the_ones_marked(workbook, visit):
    """Two sessions moved onto one day: those two boxes are marked invalid and described by
    the error (not every date of the list, nor the cancelled ticks), and the refusal's "Show
    me where" goes to the first of them."""
    visit_ = visit(workbook.url(NOTEBOOK, partnership=PARTNERSHIP, person=CARMEN))
    visit_.assert_clean()
    page = visit_.page
    rows = page.locator("label").filter(has_text=re.compile(r"^Session \d+$"))
    expect(rows.first).to_be_visible()
    if (short := 3 - rows.count()) > 0:  # other tests may have left fewer booked
        number = field(page, "Number of sessions")
        fill(page, "Number of sessions", str(int(number.input_value()) + short))
        expect(rows).to_have_count(3, timeout=KERNEL_MS)
    labels = [booked_label(page, k) for k in range(3)]
    boxes = [field(page, label) for label in labels]
    boxes[2].fill(boxes[1].input_value())
    boxes[2].blur()
    error = page.locator(".peercoach-error").filter(has_text=re.compile(r"are both on"))
    expect(error).to_have_text(
        re.compile(rf"{labels[1].replace('Session', 'Sessions')} and {labels[2][8:]} are both on")
    )
    expect(boxes[0]).not_to_have_attribute("aria-invalid", "true")
    for box in boxes[1:]:
        expect(box).to_have_attribute("aria-invalid", "true")
        expect(box).to_have_accessible_description(re.compile(r"^Error: Sessions"))
    cancelled = page.get_by_role("checkbox", name="cancelled")
    for k in range(cancelled.count()):
        expect(cancelled.nth(k)).not_to_have_attribute("aria-invalid", "true")
    page.get_by_role("button", name="Save agreement").click()
    page.get_by_role("link", name="Show me where").click()
    expect(boxes[1]).to_be_focused()
    visit_.assert_clean()
