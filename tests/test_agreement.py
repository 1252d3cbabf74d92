"""The agreement's schedule, its checks against the guide, saving, and reading it."""

from __future__ import annotations

import datetime as dt

import pytest

from peercoach_lib import ValidationError, dates, documents, model
from peercoach_lib import agreement as ag
from peercoach_lib.errors import ConflictError
from peercoach_lib.model import Frequency, SessionStatus

MON = dt.date(2026, 3, 2)  # a Monday


def test_schedule_by_count_and_until():
    assert ag.schedule_dates(MON, Frequency.WEEKLY, count=3) == [
        MON,
        MON + dt.timedelta(7),
        MON + dt.timedelta(14),
    ]
    assert ag.schedule_dates(MON, Frequency.FORTNIGHTLY, count=2)[-1] == MON + dt.timedelta(14)
    monthly = ag.schedule_dates(MON, Frequency.MONTHLY, count=8)
    assert len(monthly) == 8 and {d.weekday() for d in monthly} == {0}
    assert ag.schedule_dates(MON, Frequency.WEEKLY, until=MON + dt.timedelta(20)) == [
        MON,
        MON + dt.timedelta(7),
        MON + dt.timedelta(14),
    ]
    assert ag.schedule_dates(MON, Frequency.WEEKLY, until=MON - dt.timedelta(1)) == []
    assert ag.schedule_dates(MON, Frequency.WEEKLY, count=0) == []


def test_rebooking_reuses_stored_sessions_and_cancels_the_rest():
    old = [
        ag.Booking(MON, 11),
        ag.Booking(MON + dt.timedelta(7), 12),
        ag.Booking(MON + dt.timedelta(14), 13),
    ]
    new = ag.rebook(old, [MON + dt.timedelta(1), MON + dt.timedelta(8)])
    assert new == [
        ag.Booking(MON + dt.timedelta(1), 11),
        ag.Booking(MON + dt.timedelta(8), 12),
        ag.Booking(MON + dt.timedelta(14), 13, cancelled=True),
    ]
    grown = ag.rebook(old[:1], [MON, MON + dt.timedelta(7)])
    assert grown == [ag.Booking(MON, 11), ag.Booking(MON + dt.timedelta(7), None)]


def test_a_session_cancelled_on_purpose_stays_cancelled_and_the_rhythm_steps_over_it():
    week = dt.timedelta(7)
    old = [
        ag.Booking(MON, 11),
        ag.Booking(MON + week, 12, cancelled=True),  # a holiday
        ag.Booking(MON + 2 * week, 13),
        ag.Booking(MON + 3 * week, 14),
    ]
    grown = ag.reschedule(old, MON, Frequency.WEEKLY, count=5)
    assert grown == [
        ag.Booking(MON, 11),
        ag.Booking(MON + week, 12, cancelled=True),
        ag.Booking(MON + 2 * week, 13),
        ag.Booking(MON + 3 * week, 14),
        ag.Booking(MON + 4 * week, None),
        ag.Booking(MON + 5 * week, None),
    ]
    # Fewer: the last ones are cut off the end (cancelled), the holiday stays as it was.
    fewer = ag.reschedule(old, MON, Frequency.WEEKLY, count=2)
    assert fewer == [
        ag.Booking(MON, 11),
        ag.Booking(MON + week, 12, cancelled=True),
        ag.Booking(MON + 2 * week, 13),
        ag.Booking(MON + 3 * week, 14, cancelled=True),
    ]
    # ...and as many again as before gives the same sessions back on the same days.
    assert ag.reschedule(fewer, MON, Frequency.WEEKLY, count=3) == old
    # A gap not saved yet stays only where the rhythm steps over it (not off a new rhythm).
    unsaved = [ag.Booking(MON), ag.Booking(MON + week, cancelled=True), ag.Booking(MON + 2 * week)]
    assert ag.reschedule(unsaved, MON + dt.timedelta(1), Frequency.WEEKLY, count=2) == [
        ag.Booking(MON + dt.timedelta(1)),
        ag.Booking(MON + dt.timedelta(8)),
    ]


def test_rows_are_numbered_as_the_number_of_sessions_counts_them():
    rows = [
        ag.Booking(MON),
        ag.Booking(MON + dt.timedelta(7), cancelled=True),
        ag.Booking(MON + dt.timedelta(14)),
        ag.Booking(MON + dt.timedelta(14), cancelled=True),
        ag.Booking(MON + dt.timedelta(21), cancelled=True),
    ]
    assert ag.numbers(rows, held=2) == [3, None, 4, None, None]
    assert ag.labels(rows, held=2) == [
        "Session 3",
        "Cancelled 9 Mar",
        "Session 4",
        "Cancelled 16 Mar",
        "Cancelled 23 Mar",
    ]
    twice = [ag.Booking(MON, cancelled=True), ag.Booking(MON, cancelled=True)]
    assert ag.labels(twice) == ["Cancelled 2 Mar", "Cancelled 2 Mar (2)"]


def _agreement(**changes) -> model.Agreement:
    base = dict(
        partnership_id=1,
        format="one-way, back to back",
        minutes_per_person=45,
        frequency="weekly",
        day="Monday",
        time=dt.time(18, 0),
        first_session_on=MON,
    )
    return model.Agreement(**{**base, **changes})


def _weekly(n: int) -> list[ag.Booking]:
    return [ag.Booking(d) for d in ag.schedule_dates(MON, Frequency.WEEKLY, count=n)]


def test_few_sessions_left_near_the_end_are_not_few_booked():
    """The guide's "book at least 3 ahead" is about the sessions agreed: the last two of eight,
    six held, are no reason for a note; one held and one to come are."""
    held = [MON - dt.timedelta(weeks=k) for k in range(6, 0, -1)]
    found = ag.check(_agreement(), _weekly(2), today=MON, logged=held)
    assert "session_count" not in found.warnings
    found = ag.check(_agreement(), _weekly(1), today=MON, logged=held[-1:])
    assert found.warnings["session_count"] == (
        "only 1 booked (2 in all, with those held or missed): the guide suggests booking at "
        "least 3 sessions ahead"
    )


