"""How the cohort dashboard scales: every table and chart, against a one-query floor.

    .venv/bin/python benchmarks/cohort_scale.py [--sizes 100 1000 10000] [--weeks 52]
    .venv/bin/python benchmarks/cohort_scale.py --db postgresql+psycopg://user@host/postgres

For each size a demo cohort is built in a fresh SQLite file; with --db naming a PostgreSQL server
(any database on it, for a role that may create databases), in a fresh database made there for
each size and dropped afterwards; any other --db must be an empty database, for one size. Then,
median of --repeats runs:

- floor: a single SQL query returning the per-pair session counts, read with pandas;
- all-counts floor: a single SQL query returning every per-pair count the dashboard's pair table
  holds (sessions held, planned and missed, the last held day, commitments done, partly and not
  done, coaching minutes received by each partner, session checks and their total), read with
  pandas; a floor for the tables' share of the work (the scores behind GAS and LSI change, the
  flags' look-back windows and the week grid are not in it);
- tables: every dashboard table (cohort.load: per-pair figures, flags, headline; the week grid of
  the pairs shown; endings and recoveries); charts: every chart drawn to PNG (week grid and
  distributions). The ratio is (tables + charts) / floor, and the tables alone / floor beside it;
  the same two against the all-counts floor.
- flags noted: writing today's flag episodes, the first time (one per flag) / on a later opening.

Targets: dashboard at most 2x the floor at every size; growth from 1,000 to 10,000 pairs at most
12x.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import statistics
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pandas as pd
import sqlalchemy as sa

from peercoach_lib import charts, cohort, demo
from peercoach_lib.apps.cohort_app import SHOWN_PAIRS
from peercoach_lib.store import Store

AS_OF = dt.date(2026, 11, 23)
RATIO_TARGET = 2.0
GROWTH_TARGET = 12.0

FLOOR_SQL = """
SELECT s.partnership_id AS pair,
       SUM(CASE WHEN s.status = 'held' THEN 1 ELSE 0 END) AS held,
       SUM(CASE WHEN s.planned THEN 1 ELSE 0 END) AS planned,
       SUM(CASE WHEN s.status = 'missed' THEN 1 ELSE 0 END) AS missed,
       MAX(s.held_on) AS last_held
FROM sessions s JOIN partnerships p ON p.id = s.partnership_id
WHERE p.cohort_id = :cohort
GROUP BY s.partnership_id
"""

ALL_COUNTS_FLOOR_SQL = """
WITH
pairs AS (SELECT id, person_a_id, person_b_id FROM partnerships WHERE cohort_id = :cohort),
sess AS (
    SELECT s.partnership_id AS pair,
           SUM(CASE WHEN s.status = 'held' THEN 1 ELSE 0 END) AS held,
           SUM(CASE WHEN s.planned THEN 1 ELSE 0 END) AS planned,
           SUM(CASE WHEN s.status = 'missed' THEN 1 ELSE 0 END) AS missed,
           MAX(CASE WHEN s.status = 'held' THEN s.held_on END) AS last_held
    FROM sessions s JOIN pairs ON pairs.id = s.partnership_id
    WHERE s.status != 'cancelled' AND COALESCE(s.held_on, s.scheduled_on) BETWEEN :start AND :end
    GROUP BY s.partnership_id
),
kept AS (
    SELECT c.partnership_id AS pair,
           SUM(CASE WHEN c.status = 'done' THEN 1 ELSE 0 END) AS done,
           SUM(CASE WHEN c.status = 'partly' THEN 1 ELSE 0 END) AS partly,
           SUM(CASE WHEN c.status = 'not done' THEN 1 ELSE 0 END) AS not_done
    FROM commitments c JOIN pairs ON pairs.id = c.partnership_id
    GROUP BY c.partnership_id
),
minutes AS (
    SELECT s.partnership_id AS pair,
           SUM(CASE WHEN h.client_id = pairs.person_a_id THEN h.minutes ELSE 0 END) AS minutes_a,
           SUM(CASE WHEN h.client_id = pairs.person_b_id THEN h.minutes ELSE 0 END) AS minutes_b
    FROM session_halves h
    JOIN sessions s ON s.id = h.session_id
    JOIN pairs ON pairs.id = s.partnership_id
    GROUP BY s.partnership_id
),
checks AS (
    SELECT s.partnership_id AS pair, COUNT(*) AS checks,
           SUM(k.heard + k.focus + k.approach + k.overall) AS check_total
    FROM session_checks k
    JOIN sessions s ON s.id = k.session_id
    JOIN pairs ON pairs.id = s.partnership_id
    GROUP BY s.partnership_id
)
SELECT pairs.id AS pair, sess.held, sess.planned, sess.missed, sess.last_held,
       kept.done, kept.partly, kept.not_done, minutes.minutes_a, minutes.minutes_b,
       checks.checks, checks.check_total
