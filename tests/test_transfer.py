"""Export and import: a round trip gives identical data; a bad file changes nothing.

Every test here runs on SQLite and again on PostgreSQL.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest

from peercoach_lib import model, transfer
from peercoach_lib.errors import ImportRefused
from peercoach_lib.store import Store
from peercoach_lib.store.mapping import all_tables

pytestmark = pytest.mark.both_databases


def _tables(store: Store) -> dict[str, pd.DataFrame]:
    out = {}
    with store.reading() as tx:
        for table in all_tables():
            frame = pd.read_sql(f"SELECT * FROM {table.name}", tx.connection)
            out[table.name] = frame.sort_values(list(frame.columns[:2])).reset_index(drop=True)
    return out


def _write(tmp_path: Path, document) -> Path:
    path = tmp_path / "in.json"
    path.write_text(document if isinstance(document, str) else json.dumps(document))
    return path


def test_export_then_import_into_a_fresh_database_gives_identical_data(
    demo_store, tmp_path, new_database
):
    path = tmp_path / "all.json"
    transfer.write_json(transfer.export_document(demo_store), path)
    with Store(new_database("fresh", like="empty")) as fresh:
        added = transfer.import_document(fresh, transfer.read_document(path))
        assert added == {k: v for k, v in demo_store.counts().items() if v}
        original, copy = _tables(demo_store), _tables(fresh)
        for name in original:
            pd.testing.assert_frame_equal(original[name], copy[name], obj=name)
        # And importing the same file again adds nothing and changes nothing.
        assert transfer.import_document(fresh, transfer.read_document(path)) == {}
        for name, frame in _tables(fresh).items():
            pd.testing.assert_frame_equal(original[name], frame, obj=name)


def _valid(demo_store) -> dict:
    return transfer.export_document(demo_store)


MALFORMED = {
    "not json": lambda d: "{ this is not json",
    "not an export": lambda d: {"hello": "world"},
    "wrong version": lambda d: {**d, "version": 99},
    "unknown schema": lambda d: {**d, "schema": "9999"},
    "records not an object": lambda d: {**d, "records": []},
    "unknown table": lambda d: {**d, "records": {**d["records"], "secrets": []}},
    "invalid record": lambda d: _edit(d, "session_checks", 0, heard=42),
    "record without id": lambda d: _edit(d, "persons", 1, id=None),
    "duplicate ids": lambda d: {
        **d,
        "records": {**d["records"], "persons": d["records"]["persons"][:2] * 2},
    },
    "dangling reference": lambda d: _edit(d, "sessions", 0, partnership_id=99999),
    "dangling person in a half": lambda d: _edit(
        d,
        "sessions",
        -1,
        status="held",
        held_on="2026-01-01",
        halves=[{"coach_id": 99999, "client_id": 1, "minutes": 30}],
    ),
}


def _edit(document, table, index, **changes):
    records = json.loads(json.dumps(document["records"]))
    records[table][index].update(changes)
    return {**document, "records": records}


@pytest.mark.parametrize("case", list(MALFORMED))
def test_a_malformed_file_is_refused_and_changes_nothing(demo_store, tmp_path, new_database, case):
    document = MALFORMED[case](_valid(demo_store))
    with Store(new_database("target", like="empty")) as target:
        target.save(model.Person(name="Already here"))
        before = _tables(target)
        with pytest.raises(ImportRefused) as caught:
            transfer.import_document(target, transfer.read_document(_write(tmp_path, document)))
        assert "\n" in str(caught.value) or "in.json" in str(caught.value)
        for name, frame in _tables(target).items():
            pd.testing.assert_frame_equal(before[name], frame, obj=name)


def test_refusal_messages_say_where_the_problem_is(demo_store, tmp_path):
    document = _edit(_valid(demo_store), "session_checks", 2, heard=42)
    check_id = document["records"]["session_checks"][2]["id"]
    document["records"]["sessions"][0]["id"] = "seven"
    with pytest.raises(ImportRefused) as caught:
        transfer.parse_records(document)
    # A record is named by its id, as conflicts and missing references name it ("sessions
    # 12"); one without a usable id by its place in the file.
    assert str(caught.value) == (
        "nothing was imported; 2 problems:\n"
        "  - sessions, record 1 in the file: Id: must be a whole number\n"
        f"  - session_checks {check_id}: I felt heard and understood: must be from 0 to 10"
    )


def test_a_key_taken_out_by_hand_is_named_beside_the_rule_its_default_breaks(demo_store):
    """A held session without its "status" key is read as scheduled, and refused as "only a
    held session has a date held": the key missing is said too."""
    document = _valid(demo_store)
    held = next(s for s in document["records"]["sessions"] if s["status"] == "held")
    del held["status"]
    with pytest.raises(ImportRefused) as caught:
        transfer.parse_records(document)
    said = str(caught.value)
    assert f"sessions {held['id']}: Date held: only a held session has a date held" in said
    assert (
        f'sessions {held["id"]}: has no "status" (an export writes every field; a default '
        "stood in for it)"
    ) in said


