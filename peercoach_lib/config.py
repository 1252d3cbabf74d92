"""Where the workbook keeps its data, resolved the same way by notebooks, the CLI and tests.

Under Voilà a notebook runs with its own folder as working directory, so nothing here depends on
the working directory except an explicitly relative ``PEERCOACH_DB``, which is made absolute
(``peercoach serve`` does that before it starts the kernels).
"""

from __future__ import annotations

import os
import urllib.parse
from collections.abc import Mapping
from pathlib import Path

import platformdirs
import sqlalchemy as sa

from peercoach_lib.errors import ConfigurationError

#: A database URL (``sqlite:///path``, ``postgresql+psycopg://...``) or a plain file path.
DB_VARIABLE = "PEERCOACH_DB"
DEFAULT_FILENAME = "peercoach.sqlite"


def repository_root() -> Path | None:
    """The source checkout this package runs from, when it runs from one (editable install)."""
    root = Path(__file__).resolve().parent.parent
    if (root / "pyproject.toml").is_file() and (root / "notebooks").is_dir():
        return root
    return None


def data_dir() -> Path:
    """``data/`` in a checkout; otherwise the user's data folder for peercoach."""
    root = repository_root()
    return root / "data" if root else Path(platformdirs.user_data_dir("peercoach"))


def notebooks_dir() -> Path:
    root = repository_root()
    if root is None:
        raise ConfigurationError(
            "The apps are served from a source checkout: clone the repository and run `make app`."
        )
    return root / "notebooks"


def database_url(environ: Mapping[str, str] | None = None, *, cwd: Path | None = None) -> str:
    """The database to use: ``PEERCOACH_DB`` if set, else ``data/peercoach.sqlite``.

    A plain path is taken as an SQLite file; a relative SQLite path is made absolute against
    ``cwd`` (the current directory by default).
    """
    environ = os.environ if environ is None else environ
    raw = environ.get(DB_VARIABLE, "").strip()
    if DB_VARIABLE in environ and not raw:
        # Set but empty is most likely a mistake (an unfilled template, a typo in a script):
        # quietly using the default workbook instead could write into the wrong one.
        raise ConfigurationError(
            f"{DB_VARIABLE} is set but empty: name a database, or unset it to use "
            f"{data_dir() / DEFAULT_FILENAME}"
        )
    if not raw:
        return _sqlite_url(str(data_dir() / DEFAULT_FILENAME))
    scheme = raw.split(":", 1)[0].lower()
    url_like = scheme in {"sqlite", "postgres", "postgresql"} or scheme.startswith(
        ("sqlite+", "postgresql+")
    )
    if url_like and ":" in raw and "://" not in raw:
        # "sqlite:/tmp/x.sqlite": a URL missing its slashes, not a file named so.
        raise ConfigurationError(
            f"{DB_VARIABLE}={raw!r} is not a database URL: write sqlite:////absolute/path.sqlite "
            "(four slashes), a plain file path, or postgresql+psycopg://user@host/db"
        )
    if "://" not in raw:
        raw = "sqlite:///" + raw
    try:
        url = sa.make_url(raw)
    except (sa.exc.ArgumentError, ValueError) as exc:
        raise ConfigurationError(f"{DB_VARIABLE}={raw!r} is not a database URL: {exc}") from None
    if url.drivername == "postgres":
        # The short scheme many hosting services hand out (Heroku's DATABASE_URL, say).
        url = url.set(drivername="postgresql")
    if url.get_backend_name() != "sqlite":
        return url.render_as_string(hide_password=False)
    database = url.database or ""
    if database and database != ":memory:" and not database.startswith("file:"):
        path = Path(database).expanduser()
        if not path.is_absolute():
            path = (cwd or Path.cwd()) / path
        database = str(path.resolve())
    return _sqlite_url(database, url.query)


def _sqlite_url(database: str, query: Mapping[str, object] | None = None) -> str:
    # Rendered by hand: SQLAlchemy percent-escapes ":memory:" and drive letters.
    params = urllib.parse.urlencode(dict(query or {}), doseq=True)
    return f"sqlite:///{database}" + (f"?{params}" if params else "")


def describe(url: str) -> str:
    """The database URL with any password hidden, for messages and logs."""
    parsed = sa.make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return url
    return parsed.render_as_string(hide_password=True)
