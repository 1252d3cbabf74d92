"""Moving between pages: the navigation and the address keep the person's place, and the first
tab stop skips to the app (test_every_page.py opens each page and checks it)."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

from playwright.sync_api import expect

from tests.browser.harness import KERNEL_MS


def test_navigation_keeps_the_persons_place(workbook, visit):
    page = visit(workbook.url("session_log.ipynb", person=3, partnership=2))
    page.page.get_by_role("navigation", name="Workbook").get_by_role(
        "link", name="My progress"
    ).click()
    page.wait_until_rendered()
    assert page.page.url.endswith("/voila/render/my_progress.ipynb?person=3&partnership=2")
    page.assert_clean()


def test_the_address_and_links_follow_whoever_is_chosen_on_the_page(workbook, visit):
    """Opened for one person, switched to another: the navigation opens the other apps for
    the person chosen now (not the one the address named), and a reload keeps the choice."""
    page = visit(workbook.url("lifestyle_satisfaction_index.ipynb", person=3, partnership=2)).page
    chooser = page.get_by_label("I am", exact=True)
    options = chooser.locator("option").evaluate_all(
        "options => options.map(o => [o.textContent, o.index])"
    )
    other = next(label for label, index in options if index > 0 and label != _chosen(chooser))
    chooser.select_option(label=other)
    log_link = page.get_by_role("navigation", name="Workbook").get_by_role(
        "link", name="Session log"
    )
    expect(log_link).not_to_have_attribute("href", re.compile(r"person=3\b"), timeout=KERNEL_MS)
    href = log_link.get_attribute("href")
    other_id = parse_qs(urlsplit(href).query)["person"][0]
    assert other_id != "3"
    assert "partnership" not in parse_qs(urlsplit(href).query)  # the partnership was person 3's
    assert parse_qs(urlsplit(page.url).query) == {"person": [other_id]}
    page.reload()
    expect(page.get_by_label("I am", exact=True).locator("option:checked")).to_have_text(
        other, timeout=KERNEL_MS
    )
    page.get_by_label("I am", exact=True).select_option(label="Choose who you are…")
    expect(log_link).to_have_attribute(
        "href", re.compile(r"session_log\.ipynb$"), timeout=KERNEL_MS
    )
    assert urlsplit(page.url).query == ""


def _chosen(chooser) -> str:
    return chooser.locator("option:checked").text_content()


def test_links_in_the_home_pages_text_keep_the_persons_place_too(workbook, visit):
    page = visit(workbook.url("index.ipynb", person=3))
    link = page.page.locator("#peercoach-main .jp-RenderedMarkdown a[href*='my_data.ipynb']")
    assert link.count() >= 1
    assert link.first.get_attribute("href").endswith("my_data.ipynb?person=3")


def test_the_first_tab_stop_skips_to_the_app(workbook, visit):
    page = visit(workbook.url("index.ipynb"))
    page.page.keyboard.press("Tab")
    focused = page.page.evaluate("document.activeElement.textContent")
    assert focused == "Skip to the app"
    page.page.keyboard.press("Enter")
    assert page.page.url.endswith("#peercoach-main")
    assert page.page.evaluate("document.activeElement.id") == "peercoach-main"
