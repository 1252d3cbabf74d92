"""The page's context from its URL (``?person=3&partnership=2``), so links keep a person's place.

Voilà hands the query string to the kernel as ``QUERY_STRING`` (a preheated kernel gets it only
when its page is requested: :func:`await_visitor`). Values that are not what they
should be (``?person=abc``) are ignored, never an error.
"""

from __future__ import annotations

import os
import urllib.parse
from collections.abc import Mapping

_visitor_arrived = False


def await_visitor() -> None:
    """In a preheated kernel, block until a page asks for this kernel and its URL is known.

    Voilà starts a few kernels ahead of need and runs each notebook in them; such a kernel
    learns its page's URL (``QUERY_STRING``) only once a request arrives, and learns it from
    ``voila.utils.wait_for_request``. Does nothing in any other kernel, or the second time.
    """
    global _visitor_arrived
    if _visitor_arrived:
        return
    if os.environ.get("VOILA_PREHEAT") == "True":
        from voila.utils import wait_for_request

        wait_for_request()
    _visitor_arrived = True


def url_params(environ: Mapping[str, str] | None = None) -> dict[str, list[str]]:
    if environ is None:
        await_visitor()
        environ = os.environ
    return urllib.parse.parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=False)


def int_param(name: str, environ: Mapping[str, str] | None = None) -> int | None:
    values = url_params(environ).get(name, [])
    try:
        value = int(values[0]) if values else None
    except ValueError:
        return None
    return value if value is not None and value > 0 else None


def list_param(name: str, environ: Mapping[str, str] | None = None) -> list[str]:
    return [v.strip() for v in url_params(environ).get(name, []) if v.strip()]


def link(notebook: str, **params: object) -> str:
    """A relative link to another app, carrying the given context."""
    query = urllib.parse.urlencode(
        [
            (k, v)
            for k, values in params.items()
            if values is not None
            for v in (values if isinstance(values, list | tuple) else [values])
        ]
    )
    return notebook + (f"?{query}" if query else "")
