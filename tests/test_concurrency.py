"""Several processes writing one database, and a process killed in the middle of a save.

Both run on SQLite (one file, WAL) and on PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
import signal
import subprocess
import sys
import textwrap
import time
from concurrent.futures import ProcessPoolExecutor

import pytest
import sqlalchemy as sa

from peercoach_lib import model
from peercoach_lib.store import Store

pytestmark = [pytest.mark.slow, pytest.mark.both_databases]

WRITERS = 4
SAVES_EACH = 250


def _set_up(url: str) -> tuple[int, int, int]:
    with Store(url) as store:
        a = store.save(model.Person(name="Alice"))
        b = store.save(model.Person(name="Bob"))
        p = store.save(
            model.Partnership(person_a_id=a.id, person_b_id=b.id, started_on=dt.date(2026, 1, 5))
        )
    return a.id, b.id, p.id


def _writer(url: str, ids: tuple[int, int, int], writer: int, start_at: float) -> list[int]:
    """Save SAVES_EACH sessions, each in its own transaction, as a kernel saving a form would."""
    a, b, partnership = ids
    with Store(url) as store:
        while time.time() < start_at:  # all writers begin together
            time.sleep(0.001)
        saved = []
        for i in range(SAVES_EACH):
            session = model.Session(
                partnership_id=partnership,
                planned=False,
                status="held",
                held_on=dt.date(2026, 1, 1) + dt.timedelta(days=i % 300),
                halves=[
                    model.SessionHalf(coach_id=a, client_id=b, minutes=writer * 1000 % 240 + 1)
                ],
            )
            saved.append(store.save(session).id)
    return saved


def test_four_processes_saving_at_once_lose_nothing(new_database):
    url = new_database("shared")
    ids = _set_up(url)
    start_at = time.time() + 3.0
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(WRITERS, mp_context=context) as pool:
        futures = [pool.submit(_writer, url, ids, w, start_at) for w in range(WRITERS)]
        results = [f.result(timeout=240) for f in futures]  # re-raises any writer's exception
    saved_ids = [i for ids_ in results for i in ids_]
    assert len(saved_ids) == len(set(saved_ids)) == WRITERS * SAVES_EACH
    with Store(url) as store:
        assert store.counts()["sessions"] == WRITERS * SAVES_EACH
        with store.reading() as tx:
            halves = tx.connection.exec_driver_sql("SELECT COUNT(*) FROM session_halves").scalar()
        assert halves == WRITERS * SAVES_EACH
        assert sorted(s.id for s in store.find(model.Session)) == sorted(saved_ids)


KILLED_WRITER = textwrap.dedent(
    """
    import datetime as dt, sys
    from peercoach_lib import model
    from peercoach_lib.store import Store

    url, partnership, a, b = sys.argv[1], *map(int, sys.argv[2:5])
    store = Store(url)
    for i in range(50):  # earlier saves, each committed
        store.save(model.Session(partnership_id=partnership, planned=False, status="held",
                                 held_on=dt.date(2026, 1, 1) + dt.timedelta(days=i)))
    print("committed", flush=True)

    def many():
        for i in range(1_000_000):
            if i == 3000:
                print("mid-save", flush=True)
            yield model.Session(partnership_id=partnership, planned=False, status="missed",
                                halves=[model.SessionHalf(coach_id=a, client_id=b, minutes=30)])

    store.save_all(many())  # one large transaction, killed before it ends
    print("finished", flush=True)
    """
)


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_a_process_killed_mid_save_leaves_a_sound_database(new_database, backend):
    url = new_database("killed")
    a, b, partnership = _set_up(url)
    child = subprocess.Popen(
        [sys.executable, "-c", KILLED_WRITER, url, str(partnership), str(a), str(b)],
        stdout=subprocess.PIPE,
        text=True,
        env=os.environ.copy(),
    )
    try:
        assert child.stdout.readline().strip() == "committed"
        assert child.stdout.readline().strip() == "mid-save"
        time.sleep(0.2)
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
    assert child.returncode == -signal.SIGKILL

    if backend == "sqlite":
        engine = sa.create_engine(url)
        with engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
            assert connection.exec_driver_sql("PRAGMA foreign_key_check").all() == []
        engine.dispose()
    with Store(url) as store:
        sessions = store.find(model.Session)
        # Every earlier save is there; nothing of the interrupted one is.
        assert len(sessions) == 50
        assert {s.status for s in sessions} == {model.SessionStatus.HELD}
        assert store.counts()["sessions"] == 50
