"""Serve the notebooks as apps with Voilà: the home notebook as landing page, and safe defaults.

What the configuration does, and why:

- listens on 127.0.0.1:8866 unless told otherwise;
- strips the sources and shows tracebacks only with ``--debug`` (errors go to the server log);
- serves no file beside the notebooks (``data/`` and everything else stay private);
- shuts a kernel down when its tab closes (Voilà's shutdown request otherwise fails its XSRF
  check and the kernel lives on), and culls kernels idle for ten minutes, for browsers that die;
- stops a page that takes more than a minute to build (Voilà's cell timeout when kernels
  start per page; with preheated kernels, which wait for their visitor inside a cell, the
  apps' own limit: :func:`peercoach_lib.apps.runtime.launch`);
- passes on from the browser only the messages widgets need: a page can never ask its kernel to
  run code of its choosing (Voilà itself would pass an ``execute_request`` on);
- keeps one preheated kernel per app ready (``pool_size``), so a page opens without waiting for
  a kernel to start; the apps wait for their page's request before reading anything
  (:func:`peercoach_lib.apps.context.await_visitor`);
- under JupyterHub (``peercoach serve --hub``, started by the hub for one person), listens where
  the hub says, under the person's URL prefix, and lets in that person alone, signed in through
  the hub (:class:`HubOwnerIdentityProvider`);
- renders pages with the workbook's own template (``share/jupyter/voila/templates/peercoach``):
  Voilà's lab template with the icon font served from here instead of a public CDN, the
  workbook's navigation and a ``<main>`` landmark.
"""

from __future__ import annotations

import json
import os
import socket
import sys
import urllib.parse
from pathlib import Path

import fontawesomefree
from tornado.web import HTTPError, RedirectHandler, RequestHandler, StaticFileHandler
from traitlets.config import Config
from voila.app import Voila
from voila.static_file_handler import TemplateStaticFileHandler
from voila.tornado.contentshandler import VoilaContentsHandler
from voila.tornado.kernel_websocket_handler import (
    VoilaKernelWebsocketHandler,
    read_header_from_binary_message,
)

from peercoach_lib.apps.runtime import TIMEOUT_VARIABLE
from peercoach_lib.config import DB_VARIABLE, database_url, describe, notebooks_dir
from peercoach_lib.errors import ConfigurationError

HOME = "index.ipynb"
#: What a page's widgets send their kernel; everything else from a browser is refused.
ALLOWED_FROM_BROWSER = frozenset(
    {
        "comm_open",
        "comm_msg",
        "comm_close",
        "comm_info_request",
        "kernel_info_request",
    }
)
IDLE_KERNEL_SECONDS = 600
CELL_TIMEOUT_SECONDS = 60
POOL_SIZE = 1
TEMPLATE = "peercoach"
#: Where the workbook's Voilà template lives (a Jupyter data directory: voila/templates/…).
JUPYTER_DATA = Path(__file__).parent / "share" / "jupyter"
#: The icon font the template links, from the fontawesomefree package (CSS and web fonts only).
FONTAWESOME = Path(fontawesomefree.__file__).parent / "static" / "fontawesomefree"


def message_type(ws_message: str | bytes) -> str | None:
    """The ``msg_type`` of a kernel message as a browser sends it (JSON text or binary v1)."""
    try:
        header = (
            read_header_from_binary_message(ws_message)
            if isinstance(ws_message, bytes)
            else json.loads(ws_message).get("header")
        )
    except (ValueError, AttributeError, IndexError):
        return None
    return header.get("msg_type") if isinstance(header, dict) else None


class WidgetOnlyWebsocketHandler(VoilaKernelWebsocketHandler):
    """The kernel websocket, passing on only widget traffic from the browser."""

    def on_message(self, ws_message):
        kind = message_type(ws_message)
        if kind not in ALLOWED_FROM_BROWSER:
            self.log.warning(
                "Refused a %r message sent to kernel %s by a browser.",
                kind,
                getattr(self, "kernel_id", "?"),
            )
            return None
        return super().on_message(ws_message)


class TemplateFileHandler(TemplateStaticFileHandler):
    """Voilà's template files; any other path is a plain 404 (Voilà's own answers 500)."""

    def parse_url_path(self, path):
        parts = path.split("/", 2)
        if len(parts) != 3 or parts[1] != "static" or ".." in path.split("/"):
            raise HTTPError(404)
        return super().parse_url_path(path)


