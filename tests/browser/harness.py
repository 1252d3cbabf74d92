"""Drive the served apps in a real browser and notice everything that goes wrong.

A :class:`Visit` opens one page and records, from the moment it starts loading: console errors,
uncaught page errors, and requests to any host but the server. :meth:`Visit.problems` adds what
the page itself shows: Voilà's error output for a failed cell, a Python traceback, a widget that
failed to render, and the apps' own failure notice.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

from playwright.sync_api import Browser, BrowserContext, Page, Playwright, expect
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import TimeoutError as PlaywrightTimeout

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "browser"
#: axe-core, installed from npm by ``make test`` (package.json at the repository's root).
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
#: Roles of things a person fills in or operates: each needs a name a screen reader reads.
CONTROL_ROLES = {
    "textbox",
    "searchbox",
    "combobox",
    "listbox",
    "slider",
    "spinbutton",
    "checkbox",
    "radio",
    "switch",
    "button",
    "menulistpopup",
    "ToggleButton",
    "PopUpButton",
}

#: The controls a person fills in, whose names must tell each apart from the rest.
INPUT_ROLES = {"textbox", "searchbox", "combobox", "listbox", "slider", "checkbox", "radio"}

#: Flags for a headless Chromium with no network chatter of its own.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

#: What a page shows when something failed, by the selector that finds it.
FAILURE_SIGNS = {
    "a cell failed": (
        '[data-mime-type="application/vnd.jupyter.stderr"], '
        '[data-mime-type="application/vnd.jupyter.error"], .jp-OutputArea-output.jp-mod-error'
    ),
    "a widget failed to render": ".jupyter-widgets.widget-error, .widget-error",
    "the app reported a failure": ".peercoach-failure",
}
FAILURE_TEXTS = (
    "Traceback (most recent call last)",
    "There was an error when executing cell",
    "Error displaying widget",
    "Failed to load model class",
)


#: The kernel answers in well under a second on a quiet machine; a busy one may take longer.
KERNEL_MS = 20_000


def field(page: Page, label: str):
    """The visible control labelled ``label`` (some apps repeat labels in hidden tabs)."""
    return page.get_by_label(label, exact=True).filter(visible=True)


def fill(page: Page, label: str, value: str) -> None:
    """Type into a box and leave it, as a person does (the value reaches the kernel then)."""
    box = field(page, label)
    box.fill(value)
    box.press("Tab")


def type_date(page: Page, box, month_day_year: str) -> None:
    """Type a date into ``box`` part by part, as a person at the keyboard does (month, day,
    year, in the browser's English order), then leave it with Tab."""
    box.focus()
    page.keyboard.type(month_day_year, delay=50)
    for _ in range(4):  # Tab goes through what is left of the box's parts first
        if not box.evaluate("input => input.matches(':focus-within')"):
            return
        page.keyboard.press("Tab")
    raise AssertionError("the focus did not leave the date box")


def message_under(page: Page, label: str):
    """The message line beneath the field labelled ``label`` (errors and notes appear there)."""
    return (
        page.locator(".peercoach-field")
        .filter(has=field(page, label))
        .locator(".peercoach-error, .peercoach-warning")
    )


def assert_icon_level(button) -> None:
    """A button's icon sits level with its words, however the button was shown. (The glyph
    is drawn at the top of the icon's box: a box stretched to the button's height puts it
    above the words.)"""
    icon, words = button.evaluate(
        """b => {
          const box = el => { const r = el.getBoundingClientRect(); return [r.top, r.bottom]; };
          const range = document.createRange();
          range.selectNodeContents([...b.childNodes].find(n => n.nodeType === Node.TEXT_NODE));
          return [box(b.querySelector("i")), box(range)];
        }"""
    )
    assert abs(icon[0] - words[0]) <= 3 and abs(icon[1] - words[1]) <= 3, (icon, words)


def reach_charts(page: Page, scope: str = "body") -> None:
    """Scroll to each chart in ``scope`` still to be drawn, as a reader would, and wait until
    the page has drawn it (the page presses a chart's "Show the chart" button as it nears the
    screen; nothing here clicks)."""
    waiting = page.locator(f"{scope} button.peercoach-draw").filter(visible=True)
    for _ in range(20):
        if not waiting.count():
            break
        try:
            button = waiting.first.element_handle(timeout=1000)
        except PlaywrightTimeout:
            continue  # drawn, and its button gone, between counting and taking it
        with contextlib.suppress(PlaywrightError):  # drawn and gone while we reached it
            button.scroll_into_view_if_needed(timeout=KERNEL_MS)
        button.wait_for_element_state("hidden", timeout=KERNEL_MS)
    expect(waiting).to_have_count(0, timeout=KERNEL_MS)


def pair_in_demo_cohort(store, first_names: tuple[str, ...], token: str, today):
    """New people in the demo cohort (named ``first_names`` and ``token``), the first two partners
    for six weeks. Browser tests that change data work on people of their own."""
    from peercoach_lib.model import Cohort, Partnership, Person

    (cohort,) = store.find(Cohort)
    people = [
        store.save(Person(name=f"{first} {token}", cohort_id=cohort.id, is_demo=True))
        for first in first_names
    ]
    pair = store.save(
        Partnership(
            cohort_id=cohort.id,
            person_a_id=people[0].id,
            person_b_id=people[1].id,
            started_on=today - dt.timedelta(weeks=6),
            is_demo=True,
        )
    )
    return people, pair


def shorten_snapshots(report: str, lines: int = 12) -> str:
    """``report`` with each of Playwright's aria snapshots (the whole page, for a locator that
    found nothing) cut to its first ``lines`` lines."""
    out, kept = [], None
    for line in report.splitlines():
        if line.rstrip().endswith("Aria snapshot:"):
            kept = 0
        elif kept is not None:
            if not line.startswith("E  ") or not line[1:].strip():
                kept = None
            else:
                kept += 1
                if kept > lines:
                    if kept == lines + 1:
                        out.append("E       (the rest of the snapshot is left out)")
                    continue
        out.append(line)
    return "\n".join(out)


def chromium_executable() -> str | None:
    """Debian's Chromium when present (PEERCOACH_CHROMIUM overrides); else Playwright's own."""
    chosen = os.environ.get("PEERCOACH_CHROMIUM") or shutil.which("chromium")
    if chosen:
        return chosen
    return "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None


def launch(playwright: Playwright) -> Browser:
    return playwright.chromium.launch(executable_path=chromium_executable(), args=CHROMIUM_ARGS)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    """``peercoach serve`` (or the workbook's Voilà over another folder) in a subprocess."""

    base: str
    process: subprocess.Popen
    log_path: Path

    @classmethod
    def start(
        cls,
        database_url: str,
        log_path: Path,
        *,
        pool: int = 1,
        notebooks: Path | None = None,
        seconds: float = 90,
    ) -> Server:
        port = free_port()
        env = {**os.environ, "PEERCOACH_DB": database_url}
        code = (
            "import sys; from pathlib import Path; from peercoach_lib.serve import serve; "
            "serve(port=int(sys.argv[1]), pool_size=int(sys.argv[2]), "
            "notebooks=Path(sys.argv[3]) if len(sys.argv) > 3 else None)"
        )
        argv = [sys.executable, "-c", code, str(port), str(pool)]
        if notebooks is not None:
            argv.append(str(notebooks))
        log = log_path.open("w")
        process = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, env=env)
        server = cls(f"http://127.0.0.1:{port}", process, log_path)
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    return server
            except OSError:
                if process.poll() is not None:
                    raise RuntimeError(f"server exited:\n{server.log()}") from None
                time.sleep(0.2)
        server.stop()
        raise RuntimeError(f"server did not start within {seconds:g} s:\n{server.log()}")

    def url(self, notebook: str, **params: object) -> str:
        query = urllib.parse.urlencode({k: v for k, v in params.items() if v is not None})
        return f"{self.base}/voila/render/{notebook}" + (f"?{query}" if query else "")

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self, seconds: float = 20) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=seconds)
        except subprocess.TimeoutExpired:
            self.process.kill()


