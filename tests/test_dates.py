"""Dates in the workbook's sentences are written as people write them: no leading zero."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from peercoach_lib import dates, session_log
from peercoach_lib.apps import forms
from peercoach_lib.model import Partnership, Session

SEVENTH = dt.date(2026, 9, 7)


def test_a_day_is_written_without_a_leading_zero():
    assert dates.long(SEVENTH) == "7 September 2026"
    assert dates.short(SEVENTH) == "7 Sep 2026"
    assert dates.long_weekday(SEVENTH) == "Monday 7 September 2026"
    assert dates.short_weekday(SEVENTH) == "Mon 7 Sep 2026"
    assert dates.day_month(SEVENTH) == "7 Sep"
    assert dates.long(dt.date(2026, 12, 31)) == "31 December 2026"
    assert dates.short(dt.datetime(2026, 9, 7, 8, 5)) == "7 Sep 2026"
    assert dates.short(pd.Timestamp(SEVENTH)) == "7 Sep 2026"


def test_messages_and_tables_use_it():
    pair = Partnership(id=1, cohort_id=1, person_a_id=1, person_b_id=2, started_on=SEVENTH)
    problem = session_log.date_problem(SEVENTH - dt.timedelta(days=1), pair)
    assert problem is not None and "first day, 7 September 2026" in problem
    # A new day for a session put off is booked, not logged, there.
    moved = Session(id=5, partnership_id=1, scheduled_on=SEVENTH + dt.timedelta(days=7))
    day = SEVENTH - dt.timedelta(days=1)
    said = session_log.rebook_problem(None, moved, day, pair, today=day - dt.timedelta(days=5))
    assert said == "a session can be booked from the partnership's first day, 7 September 2026"
    table = pd.DataFrame({"Day": pd.to_datetime([SEVENTH, None])})
    shown = forms.table_html(table)
    assert "<td>7 Sep 2026</td>" in shown and "<td>–</td>" in shown


def test_a_stored_instant_is_read_on_a_zones_clock_or_the_computers(monkeypatch):
    moment = dt.datetime(2026, 10, 1, 23, 50, tzinfo=dt.UTC)
    assert dates.in_zone(moment, "Australia/Sydney").isoformat() == "2026-10-02T09:50:00+10:00"
    assert dates.in_zone(moment.replace(tzinfo=None), "UTC").hour == 23  # naive is UTC
    # With no zone, the computer's clock (naive): here set to New York's.
    import time

    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    try:
        assert dates.in_zone(moment, None) == dt.datetime(2026, 10, 1, 19, 50)
    finally:
        monkeypatch.undo()
        time.tzset()
