"""Ending a partnership and pairing people again; flags over time, endings and recoveries."""

from __future__ import annotations

import datetime as dt

import pytest

from peercoach_lib import cohort, dates, partnerships
from peercoach_lib.errors import ValidationError
from peercoach_lib.model import (
    Cohort,
    Commitment,
    CommitmentStatus,
    EndingNote,
    EndReason,
    FlagEpisode,
    FlagOutcome,
    HistoryAction,
    Partnership,
    Person,
    Session,
    SessionStatus,
)

TODAY = dt.date(2026, 3, 2)


def _book(store, pair, *days):
    return [
        store.save(Session(partnership_id=pair["partnership"].id, scheduled_on=day)) for day in days
    ]


def test_ending_keeps_the_reason_category_and_the_words_apart(store, pair):
    p, alice = pair["partnership"], pair["alice"]
    before, after = _book(store, pair, TODAY - dt.timedelta(days=7), TODAY + dt.timedelta(days=7))
    ended = partnerships.end(
        store,
        p.id,
        by=alice.id,
        reason="not getting value",
        in_my_words="I dreaded the calls",
        learned="Say it in week two, not week ten",
        today=TODAY,
    )
    assert (ended.ended_on, ended.end_reason) == (TODAY, EndReason.NOT_GETTING_VALUE)
    assert store.get(Partnership, p.id) == ended
    (note,) = store.find(EndingNote, partnership_id=p.id)
    assert (note.person_id, note.reason, note.shared) == (alice.id, "I dreaded the calls", False)
    # The history says who ended it and what changed; the words are not part of it.
    last = store.history(Partnership, p.id)[-1]
    assert last.action is HistoryAction.UPDATED and last.changed_by == alice.id
    assert set(last.changes) == {"ended_on", "end_reason"}
    # Sessions booked after the end are cancelled; earlier ones are left as they were.
    assert store.get(Session, after.id).status is SessionStatus.CANCELLED
    assert store.get(Session, before.id).status is SessionStatus.SCHEDULED


def test_ending_is_refused_to_outsiders_twice_and_in_the_future(store, pair):
    p = pair["partnership"]
    with pytest.raises(ValidationError) as caught:
        partnerships.end(
            store,
            p.id,
            by=pair["fay"].id,
            reason="other",
            on=TODAY + dt.timedelta(days=1),
            today=TODAY,
        )
    assert caught.value.messages() == {
        "by": "can end only their own partnership",
        "ended_on": "cannot be after today (2 Mar 2026)",
    }
    partnerships.end(store, p.id, by=pair["bob"].id, reason="life change", today=TODAY)
    with pytest.raises(ValidationError, match="the partnership ended on 2 March 2026"):
        partnerships.end(store, p.id, by=pair["alice"].id, reason="other", today=TODAY)
    assert store.find(EndingNote, partnership_id=p.id)[0].person_id == pair["bob"].id


def test_a_partnership_yet_to_start_is_called_off_today_and_frees_both(store, pair):
    """Paired by mistake, or one of them leaving before it begins: it could not be ended (its
    last day was before its start or after today) and held both until its start."""
    later = store.save(pair["partnership"].replace(started_on=TODAY + dt.timedelta(days=30)))
    (booked,) = _book(store, pair, TODAY + dt.timedelta(days=37))
    with pytest.raises(ValidationError) as caught:
        partnerships.end(
            store,
            later.id,
            by=pair["alice"].id,
            reason="other",
            on=TODAY - dt.timedelta(days=1),
            today=TODAY,
        )
    assert (
        f"starts on {dates.long(later.started_on)}: to call it off before then, give today "
        f"({dates.short(TODAY)}) as its last day"
    ) in str(caught.value)
    ended = partnerships.end(store, later.id, by=pair["alice"].id, reason="other", today=TODAY)
    assert (ended.started_on, ended.ended_on) == (TODAY, TODAY)
    assert store.get(Session, booked.id).status is SessionStatus.CANCELLED
    carol = store.save(Person(name="Carol", cohort_id=pair["cohort"].id))
    assert partnerships.pair(store, pair["bob"].id, carol.id, on=TODAY).is_active


