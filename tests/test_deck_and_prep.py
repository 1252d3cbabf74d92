"""The question deck file, and saving a preparation with the follow-up of commitments."""

from __future__ import annotations

import datetime as dt
import json
import random

import pytest

from peercoach_lib import (
    ValidationError,
    deck,
    drafts,
    model,
    partnerships,
    prep,
    session_log,
    sharing,
)
from peercoach_lib import agreement as ag
from peercoach_lib.errors import ConfigurationError


def test_the_deck_holds_the_guides_questions_in_groups():
    questions = deck.load()
    assert len(questions.groups) >= 6
    assert "What is the opportunity here?" in questions.questions("Exploring")
    assert "How can I support you more effectively?" in questions.questions()
    drawn = {questions.draw(random.Random(seed), "Honesty") for seed in range(50)}
    assert drawn == set(questions.questions("Honesty"))


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("not json", "cannot be read"),
        (
            json.dumps({"format": "peercoach-question-deck", "version": 1, "groups": []}),
            "Groups: needs at least 1 entry",
        ),
        (json.dumps({"format": "other", "groups": [{"name": "A", "questions": ["Q?"]}]}), "Format"),
        (
            json.dumps(
                {"format": "peercoach-question-deck", "groups": [{"name": "A", "questions": [""]}]}
            ),
            "question 1 (group 1): cannot be empty",
        ),
    ],
)
def test_a_broken_deck_is_explained(tmp_path, content, message):
    path = tmp_path / "deck.json"
    path.write_text(content)
    with pytest.raises(ConfigurationError, match=message.replace("(", r"\(").replace(")", r"\)")):
        deck.load(path)
    with pytest.raises(ConfigurationError, match="is missing"):
        deck.load(tmp_path / "absent.json")


@pytest.fixture
def session(store, pair):
    return store.save(
        model.Session(partnership_id=pair["partnership"].id, scheduled_on=dt.date(2026, 3, 9))
    )


def test_upcoming_sessions_are_the_persons_own(store, pair, session):
    store.save(
        model.Session(partnership_id=pair["partnership"].id, scheduled_on=dt.date(2026, 1, 1))
    )
    found = prep.upcoming_sessions(store, pair["alice"].id, today=dt.date(2026, 3, 1))
    assert [u.session.id for u in found] == [session.id]
    assert found[0].label == "Mon 9 Mar 2026 with Bob"
    assert prep.upcoming_sessions(store, pair["fay"].id, today=dt.date(2026, 3, 1)) == []


def test_saving_a_prep_twice_updates_it_and_follows_up_commitments(store, pair, session):
    alice = pair["alice"]
    earlier = store.save(
        model.Commitment(
            partnership_id=pair["partnership"].id, person_id=alice.id, text="Draft the bid"
        )
    )
    saved = prep.save(
        store,
        model.SessionPrep(session_id=session.id, person_id=alice.id, purpose="Decide on the bid"),
        [earlier.replace(status="partly", obstacle="Ill for two days")],
    )
    again = prep.save(
        store,
        model.SessionPrep(
            session_id=session.id, person_id=alice.id, purpose="Decide on the bid, finally"
        ),
    )
    assert again.id == saved.id
    assert prep.load(store, session.id, alice.id).purpose == "Decide on the bid, finally"
    followed = store.get(model.Commitment, earlier.id)
    assert followed.status is model.CommitmentStatus.PARTLY
    assert followed.reviewed_in_session_id == session.id
    assert prep.open_commitments(store, alice.id, pair["partnership"].id) == []


def test_someone_outside_the_partnership_cannot_prepare_for_it(store, pair, session):
    with pytest.raises(ValidationError, match="is not in the partnership"):
        prep.save(
            store, model.SessionPrep(session_id=session.id, person_id=pair["fay"].id, purpose="Spy")
        )
    bobs = store.save(
        model.Commitment(
            partnership_id=pair["partnership"].id, person_id=pair["bob"].id, text="Call the funder"
        )
    )
    with pytest.raises(ValidationError, match="belongs to someone else"):
        prep.save(
            store,
            model.SessionPrep(session_id=session.id, person_id=pair["alice"].id, purpose="Mine"),
            [bobs.replace(status="done")],
        )
    assert store.find(model.SessionPrep) == []


def _booked(store, pair, day: dt.date) -> model.Session:
    return store.save(model.Session(partnership_id=pair["partnership"].id, scheduled_on=day))


def _made_in(store, pair, session: model.Session, text: str) -> model.Commitment:
    return store.save(
        model.Commitment(
            partnership_id=pair["partnership"].id,
            person_id=pair["alice"].id,
            made_in_session_id=session.id,
            text=text,
        )
    )