def test_a_file_cut_short_or_from_a_newer_workbook_says_so(demo_store, tmp_path):
    text = json.dumps(_valid(demo_store), indent=1)
    cut = tmp_path / "cut.json"
    cut.write_text(text[: text.index('"name"') + 9], encoding="utf-8")  # inside a name
    with pytest.raises(ImportRefused) as caught:
        transfer.read_document(cut)
    assert re.fullmatch(
        r".*cut\.json: not valid JSON: Unterminated string starting at line \d+, column \d+; "
        r"the file ends before the export does, as if cut short \(a copy or download that did "
        r"not finish\): export it again",
        str(caught.value),
    )
    after_a_record = tmp_path / "after.json"  # cut just after a record's closing brace
    after_a_record.write_text(text[: text.index("}", text.index('"persons"')) + 1], "utf-8")
    with pytest.raises(ImportRefused, match="as if cut short"):
        transfer.read_document(after_a_record)
    for not_json in ("{ this is not json", "name,sign_in\nAnn,ann\n", "<html><body>Sign in"):
        other = tmp_path / "other.json"
        other.write_text(not_json, encoding="utf-8")
        with pytest.raises(ImportRefused) as caught:
            transfer.read_document(other)
        assert "not valid JSON" in str(caught.value) and "cut short" not in str(caught.value)
    broken = tmp_path / "broken.json"
    broken.write_text('{"format": "peercoach-export",, "version": 1}', encoding="utf-8")
    with pytest.raises(
        ImportRefused,
        match=r"Expecting property name enclosed in double "
        r"quotes at line 1, column 31$",
    ):
        transfer.read_document(broken)
    newer = tmp_path / "newer.json"
    newer.write_text(json.dumps({**_valid(demo_store), "schema": "9999"}), encoding="utf-8")
    with pytest.raises(ImportRefused) as caught:
        transfer.read_document(newer)
    assert "with a workbook of schema '9999', which this one does not know (it knows 0001 to " in (
        str(caught.value)
    )


def test_a_conflicting_record_is_refused(demo_store, tmp_path):
    document = _edit(_valid(demo_store), "persons", 0, name="Someone Else", time_zone="Asia/Tokyo")
    before = _tables(demo_store)
    with pytest.raises(ImportRefused) as caught:
        transfer.import_document(demo_store, document)
    assert (
        "persons 1: differs from the record with that id already in the database (in Name, Time "
        "zone)" in str(caught.value)
    )
    for name, frame in _tables(demo_store).items():
        pd.testing.assert_frame_equal(before[name], frame, obj=name)


def _copied(document, table, index, **changes) -> tuple[dict, int]:
    """``document`` with a copy of the ``index``-th record of ``table`` under a new id (and
    ``changes``): the new id with it."""
    records = json.loads(json.dumps(document["records"]))
    new_id = max(r["id"] for r in records[table]) + 1000
    records[table].append({**records[table][index], "id": new_id, **changes})
    return {**document, "records": records}, new_id


