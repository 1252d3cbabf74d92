"""The demo cohort: deterministic, valid, marked as demo, and varied enough to be useful."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from peercoach_lib import demo, model, partnerships, transfer
from peercoach_lib.store import Store
from peercoach_lib.store.mapping import TABLE_MAPS
from tests.conftest import AS_OF


def _content(store: Store) -> dict:
    document = transfer.export_document(store)
    del document["exported_at"]
    return document


def test_same_seed_same_data_other_seed_other_data(tmp_path):
    stores = [Store(f"sqlite:///{tmp_path / f'{n}.sqlite'}") for n in "abc"]
    for store, seed in zip(stores, (5, 5, 6), strict=True):
        demo.generate(store, pairs=5, weeks=10, seed=seed, as_of=AS_OF)
    first, same, other = (_content(s) for s in stores)
    assert first == same
    assert first["records"]["sessions"] != other["records"]["sessions"]


def test_every_demo_record_is_valid_and_marked(demo_store: Store):
    counts = demo_store.counts()
    for mapping in TABLE_MAPS:
        records = demo_store.find(mapping.record)  # validates every one
        assert len(records) == counts[mapping.name], mapping.name
        # Every kind of record is in the demo, but drafts and follow-ups: those come from use.
        assert (len(records) > 0) is (mapping.record not in (model.Draft, model.FlagFollowUp)), (
            mapping.name
        )
        if "is_demo" in mapping.record.model_fields:
            assert all(r.is_demo for r in records), mapping.name
    # History entries are about demo records: each one's record is marked.
    for entry in demo_store.find(model.HistoryEntry):
        kind = next(m.record for m in TABLE_MAPS if m.name == entry.table_name)
        assert demo_store.get(kind, entry.record_id).is_demo
        # Created with the cohort, but for the one partnership the demo shows as ended.
        if entry.action is not model.HistoryAction.CREATED:
            assert entry.table_name == "partnerships"
            assert set(entry.changes) == {"ended_on", "end_reason"}
    assert demo_store.has_demo_data()


def test_the_cohort_has_the_shape_asked_for(demo_store: Store):
    people = demo_store.find(model.Person)
    # Six pairs and their facilitator; and three more people: a pair that ended, one of whom
    # has a new partner.
    assert len(people) == 2 * 6 + 1 + 3
    assert [p.role for p in people].count(model.Role.FACILITATOR) == 1
    (cohort,) = demo_store.find(model.Cohort)
    assert all(p.cohort_id == cohort.id for p in people)
    pairs = demo_store.find(model.Partnership)
    assert len(pairs) == 6 + 2 and all(p.cohort_id == cohort.id for p in pairs)
    assert [p.is_active for p in pairs[-2:]] == [False, True]
    assert set(pairs[-2].members) & set(pairs[-1].members)  # one of them paired again
    sessions = demo_store.frame("sessions")
    assert sessions["held_on"].max() <= pd.Timestamp(AS_OF)
    assert sessions["scheduled_on"].min() >= pd.Timestamp(AS_OF - dt.timedelta(weeks=17))
    # Some sessions are still to come, for the preparation app.
    assert (sessions["status"] == "scheduled").any()
    assert (sessions["scheduled_on"] > pd.Timestamp(AS_OF)).any()


def test_a_partnerships_and_its_agreements_history_start_no_earlier_than_it(demo_store: Store):
    """The Changes tables read as the pairs' story: nothing made before the pair was."""
    for pair in demo_store.find(model.Partnership):
        history = demo_store.history(model.Partnership, pair.id)
        for agreement in demo_store.find(model.Agreement, partnership_id=pair.id):
            history += demo_store.history(model.Agreement, agreement.id)
            created = demo_store.history(model.Agreement, agreement.id)[0]
            assert created.changed_by in pair.members  # made at a session, by one of them
        assert history
        assert min(entry.changed_at.date() for entry in history) >= pair.started_on


