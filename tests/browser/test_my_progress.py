"""My progress in a real browser: every chart drawn, the person's own figures, switching people.

Amara Tanaka (person 8) and Lea Jansen (person 9), partners in partnership 4, are this file's
own. What the page should say is worked out from the database just before the page opens, so
the test holds whatever other tests have saved.
"""

from __future__ import annotations

import datetime as dt
import re

from playwright.sync_api import Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from peercoach_lib import progress
from peercoach_lib.model import Cohort, Person
from peercoach_lib.store import Store
from tests.browser.harness import KERNEL_MS, reach_charts

NOTEBOOK = "my_progress.ipynb"
AMARA, LEA = 8, 9
SECTIONS = [
    ("My goals", progress.read_gas),
    ("Keeping my commitments", progress.read_follow_through),
    ("Meeting regularly", progress.read_cadence),
    ("Lifestyle Satisfaction Index", progress.read_lsi),
    ("How my sessions went", progress.read_checks),
]


def expected(database: str, person_id: int) -> tuple[str, progress.Progress]:
    """The person's name and progress as the app works them out today."""
    with Store(database) as store:
        me = store.get(Person, person_id)
        settings = store.get(Cohort, me.cohort_id).settings
        return me.name, progress.load(store, person_id, as_of=dt.date.today(), settings=settings)


def section(page: Page, title: str):
    """One chart's section: its heading, reading, picture, numbers and downloads."""
    return page.locator(
        f"xpath=//h2[normalize-space()='{title}']/ancestor::div[contains(@class, 'widget-vbox')][1]"
    )


def chart_sources(page: Page) -> list[str]:
    """The source of every chart, once each picture has been reached, has loaded and has a
    size."""
    reach_charts(page, ".peercoach-progress")
    images = page.locator(".peercoach-progress .peercoach-chart img")
    expect(images).to_have_count(len(SECTIONS))
    sources = []
    for k in range(images.count()):
        image = images.nth(k)
        expect(image).to_be_visible()
        src = image.get_attribute("src") or ""
        assert src.startswith(("blob:", "data:image/png")), src
        assert len(image.get_attribute("alt") or "") > 40  # says what the chart shows
        image.evaluate("img => img.decode()")
        assert image.evaluate("img => img.naturalWidth") > 100
        sources.append(src)
    return sources


def check_person(page: Page, name: str, p: progress.Progress) -> None:
    """The person is chosen and each section shows their reading; its download links carry
    their name (the links are set after the chart, so every chart is theirs by then)."""
    expect(page.get_by_label("I am", exact=True)).to_have_value(name, timeout=KERNEL_MS)
    reach_charts(page, ".peercoach-progress")
    first_name = name.split()[0].lower()
    today = dt.date.today()
    for title, read in SECTIONS:
        shown = section(page, title)
        expect(shown.get_by_text(read(p), exact=True)).to_be_visible(timeout=KERNEL_MS)
        for label, suffix in (("Chart (PNG)", "png"), ("Numbers (CSV)", "csv")):
            expect(shown.get_by_role("link", name=label)).to_have_attribute(
                "download", re.compile(rf"^progress-{first_name}-{today:%Y%m%d}-[a-z-]+\.{suffix}$")
            )
    expect(page.locator("#peercoach-main").get_by_text("Nothing to chart yet")).to_have_count(0)


def test_progress_charts_for_a_person_and_switching_to_their_partner(
    workbook, visit, demo_database
):
    amara, amaras = expected(demo_database, AMARA)
    visit_ = visit(workbook.url(NOTEBOOK, person=AMARA))
    visit_.assert_clean()
    page = visit_.page
    check_person(page, amara, amaras)
    first = chart_sources(page)

    # The numbers behind "Meeting regularly": one row per session of the partnership.
    meeting = section(page, "Meeting regularly")
    table = meeting.locator("table.peercoach-table")
    expect(table).to_be_hidden()
    show = meeting.get_by_role("button", name="Show the numbers")
    # It opens and closes the table: it says so (expanded or not), not "pressed" as well.
    expect(show).to_have_attribute("aria-expanded", "false")
    expect(show).not_to_have_attribute("aria-pressed", re.compile("."))
    show.click()
    expect(table).to_be_visible(timeout=KERNEL_MS)
    expect(table.locator("tbody tr")).to_have_count(len(amaras.sessions))
    expect(meeting.get_by_role("button", name="Hide the numbers")).to_be_visible()
    expect(meeting.get_by_role("button", name="Hide the numbers")).to_have_attribute(
        "aria-expanded", "true"
    )
    meeting.get_by_role("button", name="Hide the numbers").click()
    expect(table).to_be_hidden(timeout=KERNEL_MS)
    visit_.assert_clean()

    # Lea opens the page on Amara's computer and chooses herself.
    lea, leas = expected(demo_database, LEA)
    page.get_by_label("I am", exact=True).select_option(value=lea)
    check_person(page, lea, leas)
    second = chart_sources(page)
    # Her own charts are drawn (the partners share their sessions, so that chart may not change).
    for k, (title, _read) in enumerate(SECTIONS):
        if title != "Meeting regularly":
            assert second[k] != first[k], f"{title}: Lea sees Amara's chart"
    visit_.assert_clean()
    visit_.screenshot("my_progress-saved")

    # Her own page, opened afresh, shows the same.
    again = visit(workbook.url(NOTEBOOK, person=LEA))
    again.assert_clean()
    check_person(again.page, lea, leas)
    chart_sources(again.page)
    check_a_chart_in_a_narrow_window(again)


