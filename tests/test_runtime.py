"""Apps as served pages: they wait for their visitor, and a failure is told to the person in
plain words while its traceback goes to the server's log."""

from __future__ import annotations

import ast
import json
import logging
import os
import re
import subprocess
import sys
import threading
import time
import types
from pathlib import Path

import ipywidgets as widgets
import pytest

import peercoach_lib.apps
from peercoach_lib.apps import context, registry, runtime
from peercoach_lib.config import notebooks_dir
from peercoach_lib.forget import forget_person
from peercoach_lib.serve import JUPYTER_DATA, TEMPLATE


@pytest.fixture
def served(monkeypatch):
    monkeypatch.setenv("SERVER_SOFTWARE", "voila/0.5.13")
    monkeypatch.setenv("SCRIPT_NAME", "/voila/render/some_app.ipynb")
    yield
    monkeypatch.setattr(runtime, "_page", None)


class Broken(widgets.VBox):
    def __init__(self):
        raise KeyError("no such thing")


class WithButton(widgets.VBox):
    def __init__(self):
        self.button = widgets.Button(description="Go")
        self.button.on_click(runtime.guarded(self._go))
        super().__init__([self.button])

    def _go(self, _button):
        return {}["missing"]


def _reference(page: runtime.Page) -> str:
    match = re.search(r"<strong>([0-9a-f]{8})</strong>", page.notice.value)
    assert match, page.notice.value
    return match.group(1)


def test_outside_a_served_page_a_failure_to_build_raises():
    with pytest.raises(KeyError):
        runtime.launch(Broken)


def test_outside_a_served_page_the_app_is_returned_as_built():
    app = runtime.launch(WithButton)
    assert isinstance(app, WithButton)


def test_a_page_that_fails_to_build_says_so_and_logs_the_traceback(served, caplog):
    with caplog.at_level(logging.ERROR, logger="peercoach.apps"):
        page = runtime.launch(Broken)
    assert isinstance(page, runtime.Page) and page.app is None
    assert "could not be opened" in page.notice.value
    assert "Traceback" not in page.notice.value and "KeyError" not in page.notice.value
    reference = _reference(page)
    (record,) = caplog.records
    assert reference in record.getMessage() and "some_app.ipynb" in record.getMessage()
    assert record.exc_info and record.exc_info[0] is KeyError


def test_a_failing_callback_says_so_and_logs_the_traceback(served, caplog):
    page = runtime.launch(WithButton)
    assert page.notice.value == ""
    with caplog.at_level(logging.ERROR, logger="peercoach.apps"):
        page.app.button.click()
    assert "nothing you saved earlier is lost" in page.notice.value
    reference = _reference(page)
    (record,) = caplog.records
    assert reference in record.getMessage() and "WithButton._go" in record.getMessage()
    assert record.exc_info[0] is KeyError


def test_outside_a_served_page_a_failing_callback_raises():
    app = runtime.launch(WithButton)
    with pytest.raises(KeyError):
        runtime.guarded(app._go)(None)


def test_a_page_that_takes_too_long_to_build_is_stopped(served, monkeypatch, caplog):
    monkeypatch.setenv(runtime.TIMEOUT_VARIABLE, "0.2")

    class Slow(widgets.VBox):
        def __init__(self):
            time.sleep(5)

    started = time.monotonic()
    with caplog.at_level(logging.ERROR, logger="peercoach.apps"):
        page = runtime.launch(Slow)
    assert time.monotonic() - started < 4
    assert "could not be opened" in page.notice.value
    assert caplog.records[0].exc_info[0] is runtime.PageTimeout


def test_a_kernel_that_is_not_preheated_does_not_wait(monkeypatch):
    monkeypatch.setattr(context, "_visitor_arrived", False)
    monkeypatch.setenv("VOILA_PREHEAT", "False")
    calls = []
    monkeypatch.setattr("voila.utils.wait_for_request", lambda: calls.append(1))
    context.await_visitor()
    assert calls == []


def test_a_preheated_kernel_waits_for_its_visitor_once_before_reading_the_url(monkeypatch):
    monkeypatch.setattr(context, "_visitor_arrived", False)
    monkeypatch.setenv("VOILA_PREHEAT", "True")
    monkeypatch.delenv("QUERY_STRING", raising=False)

    def arrive():
        monkeypatch.setenv("QUERY_STRING", "person=7")

    calls = []
    monkeypatch.setattr("voila.utils.wait_for_request", lambda: (calls.append(1), arrive()))
    assert context.int_param("person") == 7
    assert context.int_param("person") == 7
    assert calls == [1]


