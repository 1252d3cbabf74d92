"""Closed pages give their kernels back: after many loads, only the preheated pool is left."""

from __future__ import annotations

import time

import psutil

from peercoach_lib.apps.registry import APPS
from peercoach_lib.serve import POOL_SIZE

PAGES = ["index.ipynb", *(app.notebook for app in APPS)]


def kernels(server) -> list[psutil.Process]:
    """The server's kernel processes that are still running.

    A kernel that has just been shut down can linger for a moment as a zombie
    (or vanish between listing and reading): it no longer counts as alive.
    """
    alive = []
    for child in psutil.Process(server.process.pid).children(recursive=True):
        try:
            if child.status() == psutil.STATUS_ZOMBIE:
                continue
            if "ipykernel_launcher" in " ".join(child.cmdline()):
                alive.append(child)
        except (psutil.NoSuchProcess, psutil.ZombieProcess):
            continue
    return alive


def test_twenty_loads_and_closes_leave_no_more_kernels_than_the_pool(workbook, visit):
    pool = POOL_SIZE * len(PAGES)
    for n in range(20):
        page = visit(workbook.url(PAGES[n % len(PAGES)]))
        page.assert_clean()
        page.close()
    deadline = time.monotonic() + 60
    while len(kernels(workbook)) > pool and time.monotonic() < deadline:
        time.sleep(1)
    alive = len(kernels(workbook))
    assert alive <= pool, f"{alive} kernels alive after 20 closed pages; the pool is {pool}"
    # The pool is still there, refilled: the next page opens on a preheated kernel.
    deadline = time.monotonic() + 60
    while len(kernels(workbook)) < pool and time.monotonic() < deadline:
        time.sleep(1)
    assert len(kernels(workbook)) == pool
