"""The schedule as iCalendar: parses back with the right times, alarms and stable UIDs."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import icalendar
import pytest

from peercoach_lib import agreement as ag
from peercoach_lib import calendar, cli, model, partnerships, session_log
from peercoach_lib.model import Frequency

LONDON = zoneinfo.ZoneInfo("Europe/London")


@pytest.fixture
def booked(store, pair):
    """Weekly sessions at 18:30 London time across the clocks going forward (29 March 2026)."""
    first = dt.date(2026, 3, 17)
    agreement = model.Agreement(
        partnership_id=pair["partnership"].id,
        partners=[_affirmed(pair["alice"].id), _affirmed(pair["bob"].id)],
        frequency="weekly",
        time=dt.time(18, 30),
        time_zone="Europe/London",
        minutes_per_person=45,
        caller_id=pair["alice"].id,
        first_session_on=first,
    )
    dates = ag.schedule_dates(first, Frequency.WEEKLY, count=4)
    saved, bookings = ag.save(store, agreement, [ag.Booking(d) for d in dates])
    return saved, bookings


def _affirmed(person_id: int) -> model.PartnerSection:
    return model.PartnerSection(
        person_id=person_id,
        confidentiality_meaning="Nothing leaves the call.",
        affirmed_at=dt.datetime(2026, 3, 10, 18, tzinfo=dt.UTC),
    )


def _events(data: bytes) -> list[icalendar.Event]:
    return list(icalendar.Calendar.from_ical(data).walk("VEVENT"))


def test_events_keep_local_time_across_daylight_saving(store, pair, booked):
    events = _events(calendar.partnership_calendar(store, pair["partnership"].id))
    assert len(events) == 4
    starts = [e.decoded("dtstart") for e in events]
    assert [s.astimezone(LONDON).time() for s in starts] == [dt.time(18, 30)] * 4
    assert [s.utcoffset() for s in starts] == [dt.timedelta(0)] * 2 + [dt.timedelta(hours=1)] * 2
    assert [s.astimezone(dt.UTC).hour for s in starts] == [18, 18, 17, 17]
    assert all(
        e.decoded("dtend") - e.decoded("dtstart") == dt.timedelta(minutes=90) for e in events
    )
    text = calendar.partnership_calendar(store, pair["partnership"].id).decode()
    assert "BEGIN:VTIMEZONE" in text and "TZID:Europe/London" in text


def test_a_session_across_a_clock_change_lasts_its_length(store, pair):
    """90 minutes from 01:30 on the night the clocks go back (31 October 2027) end at 02:00
    GMT, and from 00:30 on the night they go forward (28 March 2027) at 03:00 BST."""
    for day, start, end in (
        (dt.date(2027, 10, 31), dt.time(1, 30), dt.time(2, 0)),
        (dt.date(2027, 3, 28), dt.time(0, 30), dt.time(3, 0)),
    ):
        agreement = model.Agreement(
            partnership_id=pair["partnership"].id,
            time=start,
            time_zone="Europe/London",
            minutes_per_person=45,
            first_session_on=day,
        )
        session = model.Session(id=1, partnership_id=pair["partnership"].id, scheduled_on=day)
        people = {pair["alice"].id: pair["alice"], pair["bob"].id: pair["bob"]}
        (event,) = _events(calendar.schedule_ics(agreement, pair["partnership"], people, [session]))
        begins, ends = event.decoded("dtstart"), event.decoded("dtend")
        assert ends.astimezone(dt.UTC) - begins.astimezone(dt.UTC) == dt.timedelta(minutes=90)
        assert ends.astimezone(LONDON).time() == end


def test_every_booked_event_has_a_reminder(store, pair, booked):
    for event in _events(calendar.partnership_calendar(store, pair["partnership"].id)):
        (alarm,) = event.walk("VALARM")
        assert alarm["action"] == "DISPLAY"
        assert alarm.decoded("trigger") == -dt.timedelta(minutes=30)


def test_a_second_export_keeps_the_uids_and_a_move_raises_the_sequence(store, pair, booked):
    saved, bookings = booked
    first = _events(calendar.partnership_calendar(store, pair["partnership"].id))
    again = _events(calendar.partnership_calendar(store, pair["partnership"].id))
    assert [str(e["uid"]) for e in first] == [str(e["uid"]) for e in again]
    assert len({str(e["uid"]) for e in first}) == 4
    moved = [
        bookings[0],
        ag.Booking(bookings[1].on + dt.timedelta(days=1), bookings[1].session_id),
        ag.Booking(bookings[2].on, bookings[2].session_id, cancelled=True),
        bookings[3],
    ]
    ag.save(store, saved, moved)
    after = _events(calendar.partnership_calendar(store, pair["partnership"].id))
    assert [str(e["uid"]) for e in after] == [str(e["uid"]) for e in first]
    assert [int(e["sequence"]) for e in after] == [0, 1, 1, 0]
    assert [str(e["status"]) for e in after] == ["CONFIRMED", "CONFIRMED", "CANCELLED", "CONFIRMED"]
    assert after[2].walk("VALARM") == []


def test_sessions_are_tentative_until_both_partners_have_affirmed(store, pair, booked):
    saved, bookings = booked
    agreed = _events(calendar.partnership_calendar(store, pair["partnership"].id))
    alice_only = saved.replace(partners=[saved.partners[0]])
    for proposed in (saved.replace(partners=[]), alice_only):
        ag.save(store, proposed, bookings)
        events = _events(calendar.partnership_calendar(store, pair["partnership"].id))
        assert [str(e["status"]) for e in events] == ["TENTATIVE"] * 4
        assert "Proposed: the agreement is not yet affirmed by both partners." in str(
            events[0]["description"]
        )
        assert all(e.walk("VALARM") for e in events)  # a reminder all the same
    proposed = events
    # Affirmed by both: the same entries, confirmed, each one revision higher (a calendar
    # such as Outlook drops an entry of the same SEQUENCE).
    ag.save(store, alice_only.replace(partners=saved.partners), bookings)
    events = _events(calendar.partnership_calendar(store, pair["partnership"].id))
    assert [str(e["status"]) for e in events] == ["CONFIRMED"] * 4
    assert [str(e["uid"]) for e in events] == [str(e["uid"]) for e in agreed]
    assert [int(e["sequence"]) for e in events] == [int(e["sequence"]) + 1 for e in proposed]
    assert [int(e["sequence"]) for e in proposed] == [int(e["sequence"]) + 1 for e in agreed]
    assert "Proposed" not in str(events[0]["description"])


def test_without_a_time_sessions_are_all_day(store, pair):
    agreement = model.Agreement(
        partnership_id=pair["partnership"].id, first_session_on=dt.date(2026, 5, 4)
    )
    ag.save(store, agreement, [ag.Booking(dt.date(2026, 5, 4))])
    (event,) = _events(calendar.partnership_calendar(store, pair["partnership"].id))
    assert event.decoded("dtstart") == dt.date(2026, 5, 4)
    # Reminded at 09:00 on the day, not 30 minutes before its midnight (23:30 the day before).
    (alarm,) = event.walk("VALARM")
    assert alarm.decoded("trigger") == dt.timedelta(hours=9)
    assert alarm["description"] == "Peer-coaching session today"


def test_the_command_line_writes_the_same_file(store, pair, booked, tmp_path, monkeypatch):
    monkeypatch.setenv("PEERCOACH_DB", store.url)
    out = tmp_path / "sessions.ics"
    assert (
        cli.main(["calendar", "--partnership", str(pair["partnership"].id), "--output", str(out)])
        == 0
    )
    from_cli = _events(out.read_bytes())
    from_app = _events(calendar.partnership_calendar(store, pair["partnership"].id))
    assert [(str(e["uid"]), e.decoded("dtstart")) for e in from_cli] == [
        (str(e["uid"]), e.decoded("dtstart")) for e in from_app
    ]


def test_no_agreement_is_explained(store, pair, monkeypatch, capsys):
    monkeypatch.setenv("PEERCOACH_DB", store.url)
    assert cli.main(["calendar", "--partnership", str(pair["partnership"].id)]) == 2
    assert "has no agreement yet" in capsys.readouterr().err


def test_a_session_logged_as_rescheduled_is_off_in_the_calendar(store, pair, booked):
    _saved, bookings = booked
    session = store.get(model.Session, bookings[1].session_id)
    store.save(session.replace(status=model.SessionStatus.RESCHEDULED))
    events = _events(calendar.partnership_calendar(store, pair["partnership"].id))
    assert [str(e["status"]) for e in events] == [
        "CONFIRMED",
        "CANCELLED",
        "CONFIRMED",
        "CONFIRMED",
    ]
    assert int(events[1]["sequence"]) == session.calendar_sequence + 1
    assert events[1].walk("VALARM") == []


def _sequences(store, pair) -> list[int]:
    return [
        int(e["sequence"])
        for e in _events(calendar.partnership_calendar(store, pair["partnership"].id))
    ]


def test_ending_the_partnership_cancels_its_entries_as_an_update(store, pair, booked):
    """Calendar programs take a cancelled entry only with a higher SEQUENCE."""
    partnerships.end(
        store,
        pair["partnership"].id,
        by=pair["alice"].id,
        reason="schedules did not fit",
        on=dt.date(2026, 3, 20),
        today=dt.date(2026, 3, 20),
    )
    events = _events(calendar.partnership_calendar(store, pair["partnership"].id))
    assert [str(e["status"]) for e in events] == ["CONFIRMED"] + ["CANCELLED"] * 3
    assert _sequences(store, pair) == [0, 1, 1, 1]


def test_a_session_taken_back_from_rescheduled_to_held_never_lowers_its_sequence(
    store, pair, booked
):
    _saved, bookings = booked
    alice, bob = pair["alice"].id, pair["bob"].id
    session = store.get(model.Session, bookings[0].session_id)
    moved = session_log.save(
        store,
        alice,
        session_log.SessionEntry(session=session.replace(status=model.SessionStatus.RESCHEDULED)),
    )
    assert _sequences(store, pair)[0] == 1
    held = moved.replace(
        status=model.SessionStatus.HELD,
        held_on=moved.scheduled_on,
        halves=[model.SessionHalf(coach_id=alice, client_id=bob, minutes=45)],
    )
    session_log.save(store, bob, session_log.SessionEntry(session=held))
    assert _sequences(store, pair)[0] == 2
    # A change the calendar does not show (minutes, say) leaves it as it is.
    again = store.get(model.Session, moved.id)
    changed = again.replace(halves=[model.SessionHalf(coach_id=alice, client_id=bob, minutes=50)])
    session_log.save(store, bob, session_log.SessionEntry(session=changed))
    assert _sequences(store, pair)[0] == 2


def test_an_agreement_change_every_entry_shows_raises_every_sequence(store, pair, booked):
    saved, bookings = booked
    assert _sequences(store, pair) == [0, 0, 0, 0]
    ag.save(store, saved.replace(time_zone="America/New_York"), bookings)
    assert _sequences(store, pair) == [1, 1, 1, 1]
    ag.save(store, store.find(model.Agreement)[0].replace(goals=[]), bookings)  # not shown
    assert _sequences(store, pair) == [1, 1, 1, 1]


def test_a_new_time_zone_moves_the_sessions_to_come_never_those_held_or_missed(store, pair, booked):
    """Sessions held or missed keep the moment they were booked for; those to come keep the
    agreed time on the new zone's clocks (calendars show each where it is)."""
    _saved, bookings = booked
    alice, bob = pair["alice"].id, pair["bob"].id
    held, missed = (store.get(model.Session, b.session_id) for b in bookings[:2])
    session_log.save(
        store,
        alice,
        session_log.SessionEntry(
            session=held.replace(
                status=model.SessionStatus.HELD,
                held_on=held.scheduled_on,
                halves=[model.SessionHalf(coach_id=alice, client_id=bob, minutes=45)],
            )
        ),
    )
    session_log.save(
        store,
        bob,
        session_log.SessionEntry(session=missed.replace(status=model.SessionStatus.MISSED)),
    )
    before = [e.decoded("dtstart") for e in _events(partnership_calendar(store, pair))]
    agreement, to_come = ag.load(store, pair["partnership"].id)
    ag.save(
        store, agreement.replace(time_zone="America/New_York"), to_come, today=dt.date(2026, 3, 25)
    )

    events = _events(partnership_calendar(store, pair))
    after = [e.decoded("dtstart") for e in events]
    assert after[:2] == before[:2]  # the same instants, on London's clocks as booked
    assert [str(s.tzinfo) for s in after] == ["Europe/London"] * 2 + ["America/New_York"] * 2
    assert [str(e.decoded("dtend").tzinfo) for e in events] == [str(s.tzinfo) for s in after]
    new_york = zoneinfo.ZoneInfo("America/New_York")
    assert [s.astimezone(new_york).time() for s in after[2:]] == [dt.time(18, 30)] * 2
    assert after[2] - before[2] == dt.timedelta(hours=5)  # 18:30 London was 13:30 there
    assert _sequences(store, pair) == [1, 1, 1, 1]
    # Said so where a session is named with its time.
    first = store.get(model.Session, held.id)
    assert ag.session_time(store.find(model.Agreement)[0], first) == ", 18:30 London time"

    # Changed again, they stay where they were, and so does one booked for a day gone by and
    # not logged yet (31 Mar), which took place or did not then; a session booked in place of
    # one held since (logged as put off after all) takes the agreement's clocks once the
    # schedule is saved.
    agreement, to_come = ag.load(store, pair["partnership"].id)
    ag.save(store, agreement.replace(time_zone="Asia/Tokyo"), to_come, today=dt.date(2026, 4, 1))
    again_after = [e.decoded("dtstart") for e in _events(partnership_calendar(store, pair))]
    assert again_after[:3] == after[:3]
    assert str(again_after[3].tzinfo) == "Asia/Tokyo"
    # Saved again, nothing moves.
    agreement, to_come = ag.load(store, pair["partnership"].id)
    ag.save(store, agreement, to_come, today=dt.date(2026, 4, 1))
    assert [e.decoded("dtstart") for e in _events(partnership_calendar(store, pair))] == (
        again_after
    )
    # Put off to a day to come, it is booked there at the agreed time (19:00 since) on the
    # agreement's clocks, not at its own 18:30 New York time.
    agreement, to_come = ag.load(store, pair["partnership"].id)
    ag.save(store, agreement.replace(time=dt.time(19, 0)), to_come, today=dt.date(2026, 4, 1))
    gone_by = store.get(model.Session, bookings[2].session_id)
    assert (gone_by.time_zone, gone_by.scheduled_time) == ("America/New_York", dt.time(18, 30))
    session_log.save(
        store,
        alice,
        session_log.SessionEntry(
            session=gone_by.replace(status=model.SessionStatus.RESCHEDULED),
            rebook_on=dt.date(2026, 4, 9),
        ),
    )
    (instead,) = store.find(model.Session, replaces_id=gone_by.id)
    assert instead.time_zone is None
    start = ag.session_start(store.find(model.Agreement)[0], instead)
    assert (str(start.tzinfo), start.time()) == ("Asia/Tokyo", dt.time(19, 0))
    again = store.save(
        model.Session(
            partnership_id=pair["partnership"].id,
            scheduled_on=dt.date(2026, 4, 20),
            scheduled_time=dt.time(18, 30),
            time_zone="Europe/London",
            replaces_id=held.id,
        )
    )
    agreement, to_come = ag.load(store, pair["partnership"].id)
    ag.save(store, agreement, to_come, today=dt.date(2026, 4, 1))
    assert store.get(model.Session, again.id).time_zone is None