def test_a_good_agreement_raises_nothing():
    found = ag.check(_agreement(), _weekly(8), partners=(1, 2), today=MON)
    assert found.errors == {} and found.warnings == {} and found.ok


# Each rule: a case that triggers it and a near case that does not.
RULES = [
    (
        "warning",
        "minutes_per_person",
        dict(minutes_per_person=40),
        None,
        "the guide recommends at least 45 minutes of coaching each for one-way sessions",
    ),
    (
        "no warning",
        "minutes_per_person",
        dict(minutes_per_person=15, format="weekly split"),
        None,
        None,
    ),
    (
        "warning",
        "session_count",
        {},
        _weekly(2),
        "only 2 booked: the guide suggests booking at least 3 sessions ahead",
    ),
    ("no warning", "session_count", {}, _weekly(3), None),
    (
        "warning",
        "schedule",
        {},
        [ag.Booking(MON), ag.Booking(MON + dt.timedelta(32)), ag.Booking(MON + dt.timedelta(39))],
        "32 days between 2 Mar 2026 and 3 Apr 2026: the guide suggests meeting at least "
        "every month",
    ),
    (
        "no warning",
        "schedule",
        {},
        [ag.Booking(MON), ag.Booking(MON + dt.timedelta(31)), ag.Booking(MON + dt.timedelta(38))],
        None,
    ),
    (
        "warning",  # a count of days as every count is written: 4,627, not 4627
        "schedule",
        {},
        [
            ag.Booking(MON),
            ag.Booking(MON + dt.timedelta(4627)),
            ag.Booking(MON + dt.timedelta(4634)),
        ],
        "4,627 days between 2 Mar 2026 and 1 Nov 2038: the guide suggests meeting at "
        "least every month",
    ),
    (
        "warning",
        "first_session_on",
        dict(day="Tuesday"),
        None,
        "this is a Monday, but the agreed day is Tuesday",
    ),
    ("error", "partners", {}, None, "choose two different people for the partnership"),
    ("error", "session_count", {}, [ag.Booking(MON, cancelled=True)], "book at least one session"),
    ("no error", "session_count", {}, [ag.Booking(MON)], None),
    (
        "error",
        "schedule",
        {},
        [ag.Booking(MON - dt.timedelta(3)), *_weekly(3)],
        "a session is booked on 27 Feb 2026, before the first session",
    ),
    (
        "error",
        "schedule",
        {},
        [*_weekly(2), ag.Booking(dt.date(2205, 12, 6))],
        "Session 3 is on 6 Dec 2205: a session date must be between 2000 and 2100",
    ),
    (
        "warning",
        "schedule",
        {},
        [ag.Booking(dt.date(2026, 2, 23), session_id=9), *_weekly(3)],
        None,
    ),
    (
        "error",
        "first_session_on",
        dict(first_session_on=None),
        [],
        "choose the date of the first session",
    ),
]


@pytest.mark.parametrize(
    ("kind", "path", "changes", "bookings", "message"),
    RULES,
    ids=[f"{r[0]}-{r[1]}-{i}" for i, r in enumerate(RULES)],
)
def test_each_rule_fires_when_it_should_and_only_then(kind, path, changes, bookings, message):
    partners = (1, 1) if path == "partners" and kind == "error" else (1, 2)
    found = ag.check(
        _agreement(**changes),
        _weekly(8) if bookings is None else bookings,
        partners=partners,
        today=MON,
    )
    messages = found.errors if "error" in kind else found.warnings
    assert messages.get(path) == message


def test_a_new_session_before_today_is_pointed_out_but_a_stored_one_is_not():
    bookings = [ag.Booking(MON, session_id=1), *_weekly(4)[1:]]
    later = MON + dt.timedelta(days=5)
    assert "schedule" not in ag.check(_agreement(), bookings, today=later).warnings
    bookings.append(ag.Booking(MON + dt.timedelta(days=3)))
    bookings.sort(key=lambda b: b.on)
    assert ag.check(_agreement(), bookings, today=later).warnings["schedule"] == (
        "Session 2 would be booked before today; move it, or cancel it if it is only there to "
        "keep the rhythm"
    )
    # Every session before today is named, not only the first.
    early = _weekly(6)
    assert ag.check(_agreement(), early, today=early[4].on).warnings["schedule"] == (
        "Sessions 1 to 4 would be booked before today; move them, or cancel those only there to "
        "keep the rhythm"
    )
    gappy = [early[0], early[2], early[3], early[5]]
    assert (
        ag.check(_agreement(), gappy, today=early[1].on)
        .warnings["schedule"]
        .startswith("Session 1 would be booked before today")
    )
    assert (
        ag.check(_agreement(), gappy[:2], today=early[3].on)
        .warnings["schedule"]
        .startswith("Sessions 1 and 2 would be booked")
    )


def test_end_before_start_is_refused_by_the_record():
    with pytest.raises(ValidationError) as caught:
        _agreement(last_session_on=MON - dt.timedelta(1))
    assert caught.value.messages() == {"last_session_on": "cannot be before the first session"}


