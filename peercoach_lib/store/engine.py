"""Engines for the store, with SQLite set up for several kernels writing at once.

Every visitor to a served app has a kernel of their own, so two partners saving at once are two
processes writing one file. SQLite copes when: WAL lets readers go on while one writer writes; a
busy timeout makes a writer wait its turn instead of failing; and write transactions start with
``BEGIN IMMEDIATE``, which takes the write lock up front. (A deferred transaction that reads and
then writes can fail at once with "database is locked", without waiting.)
"""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from sqlalchemy import event

from peercoach_lib.errors import ConfigurationError

#: How long a writer waits for another to finish, in seconds.
BUSY_TIMEOUT_SECONDS = 30.0
#: Execution option that marks a connection's transactions as writes.
WRITE = "peercoach_write"


def create_engine(url: str) -> sa.Engine:
    parsed = sa.make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return sa.create_engine(parsed, pool_pre_ping=True)
    database = parsed.database or ""
    if database and database != ":memory:" and not database.startswith("file:"):
        folder = Path(database).parent
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ConfigurationError(f"cannot create the database folder {folder}: {exc}") from None
    engine = sa.create_engine(parsed, connect_args={"timeout": BUSY_TIMEOUT_SECONDS})
    _set_up_sqlite(engine, in_memory=database in ("", ":memory:"))
    return engine


def _set_up_sqlite(engine: sa.Engine, *, in_memory: bool) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # Let SQLAlchemy's "begin" event issue BEGIN, instead of the driver's implicit one.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_SECONDS * 1000)}")
        if not in_memory:
            cursor.execute("PRAGMA journal_mode = WAL")
            # With WAL, NORMAL survives a crashed process; only power loss can undo the last commit.
            cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        write = connection.get_execution_options().get(WRITE, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")