def test_the_other_partner_adds_their_own_note_after_the_end(store, pair):
    p = pair["partnership"]
    note = EndingNote(partnership_id=p.id, person_id=pair["alice"].id, learned="Ask early")
    with pytest.raises(ValidationError, match="has not ended"):
        partnerships.save_ending_note(store, note)
    partnerships.end(store, p.id, by=pair["bob"].id, reason="life change", today=TODAY)
    saved = partnerships.save_ending_note(store, note)
    again = partnerships.save_ending_note(store, note.replace(learned="Ask earlier", shared=True))
    assert again.id == saved.id
    assert partnerships.ending_note(store, p.id, pair["alice"].id).learned == "Ask earlier"
    with pytest.raises(ValidationError, match="is not in this partnership"):
        partnerships.save_ending_note(store, note.replace(person_id=pair["fay"].id))


def test_commitments_no_session_followed_up_are_followed_up_after_the_end(store, pair):
    """A partnership ended before its next session leaves the commitments made at its last one
    open, with no session to follow them up in: their maker says how they went afterwards."""
    p, alice, bob = pair["partnership"], pair["alice"], pair["bob"]
    (held,) = _book(store, pair, TODAY - dt.timedelta(days=14))
    held = store.save(held.replace(status=SessionStatus.HELD, held_on=held.scheduled_on))

    def commit(person, text, **extra):
        return store.save(
            Commitment(
                partnership_id=p.id,
                person_id=person.id,
                made_in_session_id=held.id,
                text=text,
                **extra,
            )
        )

    ran = commit(alice, "Run twice a week")
    call = commit(alice, "Call my sister")
    reviewed = commit(
        alice, "Book the course", status=CommitmentStatus.DONE, reviewed_in_session_id=held.id
    )
    bobs = commit(bob, "Write the report")
    assert partnerships.left_open(store, p.id, alice.id) == [ran, call]
    with pytest.raises(ValidationError, match="follow commitments up at your next session"):
        partnerships.follow_up_after_end(store, p.id, alice.id, [ran])

    partnerships.end(store, p.id, by=bob.id, reason="life change", today=TODAY)
    saved = partnerships.follow_up_after_end(
        store,
        p.id,
        alice.id,
        [
            ran.replace(status=CommitmentStatus.PARTLY, obstacle="Rain"),
            call.replace(obstacle="typed, then left not followed up"),
        ],
    )
    assert [(c.status, c.obstacle) for c in saved] == [
        (CommitmentStatus.PARTLY, "Rain"),
        (CommitmentStatus.OPEN, ""),
    ]
    assert store.get(Commitment, ran.id).status is CommitmentStatus.PARTLY
    # Still offered (to set right), with no session named as having followed them up.
    assert [c.id for c in partnerships.left_open(store, p.id, alice.id)] == [ran.id, call.id]
    assert store.get(Commitment, ran.id).reviewed_in_session_id is None
    assert store.get(Commitment, reviewed.id) == reviewed

    # One's partner's commitments are theirs alone; one followed up at a session meanwhile (a
    # late log) is named, and nothing of the save is kept.
    with pytest.raises(PermissionError):
        partnerships.follow_up_after_end(store, p.id, alice.id, [bobs])
    store.save(store.get(Commitment, call.id).replace(reviewed_in_session_id=held.id))
    with pytest.raises(ValidationError) as caught:
        partnerships.follow_up_after_end(
            store,
            p.id,
            alice.id,
            [ran.replace(status=CommitmentStatus.DONE), call.replace(status=CommitmentStatus.DONE)],
        )
    assert caught.value.messages() == {
        "reviews": "\u201cCall my sister\u201d was followed up in the session of 16 February 2026 "
        "meanwhile: reload the page to see it"
    }
    assert store.get(Commitment, ran.id).status is CommitmentStatus.PARTLY


def test_ending_closes_the_pairs_open_flags_as_ended(store, pair):
    p = pair["partnership"]
    store.save(FlagEpisode(partnership_id=p.id, rule="lapsing", raised_on=TODAY))
    store.save(
        FlagEpisode(
            partnership_id=p.id,
            rule="one-sided",
            raised_on=TODAY - dt.timedelta(days=30),
            closed_on=TODAY - dt.timedelta(days=20),
            outcome="recovered",
        )
    )
    partnerships.end(store, p.id, by=pair["bob"].id, reason="life change", today=TODAY)
    episodes = {e.rule.value: e for e in store.find(FlagEpisode, partnership_id=p.id)}
    assert (episodes["lapsing"].closed_on, episodes["lapsing"].outcome) == (
        TODAY,
        FlagOutcome.ENDED,
    )
    assert episodes["one-sided"].outcome is FlagOutcome.RECOVERED