def _held(store, session: model.Session) -> model.Session:
    return store.save(session.replace(status="held", held_on=session.scheduled_on))


def test_a_commitment_is_never_followed_up_in_a_session_before_it_was_made(store, pair):
    """A session logged late (8 March, after 15 March was held) cannot take what was
    committed to on 15 March (while it is still to log, the day it is held on is open)."""
    alice, pid = pair["alice"].id, pair["partnership"].id
    first, skipped, third = (_booked(store, pair, dt.date(2026, 3, day)) for day in (1, 8, 15))
    _held(store, first)
    a = _made_in(store, pair, first, "Call the bank")
    _held(store, third)
    b = _made_in(store, pair, third, "Book the course")
    offered = session_log.open_commitments(store, alice, pid, skipped.id)
    assert [c.id for c in offered] == [a.id, b.id]
    late = skipped.replace(
        status="held",
        held_on=skipped.scheduled_on,
        halves=[model.SessionHalf(coach_id=alice, client_id=pair["bob"].id, minutes=40)],
    )
    with pytest.raises(ValidationError, match="was committed to on 15 March 2026, after this"):
        session_log.save(
            store,
            alice,
            session_log.SessionEntry(session=late, reviews=[b.replace(status="done")]),
        )
    assert store.get(model.Commitment, b.id).status is model.CommitmentStatus.OPEN


def _followed_up_in_a_preparation(store, pair, **review):
    """Sessions on 1, 8 and 15 March, the first held; a commitment made in it is followed up
    (``review``) in the preparation for the second. Returns the commitment, the second and the
    third session."""
    first, second, third = (_booked(store, pair, dt.date(2026, 3, day)) for day in (1, 8, 15))
    _held(store, first)
    a = _made_in(store, pair, first, "Call the bank")
    prep.save(
        store,
        model.SessionPrep(session_id=second.id, person_id=pair["alice"].id, purpose="The bank"),
        [a.replace(**review)],
    )
    return a, second, third


def test_follow_ups_prepared_for_a_session_that_was_missed_go_to_the_next_one(store, pair):
    alice, pid = pair["alice"].id, pair["partnership"].id
    a, missed, next_one = _followed_up_in_a_preparation(
        store, pair, status="not done", obstacle="Away all week"
    )
    session_log.save(
        store, alice, session_log.SessionEntry(session=missed.replace(status="missed"))
    )
    carried = store.get(model.Commitment, a.id)
    assert carried.reviewed_in_session_id == next_one.id
    assert (carried.status, carried.obstacle) == (model.CommitmentStatus.NOT_DONE, "Away all week")
    assert [c.id for c in session_log.open_commitments(store, alice, pid, next_one.id)] == [a.id]
    # With nothing booked after it, the commitments are open again, to follow up when they meet.
    session_log.save(
        store, alice, session_log.SessionEntry(session=next_one.replace(status="missed"))
    )
    reopened = store.get(model.Commitment, a.id)
    assert (
        reopened.status is model.CommitmentStatus.OPEN and reopened.reviewed_in_session_id is None
    )
    assert reopened.obstacle == ""


@pytest.mark.parametrize("how", ["moved, no new day", "cancelled", "partnership ended"])
def test_follow_ups_prepared_for_a_session_that_did_not_take_place_come_back(store, pair, how):
    alice, pid = pair["alice"].id, pair["partnership"].id
    a, off, last = _followed_up_in_a_preparation(store, pair, status="partly")
    if how == "moved, no new day":
        session_log.save(
            store, alice, session_log.SessionEntry(session=off.replace(status="rescheduled"))
        )
    elif how == "cancelled":
        agreement = store.save(
            model.Agreement(partnership_id=pid, first_session_on=dt.date(2026, 3, 1))
        )
        ag.save(
            store,
            agreement,
            [
                ag.Booking(off.scheduled_on, session_id=off.id, cancelled=True),
                ag.Booking(last.scheduled_on, session_id=last.id),
            ],
        )
    else:
        partnerships.end(
            store, pid, by=alice, reason="other", on=dt.date(2026, 3, 2), today=dt.date(2026, 3, 2)
        )
    now = store.get(model.Commitment, a.id)
    if how == "partnership ended":  # nothing left booked: open again
        assert now.status is model.CommitmentStatus.OPEN and now.reviewed_in_session_id is None
    else:
        assert now.reviewed_in_session_id == last.id and now.status is model.CommitmentStatus.PARTLY