class NotHere(RequestHandler):
    """A route the workbook does not offer (Voilà's contents API: it lists the folder and
    hands out notebooks with their sources)."""

    def initialize(self, **_settings) -> None:
        pass

    def prepare(self) -> None:
        raise HTTPError(404)


#: Voilà's handlers we replace with our own.
REPLACED = {
    VoilaKernelWebsocketHandler: WidgetOnlyWebsocketHandler,
    TemplateStaticFileHandler: TemplateFileHandler,
    VoilaContentsHandler: NotHere,
}


class WorkbookVoila(Voila):
    """Voilà serving the workbook's folder of notebooks.

    ``/`` and the folder listing redirect to the home notebook: people land on the workbook,
    not on a list of files.
    """

    name = "peercoach"

    def init_handlers(self) -> list:
        from jupyter_server.utils import url_path_join

        home = url_path_join(self.server_url, "voila/render", HOME)
        # The sign-in handlers (under a hub: the OAuth callback and logout) come unprefixed.
        own = {pattern for pattern, *_ in self.identity_provider.get_handlers()}
        redirects = [
            (url_path_join(self.server_url, r"/?"), RedirectHandler, {"url": home}),
            (url_path_join(self.server_url, r"/voila/tree(/.*)?"), RedirectHandler, {"url": home}),
            (
                url_path_join(self.server_url, r"/peercoach/fontawesome/((?:css|webfonts)/[^/]+)"),
                StaticFileHandler,
                {"path": str(FONTAWESOME)},
            ),
        ]
        handlers = []
        for handler in super().init_handlers():
            if handler[1] in REPLACED:
                handler = (handler[0], REPLACED[handler[1]], *handler[2:])
            if handler[0] in own:
                handler = (url_path_join(self.server_url, handler[0]), *handler[1:])
            handlers.append(handler)
        return redirects + handlers


def voila_config(
    host: str, port: int, *, debug: bool = False, pool_size: int = POOL_SIZE
) -> Config:
    config = Config()
    config.Voila.ip = host
    config.Voila.port = port
    # The port asked for, or none: another port would be one nobody was told about.
    config.Voila.port_retries = 0
    config.Voila.open_browser = False
    config.Voila.tornado_settings = {"disable_check_xsrf": True}
    config.VoilaConfiguration.strip_sources = True
    config.VoilaConfiguration.show_tracebacks = debug
    config.VoilaConfiguration.file_allowlist = []
    config.VoilaConfiguration.template = TEMPLATE
    config.VoilaConfiguration.preheat_kernel = pool_size > 0
    config.VoilaConfiguration.default_pool_size = pool_size
    # A preheated kernel's cell waits for its visitor for as long as it takes: no cell timeout
    # then; the apps stop their own building after CELL_TIMEOUT_SECONDS instead.
    config.VoilaExecutor.timeout = None if pool_size > 0 else CELL_TIMEOUT_SECONDS
    # Kernels talk to the server over local sockets, not TCP ports any local user could reach.
    config.KernelManager.transport = "ipc"
    config.MappingKernelManager.cull_idle_timeout = IDLE_KERNEL_SECONDS
    config.MappingKernelManager.cull_interval = 60
    config.MappingKernelManager.cull_connected = False
    if debug:
        config.Application.log_level = "DEBUG"
    return config


def serve(
    host: str = "127.0.0.1",
    port: int = 8866,
    *,
    debug: bool = False,
    pool_size: int = POOL_SIZE,
    notebooks: Path | None = None,
) -> None:
    """Serve the apps until interrupted.

    Raises :class:`ConfigurationError` before serving when the database cannot be opened.
    """
    check_port(host, port)
    # Kernels start in the notebooks' folder: hand them the database as an absolute URL.
    os.environ[DB_VARIABLE] = check_database()
    os.environ[TIMEOUT_VARIABLE] = str(CELL_TIMEOUT_SECONDS)
    os.environ["JUPYTER_PATH"] = os.pathsep.join(
        p for p in (str(JUPYTER_DATA), os.environ.get("JUPYTER_PATH", "")) if p
    )
    WorkbookVoila.launch_instance(
        argv=[str(notebooks or notebooks_dir())],
        config=voila_config(host, port, debug=debug, pool_size=pool_size),
    )


