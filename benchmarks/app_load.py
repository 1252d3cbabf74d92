"""How fast each app opens in a real browser, against a floor page measured in the same run.

    .venv/bin/python benchmarks/app_load.py [--loads 5] [--apps index.ipynb my_progress.ipynb]

The apps and a floor notebook (it imports ipywidgets, pandas and matplotlib and shows one
button) are served by the workbook's own server over a fresh demo cohort, and opened in headless
Chromium. For each page, median of --loads:

- first widget: from navigation to the first widget drawn on the page;
- ready: from navigation to the page ready for input (the app, or the floor's button, drawn);
- cold: every page starts its own kernel (``--pool 0``);
- preheated: a kernel per app is kept ready (``--pool 1``), and the pool refills between loads;
- four at once: four people open the page at the same moment (cold); the slowest of the four.

Targets: every app ready within 1.3x the cold floor; preheated, below 0.7x the cold floor; the
slowest of four simultaneous loads within 2x a single cold load of the same page.

It also prints the CPU time of one cold load (from navigation until the page is left), split
between the server (Voilà and the page's kernel) and the browser, and the time four such loads'
CPU takes on the machine's cores, ``4 x (server + browser) / cores``: roughly what four at once
ask of a machine where the four browsers and the server share the cores (roughly: some of it
comes after a page is ready). Where that is well above 2x a cold load even for the floor page,
the four-at-once target cannot be shown on this machine, whatever the server does; it needs the
browsers on other machines (as they are for real visitors) or more cores.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import nbformat
import psutil
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from peercoach_lib import demo  # noqa: E402
from peercoach_lib.apps.registry import APPS  # noqa: E402
from peercoach_lib.config import notebooks_dir  # noqa: E402
from peercoach_lib.store import Store  # noqa: E402
from tests.browser.harness import CHROMIUM_ARGS, Server, chromium_executable  # noqa: E402

FLOOR = "floor.ipynb"
COLD_TARGET, PREHEATED_TARGET, CROWD_TARGET = 1.3, 0.7, 2.0
READY = ".peercoach-page, .floor-button"

FLOOR_SOURCE = """import ipywidgets as widgets
import matplotlib
import pandas as pd

button = widgets.Button(description="Ready")
button.add_class("floor-button")
button"""


def write_folder(folder: Path) -> None:
    """The workbook's notebooks and the floor notebook, side by side."""
    for path in notebooks_dir().glob("*.ipynb"):
        shutil.copy(path, folder / path.name)
    floor = nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_code_cell(FLOOR_SOURCE, id="floor")],
        metadata={"kernelspec": {"name": "python3", "display_name": "Python 3"}, "title": "floor"},
    )
    nbformat.write(floor, folder / FLOOR)


