"""Serve the notebooks as apps with Voilà, with the home notebook as the landing page."""

from __future__ import annotations

import os
from pathlib import Path

from tornado.web import RedirectHandler
from voila.app import Voila

from peercoach_lib.config import DB_VARIABLE, database_url, notebooks_dir

HOME = "index.ipynb"


class WorkbookVoila(Voila):
    """Voilà serving the workbook's folder of notebooks.

    ``/`` and the folder listing redirect to the home notebook: people land on the workbook,
    not on a list of files.
    """

    name = "peercoach"

    def init_handlers(self) -> list:
        from jupyter_server.utils import url_path_join

        home = url_path_join(self.server_url, "voila/render", HOME)
        redirects = [
            (url_path_join(self.server_url, r"/?"), RedirectHandler, {"url": home}),
            (url_path_join(self.server_url, r"/voila/tree(/.*)?"), RedirectHandler, {"url": home}),
        ]
        return redirects + super().init_handlers()


def voila_argv(host: str, port: int, notebooks: Path, *, debug: bool = False) -> list[str]:
    argv = [
        str(notebooks),
        "--no-browser",
        f"--Voila.ip={host}",
        f"--port={port}",
        "--VoilaConfiguration.strip_sources=True",
        f"--VoilaConfiguration.show_tracebacks={debug}",
    ]
    if debug:
        argv.append("--debug")
    return argv


def serve(host: str = "127.0.0.1", port: int = 8866, *, debug: bool = False) -> None:
    """Serve the apps until interrupted."""
    # Kernels start in the notebooks' folder: hand them the database as an absolute URL.
    os.environ[DB_VARIABLE] = database_url()
    WorkbookVoila.launch_instance(argv=voila_argv(host, port, notebooks_dir(), debug=debug))
