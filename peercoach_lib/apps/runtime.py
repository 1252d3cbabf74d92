"""How an app runs as a served page: it waits for its visitor, and it fails politely.

Every notebook's one call goes through :func:`launch`, and every widget callback through
:func:`guarded`:

- In a preheated kernel, :func:`launch` first waits for the page request
  (:func:`context.await_visitor`), so the app reads data as it is when the page opens, not as
  it was when the kernel started.
- Building the page may take at most ``PEERCOACH_CELL_TIMEOUT`` seconds once the visitor is
  there (the server sets it; Voilà's own cell timeout cannot apply to a kernel that waits for
  its visitor).
- When building the app or one of its callbacks raises, the person sees a plain message in the
  page, with a short reference, and the full traceback goes to the server's log under the same
  reference. Outside a served page (a test, a notebook in JupyterLab) a failure to build raises
  as usual.
"""

from __future__ import annotations

import functools
import html
import inspect
import logging
import os
import secrets
import signal
import sys
import threading
import time
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import ipywidgets as widgets

from peercoach_lib.apps import context

log = logging.getLogger("peercoach.apps")

#: Seconds a page may take to build once its visitor has arrived (set by ``peercoach serve``).
TIMEOUT_VARIABLE = "PEERCOACH_CELL_TIMEOUT"

_page: Page | None = None


def charts():
    """The chart module, imported on first use: matplotlib loads when an app first draws a
    chart (after its page is up), not while the app opens."""
    from peercoach_lib import charts as module

    return module


def prepare_charts() -> None:
    """In a preheated kernel still waiting for its page, load the chart module and draw one
    throwaway figure, so that the page's visitor does not wait for matplotlib to load (about
    0.6 s). Anywhere else (a kernel started for its page, a test) it does nothing: charts load
    when first drawn."""
    if not context.preheating():
        return
    import io

    module = charts()
    figure = module.Figure(figsize=(1, 1), layout="constrained")
    axes = figure.add_subplot()
    axes.plot([0, 1], [0, 1])
    axes.set_title("warm-up")
    figure.savefig(io.BytesIO(), format="png")


def served() -> bool:
    """Whether this kernel runs a page that Voilà serves (it says so in ``SERVER_SOFTWARE``)."""
    return os.environ.get("SERVER_SOFTWARE", "").startswith("voila/")


class Page(widgets.VBox):
    """An app as a page: a line for what went wrong, above the app itself."""

    def __init__(self, app: widgets.Widget | None):
        self.app = app
        self.notice = widgets.HTML()
        self.notice.add_class("peercoach-failure-line")
        self.url_note = widgets.HTML()
        super().__init__([self.notice] if app is None else [self.notice, self.url_note, app])
        self.add_class("peercoach-page")

    def show_failure(self, reference: str, *, opening: bool = False) -> None:
        self.notice.value = failure_html(reference, opening=opening)

    def show_unknown(self, unknown: list[str]) -> None:
        """Say that the link named what this workbook does not hold (see
        :func:`context.unknown_in_url`)."""
        from peercoach_lib.apps.forms import notice

        if not unknown:
            self.url_note.value = ""
            return
        self.url_note.value = notice(
            "info",
            f"The link you followed names {html.escape(' and '.join(unknown))}, which this "
            "workbook does not hold; choose below instead.",
        )


def failure_html(reference: str, *, opening: bool = False) -> str:
    if opening:
        what = (
            "This page could not be opened because of a fault in the workbook. Nothing you "
            "saved earlier is lost."
        )
    else:
        what = (
            "Something went wrong just now, because of a fault in the workbook, not anything "
            "you did. What you typed is still on the page, and nothing you saved earlier is lost."
        )
    from peercoach_lib.apps.forms import notice

    return notice(
        "error",
        f'<span class="peercoach-failure">{html.escape(what)} If it happens again, tell whoever '
        f"runs this workbook and give them the reference <strong>{html.escape(reference)}"
        "</strong>.</span>",
    )


def _server_log() -> None:
    """Send the apps' log records to the kernel's own stderr, which is the server's log."""
    if not any(getattr(h, "_peercoach", False) for h in log.handlers):
        handler = logging.StreamHandler(sys.__stderr__)
        handler.setFormatter(logging.Formatter("[peercoach %(levelname)s %(asctime)s] %(message)s"))
        handler._peercoach = True  # type: ignore[attr-defined]
        log.addHandler(handler)
        log.setLevel(logging.INFO)


class PageTimeout(Exception):
    """Building a page took longer than the server allows."""


@contextmanager
def time_limit(seconds: float | None) -> Iterator[None]:
    """Raise :class:`PageTimeout` in this (main) thread when the block runs over ``seconds``."""
    usable = (
        seconds
        and seconds > 0
        and hasattr(signal, "SIGALRM")
        and threading.current_thread() is threading.main_thread()
    )
    if not usable:
        yield
        return

    def over(_signum, _frame):
        raise PageTimeout(f"the page took longer than {seconds:g} s to build")

    previous = signal.signal(signal.SIGALRM, over)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _timeout() -> float | None:
    try:
        return float(os.environ.get(TIMEOUT_VARIABLE, ""))
    except ValueError:
        return None


