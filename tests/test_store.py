"""The store: round trips of every record, reads, transactions, set-up and migrations.

Every test here runs on SQLite and again on PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd
import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from peercoach_lib import model
from peercoach_lib.errors import ConfigurationError, NotFoundError
from peercoach_lib.store import Store, migrate, schema
from peercoach_lib.store.mapping import TABLE_MAPS
from tests.examples import complete_plan, complete_records, complete_session

pytestmark = pytest.mark.both_databases


@pytest.fixture
def everything(store: Store, pair):
    """One of every record, saved, with every field filled."""
    alice, bob, partnership = pair["alice"], pair["bob"], pair["partnership"]
    plan = store.save(complete_plan(alice.id))
    session = store.save(complete_session(partnership.id, alice.id, bob.id))
    ids = {
        "alice": alice.id,
        "bob": bob.id,
        "partnership": partnership.id,
        "session": session.id,
        "plan": plan.id,
        "cohort": pair["cohort"].id,
    }
    saved = [pair["fay"], pair["cohort"], alice, bob, partnership, plan, session]
    saved += [store.save(r) for r in complete_records(ids)]
    saved += store.history(model.ChangePlan, plan.id)
    saved.append(
        store.save(
            model.FlagFollowUp(
                partnership_id=partnership.id,
                rule="one-sided",
                followed_up_on=dt.date(2026, 2, 1),
                by=pair["fay"].id,
            )
        )
    )
    saved.append(
        store.save(
            model.Draft(
                person_id=alice.id,
                kind="session_log",
                key=f"session:{session.id}",
                data={"notes": "half"},
            )
        )
    )
    return saved


def test_every_record_round_trips(store: Store, everything):
    assert {type(r) for r in everything} == {m.record for m in TABLE_MAPS}
    for record in everything:
        assert record.id is not None
        assert store.get(type(record), record.id) == record


def test_save_stamps_creation_and_update_times(store: Store, pair):
    before = dt.datetime.now(dt.UTC)
    alice = pair["alice"]
    assert alice.created_at is not None and alice.created_at.tzinfo is dt.UTC
    plan = store.save(complete_plan(alice.id))
    later = store.save(plan.replace(importance=3))
    assert later.updated_at >= plan.updated_at >= before - dt.timedelta(seconds=1)
    assert store.get(model.ChangePlan, plan.id).importance == 3


def test_update_replaces_child_rows(store: Store, pair):
    a, b = pair["alice"].id, pair["bob"].id
    session = store.save(complete_session(pair["partnership"].id, a, b))
    one_half = session.replace(halves=[model.SessionHalf(coach_id=b, client_id=a, minutes=50)])
    store.save(one_half)
    assert store.get(model.Session, session.id).halves == one_half.halves
    with store.reading() as tx:
        rows = tx.connection.execute(sa.select(schema.session_halves)).all()
    assert [(r.position, r.coach_id, r.minutes) for r in rows] == [(0, b, 50)]


def test_history_says_what_changed_when_and_by_whom(store: Store, pair):
    alice, bob = pair["alice"], pair["bob"]
    plan = store.save(complete_plan(alice.id), by=alice.id)
    store.save(plan.replace(importance=3, change="Protect two mornings"), by=bob.id)
    store.save(plan.replace(importance=3, change="Protect two mornings"))  # no change: no entry
    store.delete(model.ChangePlan, plan.id, by=alice.id)
    entries = store.history(model.ChangePlan, plan.id)
    assert [(e.action, e.changed_by) for e in entries] == [
        (model.HistoryAction.CREATED, alice.id),
        (model.HistoryAction.UPDATED, bob.id),
        (model.HistoryAction.DELETED, alice.id),
    ]
    assert entries[1].changes == {
        "change": model.FieldChange(
            before="Protect time for deep work", after="Protect two mornings"
        ),
        "importance": model.FieldChange(before=9, after=3),
    }
    assert entries[0].changed_at <= entries[1].changed_at <= entries[2].changed_at
    # Records not kept in history write none.
    store.save(pair["alice"].replace(name="Alicia"))
    assert store.history(model.Person, alice.id) == []


def test_missing_records_are_reported(store: Store):
    with pytest.raises(NotFoundError, match="there is no person 99"):
        store.get(model.Person, 99)
    with pytest.raises(NotFoundError):
        store.save(model.Person(id=99, name="Ghost"))
    with pytest.raises(NotFoundError):
        store.delete(model.Person, 99)


def test_find_filters_by_value_and_list(store: Store, pair):
    people = store.find(model.Person, role=model.Role.PARTICIPANT)
    assert [p.name for p in people] == ["Alice", "Bob"]
    assert [p.name for p in store.find(model.Person, id=[pair["bob"].id, 999])] == ["Bob"]
    assert store.find(model.Person, name="Nobody") == []


def test_a_failed_transaction_stores_nothing(store: Store, pair):
    with pytest.raises(RuntimeError), store.transaction() as tx:
        tx.save(model.Person(name="Carol"))
        tx.save(model.Person(name="Dan"))
        raise RuntimeError("the browser tab closed")
    assert [p.name for p in store.find(model.Person, name=["Carol", "Dan"])] == []


def test_foreign_keys_are_enforced(store: Store):
    with pytest.raises(sa.exc.IntegrityError):
        store.save(model.Session(partnership_id=12345, scheduled_on=dt.date(2026, 1, 1)))


def test_deleting_a_partnership_removes_its_sessions(store: Store, pair):
    a, b = pair["alice"].id, pair["bob"].id
    session = store.save(complete_session(pair["partnership"].id, a, b))
    store.delete(model.Partnership, pair["partnership"].id)
    with pytest.raises(NotFoundError):
        store.get(model.Session, session.id)
    assert store.counts()["persons"] == 3


def test_instants_come_back_in_utc_and_json_as_it_went_in(store: Store):
    berlin = dt.datetime(2026, 3, 29, 3, 30, 15, 123456, tzinfo=ZoneInfo("Europe/Berlin"))
    person = store.save(model.Person(name="Zoë", forgotten_at=berlin))
    back = store.get(model.Person, person.id).forgotten_at
    assert back == berlin and back.tzinfo is dt.UTC and back.hour == 1
    frame = store.frame("persons")
    assert frame["forgotten_at"].iloc[0] == pd.Timestamp("2026-03-29 01:30:15.123456", tz="UTC")
    data = {"notes": "naïve – “quoted”", "nested": {"list": [1, 2.5, None, True]}}
    draft = store.save(model.Draft(person_id=person.id, kind="log", key="k", data=data))
    assert store.get(model.Draft, draft.id).data == data
    assert store.frame("drafts")["data"].iloc[0] == data


def test_frames_have_analysis_ready_types(demo_store: Store):
    frame = demo_store.frame("sessions")
    assert len(frame) == demo_store.counts()["sessions"]
    assert pd.api.types.is_datetime64_any_dtype(frame["scheduled_on"])
    assert pd.api.types.is_datetime64_any_dtype(frame["held_on"])
    # The same on every database: one unit for dates, rows in id order.
    assert frame["held_on"].dtype == "datetime64[us]"
    assert frame["id"].is_monotonic_increasing
    assert isinstance(frame["status"].dtype, pd.CategoricalDtype)
    assert frame["planned"].dtype == bool
    assert set(frame["status"].cat.categories) <= {s.value for s in model.SessionStatus}
    part = demo_store.frame("session_checks", ["session_id", "overall"])
    assert list(part.columns) == ["session_id", "overall"]


def test_sqlite_is_set_up_for_several_writers(store: Store):
    if not store.is_sqlite:
        pytest.skip("SQLite's own settings")
    with store.engine.connect() as connection:
        pragma = {
            name: connection.exec_driver_sql(f"PRAGMA {name}").scalar()
            for name in ("journal_mode", "foreign_keys", "busy_timeout")
        }
    assert pragma["journal_mode"] == "wal"
    assert pragma["foreign_keys"] == 1
    assert pragma["busy_timeout"] >= 5000


def test_write_transactions_take_turns(store: Store, pair):
    """A writer that reads, then writes, sees what the writer before it committed."""
    seen = []

    def second_writer():
        with store.transaction() as tx:
            seen.append(tx.count(model.Person))
            tx.save(model.Person(name="Dan"))

    with store.transaction() as tx:
        tx.save(model.Person(name="Carol"))
        other = threading.Thread(target=second_writer)
        other.start()
        time.sleep(0.5)  # the second writer waits for this transaction, however long it takes
        assert seen == []
    other.join(timeout=30)
    assert seen == [4]  # Fay, Alice, Bob and Carol
    assert store.counts()["persons"] == 5


def test_reads_in_one_transaction_see_one_state(store: Store, pair):
    with store.reading() as tx:
        before = tx.count(model.Person)
        store.save(model.Person(name="Carol"))
        assert tx.count(model.Person) == before
    assert store.counts()["persons"] == before + 1


def test_ids_given_by_imports_are_not_handed_out_again(store: Store, pair):
    """Records inserted with their own ids, then saved ones, get ids of their own."""
    with store.transaction() as tx:
        tx.insert(model.Person(id=40, name="Imported"))
        tx.insert_rows(
            "persons", [{"id": 41, "name": "Bulk", "role": "participant", "time_zone": "UTC"}]
        )
        assert tx.save(model.Person(name="New")).id == 42
    assert store.save(model.Person(name="Newer")).id == 43
    store.delete(model.Person, 43)
    assert store.save(model.Person(name="Newest")).id in (43, 44)


# -- schema versions ---------------------------------------------------------------------------


def test_schema_version_is_recorded(store: Store):
    assert store.schema_revision == migrate.head_revision()
    with store.engine.connect() as connection:
        recorded = connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
    assert recorded == migrate.head_revision()


def test_migrations_build_exactly_the_declared_schema(store: Store):
    with store.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, schema.metadata)
        if store.engine.dialect.name == "sqlite":
            differences = _but_the_inline_replaces_key(connection, differences)
        assert differences == []


#: Keys SQLite adds with their column, written in it: (table, column), and the table referred to.
_INLINE_KEYS = {
    ("sessions", "replaces_id"): "sessions",  # 0012
    ("session_preps", "carried_from_session_id"): "sessions",  # 0013
}


def _but_the_inline_replaces_key(connection, differences: list) -> list:
    """SQLite adds ``sessions.replaces_id`` (0012) and ``session_preps.carried_from_session_id``
    (0013) with their keys written in the column, as copying a table to add one would cascade;
    SQLAlchemy reads such a key without its name or its ON DELETE. SQLite's own account must have
    each as declared; then it is no difference."""
    for (table, column), target in _INLINE_KEYS.items():
        keys = connection.exec_driver_sql(f"PRAGMA foreign_key_list({table})").mappings().all()
        assert [
            (k["from"], k["table"], k["to"], k["on_delete"]) for k in keys if k["from"] == column
        ] == [(column, target, "id", "SET NULL")]

    def about_it(difference) -> bool:
        kind, key = difference[0], difference[1]
        return kind in ("remove_fk", "add_fk") and (
            key.table.name,
            [c.name for c in key.columns],
        ) in [(table, [column]) for table, column in _INLINE_KEYS]

    assert sorted(d[0] for d in differences if about_it(d)) in (
        [],
        ["add_fk", "remove_fk"],
        ["add_fk", "add_fk", "remove_fk", "remove_fk"],
    )
    return [d for d in differences if not about_it(d)]


def test_migration_from_the_first_version_keeps_data(new_database):
    """A database made at the first schema version, with data, opens at the newest version."""
    url = new_database("old")
    first = migrate.revisions()[0]
    old = Store(url, upgrade=False)
    migrate.upgrade(old.engine, first)
    assert old.schema_revision == first
    with old.engine.begin() as connection:
        # Rows written as the first version's tables had them, with plain SQL.
        connection.exec_driver_sql(
            "INSERT INTO persons (id, name, email, role, time_zone, is_demo) "
            "VALUES (1, 'Alice', '', 'participant', 'UTC', FALSE), "
            "(2, 'Bob', '', 'participant', 'UTC', FALSE)"
        )
        connection.exec_driver_sql(
            "INSERT INTO partnerships (id, person_a_id, person_b_id, started_on, is_demo) "
            "VALUES (1, 1, 2, '2026-01-05', FALSE)"
        )
        connection.exec_driver_sql(
            "INSERT INTO sessions (id, partnership_id, planned, scheduled_on, status, held_on, "
            "is_demo) VALUES (1, 1, TRUE, '2026-01-12', 'held', '2026-01-12', FALSE)"
        )
        connection.exec_driver_sql(
            "INSERT INTO session_halves (session_id, position, coach_id, client_id, minutes) "
            "VALUES (1, 0, 1, 2, 45), (1, 1, 2, 1, 40)"
        )
    old.close()

    with Store(url) as store:
        assert store.schema_revision == migrate.head_revision()
        assert [p.name for p in store.find(model.Person)] == ["Alice", "Bob"]
        # Version 0002 started the record history: older records get a "created" entry.
        (entry,) = store.history(model.Partnership, 1)
        assert entry.action is model.HistoryAction.CREATED and entry.changes == {}
        assert store.get(model.Session, 1).held_on == dt.date(2026, 1, 12)
        assert [h.minutes for h in store.get(model.Session, 1).halves] == [45, 40]
        # And back down and up again, as a recovery would: nothing may be lost on the way.
        migrate.downgrade(store.engine, first)
        migrate.upgrade(store.engine)
        assert store.get(model.Partnership, 1).person_b_id == 2
        assert [h.minutes for h in store.get(model.Session, 1).halves] == [45, 40]


def test_every_migration_downgrades_cleanly(store: Store):
    migrate.downgrade(store.engine, "base")
    assert sa.inspect(store.engine).get_table_names() == ["alembic_version"]
    migrate.upgrade(store.engine)
    assert set(sa.inspect(store.engine).get_table_names()) >= set(schema.metadata.tables)


def test_a_database_from_a_newer_version_is_refused(new_database):
    url = new_database("newer")
    Store(url).close()
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        connection.exec_driver_sql("UPDATE alembic_version SET version_num = 'f00dfeed'")
    engine.dispose()
    with pytest.raises(ConfigurationError, match="written by a newer peercoach"):
        Store(url)


def test_opening_a_store_at_the_newest_version_does_not_write(store: Store):
    if store.is_sqlite:
        path = Path(sa.make_url(store.url).database)
        store.close()
        before = path.stat().st_mtime_ns
        Store(store.url).close()
        assert path.stat().st_mtime_ns == before
        return
    # PostgreSQL numbers the transactions that write, and only those: asking for a number takes
    # one, so two asks in a row get consecutive numbers unless something wrote in between.
    ask = "SELECT pg_current_xact_id()::text::bigint"
    with store.engine.connect() as connection:
        before = connection.exec_driver_sql(ask).scalar_one()
        connection.commit()
        Store(store.url).close()
        assert connection.exec_driver_sql(ask).scalar_one() == before + 1


def test_the_recorded_head_is_alembics_head():
    assert migrate.head_revision() == migrate.HEAD


def test_opening_an_up_to_date_workbook_does_not_load_alembic_or_matplotlib(tmp_path):
    """Apps start quicker without them: Alembic only to migrate, matplotlib only to draw."""
    import subprocess
    import sys

    url = f"sqlite:///{tmp_path / 'w.sqlite'}"
    Store(url).close()  # created and migrated here
    code = (
        "import sys; from peercoach_lib.store import Store; "
        "from peercoach_lib.apps import lsi_app, progress_app, cohort_app, session_log_app; "
        f"Store({url!r}).close(); "
        "print(sorted(m for m in ('alembic', 'matplotlib.figure') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_a_pair_saved_without_a_cohort_joins_its_partners_cohort(new_database):
    """Version 0011 mends partnerships the agreement app saved without their cohort."""
    url = new_database("no_cohort")
    old = Store(url, upgrade=False)
    migrate.upgrade(old.engine, "0010")
    with old.engine.begin() as connection:
        connection.exec_driver_sql(
            "INSERT INTO persons (id, name, email, role, time_zone, is_demo) "
            "VALUES (1, 'Fay', '', 'facilitator', 'UTC', FALSE)"
        )
        connection.exec_driver_sql(
            "INSERT INTO cohorts (id, name, facilitator_id, settings, is_demo) "
            "VALUES (1, 'Spring', 1, '{}', FALSE), (2, 'Autumn', 1, '{}', FALSE)"
        )
        # Two of Spring, one of Spring with one of Autumn, two of no cohort.
        connection.exec_driver_sql(
            "INSERT INTO persons (id, name, email, role, time_zone, cohort_id, is_demo) VALUES "
            "(2, 'A', '', 'participant', 'UTC', 1, FALSE), "
            "(3, 'B', '', 'participant', 'UTC', 1, FALSE), "
            "(4, 'C', '', 'participant', 'UTC', 1, FALSE), "
            "(5, 'D', '', 'participant', 'UTC', 2, FALSE), "
            "(6, 'E', '', 'participant', 'UTC', NULL, FALSE), "
            "(7, 'F', '', 'participant', 'UTC', NULL, FALSE)"
        )
        connection.exec_driver_sql(
            "INSERT INTO partnerships (id, person_a_id, person_b_id, started_on, is_demo) VALUES "
            "(1, 2, 3, '2026-01-05', FALSE), (2, 4, 5, '2026-01-05', FALSE), "
            "(3, 6, 7, '2026-01-05', FALSE)"
        )
    old.close()
    with Store(url) as store:
        cohorts = [store.get(model.Partnership, k).cohort_id for k in (1, 2, 3)]
    assert cohorts == [1, None, None]


def test_a_database_file_moved_or_deleted_while_open_refuses_to_save(tmp_path):
    """SQLite wrote on to the file unlinked: every save said it was made, and was lost."""
    from peercoach_lib.errors import DatabaseGone, storage_problem
    from peercoach_lib.model import Cohort

    file = tmp_path / "wb.sqlite"
    with Store(f"sqlite:///{file}") as store:
        store.save(Cohort(name="Spring"))
        file.rename(tmp_path / "moved.sqlite")
        with pytest.raises(DatabaseGone) as caught:
            store.save(Cohort(name="Summer"))
        assert "was moved or deleted while the workbook was open" in storage_problem(caught.value)
        # Another file in its place (a backup put back) is not the one opened either.
        (tmp_path / "moved.sqlite").rename(tmp_path / "elsewhere.sqlite")
        Store(f"sqlite:///{file}").close()
        with pytest.raises(DatabaseGone):
            store.save(Cohort(name="Summer"))
