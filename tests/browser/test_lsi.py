"""The Lifestyle Satisfaction Index, taken with the sliders, saved and found again in a browser.

Person 4 of the demo database (Leila Rossi) is this file's own: other browser tests use other
people. She has assessments already, so the sliders open where her latest one left them; each
test reads them from the page rather than assuming them, so the tests pass in any order.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
import time
import urllib.parse

from playwright.sync_api import Locator, Page, expect

from peercoach_lib import dates, lsi
from peercoach_lib.model import LsiAssessment
from tests.browser.harness import KERNEL_MS, Visit, reach_charts, type_date
from tests.browser.test_every_page import kernels

NOTEBOOK = "lifestyle_satisfaction_index.ipynb"
LEILA = 4
#: Said beside a date later than today, with the day that is today.
AFTER_TODAY = re.compile(r"Error: cannot be after today \(\d+ \w{3} \d{4}\)")
SATISFACTION, IMPORTANCE = "How satisfied I am now", "How much it matters to me"


def handle(page: Page, area: str, which: str) -> Locator:
    """The handle of one area's slider, by the name a screen reader hears: the rows repeat the
    two labels, so each is named with its area."""
    return page.get_by_role("slider", name=f"{area}: {which}", exact=True)


def value(slider: Locator) -> int:
    return round(float(slider.get_attribute("aria-valuenow")))


def move(slider: Locator, to: int) -> None:
    """As a person with a keyboard does: focus the handle and press the arrow keys."""
    now = value(slider)
    slider.focus()
    for _ in range(abs(to - now)):
        slider.press("ArrowRight" if to > now else "ArrowLeft")
    expect(slider).to_have_attribute("aria-valuenow", f"{to}.0")


def ratings(page: Page) -> dict[str, tuple[int, int]]:
    """Every area's (satisfaction, importance) as the sliders show them."""
    return {
        area: (value(handle(page, area, SATISFACTION)), value(handle(page, area, IMPORTANCE)))
        for area in lsi.load_areas()
    }


def scored(shown: dict[str, tuple[int, int]]) -> LsiAssessment:
    return LsiAssessment(
        person_id=LEILA,
        taken_on=dt.date.today(),
        areas=[{"area": a, "satisfaction": s, "importance": i} for a, (s, i) in shown.items()],
    )


def date_message(page: Page) -> Locator:
    return (
        page.locator(".peercoach-field")
        .filter(has=page.get_by_label("Date", exact=True))
        .locator(".peercoach-error")
    )


def history_rows(page: Page) -> Locator:
    return page.locator("table").filter(has_text="Suggested focus").locator("tbody tr")


