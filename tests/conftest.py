"""Shared fixtures. No test ever touches the workbook's real database.

``PEERCOACH_DB`` is pointed at a throwaway database before anything opens a store, so the CLI,
the apps and the notebook kernels that nbval starts (which inherit the environment) all use it;
that database holds a small demo cohort, as `make app` would give a new user.

The store's own tests (marked ``both_databases``) run twice: on SQLite and on PostgreSQL (see
``tests/postgres.py``); the rest run on SQLite only, which keeps the suite quick.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

_SESSION_DIR = Path(tempfile.mkdtemp(prefix="peercoach-tests-"))
os.environ["PEERCOACH_DB"] = f"sqlite:///{_SESSION_DIR / 'workbook.sqlite'}"

from peercoach_lib import demo, model  # noqa: E402
from peercoach_lib.store import Store  # noqa: E402
from tests import postgres  # noqa: E402

AS_OF = dt.date(2026, 11, 23)


def pytest_configure(config: pytest.Config) -> None:
    with Store() as store:
        if store.is_empty():
            demo.generate(store, pairs=4, weeks=16, seed=7, as_of=AS_OF)


BACKENDS = ("sqlite", "postgresql")


#: Browser tests that start a server of their own rather than use the served workbook's.
_OWN_SERVER = ("tests/browser/test_hub.py", "tests/browser/test_failures.py")


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log):
    """On several workers (``make test``), the browser tests run together on one, as one unit:
    they share one served workbook, which costs a worker half a minute to start, and two would
    only slow each other. The rest go out module by module, largest first, those browser tests
    that start a server of their own (JupyterHub, the broken fixtures) among them."""
    from xdist.scheduler import LoadScopeScheduling

    class BrowserTestsTogether(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            if nodeid.startswith("tests/browser/") and not nodeid.startswith(_OWN_SERVER):
                return "tests/browser"
            return super()._split_scope(nodeid)

    return BrowserTestsTogether(config, log)


def pytest_report_header(config: pytest.Config) -> str:
    return f"PostgreSQL for the store's tests: {postgres.describe()}"


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "backend" in metafunc.fixturenames and metafunc.definition.get_closest_marker(
        "both_databases"
    ):
        metafunc.parametrize("backend", BACKENDS, indirect=True)


@pytest.fixture
def backend(request: pytest.FixtureRequest) -> str:
    """The database a test runs on: SQLite, or each of :data:`BACKENDS` for the store's tests."""
    return getattr(request, "param", "sqlite")


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[postgres.Server]:
    """A PostgreSQL server for the whole session (tests/postgres.py says which)."""
    try:
        server = postgres.start()
    except postgres.Unavailable as exc:
        pytest.skip(f"PostgreSQL run skipped: {exc}")
    yield server
    server.stop()


def _nothing(store: Store) -> None:
    """A migrated store with nothing in it."""


def _small_demo(store: Store) -> None:
    demo.generate(store, pairs=6, weeks=16, seed=3, as_of=AS_OF)


#: The templates named in ``new_database(..., like=name)``.
_TEMPLATES: dict[str, Callable[[Store], object]] = {"empty": _nothing, "demo": _small_demo}


