"""Every page of the workbook loads cleanly in a real browser, offline, as the workbook's own."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

from peercoach_lib.apps.registry import APPS
from tests.browser.harness import KERNEL_MS

PAGES = [("index.ipynb", "peercoach: your peer-coaching workbook")] + [
    (app.notebook, f"{app.title} · peercoach") for app in APPS
]


@pytest.mark.parametrize(("notebook", "title"), PAGES, ids=[p[0] for p in PAGES])
def test_page_loads_cleanly_with_navigation_and_landmark(workbook, visit, notebook, title):
    page = visit(workbook.url(notebook))
    page.assert_clean()
    assert page.page.title() == title
    assert page.page.locator("html").get_attribute("lang") == "en"
    assert page.page.locator("main .peercoach-page").count() == 1
    nav = page.page.get_by_role("navigation", name="Workbook")
    links = nav.get_by_role("link")
    assert links.count() == len(PAGES)
    current = nav.locator("[aria-current=page]")
    assert current.count() == 1 and current.get_attribute("data-notebook") == notebook
    # Icons come from the server: the icon font loads (offline, from the workbook).
    loaded = page.page.evaluate(
        "async () => (await document.fonts.load('900 16px \"Font Awesome 6 Free\"')).length"
    )
    assert loaded > 0
    page.screenshot(notebook.removesuffix(".ipynb"))


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


#: Controls whose right edge passes the window's, and labels beside (not above) their control.
_REFLOW = """() => {
  const seen = (e) => e.getClientRects().length > 0 && e.getBoundingClientRect().width > 0;
  const wide = [];
  document.querySelectorAll('.peercoach-app *').forEach((e) => {
    // (A chart keeps a readable width, a table its words whole, in a frame of its own that
    // scrolls: not the page.)
    if (seen(e) && e.getBoundingClientRect().right > window.innerWidth + 0.5 &&
        !e.matches(':is(.peercoach-chart-frame, .peercoach-scroll) *')) {
      wide.push(e.tagName + '.' + String(e.className).slice(0, 60));
    }
  });
  const beside = [];
  document.querySelectorAll(
    '.peercoach-app :is(.widget-inline-hbox, .widget-toggle-buttons) > .widget-label, ' +
    '.peercoach-app .peercoach-rowlist > .widget-hbox > .widget-html:first-child'  // "Steps"
  ).forEach((l) => {
    const control = l.nextElementSibling;
    if (seen(l) && control && seen(control) && l.textContent.trim() &&
        control.getBoundingClientRect().top < l.getBoundingClientRect().bottom - 1) {
      beside.push(l.textContent.trim());
    }
  });
  const small = [];  // boxes too low to hit (WCAG 2.5.8: 24 pixels)
  document.querySelectorAll('.peercoach-app select, .peercoach-app input:not([type=checkbox])')
    .forEach((e) => {
      if (seen(e) && e.getBoundingClientRect().height < 24) { small.push(e.tagName); }
    });
  const squeezed = [];  // table cells that break their words letter by letter
  document.querySelectorAll('.peercoach-app td, .peercoach-app th').forEach((e) => {
    if (seen(e) && e.textContent.trim().length > 3 && e.getBoundingClientRect().width < 40) {
      squeezed.push(e.textContent.trim().slice(0, 20));
    }
  });
  // Names of lists ("Steps") that do not start where the labels above boxes start.
  const start = (e) => {  // where the element's first words start (not its box)
    const walk = document.createTreeWalker(e, NodeFilter.SHOW_TEXT);
    let text = walk.nextNode();
    while (text && !text.textContent.trim()) { text = walk.nextNode(); }
    const words = document.createRange();
    words.selectNodeContents(text || e);
    return Math.round(words.getBoundingClientRect().left);
  };
  const lefts = [...document.querySelectorAll('.peercoach-app .widget-inline-hbox > .widget-label')]
    .filter((l) => seen(l) && l.textContent.trim()).map(start);
  const astray = [...document.querySelectorAll(
    '.peercoach-app .peercoach-rowlist > .widget-hbox > .widget-html:first-child'
  )]
    .filter((t) => seen(t) && lefts.length && Math.abs(start(t) - Math.min(...lefts)) > 4)
    .map((t) => t.textContent.trim());
  return {
    wide: wide.slice(0, 10), beside: beside.slice(0, 10), small: small.slice(0, 10),
    squeezed: squeezed.slice(0, 10), astray: astray.slice(0, 10),
  };
}"""


@pytest.mark.parametrize(
    ("notebook", "context"),
    [
        ("lifestyle_satisfaction_index.ipynb", {"person": 2}),
        ("first_session_agreement.ipynb", {"person": 2, "partnership": 1}),
        ("my_data.ipynb", {"person": 2}),
        ("personal_change_plan.ipynb", {"person": 2}),
    ],
)
def test_a_narrow_window_reflows_with_labels_above_their_boxes(workbook, visit, notebook, context):
    """320 CSS pixels wide (a phone, or 1280 pixels zoomed to 400%): nothing runs off the
    side (WCAG 1.4.10 Reflow), and each label sits above its box instead of squeezing it."""
    page = visit(workbook.url(notebook, **context), viewport=(320, 900))
    page.assert_clean()
    found = page.page.evaluate(_REFLOW)
    assert found == {"wide": [], "beside": [], "small": [], "squeezed": [], "astray": []}
    page.screenshot(notebook.removesuffix(".ipynb") + "-narrow")