def test_an_assessment_is_saved_and_the_sliders_open_where_it_left_them(workbook, visit):
    visit_ = visit(workbook.url(NOTEBOOK, person=LEILA))
    visit_.assert_clean()
    page = visit_.page
    expect(page.get_by_label("I am", exact=True)).to_have_value("Leila Rossi")
    expect(page.get_by_label("Date", exact=True)).to_have_value(dt.date.today().isoformat())

    move(handle(page, "Work and career", SATISFACTION), 2)
    move(handle(page, "Work and career", IMPORTANCE), 9)
    move(handle(page, "Pace of life", SATISFACTION), 8)
    move(handle(page, "Pace of life", IMPORTANCE), 4)
    shown = ratings(page)
    assert shown["Work and career"] == (2, 9) and shown["Pace of life"] == (8, 4)
    # The results follow the sliders: once they show this index, the kernel has every value.
    draft = scored(shown)
    expect(page.locator("#peercoach-main").get_by_text("Index:")).to_have_text(
        f"Index: {lsi.index(draft):.1f}", timeout=KERNEL_MS
    )
    focus = lsi.focus_areas(draft)
    assert "Work and career" in focus
    # The wheel, below the sliders, is drawn when the person scrolls to it, and shows them.
    wheel = page.locator(".peercoach-lsi .peercoach-chart img").first
    expect(wheel).to_have_count(0)
    # Its button is for the mouse; keyboard users reaching the chart have it drawn as well.
    button = page.locator(".peercoach-lsi button.peercoach-draw").first
    expect(button).to_have_attribute("tabindex", "-1")
    reach_charts(page, ".peercoach-lsi")
    expect(wheel).to_have_attribute("alt", lsi.describe_wheel(draft))
    wheel.evaluate("img => img.decode()")
    assert wheel.evaluate("img => img.naturalWidth") > 100
    # Suggested, and offered as the start of a change plan.
    for area in lsi.load_areas():
        box = page.locator(".peercoach-checklist").get_by_role("checkbox", name=area, exact=True)
        expect(box).to_be_checked(checked=area in focus)
    # Not saved yet, and leaving the page would drop it: the link waits for the save.
    plan = page.get_by_role("link", name="Start a Personal Change Plan")
    expect(plan).to_have_count(0)
    expect(
        page.locator("#peercoach-main").get_by_text(
            "Save this assessment first: then a link here starts"
        )
    ).to_be_visible()
    note = page.get_by_label("A note to myself (private)", exact=True)
    note.fill(f"A tiring month ({secrets.token_hex(3)})")
    note.press("Tab")

    page.get_by_role("button", name="Save assessment").click()
    # Saved, or updated when the demo already holds an assessment of today (one a day).
    saved = re.escape(
        f"your assessment of {dates.long(dt.date.today())} (index {lsi.index(draft):.1f})."
    )
    expect(page.get_by_role("status").filter(has_text="your assessment of")).to_have_text(
        re.compile(f"^(Saved|Updated) {saved}$"), timeout=KERNEL_MS
    )
    expect(history_rows(page).first.locator("td").first).to_have_text(dates.short(dt.date.today()))
    expect(history_rows(page).first).to_contain_text(f"{lsi.index(draft):.1f}")
    visit_.assert_clean()
    visit_.screenshot("lifestyle_satisfaction_index-saved")
    # One link for each area chosen (a plan serves one life area).
    expect(plan).to_have_count(len(focus), timeout=KERNEL_MS)
    linked = []
    for k in range(len(focus)):
        path, _, query = plan.nth(k).get_attribute("href").partition("?")
        assert path == "personal_change_plan.ipynb"
        params = urllib.parse.parse_qs(query)
        assert params["person"] == [str(LEILA)] and len(params["focus"]) == 1
        linked += params["focus"]
    assert sorted(linked) == sorted(focus)

    visit_.reload()
    visit_.assert_clean()
    assert ratings(page) == shown
    expect(page.locator("#peercoach-main").get_by_text("Index:")).to_have_text(
        f"Index: {lsi.index(draft):.1f}"
    )
    expect(history_rows(page).first.locator("td").first).to_have_text(dates.short(dt.date.today()))
    expect(history_rows(page).first).to_contain_text(f"{lsi.index(draft):.1f}")


