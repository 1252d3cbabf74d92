"""Take a screenshot of every app, served by Voilà with a fresh demo cohort, in headless Chromium.

    .venv/bin/python docs/screenshots.py            # writes docs/screenshots/<app>.png
    .venv/bin/python docs/screenshots.py my_data    # only the pages named (notebook stems)

Needs Chromium (Debian's `chromium` at /usr/bin/chromium, or set CHROMIUM) and the `playwright`
package; no browser download is needed.
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

from playwright.sync_api import sync_playwright

HERE = Path(__file__).resolve().parent
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
# A closed network refuses Chromium's background connections; these flags stop it trying.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


#: What to choose in each app before the screenshot: the first real option of each dropdown.
CHOOSE = {
    "first_session_agreement": ("Partnership", "I am"),
    "session_prep": ("I am",),
    "lifestyle_satisfaction_index": ("I am",),
    "personal_change_plan": ("I am",),
    "session_log": ("I am",),
    "my_progress": ("I am",),
    "my_data": ("I am",),
    # The demo's conversation that ended in an agreement (the page opens on a new one).
    "courageous_conversation": ("Conversation",),
}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


#: True once no chart waits to be drawn (the page draws each as it comes near the screen).
DRAWN = (
    "() => ![...document.querySelectorAll('button.peercoach-draw')]"
    ".some(b => b.offsetParent !== null)"
)


def _fit_window(page) -> None:
    height = page.evaluate(
        "Math.max(...[...document.querySelectorAll('*')].map(e => e.scrollHeight))"
    )
    page.set_viewport_size({"width": 1200, "height": min(height + 40, 6000)})


def _wait_for(port: int, process: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("the server exited before it listened")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.2)
    raise TimeoutError(f"nothing listened on port {port} within {seconds} s")


def main(names: list[str] | None = None) -> int:
    from peercoach_lib import demo
    from peercoach_lib.apps import registry
    from peercoach_lib.config import notebooks_dir
    from peercoach_lib.model import Conversation
    from peercoach_lib.store import Store

    pages = {"home": "index.ipynb"} | {
        Path(app.notebook).stem: app.notebook for app in registry.available(notebooks_dir())
    }
    if names:
        unknown = sorted(set(names) - set(pages))
        if unknown:
            print(f"no such page: {', '.join(unknown)} (choose from {', '.join(pages)})")
            return 2
        pages = {name: notebook for name, notebook in pages.items() if name in names}
    out = HERE / "screenshots"
    out.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/screenshots.sqlite"
        with Store(url) as store:
            demo.generate(store, pairs=12, weeks=16, seed=1, as_of=dt.date.today())
            agreed = next(c for c in store.find(Conversation) if c.outcome is not None)
        # Pages that open on a person and partnership (their URL carries them, as links do).
        query = {
            "courageous_conversation": f"?person={agreed.person_id}"
            f"&partnership={agreed.partnership_id}",
        }
        port = _free_port()
        env = {**os.environ, "PEERCOACH_DB": url}
        server = subprocess.Popen(
            [sys.executable, "-m", "peercoach_lib.cli", "serve", "--port", str(port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            _wait_for(port, server)
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                page = browser.new_page(viewport={"width": 1200, "height": 900})
                for name, notebook in pages.items():
                    # Generous: the first page waits while the server preheats its kernels.
                    page.goto(
                        f"http://127.0.0.1:{port}/voila/render/{notebook}{query.get(name, '')}",
                        timeout=90_000,
                    )
                    # Widgets are drawn by JavaScript after the page loads.
                    page.wait_for_selector(".widget-html, .widget-vbox", timeout=60_000)
                    page.wait_for_timeout(500)
                    # Choose as a person would, so the picture shows the app in use.
                    for label in CHOOSE.get(name, ()):
                        page.get_by_label(label, exact=True).first.select_option(index=1)
                        page.wait_for_timeout(1500)
                    # Voilà scrolls inside the page: size the window to the content instead.
                    # With the whole page on screen its charts are drawn, which makes it taller.
                    _fit_window(page)
                    page.wait_for_function(DRAWN, timeout=60_000)
                    page.wait_for_timeout(300)
                    _fit_window(page)
                    page.wait_for_timeout(300)
                    target = out / f"{name}.png"
                    page.screenshot(path=str(target), full_page=True)
                    print(f"wrote {target.relative_to(HERE.parent)}")
                    page.set_viewport_size({"width": 1200, "height": 900})
                browser.close()
        finally:
            server.terminate()
            server.wait(timeout=15)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