def test_saving_books_moves_and_cancels_sessions(store, pair):
    p = pair["partnership"]
    agreement = _agreement(partnership_id=p.id, time=dt.time(18, 30))
    saved, bookings = ag.save(store, agreement, _weekly(4), by=pair["alice"].id)
    assert saved.id and saved.session_count == 4
    sessions = store.find(model.Session, partnership_id=p.id)
    assert [s.scheduled_on for s in sessions] == [b.on for b in _weekly(4)]
    assert {s.status for s in sessions} == {SessionStatus.SCHEDULED}
    # Move one date and cancel another: the same sessions change, the calendar revision rises.
    moved = [
        bookings[0],
        ag.Booking(MON + dt.timedelta(9), bookings[1].session_id),
        ag.Booking(bookings[2].on, bookings[2].session_id, cancelled=True),
        bookings[3],
    ]
    again, _ = ag.save(store, saved, moved, by=pair["bob"].id)
    assert again.id == saved.id and again.session_count == 3
    after = {s.id: s for s in store.find(model.Session, partnership_id=p.id)}
    assert len(after) == 4
    assert after[bookings[1].session_id].scheduled_on == MON + dt.timedelta(9)
    assert after[bookings[1].session_id].calendar_sequence == 1
    assert after[bookings[2].session_id].status is SessionStatus.CANCELLED
    assert after[bookings[0].session_id].calendar_sequence == 0
    history = store.history(model.Agreement, saved.id)
    assert [(e.action.value, e.changed_by) for e in history] == [
        ("created", pair["alice"].id),
        ("updated", pair["bob"].id),
    ]
    assert history[1].changes["session_count"] == model.FieldChange(before=4, after=3)


def test_held_sessions_are_not_rebooked(store, pair):
    p = pair["partnership"]
    _, bookings = ag.save(store, _agreement(partnership_id=p.id), _weekly(3))
    held = store.get(model.Session, bookings[0].session_id)
    store.save(held.replace(status="held", held_on=held.scheduled_on))
    stored, current = ag.load(store, p.id)
    assert [b.session_id for b in current] == [b.session_id for b in bookings[1:]]
    # Saving again (another goal, say) keeps counting the held session among the three.
    again, _ = ag.save(store, stored.replace(goals=[{"text": "Meet weekly"}]), current, by=None)
    assert again.session_count == 3
    (change,) = [h for h in store.history(model.Agreement, again.id) if h.changes]
    assert set(change.changes) == {"goals"}


def test_the_agreement_reads_well(store, pair):
    p, alice, bob = pair["partnership"], pair["alice"], pair["bob"]
    agreement = _agreement(
        partnership_id=p.id,
        caller_id=alice.id,
        time=dt.time(7, 5),
        partners=[
            model.PartnerSection(
                person_id=alice.id,
                confidentiality_meaning="Nothing <b>leaves</b>",
                affirmed_at=dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC),
            )
        ],
        goals=[model.PartnershipGoal(text="Meet every week")],
    )
    text = ag.markdown(agreement, p, {alice.id: alice, bob.id: bob}, _weekly(2))
    assert text.startswith("# Peer-coaching agreement: Alice and Bob\n")
    assert "**Not yet in force**" in text
    assert "- Affirmed the ground rule on 2 March 2026 at 09:00 (UTC)" in text
    # How often in the form's words: "monthly" said a month, and it is four weeks.
    monthly = agreement.replace(frequency=model.Frequency.MONTHLY)
    said = ag.markdown(monthly, p, {alice.id: alice, bob.id: bob}, _weekly(2))
    assert "- **How often:** every four weeks" in said and "monthly" not in said
    # In the agreement's time, as its sessions are: 23:50 UTC is 09:50 the next day in Sydney.
    sydney = agreement.replace(
        time_zone="Australia/Sydney",
        partners=[
            agreement.partners[0].replace(
                affirmed_at=dt.datetime(2026, 10, 1, 23, 50, tzinfo=dt.UTC)
            )
        ],
    )
    assert "- Affirmed the ground rule on 2 October 2026 at 09:50 (Australia/Sydney)" in (
        ag.markdown(sydney, p, {alice.id: alice, bob.id: bob}, _weekly(2))
    )
    assert "- Has not affirmed the ground rule yet" in text
    assert "- **Who calls:** Alice" in text and "07:05 (UTC)" in text
    assert "- Session 1: Monday 2 March 2026" in text and "- Meet every week" in text
    page = documents.html_page(text, "Agreement")
    assert page.startswith("<!DOCTYPE html>") and "<main>" in page
    assert "<b>leaves</b>" not in page  # what people write is shown, never run as HTML
    assert "&lt;b&gt;leaves&lt;/b&gt;" in page  # as typed
    # Nor in the Markdown itself, which other viewers render: the markup is escaped.
    assert "**Alice**: Nothing \\<b\\>leaves\\</b\\>" in text
    # Sessions already held or missed are counted before those still to come.
    held = [dt.date(2026, 2, 16), dt.date(2026, 2, 23)]
    later = ag.markdown(agreement, p, {alice.id: alice, bob.id: bob}, _weekly(2), held)
    assert "2 sessions held or missed so far, the last on 23 February 2026" in later
    assert "- Session 3: Monday 2 March 2026" in later and "Session 1:" not in later
    # A cancelled session is no number, as in the form: those after it are numbered on.
    skipped = [ag.Booking(b.on, cancelled=k == 0) for k, b in enumerate(_weekly(3))]
    rows = ag.markdown(agreement, p, {alice.id: alice, bob.id: bob}, skipped, held)
    assert (
        "- Cancelled: Monday 2 March 2026\n"
        "- Session 3: Monday 9 March 2026\n"
        "- Session 4: Monday 16 March 2026\n"
    ) in rows
    assert "<ol" not in documents.html_page(rows, "Agreement")
    assert "(none booked)" in ag.markdown(agreement, p, {alice.id: alice}, [], held)


