"""Forgetting a person: their identity and words leave the whole database; every figure stays."""

from __future__ import annotations

import datetime as dt
import enum
import io
import itertools
import json
import logging
import sys
import typing
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from peercoach_lib import cli, cohort, demo, forget, model, partnerships, transfer
from peercoach_lib.errors import ImportRefused, NotFoundError
from peercoach_lib.model.base import _inner_model
from peercoach_lib.store import Store, schema
from peercoach_lib.store.mapping import TABLE_MAPS
from tests.conftest import AS_OF

UTC = dt.UTC
NOW = dt.datetime(2026, 11, 24, 12, 0, tzinfo=UTC)

#: The records a person writes, by the column that names them.
OWN_KINDS: dict[type[model.Record], str] = {
    model.SessionNote: "person_id",
    model.SessionPrep: "person_id",
    model.Draft: "person_id",
    model.Feedback: "author_id",
    model.Conversation: "person_id",
    model.EndingNote: "person_id",
    model.ChangePlan: "person_id",
    model.Commitment: "person_id",
    model.LsiAssessment: "person_id",
    model.SessionCheck: "person_id",
}
#: Fields holding fixed names or settings rather than a person's words.
FIXED_FIELDS = frozenset({"lsi_area", "area", "kind", "key", "prompted_by", "time_zone"})
#: Tables whose rows must come through forgetting exactly as they were.
KEPT_TABLES = (
    "cohorts",
    "session_halves",
    "session_checks",
    "gas_ratings",
    "lsi_ratings",
    "flag_follow_ups",
)
#: Counts per pair that forgetting leaves as they were (the pair itself ends: see below).
KEPT_COUNTS = [
    "held",
    "planned",
    "missed",
    "done",
    "partly",
    "not_done",
    "minutes_a",
    "minutes_b",
    "checks",
    "check_total_sum",
    "flagged_checks",
]


class Words:
    """Distinct marker strings, so that a search can only find what it is looking for."""

    def __init__(self, prefix: str):
        self.prefix = prefix
        self.made: list[str] = []
        self._counter = itertools.count(1)

    def __call__(self, label: str = "text") -> str:
        word = f"{self.prefix}{next(self._counter):03d} {label}"
        self.made.append(word)
        return word


# -- building the store ---------------------------------------------------------------------------


