"""Preparing for a session in a real browser: filled in, saved, and found again after a reload.

Amara Tanaka (person 8, partnership 4 with Lea Jansen) and Lea Jansen (person 9) are this file's
own: other browser tests use other people. Their next sessions are booked ahead in the demo; each
test reads what it needs from the page (or saves it first), so the tests pass in any order.
"""

from __future__ import annotations

import secrets

from playwright.sync_api import Page, expect

from peercoach_lib import deck
from tests.browser.harness import KERNEL_MS, assert_icon_level, field, fill, message_under
from tests.examples import quoted as q

NOTEBOOK = "session_prep.ipynb"
AMARA, LEA = 8, 9
SHARE = (
    "Share this preparation with my partner, with how my commitments went "
    "(private notes stay private)"
)
STATUS_OPTION = "option[value='Not followed up yet']"


def commitment_rows(page: Page) -> dict[str, tuple]:
    """Last time's commitments by their label: (status dropdown, "What got in the way" box)."""
    rows = {}
    selects = page.locator("select").filter(has=page.locator(STATUS_OPTION))
    for k in range(selects.count()):
        status = selects.nth(k)
        label = page.locator(f"label[for='{status.get_attribute('id')}']").inner_text()
        row = status.locator("xpath=ancestor::div[contains(@class, 'widget-vbox')][1]")
        rows[label] = (status, row.get_by_label(": What got in the way"))
    return rows


def test_a_preparation_is_saved_and_found_again(workbook, visit):
    token = secrets.token_hex(3)
    purpose = f"Decide whether to take on the mentoring role ({token})"
    outcomes = (
        f"This session will be a success if I leave with a yes or a no.\nAnd a first step ({token})"
    )
    process = "Ten minutes on what happened, then the options, then one next step."
    private = f"I am unsure my manager will agree ({token})"
    obstacle = f"The clinic was closed all week ({token})"

    visit_ = visit(workbook.url(NOTEBOOK, person=AMARA))
    visit_.assert_clean()
    page = visit_.page
    expect(field(page, "I am")).to_have_value("Amara Tanaka")
    session = field(page, "Session").input_value()
    assert "with Lea Jansen" in session

    fill(page, "Purpose: why this session?", purpose)
    fill(page, "Outcomes", outcomes)
    fill(page, "Process: how to use the time", process)

    # Last time's commitments: the first was partly kept, and something got in the way.
    rows = commitment_rows(page)
    assert rows, "Amara has commitments from last time to follow up"
    first = next(iter(rows))
    status, what_got_in_the_way = rows[first]
    status.select_option(value="Partly")
    what_got_in_the_way.fill(obstacle)
    what_got_in_the_way.press("Tab")

    # A question for the coach, from the Honesty group.
    field(page, "Group").select_option(value="Honesty")
    question = deck.load().questions("Honesty")[0]
    questions = field(page, "Questions")
    expect(questions.locator("option").first).to_have_attribute(
        "value", question, timeout=KERNEL_MS
    )
    questions.select_option(value=question)
    page.get_by_role("button", name="Pin for my coach").click()
    pinned = field(page, "Pinned")
    expect(pinned.locator(f"option[value='{question}']")).to_have_count(1, timeout=KERNEL_MS)

    field(page, SHARE).check()
    fill(page, "Private notes (never shared)", private)

    page.get_by_role("button", name="Save preparation").click()
    saved = page.get_by_role("status").filter(has_text="Saved at")
    expect(saved).to_contain_text(
        "Your partner can see it (not your private notes).", timeout=KERNEL_MS
    )
    expect(page.locator("#peercoach-main").get_by_text("Nothing was saved")).to_have_count(0)
    # Read out: the notice comes with its words in it, which a screen reader does not say.
    expect(page.locator("#peercoach-announcer")).to_contain_text("Saved at")
    visit_.assert_clean()
    visit_.screenshot("session_prep-saved")

    visit_.reload()
    visit_.assert_clean()
    expect(field(page, "I am")).to_have_value("Amara Tanaka")
    expect(field(page, "Session")).to_have_value(session)
    expect(field(page, "Purpose: why this session?")).to_have_value(purpose)
    expect(field(page, "Outcomes")).to_have_value(outcomes)
    expect(field(page, "Process: how to use the time")).to_have_value(process)
    expect(field(page, "Private notes (never shared)")).to_have_value(private)
    expect(field(page, SHARE)).to_be_checked()
    expect(field(page, "Pinned").locator(f"option[value='{question}']")).to_have_count(1)
    status, what_got_in_the_way = commitment_rows(page)[first]
    expect(status).to_have_value("Partly")
    expect(what_got_in_the_way).to_have_value(obstacle)
    expect(page.locator("#peercoach-main").get_by_text("Saved at")).to_have_count(0)


