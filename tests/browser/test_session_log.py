"""Logging a session in a real browser: recorded, saved, and found again after a reload.

Partnership 3 of the demo database (Nia Yilmaz, person 6, and Rafael Okafor, person 7) is this
file's own: other browser tests use other people. Nia logs a session held today that was not
booked; Rafael tries to log a past session as held in the future. Each test reads what it needs
from the page or the database, so the tests pass in any order.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets

from playwright.sync_api import Page, expect

from peercoach_lib import dates, session_log
from peercoach_lib.model import Feedback, FeedbackRole, Session, SessionNote
from peercoach_lib.store import Store
from tests.browser.harness import (
    KERNEL_MS,
    assert_fields_in_columns,
    field,
    fill,
    message_under,
)
from tests.examples import quoted as q

NOTEBOOK = "session_log.ipynb"
PARTNERSHIP, NIA, RAFAEL = 3, 6, 7
NIA_COACHED = "Nia Yilmaz coached Rafael Okafor"
RAFAEL_COACHED = "Rafael Okafor coached Nia Yilmaz"
CHECK = {
    "I felt heard and understood": "9",
    "We worked on what I wanted": "10",
    "The approach suited me": "8",
    "Overall": "9",
}
STATUS_OPTION = "option[value='Not followed up yet']"


def review(page: Page, commitment: str):
    """A commitment from last time: (its status dropdown, its "What got in the way" box)."""
    status = (
        page.locator("select")
        .filter(has=page.locator(STATUS_OPTION))
        .and_(page.get_by_label(commitment))
    )
    row = status.locator("xpath=ancestor::div[contains(@class, 'widget-vbox')][1]")
    return status, row.get_by_label(": What got in the way")


def new_commitment_rows(page: Page):
    """The rows of "Commitments for next time" (each has I will, By when, Goal and Remove)."""
    return page.locator(".peercoach-rowlist .widget-hbox:has(> .widget-button)")


def test_a_session_is_logged_and_found_again(workbook, visit, demo_database):
    token = secrets.token_hex(3)
    today = dt.date.today()
    due = today + dt.timedelta(days=7)
    note = f"We found the real question at last ({token})"
    obstacle = f"Two of them were away ({token})"
    promise = f"Ask three people for an introduction ({token})"
    feedback = {
        "What was most helpful": f"The question about what I really want ({token})",
        "What was less helpful": "We ran over on the first half.",
        "What worked": f"Staying quiet and letting Rafael think ({token})",
        "What to try next time": "Summarise before the commitments.",
    }
    with Store(demo_database) as store:
        (goal,) = session_log.active_plans(store, NIA)
        to_follow_up = session_log.open_commitments(store, NIA, PARTNERSHIP, None)
    assert to_follow_up, "Nia has commitments from last time to follow up"
    followed_up = to_follow_up[0].text[:60]

    visit_ = visit(workbook.url(NOTEBOOK, person=NIA, partnership=PARTNERSHIP))
    visit_.assert_clean()
    page = visit_.page
    expect(field(page, "I am")).to_have_value("Nia Yilmaz")
    expect(field(page, "Partnership")).to_have_value("With Rafael Okafor")

    # Nia and Rafael met today without having booked it.
    field(page, "Session").select_option(value="An unplanned session")
    assert_fields_in_columns(page)
    fill(page, "Date", today.isoformat())
    page.get_by_role("button", name="Held", exact=True).click()
    fill(page, NIA_COACHED, "50")
    fill(page, RAFAEL_COACHED, "40")
    expect(message_under(page, RAFAEL_COACHED)).to_have_text(
        "Note: ran short: 40 of the agreed 45 minutes", timeout=KERNEL_MS
    )
    fill(page, "My notes (private)", note)
    field(page, "Share these notes with my partner").check()

    # Last time's commitment was partly kept; one new commitment, linked to Nia's goal.
    status, what_got_in_the_way = review(page, followed_up)
    status.select_option(value="Partly")
    what_got_in_the_way.fill(obstacle)
    what_got_in_the_way.press("Tab")
    page.get_by_role("button", name="Add a commitment").click()
    row = new_commitment_rows(page)
    expect(row).to_have_count(1, timeout=KERNEL_MS)
    row.get_by_label("I will").fill(promise)
    row.get_by_label("I will").press("Tab")
    row.get_by_label("By when").fill(due.isoformat())
    row.get_by_label("By when").press("Tab")
    row.get_by_label("Goal").select_option(value=goal.change)

    # Where the goal stands today: the second option from the top, +1.
    level = field(page, goal.change)
    level.select_option(index=2)
    rated = level.input_value()
    assert rated.startswith("+1:")

    for label, text in feedback.items():
        fill(page, label, text)
    for label, value in CHECK.items():
        field(page, label).select_option(value=value)
    expect(page.locator("#peercoach-main").get_by_text("Total 36 of 40.")).to_be_visible(
        timeout=KERNEL_MS
    )

    page.get_by_role("button", name="Save session").click()
    saved = page.get_by_role("status").filter(has_text="Saved the held session")
    expect(saved).to_have_text(f"Saved the held session of {dates.long(today)}.", timeout=KERNEL_MS)
    expect(page.locator("#peercoach-main").get_by_text("Nothing was saved")).to_have_count(0)
    # The form now shows the session as logged.
    session = f"{dates.short_weekday(today)} (held, unplanned)"
    expect(field(page, "Session")).to_have_value(session)
    visit_.assert_clean()
    visit_.screenshot("session_log-saved")

    visit_.reload()
    visit_.assert_clean()
    # Saved, the session is no longer a draft; logged today, it is where the log opens (not a
    # blank unplanned session on the same day, which could not be saved beside it).
    expect(page.locator("#peercoach-main").get_by_text("Restored what you typed")).to_have_count(0)
    expect(field(page, "Session")).to_have_value(session)
    expect(field(page, "My notes (private)")).to_have_value(note, timeout=KERNEL_MS)
    expect(field(page, "Share these notes with my partner")).to_be_checked()
    expect(field(page, "Date")).to_have_value(today.isoformat())
    expect(page.locator(".widget-toggle-button.mod-active")).to_have_text("Held")
    expect(field(page, NIA_COACHED)).to_have_value("50")
    expect(field(page, RAFAEL_COACHED)).to_have_value("40")
    status, what_got_in_the_way = review(page, followed_up)
    expect(status).to_have_value("Partly")
    expect(what_got_in_the_way).to_have_value(obstacle)
    row = new_commitment_rows(page)
    expect(row).to_have_count(1)
    expect(row.get_by_label("I will")).to_have_value(promise)
    expect(row.get_by_label("By when")).to_have_value(due.isoformat())
    expect(row.get_by_label("Goal")).to_have_value(goal.change)
    expect(field(page, goal.change)).to_have_value(rated)
    for label, text in feedback.items():
        expect(field(page, label)).to_have_value(text)
    for label, value in CHECK.items():
        expect(field(page, label)).to_have_value(value)
    expect(page.locator("#peercoach-main").get_by_text("Total 36 of 40.")).to_be_visible()
    visit_.assert_clean()


def test_a_session_held_in_the_future_is_refused_and_nothing_saved_is_lost(
    workbook, visit, demo_database
):
    today = dt.date.today()
    visit_ = visit(workbook.url(NOTEBOOK, person=RAFAEL, partnership=PARTNERSHIP))
    visit_.assert_clean()
    page = visit_.page
    expect(field(page, "I am")).to_have_value("Rafael Okafor")

    # The latest booked session that was held: Rafael opens it again.
    options = field(page, "Session").locator("option")
    held = [v for v in (o.get_attribute("value") for o in options.all()) if v.endswith("(held)")]
    assert held, "partnership 3 has held sessions in the demo"
    session = held[0]
    field(page, "Session").select_option(value=session)
    day = dt.datetime.strptime(session.removesuffix(" (held)"), "%a %d %b %Y").date()
    expect(field(page, "Date")).to_have_value(day.isoformat(), timeout=KERNEL_MS)
    # What the form shows for the session as saved (read from the database: the page may still be
    # receiving the rest of the form when the date arrives).
    with Store(demo_database) as store:
        (saved,) = [
            s
            for s in store.find(Session, partnership_id=PARTNERSHIP)
            if (s.held_on or s.scheduled_on) == day
        ]
        notes = store.find(SessionNote, session_id=saved.id, person_id=RAFAEL)
        coach = [
            f
            for f in store.find(Feedback, session_id=saved.id, author_id=RAFAEL)
            if f.role is FeedbackRole.COACH
        ]
    minutes = {(h.coach_id, h.client_id): h.minutes for h in saved.halves}
    before = {
        "My notes (private)": notes[0].text if notes else "",
        NIA_COACHED: str(minutes[(NIA, RAFAEL)]),
        RAFAEL_COACHED: str(minutes[(RAFAEL, NIA)]),
        "What worked": coach[0].what_worked if coach else "",
    }
    for label, value in before.items():
        expect(field(page, label)).to_have_value(value, timeout=KERNEL_MS)

    future = today + dt.timedelta(days=3)
    fill(page, "Date", future.isoformat())
    fill(page, "My notes (private)", "This edit must not be saved")
    page.get_by_role("button", name="Save session").click()
    refused = page.get_by_role("alert").filter(has_text="Nothing was saved")
    # (The Date first; a commitment of the demo's due before a day three days on is named too,
    # on days when the demo's dates fall so.)
    expect(refused).to_contain_text(
        re.compile(
            re.escape(q("Date")) + r"( and \S+ \d+\S*)? needs? attention \(marked Error\)\. "
            r"Your draft is kept\."
        ),
        timeout=KERNEL_MS,
    )
    expect(message_under(page, "Date")).to_have_text(
        # (Near midnight the day on the person's clock is said too, where it is not the day
        # in the partnership's time zone.)
        re.compile(r"Error: a session cannot be held after today \(\d+ \w{3} \d{4}[^)]*\)")
    )
    expect(page.locator("#peercoach-main").get_by_text("Saved the")).to_have_count(0)
    # What the person typed stays on the page for them to correct.
    expect(field(page, "Date")).to_have_value(future.isoformat())
    visit_.assert_clean()
    with Store(demo_database) as store:
        (stored,) = [
            s
            for s in store.find(Session, partnership_id=PARTNERSHIP)
            if (s.held_on or s.scheduled_on) == day
        ]
        assert stored.held_on == day

    # Reopened, the session offers the unsaved draft; discarding it shows the session as saved.
    visit_.reload()
    visit_.assert_clean()
    field(page, "Session").select_option(value=session)
    expect(
        page.locator("#peercoach-main").get_by_text("Restored what you typed and had not saved")
    ).to_be_visible(timeout=KERNEL_MS)
    expect(field(page, "Date")).to_have_value(future.isoformat())
    page.get_by_role("button", name="Discard the draft").click()
    expect(page.get_by_role("status").filter(has_text="Draft discarded")).to_be_visible(
        timeout=KERNEL_MS
    )
    expect(field(page, "Date")).to_have_value(day.isoformat())
    expect(field(page, "Date")).to_be_focused()  # the button pressed went with the draft
    for label, value in before.items():
        expect(field(page, label)).to_have_value(value)
    expect(message_under(page, "Date")).to_have_count(0)
    visit_.assert_clean()

    # A number pasted into a whole-minutes box ("2.5": a typed point is refused) is not left
    # showing what the app does not have: the box shows the whole minutes the app took, and
    # says so beside it.
    minutes = field(page, NIA_COACHED)
    minutes.fill("2.5")
    minutes.blur()
    expect(minutes).to_have_value("2", timeout=KERNEL_MS)
    note = page.locator(".peercoach-readout-note")
    expect(note).to_have_text(
        "Note: “2.5” is not a whole number: the box takes whole numbers, so it holds 2."
    )
    expect(note).to_have_attribute("role", "status")
    minutes.fill("300.5")
    minutes.blur()
    # The app has 300, and says it is out of range.
    expect(message_under(page, NIA_COACHED)).to_have_text(
        "Error: must be from 0 to 240", timeout=KERNEL_MS
    )
    expect(minutes).to_have_value("300")
    expect(note).to_contain_text("“300.5” is not a whole number")
    # A point typed (refused by the box, which read "7.5" as 75 without a word) is said at
    # once, and the digits after it are left out, as a pasted number's are.
    minutes.fill("")
    minutes.press_sequentially("7.5")
    expect(minutes).to_have_value("7")
    expect(note).to_have_text(
        "Note: “7.5” is not a whole number: the box takes whole numbers, so it holds 7."
    )
    minutes.blur()
    expect(message_under(page, NIA_COACHED)).to_contain_text(
        "ran short: 7 of the agreed", timeout=KERNEL_MS
    )
    expect(minutes).to_have_value("7")
    expect(note).to_have_count(1)  # what it said stays while the box holds 7
    minutes.fill("45")  # typed into again: what was said is over
    minutes.blur()
    expect(note).to_have_count(0)
    expect(message_under(page, NIA_COACHED)).to_have_count(0, timeout=KERNEL_MS)
    expect(minutes).to_have_value("45")
    # Emptied, the box takes its number back: said, not done without a word.
    minutes.fill("")
    minutes.blur()
    expect(minutes).to_have_value("45")
    expect(note).to_have_text("Note: the box cannot be left empty, so it keeps 45.")
    page.get_by_role("button", name="Discard the draft").click(timeout=KERNEL_MS)
    expect(field(page, NIA_COACHED)).to_have_value(before[NIA_COACHED], timeout=KERNEL_MS)
