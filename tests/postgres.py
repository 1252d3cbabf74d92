"""A PostgreSQL server for the store's tests, and a fresh database on it for each test.

The server is the one ``PEERCOACH_TEST_POSTGRES`` names (a URL such as
``postgresql+psycopg://user:password@host:5432/postgres``, for a role allowed to create
databases); else a throwaway cluster of our own, made with PostgreSQL's binaries (Debian's
``postgresql`` package puts them in ``/usr/lib/postgresql/<version>/bin``, which ``make test``
installs when it may) in a temporary folder, listening on a free loopback port, and removed at
the end. PostgreSQL refuses to run as root, so as root the cluster runs as the ``postgres`` user
the package creates (or ``nobody``). When neither is possible, :func:`start` says why.
"""

from __future__ import annotations

import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa

SERVER_VARIABLE = "PEERCOACH_TEST_POSTGRES"
#: Durability does not matter for a cluster thrown away after the tests; speed does.
THROWAWAY_SETTINGS = ("fsync=off", "synchronous_commit=off", "full_page_writes=off")


class Unavailable(Exception):
    """No PostgreSQL server can be had here; the message says why and what would help."""


@dataclass
class Server:
    """A PostgreSQL server on which the tests may create and drop databases."""

    #: A database to connect to for creating others (``postgres``).
    admin_url: sa.URL
    #: The cluster's folder and owner, when the tests started the server themselves.
    folder: Path | None = None
    owner: pwd.struct_passwd | None = None
    bin_dir: Path | None = None
    #: Databases copied for many tests (tests/conftest.py), dropped when the server stops.
    templates: dict[str, str] = field(default_factory=dict)
    _names: itertools.count = field(default_factory=itertools.count)
    _engine: sa.Engine | None = None

    @property
    def engine(self) -> sa.Engine:
        if self._engine is None:
            self._engine = sa.create_engine(
                self.admin_url, isolation_level="AUTOCOMMIT", poolclass=sa.NullPool
            )
        return self._engine

    def create_database(self, template: str | None = None) -> str:
        """A new database, empty or a copy of ``template`` (a URL this made); returns its URL.

        Nothing may be connected to the template while it is copied.
        """
        name = f"peercoach_test_{os.getpid()}_{next(self._names)}"
        like = f' TEMPLATE "{sa.make_url(template).database}"' if template else ""
        with self.engine.connect() as connection:
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"{like}')
        return self.admin_url.set(database=name).render_as_string(hide_password=False)

    def drop_database(self, url: str) -> None:
        """Drop a database made by :meth:`create_database`, ending any connection still open."""
        name = sa.make_url(url).database
        with self.engine.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def stop(self) -> None:
        for url in self.templates.values():
            self.drop_database(url)
        if self._engine is not None:
            self._engine.dispose()
        if self.folder is None:
            return
        _run_as(
            self.owner,
            [self.bin_dir / "pg_ctl", "stop", "-D", self.folder / "data", "-m", "immediate", "-w"],
        )
        shutil.rmtree(self.folder, ignore_errors=True)


def start() -> Server:
    """The server named by ``PEERCOACH_TEST_POSTGRES``, else a new throwaway cluster.

    Raises :class:`Unavailable` when there is neither; any other failure is an error.
    """
    given, bin_dir = _source()
    if given is not None:
        return Server(given)
    return _start_cluster(bin_dir)


def describe() -> str:
    """Which server the tests will use, in a few words (for pytest's header); nothing started."""
    try:
        given, bin_dir = _source()
    except Unavailable as exc:
        return f"none, so the store's PostgreSQL runs are skipped: {exc}"
    if given is not None:
        return f"{given.render_as_string(hide_password=True)} ({SERVER_VARIABLE})"
    return f"a throwaway cluster, from {bin_dir}"


def _source() -> tuple[sa.URL | None, Path | None]:
    try:
        import psycopg  # noqa: F401
    except ImportError:
        raise Unavailable("the psycopg package is not installed (pip install -e .)") from None
    given = os.environ.get(SERVER_VARIABLE, "").strip()
    if given:
        url = sa.make_url(given)
        if url.drivername == "postgresql":
            url = url.set(drivername="postgresql+psycopg")
        return url, None
    bin_dir = find_binaries()
    if bin_dir is None:
        raise Unavailable(
            "no PostgreSQL server: install PostgreSQL (Debian's postgresql package; `make test` "
            f"does that when run as root) or set {SERVER_VARIABLE} to a server's URL"
        )
    return None, bin_dir


def find_binaries() -> Path | None:
    """The folder holding ``initdb`` and ``pg_ctl``: Debian's newest, else the ones on PATH."""
    debian = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"),
        key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0,
    )
    candidates = [p.parent for p in reversed(debian)]
    if on_path := shutil.which("initdb"):
        candidates.append(Path(on_path).resolve().parent)
    for folder in candidates:
        if (folder / "pg_ctl").is_file():
            return folder
    return None


def _start_cluster(bin_dir: Path) -> Server:
    owner = _cluster_owner()
    folder = Path(tempfile.mkdtemp(prefix="peercoach-postgres-"))
    if owner is not None:
        os.chown(folder, owner.pw_uid, owner.pw_gid)
    data, log = folder / "data", folder / "server.log"
    port = free_port()
    options = [f"-p {port}", f"-k {folder}", "-c listen_addresses=127.0.0.1"]
    options += [f"-c {setting}" for setting in THROWAWAY_SETTINGS]
    initdb = ["-D", data, "-U", "peercoach", "--auth=trust", "--encoding=UTF8", "--no-locale"]
    try:
        _run_as(owner, [bin_dir / "initdb", *initdb, "--no-sync"])
        pg_ctl = ["-D", data, "-l", log, "-w", "-t", "60", "-o", " ".join(options)]
        _run_as(owner, [bin_dir / "pg_ctl", "start", *pg_ctl])
    except subprocess.CalledProcessError as exc:
        detail = "\n".join(filter(None, [exc.stdout, log.read_text() if log.exists() else ""]))
        shutil.rmtree(folder, ignore_errors=True)
        raise RuntimeError(f"could not start PostgreSQL from {bin_dir}:\n{detail}") from None
    url = sa.URL.create(
        "postgresql+psycopg", username="peercoach", host="127.0.0.1", port=port, database="postgres"
    )
    return Server(url, folder=folder, owner=owner, bin_dir=bin_dir)


def _cluster_owner() -> pwd.struct_passwd | None:
    """Who runs the cluster: the current user, unless that is root."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            return pwd.getpwnam(name)
        except KeyError:
            continue
    raise Unavailable("running as root, and there is no postgres or nobody user to run PostgreSQL")


def _run_as(owner: pwd.struct_passwd | None, command: list) -> None:
    as_owner = {}
    if owner is not None:
        as_owner = {"user": owner.pw_uid, "group": owner.pw_gid, "extra_groups": []}
    subprocess.run(
        [str(part) for part in command],
        check=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        cwd="/",
        timeout=120,
        **as_owner,
    )


def free_port() -> int:
    """A loopback TCP port nothing listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