def test_follow_ups_come_back_to_a_cancelled_session_booked_again(store, pair):
    alice, pid = pair["alice"].id, pair["partnership"].id
    a, off, last = _followed_up_in_a_preparation(store, pair, status="partly", obstacle="Rain")
    # Followed up in the last session's own preparation, of a commitment made after "off":
    # it stays where it is.
    later = _made_in(store, pair, off, "Book the course")
    store.save(later.replace(status="done", reviewed_in_session_id=last.id))
    agreement = store.save(
        model.Agreement(partnership_id=pid, first_session_on=dt.date(2026, 3, 1))
    )
    # Bob follows up a commitment of his in his preparation for the last session, once "off"
    # is cancelled: written there, it stays there when "off" comes back.
    bobs = store.save(
        model.Commitment(
            partnership_id=pid,
            person_id=pair["bob"].id,
            made_in_session_id=a.made_in_session_id,
            text="Ring the printer",
        )
    )

    def book(cancelled: bool) -> None:
        ag.save(
            store,
            store.get(model.Agreement, agreement.id),
            [
                ag.Booking(off.scheduled_on, session_id=off.id, cancelled=cancelled),
                ag.Booking(last.scheduled_on, session_id=last.id),
            ],
        )

    book(cancelled=True)
    assert store.get(model.Commitment, a.id).reviewed_in_session_id == last.id
    prep.save(
        store,
        model.SessionPrep(session_id=last.id, person_id=pair["bob"].id, purpose="The printer"),
        [bobs.replace(status="done")],
    )
    book(cancelled=False)  # changed their mind: the session is on again
    back = store.get(model.Commitment, a.id)
    assert (back.reviewed_in_session_id, back.status, back.obstacle) == (
        off.id,
        model.CommitmentStatus.PARTLY,
        "Rain",
    )
    assert store.get(model.Commitment, later.id).reviewed_in_session_id == last.id
    assert store.get(model.Commitment, bobs.id).reviewed_in_session_id == last.id
    # Its log lists the follow-up again (it said nothing to follow up while it was elsewhere).
    assert [c.id for c in session_log.open_commitments(store, alice, pid, off.id)] == [a.id]


def _prepared(store, person, session, purpose: str) -> model.SessionPrep:
    return prep.save(
        store, model.SessionPrep(session_id=session.id, person_id=person.id, purpose=purpose)
    )


def _book_with(store, pair, off, last, *, cancelled: bool) -> None:
    """The agreement's schedule: ``off`` (cancelled or not) and ``last``."""
    pid = pair["partnership"].id
    found = store.find(model.Agreement, partnership_id=pid)
    agreement = (
        found[0]
        if found
        else store.save(model.Agreement(partnership_id=pid, first_session_on=off.scheduled_on))
    )
    ag.save(
        store,
        agreement,
        [
            ag.Booking(off.scheduled_on, session_id=off.id, cancelled=cancelled),
            ag.Booking(last.scheduled_on, session_id=last.id),
        ],
    )


@pytest.mark.parametrize("how", ["cancelled", "moved, no new day"])
def test_a_preparation_for_a_session_that_will_not_take_place_goes_to_the_next(store, pair, how):
    alice, bob = pair["alice"], pair["bob"]
    off, last = (_booked(store, pair, dt.date(2026, 3, day)) for day in (8, 15))
    mine = _prepared(store, alice, off, "The bank")
    _prepared(store, bob, off, "Bob's first purpose")
    bobs_next = _prepared(store, bob, last, "Bob's next purpose")
    # Alice had started changing hers: her draft goes with it.
    drafts.keep(store, alice.id, prep.DRAFT_KIND, prep.draft_key(off.id), {"purpose": "Bank!"})
    if how == "cancelled":
        _book_with(store, pair, off, last, cancelled=True)
    else:
        session_log.save(
            store, alice.id, session_log.SessionEntry(session=off.replace(status="rescheduled"))
        )
    carried = prep.load(store, last.id, alice.id)
    assert (carried.id, carried.purpose, carried.carried_from_session_id) == (
        mine.id,
        "The bank",
        off.id,
    )
    assert drafts.find(store, alice.id, prep.DRAFT_KIND, prep.draft_key(last.id)) is not None
    # Bob prepared the next one already: his two stay where he wrote them.
    assert prep.load(store, off.id, bob.id).purpose == "Bob's first purpose"
    assert prep.load(store, last.id, bob.id) == bobs_next
    # The partner sees what Alice shared for the session they will now hold.
    store.save(carried.replace(shared=True))
    view = sharing.partner_view(store, bob.id, pair["partnership"].id)
    assert [p.session_id for p in view.preps] == [last.id]


