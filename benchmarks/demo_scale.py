"""How fast the demo cohort is written, and how fast the store reads sessions for analysis.

    .venv/bin/python benchmarks/demo_scale.py [--sizes 1000 10000] [--weeks 52]

For each size: rows written per second by `peercoach demo` (a fresh SQLite file each time), and
the store's read of the whole sessions table into a DataFrame as a ratio to a bare
``pandas.read_sql`` of the same table on the same database (target: at most 1.5x).
"""

from __future__ import annotations

import argparse
import datetime as dt
import platform
import statistics
import tempfile
import time
from pathlib import Path

import pandas as pd
import sqlalchemy as sa

from peercoach_lib import demo
from peercoach_lib.store import Store

AS_OF = dt.date(2026, 11, 23)
READ_TARGET = 1.5


def _median_seconds(action, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def measure(pairs: int, weeks: int, folder: Path, repeats: int) -> dict[str, float]:
    url = f"sqlite:///{folder / f'demo-{pairs}.sqlite'}"
    with Store(url) as store:
        start = time.perf_counter()
        summary = demo.generate(store, pairs=pairs, weeks=weeks, seed=1, as_of=AS_OF)
        write_seconds = time.perf_counter() - start
        floor_engine = sa.create_engine(url)  # a plain engine, nothing of ours

        def floor():
            with floor_engine.connect() as connection:
                return pd.read_sql("SELECT * FROM sessions", connection)

        def ours():
            return store.frame("sessions")

        floor(), ours()  # warm the file cache for both
        floor_seconds = _median_seconds(floor, repeats)
        store_seconds = _median_seconds(ours, repeats)
        floor_engine.dispose()
        return {
            "pairs": pairs,
            "rows": summary.total_rows,
            "sessions": summary.rows["sessions"],
            "write_s": write_seconds,
            "rows_per_s": summary.total_rows / write_seconds,
            "floor_read_s": floor_seconds,
            "store_read_s": store_seconds,
            "ratio": store_seconds / floor_seconds,
        }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--weeks", type=int, default=52)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    print(
        f"peercoach demo_scale: {args.weeks} weeks, SQLite, {platform.machine()}, "
        f"{platform.python_implementation()} {platform.python_version()}"
    )
    header = (
        f"{'pairs':>7} {'rows':>11} {'write s':>8} {'rows/s':>9} {'sessions':>9} "
        f"{'floor read s':>13} {'store read s':>13} {'ratio':>6}"
    )
    print(header)
    print("-" * len(header))
    worst = 0.0
    with tempfile.TemporaryDirectory() as folder:
        for pairs in args.sizes:
            r = measure(pairs, args.weeks, Path(folder), args.repeats)
            worst = max(worst, r["ratio"])
            print(
                f"{r['pairs']:>7,} {r['rows']:>11,} {r['write_s']:>8.1f} {r['rows_per_s']:>9,.0f} "
                f"{r['sessions']:>9,} {r['floor_read_s']:>13.3f} {r['store_read_s']:>13.3f} "
                f"{r['ratio']:>5.2f}x"
            )
    verdict = "within" if worst <= READ_TARGET else "OVER"
    print(f"store read vs bare read_sql: worst {worst:.2f}x, {verdict} the {READ_TARGET}x target")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