def test_a_partner_saving_cannot_change_the_other_partners_part(store, pair):
    p, alice, bob = pair["partnership"], pair["alice"], pair["bob"]
    mine = model.PartnerSection(person_id=alice.id, confidentiality_meaning="Mine")
    theirs = model.PartnerSection(person_id=bob.id)
    saved, bookings = ag.save(
        store, _agreement(partnership_id=p.id, partners=[mine, theirs]), _weekly(2), by=alice.id
    )
    forged = saved.replace(
        partners=[mine, theirs.replace(confidentiality_meaning="Written for Bob")]
    )
    with pytest.raises(ValidationError) as caught:
        ag.save(store, forged, bookings, by=alice.id)
    (message,) = caught.value.messages().values()
    assert message == f"only {bob.name} can write or change it (as themself, under “I am”)"
    (stored,) = store.find(model.Agreement)
    assert stored.partners[1].confidentiality_meaning == ""
    # Bob may.
    ag.save(store, forged, bookings, by=bob.id)
    (stored,) = store.find(model.Agreement)
    assert stored.partners[1].confidentiality_meaning == "Written for Bob"


def test_a_save_from_a_form_opened_before_another_save_merges_or_is_refused(store, pair):
    p, alice, bob = pair["partnership"], pair["alice"], pair["bob"]
    sections = [model.PartnerSection(person_id=alice.id), model.PartnerSection(person_id=bob.id)]
    opened = ag.save(store, _agreement(partnership_id=p.id, partners=sections), _weekly(2))
    # Alice saves a change to what both share.
    ag.save(store, opened[0].replace(minutes_per_person=50), opened[1], by=alice.id, loaded=opened)
    # Bob, on the version he opened, changes his own part only: merged with Alice's change.
    bobs = opened[0].replace(partners=[sections[0], sections[1].replace(hopes="Clarity")])
    merged, _ = ag.save(store, bobs, opened[1], by=bob.id, loaded=opened)
    assert (merged.minutes_per_person, merged.partners[1].hopes) == (50, "Clarity")
    # Bob changes what they share, differently from Alice: refused, nothing saved.
    with pytest.raises(ConflictError) as caught:
        ag.save(store, bobs.replace(minutes_per_person=60), opened[1], by=bob.id, loaded=opened)
    assert caught.value.by == bob.id  # the last to save was Bob himself, a moment ago
    (stored,) = store.find(model.Agreement)
    assert stored.minutes_per_person == 50
    # The same change as stored is no conflict.
    same = bobs.replace(minutes_per_person=50)
    assert ag.save(store, same, opened[1], by=bob.id, loaded=opened)[0].minutes_per_person == 50


def test_a_partners_own_part_saved_from_two_windows_merges_or_is_refused(store, pair):
    """Alice saves her hopes in one window, then saves from another opened before: her own
    part was taken whole from the second window, the first's words lost while the page said
    they were kept."""
    p, alice, bob = pair["partnership"], pair["alice"], pair["bob"]
    sections = [model.PartnerSection(person_id=alice.id), model.PartnerSection(person_id=bob.id)]
    opened = ag.save(store, _agreement(partnership_id=p.id, partners=sections), _weekly(2))
    now = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)

    def alices(**changes):
        return opened[0].replace(partners=[sections[0].replace(**changes), sections[1]])

    ag.save(store, alices(hopes="From window B", affirmed_at=now), opened[1], by=alice.id,
            loaded=opened)  # fmt: skip
    # Window A changed another field of hers, and affirmed too: both kept, affirmed once.
    merged, _ = ag.save(
        store,
        alices(support_looks_like="From window A", affirmed_at=now + dt.timedelta(minutes=5)),
        opened[1],
        by=alice.id,
        loaded=opened,
    )
    mine = merged.partners[0]
    assert (mine.hopes, mine.support_looks_like, mine.affirmed_at) == (
        "From window B",
        "From window A",
        now,
    )
    # The same field changed in both: refused, named as the form labels it, nothing saved.
    with pytest.raises(ConflictError) as caught:
        ag.save(store, alices(hopes="From window A"), opened[1], by=alice.id, loaded=opened)
    assert caught.value.fields == ("own_part.hopes",)
    assert ag.own_part_title("own_part.hopes") == "What I hope to get out of peer coaching"
    assert caught.value.merged[0].partners[0].hopes == "From window B"  # as saved, to show
    (stored,) = store.find(model.Agreement)
    assert stored.partners[0].hopes == "From window B"


def test_a_session_says_when_it_starts_in_the_readers_time_too():
    agreement = _agreement(time=dt.time(18, 30), time_zone="Europe/London")
    session = model.Session(partnership_id=1, scheduled_on=dt.date(2026, 11, 24))
    assert ag.session_time(agreement, session) == ", 18:30"
    # The same clock (London, or Dublin in winter) says nothing more.
    assert ag.session_time(agreement, session, "Europe/London") == ", 18:30"
    assert ag.session_time(agreement, session, "Europe/Dublin") == ", 18:30"
    assert ag.session_time(agreement, session, "America/New_York") == (
        ", 18:30 London time; 13:30 your time"
    )
    assert ag.session_time(agreement, session, "Asia/Kolkata") == (
        ", 18:30 London time; Wed 25 Nov 00:00 your time"
    )
    # A session's own time wins over the agreement's; with no time agreed, nothing is said.
    moved = session.replace(scheduled_time=dt.time(7, 0))
    assert ag.session_time(agreement, moved, "Asia/Kolkata") == (
        ", 07:00 London time; 12:30 your time"
    )
    assert ag.zone_place("America/New_York") == "New York"
    assert ag.zone_place("America/Argentina/Buenos_Aires") == "Buenos Aires"
    # Spelled as written, not as the database has it ("St Johns time").
    assert ag.zone_time("America/St_Johns") == "St John\u2019s time"
    assert ag.zone_place("America/Sao_Paulo") == "S\u00e3o Paulo"
    assert ag.zone_place("America/Lower_Princes") == "Lower Prince\u2019s Quarter"
    assert ag.zone_place("Europe/Chisinau") == "Chi\u0219in\u0103u"
    assert ag.zone_place("UTC") == "UTC"
    # A fixed offset's sign is the other way round in its name: Etc/GMT+5 is behind UTC.
    assert ag.zone_place("Etc/GMT+5") == "UTC\u22125" and ag.zone_place("Etc/GMT-3") == "UTC+3"

    assert ag.session_time(agreement.replace(time=None), session, "Asia/Kolkata") == ""
    assert ag.session_time(None, session) == ""


