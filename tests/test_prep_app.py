"""The session preparation app, driven through its widgets."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from peercoach_lib import deck, model, prep, session_log
from peercoach_lib.apps.commitments import CommitmentRow
from peercoach_lib.apps.prep_app import SessionPrepApp
from tests.examples import quoted as q

TODAY = dt.date(2026, 3, 1)


@pytest.fixture
def booked(store, pair):
    p = pair["partnership"]
    sessions = [
        store.save(model.Session(partnership_id=p.id, scheduled_on=day))
        for day in (dt.date(2026, 3, 3), dt.date(2026, 3, 10))
    ]
    commitments = [
        store.save(model.Commitment(partnership_id=p.id, person_id=pair["alice"].id, text=text))
        for text in ("Draft the bid", "Call the funder", "Walk three times")
    ]
    store.save(model.Commitment(partnership_id=p.id, person_id=pair["bob"].id, text="Bob's own"))
    return sessions, commitments


def test_a_whole_preparation_is_saved_and_found_again(store, pair, booked):
    sessions, _commitments = booked
    app = SessionPrepApp(store, person_id=pair["alice"].id, today=TODAY, rng=random.Random(3))
    assert app.session.value == sessions[0].id
    rows = [r for r in app.commitments.children if isinstance(r, CommitmentRow)]
    assert [r.commitment.text for r in rows] == [
        "Draft the bid",
        "Call the funder",
        "Walk three times",
    ]
    app.purpose.value = "Decide whether to apply"
    app.outcomes.value = "This session will be a success if I leave with a yes or a no."
    app.process.value = "Options first, then the decision."
    rows[0].status.value = model.CommitmentStatus.DONE
    rows[1].status.value = model.CommitmentStatus.NOT_DONE
    rows[1].obstacle.value = "The funder was away"
    app.group.value = "Honesty"
    app.draw.click()
    drawn = app.questions.value
    assert drawn in deck.load().questions("Honesty") and drawn in app.deck_message.value
    app.pin.click()
    app.questions.value = app.questions.options[0]
    app.pin.click()
    app.shared.value = True
    app.private.value = "I am nervous about this one."
    app.save_button.click()
    assert "Saved at" in app.result.value and "Your partner can see it" in app.result.value

    again = SessionPrepApp(store, person_id=pair["alice"].id, today=TODAY)
    assert again.purpose.value == "Decide whether to apply"
    assert again.outcomes.value.startswith("This session will be a success if")
    assert again.process.value == "Options first, then the decision."
    assert again.pinned == app.pinned and len(again.pinned) == 2
    assert again.shared.value is True
    assert again.private.value == "I am nervous about this one."
    statuses = {
        r.commitment.text: (r.status.value, r.obstacle.value) for r in again.commitments.children
    }
    assert statuses == {
        "Draft the bid": (model.CommitmentStatus.DONE, ""),
        "Call the funder": (model.CommitmentStatus.NOT_DONE, "The funder was away"),
        "Walk three times": (model.CommitmentStatus.OPEN, ""),
    }
    stored = {c.text: c for c in store.find(model.Commitment, person_id=pair["alice"].id)}
    assert stored["Draft the bid"].reviewed_in_session_id == sessions[0].id
    assert stored["Walk three times"].reviewed_in_session_id is None


def test_an_empty_purpose_is_an_error_and_nothing_is_saved(store, pair, booked):
    app = SessionPrepApp(store, person_id=pair["alice"].id, today=TODAY)
    app.save_button.click()
    assert "cannot be empty" in app.purpose.message.value
    assert (
        f"Nothing was saved: {q('Purpose: why this session?')} needs attention (marked Error)."
        in app.result.value
    )
    assert store.find(model.SessionPrep) == []
    app.purpose.value = "Plan the move"
    assert app.result.value == ""  # mended: the summary went with the mark


def test_each_box_is_checked_as_it_is_left(store, pair, booked):
    """An emptied purpose or an outcome over its length is said under the box when it is left
    (both waited for Save); a session shown anew says nothing of the one before."""
    sessions, _ = booked
    app = SessionPrepApp(store, person_id=pair["alice"].id, today=TODAY)
    assert "Needed to save" in app.purpose.control.placeholder
    app.purpose.value = "Plan the move"
    app.purpose.value = "   "
    assert "cannot be empty" in app.purpose.message.value
    app.outcomes.value = "x" * 5000
    assert "must be at most" in app.outcomes.message.value
    app.outcomes.value = "Leave with a date"
    assert app.outcomes.message.value == ""
    app.purpose.value = "Plan the move"
    assert app.purpose.message.value == ""
    app.save_button.click()
    assert "Saved at" in app.result.value
    app.session.value = sessions[1].id  # its purpose is empty: not an error until saved
    assert app.purpose.value == "" and app.purpose.message.value == ""


def test_a_note_about_a_pin_goes_with_the_question_it_was_about(store, pair, booked):
    app = SessionPrepApp(store, person_id=pair["alice"].id, today=TODAY)
    app.purpose.value = "Plan the move"
    app.pin.click()
    app.pin.click()
    assert "pinned already" in app.deck_message.value
    app.save_button.click()
    assert "Saved at" in app.result.value
    assert app.deck_message.value == ""
    app.pin.click()
    assert "pinned already" in app.deck_message.value
    app.questions.value = app.deck.questions()[3]
    assert app.deck_message.value == ""


def test_pinning_is_limited_and_can_be_undone(store, pair, booked):
    app = SessionPrepApp(store, person_id=pair["alice"].id, today=TODAY)
    app.pin.click()
    first = app.questions.value
    assert app.pinned == [first]
    app.pin.click()
    assert "pinned already" in app.deck_message.value
    for question in app.deck.questions()[1:11]:
        app.questions.value = question
        app.pin.click()
    assert len(app.pinned) == 10 and "at most 10" in app.deck_message.value
    app.pinned_list.value = first
    app.unpin.click()
    assert first not in app.pinned and len(app.pinned) == 9


def test_each_session_has_its_own_preparation(store, pair, booked):
    sessions, _ = booked
    app = SessionPrepApp(store, person_id=pair["alice"].id, today=TODAY)
    app.purpose.value = "First"
    app.save_button.click()
    app.session.value = sessions[1].id
    assert app.purpose.value == ""
    app.purpose.value = "Second"
    app.save_button.click()
    app.session.value = sessions[0].id
    assert app.purpose.value == "First"
    assert len(store.find(model.SessionPrep)) == 2


def test_the_session_chooser_says_which_sessions_are_prepared(store, pair, booked):
    """Back on the page, it opens on the next session, empty: nothing said that another had
    a preparation saved, which looked lost."""
    sessions, _ = booked
    app = SessionPrepApp(store, person_id=pair["alice"].id, today=TODAY)
    labels = lambda: [label for label, _ in app.session.control.options]  # noqa: E731
    assert not any("(prepared)" in label for label in labels())
    app.session.value = sessions[1].id
    app.purpose.value = "Second"
    app.save_button.click()
    assert "Saved at" in app.result.value
    # Named so at once, the form staying on the session and as saved.
    assert [("(prepared)" in label) for label in labels()] == [False, True]
    assert app.session.value == sessions[1].id and app.purpose.value == "Second"
    assert "Saved at" in app.result.value
    app = SessionPrepApp(store, person_id=pair["alice"].id, today=TODAY)  # opened again
    assert app.session.value == sessions[0].id
    assert [("(prepared)" in label) for label in labels()] == [False, True]
    assert labels()[1].endswith(" (prepared)")


def test_a_preparation_carried_on_from_a_session_put_off_says_so_until_saved(store, pair, booked):
    sessions, _ = booked
    app = SessionPrepApp(store, person_id=pair["alice"].id, today=TODAY)
    app.purpose.value = "The funding bid"
    app.save_button.click()
    assert app.carried.value == ""
    session_log.save(
        store,
        pair["alice"].id,
        session_log.SessionEntry(session=sessions[0].replace(status="rescheduled")),
    )
    later = SessionPrepApp(store, person_id=pair["alice"].id, today=TODAY)
    assert later.session.value == sessions[1].id  # the one put off is no longer offered
    assert later.purpose.value == "The funding bid"
    assert (
        "You wrote this for the session of 3 March 2026, which was put off with no new day, "
        "and it came on to this one." in later.carried.value
    )
    later.save_button.click()
    assert "Saved" in later.result.value and later.carried.value == ""
    assert store.find(model.SessionPrep)[0].carried_from_session_id is None


def _miss(store, pair, session) -> None:
    session_log.save(
        store,
        pair["alice"].id,
        session_log.SessionEntry(session=session.replace(status="missed")),
    )


def test_what_was_prepared_for_a_missed_session_is_offered_for_the_next(store, pair, booked):
    sessions, _ = booked
    app = SessionPrepApp(store, person_id=pair["alice"].id, today=TODAY)
    app.purpose.value = "Decide on the funding bid"
    app.outcomes.value = "A yes or a no"
    app.private.value = "Nervous"
    app.pin.click()
    pinned = list(app.pinned)
    assert pinned
    app.save_button.click()
    assert "Saved" in app.result.value
    _miss(store, pair, sessions[0])

    later = SessionPrepApp(store, person_id=pair["alice"].id, today=dt.date(2026, 3, 4))
    assert later.session.value == sessions[1].id
    assert later.purpose.value == "" and later.missed_box.layout.display == "flex"
    assert (
        "The session of 3 March 2026 was missed. You had prepared for it (“Decide on the funding "
        "bid”)" in later.missed_note.value
    )
    assert not store.find(model.Draft)  # offered, nothing done yet
    later.use_missed.click()
    assert later.purpose.value == "Decide on the funding bid"
    assert (later.outcomes.value, later.private.value) == ("A yes or a no", "Nervous")
    assert later.pinned == pinned
    assert later.use_missed.layout.display == "none"
    assert (
        "Filled in from what you prepared for the session of 3 March 2026 (missed): change "
        "what no longer fits, then save." in later.missed_note.value
    )
    # Kept as a draft until saved here; the missed session keeps its own.
    (draft,) = store.find(model.Draft)
    assert draft.data["purpose"] == "Decide on the funding bid"
    later.save_button.click()
    made = {p.session_id: p.purpose for p in store.find(model.SessionPrep)}
    assert made == {s.id: "Decide on the funding bid" for s in sessions}
    # Prepared here now: nothing more is offered.
    again = SessionPrepApp(store, person_id=pair["alice"].id, today=dt.date(2026, 3, 4))
    assert again.missed_box.layout.display == "none" and again.missed_prep is None


def test_nothing_is_offered_after_a_held_session_or_without_a_preparation(store, pair, booked):
    sessions, _ = booked
    _miss(store, pair, sessions[0])  # missed, but nothing was prepared for it
    app = SessionPrepApp(store, person_id=pair["alice"].id, today=dt.date(2026, 3, 4))
    assert app.session.value == sessions[1].id and app.missed_box.layout.display == "none"
    # Bob prepared for the missed session: his, not Alice's, to start from.
    store.save(
        model.SessionPrep(session_id=sessions[0].id, person_id=pair["bob"].id, purpose="Bob's")
    )
    assert prep.missed_preparation(store, sessions[1], pair["alice"].id) is None
    assert prep.missed_preparation(store, sessions[1], pair["bob"].id).purpose == "Bob's"
    # A session held since the missed one: it is the last, and nothing is offered.
    held = store.save(
        model.Session(
            partnership_id=pair["partnership"].id,
            planned=False,
            status="held",
            held_on=dt.date(2026, 3, 5),
        )
    )
    assert held.day < sessions[1].scheduled_on
    assert prep.missed_preparation(store, sessions[1], pair["bob"].id) is None


def test_a_draft_of_my_own_is_not_covered_by_the_offer(store, pair, booked):
    sessions, _ = booked
    store.save(
        model.SessionPrep(session_id=sessions[0].id, person_id=pair["alice"].id, purpose="Old")
    )
    _miss(store, pair, sessions[0])
    app = SessionPrepApp(store, person_id=pair["alice"].id, today=dt.date(2026, 3, 4))
    app.purpose.value = "Something new"  # typed, not saved: a draft
    again = SessionPrepApp(store, person_id=pair["alice"].id, today=dt.date(2026, 3, 4))
    assert again.purpose.value == "Something new"
    assert again.missed_box.layout.display == "none"


def test_someone_with_nothing_booked_is_told_so(store, pair):
    app = SessionPrepApp(store, person_id=pair["alice"].id, today=TODAY)
    assert "No sessions are booked for you" in app.intro.value
    alone = store.save(model.Person(name="Omar Alone"))
    app = SessionPrepApp(store, person_id=alone.id, today=TODAY)
    assert "You have no running partnership" in app.intro.value
    app.save_button.click()
    assert "Choose who you are and a session first" in app.result.value


def test_someone_with_no_session_sees_nothing_of_the_person_chosen_before(store, pair, booked):
    alone = store.save(model.Person(name="Omar Alone"))
    app = SessionPrepApp(store, person_id=pair["alice"].id, today=TODAY)
    app.purpose.value = "Decide whether to apply"
    app.private.value = "I am nervous about the feedback"
    app.save_button.click()
    assert "Saved at" in app.result.value
    app.person.value = alone.id
    assert "You have no running partnership" in app.intro.value
    assert (app.purpose.value, app.private.value, app.pinned) == ("", "", [])
    assert app.editor.layout.display == "none"
    app.person.value = pair["alice"].id  # back: her saved preparation, whole
    assert app.private.value == "I am nervous about the feedback"
    assert app.editor.layout.display == "flex"


def test_demo_people_see_the_demo_notice(demo_store):
    person = demo_store.find(model.Person, role="participant")[0]
    app = SessionPrepApp(demo_store, person_id=person.id)
    assert "Demo data" in app.demo.value


def test_switching_session_or_person_holds_back_unsaved_edits(store, pair, booked):
    sessions, _ = booked
    app = SessionPrepApp(store, person_id=pair["alice"].id, today=TODAY)
    app.purpose.value = "Decide on the bid"
    app.session.value = sessions[1].id
    assert app.session.value == sessions[0].id and app.purpose.value == "Decide on the bid"
    assert "not saved" in app.unsaved.text.value
    # One "discard" at a time: the draft's own is put away while the question is asked.
    asking = "peercoach-while-asking"
    assert app.draft_bar.discard.layout.display == "flex"
    assert asking in app.draft_bar.discard._dom_classes
    rows = [r for r in app.commitments.children if isinstance(r, CommitmentRow)]
    app.unsaved.keep_button.click()
    assert asking not in app.draft_bar.discard._dom_classes
    app.purpose.value = ""
    rows[0].status.value = model.CommitmentStatus.DONE  # a follow-up is an edit too
    app.person.value = pair["bob"].id
    assert app.person.value == pair["alice"].id
    app.unsaved.discard_button.click()
    assert app.person.value == pair["bob"].id
    assert store.find(model.SessionPrep) == []
    assert {c.status for c in store.find(model.Commitment)} == {model.CommitmentStatus.OPEN}


def test_going_on_to_another_session_keeps_the_draft_to_come_back_to(store, pair, booked):
    sessions, _ = booked
    app = SessionPrepApp(store, person_id=pair["alice"].id, today=TODAY)
    app.purpose.value = "Decide on the bid"
    app.session.value = sessions[1].id
    assert "go on and keep them as a draft" in app.unsaved.text.value
    app.unsaved.go_on_button.click()
    assert app.session.value == sessions[1].id and app.purpose.value == ""
    app.session.value = sessions[0].id  # back: the draft is there
    assert app.purpose.value == "Decide on the bid"
    assert "Restored" in app.draft_notice.value
    assert store.find(model.SessionPrep) == []


def test_two_windows_on_one_preparation_keep_both_saves(store, pair, booked):
    alice = pair["alice"].id
    first = SessionPrepApp(store, person_id=alice, today=TODAY)
    first.purpose.value = "Decide whether to apply"
    first.save_button.click()
    assert "Saved at" in first.result.value
    one, two = (SessionPrepApp(store, person_id=alice, today=TODAY) for _ in range(2))
    one.outcomes.value = "A yes or a no"
    one.save_button.click()
    two.process.value = "Options first"
    two.save_button.click()
    assert "What you saved in another window meanwhile is kept too" in two.result.value
    (saved,) = store.find(model.SessionPrep, person_id=alice)
    assert (saved.outcomes, saved.process) == ("A yes or a no", "Options first")
    # Both change the purpose, differently: refused once, naming it; then this one is kept.
    one.purpose.value = "Apply or not"
    one.save_button.click()
    two.purpose.value = "Whether to apply at all"
    two.save_button.click()
    assert "with \u201cPurpose\u201d changed differently" in two.result.value, two.result.value
    assert store.find(model.SessionPrep, person_id=alice)[0].purpose == "Apply or not"
    two.save_button.click()
    assert store.find(model.SessionPrep, person_id=alice)[0].purpose == "Whether to apply at all"


def test_a_row_left_alone_keeps_a_follow_up_made_elsewhere_meanwhile(store, pair, booked):
    sessions, commitments = booked
    alice = pair["alice"].id
    app = SessionPrepApp(store, person_id=alice, today=TODAY)
    app.purpose.value = "Decide whether to apply"
    assert app.session.value == sessions[0].id
    # Meanwhile "Draft the bid" is followed up as done in another session's log.
    store.save(commitments[0].replace(status="done", reviewed_in_session_id=sessions[1].id))
    app.save_button.click()
    assert "Saved at" in app.result.value, app.result.value
    assert store.get(model.Commitment, commitments[0].id).status is model.CommitmentStatus.DONE


def _rows(app: SessionPrepApp) -> list[CommitmentRow]:
    return [r for r in app.commitments.children if isinstance(r, CommitmentRow)]


def test_what_was_typed_and_not_saved_comes_back_on_opening_again(store, pair, booked):
    alice = pair["alice"].id
    app = SessionPrepApp(store, person_id=alice, today=TODAY)
    assert app.draft_notice.value == "" and app.discard.layout.display == "none"
    app.purpose.value = "Decide on the bid"
    app.private.value = "Nervous"
    _rows(app)[1].status.value = model.CommitmentStatus.NOT_DONE
    _rows(app)[1].obstacle.value = "Away all week"
    app.pin.click()
    pinned = list(app.pinned)
    assert pinned
    assert app.discard.layout.display == "flex"
    assert store.find(model.SessionPrep) == []  # a draft is not a preparation

    # A reload (the tab closed, the laptop slept): everything typed is back, and said so.
    again = SessionPrepApp(store, person_id=alice, today=TODAY)
    assert (again.purpose.value, again.private.value) == ("Decide on the bid", "Nervous")
    assert again.pinned == pinned
    row = _rows(again)[1]
    assert (row.status.value, row.obstacle.value) == (
        model.CommitmentStatus.NOT_DONE,
        "Away all week",
    )
    assert "Restored what you typed and had not saved" in again.draft_notice.value
    # Still unsaved: leaving the session asks first.
    again.session.value = booked[0][1].id
    assert "not saved" in again.unsaved.text.value
    again.unsaved.keep_button.click()
    again.save_button.click()
    assert "Saved at" in again.result.value
    assert again.draft_notice.value == "" and again.discard.layout.display == "none"
    assert store.find(model.Draft) == []
    third = SessionPrepApp(store, person_id=alice, today=TODAY)
    assert third.draft_notice.value == "" and third.purpose.value == "Decide on the bid"
    # The partner's app never shows Alice's draft.
    app.purpose.value = "Something else"
    bob = SessionPrepApp(store, person_id=pair["bob"].id, today=TODAY)
    assert bob.purpose.value == "" and bob.draft_notice.value == ""


def test_a_draft_goes_when_the_form_is_as_saved_again_or_is_discarded(store, pair, booked):
    alice = pair["alice"].id
    app = SessionPrepApp(store, person_id=alice, today=TODAY)
    app.purpose.value = "Decide on the bid"
    assert len(store.find(model.Draft)) == 1
    app.purpose.value = ""  # back as stored: nothing to keep
    assert store.find(model.Draft) == [] and app.discard.layout.display == "none"

    app.outcomes.value = "A yes or a no"
    again = SessionPrepApp(store, person_id=alice, today=TODAY)
    assert again.outcomes.value == "A yes or a no"
    again.discard.click()
    assert again.outcomes.value == "" and store.find(model.Draft) == []
    assert "Draft discarded" in again.result.value

    # Discarding the changes to go to another session drops them for good.
    again.process.value = "Options first"
    again.session.value = booked[0][1].id
    again.unsaved.discard_button.click()
    assert again.session.value == booked[0][1].id and store.find(model.Draft) == []
    again.session.value = booked[0][0].id
    assert again.process.value == "" and again.draft_notice.value == ""


def test_a_draft_does_not_undo_what_another_window_saved_meanwhile(store, pair, booked):
    alice = pair["alice"].id
    first = SessionPrepApp(store, person_id=alice, today=TODAY)
    first.purpose.value = "Decide on the bid"
    first.save_button.click()
    typing = SessionPrepApp(store, person_id=alice, today=TODAY)
    first.process.value = "Options first"
    first.save_button.click()  # saved in the other window after this one opened
    typing.outcomes.value = "A yes or a no"  # kept as a draft of the older version, not saved

    reopened = SessionPrepApp(store, person_id=alice, today=TODAY)
    assert reopened.outcomes.value == "A yes or a no"
    assert reopened.process.value == "Options first"  # shown as saved, not as the draft had it
    reopened.save_button.click()
    assert "What you saved in another window meanwhile is kept too" in reopened.result.value
    (saved,) = store.find(model.SessionPrep, person_id=alice)
    assert (saved.purpose, saved.outcomes, saved.process) == (
        "Decide on the bid",
        "A yes or a no",
        "Options first",
    )


def test_a_window_opened_before_the_first_save_still_saves_after_it(store, pair, booked):
    alice = pair["alice"].id
    one, two = (SessionPrepApp(store, person_id=alice, today=TODAY) for _ in range(2))
    two.purpose.value = "Decide on the bid"
    two.save_button.click()
    one.purpose.value = "Decide on the bid"  # opened when there was no preparation yet
    one.outcomes.value = "A yes or a no"
    one.save_button.click()
    assert "Saved at" in one.result.value, one.result.value
    (saved,) = store.find(model.SessionPrep, person_id=alice)
    assert (saved.purpose, saved.outcomes) == ("Decide on the bid", "A yes or a no")


def test_a_restored_draft_keeps_a_follow_up_saved_since_in_a_row_it_left_alone(store, pair, booked):
    alice = pair["alice"].id
    first = SessionPrepApp(store, person_id=alice, today=TODAY)
    first.purpose.value = "Decide on the bid"
    first.save_button.click()
    typing, other = (SessionPrepApp(store, person_id=alice, today=TODAY) for _ in range(2))
    _rows(other)[0].status.value = model.CommitmentStatus.DONE
    other.save_button.click()  # a follow-up saved in another window
    typing.outcomes.value = "A yes or a no"  # a draft; its rows left alone
    _rows(typing)[1].status.value = model.CommitmentStatus.PARTLY  # this row changed here
    reopened = SessionPrepApp(store, person_id=alice, today=TODAY)
    assert [r.status.value for r in _rows(reopened)[:2]] == [
        model.CommitmentStatus.DONE,
        model.CommitmentStatus.PARTLY,
    ]
    reopened.save_button.click()
    assert "Saved at" in reopened.result.value
    statuses = {c.text: c.status for c in store.find(model.Commitment, person_id=alice)}
    assert statuses["Draft the bid"] is model.CommitmentStatus.DONE
    assert statuses["Call the funder"] is model.CommitmentStatus.PARTLY


def test_a_session_moved_since_the_page_opened_is_not_prepared_for_out_of_sight(
    store, pair, booked
):
    sessions, _ = booked
    app = SessionPrepApp(store, person_id=pair["alice"].id, today=TODAY)
    app.purpose.value = "Decide on the bid"
    store.save(sessions[0].replace(status=model.SessionStatus.RESCHEDULED))  # elsewhere
    app.save_button.click()
    assert (
        "Nothing was saved: Session: the session of 3 March 2026 was moved to another day "
        "since this page opened: reload the page and choose a session still to come"
    ) in app.result.value
    assert store.find(model.SessionPrep) == []


def test_times_are_said_on_the_clock_of_the_person_under_i_am(store, pair, booked):
    """Locally, "Saved at" and a draft's time were on the computer's clock while the session
    beside them said "your time" on the person's own: an hour apart for someone in Warsaw on
    a computer set to UTC."""
    from zoneinfo import ZoneInfo

    zone = "Asia/Kolkata"  # half an hour off every whole-hour zone: never the computer's
    store.save(pair["alice"].replace(time_zone=zone))

    def clock() -> set[str]:
        there = dt.datetime.now(ZoneInfo(zone))
        return {f"{t:%H:%M}" for t in (there, there + dt.timedelta(seconds=2))}

    app = SessionPrepApp(store, person_id=pair["alice"].id, today=TODAY)
    app.purpose.value = "Decide"
    expected = clock()
    app.save_button.click()
    assert any(f"Saved at {hm}." in app.result.value for hm in expected), app.result.value
    app.purpose.value = "Decide, and say why"  # kept as a draft
    expected = clock()
    again = SessionPrepApp(store, person_id=pair["alice"].id, today=TODAY)
    said = again.draft_bar.notice.value
    assert "Restored what you typed" in said
    assert any(f" {hm})" in said for hm in expected), said