def test_an_impossible_or_future_date_is_refused_and_nothing_saved_is_lost(workbook, visit):
    visit_ = visit(workbook.url(NOTEBOOK, person=LEILA))
    visit_.assert_clean()
    page = visit_.page
    before = ratings(page)
    taken = history_rows(page).count()
    assert taken > 0

    family = handle(page, "Family", SATISFACTION)
    move(family, 0 if before["Family"][0] else 10)
    date = page.get_by_label("Date", exact=True)
    save = page.get_by_role("button", name="Save assessment")
    refused = page.get_by_role("alert").filter(has_text="Nothing was saved")
    for typed, error in (
        ("1850-11-23", "Error: must be between 2000 and 2100"),
        ("2205-11-23", AFTER_TODAY),  # the rule that matters, said first
        ((dt.date.today() + dt.timedelta(days=3)).isoformat(), AFTER_TODAY),
    ):
        date.fill(typed)
        date.press("Tab")
        save.click()
        expect(date_message(page)).to_have_text(error, timeout=KERNEL_MS)
        expect(refused).to_be_visible()
        expect(page.locator("#peercoach-main").get_by_text("Saved your assessment")).to_have_count(
            0
        )
        expect(history_rows(page)).to_have_count(taken)
        visit_.assert_clean()

    # The number beside a slider, typed past the scale: the slider takes 10, and says so.
    slider = family.locator("xpath=ancestor::div[contains(@class, 'widget-slider')][1]")
    typed = slider.locator(".widget-readout")
    typed.click()
    page.keyboard.press("Control+A")
    page.keyboard.type("15")
    page.keyboard.press("Enter")
    said = page.locator(".peercoach-readout-note")
    expect(said).to_have_text(
        "Note: \u201c15\u201d is not on the scale of 0 to 10 in whole numbers: the slider is at 10."
    )
    expect(typed).to_have_text("10")
    page.keyboard.press("Tab")  # left after Enter: nothing new typed, the note stays
    expect(said).to_have_count(1)
    family.focus()
    page.keyboard.press("ArrowLeft")  # moved again: the note goes
    expect(said).to_have_count(0)
    expect(typed).to_have_text("9")
    # Letters are no rating: the slider stays where it was (the widget took them as 0).
    typed.click()
    page.keyboard.press("Control+A")
    page.keyboard.type("abc")
    page.keyboard.press("Enter")
    expect(said).to_have_text("Note: \u201cabc\u201d is not a number: the slider stays at 9.")
    expect(typed).to_have_text("9")
    expect(family).to_have_attribute("aria-valuenow", re.compile(r"^9(\.0+)?$"))
    family.focus()
    page.keyboard.press("ArrowRight")
    expect(said).to_have_count(0)
    # Typed and left with Tab, as a keyboard user does: the slider takes it as on Enter (it
    # showed the number and kept the rating it had, which was saved).
    typed.click()
    page.keyboard.press("Control+A")
    page.keyboard.type("3")
    page.keyboard.press("Tab")
    expect(family).to_have_attribute("aria-valuenow", re.compile(r"^3(\.0+)?$"))
    expect(said).to_have_count(0)
    # Past the scale and left with Tab: 10, said beside the slider and to a screen reader
    # (a note put there with its words in it is not read out by itself).
    typed.click()
    page.keyboard.press("Control+A")
    page.keyboard.type("15")
    page.keyboard.press("Tab")
    over = (
        "Note: \u201c15\u201d is not on the scale of 0 to 10 in whole numbers: the slider is at 10."
    )
    expect(said).to_have_text(over)
    expect(family).to_have_attribute("aria-valuenow", re.compile(r"^10(\.0+)?$"))
    expect(page.locator("#peercoach-announcer")).to_have_text(over)

    visit_.reload()
    visit_.assert_clean()
    assert ratings(page) == before
    expect(history_rows(page)).to_have_count(taken)
    expect(date_message(page)).to_have_count(0)


def kernel_alive(workbook, kernel_id: str) -> bool:
    return any(kernel_id in " ".join(k.cmdline()) for k in kernels(workbook))


def test_leaving_with_unsaved_ratings_asks_first_and_staying_keeps_the_page_working(
    workbook, visit
):
    visit_ = visit(workbook.url(NOTEBOOK, person=LEILA))
    visit_.assert_clean()
    page = visit_.page
    kernel_id = page.evaluate(
        "JSON.parse(document.getElementById('jupyter-config-data').textContent).kernelId"
    )
    home = page.get_by_role("navigation").get_by_role("link", name="Home", exact=True)
    slider = handle(page, "Money", SATISFACTION)
    move(slider, 3 if value(slider) != 3 else 4)
    expect(page.locator("#peercoach-main").get_by_text("Index:")).to_have_text(
        f"Index: {lsi.index(scored(ratings(page))):.1f}", timeout=KERNEL_MS
    )

    # The ratings are not saved and the LSI keeps no draft: the browser asks before leaving.
    visit_.leave_when_asked = False
    home.click()
    page.wait_for_timeout(1500)
    assert visit_.asked_before_leaving == 1
    assert NOTEBOOK in page.url
    # Staying, the page still works (its kernel was not shut down as the question was asked).
    page.get_by_role("button", name="Save assessment").click()
    expect(page.get_by_role("status").filter(has_text="your assessment of")).to_be_visible(
        timeout=KERNEL_MS
    )
    assert kernel_alive(workbook, kernel_id)
    # Saved: nothing to lose, nothing asked.
    home.click()
    page.wait_for_url(re.compile(r"index\.ipynb"), timeout=KERNEL_MS)
    assert visit_.asked_before_leaving == 1
    visit_.wait_until_rendered()

    # Asked again and left after all: the page's kernel is shut down, as on any leaving.
    visit_.open_again(workbook.url(NOTEBOOK, person=LEILA))
    kernel_id = page.evaluate(
        "JSON.parse(document.getElementById('jupyter-config-data').textContent).kernelId"
    )
    move(slider, 5 if value(slider) != 5 else 6)
    expect(page.locator(".peercoach-holds-unsaved")).to_have_count(1, timeout=KERNEL_MS)
    visit_.leave_when_asked = True
    home.click()
    page.wait_for_url(re.compile(r"index\.ipynb"), timeout=KERNEL_MS)
    assert visit_.asked_before_leaving == 2
    deadline = time.monotonic() + 30
    while kernel_alive(workbook, kernel_id) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert not kernel_alive(workbook, kernel_id)


