"""What a partner sees of what the other shares, partnership by partnership, and reviews due."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from peercoach_lib import model, partnerships, sharing
from peercoach_lib.apps.prep_app import SessionPrepApp
from tests.sharing_examples import TODAY, populate, widget_text


@pytest.fixture
def lives(store, pair):
    return populate(store, pair)


def _texts(view: sharing.PartnerView) -> str:
    return repr(dataclasses.astuple(view))


def test_a_partner_sees_only_what_the_other_shared(store, pair, lives):
    alice, bob, p = pair["alice"].id, pair["bob"].id, pair["partnership"].id
    view = sharing.partner_view(store, alice, p)
    assert view.partner.id == bob
    assert [x.purpose for x in view.preps] == ["BOB-PREP-PURPOSE"]
    assert view.prep_for(lives["sessions"][2].id).purpose == "BOB-PREP-PURPOSE"
    assert [n.text for n in view.notes] == ["BOB-NOTE"]
    # What Bob told his coach; his own reflection as coach stays his.
    assert [f.most_helpful for f in view.feedback] == ["BOB-FEEDBACK"]
    assert [(o.person_id, o.agreed, o.hold_to_it) for o in view.outcomes] == [
        (bob, "BOB-TALK-AGREED", "BOB-TALK-HOLD")
    ]
    everything = _texts(view)
    hidden_words = ("BOB-PREP-PRIVATE", "BOB-PRIVATE-NOTE", "BOB-TALK-ISSUE", "BOB-TALK-WISH")
    for hidden in (*hidden_words, "BOB-REFLECTION"):
        assert hidden not in everything
    # Nothing of the viewer's own comes back as the partner's.
    assert "ALICE-" not in everything


def test_what_the_partner_keeps_private_stays_so_until_shared(store, pair, lives):
    alice, bob, p = pair["alice"].id, pair["bob"].id, pair["partnership"].id
    view = sharing.partner_view(store, bob, p)
    assert view.preps == () and view.notes == ()
    assert [f.most_helpful for f in view.feedback] == ["ALICE-FEEDBACK"]
    # Alice's conversation was only prepared: nothing of it is shared; Bob's outcome is.
    assert [o.person_id for o in view.outcomes] == [bob]
    assert "ALICE-TALK" not in _texts(view) and "ALICE-PREP-PRIVATE" not in _texts(view)

    store.save(lives["alice_prep"].replace(shared=True))
    view = sharing.partner_view(store, bob, p)
    assert [x.purpose for x in view.preps] == ["ALICE-PREP-PURPOSE"]
    assert view.preps[0].pinned_questions == ("ALICE-PREP-QUESTION",)
    assert not hasattr(view.preps[0], "private_notes")
    assert "ALICE-PREP-PRIVATE" not in _texts(view)
    assert alice not in {o.person_id for o in view.outcomes}


def test_someone_outside_the_partnership_sees_nothing(store, pair, lives):
    carol = store.save(model.Person(name="Carol", cohort_id=pair["cohort"].id))
    with pytest.raises(PermissionError, match="not in partnership"):
        sharing.partner_view(store, carol.id, pair["partnership"].id)


def test_a_new_partnership_shows_nothing_from_the_earlier_one(store, pair, lives):
    alice, p = pair["alice"].id, pair["partnership"].id
    # Alice shares everything she can with Bob, records an outcome, then the pair ends.
    store.save(lives["alice_prep"].replace(shared=True))
    store.save(lives["alice_note"].replace(shared=True))
    store.save(
        lives["alice_talk"].replace(
            held_on=dt.date(2026, 2, 21),
            outcome="agreed how to go on",
            agreed="ALICE-TALK-AGREED",
            hold_to_it="ALICE-TALK-HOLD",
            review_on=dt.date(2026, 3, 4),
        )
    )
    partnerships.end(
        store,
        p,
        by=alice,
        reason="schedules did not fit",
        on=dt.date(2026, 2, 25),
        in_my_words="ALICE-ENDING-WORDS",
        learned="ALICE-ENDING-LEARNED",
        share=True,
        today=TODAY,
    )
    assert [n.reason for n in sharing.partner_view(store, pair["bob"].id, p).ending_notes] == [
        "ALICE-ENDING-WORDS"
    ]

    carol = store.save(model.Person(name="Carol", cohort_id=pair["cohort"].id))
    new = partnerships.pair(store, alice, carol.id, on=dt.date(2026, 2, 26))
    store.save(model.Session(partnership_id=new.id, scheduled_on=dt.date(2026, 3, 5)))

    view = sharing.partner_view(store, carol.id, new.id)
    assert view.partner.id == alice
    assert view.is_empty
    assert "ALICE-" not in _texts(view)
    assert "ALICE-" not in _texts(sharing.partner_view(store, alice, new.id))
    # Carol's preparation page shows her new partner, and nothing of Alice's earlier pair.
    app = SessionPrepApp(store, person_id=carol.id, today=TODAY)
    assert "From Alice" in app.from_heading.value
    assert "Nothing shared with you yet" in app.from_partner.value
    assert "ALICE-" not in widget_text(app)
    assert app.reviews_box.layout.display == "none"


def test_reviews_fall_to_the_first_session_on_or_after_their_date(store, pair, lives):
    p = pair["partnership"].id
    march_2 = dt.date(2026, 3, 2)
    due = sharing.reviews_due(store, p, dt.date(2026, 3, 3), dt.date(2026, 2, 17))
    assert [c.agreed for c in due] == ["BOB-TALK-AGREED"]
    # On the day itself, yes; before it, not yet; already reviewed at the previous session, no.
    assert sharing.reviews_due(store, p, march_2, dt.date(2026, 2, 17))
    assert sharing.reviews_due(store, p, dt.date(2026, 3, 1), dt.date(2026, 2, 17)) == []
    assert sharing.reviews_due(store, p, dt.date(2026, 3, 17), march_2) == []
    assert sharing.reviews_due(store, p, dt.date(2026, 3, 17), dt.date(2026, 3, 3)) == []
    assert [c.id for c in sharing.reviews_due(store, p, dt.date(2026, 3, 17), None)] == [
        lives["bob_talk"].id
    ]


def test_only_agreements_of_this_partnership_come_up_for_review(store, pair, lives):
    p = pair["partnership"].id
    store.save(
        model.Conversation(
            partnership_id=p,
            person_id=pair["alice"].id,
            issue="Ending",
            held_on=dt.date(2026, 2, 22),
            outcome="decided to end",
        )
    )
    carol = store.save(model.Person(name="Carol"))
    other = store.save(
        model.Partnership(
            person_a_id=pair["bob"].id, person_b_id=carol.id, started_on=dt.date(2026, 1, 1)
        )
    )
    store.save(lives["bob_talk"].replace(id=None, partnership_id=other.id, agreed="BOB-OTHER-PAIR"))
    due = sharing.reviews_due(store, p, dt.date(2026, 3, 3), dt.date(2026, 2, 17))
    assert [c.agreed for c in due] == ["BOB-TALK-AGREED"]


def test_the_previous_session_skips_cancelled_and_rescheduled_ones(store, pair, lives):
    s1, s2, s3, _ = lives["sessions"]
    store.save(
        model.Session(
            partnership_id=pair["partnership"].id,
            scheduled_on=dt.date(2026, 2, 24),
            status="cancelled",
        )
    )
    view = sharing.partner_view(store, pair["alice"].id, pair["partnership"].id)
    assert view.previous_day(s3.id) == s2.held_on
    assert view.previous_day(s1.id) is None


def test_the_prep_app_shows_what_the_partner_shared_and_what_to_review(store, pair, lives):
    app = SessionPrepApp(store, person_id=pair["alice"].id, today=TODAY)
    assert app.session.value == lives["sessions"][2].id
    assert "From Bob" in app.from_heading.value
    shown = app.from_partner.value
    for seen in ("BOB-PREP-PURPOSE", "BOB-NOTE", "BOB-FEEDBACK"):
        assert seen in shown
    assert "BOB-PREP-PRIVATE" not in shown and "BOB-PRIVATE-NOTE" not in shown
    assert app.reviews_box.layout.display == "flex"
    assert "BOB-TALK-AGREED" in app.reviews.value and "BOB-TALK-HOLD" in app.reviews.value
    assert "2 Mar 2026" in app.reviews.value
    page = widget_text(app)
    assert "BOB-TALK-ISSUE" not in page and "BOB-TALK-WISH" not in page

    # At the session after (17 March), the review has had its turn, and Bob's preparation
    # was for the other session.
    app.session.value = lives["sessions"][3].id
    assert app.reviews_box.layout.display == "none"
    assert "BOB-PREP-PURPOSE" not in app.from_partner.value
    assert "BOB-NOTE" in app.from_partner.value


def test_only_the_newest_notes_are_shown_with_a_count_of_the_rest(store, pair, lives):
    bob, p = pair["bob"].id, pair["partnership"].id
    for k in range(5):
        day = dt.date(2026, 1, 5) + dt.timedelta(weeks=k)
        session = store.save(
            model.Session(partnership_id=p, scheduled_on=day, status="held", held_on=day)
        )
        store.save(
            model.SessionNote(session_id=session.id, person_id=bob, text=f"OLD-{k}", shared=True)
        )
    app = SessionPrepApp(store, person_id=pair["alice"].id, today=TODAY)
    shown = app.from_partner.value
    assert "BOB-NOTE" in shown and "OLD-4" in shown and "OLD-3" in shown
    assert "OLD-2" not in shown and "And 3 earlier." in shown


def test_a_missed_session_does_not_take_a_review_away_from_the_next():
    p = 1
    held = model.Session(
        id=1,
        partnership_id=p,
        scheduled_on=dt.date(2026, 11, 12),
        status="held",
        held_on=dt.date(2026, 11, 12),
    )
    missed = model.Session(
        id=2, partnership_id=p, scheduled_on=dt.date(2026, 12, 10), status="missed"
    )
    next_one = model.Session(id=3, partnership_id=p, scheduled_on=dt.date(2026, 12, 24))
    sessions = [held, missed, next_one]
    assert sharing.previous_session_day(sessions, next_one) == dt.date(2026, 11, 12)
    # A review dated 1 December fell to the 10th, which was missed: it is due on the 24th.
    assert sharing.is_due(
        dt.date(2026, 12, 1), next_one.day, sharing.previous_session_day(sessions, next_one)
    )


def test_a_shared_preparation_tells_how_last_times_commitments_went(store, pair, lives):
    alice, bob, p = pair["alice"].id, pair["bob"].id, pair["partnership"].id
    s1, s2, s3, _ = lives["sessions"]

    def commit(text: str, made: model.Session, **more) -> model.Commitment:
        return store.save(
            model.Commitment(
                partnership_id=p, person_id=bob, made_in_session_id=made.id, text=text, **more
            )
        )

    commit("BOB-OLD", s1, status="done", reviewed_in_session_id=s2.id)
    commit(
        "BOB-WALK",
        s2,
        by_when=dt.date(2026, 3, 1),
        status="partly",
        obstacle="BOB-RAIN",
        reviewed_in_session_id=s3.id,
    )
    commit("BOB-READ", s2)
    (shared,) = sharing.partner_view(store, alice, p).preps
    assert [(f.text, f.status, f.obstacle) for f in shared.follow_ups] == [
        ("BOB-WALK", model.CommitmentStatus.PARTLY, "BOB-RAIN"),
        ("BOB-READ", model.CommitmentStatus.OPEN, ""),
    ]

    app = SessionPrepApp(store, person_id=alice, today=TODAY)
    shown = app.from_partner.value
    assert "BOB-WALK (by 1 Mar 2026): partly done; what got in the way: BOB-RAIN" in shown
    assert "BOB-READ: not followed up yet" in shown
    assert "BOB-OLD" not in shown  # followed up at the session before

    # Alice's commitment was followed up at the session before: her shared preparation for
    # this one has none to tell.
    store.save(lives["alice_prep"].replace(shared=True))
    assert sharing.partner_view(store, bob, p).preps[0].follow_ups == ()

    # A preparation kept private tells nothing of them.
    store.save(lives["bob_prep"].replace(shared=False))
    view = sharing.partner_view(store, alice, p)
    assert "BOB-WALK" not in _texts(view) and "BOB-READ" not in _texts(view)
    assert "BOB-WALK" not in SessionPrepApp(store, person_id=alice, today=TODAY).from_partner.value