def test_pairing_again_starts_a_bare_partnership(store, pair):
    partnerships.end(
        store, pair["partnership"].id, by=pair["bob"].id, reason="life change", today=TODAY
    )
    carol = store.save(Person(name="Carol", cohort_id=pair["cohort"].id))
    new = partnerships.pair(store, pair["alice"].id, carol.id, on=TODAY, by=pair["fay"].id)
    assert new.is_active and new.cohort_id == pair["cohort"].id and new.started_on == TODAY
    assert store.history(Partnership, new.id)[0].changed_by == pair["fay"].id
    assert partnerships.active_partnership(store, pair["alice"].id) == new
    assert [p.id for p in partnerships.of_person(store, pair["alice"].id)] == [
        new.id,
        pair["partnership"].id,
    ]
    assert partnerships.active_partnership(store, pair["bob"].id) is None


def test_someone_in_no_cohort_joins_the_cohort_of_the_partnership(store, pair):
    partnerships.end(
        store, pair["partnership"].id, by=pair["bob"].id, reason="life change", today=TODAY
    )
    dara = store.save(Person(name="Dara"))  # in no cohort
    new = partnerships.pair(store, pair["alice"].id, dara.id, on=TODAY, by=pair["fay"].id)
    assert new.cohort_id == pair["cohort"].id
    assert store.get(Person, dara.id).cohort_id == pair["cohort"].id
    # Chosen, for two people in none.
    eli, flo = store.save(Person(name="Eli")), store.save(Person(name="Flo"))
    other = store.save(Cohort(name="Autumn"))
    partnerships.pair(store, eli.id, flo.id, on=TODAY, cohort_id=other.id)
    assert {store.get(Person, p).cohort_id for p in (eli.id, flo.id)} == {other.id}


def test_a_new_person_needs_a_name_nobody_in_the_workbook_has(store, pair):
    partnerships.end(
        store, pair["partnership"].id, by=pair["bob"].id, reason="life change", today=TODAY
    )
    with pytest.raises(ValidationError) as refused:
        partnerships.pair(store, pair["alice"].id, Person(name=" fay  FACILITATOR"), on=TODAY)
    assert refused.value.messages() == {
        "person_b_name": "Fay Facilitator is in the workbook already, as a facilitator "
        "(facilitators are not paired here): add to the new person's name what tells them apart"
    }
    with pytest.raises(ValidationError, match="the first partner has this name too"):
        partnerships.pair(store, Person(name="Gil"), Person(name="gil"), on=TODAY)
    with pytest.raises(ValidationError, match="Alice is in the workbook already: choose them"):
        partnerships.pair(store, pair["bob"].id, Person(name="ALICE"), on=TODAY)
    assert store.find(Person, name="Gil") == []


def test_pairing_names_every_fault_at_once(store, pair):
    """A taken name and a partner in a running partnership are both said on the first try, so
    that mending one does not only bring up the other."""
    other = store.save(Cohort(name="Autumn"))
    dan = store.save(Person(name="Dan", cohort_id=other.id))
    with pytest.raises(ValidationError) as refused:
        partnerships.pair(store, Person(name="alice"), pair["bob"].id, on=TODAY)
    started = dates.short(pair["partnership"].started_on)
    assert refused.value.messages() == {
        "person_a_name": "Alice is in the workbook already: choose them in the list, or add to "
        "the new person's name what tells them apart",
        "person_b_id": f"is in a running partnership with Alice (since {started}), which must "
        "end before a new one starts",
    }
    with pytest.raises(ValidationError) as refused:
        partnerships.pair(store, dan.id, pair["bob"].id, on=TODAY)
    assert refused.value.messages() == {
        "person_b_id": "is in another cohort than the first partner: a facilitator pairs people "
        f"of one cohort; is in a running partnership with Alice (since {started}), which must "
        "end before a new one starts",
    }
    assert store.find(Person, name="alice") == []
    assert len(store.find(Partnership)) == 1