def partnership_calendar(store, pair) -> bytes:
    return calendar.partnership_calendar(store, pair["partnership"].id)


def test_a_new_agreed_time_moves_the_sessions_to_come_not_one_gone_by(store, pair, booked):
    """A session booked for a day gone by and not logged yet took place, or did not, at the time
    it was booked for: a new agreed time moves those to come only."""
    _saved, bookings = booked  # weekly from Tue 17 Mar 2026, 18:30 London time
    agreement, to_come = ag.load(store, pair["partnership"].id)
    ag.save(store, agreement.replace(time=dt.time(19, 0)), to_come, today=dt.date(2026, 3, 25))
    starts = [e.decoded("dtstart") for e in _events(partnership_calendar(store, pair))]
    assert [(s.date(), s.time()) for s in starts] == [
        (dt.date(2026, 3, 17), dt.time(18, 30)),
        (dt.date(2026, 3, 24), dt.time(18, 30)),
        (dt.date(2026, 3, 31), dt.time(19, 0)),
        (dt.date(2026, 4, 7), dt.time(19, 0)),
    ]
    assert {str(s.tzinfo) for s in starts} == {"Europe/London"}
    # Logged later as held, it is on the day at the time it was booked for.
    gone_by = store.get(model.Session, bookings[1].session_id)
    assert gone_by.scheduled_time == dt.time(18, 30) and gone_by.time_zone is None
    assert ag.session_time(store.find(model.Agreement)[0], gone_by) == ", 18:30"
