"""The agreement, the LSI and the session log can be completed and saved with the keyboard alone,
in a sensible order, with the focus always visible; a section that opens and closes opens from
the keyboard."""

from __future__ import annotations

import itertools
import secrets

from playwright.sync_api import expect

from peercoach_lib.model import LsiAssessment, SessionCheck, SessionNote
from peercoach_lib.store import Store

NOTEBOOK = "first_session_agreement.ipynb"
# Partnership 6 (Yara Kowalski, person 12, and Mei Park, person 13) is written only here.
CONTEXT = {"partnership": 6, "person": 12}
TYPED = {
    "What I hope to get out of peer coaching": "Typed with the keyboard alone: clearer priorities",
    "What support looks like for me": "A question that makes me stop and think",
    "Goals for the partnership (one per line)": "Meet every week\nKeep the time",
}

FOCUSED = """() => {
    const el = document.activeElement;
    if (!el || el === document.body) return null;
    const box = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    const label = el.getAttribute("aria-label") || (el.labels && el.labels[0]
        ? el.labels[0].textContent : "") || el.textContent || "";
    return {
        tag: el.tagName.toLowerCase(), label: label.trim().slice(0, 80),
        // Where it sits in the page, whatever has scrolled (Voilà's page scrolls inside).
        top: box.top - document.querySelector("main").getBoundingClientRect().top,
        left: box.left,
        outline: style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0,
        shadow: style.boxShadow !== "none",
    };
}"""


def tab_to(p, stop: str, *, act=None, limit: int = 250) -> list[dict]:
    """Press Tab from where the focus is until a button named ``stop`` has it, checking at
    each stop that the focus is visible; ``act(focused)`` may type or press keys on the way.
    Returns the stops, in order."""
    visited = []
    for _ in range(limit):
        p.keyboard.press("Tab")
        focused = p.evaluate(FOCUSED)
        if focused is None:
            continue
        visited.append(focused)
        assert focused["outline"] or focused["shadow"], f"focus not visible on {focused}"
        if focused["label"] == stop:
            return visited
        if act is not None:
            act(focused)
    raise AssertionError(f"{stop!r} was never reached; focus went through {visited[-10:]}")


def assert_down_the_page(visited: list[dict]) -> None:
    """A sensible order: down the page, never back up past a field already left behind."""
    tops = [f["top"] for f in visited]
    for earlier, later in itertools.pairwise(tops):
        assert later >= earlier - 60, f"focus jumped back up: {visited}"


def test_the_agreement_is_completed_and_saved_with_the_keyboard_alone(workbook, visit):
    page = visit(workbook.url(NOTEBOOK, **CONTEXT))
    page.assert_clean()
    p = page.page
    p.locator("body").click(position={"x": 5, "y": 5})  # start at the top, as a fresh page does
    to_type = dict(TYPED)

    def type_in(focused: dict) -> None:
        text = to_type.pop(focused["label"], None)
        if text is not None:
            p.keyboard.press("Control+A")
            p.keyboard.type(text)

    visited = tab_to(p, "Save agreement", act=type_in)
    assert visited[-1]["tag"] == "button"
    assert not to_type, f"not reached before Save: {list(to_type)}"
    p.keyboard.press("Enter")
    expect(p.locator("#peercoach-main").get_by_text("Saved at")).to_be_visible(timeout=30_000)
    page.assert_clean()
    assert_down_the_page(visited)

    page.reload()
    for label, text in TYPED.items():
        expect(p.get_by_label(label, exact=True).first).to_have_value(text)


def test_a_section_that_opens_and_closes_opens_from_the_keyboard(workbook, visit):
    page = visit(workbook.url(NOTEBOOK, person=12))
    page.assert_clean()
    p = page.page
    p.locator("body").click(position={"x": 5, "y": 5})
    tab_to(p, "Start a new partnership")
    header = p.locator(":focus")
    expect(header).to_have_attribute("role", "button")
    create = p.get_by_role("button", name="Create partnership")
    if header.get_attribute("aria-expanded") == "true":  # open at first: close it
        p.keyboard.press("Enter")
        expect(header).to_have_attribute("aria-expanded", "false")
        expect(create).to_be_hidden()
    p.keyboard.press("Enter")
    expect(header).to_have_attribute("aria-expanded", "true")
    expect(create).to_be_visible()
    p.keyboard.press(" ")
    expect(header).to_have_attribute("aria-expanded", "false")


def test_the_lsi_is_completed_and_saved_with_the_keyboard_alone(workbook, visit, demo_database):
    person = 12  # whose assessments only this test writes
    page = visit(workbook.url("lifestyle_satisfaction_index.ipynb", person=person))
    page.assert_clean()
    p = page.page
    p.locator("body").click(position={"x": 5, "y": 5})
    moved = {}

    def rate(focused: dict) -> None:
        # Each slider is heard with its area; the arrow keys move it.
        on_slider = p.evaluate("document.activeElement.getAttribute('role')") == "slider"
        if on_slider and focused["label"].endswith(": How satisfied I am now"):
            area, to = focused["label"].split(":")[0], len(moved) % 11
            p.keyboard.press("Home")
            for _ in range(to):
                p.keyboard.press("ArrowRight")
            expect(p.locator(":focus")).to_have_attribute("aria-valuenow", f"{to}.0")
            moved[area] = to
        elif focused["label"] == "A note to myself (private)":
            p.keyboard.type("Typed with the keyboard alone")

    visited = tab_to(p, "Save assessment", act=rate)
    assert len(moved) == 10, moved
    p.keyboard.press("Enter")
    expect(p.get_by_role("status").filter(has_text="your assessment of")).to_be_visible(
        timeout=30_000
    )
    page.assert_clean()
    assert_down_the_page(visited)
    with Store(demo_database) as store:
        saved = store.find(LsiAssessment, person_id=person, order_by="taken_on")[-1]
    assert {a.area: a.satisfaction for a in saved.areas} == moved
    assert saved.note == "Typed with the keyboard alone"


def test_a_session_is_logged_and_saved_with_the_keyboard_alone(workbook, visit, demo_database):
    person, partnership = 12, 6  # Yara Kowalski's log: only this file writes it
    page = visit(workbook.url("session_log.ipynb", person=person, partnership=partnership))
    page.assert_clean()
    p = page.page
    note = f"Logged with the keyboard alone ({secrets.token_hex(3)})"
    check = {
        "I felt heard and understood": "9",
        "We worked on what I wanted": "10",
        "The approach suited me": "8",
        "Overall": "9",
    }
    p.locator("body").click(position={"x": 5, "y": 5})

    def fill_in(focused: dict) -> None:
        if focused["label"] == "My notes (private)":
            p.keyboard.type(note)
        elif focused["label"] in check:
            p.keyboard.type(check[focused["label"]])  # a list box takes what is typed

    visited = tab_to(p, "Save session", act=fill_in)
    p.keyboard.press("Enter")
    expect(p.get_by_role("status").filter(has_text="Saved the held session")).to_be_visible(
        timeout=30_000
    )
    expect(p.locator("#peercoach-main").get_by_text("Nothing was saved")).to_have_count(0)
    page.assert_clean()
    assert_down_the_page(visited)
    with Store(demo_database) as store:
        (saved,) = [n for n in store.find(SessionNote, person_id=person) if n.text == note]
        checks = store.find(SessionCheck, session_id=saved.session_id, person_id=person)
    assert [(c.heard, c.focus, c.approach, c.overall) for c in checks] == [(9, 10, 8, 9)]