def test_a_date_typed_part_by_part_is_saved_as_typed(workbook, visit):
    visit_ = visit(workbook.url(NOTEBOOK, person=LEILA))
    visit_.assert_clean()
    page = visit_.page
    day = dt.date.today() - dt.timedelta(days=9)
    # On the way the box holds other real days (the month typed over the day shown): the
    # app hears only the day the box holds when it is left.
    type_date(page, page.get_by_label("Date", exact=True), f"{day:%m%d%Y}")
    expect(date_message(page)).to_have_count(0)
    page.get_by_role("button", name="Save assessment").click()
    expect(page.get_by_role("status").filter(has_text="your assessment of")).to_contain_text(
        f"your assessment of {dates.long(day)}", timeout=KERNEL_MS
    )
    visit_.assert_clean()


def _swipe(page: Page, x: float, y: float, dx: float, dy: float) -> None:
    """A finger put down at (x, y) and moved by (dx, dy), as a touch screen sends it."""
    cdp = page.context.new_cdp_session(page)
    touch = cdp.send
    touch("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": x, "y": y}]})
    for k in range(1, 13):
        at = {"x": x + dx * k / 12, "y": y + dy * k / 12}
        touch("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [at]})
        page.wait_for_timeout(16)
    touch("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    page.wait_for_timeout(600)


def test_on_a_touch_screen_a_swipe_over_a_slider_scrolls_and_its_handle_still_moves(
    workbook, browser
):
    """A swipe up that began on a slider's track scrolled nothing and set the rating to where
    the finger landed (a person scrolling a phone changed ratings without knowing); the
    handle, dragged, still moves the rating."""
    phone = browser.new_context(
        is_mobile=True, has_touch=True, viewport={"width": 390, "height": 844}
    )
    try:
        on_phone = Visit.open(phone, workbook.url(NOTEBOOK, person=LEILA), viewport=(390, 844))
        page = on_phone.page
        slider = handle(page, "Family", SATISFACTION)
        slider.scroll_into_view_if_needed()
        page.wait_for_timeout(1500)
        before = value(slider)
        track = page.locator(".widget-slider").filter(has=slider).locator(".noUi-base")
        box, knob = track.bounding_box(), slider.bounding_box()
        # Well away from the handle, on the track's line.
        far = 0.1 if knob["x"] > box["x"] + box["width"] / 2 else 0.9
        x, y = box["x"] + box["width"] * far, box["y"] + box["height"] / 2
        _swipe(page, x, y, 0, -250)
        assert slider.bounding_box()["y"] < knob["y"] - 100  # the page scrolled
        assert value(slider) == before
        # Dragged by its handle, it moves.
        knob = slider.bounding_box()
        step = 1 if far == 0.9 else -1
        _swipe(page, knob["x"] + knob["width"] / 2, knob["y"] + knob["height"] / 2, step * 90, 0)
        expect(slider).not_to_have_attribute("aria-valuenow", f"{before}.0", timeout=KERNEL_MS)
        assert (value(slider) - before) * step > 0
        on_phone.leave_when_asked = True
        on_phone.close()  # its kernel given back, as a closing tab does
    finally:
        phone.close()