def test_pairing_refuses_what_cannot_be_a_partnership(store, pair):
    alice, bob, fay = pair["alice"], pair["bob"], pair["fay"]
    with pytest.raises(ValidationError) as caught:
        partnerships.pair(store, alice.id, alice.id)
    assert caught.value.messages() == {"person_b_id": "must be someone else"}
    with pytest.raises(ValidationError) as caught:
        partnerships.pair(store, alice.id, fay.id)
    assert caught.value.messages() == {"person_b_id": "must be a participant"}
    with pytest.raises(ValidationError) as caught:
        partnerships.pair(store, bob.id, alice.id)
    assert caught.value.messages() == {"person_b_id": "these two are partners already"}
    gone = store.save(Person(name="Former participant", forgotten_at=dt.datetime.now(dt.UTC)))
    with pytest.raises(ValidationError) as caught:
        partnerships.pair(store, alice.id, gone.id)
    assert caught.value.messages() == {"person_b_id": "has left the workbook"}
    # Of another cohort too: that they left is what is said.
    other = store.save(Cohort(name="Autumn"))
    gone = store.save(gone.replace(cohort_id=other.id))
    with pytest.raises(ValidationError) as caught:
        partnerships.pair(store, gone.id, alice.id)
    assert caught.value.messages() == {"person_a_id": "has left the workbook"}
    with pytest.raises(ValidationError) as caught:
        partnerships.pair(store, alice.id, 999)
    assert caught.value.messages() == {"person_b_id": "there is no person 999"}
    carol = store.save(Person(name="Carol", cohort_id=pair["cohort"].id))
    with pytest.raises(ValidationError) as caught:
        partnerships.pair(store, carol.id, alice.id)
    started = pair["partnership"].started_on
    assert caught.value.messages() == {
        "person_b_id": f"is in a running partnership with Bob (since {dates.short(started)}), "
        "which must end before a new one starts"
    }
    assert len(store.find(Partnership)) == 1


def test_a_partnership_cannot_end_before_a_session_it_held_nor_overlap_a_new_one(store, pair):
    p = pair["partnership"]
    session = _book(store, pair, TODAY - dt.timedelta(days=7))[0]
    store.save(session.replace(status=SessionStatus.HELD, held_on=TODAY - dt.timedelta(days=6)))
    with pytest.raises(ValidationError) as caught:
        partnerships.end(
            store, p.id, by=pair["bob"].id, reason="other", on=TODAY - dt.timedelta(days=10),
            today=TODAY,
        )  # fmt: skip
    assert caught.value.messages() == {
        "ended_on": "a session was held on 24 February 2026: the last day cannot be before it"
    }
    assert store.get(Partnership, p.id).is_active  # nothing was ended
    last_day = TODAY - dt.timedelta(days=6)  # the day of the session: allowed
    partnerships.end(store, p.id, by=pair["bob"].id, reason="other", on=last_day, today=TODAY)

    # A new partnership for Alice starts on the old one's last day or later, never inside it.
    carol = store.save(Person(name="Carol", cohort_id=pair["cohort"].id))
    with pytest.raises(ValidationError) as caught:
        partnerships.pair(store, carol.id, pair["alice"].id, on=last_day - dt.timedelta(days=3))
    assert caught.value.messages() == {
        "started_on": "Alice was in a partnership with Bob until 24 Feb 2026: the new one "
        "starts on that day or later"
    }
    assert len(store.find(Partnership)) == 1
    assert partnerships.pair(store, carol.id, pair["alice"].id, on=last_day).is_active


# -- flags over time ---------------------------------------------------------------------------


def _view(store, cohort_id, end):
    return cohort.load(store, cohort_id, start=end - dt.timedelta(weeks=12), end=end)


