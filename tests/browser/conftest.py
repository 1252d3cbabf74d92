"""Real-browser tests: every app served by ``peercoach serve`` over a fresh demo database.

The server runs as it does for people (preheated kernels, the workbook's template); Chromium
is Debian's (``make test`` installs it) or Playwright's own.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from peercoach_lib import demo
from peercoach_lib.store import Store
from tests.browser.harness import Server, Visit, launch, shorten_snapshots
from tests.conftest import AS_OF

#: The pages a test opened, for its report should it fail.
OPENED = pytest.StashKey[list]()

#: Fixture notebooks are served by the tests that need them, never run by nbval.
collect_ignore_glob = ["fixtures/*"]


@pytest.fixture(scope="session")
def demo_database(tmp_path_factory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('browser') / 'workbook.sqlite'}"
    with Store(url) as store:
        demo.generate(store, pairs=6, weeks=16, seed=11, as_of=AS_OF)
    return url


@pytest.fixture(scope="session")
def workbook(demo_database, tmp_path_factory):
    """The workbook served over the demo database, preheated as in production."""
    server = Server.start(demo_database, tmp_path_factory.mktemp("logs") / "server.log")
    yield server
    server.stop()


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as playwright:
        browser = launch(playwright)
        yield browser
        browser.close()


@pytest.fixture
def visit(browser, request):
    """Open a page: ``visit(url)``; every page opened is closed after the test."""
    opened: list[Visit] = []
    request.node.stash[OPENED] = opened

    def open_(url: str, **kwargs) -> Visit:
        v = Visit.open(browser, url, **kwargs)
        opened.append(v)
        return v

    yield open_
    for v in opened:
        if not v.page.is_closed():
            v.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """A failing browser test's report starts with what its pages said (their alerts, notices
    and field errors) and keeps only the start of Playwright's snapshot of the whole page: a
    CI log shows the report's first lines, and those are what tell why a save did not go."""
    report = yield
    if report.when != "call" or not report.failed:
        return report
    crash = getattr(getattr(report.longrepr, "reprcrash", None), "message", "")
    opened = item.stash.get(OPENED, [])
    said = []
    for v in opened:
        if v.page.is_closed():
            continue
        try:
            said.append(f"{v.page.url}\n{v.said()}")
        except Exception as exc:  # a page gone bad says why it cannot be read
            said.append(f"{v.page.url}\n(could not be read: {exc})")
    report.longrepr = (
        (crash.splitlines()[0] + "\n" if crash else "")  # the short summary's line
        + (
            "What the test's pages said when it failed:\n" + "\n".join(said) + "\n\n"
            if said
            else ""
        )
        + shorten_snapshots(str(report.longrepr))
    )
    return report


def pytest_collection_modifyitems(items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)
