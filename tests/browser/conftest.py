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
from tests.browser.harness import Server, Visit, launch
from tests.conftest import AS_OF

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
def visit(browser):
    """Open a page: ``visit(url)``; every page opened is closed after the test."""
    opened: list[Visit] = []

    def open_(url: str, **kwargs) -> Visit:
        v = Visit.open(browser, url, **kwargs)
        opened.append(v)
        return v

    yield open_
    for v in opened:
        if not v.page.is_closed():
            v.close()


def pytest_collection_modifyitems(items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)