def report(doing: str) -> str:
    """Log the exception being handled with a fresh reference, and return the reference."""
    reference = secrets.token_hex(4)
    page = os.environ.get("SCRIPT_NAME", "")
    log.error("Failure %s while %s (page %s)", reference, doing, page or "?", exc_info=True)
    return reference


def launch(factory: Callable[..., widgets.Widget], *args: Any, **kwargs: Any) -> widgets.Widget:
    """Build an app as the page shows it, once the page's visitor has arrived."""
    global _page
    context.await_visitor()
    if not served():
        _page = None
        return factory(*args, **kwargs)
    _server_log()
    try:
        with time_limit(_timeout()):
            app = factory(*args, **kwargs)
    except Exception:
        _page = Page(None)
        _page.show_failure(report(f"opening {factory.__name__}"), opening=True)
        return _page
    _page = Page(app)
    store = getattr(app, "store", None)
    if store is not None:
        try:
            _page.show_unknown(context.unknown_in_url(store))
        except Exception:
            report("checking the link's context")  # the page itself is fine: show it
    return _page


def guarded(callback: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap a widget callback: on a served page, a failure is logged and told, not lost.

    Outside a served page the exception propagates, as it would unwrapped.
    """

    @functools.wraps(callback)
    def run(*args: Any, **kwargs: Any) -> Any:
        try:
            return callback(*args, **kwargs)
        except Exception:
            if _page is None:
                raise
            name = getattr(callback, "__qualname__", repr(callback))
            _page.show_failure(report(f"handling {name}"))
            return None

    return run


#: A save, on a served page, runs once no change has come from the browser for this long...
SETTLE_SECONDS = 0.3
#: ...or this long after its click at the latest, however busy the page.
SETTLE_LIMIT_SECONDS = 5.0

#: When the kernel last received a widget message from the browser (``time.monotonic``).
_last_arrival = 0.0

#: What to call after each widget message from the browser (see :func:`after_each_message`).
_after_messages: list[weakref.ref] = []


def note_arrival() -> None:
    """Mark that a widget message from the browser has arrived (or been handled) just now."""
    global _last_arrival
    _last_arrival = time.monotonic()


def clock_arrivals(kernel: Any) -> bool:
    """Have ``kernel`` note the time of every widget message it receives, as it starts and as
    it ends handling it (see :func:`settled`). Done once per kernel; returns whether the kernel
    is clocked (a kernel without the usual shell handlers is not)."""
    handlers = getattr(kernel, "shell_handlers", None)
    handle = handlers.get("comm_msg") if isinstance(handlers, dict) else None
    if handle is None:
        return False
    if getattr(handle, "peercoach_clocked", False):
        return True

    @functools.wraps(handle)
    def clocked(*args: Any, **kwargs: Any) -> Any:
        note_arrival()
        try:
            return handle(*args, **kwargs)
        finally:
            note_arrival()
            _run_after_messages()

    clocked.peercoach_clocked = True  # type: ignore[attr-defined]
    handlers["comm_msg"] = clocked
    return True


def after_each_message(callback: Callable[[], None]) -> None:
    """On a served page, call ``callback`` each time the kernel has handled a widget message
    from the browser (a change, a click); elsewhere, never. The callback is held weakly: it
    stops with the object it belongs to."""
    if not served() or not clock_arrivals(_this_kernel()):
        return
    held = weakref.WeakMethod(callback) if inspect.ismethod(callback) else weakref.ref(callback)
    _after_messages.append(held)


def _run_after_messages() -> None:
    for held in list(_after_messages):
        callback = held()
        if callback is None:
            _after_messages.remove(held)
            continue
        try:
            callback()
        except Exception:
            log.exception("after a widget message, %r failed", callback)


def _this_kernel() -> Any:
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython comes with ipykernel
        return None
    return getattr(get_ipython(), "kernel", None)


def settled(callback: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap a save button's callback (as :func:`guarded` does): on a served page it runs once
    the changes the browser sent before the click have arrived.

    ipywidgets sends a widget's changes one at a time: while the kernel is busy with a
    slider's last move, the browser holds the next one back until the kernel is idle, while a
    button's click goes at once and overtakes it (a slider moved with the arrow keys, then Tab
    and Enter, saved the value before). Each held-back change is sent the moment the kernel is
    idle, so the save waits until no widget message has come for :data:`SETTLE_SECONDS`
    (however long the kernel took over the ones before), and at most
    :data:`SETTLE_LIMIT_SECONDS` after the click. Outside a served page the callback runs at
    once.
    """
    run = guarded(callback)
    if not served():
        return run
    clock_arrivals(_this_kernel())

    @functools.wraps(callback)
    def later(*args: Any, **kwargs: Any) -> None:
        from tornado.ioloop import IOLoop

        loop = IOLoop.current()
        clicked = time.monotonic()
        note_arrival()

        def when_quiet() -> None:
            now = time.monotonic()
            quiet_for = now - _last_arrival
            if quiet_for >= SETTLE_SECONDS or now - clicked >= SETTLE_LIMIT_SECONDS:
                run(*args, **kwargs)
            else:
                loop.call_later(SETTLE_SECONDS - quiet_for, when_quiet)

        loop.call_later(SETTLE_SECONDS, when_quiet)

    return later
