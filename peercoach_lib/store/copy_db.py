"""Copy a whole workbook database into another, empty one: SQLite to PostgreSQL, or back.

Every table is copied with its ids, parents before children, in one transaction on the target,
and the copy is checked by counting each table's rows on both sides before it commits. The source
is read in one transaction too, so the copy is of one moment even while the apps are writing.
Values travel through the schema's column types (dates, instants, JSON), not as text, so each
database stores them its own way.
"""

from __future__ import annotations

from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from peercoach_lib.config import DB_VARIABLE, database_url, describe
from peercoach_lib.errors import CopyRefused
from peercoach_lib.store import Store, Transaction, migrate, schema
from peercoach_lib.store.mapping import all_tables

#: Rows read and written at a time.
CHUNK = 2000


@dataclass(frozen=True)
class CopyReport:
    """What :func:`copy_database` copied: rows per table, in the order they were copied."""

    source: str
    target: str
    rows: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.rows.values())


def copy_database(source: str, target: str) -> CopyReport:
    """Copy every row of the workbook at ``source`` into the database at ``target``.

    Both are database URLs or SQLite file paths. The target must hold no rows (it may be a new
    SQLite file, or an empty PostgreSQL database); its schema is brought to this peercoach's
    version first. The source must be at that version already. Raises :class:`CopyRefused`, with
    no row written to the target, when the copy is refused or fails.
    """
    source, target = _url(source), _url(target)
    if source == target:
        raise CopyRefused("the source and the target are the same database")
    with closing(_open(source, "source")) as origin:
        _check_version(origin)
        with closing(_open(target, "target")) as destination:
            # Before any migration, so that a database in use is left exactly as it was.
            with destination.engine.connect() as connection:
                _refuse_rows(destination, _rows(connection))
            migrate.upgrade(destination.engine)
            return CopyReport(source, target, _copy(origin, destination))


def _url(text: str) -> str:
    """A URL as ``PEERCOACH_DB`` would take it (a plain path is an SQLite file)."""
    return database_url({DB_VARIABLE: text})


def _open(url: str, role: str) -> Store:
    parsed = sa.make_url(url)
    if role == "source" and parsed.get_backend_name() == "sqlite":
        path = parsed.database or ""
        if path in ("", ":memory:") or not Path(path).is_file():
            raise CopyRefused(f"there is no database at {path or url} to copy")
    store = Store(url, upgrade=False)
    try:
        with store.engine.connect():
            pass
    except sa.exc.DBAPIError as exc:
        store.close()
        raise CopyRefused(f"cannot open the {role}, {describe(url)}: {_reason(exc)}") from None
    return store


def _check_version(origin: Store) -> None:
    revision = migrate.current_revision(origin.engine)
    where = describe(origin.url)
    if revision is None:
        raise CopyRefused(f"{where} holds no peercoach workbook")
    if revision == migrate.HEAD:
        return
    if revision not in migrate.revisions():
        raise CopyRefused(
            f"{where} is at schema version {revision}, written by a newer peercoach: copy it "
            "with that version"
        )
    raise CopyRefused(
        f"{where} is at schema version {revision}, and this peercoach copies version "
        f"{migrate.HEAD}: open it once with this peercoach first, which upgrades it "
        f"(for example {DB_VARIABLE}='{where}' peercoach info)"
    )


def _rows(connection: sa.Connection) -> dict[str, int]:
    """Rows per workbook table present; refuses a database holding tables of something else."""
    present = set(sa.inspect(connection).get_table_names())
    foreign = sorted(present - set(schema.metadata.tables) - {"alembic_version"})
    if foreign:
        raise CopyRefused(
            f"the target holds tables that are not peercoach's ({', '.join(foreign)}): "
            "copy into an empty database"
        )
    return {
        table.name: _count(connection, table) for table in all_tables() if table.name in present
    }


def _refuse_rows(destination: Store, rows: dict[str, int]) -> None:
    filled = {name: count for name, count in rows.items() if count}
    if filled:
        detail = ", ".join(f"{name}: {count:,}" for name, count in filled.items())
        raise CopyRefused(
            f"the target, {describe(destination.url)}, already holds rows ({detail}); "
            "nothing was copied: copy into an empty database"
        )


def _count(connection: sa.Connection, table: sa.Table) -> int:
    return connection.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()


def _copy(origin: Store, destination: Store) -> dict[str, int]:
    tables = list(all_tables())
    table: sa.Table | None = None
    try:
        with origin.reading() as reader, destination.transaction() as writer:
            # Under the target's write lock: nobody has written there since the first look.
            _refuse_rows(destination, _rows(writer.connection))
            expected = {t.name: _count(reader.connection, t) for t in tables}
            copied: set[sa.Table] = set()
            pending = []
            for table in tables:
                # A key to a table not copied yet (a person's cohort) is filled in at the end.
                late = [
                    c for c in table.c if any(k.column.table not in copied for k in c.foreign_keys)
                ]
                pending.append((table, late, _copy_table(reader, writer, table, late)))
                copied.add(table)
            for table, late, values in pending:
                _fill_in(writer, table, late, values)
            table = None
            found = {t.name: _count(writer.connection, t) for t in tables}
            if found != expected:
                differ = [
                    f"{name}: {expected[name]:,} in the source, {found[name]:,} copied"
                    for name in expected
                    if found[name] != expected[name]
                ]
                raise CopyRefused(
                    "the copy was undone: row counts differ (" + "; ".join(differ) + ")"
                )
    except sa.exc.DBAPIError as exc:
        where = f" (table {table.name})" if table is not None else ""
        raise CopyRefused(f"the copy failed and was undone{where}: {_reason(exc)}") from None
    return expected


def _copy_table(
    reader: Transaction, writer: Transaction, table: sa.Table, late: list[sa.Column]
) -> list[dict[str, Any]]:
    """Copy one table in chunks; returns the keys and values of its ``late`` columns."""
    key = list(table.primary_key.columns)
    query = sa.select(table).order_by(*key).execution_options(yield_per=CHUNK)
    values = []
    for chunk in reader.connection.execute(query).partitions():
        rows = [row._asdict() for row in chunk]
        for row in rows:
            if any(row[c.name] is not None for c in late):
                values.append(
                    {f"key_{c.name}": row[c.name] for c in key}
                    | {f"new_{c.name}": row[c.name] for c in late}
                )
                row.update({c.name: None for c in late})
        writer.insert_rows(table, rows)
    return values


def _fill_in(
    writer: Transaction, table: sa.Table, late: list[sa.Column], values: list[dict[str, Any]]
) -> None:
    if not values:
        return
    statement = (
        table.update()
        .where(*(c == sa.bindparam(f"key_{c.name}") for c in table.primary_key.columns))
        .values({c.name: sa.bindparam(f"new_{c.name}") for c in late})
    )
    writer.connection.execute(statement, values)


def _reason(exc: sa.exc.DBAPIError) -> str:
    """The database's own words, without SQLAlchemy's statement and link."""
    return " ".join(str(exc.orig).split())