def check_a_chart_in_a_narrow_window(visit_) -> None:
    """At 320 pixels a chart scaled to the window had words a few pixels high: it keeps a
    readable width in a frame that scrolls (not the page), which the keyboard can then reach.
    (Checked on a page already open, narrowed: a page costs a kernel.)"""
    page = visit_.page
    page.set_viewport_size({"width": 320, "height": 900})
    reach_charts(page, ".peercoach-progress")
    frame = section(page, "My goals").locator(".peercoach-chart-frame")
    image = frame.locator("img")
    image.evaluate("img => img.decode()")
    assert image.bounding_box()["width"] >= 560  # 75% of its 780 pixels, or more
    assert frame.evaluate("f => f.scrollWidth > f.clientWidth")
    widths = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert widths[0] <= widths[1], "the page itself scrolls sideways"
    expect(frame).to_have_attribute("tabindex", "0")
    expect(page.get_by_role("region", name="Chart: My goals, scrolls sideways")).to_be_visible()
    frame.focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_function("f => f.scrollLeft > 0", arg=frame.element_handle(), timeout=5000)
    # A window wide enough: the chart fits, and is no stop for the keyboard.
    page.set_viewport_size({"width": 1280, "height": 900})
    expect(frame).not_to_have_attribute("tabindex", "0")
    assert not frame.evaluate("f => f.scrollWidth > f.clientWidth")
    visit_.screenshot("my_progress-narrow")


def focused_before_the_chart(workbook, visit):
    """My progress in a narrow window, the keyboard's focus on the first chart's "Show the
    numbers" as soon as the button is there, before the chart above it is (the keyboard is
    quick): the page, that chart's section and the button."""
    page = visit(workbook.url(NOTEBOOK, person=AMARA), viewport=(320, 700)).page
    goals = section(page, "My goals")
    toggle = goals.get_by_role("button", name=re.compile("^Show the numbers"))
    toggle.wait_for(timeout=KERNEL_MS)
    toggle.focus()
    assert goals.locator(".peercoach-chart img").count() == 0, "drawn before the focus came"
    return page, goals, toggle


def drawn(goals) -> None:
    """Wait until the section's chart is drawn and its picture decoded."""
    expect(goals.locator(".peercoach-chart img")).to_be_visible(timeout=KERNEL_MS)
    goals.locator(".peercoach-chart img").evaluate("img => img.decode()")


def test_a_chart_drawn_above_the_focused_control_keeps_it_in_view(workbook, visit):
    """In a narrow window the keyboard reaches a chart's "Show the numbers" before the chart
    above it is drawn; drawn, the chart pushed the button out of the window, the focus with it."""
    page, goals, toggle = focused_before_the_chart(workbook, visit)
    drawn(goals)
    # The frame's new size is observed in a frame or two; a busy machine may take longer.
    # Brought to the nearest edge, the button's bottom may end a fraction of a pixel past it
    # (700.27: layout in fractions, scrolling in whole pixels): in view to anyone.
    in_view = "b => { const r = b.getBoundingClientRect(); return r.top >= 0 && r.bottom < 701; }"
    try:
        page.wait_for_function(in_view, arg=toggle.element_handle(), timeout=5000)
    except PlaywrightTimeoutError:
        raise AssertionError(f"focused button out of view: {toggle.bounding_box()}") from None


# How far the page is scrolled where an element is: its nearest ancestor that scrolls (the
# apps' page scrolls in a frame of its own, not the window).
SCROLLED = (
    "function scrolled(el) { for (let e = el.parentElement; e; e = e.parentElement) {"
    " const s = getComputedStyle(e).overflowY;"
    " if ((s === 'auto' || s === 'scroll') && e.scrollHeight > e.clientHeight)"
    " return e.scrollTop; }"
    " return document.scrollingElement.scrollTop; }"
)


def test_a_page_scrolled_by_hand_stays_where_it_was_taken(workbook, visit):
    """The focused control is brought back into view only for someone who has not scrolled
    away from it since: a chart drawn later does not pull the page back."""
    page, goals, toggle = focused_before_the_chart(workbook, visit)
    page.mouse.move(160, 350)
    page.mouse.wheel(0, -100_000)  # back to the top, by hand, the focus left on the button
    page.wait_for_function(
        f"b => {{ {SCROLLED}; return scrolled(b) === 0; }}", arg=toggle.element_handle()
    )
    drawn(goals)
    page.wait_for_timeout(1000)
    assert toggle.evaluate(f"b => {{ {SCROLLED}; return scrolled(b); }}") == 0
    assert toggle.evaluate("b => b === document.activeElement")
    box = toggle.bounding_box()  # pushed out of view by the chart, and left there
    assert box is not None and box["y"] + box["height"] > 700, box
