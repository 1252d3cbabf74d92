"""The facilitator's cohort dashboard in a real browser: figures, charts, flags, and privacy.

The facilitator (person 1) opens cohort 1. Only the flags of partnership 4 (Amara Tanaka and Lea
Jansen, persons 8 and 9) are marked followed up here: other browser tests use other people. What
the page should show is worked out from the database just before it opens, so the test holds
whatever other tests have saved.
"""

from __future__ import annotations

import base64
import datetime as dt
import io
import re

import pandas as pd
from playwright.sync_api import Page, expect

from peercoach_lib import cohort, dates
from peercoach_lib.model import Cohort, FlagFollowUp, Person, SessionNote, SessionPrep
from peercoach_lib.store import Store
from tests.browser.harness import KERNEL_MS, reach_charts, type_date

NOTEBOOK = "cohort_dashboard.ipynb"
COHORT, FACILITATOR, PARTNERSHIP = 1, 1, 4
PEOPLE = (6, 7, 8, 9)


def expected_view(database: str) -> tuple[str, cohort.CohortView]:
    """The cohort's name and figures as the dashboard works them out today."""
    today = dt.date.today()
    with Store(database) as store:
        chosen = store.get(Cohort, COHORT)
        start = chosen.starts_on or today - dt.timedelta(weeks=16)
        return chosen.name, cohort.load(store, COHORT, start=start, end=today)


def private_words(database: str) -> list[str]:
    """What persons 6 to 9 wrote for themselves alone: private session notes and preparation
    notes (the demo's own, and any other test's)."""
    with Store(database) as store:
        words = [
            n.text for p in PEOPLE for n in store.find(SessionNote, person_id=p) if not n.shared
        ]
        words += [
            prep.private_notes for p in PEOPLE for prep in store.find(SessionPrep, person_id=p)
        ]
    return sorted({w.strip() for w in words if w.strip()})


def download(page: Page, name: str) -> str:
    """The table behind a download link (a base64 data link), decoded."""
    href = page.get_by_role("link", name=name).get_attribute("href") or ""
    return base64.b64decode(href.split("base64,", 1)[1]).decode("utf-8")


def decoded_links(page: Page) -> str:
    """Every table the page offers for download, decoded."""
    return "\n".join(download(page, name) for name in ("Pairs (CSV)", "Flags (CSV)"))


def flag_row(page: Page, rule: str, pair: str):
    """A flag's line with its button, by the flag's rule and the pair's names."""
    return (
        page.locator(".widget-hbox")
        .filter(has=page.get_by_text(f"{rule.capitalize()}: {pair}.", exact=False))
        .filter(has=page.locator("button.widget-button"))
    )