def test_a_zone_that_is_no_place_clock_is_refused():
    """ "localtime" was the server's clock, whatever it is, and "Factory" a placeholder."""
    for name in ("localtime", "Factory"):
        assert model.base.time_zone_name(name) is None
        with pytest.raises(ValidationError, match="must be a time zone name"):
            model.Person(name="Kai", time_zone=name)
    assert "localtime" not in model.base.time_zone_names()
    assert "Europe/London" in model.base.time_zone_names()


def test_a_cancelled_booking_made_in_place_of_a_session_put_off_is_no_gap(store, pair):
    """Session 1 put off to a new day, then held on its own day after all: the booking made in
    its place, cancelled, is not a gap the schedule steps over, nor a session to book again."""
    p = pair["partnership"]
    _, bookings = ag.save(store, _agreement(partnership_id=p.id), _weekly(3))
    first = store.get(model.Session, bookings[0].session_id)
    store.save(first.replace(status="held", held_on=first.scheduled_on))
    instead = store.save(
        model.Session(
            partnership_id=p.id,
            scheduled_on=bookings[1].on - dt.timedelta(days=2),
            status="cancelled",
            replaces_id=first.id,
        )
    )
    _, current = ag.load(store, p.id)
    assert instead.id not in [b.session_id for b in current]
    assert ag.gaps(current) == []
    # Still put off, its booking cancelled (in the agreement, say): a gap like any other.
    store.save(store.get(model.Session, first.id).replace(status="rescheduled", held_on=None))
    _, current = ag.load(store, p.id)
    assert [b.session_id for b in ag.gaps(current)] == [instead.id]


def test_two_sessions_on_one_day_are_named_together():
    bookings = _weekly(4)
    bookings[2] = ag.Booking(bookings[1].on)  # either may be the one moved
    assert ag.check(_agreement(), bookings, today=MON).errors["schedule"] == (
        "Sessions 2 and 3 are both on 9 Mar 2026: move one of them, or cancel it"
    )
    # A day a session was already held or missed on: the booking is the one to move.
    held = MON - dt.timedelta(days=7)
    later = [ag.Booking(held), *_weekly(3)]
    found = ag.check(_agreement(first_session_on=held), later, today=MON, logged=[held])
    assert found.errors["schedule"] == (
        f"Session 2 is on {dates.short(held)}, the day of a session already held or missed: "
        "move it, or cancel it"
    )


def test_a_session_cannot_be_moved_onto_the_day_of_one_held_outside_the_schedule():
    """Held on Wednesday without being booked: a session moved (or booked) onto that day
    would make two held that day, counted twice."""
    bookings = [ag.Booking(b.on, session_id=k) for k, b in enumerate(_weekly(3), start=1)]
    wednesday = MON + dt.timedelta(days=2)
    moved = [bookings[0], ag.Booking(wednesday, bookings[1].session_id), bookings[2]]
    stored = {b.session_id: b.on for b in bookings if b.session_id}
    found = ag.check(_agreement(), moved, today=MON, booked_on=stored, unplanned=[wednesday])
    assert found.errors["schedule"] == (
        "Session 2 is on 4 Mar 2026, the day of a session held outside the schedule: move "
        "it, or cancel it"
    )
    assert (
        "schedule" not in ag.check(_agreement(), bookings, today=MON, unplanned=[wednesday]).errors
    )
    cancelled = [bookings[0], ag.Booking(wednesday, bookings[1].session_id, True), bookings[2]]
    assert (
        "schedule"
        not in ag.check(
            _agreement(), cancelled, today=MON, booked_on=stored, unplanned=[wednesday]
        ).errors
    )


def test_every_problem_of_the_schedule_is_said_at_once():
    """Two sessions moved onto one day, another onto a day held outside the schedule, two more
    before the last session held: all said in one message, each session named once, rather
    than the second problem coming up only once the first is mended and saved again."""
    held = [MON - dt.timedelta(weeks=k) for k in (2, 1, 0)]
    ahead = [ag.Booking(MON + dt.timedelta(weeks=k), session_id=10 + k) for k in range(1, 7)]
    stored = {b.session_id: b.on for b in ahead}
    wednesday = MON + dt.timedelta(days=9)
    moved = [
        ag.Booking(ahead[1].on, session_id=11),  # session 4 onto session 5's day
        ahead[1],
        ag.Booking(wednesday, session_id=13),  # session 6 onto the unplanned session's day
        ag.Booking(dt.date(2026, 2, 10), session_id=14),  # sessions 7 and 8 before those held
        ag.Booking(dt.date(2026, 2, 11), session_id=15),
        ahead[5],
    ]
    found = ag.check(
        _agreement(first_session_on=held[0]),
        moved,
        today=MON,
        booked_on=stored,
        logged=held,
        unplanned=[wednesday],
    )
    assert found.errors["schedule"] == (
        f"Sessions 4 and 5 are both on {dates.short(ahead[1].on)}: move one of them, or cancel "
        f"it; Session 6 is on {dates.short(wednesday)}, the day of a session held outside the "
        "schedule: move it, or cancel it; Sessions 7 and 8 would be before the last session "
        f"held or missed ({dates.short(MON)}): a session to come is booked after those"
    )
    assert found.bookings == {0, 1, 2, 3, 4}  # the sixth booking (session 9) is fine


def test_a_problem_is_added_to_what_is_said_once():
    errors = {"schedule": "Session 2 has no date"}
    ag.add_problem(errors, "schedule", "Sessions 3 and 4 are both on 9 Mar 2026")
    ag.add_problem(errors, "schedule", "Sessions 3 and 4 are both on 9 Mar 2026")
    ag.add_problem(errors, "count", "book at least one session")
    assert errors == {
        "schedule": "Session 2 has no date; Sessions 3 and 4 are both on 9 Mar 2026",
        "count": "book at least one session",
    }


