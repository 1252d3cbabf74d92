"""A courageous conversation in a real browser: prepared, talked, ended; then paired again.

The partnership here is this file's own: the test adds two people and their partnership to the
demo cohort (and a third person to pair one of them with), so no other browser test sees them.
"""

from __future__ import annotations

import datetime as dt
import secrets

from playwright.sync_api import expect

from peercoach_lib.model import Partnership, Session, SessionStatus
from peercoach_lib.store import Store
from tests.browser.harness import (
    KERNEL_MS,
    field,
    fill,
    message_under,
    pair_in_demo_cohort,
    type_date,
)

NOTEBOOK = "courageous_conversation.ipynb"


def _people(demo_database: str, token: str) -> tuple[int, int, int, int]:
    """Three new people of the demo cohort; the first two are partners with a session booked."""
    today = dt.date.today()
    with Store(demo_database) as store:
        (a, b, c), pair = pair_in_demo_cohort(store, ("Quinn", "Robin", "Sasha"), token, today)
        store.save(
            Session(partnership_id=pair.id, scheduled_on=today + dt.timedelta(days=5), is_demo=True)
        )
    return a.id, b.id, c.id, pair.id


def test_prepare_talk_and_end_then_pair_again(workbook, visit, demo_database):
    token = secrets.token_hex(3)
    quinn, _robin, sasha, pair = _people(demo_database, token)
    issue = f"We have missed four of our last six sessions ({token})"
    learned = f"Agree the slot first, and say early when it slips ({token})"

    visit_ = visit(workbook.url(NOTEBOOK, person=quinn, partnership=pair, prompted="lapsing"))
    visit_.assert_clean()
    page = visit_.page
    expect(field(page, "I am")).to_have_value(f"Quinn {token}")
    expect(page.locator("#peercoach-main").get_by_text("your sessions have lapsed")).to_be_visible()

    # The wording is coached as the person writes; then a plain account is saved, privately.
    fill(page, "The issue, in one sentence", "You are unreliable and never on time")
    tips = page.locator(".peercoach-hints")
    expect(tips).to_contain_text(
        "“unreliable” describes your partner's character", timeout=KERNEL_MS
    )
    expect(tips).to_contain_text("Always and never")
    fill(page, "The issue, in one sentence", issue)
    expect(tips).to_have_count(0, timeout=KERNEL_MS)
    fill(page, "A specific example", "I waited on the call for twenty minutes on Tuesday.")
    fill(page, "My own part in it", "I never said how much it mattered to me.")
    page.get_by_role("button", name="Save my preparation").click()
    expect(page.get_by_role("status").filter(has_text="It is private to you")).to_be_visible(
        timeout=KERNEL_MS
    )
    visit_.assert_clean()
    visit_.screenshot("courageous_conversation")

    # Afterwards: they talked and decided to end.
    fill(page, "We talked on", dt.date.today().isoformat())
    field(page, "What we decided").select_option(label="Decided to end")
    expect(
        page.locator("#peercoach-main").get_by_text("Save this, then end the partnership below.")
    ).to_be_visible(timeout=KERNEL_MS)
    page.get_by_role("button", name="Save what came of it").click()
    expect(page.get_by_role("status").filter(has_text="is shared with Robin")).to_be_visible(
        timeout=KERNEL_MS
    )

    # Ending asks for a reason and a confirmation, next to each; nothing ends without them.
    page.get_by_role("button", name="End the partnership").click()
    expect(message_under(page, "Reason (your facilitator sees only this)")).to_have_text(
        "Error: choose the reason that fits best", timeout=KERNEL_MS
    )
    expect(
        page.locator("#peercoach-main").get_by_text(
            "tick this to confirm that you mean to end the partnership"
        )
    ).to_be_visible()
    # The box's error is tied to it, as every field's: marked invalid, described by it.
    confirm = page.get_by_label(
        "I have talked with my partner, and booked sessions after this day will be cancelled"
    )
    expect(confirm).to_have_attribute("aria-invalid", "true")
    expect(confirm).to_have_accessible_description(
        "Error: tick this to confirm that you mean to end the partnership"
    )
    with Store(demo_database) as store:
        assert store.get(Partnership, pair).is_active
    field(page, "Reason (your facilitator sees only this)").select_option(
        label="Schedules did not fit"
    )
    fill(page, "What I learned", learned)
    confirm.check()
    expect(confirm).not_to_have_attribute("aria-invalid", "true")
    # A last day the calendar lacks holds the ending back, said as the app says it; the
    # refusal before, about what is mended since, goes (it stood beside the new one).
    last_day = field(page, "Last day of the partnership")
    type_date(page, last_day, "02312027")
    page.get_by_role("button", name="End the partnership").click()
    expect(page.locator(".peercoach-date-held")).to_have_text(
        "The partnership was not ended: \u201cLast day of the partnership\u201d holds a day the "
        "calendar does not have (marked Error).",
        timeout=KERNEL_MS,
    )
    expect(
        page.locator("#peercoach-main").get_by_text("The partnership was not ended: \u201cReason")
    ).to_be_hidden()
    fill(page, "Last day of the partnership", dt.date.today().isoformat())
    page.get_by_role("button", name="End the partnership").click()
    expect(page.get_by_role("status").filter(has_text="The partnership ended on")).to_be_visible(
        timeout=KERNEL_MS
    )
    visit_.assert_clean()
    with Store(demo_database) as store:
        ended = store.get(Partnership, pair)
        assert (
            ended.ended_on == dt.date.today() and ended.end_reason.value == "schedules did not fit"
        )
        (booked,) = store.find(Session, partnership_id=pair)
        assert booked.status is SessionStatus.CANCELLED

    # The facilitator pairs Quinn again, with Sasha; Sasha's pages show nothing of before.
    dashboard = visit(workbook.url("cohort_dashboard.ipynb"))
    dashboard.assert_clean()
    board = dashboard.page
    field(board, "Person").select_option(label=f"Quinn {token} (no partner now)")
    field(board, "New partner").select_option(label=f"Sasha {token} (not paired yet)")
    board.get_by_role("button", name="Pair them").click()
    expect(board.get_by_role("status").filter(has_text="are partners from")).to_be_visible(
        timeout=KERNEL_MS
    )
    dashboard.assert_clean()
    with Store(demo_database) as store:
        new = [p for p in store.find(Partnership) if set(p.members) == {quinn, sasha}]
        assert len(new) == 1 and new[0].is_active

    for notebook in ("session_log.ipynb", "session_prep.ipynb", NOTEBOOK):
        view = visit(workbook.url(notebook, person=sasha, partnership=new[0].id))
        view.assert_clean()
        body = view.page.locator("body").inner_text()
        for words in (issue, learned, "twenty minutes on Tuesday"):
            assert words not in body, (notebook, words)
        view.close()
