"""The partnership's schedule as an iCalendar (.ics) file.

Each booked session is one event in the agreement's time zone, or in the zone a session gone by
was booked in before the agreement's changed (written out with its rules, so calendars get
daylight-saving changes right), with a reminder. Each event's UID is derived from
the partnership and the session, so downloading the file again updates the entries already in a
calendar instead of adding copies; a moved session carries a higher SEQUENCE, a cancelled one
(or one logged as rescheduled) STATUS:CANCELLED. Until both partners have affirmed the agreement,
the sessions are STATUS:TENTATIVE (proposed, not yet agreed); the file downloaded again once it
is in force confirms them (each entry's SEQUENCE rises, so calendars take the change).
"""

from __future__ import annotations

import datetime as dt
import uuid

import icalendar

from peercoach_lib import __version__
from peercoach_lib.agreement import session_start
from peercoach_lib.errors import NotFoundError
from peercoach_lib.model import (
    Agreement,
    Partnership,
    Person,
    Session,
    SessionFormat,
)
from peercoach_lib.store import Store

PRODID = f"-//peercoach//peercoach {__version__}//EN"
#: A fixed namespace, so that the same session gets the same UID in every export.
UID_NAMESPACE = uuid.UUID("6c9f3d1e-2f4b-4c59-9a57-0f6f3a1c7b21")
REMINDER = dt.timedelta(minutes=30)
#: For a session with no time agreed: 09:00 on its day.
ALL_DAY_REMINDER = dt.timedelta(hours=9)


def session_uid(partnership: Partnership, session_id: int) -> str:
    key = (
        f"{partnership.id}:{partnership.person_a_id}:{partnership.person_b_id}:"
        f"{partnership.started_on}:{session_id}"
    )
    return f"{uuid.uuid5(UID_NAMESPACE, key)}@peercoach"


def duration(agreement: Agreement) -> dt.timedelta:
    """How long one meeting is: both halves back to back, or one half when they are separate."""
    halves = 1 if agreement.format is SessionFormat.ONE_WAY_SEPARATE else 2
    return dt.timedelta(minutes=agreement.minutes_per_person * halves)


def schedule_ics(
    agreement: Agreement,
    partnership: Partnership,
    people: dict[int, Person],
    sessions: list[Session],
    *,
    now: dt.datetime | None = None,
) -> bytes:
    """The iCalendar file for the partnership's planned sessions."""
    now = now or dt.datetime.now(dt.UTC)
    a, b = (people[p].name if p in people else "partner" for p in partnership.members)
    caller = people.get(agreement.caller_id)
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", f"Peer coaching: {a} and {b}")
    for session in sorted(sessions, key=lambda s: (s.scheduled_on or dt.date.max, s.id or 0)):
        if not session.planned or session.scheduled_on is None:
            continue
        event = icalendar.Event()
        event.add("uid", session_uid(partnership, session.id))
        event.add("dtstamp", now)
        # A session logged as rescheduled is off on its day: cancelled in the calendar, as an
        # update (a higher sequence) that calendar programs take over their copy.
        off = session.is_off
        event.add("sequence", session.calendar_revision)
        event.add("summary", f"Peer coaching: {a} and {b}")
        lines = [
            f"{agreement.format.value.capitalize()}, {agreement.minutes_per_person} minutes "
            f"each, by {agreement.medium.value}."
        ]
        if caller is not None:
            lines.append(f"{caller.name} calls.")
        if not agreement.in_force:
            lines.append("Proposed: the agreement is not yet affirmed by both partners.")
        lines.append("Prepare: what do you want from this session?")
        event.add("description", " ".join(lines))
        start = session_start(agreement, session)
        if start is None:
            event.add("dtstart", session.scheduled_on)
            event.add("dtend", session.scheduled_on + dt.timedelta(days=1))
        else:
            event.add("dtstart", start)
            # Elapsed time, not the wall clock's: a session across the night the clocks go
            # back lasts as long as any other.
            # On the start's clocks (a session gone by keeps the zone it was booked in).
            end = start.astimezone(dt.UTC) + duration(agreement)
            event.add("dtend", end.astimezone(start.tzinfo))
        if off:
            event.add("status", "CANCELLED")
        else:
            event.add("status", "CONFIRMED" if agreement.in_force else "TENTATIVE")
            alarm = icalendar.Alarm()
            alarm.add("action", "DISPLAY")
            if start is None:
                # A day with no time agreed: remind in the morning of the day, not at 23:30 the
                # evening before (30 minutes before an all-day event's midnight).
                alarm.add("description", "Peer-coaching session today")
                alarm.add("trigger", ALL_DAY_REMINDER)
            else:
                alarm.add("description", "Peer-coaching session in 30 minutes")
                alarm.add("trigger", -REMINDER)
            event.add_component(alarm)
        calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()


def partnership_calendar(store: Store, partnership_id: int) -> bytes:
    """The .ics file for a stored partnership, as the app and the command line write it."""
    with store.reading() as tx:
        found = tx.find(Partnership, id=partnership_id)
        if not found:
            raise NotFoundError(
                f"there is no partnership {partnership_id} (`peercoach people` shows each "
                "person's partnership)"
            )
        (partnership,) = found
        agreements = tx.find(Agreement, partnership_id=partnership_id)
        if not agreements:
            raise NotFoundError(
                f"partnership {partnership_id} has no agreement yet, so no sessions are booked: "
                "make one in the first-session agreement app"
            )
        people = {p.id: p for p in tx.find(Person, id=list(partnership.members))}
        sessions = tx.find(Session, partnership_id=partnership_id, planned=True)
    return schedule_ics(agreements[0], partnership, people, sessions)