def test_a_preparation_carried_on_goes_back_when_its_session_is_booked_again(store, pair):
    alice, bob = pair["alice"], pair["bob"]
    off, last = (_booked(store, pair, dt.date(2026, 3, day)) for day in (8, 15))
    _prepared(store, alice, off, "The bank")
    _prepared(store, bob, off, "The printer")
    _book_with(store, pair, off, last, cancelled=True)
    # Bob saves his where it went: it is that session's own now, and stays.
    saved = prep.save(store, prep.load(store, last.id, bob.id).replace(process="Talk first"))
    assert saved.carried_from_session_id is None
    _book_with(store, pair, off, last, cancelled=False)
    back = prep.load(store, off.id, alice.id)
    assert (back.purpose, back.carried_from_session_id) == ("The bank", None)
    assert prep.load(store, last.id, alice.id) is None
    assert prep.load(store, last.id, bob.id).process == "Talk first"
    assert prep.load(store, off.id, bob.id) is None


@pytest.mark.parametrize("how", ["missed", "partnership ended"])
def test_a_preparation_stays_where_there_is_nothing_to_carry_it_to(store, pair, how):
    alice = pair["alice"]
    off, last = (_booked(store, pair, dt.date(2026, 3, day)) for day in (8, 15))
    _prepared(store, alice, off, "The bank")
    _prepared(store, alice, last, "The course") if how == "missed" else None
    if how == "missed":  # part of the record of the session missed
        session_log.save(
            store, alice.id, session_log.SessionEntry(session=off.replace(status="missed"))
        )
    else:  # both sessions cancelled: each keeps its own
        partnerships.end(
            store,
            pair["partnership"].id,
            by=alice.id,
            reason="other",
            on=dt.date(2026, 3, 2),
            today=dt.date(2026, 3, 2),
        )
    assert prep.load(store, off.id, alice.id).purpose == "The bank"
    assert prep.load(store, off.id, alice.id).carried_from_session_id is None


def test_a_draw_gives_another_question_than_the_last_where_the_group_has_one():
    questions = deck.load()
    rng = random.Random(1)
    for group in [*questions.group_names, None]:
        shown = questions.questions(group)
        last = shown[0]
        for _ in range(20):
            drawn = questions.draw(rng, group, not_this=last)
            assert drawn != last or len(shown) == 1
            last = drawn


def test_follow_ups_come_back_to_a_session_logged_missed_then_corrected_to_held(store, pair):
    alice = pair["alice"].id
    a, missed, next_one = _followed_up_in_a_preparation(
        store, pair, status="not done", obstacle="Away all week"
    )
    session_log.save(
        store, alice, session_log.SessionEntry(session=missed.replace(status="missed"))
    )
    assert store.get(model.Commitment, a.id).reviewed_in_session_id == next_one.id
    # It did take place after all: logged again as held, it gets its follow-up back.
    stored = store.get(model.Session, missed.id)
    held = stored.replace(
        status="held",
        held_on=stored.scheduled_on,
        halves=[model.SessionHalf(coach_id=pair["bob"].id, client_id=alice, minutes=40)],
    )
    session_log.save(store, alice, session_log.SessionEntry(session=held))
    back = store.get(model.Commitment, a.id)
    assert back.reviewed_in_session_id == missed.id
    assert (back.status, back.obstacle) == (model.CommitmentStatus.NOT_DONE, "Away all week")


def test_a_name_written_right_to_left_keeps_the_time_after_it():
    """'Thu 3 Dec 2026 with Zoë مريم, 18:30' showed the time inside the name."""
    from peercoach_lib import wording

    assert wording.isolated("Ann Lee") == "Ann Lee"
    assert wording.isolated("Zoë مريم الحداد") == "\u2068Zoë مريم الحداد\u2069"
    hebrew = "\u05d9\u05e2\u05dc"  # a Hebrew name
    assert wording.isolated(hebrew) == f"\u2068{hebrew}\u2069"
    upcoming = prep.Upcoming(
        session=model.Session(partnership_id=1, scheduled_on=dt.date(2026, 12, 3)),
        partnership=model.Partnership(
            cohort_id=None, person_a_id=1, person_b_id=2, started_on=dt.date(2026, 11, 1)
        ),
        partner=model.Person(name="Zoë مريم الحداد"),
        time=", 18:30",
    )
    assert upcoming.label == "Thu 3 Dec 2026 with \u2068Zoë مريم الحداد\u2069, 18:30"