@dataclass
class Visit:
    """One page of one app, watched from before it loads."""

    page: Page
    origin: str
    console_errors: list[str] = dataclasses.field(default_factory=list)
    page_errors: list[str] = dataclasses.field(default_factory=list)
    foreign_requests: list[str] = dataclasses.field(default_factory=list)
    #: How many times leaving the page asked first (edits neither saved nor kept as a draft).
    asked_before_leaving: int = 0
    #: Whether to leave when asked (as a person closing the tab on purpose does), or to stay.
    leave_when_asked: bool = True

    @classmethod
    def open(cls, browser: Browser | BrowserContext, url: str, *, viewport=(1280, 900)) -> Visit:
        """Open ``url`` in a page of its own (in a fresh context, unless given one: a signed-in
        person's, say)."""
        size = {"width": viewport[0], "height": viewport[1]}
        if isinstance(browser, BrowserContext):
            page = browser.new_page()
            page.set_viewport_size(size)
        else:
            page = browser.new_page(viewport=size)
        parts = urllib.parse.urlsplit(url)
        visit = cls(page, f"{parts.scheme}://{parts.netloc}")
        page.on("console", visit._on_console)
        page.on("pageerror", lambda error: visit.page_errors.append(str(error)))
        page.on("request", visit._on_request)
        page.on("dialog", visit._on_dialog)
        # Generous: the first page of a run waits while the server preheats its kernels.
        page.goto(url, timeout=90_000)
        visit.wait_until_rendered()
        return visit

    def _on_console(self, message) -> None:
        if message.type == "error":
            self.console_errors.append(message.text)

    def _on_dialog(self, dialog) -> None:
        if dialog.type != "beforeunload":
            dialog.dismiss()  # as Playwright does with no listener
            return
        self.asked_before_leaving += 1
        if self.leave_when_asked:
            dialog.accept()
        else:
            dialog.dismiss()

    def _on_request(self, request) -> None:
        url = request.url
        for prefix in ("data:", "blob:" + self.origin, self.origin, "ws" + self.origin[4:]):
            if url.startswith(prefix):
                return
        self.foreign_requests.append(url)

    def wait_until_rendered(self, seconds: float = 90) -> None:
        """Until Voilà has run every cell and the app (or an error) is on the page."""
        self.page.wait_for_selector("#rendered_cells", state="visible", timeout=seconds * 1000)
        # A page whose cell failed never shows the app: problems() reports that. The app's
        # widgets can take a while on a busy machine (the cell has run, the kernel is slow to
        # answer the page's first messages): as long as the page itself.
        with contextlib.suppress(PlaywrightTimeout):
            self.page.wait_for_selector(
                ".peercoach-page, .jp-OutputArea-output[data-mime-type*='stderr']",
                timeout=seconds * 1000,
            )
        self.settle()

    def settle(self, ms: int = 400) -> None:
        """Let the kernel answer and the widgets redraw."""
        self.page.wait_for_timeout(ms)

    def problems(self) -> list[str]:
        found = [f"console error: {text}" for text in self.console_errors]
        found += [f"page error: {text}" for text in self.page_errors]
        found += [f"request to another host: {url}" for url in self.foreign_requests]
        for what, selector in FAILURE_SIGNS.items():
            shown = [e for e in self.page.locator(selector).all() if e.is_visible()]
            if shown:
                found.append(f"{what}: {shown[0].inner_text()[:300]!r}")
        text = self.page.locator("body").inner_text()
        found += [f"the page says {sign!r}" for sign in FAILURE_TEXTS if sign in text]
        if not self.page.locator(".peercoach-page").count():
            found.append("the app did not render")
        return found

    def said(self) -> str:
        """What the page says to the person now, a line each: its alerts and notices, the
        errors beside its fields, and anything :meth:`problems` finds."""
        lines = self.page.evaluate(
            """() => Array.from(document.querySelectorAll(
                '[role=alert], [role=status], .peercoach-error, .peercoach-date-error'))
              .filter((e) => e.offsetParent !== null && e.innerText.trim())
              .filter((e, k, all) => !all.some((o) => o !== e && o.contains(e)))
              .map((e) => e.innerText.replace(/\\s+/g, " ").trim().slice(0, 300))"""
        )
        lines = [f"  {line}" for line in dict.fromkeys(lines)] or ["  (no alert or notice)"]
        lines += [f"  problem: {problem}" for problem in self.problems()]
        return "\n".join(lines)

    def assert_clean(self) -> None:
        problems = self.problems()
        assert not problems, "\n".join(problems)

    def axe(self) -> list[dict]:
        """axe-core's violations on the page as it is now (WCAG 2.2 A/AA and best practice)."""
        if not self.page.evaluate("typeof window.axe !== 'undefined'"):
            self.page.add_script_tag(path=str(AXE))
        result = self.page.evaluate(
            """async () => {
                const r = await axe.run(document, {
                    runOnly: {type: "tag", values: [
                        "wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]},
                    resultTypes: ["violations"],
                });
                return r.violations.map(v => ({
                    id: v.id, impact: v.impact, help: v.help,
                    nodes: v.nodes.slice(0, 5).map(n => n.target.join(" ")),
                }));
            }"""
        )
        return result

    def control_names(self) -> list[tuple[str, str]]:
        """(role, accessible name) of every form control in Chromium's accessibility tree."""
        session = self.page.context.new_cdp_session(self.page)
        try:
            nodes = session.send("Accessibility.getFullAXTree")["nodes"]
        finally:
            session.detach()
        return [
            (
                (node.get("role") or {}).get("value", ""),
                ((node.get("name") or {}).get("value") or "").strip(),
            )
            for node in nodes
            if (node.get("role") or {}).get("value", "") in CONTROL_ROLES
            and not node.get("ignored")
        ]

    def unnamed_controls(self) -> list[str]:
        """Form controls with no accessible name in Chromium's own accessibility tree."""
        return [role for role, name in self.control_names() if not name]

    def repeated_names(self) -> list[tuple[str, str]]:
        """(role, name) of the inputs that share their name with another of their kind, which a
        screen reader cannot tell apart (say "How satisfied I am now" heard for every area).

        Chromium's own parts of a date box ("Month", "Day", "Year") are left out.
        """
        names = [(role, name) for role, name in self.control_names() if role in INPUT_ROLES]
        return sorted({pair for pair in names if names.count(pair) > 1})

    def glyph_names(self) -> list[str]:
        """Control names holding an icon font's private-use character (read out as noise)."""
        return [
            name
            for _, name in self.control_names()
            if any("\ue000" <= ch <= "\uf8ff" for ch in name)
        ]

    def screenshot(self, name: str) -> Path:
        """The whole page (Voilà's page scrolls inside its body: size the window to it)."""
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        size = self.page.viewport_size or {"width": 1280, "height": 900}
        height = self.page.evaluate(
            "Math.max(document.body.scrollHeight,"
            " document.querySelector('#rendered_cells')?.scrollHeight || 0)"
        )
        self.page.set_viewport_size({"width": size["width"], "height": min(int(height) + 40, 6000)})
        self.settle(300)
        self.page.screenshot(path=str(path), full_page=True)
        self.page.set_viewport_size(size)
        return path

    def reload(self) -> None:
        """Reload the page at its address as it is now (which follows what is chosen on it)."""
        self.console_errors.clear()
        self.page.reload(timeout=90_000)
        self.wait_until_rendered()

    def open_again(self, url: str) -> None:
        """Open ``url`` in this page: the link it came from, say, where a reload would load the
        address as the page has since made it."""
        self.console_errors.clear()
        self.page.goto(url, timeout=90_000)
        self.wait_until_rendered()

    def close(self) -> None:
        """Leave the page as a closing tab does: Voilà's unload beacon shuts its kernel down.

        (Headless Chromium drops a beacon sent while ``page.close`` tears the page down, so
        the page is unloaded first.)
        """
        self.page.goto("about:blank")
        self.page.close()


