"""A cohort on a shared server: JupyterHub signs people in; each has a workbook server.

JupyterHub runs on loopback from ``deploy/jupyterhub_config.py`` as README's deploy section
starts it (shared-password sign-in, the proxy from npm, the hub's state in a folder of its own),
over a fresh demo workbook. Two partners and their facilitator sign in with Chromium, each in a
browser context of their own, and the test shows what each of them can and cannot see.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, expect

from peercoach_lib import demo
from peercoach_lib.model import Cohort, Partnership, Person, Session, SessionNote
from peercoach_lib.store import Store
from tests.browser.harness import KERNEL_MS, Server, Visit, free_port, reach_charts

ROOT = Path(__file__).resolve().parents[2]
HUB_CONFIG = ROOT / "deploy" / "jupyterhub_config.py"
PROXY = ROOT / "node_modules" / ".bin" / "configurable-http-proxy"
PASSWORD = "cohort-trial-password"
SHARED = "Shared-with-my-partner marker 5531"
PRIVATE = "Only-for-me marker 8812"

pytestmark = pytest.mark.skipif(
    not PROXY.exists(), reason="configurable-http-proxy is not installed (make test runs npm ci)"
)


class Hub(Server):
    """JupyterHub in a subprocess: its base URL, process and log, as for the workbook's server."""

    def user_url(self, user: str, notebook: str, query: str = "") -> str:
        return f"{self.base}/user/{user}/voila/render/{notebook}" + (f"?{query}" if query else "")

    def stop(self, seconds: float = 60) -> None:
        super().stop(seconds)  # the hub stops every person's server as it goes


@dataclass
class World:
    hub: Hub
    database: str
    pair: Partnership
    a: Person  # shares one note with b, keeps another to themselves
    b: Person
    facilitator: Person
    cohort: Cohort


@pytest.fixture(scope="module")
def world(tmp_path_factory) -> World:
    folder = tmp_path_factory.mktemp("hub")
    database = f"sqlite:///{folder / 'workbook.sqlite'}"
    with Store(database) as store:
        demo.generate(store, pairs=4, weeks=10, seed=5, as_of=dt.date.today())
        cohort = store.find(Cohort)[0]
        facilitator = store.get(Person, cohort.facilitator_id)
        pair = next(p for p in store.find(Partnership) if p.is_active)
        a, b = store.get(Person, pair.person_a_id), store.get(Person, pair.person_b_id)
        held = [s for s in store.find(Session, partnership_id=pair.id) if s.status == "held"]
        for session, text, shared in ((held[-1], SHARED, True), (held[-2], PRIVATE, False)):
            for note in store.find(SessionNote, session_id=session.id, person_id=a.id):
                store.delete(SessionNote, note.id)
            store.save(SessionNote(session_id=session.id, person_id=a.id, text=text, shared=shared))
    port = free_port()
    env = {
        **os.environ,
        "PEERCOACH_DB": database,
        "PEERCOACH_HUB_STATE": str(folder / "hub-state"),
        "PEERCOACH_HUB_PASSWORD": PASSWORD,
        "PEERCOACH_HUB_PORT": str(port),
        "PEERCOACH_HUB_API_PORT": str(free_port()),
        "PEERCOACH_PROXY_API_PORT": str(free_port()),
    }
    log_path = folder / "hub.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "jupyterhub", "-f", str(HUB_CONFIG)],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    hub = Hub(f"http://127.0.0.1:{port}", process, log_path)
    deadline = time.monotonic() + 90
    while "JupyterHub is now running" not in hub.log():
        if process.poll() is not None or time.monotonic() > deadline:
            hub.stop()
            pytest.fail(f"JupyterHub did not start:\n{hub.log()[-4000:]}")
        time.sleep(0.3)
    yield World(hub, database, pair, a, b, facilitator, cohort)
    hub.stop()