def test_flags_open_episodes_that_close_on_recovery(store, pair):
    p = pair["partnership"]
    # Held three weeks in January, then nothing: lapsing (every two weeks, 1.5 x 14 = 21 days).
    for week in range(3):
        day = dt.date(2026, 1, 5) + dt.timedelta(weeks=week)
        store.save(Session(partnership_id=p.id, scheduled_on=day, status="held", held_on=day))
    quiet = dt.date(2026, 2, 23)
    assert cohort.track_flags(store, _view(store, pair["cohort"].id, quiet), on=quiet) == (1, 0)
    (episode,) = store.find(FlagEpisode)
    # Raised from the day the pair became overdue, not the day someone looked.
    assert episode.rule.value == "lapsing"
    assert episode.raised_on == dt.date(2026, 1, 19) + dt.timedelta(days=22)
    # Looking again changes nothing; a held session ends the episode as a recovery.
    assert cohort.track_flags(store, _view(store, pair["cohort"].id, quiet), on=quiet) == (0, 0)
    store.save(Session(partnership_id=p.id, scheduled_on=quiet, status="held", held_on=quiet))
    later = quiet + dt.timedelta(days=3)
    assert cohort.track_flags(store, _view(store, pair["cohort"].id, later), on=later) == (0, 1)
    (episode,) = store.find(FlagEpisode)
    # Closed on the day they met again, not the day someone looked.
    assert (episode.closed_on, episode.outcome) == (quiet, FlagOutcome.RECOVERED)


def _lapsing_since_january(store, pair) -> FlagEpisode:
    """Held three weeks in January, seen lapsing on 23 February: an episode from 10 February
    (the last held, 19 January, plus the 21 days allowed, plus one)."""
    p = pair["partnership"]
    for week in range(3):
        _held(store, p, dt.date(2026, 1, 5) + dt.timedelta(weeks=week))
    seen = dt.date(2026, 2, 23)
    cohort.track_flags(store, _view(store, pair["cohort"].id, seen), on=seen)
    (episode,) = store.find(FlagEpisode)
    assert episode.raised_on == dt.date(2026, 2, 10) and episode.closed_on is None
    return episode


def _held(store, p, day):
    store.save(Session(partnership_id=p.id, scheduled_on=day, status="held", held_on=day))


def _look(store, pair, day):
    return cohort.track_flags(store, _view(store, pair["cohort"].id, day), on=day)


def test_a_lapse_follows_the_sessions_logged_after_it_was_seen(store, pair):
    """A session logged late, before the day the episode was raised, shows the pair became
    overdue later: the episode said "lapsing from 10 February" to the facilitator's medians and
    to both partners' My data, and recovered on the day the dashboard was next opened."""
    _lapsing_since_january(store, pair)
    _held(store, pair["partnership"], dt.date(2026, 2, 1))  # logged late
    _held(store, pair["partnership"], dt.date(2026, 2, 28))
    assert _look(store, pair, dt.date(2026, 3, 20)) == (0, 1)
    (episode,) = store.find(FlagEpisode)
    assert (episode.raised_on, episode.closed_on, episode.outcome) == (
        dt.date(2026, 2, 23),  # 1 February + 22 days
        dt.date(2026, 2, 28),
        FlagOutcome.RECOVERED,
    )


def test_a_lapse_the_sessions_logged_late_disprove_is_gone(store, pair):
    _lapsing_since_january(store, pair)
    for day in (dt.date(2026, 2, 5), dt.date(2026, 2, 20)):  # met in time, logged late
        _held(store, pair["partnership"], day)
    assert _look(store, pair, dt.date(2026, 2, 24)) == (0, 1)
    assert store.find(FlagEpisode) == []


def test_a_pair_that_met_during_a_lapse_and_went_quiet_again_has_two(store, pair):
    _lapsing_since_january(store, pair)
    _held(store, pair["partnership"], dt.date(2026, 2, 12))  # logged late
    assert _look(store, pair, dt.date(2026, 3, 10)) == (1, 1)  # quiet again since
    first, second = sorted(store.find(FlagEpisode), key=lambda e: e.raised_on)
    assert (first.raised_on, first.closed_on) == (dt.date(2026, 2, 10), dt.date(2026, 2, 12))
    assert (second.raised_on, second.closed_on) == (dt.date(2026, 3, 6), None)
    assert _look(store, pair, dt.date(2026, 3, 10)) == (0, 0)  # looking again changes nothing


def _pair(store, cohort_id, name):
    a = store.save(Person(name=f"{name} A", cohort_id=cohort_id))
    b = store.save(Person(name=f"{name} B", cohort_id=cohort_id))
    return store.save(
        Partnership(
            cohort_id=cohort_id, person_a_id=a.id, person_b_id=b.id, started_on=dt.date(2026, 1, 5)
        )
    )