def assert_fields_in_columns(page: Page) -> None:
    """Every field's label stays within its row (a label of two lines ran into the next row),
    and a choice of buttons starts where the boxes do, its label in the labels' column."""
    found = page.evaluate(
        """() => {
          const shown = (e) => e.getClientRects().length > 0;
          const rows = [...document.querySelectorAll(
            ".peercoach-app :is(.widget-inline-hbox, .widget-toggle-buttons)"
          )].filter(shown);
          const spilt = rows.map((row) => {
            const label = row.querySelector(":scope > .widget-label");
            if (!label || !shown(label)) return null;
            // The words, not the label's box (padded to the boxes' height).
            const words = document.createRange();
            words.selectNodeContents(label);
            const r = row.getBoundingClientRect(), l = words.getBoundingClientRect();
            return l.bottom > r.bottom + 1 ? label.textContent : null;
          }).filter(Boolean);
          const box = (sel) => [...document.querySelectorAll(sel)].filter(shown)
            .map((e) => Math.round(e.getBoundingClientRect().left));
          return {
            spilt,
            boxes: box(".peercoach-app .widget-inline-hbox > :is(input, select)"),
            buttons: box(".peercoach-app .widget-toggle-buttons [role=group] > button:first-child"),
          };
        }"""
    )
    assert not found["spilt"], f"labels running out of their rows: {found['spilt']}"
    column = max(set(found["boxes"]), key=found["boxes"].count)  # where most boxes start
    for left in found["buttons"]:
        assert abs(left - column) <= 3, (left, column)