def _add_records(store: Store, me: int, partner: int, pair: int, mine: Words, theirs: Words):
    """One of every record kind for ``me`` (and for the partner), with history from edits."""
    a = store.save(
        model.Session(
            partnership_id=pair,
            planned=False,
            status="held",
            held_on=AS_OF - dt.timedelta(days=3),
            halves=[
                model.SessionHalf(coach_id=me, client_id=partner, minutes=40),
                model.SessionHalf(coach_id=partner, client_id=me, minutes=45),
            ],
        )
    )
    plans = {}
    for who, words in ((me, mine), (partner, theirs)):
        plan = store.save(
            model.ChangePlan(
                person_id=who,
                change=words("change"),
                why_it_matters=words("why"),
                importance=9,
                confidence=6,
                lsi_area="Pace of life",
                goal_statement=words("goal statement"),
                steps=[model.PlanStep(text=words("step"), by_when=dt.date(2026, 10, 12))],
                supports=words("supports"),
                obstacles=[model.Obstacle(obstacle=words("obstacle"), response=words("response"))],
                evidence=words("evidence"),
                milestones=[model.Milestone(due_on=dt.date(2026, 11, 2), description=words())],
                gas=model.GasScale(
                    much_less=words("gas -2"),
                    somewhat_less=words("gas -1"),
                    expected=words("gas 0"),
                    somewhat_more=words("gas +1"),
                    much_more=words("gas +2"),
                ),
                baseline_level=-2,
                weight=2.0,
                status="dropped",
                status_reason=words("reason"),
                created_on=dt.date(2026, 9, 1),
            ),
            by=who,
        )
        # An edit, so that the record history holds the words before and after.
        plans[who] = store.save(
            plan.replace(
                change=words("edited change"),
                goal_statement=words("edited goal statement"),
                steps=[*plan.steps, model.PlanStep(text=words("second step"))],
                gas=plan.gas.replace(expected=words("edited gas 0")),
            ),
            by=who,
        )
        store.save(model.GasRating(plan_id=plan.id, session_id=a.id, rated_on=a.held_on, level=0))
        store.save_all(
            [
                model.SessionNote(session_id=a.id, person_id=who, text=words("note")),
                model.SessionPrep(
                    session_id=a.id,
                    person_id=who,
                    purpose=words("purpose"),
                    outcomes=words("outcomes"),
                    process=words("process"),
                    pinned_questions=[words("question")],
                    private_notes=words("private notes"),
                ),
                model.Commitment(
                    partnership_id=pair,
                    person_id=who,
                    made_in_session_id=a.id,
                    text=words("commitment"),
                    by_when=AS_OF,
                    goal_id=plan.id,
                    status="partly",
                    obstacle=words("what got in the way"),
                ),
                model.Feedback(
                    session_id=a.id,
                    author_id=who,
                    role="client",
                    most_helpful=words("most helpful"),
                    less_helpful=words("less helpful"),
                ),
                model.Feedback(
                    session_id=a.id,
                    author_id=who,
                    role="coach",
                    what_worked=words("what worked"),
                    try_next_time=words("try next time"),
                ),
                model.SessionCheck(
                    session_id=a.id, person_id=who, heard=9, focus=8, approach=7, overall=8
                ),
                model.LsiAssessment(
                    person_id=who,
                    taken_on=AS_OF,
                    note=words("lsi note"),
                    areas=[
                        model.LsiAreaRating(area=name, satisfaction=i, importance=10 - i)
                        for i, name in enumerate(model.DEFAULT_AREAS)
                    ],
                ),
                model.Draft(
                    person_id=who,
                    kind="session log",
                    key=f"partnership:{pair}:session:{a.id}",
                    data={"note": words("draft"), "nested": {"items": [words("draft item")]}},
                ),
                model.Conversation(
                    partnership_id=pair,
                    person_id=who,
                    prompted_by="lapsing",
                    issue=words("issue"),
                    example=words("example"),
                    feeling=words("feeling"),
                    stakes=words("stakes"),
                    my_part=words("my part"),
                    wish=words("wish"),
                    invitation=words("invitation"),
                    held_on=AS_OF - dt.timedelta(days=10),
                    outcome="agreed how to go on",
                    agreed=words("agreed"),
                    hold_to_it=words("hold to it"),
                    review_on=AS_OF + dt.timedelta(days=14),
                ),
                model.EndingNote(
                    partnership_id=pair,
                    person_id=who,
                    reason=words("ending reason"),
                    learned=words("learned"),
                ),
            ]
        )

    def section(who: int, words: Words) -> model.PartnerSection:
        return model.PartnerSection(
            person_id=who,
            confidentiality_meaning=words("confidentiality"),
            affirmed_at=dt.datetime(2026, 8, 5, 9, 0, tzinfo=UTC),
            hopes=words("hopes"),
            works_for_me=words("works for me"),
            does_not_work=words("does not work"),
            support_looks_like=words("support"),
        )

    agreement = store.find(model.Agreement, partnership_id=pair)[0]
    order = [s.person_id for s in agreement.partners]
    sections = {me: section(me, mine), partner: section(partner, theirs)}
    agreement = store.save(
        agreement.replace(
            partners=[sections[who] for who in order],
            goals=[
                model.PartnershipGoal(text=theirs("shared goal")),
                model.PartnershipGoal(text=mine("goal on my plan"), change_plan_id=plans[me].id),
            ],
        ),
        by=me,
    )
    # A second edit by the partner: both sections change, in one history entry.
    store.save(
        agreement.replace(
            partners=[
                s.replace(hopes=(mine if s.person_id == me else theirs)("new hopes"))
                for s in agreement.partners
            ]
        ),
        by=partner,
    )
    return a