def test_the_cohort_is_varied(tmp_path):
    """Enough pairs show every pattern the facilitator's dashboard looks for."""
    with Store(f"sqlite:///{tmp_path / 'big.sqlite'}") as store:
        demo.generate(store, pairs=120, weeks=26, seed=11, as_of=AS_OF)
        sessions = store.frame("sessions")
        statuses = set(sessions["status"])
        assert {"held", "missed", "rescheduled", "scheduled"} <= statuses
        assert (~sessions["planned"]).any()  # rescheduled sessions held unplanned
        held = sessions[sessions["status"] == "held"]
        last_held = held.groupby("partnership_id")["held_on"].max()
        assert (pd.Timestamp(AS_OF) - last_held).dt.days.max() > 30  # someone lapsed
        commitments = store.frame("commitments")
        assert {"open", "done", "partly", "not done", "dropped"} <= set(commitments["status"])
        rate = (
            commitments[commitments["status"] != "open"]
            .assign(ok=lambda f: f["status"].isin(["done"]))
            .groupby("partnership_id")["ok"]
            .mean()
        )
        assert rate.min() < 0.5 < rate.max()
        checks = store.frame("session_checks")
        total = checks[["heard", "focus", "approach", "overall"]].sum(axis=1)
        assert (total < 36).any() and (total >= 36).any()
        halves = store.frame("session_halves")
        assert halves["minutes"].min() < 25 and halves["minutes"].max() >= 45
        gas = store.frame("gas_ratings")
        assert set(gas["level"]) == {-2, -1, 0, 1, 2}
        lsi = store.frame("lsi_assessments")
        assert lsi.groupby("person_id").size().min() >= 2  # at the start and later


def test_a_second_demo_cohort_sits_beside_the_first(demo_store: Store):
    before = demo_store.counts()
    summary = demo.generate(demo_store, pairs=2, weeks=4, seed=9, as_of=AS_OF)
    after = demo_store.counts()
    assert after["cohorts"] == before["cohorts"] + 1
    assert after["persons"] == before["persons"] + 5 + 3
    assert (
        summary.rows["persons"] == 5 + 3
        and summary.total_rows
        == sum(after[name] - before.get(name, 0) for name in after)
        + summary.rows["session_halves"]
        + summary.rows["lsi_ratings"]
    )


def test_no_note_repeats_the_one_before_it_among_a_persons_shared_or_private(demo_store):
    """The partner reads someone's shared notes in a row: one sentence three times running
    read as a fault."""
    notes = demo_store.frame("session_notes").sort_values(["person_id", "shared", "session_id"])
    before = notes.groupby(["person_id", "shared"])["text"].shift()
    assert len(notes) > 20 and not (notes["text"] == before).any()


def test_a_demo_cohort_beside_another_repeats_no_name(tmp_path):
    """The same seed twice in one workbook: every person and cohort still has a name of its own
    (the second cohort repeated the first's people and name, and no chooser told them apart);
    the first cohort is as it would be alone."""
    with Store(f"sqlite:///{tmp_path / 'two.sqlite'}") as store:
        demo.generate(store, pairs=12, weeks=8, seed=1, as_of=AS_OF)
        alone = _content(store)
        demo.generate(store, pairs=12, weeks=8, seed=1, as_of=AS_OF)
        names = [p.name for p in store.find(model.Person)]
        assert len({partnerships.name_key(n) for n in names}) == len(names) == 2 * (25 + 3)
        cohorts = [c.name for c in store.find(model.Cohort)]
        assert cohorts == [f"Demo cohort {AS_OF:%B %Y}", f"Demo cohort {AS_OF:%B %Y} (2)"]
        first = {p.id: p.name for p in store.find(model.Person) if p.id <= 28}
        assert first == {r["id"]: r["name"] for r in alone["records"]["persons"]}
    with Store(f"sqlite:///{tmp_path / 'many.sqlite'}") as store:
        # More people than the name banks make: told apart by a number.
        demo.generate(store, pairs=1500, weeks=1, seed=3, as_of=AS_OF)
        names = [p.name for p in store.find(model.Person)]
        assert len({partnerships.name_key(n) for n in names}) == len(names)


@pytest.mark.parametrize(("pairs", "weeks"), [(0, 4), (2, 0), (2, 600)])
def test_impossible_sizes_are_refused(store: Store, pairs, weeks):
    with pytest.raises(ValueError):
        demo.generate(store, pairs=pairs, weeks=weeks)
    assert store.is_empty()
