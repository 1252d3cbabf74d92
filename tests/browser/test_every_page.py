"""Every page of the workbook, opened once each (the rest of tests/browser use them):

- it loads cleanly, offline, as the workbook's own: its title, language, landmark, navigation
  and icon font;
- it is usable with a screen reader: axe-core finds nothing critical or serious, every form
  control has a name in Chromium's own accessibility tree (axe alone misses some) and no two
  inputs share one;
- in a window 320 CSS pixels wide (a phone, or 1280 pixels zoomed to 400%) nothing runs off the
  side (WCAG 1.4.10 Reflow) and each label sits above its box instead of squeezing it;
- closed, it gives its kernel back: only the preheated pool is left, refilled.
"""

from __future__ import annotations

import time

import psutil
import pytest

from peercoach_lib.apps.registry import APPS
from peercoach_lib.serve import POOL_SIZE
from tests.browser.harness import reach_charts

PAGES = [("index.ipynb", "peercoach: your peer-coaching workbook")] + [
    (app.notebook, f"{app.title} · peercoach") for app in APPS
]
# Person 10 and partnership 5 of the demo cohort are only read here.
CONTEXT = {"person": 10, "partnership": 5, "cohort": 1}


@pytest.mark.parametrize(("notebook", "title"), PAGES, ids=[p[0] for p in PAGES])
def test_each_page_loads_cleanly_reads_out_reflows_and_gives_its_kernel_back(
    workbook, visit, notebook, title
):
    page = visit(workbook.url(notebook, **CONTEXT))
    p = page.page
    page.assert_clean()

    # The workbook's own page.
    assert p.title() == title
    assert p.locator("html").get_attribute("lang") == "en"
    assert p.locator("main .peercoach-page").count() == 1
    nav = p.get_by_role("navigation", name="Workbook")
    assert nav.get_by_role("link").count() == len(PAGES)
    current = nav.locator("[aria-current=page]")
    assert current.count() == 1 and current.get_attribute("data-notebook") == notebook
    # Icons come from the server: the icon font loads (offline, from the workbook).
    loaded = p.evaluate(
        "async () => (await document.fonts.load('900 16px \"Font Awesome 6 Free\"')).length"
    )
    assert loaded > 0
    # Every box in one font (a browser's defaults differ between boxes of one and many lines).
    fonts = p.evaluate(
        "() => [...new Set([...document.querySelectorAll("
        "'.peercoach-app :is(textarea, input:not([type=checkbox]), select)')]"
        ".map((e) => getComputedStyle(e).fontFamily))]"
    )
    assert len(fonts) <= 1, fonts

    # Read out.
    assert page.unnamed_controls() == []  # charts not reached yet: their buttons are named
    assert page.repeated_names() == []
    reach_charts(p)  # every chart drawn, so that its picture is checked too
    violations = [v for v in page.axe() if v["impact"] in ("critical", "serious")]
    assert not violations, "\n".join(
        f"{v['impact']}: {v['id']} ({v['help']}): {v['nodes']}" for v in violations
    )
    assert page.unnamed_controls() == []
    assert page.glyph_names() == []  # icons are not part of a button's name
    assert p.locator("[title='null']").count() == 0  # ipywidgets' unset tooltip, read out
    # Buttons that stay pressed say so, those that show and hide something say whether it is
    # shown; sections that open and close are keyboard buttons.
    assert p.locator(".widget-toggle-button:not([aria-pressed]):not([aria-expanded])").count() == 0
    headers = p.locator(".jupyter-widget-Collapse-header")
    assert (
        headers.count()
        == p.locator(
            ".jupyter-widget-Collapse-header[role='button'][tabindex='0'][aria-expanded]"
        ).count()
    )
    page.screenshot(notebook.removesuffix(".ipynb"))

    # Narrow.
    p.set_viewport_size({"width": 320, "height": 900})
    page.settle()
    found = p.evaluate(_REFLOW)
    assert found == {"wide": [], "beside": [], "small": [], "squeezed": [], "astray": []}
    # A frame that scrolls sideways says so where it is seen (a phone shows no scroll bar).
    scrolling = p.evaluate(
        "() => [...document.querySelectorAll("
        "'.peercoach-app :is(.peercoach-chart-frame, .peercoach-scroll)[role=region]')]"
        ".map((f) => getComputedStyle(f, '::before').content)"
    )
    assert all("Scroll sideways to see it all" in said for said in scrolling), scrolling
    page.screenshot(notebook.removesuffix(".ipynb") + "-narrow")
    page.assert_clean()

    # Closed: a page that kept its kernel would leave one more than the pool, since its
    # preheated kernel is replaced as soon as a visitor takes it.
    page.close()
    pool = POOL_SIZE * len(PAGES)
    alive = _kernels_once(workbook, lambda n: n <= pool)
    assert alive <= pool, f"{alive} kernels alive after {notebook} closed; pool: {pool}"
    # The pool is still there, refilled: the next page opens on a preheated kernel.
    assert _kernels_once(workbook, lambda n: n >= pool) == pool


def _kernels_once(server, condition, seconds: float = 60) -> int:
    """How many kernels the server runs, once ``condition(count)`` holds (or after
    ``seconds``)."""
    deadline = time.monotonic() + seconds
    while True:
        alive = len(kernels(server))
        if condition(alive) or time.monotonic() > deadline:
            return alive
        time.sleep(0.5)


def kernels(server) -> list[psutil.Process]:
    """The server's kernel processes that are still running.

    A kernel that has just been shut down can linger for a moment as a zombie
    (or vanish between listing and reading): it no longer counts as alive.
    """
    alive = []
    for child in psutil.Process(server.process.pid).children(recursive=True):
        try:
            if child.status() == psutil.STATUS_ZOMBIE:
                continue
            if "ipykernel_launcher" in " ".join(child.cmdline()):
                alive.append(child)
        except (psutil.NoSuchProcess, psutil.ZombieProcess):
            continue
    return alive


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
