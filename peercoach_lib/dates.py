"""Dates as the workbook writes them in its sentences: "7 September 2026", "Mon 7 Sep 2026".

strftime has no portable day of the month without its leading zero ("%-d" is glibc's), and
"07 September" is not how people write a date. Messages, documents, choosers and tables use
these; the charts' date axes keep matplotlib's own ticks ("07 Sep"), set by format strings.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo


def in_zone(moment: dt.datetime, zone: str | None) -> dt.datetime:
    """A stored instant (UTC; a naive one is taken as UTC) on the clocks of the time zone
    named ``zone``; with None, on the computer's own clock (naive, local)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    if zone is None:
        return moment.astimezone().replace(tzinfo=None)
    return moment.astimezone(ZoneInfo(zone))


def long(day: dt.date) -> str:
    """7 September 2026"""
    return f"{day.day} {day:%B %Y}"


def short(day: dt.date) -> str:
    """7 Sep 2026"""
    return f"{day.day} {day:%b %Y}"


def long_weekday(day: dt.date) -> str:
    """Monday 7 September 2026"""
    return f"{day:%A} {long(day)}"


def short_weekday(day: dt.date) -> str:
    """Mon 7 Sep 2026"""
    return f"{day:%a} {short(day)}"


def after_today(today: dt.date) -> str:
    """What is wrong with a day later than ``today``: "cannot be after today (25 Nov 2026)".

    The day is said: whose today it is (the person's clock, the partnership's, the
    computer's) can differ by a day, and a bare "in the future" would leave that a riddle.
    """
    return f"cannot be after today ({short(today)})"


def day_month(day: dt.date) -> str:
    """7 Sep"""
    return f"{day.day} {day:%b}"