def _walk(value, field: str | None = None) -> Iterator[str]:
    """The words in a record: its text, not its enums, dates or fixed names."""
    if field in FIXED_FIELDS or isinstance(value, enum.Enum):
        return
    if isinstance(value, str):
        yield value
    elif isinstance(value, model.Record):
        for name in type(value).model_fields:
            yield from _walk(getattr(value, name), name)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _walk(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _walk(item)


def _own_records(store: Store, person_id: int) -> list[model.Record]:
    records: list[model.Record] = [store.get(model.Person, person_id)]
    for kind, column in OWN_KINDS.items():
        records += store.find(kind, **{column: person_id})
    plan_ids = {p.id for p in store.find(model.ChangePlan, person_id=person_id)}
    for agreement in store.find(model.Agreement):
        records += [s for s in agreement.partners if s.person_id == person_id]
        records += [g for g in agreement.goals if g.change_plan_id in plan_ids]
    return records


def _elsewhere(store: Store, person_id: int) -> list[str]:
    """Every other record as text (history aside, which repeats the records' own words)."""
    plan_ids = {p.id for p in store.find(model.ChangePlan, person_id=person_id)}
    blobs = []
    for mapping in TABLE_MAPS:
        if mapping.record is model.HistoryEntry:
            continue
        column = OWN_KINDS.get(mapping.record)
        for record in store.find(mapping.record):
            if column and getattr(record, column) == person_id:
                continue
            if isinstance(record, model.Person) and record.id == person_id:
                continue
            if isinstance(record, model.Agreement):
                record = record.model_copy(
                    update={
                        "partners": [s for s in record.partners if s.person_id != person_id],
                        "goals": [g for g in record.goals if g.change_plan_id not in plan_ids],
                    }
                )
            blobs.append(json.dumps(record.model_dump(mode="json"), ensure_ascii=False))
    return blobs


def _private_words(store: Store, person_id: int) -> set[str]:
    """The person's own words and identity: what they wrote and what no one else's record holds.

    Demo text comes from shared phrase banks, so a demo phrase counts only if no other record
    holds it; the test's own markers are unique to the person by construction.
    """
    own = {w for r in _own_records(store, person_id) for w in _walk(r) if len(w) >= 6}
    own = {w for w in own if w.isascii()}
    others = _elsewhere(store, person_id)
    return {w for w in own if not any(w in blob for blob in others)}


def _find_in_database(store: Store, needles: set[str]) -> list[tuple[str, str, str]]:
    """Every (table, column, needle) where a needle occurs in any value of any table."""
    hits = []
    with store.reading() as tx:
        tables = sa.inspect(tx.connection).get_table_names()
        assert set(schema.metadata.tables) <= set(tables)
        for table in tables:
            result = tx.connection.exec_driver_sql(f'SELECT * FROM "{table}"')
            columns = list(result.keys())
            for row in result:
                for column, value in zip(columns, row, strict=True):
                    if isinstance(value, bytes):
                        value = value.decode("utf-8", "replace")
                    if isinstance(value, str):
                        hits += [(table, column, n) for n in needles if n in value]
    return hits


def _file_bytes(store: Store) -> bytes:
    path = Path(store.engine.url.database)
    data = path.read_bytes()
    for suffix in ("-wal", "-journal"):
        extra = path.with_name(path.name + suffix)
        if extra.exists():
            data += extra.read_bytes()
    return data


def _tables(store: Store, names) -> dict[str, pd.DataFrame]:
    out = {}
    for name in names:
        frame = store.frame(name)
        out[name] = frame.sort_values(list(frame.columns[:2])).reset_index(drop=True)
    return out


def _dump(store: Store, person_id: int) -> dict[str, list]:
    """A person's records, their agreement sections and their plans' history, as JSON."""
    out: dict[str, list] = {
        "person": [store.get(model.Person, person_id).model_dump(mode="json")],
    }
    for kind, column in OWN_KINDS.items():
        out[kind.__name__] = [
            r.model_dump(mode="json") for r in store.find(kind, **{column: person_id})
        ]
    out["sections"] = [
        s.model_dump(mode="json")
        for a in store.find(model.Agreement)
        for s in a.partners
        if s.person_id == person_id
    ]
    out["plan history"] = [
        e.model_dump(mode="json")
        for plan in store.find(model.ChangePlan, person_id=person_id)
        for e in store.history(model.ChangePlan, plan.id)
    ]
    return out


@pytest.fixture
def world(demo_store: Store):
    """The demo cohort, plus one of every record for a person and their partner."""
    pair = demo_store.find(model.Partnership)[0]
    me, partner = pair.person_a_id, pair.person_b_id
    mine, theirs = Words("forgetme"), Words("keepme")
    # The name the person signs in with on a shared server identifies them too.
    person = demo_store.get(model.Person, me)
    demo_store.save(person.replace(sign_in="forgetme-sign-in"))
    session = _add_records(demo_store, me, partner, pair.id, mine, theirs)
    return {
        "store": demo_store,
        "me": me,
        "partner": partner,
        "pair": pair,
        "session": session,
        "mine": mine.made,
        "theirs": theirs.made,
    }


# -- the whole database ---------------------------------------------------------------------------


def test_every_kind_of_private_record_is_covered_by_the_setup(world):
    store, me = world["store"], world["me"]
    with store.reading() as tx:
        for table in schema.metadata.sorted_tables:
            for column in ("person_id", "author_id"):
                if column in table.c:
                    query = sa.select(sa.func.count()).where(table.c[column] == me)
                    assert tx.connection.execute(query).scalar_one() > 0, table.name
    history = store.history(model.ChangePlan, store.find(model.ChangePlan, person_id=me)[-1].id)
    assert [e.action for e in history] == ["created", "updated"]


def test_no_trace_of_the_person_is_left_in_any_table_or_in_the_file(world):
    store, me = world["store"], world["me"]
    person = store.get(model.Person, me)
    # Words the person replaced by editing live on in the record history only; theirs as well.
    secrets = _private_words(store, me) | set(world["mine"])
    assert person.email in secrets
    assert person.sign_in in secrets
    # The search sees the words before: in tables, in history, and in the file's bytes.
    before = _find_in_database(store, secrets)
    assert {n for _, _, n in before} == secrets
    assert {t for t, _, _ in before} >= {"persons", "record_history", "agreements", "drafts"}
    assert any(w.encode() in _file_bytes(store) for w in world["mine"])
    # SQLite builds differ in whether deleted content is zeroed; here it is not, as by default.
    sa.event.listen(
        store.engine, "connect", lambda conn, _: conn.execute("PRAGMA secure_delete = OFF")
    )
    store.engine.dispose()

    report = forget.forget_person(store, me, now=NOW)

    assert _find_in_database(store, secrets) == []
    data = _file_bytes(store)
    assert [w for w in secrets if w.encode() in data] == []
    assert report.storage_cleaned is True
    # The partner's words are all still there, history included.
    kept = _find_in_database(store, set(world["theirs"]))
    assert {n for _, _, n in kept} == set(world["theirs"])
    assert "record_history" in {t for t, _, _ in kept}


def test_the_person_row_stays_with_a_placeholder_identity(world):
    store, me = world["store"], world["me"]
    before = store.get(model.Person, me)
    forget.forget_person(store, me, now=NOW)
    after = store.get(model.Person, me)
    assert (after.name, after.email, after.time_zone) == ("Former participant", "", "UTC")
    assert after.sign_in is None
    assert after.forgotten_at == NOW
    assert (after.role, after.cohort_id, after.is_demo, after.created_at) == (
        before.role,
        before.cohort_id,
        before.is_demo,
        before.created_at,
    )


def test_private_records_are_deleted_and_numbers_kept(world):
    store, me = world["store"], world["me"]
    plans = store.find(model.ChangePlan, person_id=me)
    commitments = store.find(model.Commitment, person_id=me)
    assessments = store.find(model.LsiAssessment, person_id=me)
    checks = store.find(model.SessionCheck, person_id=me)
    notes = len(store.find(model.SessionNote, person_id=me))
    forget.forget_person(store, me, now=NOW)

    assert notes > 1
    for kind in (model.SessionNote, model.SessionPrep, model.Draft):
        assert store.find(kind, person_id=me) == [], kind
    assert store.find(model.Feedback, author_id=me) == []
    assert store.find(model.Conversation, person_id=me) == []
    assert store.find(model.EndingNote, person_id=me) == []
    assert store.find(model.SessionCheck, person_id=me) == checks

    numbers = {
        "id",
        "importance",
        "confidence",
        "lsi_area",
        "baseline_level",
        "weight",
        "status",
        "created_on",
    }
    after = store.find(model.ChangePlan, person_id=me)
    assert [p.model_dump(include=numbers) for p in after] == [
        p.model_dump(include=numbers) for p in plans
    ]
    mine = next(p for p in after if p.status == "dropped")
    assert mine.change == mine.status_reason == forget.PLACEHOLDER
    assert mine.why_it_matters == mine.goal_statement == mine.supports == mine.evidence == ""
    assert [s.text for s in mine.steps] == [forget.PLACEHOLDER] * 2
    assert [s.by_when for s in mine.steps] == [s.by_when for s in plans[-1].steps]
    assert [(o.obstacle, o.response) for o in mine.obstacles] == [(forget.PLACEHOLDER, "")]
    assert [(m.due_on, m.description) for m in mine.milestones] == [(dt.date(2026, 11, 2), "")]
    assert mine.gas == model.GasScale()

    kept = {"id", "status", "by_when", "made_in_session_id", "reviewed_in_session_id", "goal_id"}
    after_commitments = store.find(model.Commitment, person_id=me)
    assert [c.model_dump(include=kept) for c in after_commitments] == [
        c.model_dump(include=kept) for c in commitments
    ]
    assert {(c.text, c.obstacle) for c in after_commitments} == {(forget.PLACEHOLDER, "")}

    after_lsi = store.find(model.LsiAssessment, person_id=me)
    assert [(a.taken_on, a.areas) for a in after_lsi] == [
        (a.taken_on, a.areas) for a in assessments
    ]
    assert {a.note for a in after_lsi} == {""}


def test_the_report_counts_what_was_removed(world):
    store, me = world["store"], world["me"]
    notes = len(store.find(model.SessionNote, person_id=me))
    feedback = len(store.find(model.Feedback, author_id=me))
    commitments = len(store.find(model.Commitment, person_id=me))
    report = forget.forget_person(store, me, now=NOW)
    assert report.removed["session notes"] == notes
    assert report.removed["pieces of feedback"] == feedback
    assert report.removed["drafts"] == report.removed["courageous conversations"] == 1
    assert report.removed["ending notes"] == 1
    assert report.anonymised["identity"] == 1
    assert report.anonymised["commitments"] == commitments
    assert report.anonymised["agreement sections"] == 1
    assert report.anonymised["partnership goals"] == 1
    # The plan's edit and both agreement edits that held the person's words.
    assert report.anonymised["history entries"] == 3
    assert report.counts["session notes"] == notes
    assert (report.person_id, report.forgotten_at, report.already_forgotten) == (me, NOW, False)
    summary = report.summary()
    assert summary.startswith(f"Forgot person {me}: replaced their name and e-mail")
    assert f"{notes} session notes" in summary and "1 draft" in summary
    assert summary.endswith(".") and "\n" not in summary


# -- what stays ---------------------------------------------------------------------------------


def test_everyone_elses_records_and_the_cohort_figures_are_unchanged(world):
    store, me, pair = world["store"], world["me"], world["pair"]
    others = [p.id for p in store.find(model.Person) if p.id != me]
    dumps = {pid: _dump(store, pid) for pid in others}
    assert dumps[world["partner"]]["SessionNote"] and dumps[world["partner"]]["plan history"]
    tables = _tables(store, KEPT_TABLES)
    end = AS_OF + dt.timedelta(days=1)
    view = cohort.load(store, pair.cohort_id, end=end)
    assert view.pairs.loc[view.pairs["pair"] == pair.id, "held"].item() > 0

    forget.forget_person(store, me, now=NOW)

    for pid in others:
        assert _dump(store, pid) == dumps[pid], pid
    for name, frame in _tables(store, KEPT_TABLES).items():
        pd.testing.assert_frame_equal(tables[name], frame, obj=name)
    again = cohort.load(store, pair.cohort_id, end=end)
    # By pair: the partnership that ends with the person now sorts after the running ones.
    pd.testing.assert_frame_equal(
        view.pairs.set_index("pair").sort_index()[KEPT_COUNTS],
        again.pairs.set_index("pair").sort_index()[KEPT_COUNTS],
    )
    assert view.people == again.people
    # The person's running partnership ends with them ("other": nobody learns why), its booked
    # sessions are cancelled, and every other pair is exactly as it was.
    ended = store.get(model.Partnership, pair.id)
    assert (ended.ended_on, ended.end_reason) == (NOW.date(), model.EndReason.OTHER)
    after = store.find(model.Session, partnership_id=pair.id)
    assert all(s.status is not model.SessionStatus.SCHEDULED for s in after)
    others_now = again.pairs[again.pairs["pair"] != pair.id].reset_index(drop=True)
    others_before = view.pairs[view.pairs["pair"] != pair.id].reset_index(drop=True)
    pd.testing.assert_frame_equal(others_before, others_now)
    assert set(again.flags["pair"]) == set(view.flags["pair"]) - {pair.id}


def test_agreement_history_keeps_the_partners_words_and_loses_the_persons(world):
    store, me, partner = world["store"], world["me"], world["partner"]
    agreement = store.find(model.Agreement, partnership_id=world["pair"].id)[0]

    def sections(entries, who):
        return [
            [s for s in (getattr(change, side) or []) if s["person_id"] == who]
            for e in entries
            for name, change in e.changes.items()
            if name == "partners"
            for side in ("before", "after")
        ]

    history = store.history(model.Agreement, agreement.id)
    theirs = sections(history, partner)
    assert any("keepme" in json.dumps(s) for s in theirs)
    forget.forget_person(store, me, now=NOW)
    after = store.history(model.Agreement, agreement.id)
    assert sections(after, partner) == theirs
    blank = {"confidentiality_meaning", "hopes", "works_for_me", "does_not_work"}
    for found in sections(after, me):
        for section in found:
            assert all(section[k] == "" for k in blank), section
    assert [(e.id, e.action, e.changed_by, e.changed_at) for e in after] == [
        (e.id, e.action, e.changed_by, e.changed_at) for e in history
    ]
    current = store.find(model.Agreement, partnership_id=world["pair"].id)[0]
    assert current.in_force
    shared = next(w for w in world["theirs"] if w.endswith("shared goal"))
    assert [g.text for g in current.goals] == [shared, forget.PLACEHOLDER]


# -- export, repeats, failures ---------------------------------------------------------------------


def test_an_export_after_forgetting_holds_none_of_the_persons_words(world):
    store, me = world["store"], world["me"]
    secrets = _private_words(store, me)
    before = json.dumps(transfer.export_document(store, me))
    assert any(w in before for w in secrets)
    forget.forget_person(store, me, now=NOW)
    for document in (transfer.export_document(store, me), transfer.export_document(store)):
        text = json.dumps(document)
        assert [w for w in secrets if w in text] == []


def test_an_export_taken_before_forgetting_does_not_bring_the_person_back(world):
    store, me = world["store"], world["me"]
    document = transfer.export_document(store, me)
    forget.forget_person(store, me, now=NOW)
    tables = _tables(store, [t.name for t in schema.metadata.sorted_tables])
    with pytest.raises(ImportRefused) as refused:
        transfer.import_document(store, document)
    assert str(refused.value) == (
        f"this is the export of person {me}, who was deleted from this workbook on 24 November "
        "2026; a deletion cannot be undone, so nothing of theirs is imported here (the file can "
        "go into another, empty workbook)"
    )
    for name, frame in _tables(store, list(tables)).items():
        pd.testing.assert_frame_equal(tables[name], frame, obj=name)


def test_forgetting_twice_is_harmless(world):
    store, me = world["store"], world["me"]
    first = forget.forget_person(store, me, now=NOW)
    tables = _tables(store, [t.name for t in schema.metadata.sorted_tables])
    second = forget.forget_person(store, me, now=NOW + dt.timedelta(days=3))
    assert first.changed and not second.changed
    assert second.already_forgotten and second.forgotten_at == NOW
    assert second.summary().startswith(f"Person {me} was already forgotten on 24 November 2026")
    assert "nothing left to remove" in second.summary()
    for name, frame in _tables(store, list(tables)).items():
        pd.testing.assert_frame_equal(tables[name], frame, obj=name)


def test_history_of_a_plan_deleted_earlier_is_scrubbed_too(world):
    store, me, partner = world["store"], world["me"], world["partner"]
    words = {}
    for who in (me, partner):
        plan = store.save(
            model.ChangePlan(person_id=who, change="A plan", created_on=AS_OF), by=who
        )
        words[who] = f"deleted plan words of {who}"
        store.save(plan.replace(change=words[who]), by=who)
        store.save(plan.replace(change="Later words"), by=who)
        store.delete(model.ChangePlan, plan.id, by=who)
    assert {n for _, _, n in _find_in_database(store, set(words.values()))} == set(words.values())
    forget.forget_person(store, me, now=NOW)
    assert {n for _, _, n in _find_in_database(store, set(words.values()))} == {words[partner]}


def test_an_unknown_person_is_not_found(world):
    with pytest.raises(NotFoundError, match="there is no person 9999"):
        forget.forget_person(world["store"], 9999)


def test_a_failure_part_way_changes_nothing(world):
    store, me = world["store"], world["me"]
    tables = _tables(store, [t.name for t in schema.metadata.sorted_tables])
    # The database refuses the last step, the history: everything before it must be undone.
    with store.transaction() as tx:
        tx.connection.exec_driver_sql(
            "CREATE TRIGGER refuse BEFORE UPDATE ON record_history "
            "BEGIN SELECT RAISE(ABORT, 'refused'); END"
        )
    with pytest.raises(sa.exc.DBAPIError, match="refused"):
        forget.forget_person(store, me, now=NOW)
    for name, frame in _tables(store, list(tables)).items():
        pd.testing.assert_frame_equal(tables[name], frame, obj=name)
    assert store.get(model.Person, me).forgotten_at is None


def test_a_facilitator_becomes_a_former_facilitator(demo_store):
    facilitator = demo_store.find(model.Person, role="facilitator")[0]
    cohorts = demo_store.find(model.Cohort, facilitator_id=facilitator.id)
    forget.forget_person(demo_store, facilitator.id, now=NOW)
    assert demo_store.get(model.Person, facilitator.id).name == "Former facilitator"
    assert demo_store.find(model.Cohort, facilitator_id=facilitator.id) == cohorts


def test_an_in_memory_store_needs_no_file_cleaning():
    with Store("sqlite:///:memory:") as store:
        person = store.save(model.Person(name="Ada Example", email="ada@example.org"))
        report = forget.forget_person(store, person.id)
        assert report.storage_cleaned is None
        assert store.get(model.Person, person.id).email == ""


def test_the_log_names_the_person_by_id_only(world, caplog):
    store, me = world["store"], world["me"]
    name = store.get(model.Person, me).name
    with caplog.at_level(logging.INFO, logger="peercoach_lib.forget"):
        forget.forget_person(store, me, now=NOW)
    messages = [r.getMessage() for r in caplog.records if r.name == "peercoach_lib.forget"]
    assert any(f"person {me} was forgotten" in m for m in messages)
    assert not any(name in m for m in messages)


def _text_fields(kind: type[model.Record]) -> Iterator[tuple[str, typing.Any]]:
    for name, info in kind.model_fields.items():
        if "str" in repr(info.annotation) and _inner_model(info.annotation) is None:
            yield name, info.annotation


@pytest.mark.parametrize(
    "kind",
    [
        model.ChangePlan,
        model.PlanStep,
        model.Obstacle,
        model.Milestone,
        model.GasScale,
        model.Commitment,
        model.LsiAssessment,
        model.LsiAreaRating,
        model.PartnerSection,
        model.PartnershipGoal,
    ],
)
def test_every_text_field_of_a_kept_record_is_either_scrubbed_or_a_fixed_name(kind):
    """A text field added later must be scrubbed, or declared a fixed name, on purpose."""
    kept = forget.KEPT_TEXT.get(kind, frozenset())
    for name, annotation in _text_fields(kind):
        if name in kept:
            continue
        assert annotation in (str, str | None), f"decide how forgetting treats {kind}.{name}"
        assert forget.scrub(kind, {name: "private words"})[name] in ("", forget.PLACEHOLDER)


# -- the command ---------------------------------------------------------------------------------


@pytest.fixture
def db(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'cli.sqlite'}"
    monkeypatch.setenv("PEERCOACH_DB", url)
    with Store(url) as store:
        demo.generate(store, pairs=2, weeks=4, seed=2, as_of=AS_OF)
    return url


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_forget_command_forgets_and_prints_the_summary(db, capsys, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO("n\n"))
    # Without a terminal to ask at (a script, a pipe), nothing happens without --yes.
    assert cli.main(["forget", "--person", "2"]) == 1
    assert "it needs --yes" in capsys.readouterr().err
    with Store(db) as store:
        assert store.get(model.Person, 2).forgotten_at is None
    assert cli.main(["forget", "--person", "2", "--yes"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Forgot person 2: replaced their name and e-mail")
    with Store(db) as store:
        person = store.get(model.Person, 2)
        assert (person.name, person.email) == ("Former participant", "")
        assert person.forgotten_at is not None
        assert store.find(model.SessionNote, person_id=2) == []
    # Twice is harmless.
    assert cli.main(["forget", "--person", "2", "--yes"]) == 0
    assert "was already forgotten" in capsys.readouterr().out


def test_forget_command_refuses_an_unknown_person(db, capsys):
    assert cli.main(["forget", "--person", "999", "--yes"]) == 2
    assert "peercoach forget: there is no person 999" in capsys.readouterr().err


def test_forget_command_asks_at_a_terminal(db, capsys, monkeypatch):
    with Store(db) as store:
        name = store.get(model.Person, 3).name
    monkeypatch.setattr(sys, "stdin", _Terminal("no\n"))
    assert cli.main(["forget", "--person", "3"]) == 1
    captured = capsys.readouterr()
    assert f"Forget {name} (person 3)? This cannot be undone. Type yes:" in captured.out
    assert "Nothing was changed" in captured.err
    with Store(db) as store:
        assert store.get(model.Person, 3).name == name
    monkeypatch.setattr(sys, "stdin", _Terminal("yes\n"))
    assert cli.main(["forget", "--person", "3"]) == 0
    with Store(db) as store:
        assert store.get(model.Person, 3).forgotten_at is not None


def test_forgetting_a_cohorts_facilitator_says_the_cohort_is_left_without_one(
    db, capsys, monkeypatch
):
    with Store(db) as store:
        (cohort_,) = store.find(model.Cohort)
        fay = store.get(model.Person, cohort_.facilitator_id)
    said = f"is the facilitator of {cohort_.name!r} (cohort {cohort_.id}): it has none once"
    monkeypatch.setattr(sys, "stdin", _Terminal("no\n"))
    assert cli.main(["forget", "--person", str(fay.id)]) == 1
    assert f"{fay.name} {said}" in capsys.readouterr().err  # before the question
    assert cli.main(["forget", "--person", str(fay.id), "--yes"]) == 0
    out = capsys.readouterr().out
    assert f"{fay.name} was the facilitator of {cohort_.name!r}" in out
    assert "until a roster names one (peercoach enrol, a row whose role is facilitator)" in out
    # A participant is forgotten without a word about cohorts.
    assert cli.main(["forget", "--person", str(fay.id + 1), "--yes"]) == 0
    assert "facilitator of" not in capsys.readouterr().out


def test_forget_command_has_help(capsys):
    with pytest.raises(SystemExit) as exited:
        cli.main(["forget", "--help"])
    assert exited.value.code == 0
    out = capsys.readouterr().out
    assert "usage: peercoach forget" in out and "--person" in out and "--yes" in out


def test_a_partnership_ends_on_the_day_its_schedule_has_reached(store, pair):
    """Forgotten at 23:30 UTC on 24 November: it is already the 25th where the pair meets
    (Auckland), so the partnership ends on the 25th and that day's session is not cancelled."""
    partnership = pair["partnership"]
    store.save(
        model.Agreement(
            partnership_id=partnership.id,
            first_session_on=dt.date(2026, 1, 7),
            time_zone="Pacific/Auckland",
        )
    )
    booked = [
        store.save(
            model.Session(partnership_id=partnership.id, scheduled_on=day, status="scheduled")
        )
        for day in (dt.date(2026, 11, 25), dt.date(2026, 11, 26))
    ]
    late = dt.datetime(2026, 11, 24, 23, 30, tzinfo=UTC)

    forget.forget_person(store, pair["alice"].id, now=late)

    assert store.get(model.Partnership, partnership.id).ended_on == dt.date(2026, 11, 25)
    statuses = [store.get(model.Session, s.id).status for s in booked]
    assert statuses == [model.SessionStatus.SCHEDULED, model.SessionStatus.CANCELLED]


def test_without_an_agreement_the_day_is_the_persons_own(store, pair):
    """Alice is in London: at 23:30 UTC in summer it is already the next day there."""
    late = dt.datetime(2026, 7, 1, 23, 30, tzinfo=UTC)
    forget.forget_person(store, pair["alice"].id, now=late)
    assert store.get(model.Partnership, pair["partnership"].id).ended_on == dt.date(2026, 7, 2)


def test_a_partnership_does_not_end_before_a_session_held_already(store, pair):
    """Alice (London) forgotten at 23:30 UTC: the 24th for her, but Bob's workbook, a day
    ahead somewhere, has the 25th's session logged held: the partnership ends on the 25th."""
    partnership = pair["partnership"]
    held = store.save(
        model.Session(
            partnership_id=partnership.id,
            planned=False,
            status="held",
            held_on=dt.date(2026, 11, 25),
        )
    )
    forget.forget_person(store, pair["alice"].id, now=dt.datetime(2026, 11, 24, 23, 30, tzinfo=UTC))
    assert store.get(model.Partnership, partnership.id).ended_on == held.held_on


def test_a_partnership_paired_to_start_later_is_called_off_and_frees_the_partner(store, pair):
    """Alice leaves before her pair begins: it is called off today, its booked sessions
    cancelled, and Bob can be paired today (it ended on its start day, years ahead, and kept
    him until then)."""
    later = store.save(pair["partnership"].replace(started_on=dt.date(2036, 1, 1)))
    booked = store.save(
        model.Session(partnership_id=later.id, scheduled_on=dt.date(2036, 1, 8), status="scheduled")
    )
    now = dt.datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
    forget.forget_person(store, pair["alice"].id, now=now)
    ended = store.get(model.Partnership, later.id)
    assert (ended.started_on, ended.ended_on) == (dt.date(2026, 11, 25), dt.date(2026, 11, 25))
    assert store.get(model.Session, booked.id).status == model.SessionStatus.CANCELLED
    carol = store.save(model.Person(name="Carol", cohort_id=pair["cohort"].id))
    again = partnerships.pair(store, pair["bob"].id, carol.id, on=dt.date(2026, 11, 25))
    assert again.is_active and again.started_on == dt.date(2026, 11, 25)