FROM pairs
LEFT JOIN sess ON sess.pair = pairs.id
LEFT JOIN kept ON kept.pair = pairs.id
LEFT JOIN minutes ON minutes.pair = pairs.id
LEFT JOIN checks ON checks.pair = pairs.id
"""


def _median(action, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def tables(store: Store, cohort_id: int):
    """Every table the dashboard computes on opening."""
    view = cohort.load(store, cohort_id, end=AS_OF)
    view.headline()
    cohort.endings(store, cohort_id, view.start, view.end)
    shown = view.pairs.head(SHOWN_PAIRS)
    grid = cohort.week_grid(store, [int(p) for p in shown["pair"]], view.start, view.end)
    return view, shown, grid


def draw(view, shown, grid) -> None:
    """Every chart the dashboard draws on opening."""
    charts.to_png(charts.week_heatmap(grid, [str(p) for p in shown["pair"]]))
    visible = dict.fromkeys(cohort.SPREAD, True)
    charts.to_png(charts.distributions(view.pairs, visible))


def dashboard(store: Store, cohort_id: int) -> None:
    draw(*tables(store, cohort_id))


@contextmanager
def empty_database(db: str | None, size: int, folder: Path) -> Iterator[str]:
    """The database to measure ``size`` pairs in (see the module's docstring)."""
    if not db:
        yield f"sqlite:///{folder / f'cohort-{size}.sqlite'}"
        return
    server = sa.make_url(db)
    if server.get_backend_name() != "postgresql":
        yield db
        return
    if server.drivername == "postgresql":
        server = server.set(drivername="postgresql+psycopg")
    name = f"peercoach_bench_{size}_{os.getpid()}"
    engine = sa.create_engine(server, isolation_level="AUTOCOMMIT", poolclass=sa.NullPool)
    with engine.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with engine.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE "{name}" WITH (FORCE)')
        engine.dispose()


def measure(url: str, pairs: int, weeks: int, repeats: int) -> dict:
    with Store(url) as store:
        if not store.is_empty():
            raise SystemExit(f"{store!r} is not empty: the benchmark needs an empty database")
        start = time.perf_counter()
        summary = demo.generate(store, pairs=pairs, weeks=weeks, seed=1, as_of=AS_OF)
        built = time.perf_counter() - start
        floor_engine = sa.create_engine(url)

        # The range the dashboard opens on (the all-counts floor counts within it).
        start = cohort.load(store, summary.cohort_id, end=AS_OF).start
        params = {"cohort": summary.cohort_id, "start": start, "end": AS_OF}

        def floor(sql: str = FLOOR_SQL):
            with floor_engine.connect() as connection:
                return pd.read_sql(sa.text(sql), connection, params=params)

        def all_counts():
            return floor(ALL_COUNTS_FLOOR_SQL)

        floor(), all_counts(), dashboard(store, summary.cohort_id)  # warm caches for all
        floor_s = _median(floor, repeats)
        all_counts_s = _median(all_counts, repeats)
        tables_s = _median(lambda: tables(store, summary.cohort_id), repeats)
        drawn = tables(store, summary.cohort_id)
        charts_s = _median(lambda: draw(*drawn), repeats)
        # Noting the flags (the dashboard does it when it shows today): the first time opens
        # an episode per flag; after that, only what changed is written.
        start = time.perf_counter()
        cohort.track_flags(store, drawn[0], on=AS_OF)
        first_note_s = time.perf_counter() - start
        note_s = _median(lambda: cohort.track_flags(store, drawn[0], on=AS_OF), repeats)
        floor_engine.dispose()
    return {
        "pairs": pairs,
        "sessions": summary.rows["sessions"],
        "build_s": built,
        "floor_s": floor_s,
        "tables_s": tables_s,
        "charts_s": charts_s,
        "dashboard_s": tables_s + charts_s,
        "ratio": (tables_s + charts_s) / floor_s,
        "tables_ratio": tables_s / floor_s,
        "all_counts_s": all_counts_s,
        "all_ratio": (tables_s + charts_s) / all_counts_s,
        "all_tables_ratio": tables_s / all_counts_s,
        "first_note_s": first_note_s,
        "note_s": note_s,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 10000])
    parser.add_argument("--weeks", type=int, default=52)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument(
        "--db",
        help="a PostgreSQL server URL (a fresh database per size is made there), or an empty "
        "database URL for one size, to use instead of SQLite files",
    )
    args = parser.parse_args()
    on_server = args.db and sa.make_url(args.db).get_backend_name() == "postgresql"
    if args.db and not on_server and len(args.sizes) > 1:
        parser.error("--db names one empty database: give one size, or a PostgreSQL server")
    backend = "SQLite" if not args.db else sa.make_url(args.db).get_backend_name()
    print(
        f"peercoach cohort_scale: {args.weeks} weeks, {platform.machine()}, "
        f"{platform.python_implementation()} {platform.python_version()}, {backend}"
    )
    header = (
        f"{'pairs':>7} {'sessions':>9} {'build s':>8} {'floor s':>8} {'tables s':>9} "
        f"{'charts s':>9} {'ratio':>8} {'tables only':>12} {'all-counts s':>13} {'ratio':>7} "
        f"{'tables only':>12} {'flags noted s':>14}"
    )
    print(header)
    print("-" * len(header))
    results = []
    with tempfile.TemporaryDirectory() as folder:
        for size in args.sizes:
            with empty_database(args.db, size, Path(folder)) as url:
                r = measure(url, size, args.weeks, args.repeats)
            results.append(r)
            print(
                f"{r['pairs']:>7,} {r['sessions']:>9,} {r['build_s']:>8.1f} "
                f"{r['floor_s']:>8.3f} {r['tables_s']:>9.3f} {r['charts_s']:>9.3f} "
                f"{r['ratio']:>7.1f}x {r['tables_ratio']:>11.1f}x "
                f"{r['all_counts_s']:>13.3f} {r['all_ratio']:>6.1f}x "
                f"{r['all_tables_ratio']:>11.1f}x "
                f"{r['first_note_s']:>6.2f} / {r['note_s']:.2f}",
                flush=True,
            )
    worst = max(r["ratio"] for r in results)
    verdict = "within" if worst <= RATIO_TARGET else "OVER"
    print(f"dashboard vs floor: worst {worst:.1f}x ({verdict} the {RATIO_TARGET}x target)")
    worst = max(r["all_ratio"] for r in results)
    verdict = "within" if worst <= RATIO_TARGET else "OVER"
    print(
        f"dashboard vs all-counts floor: worst {worst:.1f}x ({verdict} the {RATIO_TARGET}x "
        f"target); tables alone: worst {max(r['all_tables_ratio'] for r in results):.1f}x"
    )
    by_size = {r["pairs"]: r["dashboard_s"] for r in results}
    if 1000 in by_size and 10000 in by_size:
        growth = by_size[10000] / by_size[1000]
        verdict = "within" if growth <= GROWTH_TARGET else "OVER"
        print(
            f"growth from 1,000 to 10,000 pairs: {growth:.1f}x ({verdict} the "
            f"{GROWTH_TARGET}x target)"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
