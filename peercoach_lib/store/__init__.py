"""The store: the one way the workbook reads and writes its data.

>>> store = Store("sqlite:///:memory:")
>>> alice = store.save(Person(name="Alice"))
>>> store.get(Person, alice.id).name
'Alice'

Every save runs in a transaction; :meth:`Store.transaction` groups several saves into one, so that
either all of them are stored or none is. Reads return records, or pandas DataFrames for analysis.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any, TypeVar

import pandas as pd
import sqlalchemy as sa

from peercoach_lib.config import database_url, describe
from peercoach_lib.errors import ConfigurationError, DatabaseGone, NotFoundError
from peercoach_lib.model import FieldChange, HistoryAction, HistoryEntry, Person, Record
from peercoach_lib.store import migrate, schema
from peercoach_lib.store.engine import WRITE, create_engine
from peercoach_lib.store.mapping import TABLE_MAPS, TableMap, table_map

R = TypeVar("R", bound=Record)

__all__ = ["Store", "Transaction"]


class Transaction:
    """Reads and writes inside one database transaction (see :meth:`Store.transaction`)."""

    def __init__(self, connection: sa.Connection):
        self.connection = connection
        # PostgreSQL hands out new ids from a sequence per table, which rows inserted with ids of
        # their own (imports, demo data, copies) leave behind: such tables are noted here, and
        # their sequence moved past the highest id before it is next used, and at commit.
        self._sequences = connection.dialect.name == "postgresql"
        self._behind: set[sa.Table] = set()

    # -- writing ---------------------------------------------------------------------------------

    def save(
        self, record: R, *, by: int | None = None, also: Mapping[str, FieldChange] | None = None
    ) -> R:
        """Insert a record without an id (returning it with its new id), or update one with an id.

        ``by`` is the person making the change; records kept in history (agreements, plans,
        partnerships, cohorts) note it with what changed, and with ``also``: changes made with
        it that are not its fields (an agreement's sessions moved, say), by name. Raises
        :class:`NotFoundError` when a record with an id is not in the store.
        """
        mapping = table_map(type(record))
        now = dt.datetime.now(dt.UTC)
        stamps = {}
        if "updated_at" in type(record).model_fields:
            stamps["updated_at"] = now
        if record.id is None:
            if "created_at" in type(record).model_fields and record.created_at is None:
                stamps["created_at"] = now
            record = record.model_copy(update=stamps) if stamps else record
            row = mapping.to_row(record)
            del row["id"]
            self._catch_up(mapping.table)
            new_id = self.connection.execute(
                mapping.table.insert().values(row).returning(mapping.table.c.id)
            ).scalar_one()
            record = record.model_copy(update={"id": new_id})
            self._write_children(mapping, record)
            if mapping.history:
                self._note(mapping, record.id, HistoryAction.CREATED, now, by, {})
            return record
        before = self.find(type(record), id=record.id) if mapping.history else None
        record = record.model_copy(update=stamps) if stamps else record
        table = mapping.table
        result = self.connection.execute(
            table.update().where(table.c.id == record.id).values(mapping.to_row(record))
        )
        if result.rowcount == 0:
            raise NotFoundError(f"there is no {type(record).label().lower()} {record.id}")
        self._write_children(mapping, record)
        if before:
            changes = {**_changes(before[0], record), **(also or {})}
            if changes:
                self._note(mapping, record.id, HistoryAction.UPDATED, now, by, changes)
        return record

    def _note(self, mapping, record_id, action, when, by, changes) -> None:
        entry = HistoryEntry(
            table_name=mapping.name,
            record_id=record_id,
            action=action,
            changed_at=when,
            changed_by=by,
            changes=changes,
        )
        row = table_map(HistoryEntry).to_row(entry)
        del row["id"]
        self._catch_up(schema.record_history)
        self.connection.execute(schema.record_history.insert().values(row))

    def history(self, kind: type[Record], record_id: int) -> list[HistoryEntry]:
        """The changes to one record, oldest first."""
        return self.find(HistoryEntry, table_name=table_map(kind).name, record_id=record_id)

    def insert(self, record: R) -> R:
        """Insert a record as it is, keeping its id if it has one (used by import)."""
        mapping = table_map(type(record))
        row = mapping.to_row(record)
        if record.id is None:
            del row["id"]
            self._catch_up(mapping.table)
        else:
            self._left_behind(mapping.table)
        new_id = self.connection.execute(
            mapping.table.insert().values(row).returning(mapping.table.c.id)
        ).scalar_one()
        record = record.model_copy(update={"id": new_id})
        self._write_children(mapping, record)
        return record

    def save_all(self, records: Iterable[R]) -> list[R]:
        """Save many records (any iterable, read lazily) in this transaction."""
        return [self.save(record) for record in records]

    def delete(self, kind: type[Record], record_id: int, *, by: int | None = None) -> None:
        mapping = table_map(kind)
        table = mapping.table
        result = self.connection.execute(table.delete().where(table.c.id == record_id))
        if result.rowcount == 0:
            raise NotFoundError(f"there is no {kind.label().lower()} {record_id}")
        if mapping.history:
            now = dt.datetime.now(dt.UTC)
            self._note(mapping, record_id, HistoryAction.DELETED, now, by, {})

    def insert_rows(self, table: str | sa.Table, rows: list[dict[str, Any]]) -> None:
        """Bulk-insert plain rows (no validation): for generated data such as the demo cohort."""
        if rows:
            target = schema.metadata.tables[table] if isinstance(table, str) else table
            if "id" in rows[0]:
                self._left_behind(target)
            else:
                self._catch_up(target)
            self.connection.execute(target.insert(), rows)

    def _left_behind(self, table: sa.Table) -> None:
        if self._sequences and "id" in table.c:
            self._behind.add(table)

    def _catch_up(self, table: sa.Table) -> None:
        """Move the id sequence of ``table`` past its highest id (PostgreSQL), if it lags."""
        if table not in self._behind:
            return
        from sqlalchemy.dialects.postgresql import REGCLASS

        self._behind.discard(table)
        sequence = sa.func.pg_get_serial_sequence(table.name, "id")
        highest = sa.select(sa.func.coalesce(sa.func.max(table.c.id), 0)).scalar_subquery()
        # Never backwards: an id handed out once (to a row deleted since) is not handed out again.
        issued = sa.func.coalesce(sa.func.pg_sequence_last_value(sa.cast(sequence, REGCLASS)), 0)
        self.connection.execute(
            sa.select(sa.func.setval(sequence, sa.func.greatest(highest, issued, 1)))
        )

    def _catch_up_all(self) -> None:
        for table in list(self._behind):
            self._catch_up(table)

    def _write_children(self, mapping: TableMap, record: Record) -> None:
        for child, rows in mapping.child_rows(record, record.id).items():
            self.connection.execute(
                child.table.delete().where(child.table.c[child.fk] == record.id)
            )
            if rows:
                self.connection.execute(child.table.insert(), rows)

    # -- reading ---------------------------------------------------------------------------------

    def get(self, kind: type[R], record_id: int) -> R:
        found = self.find(kind, id=record_id)
        if not found:
            raise NotFoundError(f"there is no {kind.label().lower()} {record_id}")
        return found[0]

    def find(self, kind: type[R], /, *, order_by: str = "id", **where: Any) -> list[R]:
        """Records of ``kind`` whose columns equal the given values (a list means "any of")."""
        mapping = table_map(kind)
        table = mapping.table
        query = sa.select(table).order_by(table.c[order_by], table.c.id)
        for column, value in where.items():
            if isinstance(value, list | tuple | set | frozenset):
                query = query.where(table.c[column].in_(list(value)))
            else:
                query = query.where(table.c[column] == _plain(value))
        rows = [row._asdict() for row in self.connection.execute(query)]
        children = self._read_children(mapping, [row["id"] for row in rows])
        return [mapping.from_row(row, children.get(row["id"])) for row in rows]

    def _read_children(self, mapping: TableMap, ids: list[int]) -> dict[int, dict[str, list]]:
        out: dict[int, dict[str, list]] = defaultdict(dict)
        if not ids or not mapping.children:
            return out
        for child in mapping.children:
            fk = child.table.c[child.fk]
            grouped: dict[int, list] = defaultdict(list)
            # Chunked, to stay under the database's limit on bound parameters.
            for start in range(0, len(ids), 500):
                chunk = ids[start : start + 500]
                query = (
                    sa.select(child.table).where(fk.in_(chunk)).order_by(fk, child.table.c.position)
                )
                for row in self.connection.execute(query):
                    grouped[row._mapping[child.fk]].append(row._asdict())
            for record_id in ids:
                out[record_id][child.field] = grouped.get(record_id, [])
        return out

    def count(self, kind: type[Record] | str) -> int:
        table = table_map(kind).table
        return self.connection.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()

    def frame(self, table: str, columns: Iterable[str] | None = None) -> pd.DataFrame:
        """A whole table as a DataFrame, with dates as datetimes and statuses as categories.

        Rows come in primary key order, and every column has the same type on every database
        (times of day are text, ``HH:MM:SS.ffffff``). Read with plain SQL and converted a column
        at a time: SQLAlchemy's per-value result processing would cost more than the read itself
        on large tables.
        """
        target = schema.metadata.tables[table]
        names = list(columns) if columns else [c.name for c in target.c]
        quote = self.connection.dialect.identifier_preparer.quote
        key = ", ".join(quote(c.name) for c in target.primary_key.columns)
        query = (
            f"SELECT {', '.join(quote(n) for n in names)} FROM {quote(target.name)} ORDER BY {key}"
        )
        frame = pd.read_sql(query, self.connection)
        return _tidy(frame, target)


#: Fields that change on every save and say nothing about what a person changed.
_STAMPS = frozenset({"updated_at", "created_at", "updated_by"})


def _changes(before: Record, after: Record) -> dict[str, FieldChange]:
    old, new = before.model_dump(mode="json"), after.model_dump(mode="json")
    return {
        name: FieldChange(before=old[name], after=new[name])
        for name in new
        if name not in _STAMPS and old.get(name) != new[name]
    }


def _plain(value: Any) -> Any:
    return getattr(value, "value", value)


#: Text columns read as categories: few distinct values, many rows.
CATEGORIES = frozenset({"status", "role", "medium", "format", "frequency", "end_reason"})


def _tidy(frame: pd.DataFrame, table: sa.Table) -> pd.DataFrame:
    for column in frame.columns:
        kind = table.c[column].type
        values = frame[column]
        # SQLite gives text for dates, times and instants; PostgreSQL gives Python objects.
        if isinstance(kind, schema.UtcDateTime):
            frame[column] = pd.to_datetime(values, format="ISO8601", utc=True).dt.as_unit("us")
        elif isinstance(kind, sa.Date | sa.DateTime):
            frame[column] = pd.to_datetime(values, format="ISO8601").dt.as_unit("us")
        elif isinstance(kind, sa.Time) and values.map(type).eq(dt.time).any():
            frame[column] = pd.Series(
                [v.strftime("%H:%M:%S.%f") if v is not None else None for v in values],
                index=frame.index,
            )
        elif isinstance(kind, sa.Boolean):
            frame[column] = values.astype(bool)
        elif isinstance(kind, sa.JSON) and values.map(type).eq(str).any():
            frame[column] = values.map(lambda v: json.loads(v) if isinstance(v, str) else v)
        elif column in CATEGORIES:
            frame[column] = values.astype("category")
    return frame


class Store:
    """The workbook's database: ``url``, else ``PEERCOACH_DB``, else ``data/peercoach.sqlite``.

    Opening a store brings its schema up to date (migrations run once, under a write lock).
    """

    def __init__(self, url: str | None = None, *, upgrade: bool = True):
        self.url = url or database_url()
        self.engine = create_engine(self.url)
        if upgrade:
            try:
                migrate.upgrade(self.engine)
            except sa.exc.DatabaseError as exc:
                # A server that is down, a database that does not exist, a wrong password, or
                # a file that is not a database.
                self.engine.dispose()
                reason = " ".join(str(exc.orig).split())
                raise ConfigurationError(
                    f"cannot open the database {describe(self.url)}: {reason}"
                ) from None
        #: The SQLite file written to, and which file it is (device, inode), or None.
        self._file = self._file_identity()

    def _file_identity(self) -> tuple[str, tuple[int, int]] | None:
        path = self.engine.url.database if self.engine.dialect.name == "sqlite" else None
        if not path or path == ":memory:" or path.startswith("file:"):
            return None
        path = os.path.abspath(path)
        try:
            found = os.stat(path)
        except OSError:
            return None
        return path, (found.st_dev, found.st_ino)

    def _check_file(self) -> None:
        """Raise :class:`DatabaseGone` when the SQLite file opened is no longer at its path
        (moved or deleted while open): SQLite would go on writing to the file unlinked, and
        every save would be lost while saying it was made."""
        if self._file is None:
            return
        path, identity = self._file
        try:
            found = os.stat(path)
        except OSError:
            found = None
        if found is None or (found.st_dev, found.st_ino) != identity:
            raise DatabaseGone(path)

    def __repr__(self) -> str:
        return f"Store({describe(self.url)!r})"

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        self.engine.dispose()

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @contextmanager
    def transaction(self) -> Iterator[Transaction]:
        """One write transaction: everything done in the block is stored, or nothing is."""
        self._check_file()
        connection = self.engine.connect().execution_options(**{WRITE: True})
        with connection, connection.begin():
            tx = Transaction(connection)
            yield tx
            tx._catch_up_all()

    @contextmanager
    def reading(self) -> Iterator[Transaction]:
        """A read-only view in one transaction, so that several reads see one state."""
        with self.engine.connect() as connection, connection.begin():
            yield Transaction(connection)

    # Single operations, each in a transaction of its own.

    def save(self, record: R, *, by: int | None = None) -> R:
        with self.transaction() as tx:
            return tx.save(record, by=by)

    def save_all(self, records: Iterable[R]) -> list[R]:
        with self.transaction() as tx:
            return tx.save_all(records)

    def delete(self, kind: type[Record], record_id: int, *, by: int | None = None) -> None:
        with self.transaction() as tx:
            tx.delete(kind, record_id, by=by)

    def history(self, kind: type[Record], record_id: int) -> list[HistoryEntry]:
        """The changes to one record, oldest first."""
        with self.reading() as tx:
            return tx.history(kind, record_id)

    def get(self, kind: type[R], record_id: int) -> R:
        with self.reading() as tx:
            return tx.get(kind, record_id)

    def find(self, kind: type[R], /, *, order_by: str = "id", **where: Any) -> list[R]:
        with self.reading() as tx:
            return tx.find(kind, order_by=order_by, **where)

    def frame(self, table: str, columns: Iterable[str] | None = None) -> pd.DataFrame:
        with self.reading() as tx:
            return tx.frame(table, columns)

    def counts(self) -> dict[str, int]:
        """Rows per table, for every table the store keeps."""
        with self.reading() as tx:
            return {m.name: tx.count(m.record) for m in TABLE_MAPS}

    def is_empty(self) -> bool:
        with self.reading() as tx:
            return tx.count(Person) == 0

    def has_demo_data(self) -> bool:
        with self.reading() as tx:
            query = sa.select(sa.func.count()).where(schema.persons.c.is_demo)
            return tx.connection.execute(query).scalar_one() > 0

    @property
    def schema_revision(self) -> str | None:
        """The schema version recorded in the database."""
        return migrate.current_revision(self.engine)