@pytest.fixture(scope="session")
def _sqlite_templates(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """SQLite's template databases (see ``new_database``), by what fills them."""
    return {"folder": str(tmp_path_factory.mktemp("templates"))}


@pytest.fixture
def new_database(
    request: pytest.FixtureRequest, backend: str, tmp_path: Path, _sqlite_templates: dict
) -> Iterator[Callable[..., str]]:
    """Makes databases on the test's backend: ``new_database("name")`` gives an empty one's URL
    (nothing in it, not even tables), ``new_database("name", like="demo")`` a migrated copy of
    a template: ``"empty"``, ``"demo"``, or a module-level function that fills a store.

    A template is made once a session, by whichever test asks first, and copied for the rest:
    migrating a database or generating a demo into it costs a test up to a second, a copy a
    few milliseconds (SQLite's backup, PostgreSQL's ``CREATE DATABASE ... TEMPLATE``).
    """
    server: postgres.Server | None = (
        None if backend == "sqlite" else request.getfixturevalue("postgres_server")
    )
    templates = _sqlite_templates if server is None else server.templates

    def template(kind: str | Callable[[Store], object]) -> str:
        fill = _TEMPLATES[kind] if isinstance(kind, str) else kind
        key = f"{fill.__module__}.{fill.__qualname__}"
        if key not in templates:
            if server is None:
                url = f"sqlite:///{Path(templates['folder']) / f'{len(templates)}.sqlite'}"
            else:
                url = server.create_database()
            with Store(url) as store:
                fill(store)
            templates[key] = url
        return templates[key]

    made: list[str] = []

    def make(name: str, *, like: str | Callable[[Store], object] | None = None) -> str:
        if server is not None:
            made.append(server.create_database(template=like and template(like)))
            return made[-1]
        url = f"sqlite:///{tmp_path / name}.sqlite"
        if like is not None:
            _sqlite_copy(template(like), url)
        return url

    yield make
    for url in made:
        server.drop_database(url)


def _sqlite_copy(source_url: str, target_url: str) -> None:
    """Copy a closed SQLite database whole, by SQLite's own backup (no half-written pages)."""
    source = sqlite3.connect(source_url.removeprefix("sqlite:///"))
    target = sqlite3.connect(target_url.removeprefix("sqlite:///"))
    try:
        source.backup(target)
    finally:
        target.close()
        source.close()


@pytest.fixture
def store(new_database: Callable[..., str]):
    """A new, empty store in a database of its own."""
    with Store(new_database("test", like="empty")) as s:
        yield s


@pytest.fixture
def demo_store(new_database: Callable[..., str]):
    """A store holding a small demo cohort."""
    with Store(new_database("demo", like="demo")) as s:
        yield s


@pytest.fixture
def pair(store: Store):
    """Two people in a partnership, in a cohort with a facilitator."""
    fay = store.save(model.Person(name="Fay Facilitator", role="facilitator"))
    cohort = store.save(model.Cohort(name="Spring cohort", facilitator_id=fay.id))
    alice = store.save(
        model.Person(
            name="Alice", email="alice@example.org", cohort_id=cohort.id, time_zone="Europe/London"
        )
    )
    bob = store.save(model.Person(name="Bob", cohort_id=cohort.id, time_zone="America/New_York"))
    partnership = store.save(
        model.Partnership(
            cohort_id=cohort.id,
            person_a_id=alice.id,
            person_b_id=bob.id,
            started_on=dt.date(2026, 1, 5),
        )
    )
    return {"fay": fay, "cohort": cohort, "alice": alice, "bob": bob, "partnership": partnership}


@pytest.fixture(scope="session")
def server():
    """`peercoach serve` on a free loopback port, over the session's demo database."""
    port = postgres.free_port()
    log = (_SESSION_DIR / "server.log").open("w")
    # No preheated kernels here (the browser tests serve as in production): quicker to start.
    process = subprocess.Popen(
        [sys.executable, "-m", "peercoach_lib.cli", "serve", "--port", str(port), "--pool", "0"],
        stdout=log,
        stderr=subprocess.STDOUT,
        text=True,
        env=os.environ.copy(),
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                break
        except OSError:
            if process.poll() is not None:
                pytest.fail(f"server exited: {(_SESSION_DIR / 'server.log').read_text()}")
            time.sleep(0.2)
    else:
        process.kill()
        pytest.fail("server did not start within 60 s")
    yield base
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()


@pytest.fixture
def far_local_clock(monkeypatch) -> Iterator[str]:
    """The computer's clock set 14 hours ahead of UTC (the name of its zone), so that what
    should follow the computer's clock cannot pass by being UTC, as on most test machines."""
    zone = "Pacific/Kiritimati"
    monkeypatch.setenv("TZ", zone)
    time.tzset()
    try:
        yield zone
    finally:
        monkeypatch.undo()
        time.tzset()
