"""Shared fixtures. No test ever touches the workbook's real database.

``PEERCOACH_DB`` is pointed at a throwaway database before anything opens a store, so the CLI,
the apps and the notebook kernels that nbval starts (which inherit the environment) all use it;
that database holds a small demo cohort, as `make app` would give a new user.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

_SESSION_DIR = Path(tempfile.mkdtemp(prefix="peercoach-tests-"))
os.environ["PEERCOACH_DB"] = f"sqlite:///{_SESSION_DIR / 'workbook.sqlite'}"

from peercoach_lib import demo, model  # noqa: E402
from peercoach_lib.store import Store  # noqa: E402

AS_OF = dt.date(2026, 11, 23)


def pytest_configure(config: pytest.Config) -> None:
    with Store() as store:
        if store.is_empty():
            demo.generate(store, pairs=4, weeks=16, seed=7, as_of=AS_OF)


@pytest.fixture
def store(tmp_path: Path):
    """A new, empty store in a file of its own."""
    with Store(f"sqlite:///{tmp_path / 'test.sqlite'}") as s:
        yield s


@pytest.fixture
def demo_store(tmp_path: Path):
    """A store holding a small demo cohort."""
    with Store(f"sqlite:///{tmp_path / 'demo.sqlite'}") as s:
        demo.generate(s, pairs=6, weeks=16, seed=3, as_of=AS_OF)
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


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def server():
    """`peercoach serve` on a free loopback port, over the session's demo database."""
    port = _free_port()
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