def test_dashboard_figures_charts_flags_and_following_up(workbook, visit, demo_database):
    name, view = expected_view(demo_database)
    headline = view.headline()
    with Store(demo_database) as store:
        a, b = (store.get(Person, p).name for p in (8, 9))
    pair = f"{a} & {b}"
    ours = view.flags[(view.flags["pair"] == PARTNERSHIP) & view.flags["followed_up_on"].isna()]
    assert not ours.empty, "partnership 4 has a flag not yet followed up (three missed sessions)"
    rule = ours.iloc[0]["rule"]
    today = dt.date.today()

    visit_ = visit(workbook.url(NOTEBOOK, cohort=COHORT))
    visit_.assert_clean()
    page = visit_.page
    expect(page.get_by_label("Cohort", exact=True)).to_have_value(name)
    expect(page.get_by_label("To", exact=True)).to_have_value(today.isoformat())
    expect(page.get_by_label("From", exact=True)).to_have_value(view.start.isoformat())

    # The headline figures: each value above its label, a reason in brackets in between.
    figures = page.locator(".widget-html-content").filter(has_text="Sessions held / planned")
    expect(figures).to_have_count(1)
    text = figures.inner_text()
    for label, value in headline.items():
        figure, _, why = value.partition(" (")
        shown = re.escape(figure) + (rf"\s*\n\s*{re.escape('(' + why)}" if why else "")
        assert re.search(rf"{shown}\s*\n\s*{re.escape(label)}", text), (label, text)

    # Both charts are drawn as they are reached: the week grid and the spread of the pairs.
    reach_charts(page, ".peercoach-cohort")
    images = page.locator(".peercoach-cohort .peercoach-chart img")
    expect(images).to_have_count(2)
    for k in range(2):
        image = images.nth(k)
        expect(image).to_be_visible()
        assert len(image.get_attribute("alt") or "") > 40  # says what the chart shows
        assert (image.get_attribute("src") or "").startswith(("blob:", "data:image/png"))
        image.evaluate("img => img.decode()")
        assert image.evaluate("img => img.naturalWidth") > 100

    # The flags: how many, one line each with its button.
    flags = len(view.flags)
    count = f"{flags} flag{'s' if flags != 1 else ''} on {view.flags['pair'].nunique()} pair"
    expect(page.locator("#peercoach-main").get_by_text(count)).to_be_visible()
    expect(page.get_by_role("button", name="Mark followed up")).to_have_count(min(flags, 40))
    followed_before = int(view.flags["followed_up_on"].notna().sum())
    expect(
        page.get_by_role("button", name="Mark followed up").and_(page.locator("button:disabled"))
    ).to_have_count(followed_before)

    # The facilitator has talked with Amara and Lea: the flag is marked followed up.
    row = flag_row(page, rule, pair)
    expect(row).to_have_count(1)
    expect(row.get_by_role("button", name="Mark followed up")).to_be_enabled()
    # Each flag's button is named for it (a screen reader lists buttons by name).
    names = page.get_by_role("button", name="Mark followed up").evaluate_all(
        "buttons => buttons.map(b => b.getAttribute('aria-label'))"
    )
    assert all(n and n.startswith("Mark followed up: ") for n in names)
    assert len(set(names)) == len(names)
    # With the keyboard: the flags are redrawn, and the focus stays with this flag's button,
    # which now takes the mark back (not sent to the top of the page).
    row.get_by_role("button", name="Mark followed up").focus()
    page.keyboard.press("Enter")
    row = flag_row(page, rule, pair)
    followed = f"✓ Followed up on {dates.short(today)}."
    expect(row).to_contain_text(followed, timeout=KERNEL_MS)
    undo = row.get_by_role("button", name="Undo the follow-up mark")
    expect(undo).to_be_focused()
    page.keyboard.press("Enter")  # a slip of the hand, taken back
    expect(row).not_to_contain_text(followed, timeout=KERNEL_MS)
    expect(row.get_by_role("button", name="Mark followed up")).to_be_focused()
    with Store(demo_database) as store:
        assert store.find(FlagFollowUp, partnership_id=PARTNERSHIP, rule=rule) == []
    page.keyboard.press("Enter")
    expect(row).to_contain_text(followed, timeout=KERNEL_MS)
    visit_.assert_clean()
    visit_.screenshot("cohort_dashboard-saved")

    visit_.reload()
    visit_.assert_clean()
    row = flag_row(page, rule, pair)
    expect(row).to_contain_text(followed, timeout=KERNEL_MS)
    expect(row.get_by_role("button", name="Undo the follow-up mark")).to_be_enabled()
    with Store(demo_database) as store:
        marked = store.find(FlagFollowUp, partnership_id=PARTNERSHIP, rule=rule)
    assert [(f.followed_up_on, f.by) for f in marked] == [(today, FACILITATOR)]
    # The flags table to take away says so too.
    table = pd.read_csv(io.StringIO(download(page, "Flags (CSV)")))
    (followed,) = table[(table["pair"] == PARTNERSHIP) & (table["rule"] == rule)].itertuples()
    assert pd.Timestamp(followed.followed_up_on).date() == today
    assert followed.pair_name == pair

    # A day after today is refused beside the box; a day the calendar does not have, typed
    # over it, is said instead (not both: what was said of the last day is not about this).
    end = page.get_by_label("To", exact=True)
    end.fill((today + dt.timedelta(days=400)).isoformat())
    end.blur()
    after_today = page.locator("#peercoach-main").get_by_text("cannot be after today")
    expect(after_today).to_be_visible(timeout=KERNEL_MS)
    type_date(page, end, "02312027")
    expect(page.locator(".peercoach-date-error")).to_be_visible()
    expect(after_today).to_be_hidden()
    end.fill(today.isoformat())
    end.blur()
    expect(page.locator(".peercoach-date-error")).to_have_count(0)
    expect(after_today).to_have_count(0, timeout=KERNEL_MS)
    visit_.assert_clean()

    # A day typed into the range with the keyboard, the focus still in the box: there is no
    # button to press, so the figures follow once the typing stops a moment.
    start = page.get_by_label("From", exact=True)
    later = view.start + dt.timedelta(weeks=8)
    with Store(demo_database) as store:
        narrower = cohort.load(store, COHORT, start=later, end=today).headline()
    assert narrower != headline, "eight weeks fewer change the figures"
    start.focus()
    page.keyboard.type(later.strftime("%m%d%Y"), delay=50)
    held = narrower["Sessions held / planned"].partition(" (")[0]  # (its reason under it)
    expect(figures).to_contain_text(held, timeout=KERNEL_MS)
    expect(start).to_be_focused()
    # The page's address keeps the range (a reload shows it again); links to the other apps
    # do not carry it.
    expect(page).to_have_url(re.compile(rf"[?&]from={later.isoformat()}(&|$)"))
    hrefs = page.locator(".peercoach-nav a").evaluate_all("links => links.map(a => a.href)")
    assert hrefs and not [h for h in hrefs if "from=" in h or "to=" in h], hrefs
    start.press("Tab")
    # A year of five digits: the figures of the day before are put away (they are not about
    # what the box shows), and come back once it is put right.
    end.focus()  # (on the month: on to the year)
    end.press("ArrowRight")
    end.press("ArrowRight")
    page.keyboard.type("20266", delay=50)
    end.blur()
    expect(
        page.locator("#peercoach-main").get_by_text("a year of more than four digits")
    ).to_be_visible()
    expect(figures).to_be_hidden()
    end.fill(today.isoformat())
    end.blur()
    expect(figures).to_be_visible(timeout=KERNEL_MS)
    expect(figures).to_contain_text(held)
    # A day the calendar lacks typed with the focus still in the box (as one that looks done):
    # the figures go at once, and why is said as the typing stops, not only once it is left.
    end.focus()
    page.keyboard.type("02302026", delay=50)
    expect(figures).to_be_hidden()
    expect(page.locator(".peercoach-date-error")).to_be_visible()
    assert end.evaluate("input => input.matches(':focus-within')")
    end.fill(today.isoformat())
    end.blur()
    expect(figures).to_be_visible(timeout=KERNEL_MS)
    expect(page.locator(".peercoach-date-error")).to_have_count(0)
    visit_.assert_clean()