def test_a_session_to_come_cannot_be_moved_before_one_already_held():
    """Sessions 1 to 3 held, the last on 2 March: session 4 moved to 17 February would come
    before it. Refused; a move to yesterday, after them, is a note (with the gap it makes)."""
    held = [MON - dt.timedelta(weeks=k) for k in (2, 1, 0)]
    start = _agreement(first_session_on=held[0])
    ahead = [ag.Booking(MON + dt.timedelta(weeks=k), session_id=10 + k) for k in (1, 6, 7)]
    stored = {b.session_id: b.on for b in ahead}
    today = MON + dt.timedelta(days=3)
    moved = [ag.Booking(dt.date(2026, 2, 17), session_id=11), *ahead[1:]]
    found = ag.check(start, moved, today=today, booked_on=stored, logged=held)
    assert found.errors["schedule"] == (
        "Session 4 would be on 17 Feb 2026, before the last session held or missed (2 Mar "
        "2026): a session to come is booked after those"
    )
    # As stored (booked long ago, never logged): no refusal, only the reminder to log it.
    as_stored = ag.check(
        start, moved, today=today, booked_on={11: dt.date(2026, 2, 17)}, logged=held
    )
    assert "schedule" not in as_stored.errors
    # Yesterday: after those held, before today; said with the gap the move leaves.
    yesterday = [ag.Booking(today - dt.timedelta(days=1), session_id=11), *ahead[1:]]
    early = ag.check(start, yesterday, today=today, booked_on=stored, logged=held)
    assert early.errors == {}
    assert early.warnings["schedule"] == (
        "Session 4 would be booked before today; move it, or cancel it if it is only there to "
        "keep the rhythm; 40 days between 4 Mar 2026 and 13 Apr 2026: the guide suggests "
        "meeting at least every month"
    )


def test_an_agreed_day_no_session_to_come_falls_on_is_pointed_out():
    thursday = ag.check(_agreement(day="Thursday"), _weekly(8), today=MON)
    assert thursday.warnings["day"] == (
        "the sessions booked fall on Mondays, not on the agreed Thursday: choose Monday here, "
        "or move the sessions below"
    )
    one = ag.check(_agreement(day="Thursday"), _weekly(1), today=MON)
    assert one.warnings["day"] == (
        "the session booked falls on a Monday, not on the agreed Thursday: choose Monday here, "
        "or move the session below"
    )
    assert "day" not in ag.check(_agreement(), _weekly(8), today=MON).warnings
    # None agreed: said what the sessions follow instead (a blank agreement booked eight from
    # today, with no day or time agreed, and nothing said); so is no time.
    blank = ag.check(_agreement(day=None, time=None), _weekly(8), today=MON).warnings
    assert (
        blank["day"]
        == "no day agreed yet: the sessions fall on the first session's weekday (Monday)"
    )
    assert blank["time"] == (
        "no time agreed yet: calendars show sessions without a time of their own as all-day events"
    )
    # One session moved off the agreed day (a holiday) is no mismatch.
    moved = _weekly(8)
    moved[3] = ag.Booking(moved[3].on + dt.timedelta(days=2))
    assert "day" not in ag.check(_agreement(), moved, today=MON).warnings


def test_a_time_the_clocks_skip_is_noted_beside_the_time():
    """01:30 on the night London's clocks go forward is no time at all: calendars show the
    session at 02:30, and nothing said so."""
    night = dt.date(2027, 3, 28)  # a Sunday: British Summer Time starts at 01:00
    sundays = [ag.Booking(night - dt.timedelta(weeks=1)), ag.Booking(night)]
    late = _agreement(
        time=dt.time(1, 30), time_zone="Europe/London", day="Sunday", first_session_on=sundays[0].on
    )
    found = ag.check(late, sundays, today=MON)
    assert found.warnings["time"] == (
        "01:30 does not exist in London on Sun 28 Mar 2027 (the clocks go forward): calendars "
        "show that session at 02:30"
    )
    # The night they go back, 01:30 comes twice: a time all the same, nothing to say.
    autumn = dt.date(2027, 10, 31)
    found = ag.check(late.replace(first_session_on=autumn), [ag.Booking(autumn)], today=MON)
    assert "time" not in found.warnings
    assert "time" not in ag.check(late.replace(time=dt.time(3, 0)), sundays, today=MON).warnings


def test_a_new_time_zone_says_when_the_sessions_to_come_were_booked():
    """Sessions to come keep the agreed time on the new zone's clocks: another moment, said by
    the next of them as it was booked; nothing to say when the zone, or that moment, is the
    same."""
    today = dt.date(2026, 11, 26)
    tuesday = dt.date(2026, 12, 1)
    saved = _agreement(
        time=dt.time(10, 0), time_zone="Pacific/Pago_Pago", day="Tuesday", first_session_on=MON
    )
    coming = [ag.Booking(today - dt.timedelta(days=1), cancelled=True), ag.Booking(tuesday)]
    moved = saved.replace(time_zone="Europe/London")
    found = ag.check(moved, coming, today=today, saved=saved, logged=[dt.date(2026, 11, 17)])
    assert found.warnings["time_zone"] == (
        "sessions to come will be at 10:00 London time: the next, on Tue 1 Dec 2026, was "
        "booked for 21:00 London time (10:00 Pago Pago time). Sessions before today keep their "
        "times"
    )
    # Across the date line, the day it was booked for is another; nothing held yet, nothing
    # said of those.
    far = ag.check(saved.replace(time_zone="Pacific/Kiritimati"), coming, today=today, saved=saved)
    assert far.warnings["time_zone"] == (
        "sessions to come will be at 10:00 Kiritimati time: the next, on Tue 1 Dec 2026, was "
        "booked for Wed 2 Dec 2026 11:00 Kiritimati time (10:00 Pago Pago time)"
    )
    # The same moment (London and Lisbon keep the same clocks), the same zone with a new time,
    # or no session to come: nothing to say.
    london = saved.replace(time_zone="Europe/London")
    for before, after, bookings in (
        (london, london.replace(time_zone="Europe/Lisbon"), coming),
        (saved, saved.replace(time=dt.time(11, 0)), coming),
        (saved, moved, coming[:1]),
    ):
        found = ag.check(after, bookings, today=today, saved=before)
        assert "time_zone" not in found.warnings


