"""The agreement can be completed and saved with the keyboard alone, in a sensible order, with
the focus always visible."""

from __future__ import annotations

import itertools

from playwright.sync_api import expect

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


def test_the_agreement_is_completed_and_saved_with_the_keyboard_alone(workbook, visit):
    page = visit(workbook.url(NOTEBOOK, **CONTEXT))
    page.assert_clean()
    p = page.page
    p.locator("body").click(position={"x": 5, "y": 5})  # start at the top, as a fresh page does
    visited, to_type = [], dict(TYPED)
    for _ in range(250):
        p.keyboard.press("Tab")
        focused = p.evaluate(FOCUSED)
        if focused is None:
            continue
        visited.append(focused)
        assert focused["outline"] or focused["shadow"], f"focus not visible on {focused}"
        text = to_type.pop(focused["label"], None)
        if text is not None:
            p.keyboard.press("Control+A")
            p.keyboard.type(text)
        if focused["tag"] == "button" and focused["label"] == "Save agreement":
            assert not to_type, f"not reached before Save: {list(to_type)}"
            p.keyboard.press("Enter")
            break
    else:
        raise AssertionError(f"Save was never reached; focus went through {visited[-10:]}")
    expect(p.get_by_text("Saved at")).to_be_visible(timeout=30_000)
    page.assert_clean()

    # A sensible order: down the page, never back up past a field already left behind.
    tops = [f["top"] for f in visited]
    for earlier, later in itertools.pairwise(tops):
        assert later >= earlier - 60, f"focus jumped back up: {visited}"

    page.reload()
    for label, text in TYPED.items():
        expect(p.get_by_label(label, exact=True).first).to_have_value(text)
