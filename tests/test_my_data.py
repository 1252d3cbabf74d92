"""The inventory of what is stored about a person, who sees each field, and sharing switches."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from peercoach_lib import model, my_data, partnerships
from peercoach_lib.errors import NotFoundError
from peercoach_lib.my_data import AGGREGATES, FACILITATOR, ME, PARTNER
from tests.sharing_examples import TODAY, populate


@pytest.fixture
def lives(store, pair):
    return populate(store, pair)


def _entry(items, kind: str, label: str, record_id: int | None = None) -> my_data.Entry:
    found = [
        e
        for item in items
        if item.kind == kind and (record_id is None or item.record_id == record_id)
        for e in item.entries
        if e.label == label
    ]
    assert len(found) == 1, (kind, label, found)
    return found[0]


def test_every_kind_is_listed_in_order_and_nothing_of_the_partners(store, pair, lives):
    items = my_data.inventory(store, pair["alice"].id)
    assert list(my_data.by_kind(items)) == [
        "person",
        "partnership",
        "agreement",
        "session",
        "session_prep",
        "session_note",
        "commitment",
        "feedback",
        "session_check",
        "lsi",
        "change_plan",
        "conversation",
        "draft",
        "history",
    ]
    values = " ".join(e.value for item in items for e in item.entries)
    for mine in (
        "ALICE-PREP-PURPOSE",
        "ALICE-PREP-PRIVATE",
        "ALICE-NOTE",
        "ALICE-FEEDBACK",
        "ALICE-COMMITMENT",
        "ALICE-LSI-NOTE",
        "ALICE-PLAN-CHANGE",
        "ALICE-PLAN-STEP",
        "ALICE-PLAN-EXPECTED",
        "ALICE-TALK-ISSUE",
        "ALICE-DRAFT",
        "ALICE-HOPES",
        "ALICE-GOAL",
    ):
        assert mine in values, mine
    assert "BOB-" not in values
    # Sessions come newest first, and name the partner.
    sessions = [i for i in items if i.kind == "session"]
    assert [i.record_id for i in sessions] == [s.id for s in reversed(lives["sessions"])]
    assert sessions[-1].label == "Session of 3 Feb 2026 with Bob"


def test_who_sees_each_field(store, pair, lives):
    items = my_data.inventory(store, pair["alice"].id)
    assert _entry(items, "person", "Name").seen_by == (PARTNER, FACILITATOR)
    assert _entry(items, "person", "E-mail").seen_by == (ME,)
    assert _entry(items, "partnership", "Partner").seen_by == (PARTNER, FACILITATOR)
    assert _entry(items, "agreement", "What I hope to get out of peer coaching").seen_by == (
        PARTNER,
    )
    s1 = lives["sessions"][0].id
    assert _entry(items, "session", "What happened", s1).seen_by == (PARTNER, FACILITATOR)
    assert _entry(items, "session", "Coaching I received", s1).value == "40 minutes"
    assert _entry(items, "session", "Coaching I gave", s1).seen_by == (PARTNER, AGGREGATES)
    # A private preparation; its private notes stay private whatever happens.
    assert _entry(items, "session_prep", "Purpose").seen_by == (ME,)
    assert _entry(items, "session_prep", "Private notes").seen_by == (ME,)
    assert _entry(items, "session_note", "Notes").seen_by == (ME,)
    assert _entry(items, "commitment", "I will").seen_by == (ME,)
    assert _entry(items, "commitment", "Status").seen_by == (ME, AGGREGATES)
    assert _entry(items, "feedback", "What was most helpful").seen_by == (PARTNER,)
    assert _entry(items, "session_check", "Total").value == "32 of 40"
    assert _entry(items, "session_check", "My answers (0 to 10)").seen_by == (
        ME,
        AGGREGATES,
    )
    # The dashboard counts a pair's checks below the line: whether this one was is told.
    below = _entry(items, "session_check", "Below the flag line")
    assert (below.value, below.seen_by) == ("yes", (ME, FACILITATOR))  # 32 is below 36
    assert _entry(items, "lsi", "Satisfaction by area").seen_by == (ME, AGGREGATES)
    assert _entry(items, "lsi", "Importance by area").seen_by == (ME,)
    assert _entry(items, "lsi", "Note to self").seen_by == (ME,)
    assert _entry(items, "change_plan", "Goal statement").seen_by == (ME,)
    assert _entry(items, "change_plan", "Levels rated").seen_by == (ME, AGGREGATES)
    assert _entry(items, "change_plan", "Levels rated").value == "17 Feb 2026: +1"
    assert _entry(items, "change_plan", "Weight").seen_by == (ME, AGGREGATES)
    assert _entry(items, "conversation", "The issue, in one sentence").seen_by == (ME,)
    assert _entry(items, "draft", "What it holds").seen_by == (ME,)
    assert _entry(items, "draft", "What it holds").value == "ALICE-DRAFT"


def test_a_conversations_outcome_is_the_partners_to_see_its_preparation_is_not(store, pair, lives):
    items = my_data.inventory(store, pair["bob"].id)
    assert _entry(items, "conversation", "The issue, in one sentence").seen_by == (ME,)
    assert _entry(items, "conversation", "What we agreed").seen_by == (PARTNER,)
    assert _entry(items, "conversation", "Review date").value == "2 Mar 2026"
    prep = next(i for i in items if i.kind == "session_prep")
    assert prep.shareable and prep.shared and prep.record_id == lives["bob_prep"].id
    assert _entry(items, "session_prep", "Purpose").seen_by == (PARTNER,)
    assert _entry(items, "session_prep", "Private notes").seen_by == (ME,)


def test_a_partnership_starting_later_is_said_to_start_not_to_have_started(store, pair):
    later = store.save(pair["partnership"].replace(started_on=dt.date(2036, 1, 1)))
    items = my_data.inventory(store, pair["alice"].id, today=dt.date(2026, 11, 25))
    assert _entry(items, "partnership", "Starts on").value == "1 Jan 2036"
    items = my_data.inventory(store, pair["alice"].id, today=later.started_on)
    assert _entry(items, "partnership", "Started on").value == "1 Jan 2036"


def test_sessions_held_come_before_those_booked_ahead(store, pair):
    """Newest first put the bookings furthest ahead on top, and the sessions held behind
    "Show all": those up to today come first, newest first, then those to come, soonest
    first."""
    p = pair["partnership"]
    today = dt.date(2026, 11, 26)
    for days, status in ((-14, "held"), (-7, "held"), (7, "scheduled"), (21, "scheduled")):
        day = today + dt.timedelta(days=days)
        store.save(
            model.Session(
                partnership_id=p.id,
                scheduled_on=day,
                status=status,
                held_on=day if status == "held" else None,
            )
        )
    items = my_data.inventory(store, pair["alice"].id, today=today)
    sessions = [i for i in items if i.kind == "session"]
    assert [i.date for i in sessions] == [
        today - dt.timedelta(days=7),
        today - dt.timedelta(days=14),
        today + dt.timedelta(days=7),
        today + dt.timedelta(days=21),
    ]


def test_only_preparations_notes_and_ending_notes_can_be_shared(store, pair, lives):
    items = my_data.inventory(store, pair["alice"].id)
    assert {i.kind for i in items if i.shareable} == {"session_prep", "session_note"}
    assert all(i.record_id for i in items if i.shareable)


def test_sharing_and_unsharing_is_stored_and_changes_who_sees_what(store, pair, lives):
    alice, prep = pair["alice"].id, lives["alice_prep"]
    saved = my_data.set_shared(store, alice, "session_prep", prep.id, True)
    assert saved.shared and store.get(model.SessionPrep, prep.id).shared
    assert store.get(model.SessionPrep, prep.id).private_notes == "ALICE-PREP-PRIVATE"
    items = my_data.inventory(store, alice)
    assert _entry(items, "session_prep", "Purpose").seen_by == (PARTNER,)
    assert _entry(items, "session_prep", "Questions for my coach").seen_by == (PARTNER,)
    assert _entry(items, "session_prep", "Private notes").seen_by == (ME,)

    my_data.set_shared(store, alice, "session_prep", prep.id, False)
    assert not store.get(model.SessionPrep, prep.id).shared
    assert _entry(my_data.inventory(store, alice), "session_prep", "Purpose").seen_by == (ME,)


def test_a_shared_preparation_shows_the_partner_how_its_commitments_went(store, pair, lives):
    alice, p = pair["alice"].id, pair["partnership"].id
    s2 = lives["sessions"][1]
    # Still open: the preparation for the next session lists it to follow up.
    walk = store.save(
        model.Commitment(partnership_id=p, person_id=alice, made_in_session_id=s2.id, text="WALK")
    )
    earlier = lives["alice_commitment"].id  # followed up at the session before
    items = my_data.inventory(store, alice)
    assert _entry(items, "commitment", "I will", walk.id).seen_by == (ME,)
    assert "preparation you share" in my_data.KINDS["commitment"].about

    my_data.set_shared(store, alice, "session_prep", lives["alice_prep"].id, True)
    items = my_data.inventory(store, alice)
    assert _entry(items, "commitment", "I will", walk.id).seen_by == (PARTNER,)
    assert _entry(items, "commitment", "Status", walk.id).seen_by == (PARTNER, AGGREGATES)
    assert _entry(items, "commitment", "I will", earlier).seen_by == (ME,)


def test_an_item_shared_in_place_changes_only_the_fields_that_follow_it(store, pair, lives):
    item = next(i for i in my_data.inventory(store, pair["alice"].id) if i.kind == "session_prep")
    shared = item.with_shared(True)
    assert shared.shared and not item.shared
    assert {e.label: e.seen_by for e in shared.entries} == {
        "Purpose": (PARTNER,),
        "Outcomes": (PARTNER,),
        "Questions for my coach": (PARTNER,),
        "Private notes": (ME,),
    }
    assert shared.with_shared(False) == item


def test_no_one_can_share_someone_elses_item(store, pair, lives):
    alice, bob_note = pair["alice"].id, lives["bob_private_note"]
    with pytest.raises(PermissionError, match="not person"):
        my_data.set_shared(store, alice, "session_note", bob_note.id, True)
    assert store.get(model.SessionNote, bob_note.id).shared is False
    with pytest.raises(ValueError, match="cannot be shared"):
        my_data.set_shared(store, alice, "commitment", lives["alice_commitment"].id, True)
    with pytest.raises(NotFoundError):
        my_data.set_shared(store, alice, "session_note", 9999, True)


def test_ending_notes_are_listed_and_shareable(store, pair, lives):
    partnerships.end(
        store,
        pair["partnership"].id,
        by=pair["alice"].id,
        reason="life change",
        in_my_words="ALICE-ENDING",
        today=TODAY,
    )
    items = my_data.inventory(store, pair["alice"].id)
    ending = next(i for i in items if i.kind == "ending_note")
    assert (
        ending.shareable and not ending.shared and ending.label.startswith("Partnership with Bob")
    )
    assert _entry(items, "ending_note", "Why, in my words").seen_by == (ME,)
    assert _entry(items, "partnership", "Reason for ending").seen_by == (PARTNER, AGGREGATES)
    my_data.set_shared(store, pair["alice"].id, "ending_note", ending.record_id, True)
    assert store.get(model.EndingNote, ending.record_id).shared


def test_a_person_with_nothing_yet_has_only_their_identity(store, pair):
    items = my_data.inventory(store, pair["fay"].id)
    assert [i.kind for i in items] == ["person"]
    with pytest.raises(NotFoundError):
        my_data.inventory(store, 9999)


def test_the_inventory_reads_in_one_transaction(store, pair, lives):
    begins = []
    sa.event.listen(store.engine, "begin", lambda conn: begins.append(1))
    my_data.inventory(store, pair["alice"].id)
    assert len(begins) == 1


def test_a_drafts_summary_holds_the_words_typed_not_states_dates_or_what_is_saved():
    from peercoach_lib.my_data import _short

    data = {
        "form": {
            "change": "Walk to work",
            "status": "active",
            "created_on": "2026-03-02",
            "steps": [{"text": "Buy shoes", "by_when": "2026-03-09"}],
            "own_part": {"hopes": "Clarity", "affirmed_at": "2026-11-25T20:32:05Z"},
            "time": "18:30:00",
        },
        "reviews": {"7": {"status": "done", "obstacle": "Rain"}},
        "base": {"change": "What was saved"},
    }
    assert _short(data) == "Walk to work · Buy shoes · Clarity · Rain"


def test_two_plans_saying_the_same_are_told_apart(store, pair):
    import datetime as dt

    alice = pair["alice"].id
    for _ in range(2):
        store.save(
            model.ChangePlan(person_id=alice, change="Save money", created_on=dt.date(2026, 3, 2))
        )
    titles = [i.label for i in my_data.inventory(store, alice) if i.kind == "change_plan"]
    assert sorted(titles) == [
        "Save money (from 2 Mar 2026, first)",
        "Save money (from 2 Mar 2026, second)",
    ]


def test_milestones_are_listed_from_the_first_due(store, pair):
    import datetime as dt

    alice = pair["alice"].id
    store.save(
        model.ChangePlan(
            person_id=alice,
            change="Run",
            created_on=dt.date(2026, 3, 2),
            milestones=[  # typed out of order, and kept so in the form
                model.Milestone(due_on=dt.date(2026, 5, 4), description="10 km"),
                model.Milestone(due_on=dt.date(2026, 4, 6), description="5 km"),
            ],
        )
    )
    entry = _entry(my_data.inventory(store, alice), "change_plan", "Milestones")
    assert entry.value == "6 Apr 2026: 5 km; 4 May 2026: 10 km"


def test_days_of_stored_instants_are_the_persons_own(store, pair):
    """An affirmation at 23:50 UTC on 1 October was on 2 October for someone in Sydney."""
    import datetime as dt

    late = dt.datetime(2026, 10, 1, 23, 50, tzinfo=dt.UTC)
    alice = store.save(pair["alice"].replace(time_zone="Australia/Sydney", created_at=late))
    store.save(
        model.Agreement(
            partnership_id=pair["partnership"].id,
            partners=[model.PartnerSection(person_id=alice.id, affirmed_at=late)],
        )
    )
    (agreement,) = [i for i in my_data.inventory(store, alice.id) if i.kind == "agreement"]
    entries = {e.label: e.value for e in agreement.entries}
    assert entries["Affirmed confidentiality on"] == my_data.day_text(dt.date(2026, 10, 2))
    (me,) = [i for i in my_data.inventory(store, alice.id) if i.kind == "person"]
    assert {e.label: e.value for e in me.entries}["In the workbook since"] == (
        my_data.day_text(dt.date(2026, 10, 2))
    )
    assert me.date == dt.date(2026, 10, 2)


def test_someone_in_no_cohort_is_told_no_facilitator_sees_anything(store):
    """Two friends who paired themselves, in no cohort: fields were marked as the
    facilitator's to see, where there is none."""
    a, b = (store.save(model.Person(name=n)) for n in ("Priya", "Tomas"))
    pair = store.save(
        model.Partnership(person_a_id=a.id, person_b_id=b.id, started_on=dt.date(2026, 3, 2))
    )
    store.save(model.Session(partnership_id=pair.id, scheduled_on=dt.date(2026, 3, 9)))
    items = my_data.inventory(store, a.id, today=dt.date(2026, 3, 10))
    seen = {w for item in items for e in item.entries for w in e.seen_by}
    assert seen and not seen & {FACILITATOR, AGGREGATES}
    assert _entry(items, "person", "Name").seen_by == (PARTNER,)


def test_a_draft_is_named_for_what_it_is_of(store, pair):
    """Two drafts read "Unsaved session log" alike: which session, and with whom, was not said."""
    from peercoach_lib import session_log

    alice, p = pair["alice"], pair["partnership"]
    booked = store.save(model.Session(partnership_id=p.id, scheduled_on=dt.date(2026, 3, 3)))
    for key in (session_log.draft_key(p.id, booked.id), session_log.draft_key(p.id, None)):
        store.save(model.Draft(person_id=alice.id, kind="session_log", key=key, data={"note": "x"}))
    labels = sorted(i.label for i in my_data.by_kind(my_data.inventory(store, alice.id))["draft"])
    assert labels == [
        "Unsaved session log: Session of 3 Mar 2026 with Bob",
        "Unsaved session log: an unplanned session with Bob",
    ]