def load_once(browser, url: str) -> tuple[float, float]:
    """Seconds from navigation to the first widget, and to the page ready for input."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    try:
        started = time.perf_counter()
        page.goto(url, wait_until="commit", timeout=180_000)
        page.wait_for_selector(".jupyter-widgets", state="visible", timeout=180_000)
        first = time.perf_counter() - started
        page.wait_for_selector(READY, state="visible", timeout=180_000)
        ready = time.perf_counter() - started
        page.goto("about:blank")  # unload: Voilà shuts the kernel down
        return first, ready
    finally:
        page.close()


def tree_cpu(process: psutil.Process) -> float:
    """CPU seconds used so far by a process, its live descendants, and the children it reaped."""
    total = 0.0
    for each in [process, *process.children(recursive=True)]:
        try:
            times = each.cpu_times()
        except psutil.Error:  # it ended between the listing and the reading
            continue
        total += times.user + times.system + times.children_user + times.children_system
    return total


class CpuSplit:
    """CPU seconds used by the server's process tree and, apart from it, by the browser.

    The browser (Chromium and Playwright's driver) and the server are both children of this
    process; this process's own time is left out.
    """

    def __init__(self, server_pid: int) -> None:
        self.server = psutil.Process(server_pid)
        self.me = psutil.Process()

    def read(self) -> tuple[float, float]:
        server = tree_cpu(self.server)
        own = self.me.cpu_times()
        browser = tree_cpu(self.me) - server - own.user - own.system
        return server, browser


def median_loads(browser, url: str, loads: int, pause: float = 0.0) -> tuple[float, float]:
    firsts, readies = [], []
    for _ in range(loads):
        first, ready = load_once(browser, url)
        firsts.append(first)
        readies.append(ready)
        time.sleep(pause)
    return statistics.median(firsts), statistics.median(readies)


def crowd(url: str, people: int = 4) -> float:
    """The slowest of ``people`` first loads started at the same moment, each its own browser."""
    results: list[float] = []
    barrier = threading.Barrier(people)

    def one() -> None:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium_executable(), args=CHROMIUM_ARGS)
            try:
                barrier.wait()
                results.append(load_once(browser, url)[1])
            finally:
                browser.close()

    threads = [threading.Thread(target=one) for _ in range(people)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return max(results)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--loads", type=int, default=5, help="loads per page (median)")
    parser.add_argument("--apps", nargs="*", help="notebooks to measure (default: all)")
    args = parser.parse_args()
    pages = args.apps or ["index.ipynb", *(app.notebook for app in APPS)]
    context = {"person": 2, "partnership": 1, "cohort": 1}

    print(
        f"# app_load: {platform.node()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "notebooks"
        folder.mkdir()
        write_folder(folder)
        db = f"sqlite:///{tmp}/workbook.sqlite"
        with Store(db) as store:
            demo.generate(store, pairs=12, weeks=16, seed=1, as_of=dt.date(2026, 11, 23))

        rows: dict[str, dict[str, float]] = {page: {} for page in [FLOOR, *pages]}
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium_executable(), args=CHROMIUM_ARGS)
            cold = Server.start(db, Path(tmp) / "cold.log", pool=0, notebooks=folder)
            try:
                load_once(browser, cold.url(FLOOR))  # warm the disk cache, not measured
                cpu = CpuSplit(cold.process.pid)
                for page in rows:
                    url = cold.url(page, **({} if page == FLOOR else context))
                    time.sleep(3)  # the last page's kernels have shut down
                    server_before, browser_before = cpu.read()
                    rows[page]["first"], rows[page]["cold"] = median_loads(browser, url, args.loads)
                    server_after, browser_after = cpu.read()
                    rows[page]["server cpu"] = (server_after - server_before) / args.loads
                    rows[page]["browser cpu"] = (browser_after - browser_before) / args.loads
                    rows[page]["crowd"] = crowd(url)
                    print(f"  measured cold and four at once: {page}", file=sys.stderr)
            finally:
                cold.stop()
            hot = Server.start(db, Path(tmp) / "hot.log", pool=1, notebooks=folder)
            try:
                time.sleep(30)  # let every pool fill
                for page in rows:
                    url = hot.url(page, **({} if page == FLOOR else context))
                    rows[page]["hot"] = median_loads(browser, url, args.loads, pause=8)[1]
                    print(f"  measured preheated: {page}", file=sys.stderr)
            finally:
                hot.stop()
            browser.close()

    floor = rows[FLOOR]["cold"]
    print(
        f"\n{'page':<36} {'first':>7} {'cold':>7} {'÷floor':>7} {'preheat':>8} {'÷floor':>7} "
        f"{'4 at once':>9} {'÷cold':>6}"
    )
    met = {"cold": True, "hot": True, "crowd": True}
    for page, r in rows.items():
        cold_ratio, hot_ratio, crowd_ratio = (
            r["cold"] / floor,
            r["hot"] / floor,
            r["crowd"] / r["cold"],
        )
        if page != FLOOR:
            met["cold"] &= cold_ratio <= COLD_TARGET
            met["hot"] &= hot_ratio < PREHEATED_TARGET
            met["crowd"] &= crowd_ratio <= CROWD_TARGET
        print(
            f"{page:<36} {r['first']:>6.2f}s {r['cold']:>6.2f}s {cold_ratio:>6.2f}x "
            f"{r['hot']:>7.2f}s {hot_ratio:>6.2f}x {r['crowd']:>8.2f}s {crowd_ratio:>5.2f}x"
        )
    cores = os.cpu_count() or 1
    print(
        f"\nCPU per cold load (server: Voilà and the page's kernel; browser: Chromium), and the\n"
        f"time four such loads' CPU takes on this machine's {cores} cores (roughly what four at\n"
        f"once ask of it when the browsers run here too; some of it comes after ready):"
    )
    print(f"{'page':<36} {'server':>7} {'browser':>8} {'4 loads ÷ cores':>16} {'÷cold':>6}")
    bounds = {}
    for page, r in rows.items():
        least = 4 * (r["server cpu"] + r["browser cpu"]) / cores
        bounds[page] = least / r["cold"]
        print(
            f"{page:<36} {r['server cpu']:>6.2f}s {r['browser cpu']:>7.2f}s "
            f"{least:>15.2f}s {bounds[page]:>5.2f}x"
        )
    if bounds[FLOOR] > CROWD_TARGET:
        print(
            f"Four loads of even the floor page take about {bounds[FLOOR]:.1f}x a single cold "
            f"load's time\nin CPU on these cores, most of it the browsers': the four-at-once "
            f"target cannot be\nshown with the browsers on this machine; it needs them on other "
            f"machines, or more cores."
        )
    verdict = {key: "met" if ok else "NOT met" for key, ok in met.items()}
    print(
        f"\nTargets: cold within {COLD_TARGET}x the cold floor: {verdict['cold']}; preheated "
        f"below {PREHEATED_TARGET}x the cold floor: {verdict['hot']}; slowest of four within "
        f"{CROWD_TARGET}x a cold load: {verdict['crowd']}."
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