def test_no_private_words_reach_the_facilitator(workbook, visit, demo_database):
    private = private_words(demo_database)
    assert private, "the demo people have private notes"
    visit_ = visit(workbook.url(NOTEBOOK, cohort=COHORT))
    visit_.assert_clean()
    page = visit_.page
    expect(page.locator("#peercoach-main").get_by_text("Sessions held / planned")).to_be_visible()
    shown = "\n".join(
        [
            page.locator("body").inner_text(),
            page.content(),
            decoded_links(page),
        ]
    )
    # The page does show the people's names (the facilitator may see who is in a pair).
    assert "Amara Tanaka" in shown
    leaked = [words for words in private if words in shown]
    assert not leaked, f"private words on the facilitator's page: {leaked}"
    check_the_weekly_table(page)


#: Words of the table's cells that the browser split over two lines ("plann" / "ed").
_SPLIT_WORDS = """(table) => {
  const split = [];
  table.querySelectorAll('td, th').forEach((cell) => {
    const walk = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let text = walk.nextNode(); text; text = walk.nextNode()) {
      for (const match of text.textContent.matchAll(/\\S+/g)) {
        const word = document.createRange();
        word.setStart(text, match.index);
        word.setEnd(text, match.index + match[0].length);
        const tops = new Set([...word.getClientRects()].map((r) => Math.round(r.top)));
        if (tops.size > 1) { split.push(match[0]); }
      }
    }
  });
  return split.slice(0, 10);
}"""


def check_the_weekly_table(page: Page) -> None:
    """The sessions-by-week table keeps its words whole, and scrolls in its frame (a named
    region then), not the page. (Checked on a page another test has open: a page costs a
    kernel.)"""
    page.get_by_role("button", name="Show the numbers: sessions by week").click()
    frame = page.locator(".peercoach-scroll").filter(visible=True).first
    table = frame.locator("table.peercoach-table")
    expect(table).to_be_visible(timeout=KERNEL_MS)
    assert table.evaluate(_SPLIT_WORDS) == []
    if frame.evaluate("f => f.scrollWidth > f.clientWidth"):  # more weeks than the page holds
        region = page.get_by_role("region", name="Numbers: sessions by week, scrolls sideways")
        expect(region).to_be_visible()
    widths = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert widths[0] <= widths[1], "the page itself scrolls sideways"
