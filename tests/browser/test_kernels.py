"""Closed pages give their kernels back: after every page is loaded and closed, only the preheated
pool is left."""

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


def test_every_page_loaded_and_closed_leaves_no_more_kernels_than_the_pool(workbook, visit):
    # Each page once: a page that kept its kernel after closing would leave one more than the
    # pool, since its preheated kernel is replaced as soon as a visitor takes it.
    pool = POOL_SIZE * len(PAGES)
    for url in PAGES:
        page = visit(workbook.url(url))
        page.assert_clean()
        page.close()
    deadline = time.monotonic() + 60
    while len(kernels(workbook)) > pool and time.monotonic() < deadline:
        time.sleep(1)
    alive = len(kernels(workbook))
    assert alive <= pool, f"{alive} kernels alive after {len(PAGES)} closed pages; pool: {pool}"
    # The pool is still there, refilled: the next page opens on a preheated kernel.
    deadline = time.monotonic() + 60
    while len(kernels(workbook)) < pool and time.monotonic() < deadline:
        time.sleep(1)
    assert len(kernels(workbook)) == pool