def _held_twice(document) -> int:
    """The index of a held session among the document's sessions."""
    return next(k for k, s in enumerate(document["records"]["sessions"]) if s["status"] == "held")


def _running_elsewhere(document) -> dict:
    """A new partnership of two people who are each in a running partnership."""
    pairs = [p for p in document["records"]["partnerships"] if p["ended_on"] is None]
    first, second = pairs[0], pairs[1]
    return {
        "person_a_id": first["person_a_id"],
        "person_b_id": second["person_a_id"],
        "started_on": "2026-10-01",
    }


@pytest.mark.parametrize(
    ("table", "index", "changes", "said"),
    [
        ("lsi_assessments", 0, {}, "two LSI assessments of person {person_id} on "),
        ("session_notes", 0, {}, "two notes of person {person_id} for session {session_id}"),
        ("feedback", 0, {}, "two pieces of feedback of person {author_id} as {role} in session"),
        ("sessions", _held_twice, {}, "the same session twice: partnership {partnership_id}, held"),
        ("session_checks", 0, {}, "two session checks of person {person_id} for session "),
        ("session_preps", 0, {}, "two preparations of person {person_id} for session "),
        ("agreements", 0, {}, "two agreements of partnership {partnership_id}; a partnership"),
        ("partnerships", 0, _running_elsewhere, "would be in both at once"),
    ],
)
def test_records_the_apps_keep_one_of_are_refused_twice(
    demo_store, tmp_path, table, index, changes, said
):
    """An export edited by hand (a record copied under a new id, a second partnership for
    people in one already) is refused with what the apps would not let happen."""
    document = _valid(demo_store)
    index = index(document) if callable(index) else index
    changes = changes(document) if callable(changes) else changes
    document, new_id = _copied(document, table, index, **changes)
    before = _tables(demo_store)
    with pytest.raises(ImportRefused) as caught:
        transfer.import_document(demo_store, document)
    copied = document["records"][table][-1]
    assert said.format(**copied) in str(caught.value)
    assert str(new_id) in str(caught.value)
    for name, frame in _tables(demo_store).items():
        pd.testing.assert_frame_equal(before[name], frame, obj=name)


def test_a_person_export_holds_their_records_and_no_one_elses_private_ones(
    demo_store, new_database
):
    alice = demo_store.find(model.Person, role="participant")[0]
    partner = demo_store.find(model.Partnership, person_a_id=alice.id)[0].person_b_id
    document = transfer.export_document(demo_store, alice.id)
    records = document["records"]
    assert document["person"] == alice.id
    for table in (
        "session_notes",
        "session_preps",
        "change_plans",
        "commitments",
        "session_checks",
        "lsi_assessments",
    ):
        assert records[table], table
        assert {r["person_id"] for r in records[table]} == {alice.id}, table
    assert {r["author_id"] for r in records["feedback"]} == {alice.id}
    plans = {r["id"] for r in records["change_plans"]}
    assert {
        e["record_id"] for e in records["record_history"] if e["table_name"] == "change_plans"
    } == plans
    others = [p for p in records["persons"] if p["id"] != alice.id]
    assert {p["id"] for p in others} >= {partner}
    # By name only: no e-mail, time zone or sign-in made up for them.
    assert all(set(p) == {"id", "name", "role", "cohort_id", "is_demo"} for p in others)
    # The person export is itself importable into an empty database.
    with Store(new_database("empty", like="empty")) as empty:
        transfer.import_document(empty, json.loads(json.dumps(document)))
        assert empty.get(model.Person, alice.id) == alice
    # And back into the workbook it came from: nothing new, and nobody cut down to a name.
    before = _tables(demo_store)
    assert transfer.import_document(demo_store, json.loads(json.dumps(document))) == {}
    for name, frame in _tables(demo_store).items():
        pd.testing.assert_frame_equal(before[name], frame, obj=name)
    # Into another workbook, where the partner's id is someone else: refused, not linked.
    with Store(new_database("other", like="empty")) as other:
        while other.save(model.Person(name="A Stranger")).id < partner:
            pass
        with pytest.raises(ImportRefused, match=f"persons {partner}: differs"):
            transfer.import_document(other, json.loads(json.dumps(document)))
    # The partner renamed (or forgotten) since: the same person, linked by the partnership
    # stored with the same two people; their stored record stands.
    stored = demo_store.get(model.Person, partner)
    demo_store.save(stored.replace(name="Renamed Since"))
    assert transfer.import_document(demo_store, json.loads(json.dumps(document))) == {}
    assert demo_store.get(model.Person, partner).name == "Renamed Since"
    # Alice herself changed since the export is still a conflict.
    changed = _edit(json.loads(json.dumps(document)), "persons", 0, name="Someone Else")
    with pytest.raises(ImportRefused, match=f"persons {alice.id}: differs"):
        transfer.import_document(demo_store, changed)


