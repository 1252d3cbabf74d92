"""The served workbook: `peercoach serve` lands on the home notebook, rendered without errors."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import psutil
import pytest

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@pytest.fixture(scope="module")
def server():
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "peercoach_lib.cli", "serve", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=os.environ.copy(),
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                break
        except OSError:
            if process.poll() is not None:
                pytest.fail(f"server exited: {process.stdout.read()}")
            time.sleep(0.2)
    else:
        process.kill()
        pytest.fail("server did not start within 60 s")
    yield base
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()


def test_the_root_redirects_to_the_home_notebook(server):
    opener = urllib.request.build_opener(_NoRedirect)
    for path in ("/", "/voila/tree", "/voila/tree/"):
        with pytest.raises(urllib.error.HTTPError) as caught:
            opener.open(server + path, timeout=30)
        assert caught.value.code in (301, 302), path
        assert caught.value.headers["Location"].endswith("/voila/render/index.ipynb")


def test_the_home_notebook_renders_without_errors(server):
    with urllib.request.urlopen(server + "/voila/render/index.ipynb", timeout=120) as response:
        assert response.status == 200
        page = response.read().decode()
    assert "your peer-coaching workbook" in page
    # A failing cell still returns 200: look for Voilà's error output and tracebacks.
    for sign in (
        "Traceback",
        'jp-OutputArea-output jp-RenderedText" data-mime-type="application/vnd.jupyter.stderr',
        "There was an error when executing cell",
    ):
        assert sign not in page
    assert "build_home()" not in page  # sources are stripped


def test_the_server_listens_on_loopback_only(server):
    port = int(server.rsplit(":", 1)[1])
    listening = [
        c.laddr.ip
        for c in psutil.net_connections(kind="inet")
        if c.status == psutil.CONN_LISTEN and c.laddr.port == port
    ]
    assert listening and set(listening) <= {"127.0.0.1"}