def _callback_registrations(tree: ast.AST):
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in {"on_click", "observe", "on_submit"}
            and node.args
            # (A widget's own trait handler, ``@traitlets.observe("value")``, is no callback.)
            and not (isinstance(node.func.value, ast.Name) and node.func.value.id == "traitlets")
        ):
            yield node


def test_every_widget_callback_of_every_app_is_guarded():
    apps = Path(peercoach_lib.apps.__file__).parent
    seen = 0
    for path in sorted(apps.glob("*.py")):
        for call in _callback_registrations(ast.parse(path.read_text())):
            seen += 1
            wrapped = call.args[0]
            assert (
                isinstance(wrapped, ast.Call)
                and isinstance(wrapped.func, ast.Attribute)
                and wrapped.func.attr in ("guarded", "settled")
            ), f"{path.name}:{call.lineno}: wrap the callback in runtime.guarded (or settled)"
    assert seen > 40


def _in_a_loop_of_its_own(coroutine_function) -> None:
    """Run an async test body on a Tornado loop in a thread of its own (the browser tests
    leave an event loop in the main thread)."""
    import asyncio

    from tornado.ioloop import IOLoop

    def run() -> None:
        loop = asyncio.new_event_loop()
        try:
            asyncio.set_event_loop(loop)
            IOLoop.current().run_sync(coroutine_function)
        finally:
            loop.close()

    worker = threading.Thread(target=run)
    worker.start()
    worker.join(timeout=20)
    assert not worker.is_alive()


def test_a_save_waits_on_a_served_page_for_the_changes_sent_before_its_click(served):
    import asyncio

    seen = []
    slider = widgets.IntSlider(value=0)

    async def click_then_change():
        save = runtime.settled(lambda _button: seen.append(slider.value))
        save(None)  # the click arrives first...
        slider.value = 8  # ...then the slider's held-back move
        assert seen == []
        await asyncio.sleep(runtime.SETTLE_SECONDS + 0.2)

    _in_a_loop_of_its_own(click_then_change)
    assert seen == [8]


def test_a_save_waits_while_held_back_changes_keep_arriving_on_a_busy_page(served):
    import asyncio

    seen = []
    slider = widgets.IntSlider(value=0)
    step = runtime.SETTLE_SECONDS * 0.7

    async def click_then_slow_changes():
        runtime.settled(lambda _button: seen.append(slider.value))(None)
        # A busy kernel takes each held-back move a while after the one before: the last
        # comes well after a fixed wait from the click would have run the save.
        for value in (3, 6, 9):
            await asyncio.sleep(step)
            runtime.note_arrival()
            slider.value = value
        assert seen == []
        await asyncio.sleep(runtime.SETTLE_SECONDS + 0.3)

    _in_a_loop_of_its_own(click_then_slow_changes)
    assert seen == [9]


def test_a_save_on_a_page_that_never_goes_quiet_runs_by_the_limit(served, monkeypatch):
    import asyncio
    import time

    monkeypatch.setattr(runtime, "SETTLE_LIMIT_SECONDS", 1.0)
    seen = []

    async def click_amid_chatter():
        runtime.settled(lambda _button: seen.append(time.monotonic()))(None)
        clicked = time.monotonic()
        while not seen and time.monotonic() - clicked < 3:
            runtime.note_arrival()
            await asyncio.sleep(0.05)
        assert seen and 0.9 <= seen[0] - clicked <= 2.0, (seen, clicked)

    _in_a_loop_of_its_own(click_amid_chatter)
    assert len(seen) == 1


def test_the_kernel_notes_when_each_widget_message_arrives():
    handled = []

    kernel = types.SimpleNamespace(
        shell_handlers={"comm_msg": lambda *args: handled.append(args) or "reply"}
    )
    assert runtime.clock_arrivals(kernel)
    clocked = kernel.shell_handlers["comm_msg"]
    assert runtime.clock_arrivals(kernel)  # once only
    assert kernel.shell_handlers["comm_msg"] is clocked
    before = runtime._last_arrival
    assert clocked("stream", "idents", "msg") == "reply"
    assert handled == [("stream", "idents", "msg")]
    assert runtime._last_arrival > before
    assert not runtime.clock_arrivals(object())  # nothing to clock