def sign_in(browser, world: World, person: Person) -> BrowserContext:
    """Sign in on the hub's page as a person does; they land on their own workbook's home."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(f"{world.hub.base}/hub/login", timeout=60_000)
    page.get_by_label("Username").fill(person.sign_in)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    # The hub starts the person's server, then sends them to it.
    home = re.compile(rf"/user/{person.sign_in}/voila/render/index\.ipynb")
    page.wait_for_url(home, timeout=120_000)
    expect(page.locator(".peercoach-signed-in")).to_contain_text(person.name, timeout=90_000)
    page.goto("about:blank")
    page.close()
    return context


@pytest.fixture(scope="module")
def contexts(browser, world):
    """Each person signed in, in a browser context of their own (a's first: their server runs
    while b tries to reach it)."""
    made = {who: sign_in(browser, world, getattr(world, who)) for who in ("a", "b", "facilitator")}
    yield made
    for context in made.values():
        context.close()


def open_app(contexts, world: World, who: str, notebook: str, query: str = "") -> Visit:
    person = getattr(world, who)
    visit = Visit.open(contexts[who], world.hub.user_url(person.sign_in, notebook, query))
    visit.assert_clean()
    return visit


def chooser_options(visit: Visit, label: str = "I am") -> list[str]:
    return [
        o.replace("\xa0", " ").strip()
        for o in visit.page.get_by_label(label, exact=True).locator("option").all_inner_texts()
    ]


def test_each_partner_lands_on_their_own_workbook(contexts, world):
    for who in ("a", "b"):
        person = getattr(world, who)
        home = open_app(contexts, world, who, "index.ipynb")
        expect(home.page.locator(".peercoach-signed-in")).to_contain_text(
            f"You are signed in as {person.name}"
        )
        # Participants are not offered the facilitators' dashboard.
        expect(home.page.get_by_role("link", name="Cohort dashboard")).to_have_count(0)
        home.screenshot(f"hub-home-{who}")
        log = open_app(contexts, world, who, "session_log.ipynb")
        expect(log.page.get_by_label("I am", exact=True)).to_be_disabled()
        assert chooser_options(log) == [person.name]


def test_a_partner_sees_what_was_shared_and_nothing_private(contexts, world):
    prep = open_app(contexts, world, "b", "session_prep.ipynb")
    body = prep.page.locator("body")
    expect(body).to_contain_text(f"From {world.a.name}", timeout=KERNEL_MS)
    expect(body).to_contain_text(SHARED)
    assert PRIVATE not in body.inner_text()
    # Their partner, who wrote both, sees both in their own session log.
    mine = open_app(contexts, world, "a", "my_data.ipynb")
    text = mine.page.locator("body").inner_text()
    assert SHARED in text and PRIVATE in text


@pytest.mark.parametrize(
    "notebook",
    ["session_log.ipynb", "my_data.ipynb", "personal_change_plan.ipynb", "my_progress.ipynb"],
)
def test_editing_the_url_to_another_person_gets_no_data(contexts, world, notebook):
    a, b = world.a, world.b
    visit = open_app(contexts, world, "b", notebook, f"person={a.id}&partnership={world.pair.id}")
    assert chooser_options(visit) == [b.name]
    text = visit.page.locator("body").inner_text()
    assert PRIVATE not in text


def test_a_participant_cannot_reach_their_partners_server(contexts, world):
    page = contexts["b"].new_page()
    try:
        response = page.goto(world.hub.user_url(world.a.sign_in, "index.ipynb"), timeout=60_000)
        assert response is not None and response.status in (403, 404), response and response.status
        assert PRIVATE not in page.locator("body").inner_text()
        assert world.a.name not in page.locator("body").inner_text()
    finally:
        page.close()


def test_a_participant_gets_the_facilitators_only_message(contexts, world):
    visit = open_app(contexts, world, "b", "cohort_dashboard.ipynb", f"cohort={world.cohort.id}")
    body = visit.page.locator("body")
    expect(body).to_contain_text("This page is for facilitators")
    assert world.cohort.name not in body.inner_text()
    expect(visit.page.locator("img")).to_have_count(0)
    visit.screenshot("hub-participant-dashboard")


def test_the_facilitator_sees_the_cohort(contexts, world):
    visit = open_app(contexts, world, "facilitator", "cohort_dashboard.ipynb")
    page = visit.page
    expect(page.get_by_label("Cohort", exact=True)).to_contain_text(world.cohort.name)
    expect(page.get_by_role("heading", name="Flags")).to_be_visible(timeout=KERNEL_MS)
    reach_charts(page)
    expect(page.locator("img[alt]").first).to_be_visible(timeout=KERNEL_MS)
    visit.screenshot("hub-facilitator-dashboard")


@pytest.mark.parametrize(
    "path",
    [
        "lab",
        "tree",
        "notebooks/index.ipynb",
        "terminals/1",
        "api/terminals",
        "api/contents",
        "api/sessions",
        "api/kernels",
        "files/index.ipynb",
        "edit/index.ipynb",
    ],
)
def test_no_server_offers_jupyterlab_a_terminal_or_files(contexts, world, path):
    user = world.b.sign_in
    response = contexts["b"].request.get(
        f"{world.hub.base}/user/{user}/{path}", max_redirects=0, fail_on_status_code=False
    )
    assert response.status in (403, 404, 405), (path, response.status)
    created = contexts["b"].request.post(
        f"{world.hub.base}/user/{user}/api/terminals", fail_on_status_code=False
    )
    assert created.status in (403, 404, 405)