def test_a_new_agreed_day_moves_each_session_to_come_in_its_own_week():
    """A week cancelled on purpose stays free and the gaps around it stay as they were (the
    schedule rebuilt on the rhythm put a session two days after the holiday and pulled the
    rest earlier); a session gone by and not logged stays, to be logged; none moves before
    today, nor onto the one before it."""
    wed = dt.date(2026, 12, 16)  # a Wednesday
    bookings = [
        ag.Booking(wed - dt.timedelta(weeks=2), session_id=1),  # gone by, not logged yet
        ag.Booking(wed, session_id=2),
        ag.Booking(wed + dt.timedelta(weeks=2), session_id=3, cancelled=True),  # a holiday
        ag.Booking(wed + dt.timedelta(weeks=4), session_id=4),
        ag.Booking(wed + dt.timedelta(weeks=6), session_id=5),
    ]
    today = dt.date(2026, 12, 10)
    friday = ag.to_weekday(bookings, 4, today=today)
    assert [(b.on, b.session_id, b.cancelled) for b in friday] == [
        (dt.date(2026, 12, 2), 1, False),
        (dt.date(2026, 12, 18), 2, False),
        (dt.date(2026, 12, 30), 3, True),
        (dt.date(2027, 1, 15), 4, False),
        (dt.date(2027, 1, 29), 5, False),
    ]
    # Monday the 14th is before today (the 15th): the next Monday.
    monday = ag.to_weekday(bookings, 0, today=dt.date(2026, 12, 15))
    assert [b.on for b in monday if not b.cancelled][1:3] == [
        dt.date(2026, 12, 21),
        dt.date(2027, 1, 11),
    ]
    # A Monday and the Sunday after it both have the Thursday between them nearest: the
    # later one goes to the Thursday after.
    odd = [ag.Booking(dt.date(2027, 1, 4)), ag.Booking(dt.date(2027, 1, 10))]
    assert [b.on for b in ag.to_weekday(odd, 3, today=today)] == [
        dt.date(2027, 1, 7),
        dt.date(2027, 1, 14),
    ]


def test_a_clock_is_named_once():
    """ "London time", but "UTC" alone: "19:30 UTC time" read oddly."""
    assert ag.zone_time("Europe/London") == "London time"
    assert ag.zone_time("UTC") == "UTC"
    assert ag.zone_time("Etc/GMT+5") == "UTC\u22125"
    saved = _agreement(time=dt.time(10, 0), time_zone="UTC", first_session_on=MON)
    found = ag.check(
        saved.replace(time_zone="Asia/Tokyo"),
        [ag.Booking(dt.date(2026, 12, 1))],
        today=dt.date(2026, 11, 26),
        saved=saved,
    )
    assert found.warnings["time_zone"].endswith("was booked for 19:00 Tokyo time (10:00 UTC)")


# -- the partnership's goals and the change plans they serve -------------------------------------


@pytest.mark.parametrize(
    ("lines", "before", "expected"),
    [
        # Goals in the same words keep their links, wherever they now stand.
        (["Run", "Sleep"], [("Sleep", 7), ("Run", 8)], [8, 7]),
        # A goal added above the others: the others keep theirs, the new one has none.
        (["Read", "Sleep", "Run"], [("Sleep", 7), ("Run", 8)], [None, 7, 8]),
        # A goal reworded keeps its plan, wherever it moved; one removed takes its link with it.
        (["Sleep by eleven", "Run"], [("Sleep", 7), ("Run", 8)], [7, 8]),
        (["Run", "Sleep 8 hours a night"], [("Sleep 7 hours a night", 7), ("Run", 8)], [8, 7]),
        (["Sleep by eleven"], [("Sleep", 7), ("Run", 8)], [7]),
        (["Run"], [("Sleep", 7), ("Run", 8)], [8]),
        # A goal written anew in the place of another does not take its plan.
        (
            ["Call my mother every Sunday", "Run"],
            [("Decide on my next career step by March", 7), ("Run", 8)],
            [None, 8],
        ),
        # Nor one that begins as another did (a pair's goals often do).
        (
            ["Help each other towards better sleep"],
            [("Help each other towards room for play and rest", 7)],
            [None],
        ),
        (
            ["Help each other towards a steady running habit"],
            [("Help each other towards a steady exercise habit", 7)],
            [7],
        ),
        # Two reworded: each keeps the plan of the goal it most resembles.
        (
            ["Walk to work twice a week", "Sleep by eleven on weekdays"],
            [("Sleep by eleven", 7), ("Walk to work", 8)],
            [8, 7],
        ),
        # The same words twice: each link is kept once.
        (["Run", "Run"], [("Run", 8), ("Run", None)], [8, None]),
        (["Run", "Walk"], [("Run", None), ("Run", 8)], [None, None]),
        ([], [("Run", 8)], []),
        (["Run"], [], [None]),
    ],
)
def test_goals_keep_their_change_plans_as_they_are_typed_again(lines, before, expected):
    assert ag.carry_links(lines, before) == expected