def check_port(host: str, port: int) -> None:
    """Raise :class:`ConfigurationError` when ``host:port`` cannot be listened on."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise ConfigurationError(
                f"cannot listen on {host}:{port}: {exc.strerror or exc} (is another server "
                "using it? choose another with --port or PEERCOACH_PORT)"
            ) from None


def check_database() -> str:
    """The database's URL, once it is known to open (with its schema brought up to date): a
    server that cannot open it would only say so on every page.

    Says on standard error which workbook is served and what it holds, so that a mistyped
    ``PEERCOACH_DB`` (which makes a new, empty workbook) shows at once.
    """
    from peercoach_lib.store import Store

    url = database_url()
    store = Store(url)
    try:
        print(f"peercoach serve: {workbook_summary(store)}", file=sys.stderr)
    finally:
        store.close()
    return url


def workbook_summary(store) -> str:
    """Which workbook, and what it holds, in a line."""
    where = describe(store.url)
    if store.is_empty():
        return (
            f"{where} is a new, empty workbook (if you meant another, set {DB_VARIABLE}; "
            "`peercoach demo` adds a demo cohort, `peercoach enrol` your own)"
        )
    counts = store.counts()
    people, pairs = counts["persons"], counts["partnerships"]
    demo = ", demo data" if store.has_demo_data() else ""
    return (
        f"{where}: {people:,} {'person' if people == 1 else 'people'}, "
        f"{pairs:,} partnership{'' if pairs == 1 else 's'}{demo}"
    )


# -- under JupyterHub ------------------------------------------------------------------------------

#: What JupyterHub tells the server it starts for a person (``Spawner.get_env``).
HUB_VARIABLES = (
    "JUPYTERHUB_USER",
    "JUPYTERHUB_SERVICE_URL",
    "JUPYTERHUB_SERVICE_PREFIX",
    "JUPYTERHUB_API_URL",
    "JUPYTERHUB_API_TOKEN",
    "JUPYTERHUB_CLIENT_ID",
)


def _hub_identity_provider():
    """The identity provider class for a person's server under JupyterHub (imported lazily:
    ``jupyterhub`` is needed only there)."""
    from jupyterhub.singleuser.extension import JupyterHubIdentityProvider

    class HubOwnerIdentityProvider(JupyterHubIdentityProvider):
        """JupyterHub's sign-in (OAuth with the hub), letting in the server's owner alone.

        JupyterHub's own provider also lets in whoever the hub allows to access the server
        (admins, shares). A workbook is personal: here even they get 403.
        """

        def __init__(self, **kwargs):
            kwargs.pop("token", None)  # Voilà passes one; the hub's provider derives its own
            super().__init__(**kwargs)

        async def get_user(self, handler):
            user = await super().get_user(handler)
            owner = os.environ.get("JUPYTERHUB_USER")
            if user is None or user.username == owner:
                return user
            self.log.warning("Refused %s at the workbook of %s", user.username, owner)

            def forbidden(*_args, **_kwargs):
                raise HTTPError(403, "This workbook is someone else's.")

            handler.redirect = forbidden
            handler._jupyterhub_user = None
            return None

    return HubOwnerIdentityProvider


def hub_config(
    environ: dict[str, str] | None = None, *, debug: bool = False, pool_size: int = POOL_SIZE
) -> Config:
    """Voilà's configuration for a person's own server, started by JupyterHub."""
    env = os.environ if environ is None else environ
    missing = [name for name in HUB_VARIABLES if not env.get(name)]
    if missing:
        raise ConfigurationError(
            "`peercoach serve --hub` is started by JupyterHub, which sets "
            + ", ".join(missing)
            + ": run it from the hub (deploy/jupyterhub_config.py), or use `peercoach serve`."
        )
    url = urllib.parse.urlsplit(env["JUPYTERHUB_SERVICE_URL"])
    config = voila_config(
        url.hostname or "127.0.0.1", url.port or 8888, debug=debug, pool_size=pool_size
    )
    config.Voila.base_url = env["JUPYTERHUB_SERVICE_PREFIX"]
    config.Voila.identity_provider_class = _hub_identity_provider()
    from jupyterhub.singleuser.extension import JupyterHubAuthorizer

    config.Voila.authorizer_class = JupyterHubAuthorizer
    return config


def serve_under_hub(*, debug: bool = False, pool_size: int = POOL_SIZE) -> None:
    """Serve one person's workbook under JupyterHub until the hub stops it."""
    config = hub_config(debug=debug, pool_size=pool_size)
    os.environ[DB_VARIABLE] = check_database()
    os.environ[TIMEOUT_VARIABLE] = str(CELL_TIMEOUT_SECONDS)
    os.environ["JUPYTER_PATH"] = os.pathsep.join(
        p for p in (str(JUPYTER_DATA), os.environ.get("JUPYTER_PATH", "")) if p
    )
    WorkbookVoila.launch_instance(argv=[str(notebooks_dir())], config=config)
