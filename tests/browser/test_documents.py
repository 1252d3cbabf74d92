"""Downloaded documents as a browser shows them: what people wrote stays in the column."""

from __future__ import annotations

from peercoach_lib import documents


def test_a_long_word_wraps_in_the_column_and_a_paragraph_follows_its_script(browser):
    text = (
        "# Agreement\n\n"
        + "Rindfleischetikettierungsueberwachungsaufgabenuebertragungsgesetz" * 5
        + "\n\nhttps://example.org/"
        + "a" * 300
        + "\n\n"
        + "نلتقي كل أسبوع.\n"
    )
    page = browser.new_page(viewport={"width": 900, "height": 700})
    try:
        page.set_content(documents.html_page(text, "Agreement"))
        widths = page.evaluate(
            "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        assert widths[0] <= widths[1], f"the page scrolls sideways: {widths}"
        last = page.locator("main p").last
        assert last.evaluate("p => getComputedStyle(p).direction") == "ltr"  # the box's
        # The Arabic paragraph is laid out right to left: its text ends at the left edge.
        box = last.evaluate(
            "p => { const r = document.createRange(); r.selectNodeContents(p);"
            " const t = r.getBoundingClientRect(), b = p.getBoundingClientRect();"
            " return [t.right, b.right]; }"
        )
        assert abs(box[0] - box[1]) < 2, box
    finally:
        page.close()