def test_endings_count_reasons_and_the_days_from_first_flag(store, pair):
    cohort_id = pair["cohort"].id
    pairs = [pair["partnership"], *(_pair(store, cohort_id, n) for n in ("C", "D", "E"))]
    start, end = dt.date(2026, 1, 1), dt.date(2026, 6, 30)
    # Two pairs recover (after 10 and 30 days, the second from two flags, counted from the
    # first); two end, for different reasons (after 20 days, and with no flag at all).
    spans = [
        (pairs[0], "lapsing", "2026-02-01", "2026-02-11", "recovered"),
        (pairs[1], "lapsing", "2026-03-01", "2026-03-31", "recovered"),
        (pairs[1], "one-sided", "2026-03-10", "2026-03-31", "recovered"),
        (pairs[2], "lapsing", "2026-04-01", "2026-04-21", "ended"),
        # Closed before the range: not counted.
        (pairs[3], "lapsing", "2025-11-01", "2025-12-01", "recovered"),
    ]
    for partnership, rule, raised, closed, outcome in spans:
        store.save(
            FlagEpisode(
                partnership_id=partnership.id,
                rule=rule,
                raised_on=dt.date.fromisoformat(raised),
                closed_on=dt.date.fromisoformat(closed),
                outcome=outcome,
            )
        )
    for partnership, reason, on in (
        (pairs[2], "schedules did not fit", "2026-04-21"),
        (pairs[3], "programme completed", "2026-06-01"),
    ):
        store.save(partnership.replace(ended_on=dt.date.fromisoformat(on), end_reason=reason))
    summary = cohort.endings(store, cohort_id, start, end)
    assert summary.ended == 2
    assert summary.reasons.to_dict() == {"programme completed": 1, "schedules did not fit": 1}
    # Two pairs' reasons: each could be told from the other (the dashboard names who ended).
    assert summary.reasons_withheld
    assert summary.days_to_recovery.to_dict() == {pairs[0].id: 10, pairs[1].id: 30}
    assert summary.figures() == {
        "Partnerships ended": "2",
        "From the first flag to recovery (median)": "20 days (2 pairs)",
        "From the first flag to the ending (median)": "too few to show",
    }
    empty = cohort.endings(store, cohort_id, dt.date(2027, 1, 1), dt.date(2027, 2, 1))
    assert empty.figures()["From the first flag to recovery (median)"] == "none in this range"
    assert empty.reasons.empty and empty.ended == 0 and not empty.reasons_withheld
    # A pairing called off before it began (it starts the day it ends) ended no partnership:
    # it neither counts nor unlocks the others' reasons.
    called_off = _pair(store, cohort_id, "F")
    store.save(
        called_off.replace(
            started_on=dt.date(2026, 5, 5), ended_on=dt.date(2026, 5, 5), end_reason="other"
        )
    )
    assert cohort.endings(store, cohort_id, start, end).ended == 2
    assert cohort.endings(store, cohort_id, start, end).reasons_withheld
    store.save(pairs[1].replace(ended_on=dt.date(2026, 5, 1), end_reason="not getting value"))
    assert not cohort.endings(store, cohort_id, start, end).reasons_withheld  # three ended


def test_pairing_two_who_were_partners_before_says_how_that_ended(store, pair):
    """The facilitator could pair two people again minutes after one of them ended their
    partnership as not getting value, and nothing on the form said so."""
    from peercoach_lib.apps.cohort_app import CohortDashboardApp

    alice, bob = pair["alice"], pair["bob"]
    assert partnerships.together_before(store, alice.id, bob.id) is None
    partnerships.end(
        store, pair["partnership"].id, by=bob.id, reason="not getting value", today=TODAY
    )
    ended = partnerships.together_before(store, alice.id, bob.id)
    assert ended is not None and ended.ended_on == TODAY
    app = CohortDashboardApp(store, cohort_id=pair["cohort"].id, today=TODAY)
    app.pair_person.value = alice.id
    app.pair_partner.value = bob.id
    assert app.pair_partner.kind == "warning"
    assert (
        "they were partners before, until 2 March 2026: talk it over with them both before "
        "pairing them again"
    ) in app.pair_partner.message.value
    assert "value" not in app.pair_partner.message.value  # why it ended is not told
    app.pair_button.click()  # a note, not a refusal
    assert partnerships.active_partnership(store, alice.id).partner_of(alice.id) == bob.id