def test_outside_a_served_page_a_save_runs_at_once():
    seen = []
    runtime.settled(lambda: seen.append("saved"))()
    assert seen == ["saved"]


def test_every_save_button_waits_for_the_changes_sent_before_its_click():
    apps = Path(peercoach_lib.apps.__file__).parent
    saves = [
        f"{path.name}: {ast.unparse(call.args[0])}"
        for path in sorted(apps.glob("*.py"))
        for call in _callback_registrations(ast.parse(path.read_text()))
        if "save" in ast.unparse(call.func).lower() or "_on_save" in ast.unparse(call.args[0])
    ]
    assert saves and all("runtime.settled(" in s for s in saves), saves


def test_every_notebook_has_a_title_naming_its_app():
    titles = {app.notebook: app.title for app in registry.APPS}
    for path in notebooks_dir().glob("*.ipynb"):
        title = json.loads(path.read_text())["metadata"]["title"]
        if path.name == "index.ipynb":
            assert title.startswith("peercoach")
        else:
            assert title == f"{titles[path.name]} · peercoach"


def test_the_templates_navigation_lists_home_and_every_app_in_order():
    template = (JUPYTER_DATA / "voila" / "templates" / TEMPLATE / "index.html.j2").read_text()
    listed = re.findall(r'\("([a-z_]+\.ipynb)", "[^"]+"\)', template)
    assert listed == ["index.ipynb", *(app.notebook for app in registry.APPS)]
    assert (
        json.loads((JUPYTER_DATA / "voila" / "templates" / TEMPLATE / "conf.json").read_text())[
            "base_template"
        ]
        == "lab"
    )


_PREPARE = """
import sys
from peercoach_lib.apps import runtime
runtime.prepare_charts()
print("matplotlib" in sys.modules)
"""


@pytest.mark.parametrize(("preheat", "loaded"), [("True", "True"), ("", "False")])
def test_a_preheated_kernel_loads_the_charts_before_its_visitor_comes(preheat, loaded):
    env = {**os.environ, "VOILA_PREHEAT": preheat}
    out = subprocess.run(
        [sys.executable, "-c", _PREPARE], env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == loaded


def test_a_link_naming_what_the_workbook_does_not_hold_is_told(served, store, pair, monkeypatch):
    alice = pair["alice"]
    monkeypatch.setattr(context, "_visitor_arrived", True)

    class WithStore(widgets.VBox):
        def __init__(self):
            self.store = store
            super().__init__()

    monkeypatch.setenv("QUERY_STRING", f"person={alice.id}&partnership=9999&cohort=abc")
    page = runtime.launch(WithStore)
    assert "names partnership 9999 and cohort abc, which this workbook does not hold" in (
        page.url_note.value
    )
    assert page.notice.value == ""  # not a failure
    monkeypatch.setenv("QUERY_STRING", f"person={alice.id}")
    assert runtime.launch(WithStore).url_note.value == ""
    environ = {"QUERY_STRING": "person=-1"}
    assert context.unknown_in_url(store, environ) == ["person -1"]
    forget_person(store, alice.id)
    assert context.unknown_in_url(store, {"QUERY_STRING": f"person={alice.id}"}) == [
        f"person {alice.id} (deleted from the workbook)"
    ]


def test_on_a_served_page_what_waits_for_each_widget_message_runs_after_it(served, monkeypatch):
    handled = []
    kernel = types.SimpleNamespace(shell_handlers={"comm_msg": lambda *args: handled.append(1)})
    monkeypatch.setattr(runtime, "_this_kernel", lambda: kernel)
    monkeypatch.setattr(runtime, "_after_messages", [])

    class Form:
        def __init__(self):
            self.seen = []

        def refresh(self):
            self.seen.append(len(handled))  # after the message was handled

    def failing() -> None:
        raise RuntimeError("a failing one is logged, and the others go on")

    form = Form()
    runtime.after_each_message(form.refresh)
    runtime.after_each_message(failing)
    kernel.shell_handlers["comm_msg"]("stream", "idents", "msg")
    assert form.seen == [1]
    assert len(runtime._after_messages) == 2
    del form  # held weakly: it goes with its form
    kernel.shell_handlers["comm_msg"]("stream", "idents", "msg")
    assert len(runtime._after_messages) == 1


def test_outside_a_served_page_nothing_waits_for_widget_messages(monkeypatch):
    monkeypatch.setattr(runtime, "_after_messages", [])
    runtime.after_each_message(lambda: None)
    assert runtime._after_messages == []
