"""How long enrolling a large organisation's roster takes: reading it, enrolling it into an empty
workbook, and enrolling it again (every person found, nobody changed).

    .venv/bin/python benchmarks/enrol_scale.py [--sizes 1000 20000]

A roster is checked row against row and against everyone in the workbook (sign-in names, e-mail
addresses, names two lists could not tell apart); each check is a lookup, so the time grows with
the roster, not with its square.
"""

from __future__ import annotations

import argparse
import platform
import tempfile
import time
from pathlib import Path

from peercoach_lib import enrol
from peercoach_lib.store import Store


def roster(size: int) -> str:
    rows = "".join(f"Person Number {k},p{k},p{k}@example.org\n" for k in range(size))
    return "name,sign_in,email\n" + rows


def measure(size: int) -> tuple[float, float, float]:
    text = roster(size)
    with (
        tempfile.TemporaryDirectory() as folder,
        Store(f"sqlite:///{Path(folder) / 'enrol.sqlite'}") as store,
    ):
        started = time.perf_counter()
        people = enrol.read_roster(text)
        read = time.perf_counter()
        enrol.enrol(store, people, "Benchmark cohort")
        first = time.perf_counter()
        enrol.enrol(store, enrol.read_roster(text), "Benchmark cohort")
        again = time.perf_counter()
    return read - started, first - read, again - first


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 20000])
    args = parser.parse_args()
    print(f"enrol: {platform.machine()}, Python {platform.python_version()}")
    print(f"{'people':>8}  {'read s':>7}  {'enrol s':>8}  {'again s':>8}  {'per 1,000 s':>11}")
    for size in args.sizes:
        read, first, again = measure(size)
        per = (read + first + again) / size * 1000
        print(f"{size:>8,}  {read:>7.2f}  {first:>8.2f}  {again:>8.2f}  {per:>11.2f}")


if __name__ == "__main__":
    main()