def test_csv_export_writes_one_file_per_table(demo_store, tmp_path):
    paths = transfer.export_csv(demo_store, tmp_path / "csv")
    assert sorted(p.stem for p in paths) == sorted(t.name for t in all_tables())
    sessions = pd.read_csv(tmp_path / "csv" / "sessions.csv")
    assert len(sessions) == demo_store.counts()["sessions"]
    agreements = pd.read_csv(tmp_path / "csv" / "agreements.csv")
    assert isinstance(json.loads(agreements["partners"][0]), list)


def test_a_person_export_holds_their_conversations_and_endings_not_their_partners(demo_store):
    ended = next(p for p in demo_store.find(model.Partnership) if not p.is_active)
    (author,) = {c.person_id for c in demo_store.find(model.Conversation, partnership_id=ended.id)}
    partner = ended.partner_of(author)
    records = transfer.export_document(demo_store, author)["records"]
    assert records["conversations"]
    assert {r["person_id"] for r in records["conversations"]} == {author}
    assert {r["person_id"] for r in records["ending_notes"]} == {author}
    assert {r["partnership_id"] for r in records["flag_episodes"]} <= {
        p["id"] for p in records["partnerships"]
    }
    assert len(records["partnerships"]) == 2  # the ended one and the one after it
    mine = transfer.export_document(demo_store, partner)["records"]
    assert mine["conversations"] == [] and {r["person_id"] for r in mine["ending_notes"]} == {
        partner
    }


def test_a_record_that_differs_in_many_fields_names_the_first_few():
    stored = model.Person(id=1, name="Ann", email="ann@example.org", sign_in="ann")
    imported = stored.replace(
        name="Bea",
        email="bea@example.org",
        sign_in="bea",
        role="facilitator",
        time_zone="Asia/Tokyo",
    )
    assert transfer._differing(stored, imported) == (
        "in Name, E-mail, Sign-in name, Role and 1 more"
    )
    assert transfer._differing(stored, stored) == ""


def test_a_flag_raised_from_a_partners_session_check_is_not_in_a_persons_export(demo_store):
    """A low-check flag on the pair told a person, in their export and My data, that their
    partner's check was low (their own was not): a session check is the person's own."""
    from peercoach_lib import my_data

    flags = demo_store.find(model.FlagEpisode)
    low = next(f for f in flags if f.rule is model.FlagRule.LOW_SESSION_CHECK)
    pair = demo_store.get(model.Partnership, low.partnership_id)
    for person in pair.members:
        records = transfer.export_document(demo_store, person)["records"]
        rules = {r["rule"] for r in records["flag_episodes"]}
        assert "low session check" not in rules
        said = " ".join(
            entry.value
            for item in my_data.inventory(demo_store, person)
            if item.kind == "partnership"
            for entry in item.entries
        )
        assert "low session check" not in said
    # Those raised from what both partners see (their sessions, say) are still theirs.
    other = next(f for f in flags if f.rule is not model.FlagRule.LOW_SESSION_CHECK)
    person = demo_store.get(model.Partnership, other.partnership_id).person_a_id
    records = transfer.export_document(demo_store, person)["records"]
    assert other.id in {r["id"] for r in records["flag_episodes"]}
