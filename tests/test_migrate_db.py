"""`peercoach migrate-db`: a whole workbook copied to the other database and back, unchanged.

Each test runs with its second database on SQLite and again on PostgreSQL, so both directions
(SQLite to PostgreSQL, PostgreSQL to SQLite) are covered.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from peercoach_lib import cli, demo, model
from peercoach_lib.errors import CopyRefused
from peercoach_lib.store import Store, copy_db, migrate
from peercoach_lib.store.mapping import all_tables
from tests.conftest import AS_OF

pytestmark = pytest.mark.both_databases


def _tables(url: str) -> dict[str, pd.DataFrame]:
    """Every table, read through the schema's types and sorted by primary key."""
    out = {}
    with Store(url) as store, store.reading() as tx:
        for table in all_tables():
            query = sa.select(table).order_by(*table.primary_key.columns)
            rows = [row._asdict() for row in tx.connection.execute(query)]
            out[table.name] = pd.DataFrame(rows, columns=[c.name for c in table.c])
    return out


def _assert_same(expected: dict[str, pd.DataFrame], url: str) -> None:
    actual = _tables(url)
    assert list(actual) == list(expected)
    for name, frame in expected.items():
        pd.testing.assert_frame_equal(frame, actual[name], obj=name)


def _migrate(source: str, target: str, capsys) -> tuple[int, str, str]:
    code = cli.main(["migrate-db", "--from", source, "--to", target])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def sqlite_demo(tmp_path) -> str:
    url = f"sqlite:///{tmp_path / 'workbook.sqlite'}"
    with Store(url) as store:
        demo.generate(store, pairs=5, weeks=12, seed=4, as_of=AS_OF)
        store.save(model.Person(name="Zoë Ünicode", email="zoe@example.org"))
    return url


def test_a_workbook_goes_there_and_back_unchanged(sqlite_demo, new_database, tmp_path, capsys):
    original = _tables(sqlite_demo)
    there, back = new_database("there"), f"sqlite:///{tmp_path / 'back.sqlite'}"

    code, out, _ = _migrate(sqlite_demo, there, capsys)
    assert code == 0
    total = sum(len(frame) for frame in original.values())
    assert f"Copied {total:,} rows" in out
    for name, frame in original.items():
        assert f"  {name:<16} {len(frame):>10,}" in out
    _assert_same(original, there)

    assert _migrate(there, back, capsys)[0] == 0
    _assert_same(original, back)

    # New records get new ids after the copied ones, on either database.
    highest = int(original["persons"]["id"].max())
    for url in (there, back):
        with Store(url) as store:
            assert store.save(model.Person(name="After the move")).id == highest + 1


def test_a_workbook_made_on_either_database_copies_to_sqlite(demo_store, tmp_path, capsys):
    target = f"sqlite:///{tmp_path / 'copy.sqlite'}"
    original = _tables(demo_store.url)
    assert _migrate(demo_store.url, target, capsys)[0] == 0
    _assert_same(original, target)


def test_a_target_holding_rows_is_refused_and_left_alone(sqlite_demo, new_database, capsys):
    target = new_database("target")
    with Store(target) as store:
        store.save(model.Person(name="Already here"))
    before = _tables(target)
    code, out, err = _migrate(sqlite_demo, target, capsys)
    assert code == 2 and out == ""
    assert "already holds rows (persons: 1)" in err and "nothing was copied" in err
    _assert_same(before, target)


def test_a_missing_source_is_refused(new_database, tmp_path, capsys):
    url = new_database("gone")
    if url.startswith("sqlite"):
        expected = "there is no database at"
    else:
        url = sa.make_url(url).set(database="peercoach_no_such_database").render_as_string(False)
        expected = "cannot open the source"
    target = tmp_path / "target.sqlite"
    code, _, err = _migrate(url, f"sqlite:///{target}", capsys)
    assert code == 2 and expected in err
    assert not target.exists()
    assert list(tmp_path.glob("gone*")) == []  # not created by looking for it


def test_a_source_at_an_older_schema_version_is_refused(new_database, tmp_path, capsys):
    old = Store(new_database("old"), upgrade=False)
    migrate.upgrade(old.engine, migrate.revisions()[0])
    old.close()
    code, _, err = _migrate(old.url, f"sqlite:///{tmp_path / 't.sqlite'}", capsys)
    assert code == 2
    assert f"schema version {migrate.revisions()[0]}" in err and "open it once" in err


def test_copying_a_database_onto_itself_or_a_non_workbook_is_refused(sqlite_demo, new_database):
    with pytest.raises(CopyRefused, match="the same database"):
        copy_db.copy_database(sqlite_demo, sqlite_demo)
    empty = new_database("empty")
    if empty.startswith("sqlite"):
        Path(sa.make_url(empty).database).touch()
    with pytest.raises(CopyRefused, match="holds no peercoach workbook"):
        copy_db.copy_database(empty, new_database("target"))


def test_a_copy_whose_counts_differ_is_undone(sqlite_demo, new_database, monkeypatch):
    copy_table = copy_db._copy_table

    def losing_a_row(reader, writer, table, late):
        values = copy_table(reader, writer, table, late)
        if table.name == "feedback":
            first = sa.select(sa.func.min(table.c.id)).scalar_subquery()
            writer.connection.execute(table.delete().where(table.c.id == first))
        return values

    monkeypatch.setattr(copy_db, "_copy_table", losing_a_row)
    target = new_database("target")
    expected = _tables(sqlite_demo)["feedback"].shape[0]
    with pytest.raises(CopyRefused) as refused:
        copy_db.copy_database(sqlite_demo, target)
    assert f"row counts differ (feedback: {expected:,} in the source, {expected - 1:,} copied)" in (
        str(refused.value)
    )
    with Store(target) as store:
        assert set(store.counts().values()) == {0}
