"""The served workbook: `peercoach serve` lands on the home notebook, rendered without errors."""

from __future__ import annotations

import urllib.error
import urllib.request

import psutil
import pytest

pytestmark = pytest.mark.slow


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


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