def test_an_empty_purpose_is_refused_and_nothing_saved_is_lost(workbook, visit):
    token = secrets.token_hex(3)
    purpose = f"Plan the next month of deep work ({token})"
    outcomes = f"A plan I believe in ({token})"
    visit_ = visit(workbook.url(NOTEBOOK, person=LEA))
    visit_.assert_clean()
    page = visit_.page
    expect(field(page, "I am")).to_have_value("Lea Jansen")

    # What is saved before the mistake (saved here, so that the test knows it).
    fill(page, "Purpose: why this session?", purpose)
    fill(page, "Outcomes", outcomes)
    page.get_by_role("button", name="Save preparation").click()
    expect(page.get_by_role("status").filter(has_text="Saved at")).to_be_visible(timeout=KERNEL_MS)

    # The purpose is emptied (spaces only) and the outcomes changed: refused, with the reason
    # under the purpose.
    fill(page, "Purpose: why this session?", "   ")
    fill(page, "Outcomes", "This edit must not be saved")
    page.get_by_role("button", name="Save preparation").click()
    refused = page.get_by_role("alert").filter(has_text="Nothing was saved")
    expect(refused).to_contain_text(
        f"Nothing was saved: {q('Purpose: why this session?')} needs attention (marked Error).",
        timeout=KERNEL_MS,
    )
    expect(message_under(page, "Purpose: why this session?")).to_have_text("Error: cannot be empty")
    expect(page.locator("#peercoach-main").get_by_text("Saved at")).to_have_count(0)
    # What the person typed stays on the page for them to correct.
    expect(field(page, "Outcomes")).to_have_value("This edit must not be saved")
    visit_.assert_clean()

    # A reload brings back what was typed (a draft, for Lea alone), and says so; discarding
    # the draft shows what is saved, untouched by the refused save.
    visit_.reload()
    visit_.assert_clean()
    expect(
        page.locator("#peercoach-main").get_by_text("Restored what you typed and had not saved")
    ).to_be_visible()
    expect(field(page, "Outcomes")).to_have_value("This edit must not be saved")
    # Shown from code, the button looks as those shown from the start do.
    assert_icon_level(page.get_by_role("button", name="Discard the draft"))
    page.get_by_role("button", name="Discard the draft").click()
    expect(page.locator("#peercoach-main").get_by_text("Draft discarded")).to_be_visible(
        timeout=KERNEL_MS
    )
    expect(field(page, "Purpose: why this session?")).to_have_value(purpose)
    expect(field(page, "Outcomes")).to_have_value(outcomes)
    expect(message_under(page, "Purpose: why this session?")).to_have_count(0)
    expect(page.locator("#peercoach-main").get_by_text("Restored what you typed")).to_have_count(0)
    visit_.reload()
    visit_.assert_clean()
    expect(field(page, "Outcomes")).to_have_value(outcomes)
    expect(page.locator("#peercoach-main").get_by_text("Restored what you typed")).to_have_count(0)
