"""The browser tests catch a broken app: deliberately broken fixture notebooks must fail them.

Served by the workbook's own server (template, runtime guard) over ``fixtures/``.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.browser.harness import Server

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="module")
def broken(demo_database, tmp_path_factory):
    server = Server.start(
        demo_database, tmp_path_factory.mktemp("broken") / "server.log", pool=0, notebooks=FIXTURES
    )
    yield server
    server.stop()


def test_a_notebook_that_raises_fails_the_checks(broken, visit):
    page = visit(broken.url("raises.ipynb"))
    problems = "\n".join(page.problems())
    assert "a cell failed" in problems or "There was an error when executing cell" in problems
    assert "the app did not render" in problems
    with pytest.raises(AssertionError):
        page.assert_clean()
    # Tracebacks stay in the server's log, not on the page.
    assert "deliberately broken cell" not in page.page.locator("body").inner_text()


def test_an_app_that_fails_to_build_says_so_and_fails_the_checks(broken, visit):
    page = visit(broken.url("broken_build.ipynb"))
    notice = page.page.locator(".peercoach-failure")
    assert notice.is_visible()
    assert "could not be opened" in notice.inner_text()
    assert "LookupError" not in page.page.locator("body").inner_text()
    assert any("the app reported a failure" in p for p in page.problems())
    reference = re.search(r"reference ([0-9a-f]{8})", notice.inner_text()).group(1)
    log = broken.log()
    assert f"Failure {reference}" in log and "LookupError: deliberately broken build" in log


def test_a_broken_callback_says_so_and_fails_the_checks(broken, visit):
    page = visit(broken.url("broken_callback.ipynb"))
    page.assert_clean()  # it opens fine
    page.page.get_by_role("button", name="Break").click()
    notice = page.page.locator(".peercoach-failure")
    notice.wait_for()
    assert "not anything you did" in notice.inner_text()
    assert any("the app reported a failure" in p for p in page.problems())
    reference = re.search(r"reference ([0-9a-f]{8})", notice.inner_text()).group(1)
    log = broken.log()
    assert f"Failure {reference}" in log and "ZeroDivisionError: deliberately broken" in log
    assert "ZeroDivisionError" not in page.page.locator("body").inner_text()


def test_an_inaccessible_page_fails_the_accessibility_checks(broken, visit):
    page = visit(broken.url("inaccessible.ipynb"))
    page.assert_clean()  # nothing else is wrong with it
    found = {v["id"]: v["impact"] for v in page.axe()}
    assert found.get("image-alt") == "critical"
    assert [control.split()[0] for control in page.unnamed_controls()] == ["textbox"]