def test_the_plans_a_goal_can_link_and_how_each_reader_names_them(store, pair):
    alice, bob = pair["alice"], pair["bob"]

    def plan(person, change, status=model.PlanStatus.ACTIVE, reason=""):
        return store.save(
            model.ChangePlan(
                person_id=person.id,
                change=change,
                status=status,
                status_reason=reason,
                created_on=dt.date(2026, 1, 10),
            )
        )

    later = plan(bob, "Run a 10k")
    run = plan(alice, "Run a 10k")
    achieved = plan(alice, "Sleep by eleven", model.PlanStatus.ACHIEVED)
    dropped = plan(alice, "Learn Welsh", model.PlanStatus.DROPPED, "no time")
    other = store.save(model.Person(name="Carol"))
    plan(other, "Someone else's")
    partnership = pair["partnership"]
    agreement = model.Agreement(
        partnership_id=partnership.id, goals=[{"text": "Rest", "change_plan_id": achieved.id}]
    )
    with store.reading() as tx:
        offered = ag.goal_plans(tx, partnership, agreement)
        assert [p.id for p in offered] == [run.id, achieved.id, later.id]  # Alice's first
        assert dropped.id not in [p.id for p in ag.goal_plans(tx, partnership, None)]
    people = {alice.id: alice, bob.id: bob}
    # What a plan says is its owner's alone: to anyone else, it is whose plan it is.
    assert ag.goal_plan_names(offered, people, alice.id) == {
        run.id: "Alice\u2019s plan: Run a 10k",
        achieved.id: "Alice\u2019s plan: Sleep by eleven (achieved)",
        later.id: "Bob\u2019s change plan",
    }
    assert ag.goal_plan_names(offered, people, bob.id, own="My plan") == {
        run.id: "Alice\u2019s change plan",
        achieved.id: "Alice\u2019s change plan",
        later.id: "My plan: Run a 10k",
    }
    assert set(ag.goal_plan_names(offered, people, None).values()) == {
        "Alice\u2019s change plan",
        "Bob\u2019s change plan",
    }


def test_the_download_names_the_plan_each_goal_is_linked_to(pair):
    partnership = pair["partnership"]
    agreement = model.Agreement(
        partnership_id=partnership.id,
        goals=[{"text": "Rest well", "change_plan_id": 4}, {"text": "Meet weekly"}],
    )
    people = {pair["alice"].id: pair["alice"], pair["bob"].id: pair["bob"]}
    text = ag.markdown(agreement, partnership, people, [], plans={4: "Alice\u2019s plan: Sleep"})
    assert text.endswith(
        "## Goals for the partnership\n\n"
        "- Rest well (linked to Alice\u2019s plan: Sleep)\n- Meet weekly\n"
    )


def test_a_plan_serves_the_goals_linked_to_it_in_its_owners_partnerships(store, pair):
    alice = pair["alice"]
    plan = store.save(
        model.ChangePlan(person_id=alice.id, change="Rest", created_on=dt.date(2026, 1, 10))
    )
    first = store.save(
        pair["partnership"].replace(ended_on=dt.date(2026, 2, 1), end_reason="life change")
    )
    carol = store.save(model.Person(name="Carol"))
    now = store.save(
        model.Partnership(
            person_a_id=carol.id, person_b_id=alice.id, started_on=dt.date(2026, 2, 2)
        )
    )
    for partnership, text in ((first, "Rest more"), (now, "Rest well")):
        store.save(
            model.Agreement(
                partnership_id=partnership.id,
                goals=[{"text": "Meet weekly"}, {"text": text, "change_plan_id": plan.id}],
            )
        )
    served = ag.goals_served(store, plan)
    assert [(p.id, text) for p, text in served] == [(now.id, "Rest well"), (first.id, "Rest more")]
    other = store.save(plan.replace(id=None, change="Run"))
    assert ag.goals_served(store, other) == []


def _goals(*pairs):
    return [{"text": text, "change_plan_id": link} for text, link in pairs]


def test_goals_merge_a_partners_links_with_the_others_words():
    base = _goals(("Rest", None), ("Run", 8))
    # I linked "Rest" to my plan; my partner reworded "Run" and added a goal, linked to theirs.
    ours = _goals(("Rest", 7), ("Run", 8))
    theirs = _goals(("Rest", None), ("Run a 10k", 8), ("Read", 9))
    assert ag.merge_goals(base, theirs, ours) == _goals(("Rest", 7), ("Run a 10k", 8), ("Read", 9))
    # The other way round: my words, their link.
    assert ag.merge_goals(base, ours, theirs) == _goals(("Rest", 7), ("Run a 10k", 8), ("Read", 9))
    # The same goal linked differently, the words changed differently, or a link changed on a
    # goal the other reworded: they clash (asked about on saving).
    assert ag.merge_goals(base, _goals(("Rest", 5), ("Run", 8)), ours) is None
    assert ag.merge_goals(base, theirs, _goals(("Rest", None), ("Run daily", 8))) is None
    assert ag.merge_goals(base, theirs, _goals(("Rest", None), ("Run", 4))) is None
    # Nothing changed on one side: the other's.
    assert ag.merge_goals(base, base, ours) == ours


def test_saving_keeps_a_link_made_while_the_partner_reworded_the_goals(store, pair):
    partnership = pair["partnership"]
    plan = store.save(model.ChangePlan(person_id=pair["alice"].id, change="Rest", created_on=MON))
    ag.save(
        store,
        _agreement(partnership_id=partnership.id, goals=_goals(("Rest", None), ("Run", None))),
        _weekly(3),
    )
    loaded = ag.load(store, partnership.id)
    # Bob rewords and saves; Alice, in a form opened before, links "Rest" to her plan.
    ag.save(store, loaded[0].replace(goals=_goals(("Rest", None), ("Run a 10k", None))), loaded[1])
    mine = (loaded[0].replace(goals=_goals(("Rest", plan.id), ("Run", None))), loaded[1])
    merged, _bookings = ag.merge(loaded, ag.load(store, partnership.id), mine, pair["alice"].id)
    assert [(g.text, g.change_plan_id) for g in merged.goals] == [
        ("Rest", plan.id),
        ("Run a 10k", None),
    ]
