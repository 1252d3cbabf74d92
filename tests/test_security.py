"""The served apps keep the data private: no file route reaches data/, and no browser can make
a kernel run code of its choosing."""

from __future__ import annotations

import asyncio
import concurrent.futures
import json
import re
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest
from tornado.websocket import websocket_connect

from peercoach_lib.config import repository_root
from peercoach_lib.serve import ALLOWED_FROM_BROWSER, message_type

pytestmark = pytest.mark.slow

ROUTES = [
    "/voila/files/../data/peercoach.sqlite",
    "/voila/files/%2e%2e/data/peercoach.sqlite",
    "/voila/files/..%2fdata%2fpeercoach.sqlite",
    "/voila/files/question_deck.json",
    "/voila/files/index.ipynb",
    "/voila/static/../../data/peercoach.sqlite",
    "/voila/static/%2e%2e/%2e%2e/data/peercoach.sqlite",
    "/voila/templates/../data/peercoach.sqlite",
    "/voila/render/../data/peercoach.sqlite",
    "/voila/render/%2e%2e/data/peercoach.sqlite",
    "/voila/render/..%2f..%2fpyproject.toml",
    "/voila/tree/../data",
    "/voila/api/contents/../data/peercoach.sqlite",
    "/voila/api/contents/",
    "/voila/api/contents/index.ipynb",
    "/voila/api/contents/cohort_dashboard.ipynb?content=1",
    "/data/peercoach.sqlite",
    "/files/data/peercoach.sqlite",
    "/api/contents/data/peercoach.sqlite",
    "/voila/labextensions/../../../data/peercoach.sqlite",
    "/peercoach/fontawesome/css/../../../../../data/peercoach.sqlite",
    "/peercoach/fontawesome/css/..%2f..%2f..%2f__init__.py",
    "/peercoach/fontawesome/css/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/data/peercoach.sqlite",
    "/peercoach/fontawesome/LICENSE.txt",
    "/peercoach/fontawesome/svgs/solid/user.svg",
    "/voila/query/../data/peercoach.sqlite",
]


def _status(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=60) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


@pytest.mark.parametrize("route", ROUTES)
def test_no_route_serves_the_database_or_files_beside_the_notebooks(server, route):
    status, body = _status(server + route)
    assert b"SQLite format 3" not in body
    assert b"peercoach-question-deck" not in body
    assert b"build_home" not in body and b"build_cohort_app" not in body  # no notebook source
    assert status in (403, 404) or (status == 200 and b"your peer-coaching workbook" in body), (
        route,
        status,
    )


def test_the_database_is_where_those_routes_would_have_found_it():
    """The routes above are refused, not merely pointed at nothing."""
    assert (Path(repository_root()) / "data").is_dir()


def _kernel_id(server: str) -> str:
    with urllib.request.urlopen(server + "/voila/render/index.ipynb", timeout=120) as response:
        page = response.read().decode()
    match = re.search(r'kernelId["\']?\s*[:=]\s*["\']([0-9a-f-]{36})', page)
    assert match, "no kernel id in the page"
    return match.group(1)


def _message(kind: str, content: dict) -> str:
    return json.dumps(
        {
            "header": {
                "msg_id": uuid.uuid4().hex,
                "msg_type": kind,
                "session": uuid.uuid4().hex,
                "username": "browser",
                "date": "2026-11-23T00:00:00Z",
                "version": "5.3",
            },
            "parent_header": {},
            "metadata": {},
            "content": content,
            "channel": "shell",
            "buffers": [],
        }
    )


async def _talk(url: str, marker: Path) -> list[str]:
    connection = await websocket_connect(url)
    code = f"open({str(marker)!r}, 'w').write('ran')"
    connection.write_message(
        _message(
            "execute_request",
            {
                "code": code,
                "silent": False,
                "store_history": False,
                "user_expressions": {},
                "allow_stdin": False,
                "stop_on_error": True,
            },
        )
    )
    connection.write_message(_message("kernel_info_request", {}))
    seen: list[str] = []
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 20
    while loop.time() < deadline:
        try:
            raw = await asyncio.wait_for(connection.read_message(), timeout=2)
        except TimeoutError:
            if "kernel_info_reply" in seen:
                break
            continue
        if raw is None:
            break
        if isinstance(raw, str):
            seen.append(json.loads(raw)["header"]["msg_type"])
        else:
            seen.append(message_type(raw) or "binary")
    connection.close()
    return seen


def test_a_browser_cannot_make_its_kernel_run_code(server, tmp_path):
    marker = tmp_path / "ran.txt"
    kernel = _kernel_id(server)
    url = server.replace("http://", "ws://") + f"/api/kernels/{kernel}/channels"
    # In a thread of its own: the browser tests' Playwright keeps an event loop running here.
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        seen = pool.submit(asyncio.run, _talk(url, marker)).result()
    assert "kernel_info_reply" in seen  # the socket works: what is allowed gets an answer
    assert "execute_reply" not in seen and "execute_result" not in seen
    assert not marker.exists()


def test_the_allowed_messages_are_widget_traffic_only():
    assert "execute_request" not in ALLOWED_FROM_BROWSER
    assert {"comm_msg", "comm_open"} <= ALLOWED_FROM_BROWSER
    assert message_type('{"header": {"msg_type": "comm_msg"}}') == "comm_msg"
    assert message_type("not json") is None
    assert message_type(b"\x00" * 8) is None
