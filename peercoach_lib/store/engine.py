"""Engines for the store, set up for several kernels writing at once, on SQLite or PostgreSQL.

Every visitor to a served app has a kernel of their own, so two partners saving at once are two
processes writing one database. Code that reads and then writes in one transaction (the next id,
"is there a draft already?") relies on write transactions taking turns, whole, as SQLite's do:

- SQLite copes when: WAL lets readers go on while one writer writes; a busy timeout makes a
  writer wait its turn instead of failing; and write transactions start with ``BEGIN IMMEDIATE``,
  which takes the write lock up front. (A deferred transaction that reads and then writes can fail
  at once with "database is locked", without waiting.)
- PostgreSQL lets writers run side by side, so each write transaction first takes one
  transaction-level advisory lock, which plays the part of SQLite's write lock: writers wait for
  it, readers never do, and it is let go at commit or rollback (also when a process dies). Writes
  run at READ COMMITTED, so every statement after the lock sees what earlier writers committed;
  reading transactions run at REPEATABLE READ, so their reads all see one state, as on SQLite.
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
#: The PostgreSQL advisory lock every write transaction holds: "peerc" in ASCII. Any fixed number
#: would do, as long as nothing else using the database takes the same one.
WRITE_LOCK_KEY = 0x7065657263
#: Connections each process keeps open to a PostgreSQL server, and how many more it may open at
#: busy moments. A kernel reads or writes on one connection at a time, and a server allows about
#: a hundred in all, shared by every kernel.
POOL_SIZE = 2
POOL_OVERFLOW = 6


def create_engine(url: str) -> sa.Engine:
    parsed = sa.make_url(url)
    backend = parsed.get_backend_name()
    if backend == "postgresql":
        return _postgresql_engine(parsed)
    if backend != "sqlite":
        raise ConfigurationError(
            f"cannot use a {backend} database: the workbook keeps its data in SQLite or "
            "PostgreSQL (postgresql+psycopg://…)"
        )
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


def _postgresql_engine(url: sa.URL) -> sa.Engine:
    if url.drivername == "postgresql":
        url = url.set(drivername="postgresql+psycopg")
    # Sessions in UTC: instants are stored as naive UTC (schema.UtcDateTime), and the server's
    # own clock (CURRENT_TIMESTAMP in a migration) must agree. Options in the URL are kept.
    options = " ".join(filter(None, [url.query.get("options"), "-c timezone=UTC"]))
    connect_args = {"options": options}
    if "application_name" not in url.query:
        connect_args["application_name"] = "peercoach"
    try:
        engine = sa.create_engine(
            url,
            connect_args=connect_args,
            pool_size=POOL_SIZE,
            max_overflow=POOL_OVERFLOW,
            # A server restarted while a kernel was idle: reconnect instead of failing a save.
            pool_pre_ping=True,
        )
    except ModuleNotFoundError as exc:
        raise ConfigurationError(
            f"{url.drivername} needs the {exc.name} package: pip install 'psycopg[binary]'"
        ) from None

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        if connection.get_execution_options().get(WRITE, False):
            connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({WRITE_LOCK_KEY})")
        else:
            connection.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")

    return engine
