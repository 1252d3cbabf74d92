"""My data in a real browser: share an item and unshare it, export, and delete oneself.

The people here are this file's own: each test adds its partners (with a session held, one booked
and something written) to the demo cohort, so no other browser test sees them and the tests pass
in any order.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import re
import secrets

from playwright.sync_api import expect

from peercoach_lib import drafts
from peercoach_lib.model import (
    Draft,
    Person,
    Session,
    SessionHalf,
    SessionNote,
    SessionPrep,
)
from peercoach_lib.store import Store
from tests.browser.harness import KERNEL_MS, field, fill, message_under, pair_in_demo_cohort

NOTEBOOK = "my_data.ipynb"
SHARE = "Shared with my partner"
CONFIRM = "Type your name to confirm"


def _partners(demo_database: str, first: str, second: str, token: str) -> dict:
    """Two new people of the demo cohort, partners for six weeks: a session held last week (with
    a private note by the first) and one booked in five days (which the first has prepared for,
    privately)."""
    today = dt.date.today()
    with Store(demo_database) as store:
        (a, b), pair = pair_in_demo_cohort(store, (first, second), token, today)
        last_week = today - dt.timedelta(days=7)
        held = store.save(
            Session(
                partnership_id=pair.id,
                scheduled_on=last_week,
                status="held",
                held_on=last_week,
                halves=[
                    SessionHalf(coach_id=a.id, client_id=b.id, minutes=45),
                    SessionHalf(coach_id=b.id, client_id=a.id, minutes=45),
                ],
                is_demo=True,
            )
        )
        booked = store.save(
            Session(partnership_id=pair.id, scheduled_on=today + dt.timedelta(days=5), is_demo=True)
        )
        note = store.save(
            SessionNote(
                session_id=held.id,
                person_id=a.id,
                text=f"The reframe about my manager landed ({token})",
                is_demo=True,
            )
        )
        prep = store.save(
            SessionPrep(
                session_id=booked.id,
                person_id=a.id,
                purpose=f"Decide whether to apply for the lead role ({token})",
                private_notes=f"Worried I am not ready ({token})",
                is_demo=True,
            )
        )
    return {"a": a, "b": b, "pair": pair, "note": note, "prep": prep}


def test_share_then_unshare_reaches_the_partners_page_and_the_export_is_json(
    workbook, visit, demo_database
):
    token = secrets.token_hex(3)
    people = _partners(demo_database, "Wren", "Kit", token)
    a, b, prep = people["a"], people["b"], people["prep"]
    with Store(demo_database) as store:
        for k in (1, 2):
            drafts.keep(store, a.id, "change_plan", f"plan:new:{k}", {"goal": f"GOAL-{k}"})

    visit_ = visit(workbook.url(NOTEBOOK, person=a.id))
    visit_.assert_clean()
    page = visit_.page
    expect(field(page, "I am")).to_have_value(a.name)
    card = page.locator(".peercoach-shareable").filter(has_text=prep.purpose)
    expect(card).to_have_count(1)
    expect(card).to_contain_text(prep.private_notes)
    # Every item has the switch: each is heard with its item's name.
    switch = card.get_by_role("checkbox", name=re.compile(rf".+: {SHARE}$"))
    expect(switch).not_to_be_checked()

    # Shared: saved at once, said so beside the switch, and on the partner's preparation page.
    switch.check()
    expect(card.get_by_role("status")).to_have_text(
        "Saved: your partner sees it from now on.", timeout=KERNEL_MS
    )
    expect(card.locator(".peercoach-seen-partner").first).to_be_visible()
    with Store(demo_database) as store:
        assert store.get(SessionPrep, prep.id).shared is True
    visit_.assert_clean()
    visit_.screenshot("my_data")

    partners_page = visit(workbook.url("session_prep.ipynb", person=b.id))
    partners_page.assert_clean()
    theirs = partners_page.page
    expect(field(theirs, "I am")).to_have_value(b.name)
    expect(theirs.get_by_role("heading", name=f"From {a.name}")).to_be_visible()
    expect(theirs.locator("#peercoach-main").get_by_text(prep.purpose)).to_be_visible()
    expect(theirs.locator("#peercoach-main").get_by_text(prep.private_notes)).to_have_count(0)

    # Private again: stored, and gone from the partner's page when it next opens.
    switch.uncheck()
    expect(card.get_by_role("status")).to_have_text(
        "Saved: private again: only you see it.", timeout=KERNEL_MS
    )
    with Store(demo_database) as store:
        assert store.get(SessionPrep, prep.id).shared is False
    partners_page.reload()
    partners_page.assert_clean()
    expect(theirs.get_by_role("heading", name=f"From {a.name}")).to_be_visible()
    expect(
        theirs.locator("#peercoach-main").get_by_text("Nothing shared with you yet")
    ).to_be_visible()
    expect(theirs.locator("#peercoach-main").get_by_text(prep.purpose)).to_have_count(0)

    # The export: a link to one JSON file with the person's records.
    link = page.get_by_role("link", name="Export everything about me (JSON)")
    expect(link).to_have_attribute("download", f"peercoach-person-{a.id}.json")
    href = link.get_attribute("href")
    assert href.startswith("data:application/json;base64,")
    document = json.loads(base64.b64decode(href.split(",", 1)[1]))
    assert document["person"] == a.id
    assert [n["text"] for n in document["records"]["session_notes"]] == [people["note"].text]
    visit_.assert_clean()

    # A draft discarded here, by keyboard: asked first; then said, and the focus on the next.
    discard = page.get_by_role("button", name=re.compile(r"^Discard this draft"))
    expect(discard).to_have_count(2)
    discard.first.focus()
    page.keyboard.press("Enter")
    expect(page.locator(":focus")).to_contain_text("Discard it for good?", timeout=KERNEL_MS)
    page.keyboard.press("Tab")  # from the question to its first answer
    expect(page.get_by_role("button", name=re.compile(r"^Discard it:"))).to_be_focused(
        timeout=KERNEL_MS
    )
    page.keyboard.press("Enter")
    expect(page.locator("#peercoach-main").get_by_text("Draft discarded:")).to_be_visible(
        timeout=KERNEL_MS
    )
    expect(discard).to_have_count(1)
    expect(discard).to_be_focused(timeout=KERNEL_MS)
    with Store(demo_database) as store:
        assert len(store.find(Draft, person_id=a.id)) == 1
    visit_.assert_clean()


def test_delete_me_refuses_a_wrong_name_then_deletes_with_the_right_one(
    workbook, visit, demo_database
):
    token = secrets.token_hex(3)
    people = _partners(demo_database, "Jules", "Sam", token)
    a, b = people["a"], people["b"]
    with Store(demo_database) as store:
        partners_note = store.save(
            SessionNote(
                session_id=people["note"].session_id,
                person_id=b.id,
                text=f"Sam's own note ({token})",
                shared=True,
                is_demo=True,
            )
        )

    visit_ = visit(workbook.url(NOTEBOOK, person=a.id))
    visit_.assert_clean()
    page = visit_.page
    expect(page.locator("#peercoach-main").get_by_text(people["note"].text)).to_be_visible()
    # By the keyboard: the focus does not go with the button pressed (to the top of the
    # page); it goes to what to type, then back to the button when the person keeps their data.
    start = page.get_by_role("button", name="Delete me…")
    start.focus()
    page.keyboard.press("Enter")
    expect(field(page, CONFIRM)).to_be_visible(timeout=KERNEL_MS)
    focused = page.locator(":focus")
    expect(focused).to_contain_text("To confirm, type your name exactly", timeout=KERNEL_MS)
    page.keyboard.press("Tab")
    expect(field(page, CONFIRM)).to_be_focused()
    page.get_by_role("button", name="Keep my data").focus()
    page.keyboard.press("Enter")
    expect(start).to_be_focused(timeout=KERNEL_MS)
    page.keyboard.press("Enter")
    expect(field(page, CONFIRM)).to_be_visible(timeout=KERNEL_MS)

    # A name that is not quite theirs: refused, with the reason next to the field.
    fill(page, CONFIRM, a.name.lower())
    page.get_by_role("button", name="Delete everything about me").click()
    expect(message_under(page, CONFIRM)).to_contain_text(
        "Error: this is not your name as the workbook has it", timeout=KERNEL_MS
    )
    with Store(demo_database) as store:
        assert store.get(Person, a.id).forgotten_at is None

    fill(page, CONFIRM, a.name)
    page.get_by_role("button", name="Delete everything about me").click()
    done = page.get_by_role("status").filter(has_text="Your data was deleted.")
    expect(done).to_contain_text("We replaced your name and e-mail", timeout=KERNEL_MS)
    expect(focused).to_contain_text("Your data was deleted.", timeout=KERNEL_MS)  # not lost
    expect(page.locator("#peercoach-main").get_by_text(people["note"].text)).to_have_count(0)
    expect(page.locator(".peercoach-item")).to_have_count(0)
    expect(field(page, "I am").locator(f"option[value='{a.name}']")).to_have_count(0)
    visit_.assert_clean()

    with Store(demo_database) as store:
        gone = store.get(Person, a.id)
        assert gone.forgotten_at is not None and token not in gone.name
        assert store.find(SessionNote, person_id=a.id) == []
        assert store.find(SessionPrep, person_id=a.id) == []
        # The partner's own records stay as they were.
        assert store.get(SessionNote, partners_note.id).text == partners_note.text

    # Opened again from the same link, the page says the data was deleted and shows none.
    # (The page's own address has followed the emptied chooser: a reload asks who you are.)
    assert "person=" not in page.url
    visit_.open_again(workbook.url(NOTEBOOK, person=a.id))
    visit_.assert_clean()
    expect(page.locator("#peercoach-main").get_by_text("was deleted on")).to_be_visible()
    expect(page.locator("#peercoach-main").get_by_text(a.name)).to_have_count(0)
