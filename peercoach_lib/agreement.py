"""The first-session agreement: its schedule, the guide's checks, saving it, and reading it.

The guide asks partners at their first session to affirm confidentiality, share expectations,
agree logistics and book several sessions ahead. This module turns an agreement into booked
sessions, checks it against the guide (warnings) and against what is possible (errors), saves it
with its schedule in one transaction, and writes it out as Markdown or HTML.
"""

from __future__ import annotations

import collections
import dataclasses
import datetime as dt
import difflib
import itertools
import re
import zoneinfo
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from pydantic_core import to_jsonable_python

from peercoach_lib import dates, drafts, merging, prep
from peercoach_lib.documents import words
from peercoach_lib.errors import ConflictError, FieldError, ValidationError
from peercoach_lib.model import (
    Agreement,
    ChangePlan,
    FieldChange,
    Frequency,
    PartnerSection,
    Partnership,
    Person,
    PlanStatus,
    Session,
    SessionStatus,
)
from peercoach_lib.model.base import EARLIEST_DATE, LATEST_DATE
from peercoach_lib.store import Store, Transaction

#: Days between sessions for each frequency. "Monthly" is every four weeks, so every session
#: falls on the agreed weekday.
STEP_DAYS = {f: f.interval_days for f in Frequency}
#: The guide's recommendations.
MIN_ONE_WAY_MINUTES = 45
MAX_GAP_DAYS = 31
MIN_BOOKED = 3

#: A partner's draft of the agreement: what they typed and have not saved (see
#: :mod:`peercoach_lib.drafts`), one per partnership.
DRAFT_KIND = "agreement"


@dataclass(frozen=True)
class Booking:
    """One planned session in the schedule being edited.

    ``session_id`` is set once the session is stored; ``cancelled`` keeps the slot (and its
    calendar entry, which is then cancelled) without a meeting.
    """

    on: dt.date
    session_id: int | None = None
    cancelled: bool = False


@dataclass
class Findings:
    """What the checks found, keyed by field path: errors block a save, warnings do not."""

    errors: dict[str, str] = field(default_factory=dict)
    warnings: dict[str, str] = field(default_factory=dict)
    #: The bookings (by their place in the list checked) that the schedule's error names.
    bookings: set[int] = field(default_factory=set)

    @property
    def ok(self) -> bool:
        return not self.errors


def schedule_dates(
    first: dt.date, frequency: Frequency, *, count: int | None = None, until: dt.date | None = None
) -> list[dt.date]:
    """The booked dates from ``first``, either ``count`` of them or every one up to ``until``.

    None from a first date outside the workbook's years, and none after them (a year typed as
    9999 would run past the calendar's end).
    """
    step = dt.timedelta(days=STEP_DAYS[frequency])
    if not EARLIEST_DATE <= first <= LATEST_DATE:
        return []
    if until is not None:
        until = min(until, LATEST_DATE)
        if until < first:
            return []
        return [first + k * step for k in range((until - first) // step + 1)]
    return [first + k * step for k in range(max(count or 0, 0))]


def gaps(bookings: Sequence[Booking]) -> list[Booking]:
    """The cancelled sessions between sessions still booked: gaps the partners made on
    purpose (a holiday), which a rebuilt schedule keeps and steps over. Those after the last
    session booked are taken as cut off the end (a lower number of sessions), which may come
    back; a form that saw them cancelled on purpose says so to :func:`rebook` instead."""
    active = [b.on for b in bookings if not b.cancelled]
    if not active:
        return []
    last = max(active)
    return [b for b in bookings if b.cancelled and b.on < last]


def rebook(
    bookings: Sequence[Booking],
    days: Sequence[dt.date],
    *,
    count: int | None = None,
    holes: Sequence[Booking] | None = None,
) -> list[Booking]:
    """Lay new dates over an existing schedule, reusing stored sessions in order; by date.

    The ``holes`` (sessions cancelled on purpose, of ``bookings``; by default its
    :func:`gaps`) stay cancelled, and ``days`` on their days are stepped over: ``count``
    of the others are booked (all of them, when None). Reusing keeps each session's id, and
    so its calendar entry: a re-downloaded calendar moves the entry instead of adding a second
    one. Sessions booked come first, then those cut off the end, so that lowering the number
    and raising it again gives the same sessions back on the same days.
    """
    kept = list(gaps(bookings) if holes is None else holes)
    stepped = {b.on for b in kept} & set(days)
    days = [day for day in days if day not in stepped][:count]
    booked = [b.session_id for b in bookings if not b.cancelled and b.session_id is not None]
    cut = [
        b.session_id
        for b in sorted(bookings, key=lambda b: b.on)
        if b.cancelled and b not in kept and b.session_id is not None
    ]
    stored = booked + cut
    out = [
        Booking(on=day, session_id=stored[k] if k < len(stored) else None)
        for k, day in enumerate(days)
    ]
    # A gap not yet saved stays only where the new rhythm steps over it.
    out += [b for b in kept if b.session_id is not None or b.on in stepped]
    # Stored sessions no longer needed stay in the schedule, cancelled.
    taken = {b.session_id for b in out}
    out += [
        Booking(on=b.on, session_id=b.session_id, cancelled=True)
        for b in bookings
        if b.session_id is not None and b.session_id not in taken
    ]
    return sorted(out, key=lambda b: (b.on, b.cancelled))


def reschedule(
    bookings: Sequence[Booking],
    first: dt.date,
    frequency: Frequency,
    *,
    count: int | None = None,
    until: dt.date | None = None,
    holes: Sequence[Booking] | None = None,
) -> list[Booking]:
    """``bookings`` laid anew on the rhythm from ``first``: ``count`` sessions booked, or every
    one up to ``until``, stepping over the ``holes`` (see :func:`rebook`)."""
    holes = list(gaps(bookings) if holes is None else holes)
    days = schedule_dates(
        first, frequency, count=None if count is None else count + len(holes), until=until
    )
    return rebook(bookings, days, count=count, holes=holes)


def resize(
    bookings: Sequence[Booking],
    frequency: Frequency,
    *,
    count: int | None = None,
    until: dt.date | None = None,
    holes: Sequence[Booking] | None = None,
    weekday: int | None = None,
    not_before: dt.date,
) -> list[Booking] | None:
    """``bookings`` with more or fewer sessions booked, none of them moved: the first ``count``
    sessions booked (or those up to ``until``) stay on their days; more go on after the last
    of them on the rhythm (on the agreed ``weekday``, when one is, from ``not_before`` at the
    earliest), stepping over the ``holes``' days; fewer leave the last ones cancelled (cut off
    the end, to come back on their own days when the number is raised again). None with no
    session booked: there is nothing to go on from (:func:`reschedule` lays a schedule anew)."""
    holes = list(gaps(bookings) if holes is None else holes)
    skipped = {b.on for b in holes}
    booked = sorted(b.on for b in bookings if not b.cancelled)
    # Sessions cut off the end (all those cancelled, when none is booked), to come back first,
    # each on its own day (moved by hand, maybe).
    cut_off = sorted(
        b.on
        for b in bookings
        if b.cancelled and (not booked or b.on > booked[-1]) and b.on not in skipped
    )
    if not booked and not cut_off:
        return None
    keep = [day for day in booked if day <= until] if until is not None else booked[:count]
    days = list(keep)
    for cut in cut_off:
        if cut in days or (until is not None and cut > until):
            continue
        if until is None and len(days) >= (count or 0):
            break
        days.append(cut)
    step = dt.timedelta(days=STEP_DAYS[frequency])
    if not days and not booked:
        return None  # nothing to go on from
    day = days[-1] if days else booked[0] - step
    end = min(until, LATEST_DATE) if until is not None else LATEST_DATE
    while until is not None or len(days) < (count or 0):
        following = day + step
        if weekday is not None:
            following = weekday_near(
                following, weekday, not_before=max(day + dt.timedelta(days=1), not_before)
            )
        if following > end:
            break
        day = following
        if day not in skipped:
            days.append(day)
    return rebook(sorted(bookings, key=lambda b: (b.on, b.cancelled)), days, holes=holes)


def numbers(bookings: Sequence[Booking], *, held: int = 0) -> list[int | None]:
    """Each row's session number: sessions booked are numbered on from the ``held`` (held or
    missed) ones, as the number of sessions counts them; a cancelled one has none."""
    booked = itertools.count(held + 1)
    return [None if b.cancelled else next(booked) for b in bookings]


def labels(bookings: Sequence[Booking], *, held: int = 0) -> list[str]:
    """Each row's name in the schedule: "Session 7" (see :func:`numbers`), or for a cancelled
    one its day ("Cancelled 22 Dec"), which is what tells it from another."""
    out: list[str] = []
    for number, b in zip(numbers(bookings, held=held), bookings, strict=True):
        if number is not None:
            out.append(f"Session {number}")
            continue
        name = (
            f"Cancelled {dates.day_month(b.on)}"
            if EARLIEST_DATE <= b.on <= LATEST_DATE
            else "Cancelled"
        )
        repeat = sum(label == name or label.startswith(name + " (") for label in out)
        out.append(f"{name} ({repeat + 1})" if repeat else name)
    return out


def check(
    agreement: Agreement,
    bookings: Sequence[Booking],
    *,
    partners: Sequence[int | None] = (),
    today: dt.date | None = None,
    booked_on: Mapping[int, dt.date] | None = None,
    logged: Sequence[dt.date] = (),
    unplanned: Sequence[dt.date] = (),
    saved: Agreement | None = None,
) -> Findings:
    """The guide's checks (warnings) and the impossible (errors), by field.

    ``partners`` are the two people chosen for the partnership, if it is being created;
    ``booked_on`` the stored sessions' days (by id) before this edit, ``logged`` the days of
    the sessions already held or missed (see :func:`logged_sessions`), and ``unplanned`` those
    of the sessions held outside the schedule (:func:`unplanned_days`); ``saved`` the
    agreement as stored, if it is.
    """
    today = today or dt.date.today()
    found = Findings()
    if partners and (len({p for p in partners if p}) < 2):
        found.errors["partners"] = "choose two different people for the partnership"
    active = sorted(b.on for b in bookings if not b.cancelled)
    if agreement.first_session_on is None:
        found.errors["first_session_on"] = "choose the date of the first session"
    elif not active and not logged:
        found.errors["session_count"] = "book at least one session"
    elif not active:
        found.warnings["session_count"] = (
            f"every session agreed is held or missed: make it more than {len(logged)} to book more"
        )
    first = agreement.first_session_on
    numbered_all = numbers(bookings, held=len(logged))
    implausible = [
        (i, k, b.on)
        for i, (k, b) in enumerate(zip(numbered_all, bookings, strict=True))
        if not EARLIEST_DATE <= b.on <= LATEST_DATE
    ]
    if implausible:
        found.bookings = {i for i, _k, _day in implausible}
        _i, k, day = implausible[0]
        found.errors["schedule"] = (
            f"{'A cancelled session' if k is None else f'Session {k}'} is on "
            f"{dates.short(day)}: a session date must be between {EARLIEST_DATE.year} and "
            f"{LATEST_DATE.year}"
        )
        return found
    # Every problem of the schedule is said at once (one after another), each session named
    # in the first that concerns it: mended one by one, a second would come up only on saving.
    problems: list[str] = []
    named: set[int] = set()
    # Sessions are numbered on from those already logged, as the form shows them.
    numbered = [(k, b.on) for k, b in zip(numbered_all, bookings, strict=True) if k is not None]
    # Two sessions on one day: named together, since either may be the one the person moved.
    taken: dict[dt.date, int | None] = dict.fromkeys(logged)
    for k, day in numbered:
        if day in taken and taken[day] is None:
            problems.append(
                f"Session {k} is on {dates.short(day)}, the day of a session already held or "
                "missed: move it, or cancel it"
            )
            named.add(k)
        elif day in taken:
            problems.append(
                f"Sessions {taken[day]} and {k} are both on {dates.short(day)}: move one of "
                "them, or cancel it"
            )
            named.update((taken[day], k))
        taken.setdefault(day, k)
    # An agreed day that no session to come falls on: the schedule follows the first session's
    # day, so one of the two is not what the partners mean (a session moved now and then is).
    ahead = [day for day in active if day >= today]
    if (
        agreement.day is not None
        and ahead
        and all(day.weekday() != agreement.day.number for day in ahead)
    ):
        usual = collections.Counter(f"{day:%A}" for day in ahead).most_common(1)[0][0]
        found.warnings["day"] = (
            (
                f"the sessions booked fall on {usual}s"
                if len(ahead) > 1
                else f"the session booked falls on a {usual}"
            )
            + f", not on the agreed {agreement.day.value}: choose {usual} here, or move the "
            + ("sessions" if len(ahead) > 1 else "session")
            + " below"
        )
    # Logistics the guide has the partners agree at the first session, not left open: what
    # the schedule and the calendar do without them is said.
    if ahead and agreement.day is None:
        found.warnings["day"] = (
            f"no day agreed yet: the sessions fall on the first session's weekday ({ahead[0]:%A})"
        )
    if ahead and agreement.time is None:
        found.warnings["time"] = (
            "no time agreed yet: calendars show sessions without a time of their own as "
            "all-day events"
        )
    if agreement.format.is_one_way and agreement.minutes_per_person < MIN_ONE_WAY_MINUTES:
        found.warnings["minutes_per_person"] = (
            f"the guide recommends at least {MIN_ONE_WAY_MINUTES} minutes of coaching each "
            "for one-way sessions"
        )
    # Few agreed in all (a partnership's last sessions, the others held, are no few booked).
    if active and len(active) + len(logged) < MIN_BOOKED:
        found.warnings["session_count"] = (
            f"only {len(active)} booked"
            + (
                f" ({len(active) + len(logged)} in all, with those held or missed)"
                if logged
                else ""
            )
            + f": the guide suggests booking at least {MIN_BOOKED} sessions ahead"
        )
    gaps = [(a, b) for a, b in itertools.pairwise(active) if (b - a).days > MAX_GAP_DAYS]
    if gaps:
        a, b = max(gaps, key=lambda pair: pair[1] - pair[0])
        found.warnings["schedule"] = (
            f"{(b - a).days:,} days between {dates.short(a)} and {dates.short(b)}: the guide "
            "suggests meeting at least every month"
        )
    # Booked before today here (new, or moved); one due as stored is the note further down.
    stored = booked_on or {}
    changed = [
        (k, b.on)
        for k, b in zip(numbered_all, bookings, strict=True)
        if k is not None and (b.session_id is None or stored.get(b.session_id, b.on) != b.on)
    ]
    # On the day of a session held outside the schedule: two sessions held that day, counted
    # twice (as the session log refuses a session held outside the schedule on a booked day).
    for k, day in changed:
        if k not in named and day in set(unplanned):
            problems.append(
                f"Session {k} is on {dates.short(day)}, the day of a session held outside the "
                "schedule: move it, or cancel it"
            )
            named.add(k)
    # Before a session already held or missed: it would come before the sessions numbered
    # ahead of it (session 17 before session 16).
    if logged and (behind := [(k, d) for k, d in changed if d < max(logged) and k not in named]):
        which = (
            f"Session {behind[0][0]} would be on {dates.short(behind[0][1])},"
            if len(behind) == 1
            else f"Sessions {_numbers([k for k, _day in behind])} would be"
        )
        problems.append(
            f"{which} before the last session held or missed ({dates.short(max(logged))}): a "
            "session to come is booked after those"
        )
        named.update(k for k, _day in behind)
    if first is not None and (early := [d for k, d in numbered if d < first and k not in named]):
        problems.append(f"a session is booked on {dates.short(early[0])}, before the first session")
        named.update(k for k, d in numbered if d < first)
    if problems:
        found.errors["schedule"] = "; ".join(problems)
        found.bookings = {i for i, k in enumerate(numbered_all) if k in named}
    past = [k for k, day in changed if day < today]
    if past:
        which = (
            f"Session {past[0]} would be booked"
            if len(past) == 1
            else f"Sessions {_numbers(past)} would be booked"
        )
        said = (
            f"{which} before today; move {'it' if len(past) == 1 else 'them'}, or cancel "
            f"{'it if it is' if len(past) == 1 else 'those'} only there to keep the rhythm"
        )
        # Said as well as a gap the move makes, not instead of it.
        gap = found.warnings.get("schedule")
        found.warnings["schedule"] = f"{said}; {gap}" if gap else said
    # Booked before today, as stored, and not logged: due, and easily forgotten.
    due = [
        (k, b.on)
        for k, b in zip(numbered_all, bookings, strict=True)
        if k is not None and b.on < today and stored.get(b.session_id or 0) == b.on
    ]
    if due:
        (k, day), *more = due
        found.warnings.setdefault(
            "schedule",
            f"Session {k}, booked for {dates.short(day)}, is not in the session log yet: log it "
            "there (held, missed or rescheduled), or cancel it here"
            if not more
            else f"Sessions {_numbers([k for k, _day in due])}, booked before today, are not in "
            "the session log yet: log them there (held, missed or rescheduled), or cancel them "
            "here",
        )
    if agreement.day is not None:
        if not logged:
            if first is not None and first.weekday() != agreement.day.number:
                found.warnings["first_session_on"] = (
                    f"this is a {first:%A}, but the agreed day is {agreement.day.value}"
                )
        elif off_day := [
            (k, day)
            for k, day in numbered
            if day >= today and day.weekday() != agreement.day.number
        ]:
            k, day = off_day[0]
            found.warnings.setdefault(
                "schedule",
                f"Session {k} is on a {day:%A} ({dates.short(day)}), but the agreed day is "
                f"{agreement.day.value}",
            )
    if skipped := _time_not_on_the_clocks(agreement, [day for day in active if day >= today]):
        # The night the clocks go forward, a time in the hour they skip is no time at all:
        # calendars move it an hour on.
        day, shown = skipped
        found.warnings["time"] = (
            f"{agreement.time:%H:%M} does not exist in {zone_place(agreement.time_zone)} on "
            f"{dates.short_weekday(day)} (the clocks go forward): calendars show that session "
            f"at {shown:%H:%M}"
        )
    if saved is not None and (moved := _moved_by_the_zone(saved, agreement, active, today)):
        found.warnings["time_zone"] = moved + (
            ". Sessions before today keep their times"
            if logged or any(day < today for day in active)
            else ""
        )
    return found


def _moved_by_the_zone(
    saved: Agreement, agreement: Agreement, days: Sequence[dt.date], today: dt.date
) -> str | None:
    """What changing the agreement's time zone from ``saved``'s does to the sessions to come
    (on ``days``): they keep the agreed time on the new zone's clocks, which is another moment
    (said by the next of them); those before today keep theirs. None when the zone is the same,
    or the next session's moment is."""
    coming = [day for day in days if day >= today]
    if saved.time_zone == agreement.time_zone or not coming:
        return None
    if saved.time is None or agreement.time is None:
        return None
    day, zone = coming[0], zoneinfo.ZoneInfo(agreement.time_zone)
    was = dt.datetime.combine(day, saved.time, tzinfo=zoneinfo.ZoneInfo(saved.time_zone))
    now = dt.datetime.combine(day, agreement.time, tzinfo=zone)
    if was == now:
        return None
    was_here = was.astimezone(zone)
    at = (
        f"{was_here:%H:%M}"
        if was_here.date() == day
        else (f"{dates.short_weekday(was_here.date())} {was_here:%H:%M}")
    )
    here, there = zone_time(agreement.time_zone), zone_time(saved.time_zone)
    return (
        f"sessions to come will be at {agreement.time:%H:%M} {here}: the next, on "
        f"{dates.short_weekday(day)}, was booked for {at} {here} ({saved.time:%H:%M} {there})"
    )


def _time_not_on_the_clocks(
    agreement: Agreement, days: Sequence[dt.date]
) -> tuple[dt.date, dt.time] | None:
    """The first of ``days`` on which the agreed time is skipped by the clocks (the night
    they go forward), with the time it becomes; None when there is none (or no time)."""
    if agreement.time is None:
        return None
    zone = zoneinfo.ZoneInfo(agreement.time_zone)
    for day in days:
        wall = dt.datetime.combine(day, agreement.time, tzinfo=zone)
        real = wall.astimezone(dt.UTC).astimezone(zone)
        if real.replace(tzinfo=None) != wall.replace(tzinfo=None):
            return day, real.time()
    return None


def add_problem(errors: dict[str, str], path: str, problem: str) -> None:
    """Say ``problem`` at ``path`` after what is said there already, if not said yet."""
    said = errors.get(path)
    errors[path] = problem if not said else said if problem in said else f"{said}; {problem}"


def _numbers(numbers: list[int]) -> str:
    """Session numbers as people write them: "1 to 4", "2, 5 and 6"."""
    if numbers == list(range(numbers[0], numbers[-1] + 1)) and len(numbers) > 2:
        return f"{numbers[0]} to {numbers[-1]}"
    return ", ".join(map(str, numbers[:-1])) + f" and {numbers[-1]}"


def current_bookings(tx: Transaction, partnership_id: int) -> list[Booking]:
    """The partnership's planned sessions that can still be moved or cancelled. A booking made
    in place of a session put off, cancelled because that session was held or missed on its
    day after all, is no gap in the schedule, nor a session to book again: it is left out."""
    sessions = tx.find(
        Session, partnership_id=partnership_id, planned=True, order_by="scheduled_on"
    )
    logged = {s.id for s in sessions if s.status in (SessionStatus.HELD, SessionStatus.MISSED)}
    return [
        Booking(on=s.scheduled_on, session_id=s.id, cancelled=s.status is SessionStatus.CANCELLED)
        for s in sessions
        if s.status is SessionStatus.SCHEDULED
        or (s.status is SessionStatus.CANCELLED and s.replaces_id not in logged)
    ]


def logged_sessions(tx: Transaction, partnership_id: int) -> list[Session]:
    """The partnership's planned sessions logged as held or missed, by booked day: no longer
    in the editable schedule, they count in its number of sessions."""
    return sorted(
        (
            s
            for s in tx.find(Session, partnership_id=partnership_id, planned=True)
            if s.status in (SessionStatus.HELD, SessionStatus.MISSED)
        ),
        key=lambda s: (s.scheduled_on, s.id),
    )


def unplanned_days(tx: Transaction, partnership_id: int) -> list[dt.date]:
    """The days of the partnership's sessions held without being booked, in order: held
    besides the agreed ones, they are not counted in the number of sessions."""
    return sorted(
        s.day
        for s in tx.find(Session, partnership_id=partnership_id, planned=False)
        if s.status is SessionStatus.HELD and s.day is not None
    )


def unplanned_words(days: Sequence[dt.date], day: Callable[[dt.date], str] = dates.long) -> str:
    """Say how many unplanned sessions were held: "2 sessions held outside the schedule (the last
    on 5 May 2026)", or "" for none (it starts with a figure, never a letter to capitalise).
    ``day`` writes the date, as the sentence around it does (:mod:`peercoach_lib.dates`)."""
    if not days:
        return ""
    many = len(days) > 1
    return (
        f"{len(days)} session{'s' if many else ''} held outside the schedule "
        f"({'the last ' if many else ''}on {day(days[-1])})"
    )


# -- the partnership's goals and the change plans they serve ---------------------------------


def goal_plans(
    tx: Transaction, partnership: Partnership, agreement: Agreement | None
) -> list[ChangePlan]:
    """The change plans a partnership goal can be linked to: either partner's plans under way,
    and any other the agreement links already (achieved or dropped since, the link is kept),
    the first partner's first, each's oldest first."""
    linked = {g.change_plan_id for g in agreement.goals} if agreement else set()
    plans = tx.find(ChangePlan, person_id=list(partnership.members), order_by="id")
    order = {person: k for k, person in enumerate(partnership.members)}
    return sorted(
        (p for p in plans if p.status is PlanStatus.ACTIVE or p.id in linked),
        key=lambda p: (order[p.person_id], p.created_on, p.id),
    )


def goal_plan_names(
    plans: Sequence[ChangePlan],
    people: Mapping[int, Person],
    reader: int | None,
    *,
    own: str | None = None,
) -> dict[int, str]:
    """Each plan as a goal's link names it to ``reader``: a plan of theirs by its change
    ("Alice\u2019s plan: Sleep by eleven", or with ``own`` for "Alice\u2019s plan", "My plan:
    Sleep by eleven"), with its status once no longer under way ("... (achieved)"); anyone
    else's by whose it is alone ("Bob\u2019s change plan"): what a plan says is its owner's
    alone, the partner included (see :mod:`peercoach_lib.my_data`)."""
    from peercoach_lib.change_plan import plan_names  # (it imports this module)

    names: dict[int, str] = {}
    for person in dict.fromkeys(p.person_id for p in plans):
        theirs = [p for p in plans if p.person_id == person]
        whose = people[person].name if person in people else "A partner"
        if person != reader:
            names.update({p.id: f"{whose}\u2019s change plan" for p in theirs})
            continue
        told_apart = plan_names(theirs)
        for plan in theirs:
            status = "" if plan.status is PlanStatus.ACTIVE else f" ({plan.status.value})"
            label = own or f"{whose}\u2019s plan"
            names[plan.id] = f"{label}: {told_apart[plan.id]}{status}"
    return names


def goals_served(store: Store, plan: ChangePlan) -> list[tuple[Partnership, str]]:
    """The goals of its owner's partnerships linked to ``plan``, each with its partnership: the
    active partnerships first, then newest first (see :func:`partnerships.of_person`)."""
    from peercoach_lib.partnerships import of_person  # (it imports this module)

    pairs = of_person(store, plan.person_id)
    with store.reading() as tx:
        agreements = tx.find(Agreement, partnership_id=[p.id for p in pairs]) if pairs else []
    by_pair = {a.partnership_id: a for a in agreements}
    return [
        (pair, goal.text)
        for pair in pairs
        if pair.id in by_pair
        for goal in by_pair[pair.id].goals
        if goal.change_plan_id == plan.id
    ]


def carry_links(lines: Sequence[str], before: Sequence[tuple[str, int | None]]) -> list[int | None]:
    """The change plan each goal of ``lines`` keeps from the goals as they were (``before``:
    each goal's words and link): the link of a goal in the same words (each link kept once);
    else the link of the goal gone that it most resembles (see :func:`_resemblance`: a goal
    reworded keeps its plan, wherever it moved; one written anew in its place does not take
    it, even where the two begin alike). A new goal has none."""
    unused = dict(enumerate(before))
    links: list[int | None] = [None] * len(lines)
    rest = []
    for k, line in enumerate(lines):
        match = next((i for i, (text, _) in unused.items() if text == line), None)
        if match is None:
            rest.append(k)
        else:
            links[k] = unused.pop(match)[1]
    pairs = sorted(
        (
            (-_resemblance(lines[k], text), abs(k - i), k, i)
            for k in rest
            for i, (text, _) in unused.items()
        )
    )
    placed: set[int] = set()
    for minus, _distance, k, i in pairs:
        if -minus < RESEMBLING:
            break
        if k not in placed and i in unused:
            links[k] = unused.pop(i)[1]
            placed.add(k)
    return links


#: How alike two goals must read for one to be the other reworded (:func:`_resemblance`).
RESEMBLING = 0.6


def _resemblance(a: str, b: str) -> float:
    """How alike two goals read, 0 to 1: the share of their words in the same order; 1 where
    every word of one is in the other, in order (a goal said more fully, or more briefly).
    "Help each other towards better sleep" and "... towards room for play and rest" share
    their first four words, 0.53: two goals."""
    words_a, words_b = (re.findall(r"\w+", text.casefold()) for text in (a, b))
    matcher = difflib.SequenceMatcher(None, words_a, words_b, autojunk=False)
    shared = sum(block.size for block in matcher.get_matching_blocks())
    if words_a and words_b and shared == min(len(words_a), len(words_b)):
        return 1.0
    return matcher.ratio()


def session_start(agreement: Agreement, session: Session) -> dt.datetime | None:
    """When a booked session starts: its own time, else the agreed one (None with neither, or
    no day), on the clocks of the agreement's time zone, or of the session's own when it keeps
    one (held, missed or gone by before the agreement's zone changed)."""
    start_time = session.scheduled_time or agreement.time
    if start_time is None or session.scheduled_on is None:
        return None
    zone = session.time_zone or agreement.time_zone
    return dt.datetime.combine(session.scheduled_on, start_time, tzinfo=zoneinfo.ZoneInfo(zone))


def _kept_where_it_was(session: Session, before: Agreement, after: Agreement) -> Session:
    """A session held or missed, or booked for a day gone by, as it stays once the agreement
    changes from ``before`` to ``after``: in the zone it was booked in, when the agreement's
    zone changes, so that its calendar entry keeps its moment (sessions to come take the new
    zone with the schedule)."""
    if session.time_zone is not None or before.time_zone == after.time_zone:
        return session
    if session.scheduled_time is None and before.time is None:
        return session  # a day with no time: the same day in any zone
    return session.replace(
        time_zone=before.time_zone, scheduled_time=session.scheduled_time or before.time
    )


def session_time(
    agreement: Agreement | None, session: Session, reader_zone: str | None = None
) -> str:
    """When a booked session starts, for a chooser to name after its day: ", 18:00" in the
    agreement's time zone; for a reader whose clock says otherwise, whose clock that is and
    their own time too, with their own day when it is another (", 18:00 London time; Wed 25
    Nov 13:00 your time"). Empty with no time agreed, or no day."""
    start = session_start(agreement, session) if agreement is not None else None
    if start is None:
        return ""
    said = f", {start:%H:%M}"
    own_zone = str(start.tzinfo) != agreement.time_zone  # kept from before the agreement's
    if reader_zone is None:
        return f"{said} {zone_time(str(start.tzinfo))}" if own_zone else said
    mine = start.astimezone(zoneinfo.ZoneInfo(reader_zone))
    if mine.replace(tzinfo=None) == start.replace(tzinfo=None):
        return said
    day = "" if mine.date() == start.date() else f"{mine:%a} {dates.day_month(mine)} "
    return f"{said} {zone_time(str(start.tzinfo))}; {day}{mine:%H:%M} your time"


def zone_place(zone: str) -> str:
    """A time zone as people name its clock: "Europe/London" is London, "America/New_York"
    New York, "America/Argentina/Buenos_Aires" Buenos Aires; "UTC" stays UTC. A fixed offset
    is said as one: "Etc/GMT+5" is five hours behind UTC (its sign is the other way round),
    UTC−5."""
    fixed = re.fullmatch(r"Etc/GMT([+-])(\d+)", zone)
    if fixed:
        sign, hours = fixed.groups()
        behind = sign == "+"
        return "UTC" + ("\u2212" if behind else "+") + hours
    last = zone.rsplit("/", 1)[-1]
    return _PLACE_NAMES.get(last, last.replace("_", " "))


#: Places the time zone database spells without their punctuation or accents, as they are
#: written ("America/St_Johns" is St John's).
_PLACE_NAMES = {
    "St_Johns": "St John\u2019s",
    "DumontDUrville": "Dumont d\u2019Urville",
    "Sao_Paulo": "S\u00e3o Paulo",
    "Bogota": "Bogot\u00e1",
    "Asuncion": "Asunci\u00f3n",
    "Ciudad_Juarez": "Ciudad Ju\u00e1rez",
    "Merida": "M\u00e9rida",
    "Cancun": "Canc\u00fan",
    "Curacao": "Cura\u00e7ao",
    "Reykjavik": "Reykjav\u00edk",
    "Zurich": "Z\u00fcrich",
    "Busingen": "B\u00fcsingen",
    "St_Barthelemy": "Saint-Barth\u00e9lemy",
    "Belem": "Bel\u00e9m",
    "Maceio": "Macei\u00f3",
    "Cuiaba": "Cuiab\u00e1",
    "Santarem": "Santar\u00e9m",
    "Araguaina": "Aragua\u00edna",
    "Mazatlan": "Mazatl\u00e1n",
    "Galapagos": "Gal\u00e1pagos",
    "Chisinau": "Chi\u0219in\u0103u",
    "Lower_Princes": "Lower Prince\u2019s Quarter",
}


def to_weekday(bookings: Sequence[Booking], weekday: int, *, today: dt.date) -> list[Booking]:
    """``bookings`` with each session to come (today or later, not cancelled) moved to
    ``weekday`` (Monday 0) in its own week: the nearest such day, three days either way, never
    before today nor on or before the session moved before it. Sessions gone by (to be logged)
    and those cancelled stay on their days: a week cancelled on purpose stays free, and a
    schedule that had its own shape keeps it (rebuilt on the rhythm, it was pulled together)."""
    out, last = [], None
    for booking in sorted(bookings, key=lambda b: (b.on, b.cancelled)):
        if booking.cancelled or booking.on < today:
            out.append(booking)
            continue
        floor = today if last is None else max(today, last + dt.timedelta(days=1))
        last = weekday_near(booking.on, weekday, not_before=floor)
        out.append(dataclasses.replace(booking, on=last))
    return sorted(out, key=lambda b: (b.on, b.cancelled))


def zone_time(zone: str) -> str:
    """A time zone's clock after a time: "London time", but "UTC" and "UTC\u22125" alone (not
    "UTC time")."""
    place = zone_place(zone)
    return place if re.fullmatch(r"UTC([+\u2212]\d+)?", place) else f"{place} time"


def weekday_near(day: dt.date, weekday: int, *, not_before: dt.date) -> dt.date:
    """The date on ``weekday`` (Monday 0) nearest ``day`` (three days either way at most),
    a week later while it falls before ``not_before``."""
    near = day + dt.timedelta(days=(weekday - day.weekday() + 3) % 7 - 3)
    while near < not_before:
        near += dt.timedelta(days=7)
    return near


def load(store: Store, partnership_id: int) -> tuple[Agreement | None, list[Booking]]:
    """The partnership's agreement (None before the first save) and its editable schedule."""
    with store.reading() as tx:
        found = tx.find(Agreement, partnership_id=partnership_id)
        return (found[0] if found else None), current_bookings(tx, partnership_id)


def save(
    store: Store,
    agreement: Agreement,
    bookings: Sequence[Booking],
    *,
    by: int | None = None,
    loaded: Version | None = None,
    today: dt.date | None = None,
) -> tuple[Agreement, list[Booking]]:
    """Save the agreement and its schedule together: both are stored, or neither is.

    Saved ``by`` a partner, it may change that partner's own part alone (what confidentiality
    means to them, their affirmation, their expectations): the other partner's part must be as
    stored, or :class:`ValidationError` is raised and nothing is saved. ``loaded`` is the
    agreement and schedule as they were when the form was opened: when someone saved since,
    see :func:`merge`. A new time zone moves the sessions booked from ``today`` on (the
    agreement's; the computer's by default); those before it keep their moment, as those held
    or missed do.
    """
    with store.transaction() as tx:
        existing = tx.find(Agreement, partnership_id=agreement.partnership_id)
        if loaded is not None:
            stored = (
                existing[0] if existing else None,
                current_bookings(tx, agreement.partnership_id),
            )
            agreement, bookings = merge(loaded, stored, (agreement, list(bookings)), by)
        if by is not None:
            _check_own_parts(tx, existing[0] if existing else None, agreement, by)
            drafts.drop(tx, by, DRAFT_KIND, draft_key(agreement.partnership_id))
        if existing and agreement.id is None:
            agreement = agreement.model_copy(update={"id": existing[0].id})
        # The number of sessions counts the ones already held or missed (no longer in the
        # editable schedule) with those booked, so that saving never shrinks it by itself.
        # Those logged since the form was opened are still among the bookings: counted once.
        editable = {b.session_id for b in bookings if b.session_id is not None}
        logged = [s for s in logged_sessions(tx, agreement.partnership_id) if s.id not in editable]
        active = len(logged) + sum(not b.cancelled for b in bookings)
        # The sessions moved, cancelled or booked are changes to the agreement too: its history
        # names them with its own fields' changes.
        moves = _schedule_changes(tx, bookings, held=len(logged)) if existing else {}
        agreement = tx.save(
            agreement.replace(session_count=max(active, 1), updated_by=by), by=by, also=moves
        )
        before = existing[0] if existing else None
        entry_changed = before is not None and (
            any(getattr(before, name) != getattr(agreement, name) for name in CALENDAR_FIELDS)
            # Proposed or agreed (TENTATIVE or CONFIRMED): a calendar takes the change only
            # with a higher SEQUENCE.
            or before.in_force != agreement.in_force
        )
        saved = []
        for booking in bookings:
            saved.append(
                _book(
                    tx,
                    agreement,
                    booking,
                    entry_changed=entry_changed,
                    before=before,
                    today=today or dt.date.today(),
                )
            )
        if entry_changed:  # the entries of sessions held or missed show it too
            for session in logged:
                kept = _kept_where_it_was(session, before, agreement)
                tx.save(kept.replace(calendar_sequence=session.calendar_sequence + 1))
        return agreement, saved


def _schedule_changes(
    tx: Transaction, bookings: Sequence[Booking], *, held: int
) -> dict[str, FieldChange]:
    """What saving ``bookings`` changes in the schedule stored, by session ("Session 17": from
    30 Nov 2026 to 1 Dec 2026; to "cancelled"; from "not booked"), for the history."""
    changes = {}
    for k, booking in zip(numbers(bookings, held=held), bookings, strict=True):
        after = "cancelled" if booking.cancelled else dates.short(booking.on)
        if booking.session_id is None:
            if not booking.cancelled:
                changes[f"Session {k}"] = FieldChange(before="not booked", after=after)
            continue
        stored = tx.get(Session, booking.session_id)
        if stored.status not in (SessionStatus.SCHEDULED, SessionStatus.CANCELLED):
            continue  # held or missed since: the session log's, not the schedule's
        was = (
            "cancelled"
            if stored.status is SessionStatus.CANCELLED
            else dates.short(stored.scheduled_on)
        )
        if was != after:
            name = (
                f"Session {k}"
                if k is not None
                else f"Session of {dates.short(stored.scheduled_on)}"
            )
            changes[name] = FieldChange(before=was, after=after)
    return changes


#: An agreement (None before its first save) with its schedule.
Version = tuple[Agreement | None, Sequence[Booking]]

_NOT_SHARED = {"id", "partners", "session_count", "updated_at", "updated_by", "is_demo"}


def shared_part(version: Version) -> dict | None:
    """What both partners may change, field by field ("schedule" for the bookings): everything
    but their own parts and the stamps."""
    agreement, bookings = version
    if agreement is None:
        return None
    return {**agreement.model_dump(exclude=_NOT_SHARED), "schedule": tuple(bookings)}


def with_goals_merged(base: dict, theirs: dict, ours: dict) -> tuple[dict, dict]:
    """``base`` and ``ours`` (shared fields, as :func:`shared_part` gives them) such that a
    field-by-field merge takes the goals of :func:`merge_goals` where the two sides' changes to
    them go together; else as they were (the goals clash)."""
    goals = merge_goals(base.get("goals"), theirs.get("goals"), ours.get("goals"))
    if goals is None:
        return base, ours
    return {**base, "goals": theirs.get("goals")}, {**ours, "goals": goals}


def merge_goals(base, theirs, ours) -> list[dict] | None:
    """The goals (lists of ``text`` and ``change_plan_id``) with both sides' changes since
    ``base``, when they go together: the words one side changed (or both alike), and each
    goal's link as the side that changed it left it (a partner linking their own plan while the
    other rewords goals, say). None when both changed the words differently, or one goal's
    link differently."""
    if not all(isinstance(g, list) for g in (base, theirs, ours)):
        return None
    texts = [[g.get("text") for g in goals] for goals in (base, theirs, ours)]
    if texts[2] == texts[0] or texts[2] == texts[1]:
        words = theirs
    elif texts[1] == texts[0]:
        words = ours
    else:
        return None
    missing = object()

    def link(goals: list[dict], text):
        return next((g.get("change_plan_id") for g in goals if g.get("text") == text), missing)

    # A link one side changed on a goal the other reworded or took away: nowhere to keep it.
    kept = {g.get("text") for g in words}
    for side in (theirs, ours):
        for goal in side:
            was = link(base, goal.get("text"))
            if (
                was is not missing
                and goal.get("change_plan_id") != was
                and goal.get("text") not in kept
            ):
                return None
    merged = []
    for goal in words:
        text = goal.get("text")
        was = link(base, text)
        was = None if was is missing else was
        there, here = (link(side, text) for side in (theirs, ours))
        there, here = (was if x is missing else x for x in (there, here))
        if here == was:
            chosen = there
        elif there in (was, here):
            chosen = here
        else:
            return None
        merged.append({**goal, "change_plan_id": chosen})
    return merged


def merge(loaded: Version, stored: Version, mine: Version, by: int | None) -> Version:
    """What to save when the form was opened on ``loaded`` and the store now holds ``stored``.

    Nobody saved since: ``mine``. Someone did: field by field, what only one side changed is
    taken from that side (so each partner's own part, and each shared field changed on one side
    only, survive); a field both changed, differently, is a :class:`ConflictError` naming it
    (by field name, "schedule" for the bookings), and nothing is saved. ``loaded`` may be the
    unsaved agreement a form started from.
    """
    was, now, new = loaded[0], stored[0], mine[0]
    if now is None or (was is not None and was.updated_at == now.updated_at):
        return mine
    base, theirs, ours = shared_part(loaded) or {}, shared_part(stored), shared_part(mine)
    base, ours = with_goals_merged(base, theirs, ours)
    # The saver's own part too, field by field: saved from another window of theirs since,
    # it is kept where this window did not change it, and a field both changed is a clash
    # (it was overwritten whole).
    own = [_own_part(version, by) for version in (was, now, new)]
    if by is not None and own[2][_AFFIRMED] and own[1][_AFFIRMED]:
        own[2][_AFFIRMED] = own[1][_AFFIRMED]  # affirmed in both windows: once, the first time
    merged, clashes = merging.merge_values(
        base | own[0], theirs | own[1], ours | own[2], [*ours, *own[2]]
    )
    merged |= {key: (theirs | own[1])[key] for key in clashes}  # what was saved, to show
    try:
        resolved = _merged(now, new, merged, by)
    except ValidationError:
        if not clashes:
            raise
        resolved = None  # the two sides' changes do not make an agreement together
    if clashes:
        # ``merged`` of the error: the stored agreement with this side's changes that did not
        # clash, for the form to show.
        raise ConflictError("Agreement", by=now.updated_by, fields=tuple(clashes), merged=resolved)
    return resolved


def draft_key(partnership_id: int) -> str:
    return f"partnership:{partnership_id}"


def draft_form(values: Mapping, bookings: Sequence[Booking], person_id: int) -> dict:
    """What a partner's draft keeps of an agreement as a form holds it (``values``: the
    agreement's fields, checked or not) with its schedule: the shared fields and the partner's
    own part, as JSON. Never the other partner's part: that is theirs to write, and it is
    forgotten with them."""
    own = next((s for s in values.get("partners", ()) if s["person_id"] == person_id), None)
    return to_jsonable_python(
        {
            **{k: v for k, v in values.items() if k not in _NOT_SHARED | {"partnership_id"}},
            "goals": [  # as typed
                {"text": goal["text"], "change_plan_id": goal.get("change_plan_id")}
                for goal in values.get("goals", ())
            ],
            "own_part": own,
            "schedule": [[b.on, b.session_id, b.cancelled] for b in bookings],
        }
    )


def draft_base(version: Version, person_id: int) -> dict:
    """What a draft keeps of the agreement its typing began from (:func:`draft_form`'s fields,
    and when it was saved): a save from the draft merges against it, as from an open form."""
    agreement, bookings = version
    return {
        **draft_form(agreement.model_dump(), bookings, person_id),
        "updated_at": to_jsonable_python(agreement.updated_at),
    }


def draft_bookings(rows: Sequence[Sequence]) -> list[Booking]:
    """:func:`draft_form`'s schedule back as bookings."""
    return [Booking(dt.date.fromisoformat(on), sid, bool(cancelled)) for on, sid, cancelled in rows]


def base_of_draft(base: Mapping, partnership_id: int) -> Version:
    """The version a draft's typing began from (see :func:`draft_base`), for :func:`merge`: its
    shared fields and schedule, and the drafter's own part (never the other partner's)."""
    fields = {k: v for k, v in base.items() if k not in ("own_part", "schedule")}
    agreement = Agreement.model_validate({**fields, "partnership_id": partnership_id})
    if base.get("own_part"):
        # The drafter's own part as it began, for a save to merge their part against too
        # (the version is compared with, never saved: the other partner's part is not in it,
        # which an agreement naming its caller needs).
        own = PartnerSection.model_validate(base["own_part"])
        agreement = agreement.model_copy(update={"partners": [own]})
    return agreement, draft_bookings(base["schedule"])


#: How :func:`merge` names a field of the saver's own part ("own_part.hopes").
OWN_PART = "own_part."
_AFFIRMED = OWN_PART + "affirmed_at"


def _own_part(agreement: Agreement | None, by: int | None) -> dict:
    """The part of ``by`` in ``agreement``, field by field (as :data:`OWN_PART` names them);
    empty without a partner."""
    if by is None:
        return {}
    found = agreement and next((s for s in agreement.partners if s.person_id == by), None)
    section = found or PartnerSection(person_id=by)
    return {OWN_PART + k: v for k, v in section.model_dump(exclude={"person_id"}).items()}


def own_part_title(name: str) -> str | None:
    """The title of a field :func:`merge` names as the saver's own ("What I hope to get out
    of peer coaching"), or None for a shared field."""
    if not name.startswith(OWN_PART):
        return None
    return PartnerSection.model_fields[name.removeprefix(OWN_PART)].title


def _merged(now: Agreement, new: Agreement, merged: dict, by: int | None) -> Version:
    schedule = merged.pop("schedule")
    fields = {
        k.removeprefix(OWN_PART): merged.pop(k) for k in list(merged) if k.startswith(OWN_PART)
    }
    written = {s.person_id for s in [*now.partners, *new.partners]}
    own = {by: PartnerSection(person_id=by, **fields)} if by in written else {}
    sections = {s.person_id: s for s in now.partners} | own
    order = [s.person_id for s in new.partners] or list(sections)
    agreement = Agreement.model_validate(
        {**now.model_dump(), **merged, "partners": [sections[p] for p in order if p in sections]}
    )
    return agreement, list(schedule)


def _check_own_parts(tx, stored: Agreement | None, agreement: Agreement, by: int) -> None:
    """Refuse a save by ``by`` that writes the other partner's part, naming whose it is."""
    before = {section.person_id: section for section in stored.partners} if stored else {}
    errors = []
    for k, section in enumerate(agreement.partners):
        if section.person_id == by:
            continue
        was = before.get(section.person_id) or PartnerSection(person_id=section.person_id)
        if section.model_dump() != was.model_dump():
            name = tx.get(Person, section.person_id).name
            errors.append(
                FieldError(
                    f"partners[{k}].confidentiality_meaning",
                    f"{name}'s part",
                    f"only {name} can write or change it (as themself, under “I am”)",
                )
            )
    if errors:
        raise ValidationError("Agreement", errors)


#: What a session's calendar entry takes from the agreement besides its day and time.
CALENDAR_FIELDS = ("time_zone", "minutes_per_person", "format", "medium", "caller_id")


def _book(
    tx: Transaction,
    agreement: Agreement,
    booking: Booking,
    *,
    entry_changed: bool = False,
    before: Agreement | None = None,
    today: dt.date | None = None,
) -> Booking:
    """Store one booking; ``entry_changed``: the agreement's part of every calendar entry
    changed (:data:`CALENDAR_FIELDS`), so a booked session's entry is revised all the same.

    A session to come is on the agreement's clocks. One booked for a day gone by (before
    ``today``) and not logged yet took place, or did not, at its moment: left on its day, it
    keeps that moment when the agreed time or zone changes from ``before``'s, as those logged
    do."""
    status = SessionStatus.CANCELLED if booking.cancelled else SessionStatus.SCHEDULED
    if booking.session_id is None:
        session = tx.save(
            Session(
                partnership_id=agreement.partnership_id,
                planned=True,
                scheduled_on=booking.on,
                scheduled_time=agreement.time,
                status=status,
            )
        )
        return Booking(on=booking.on, session_id=session.id, cancelled=booking.cancelled)
    session = tx.get(Session, booking.session_id)
    if session.status not in (SessionStatus.SCHEDULED, SessionStatus.CANCELLED):
        return booking  # held or missed: history, not schedule
    # (One booked again in place of a session put off may have kept that session's zone: to
    # come, it takes the agreement's.)
    clock = (agreement.time, None)
    gone_by = (
        today is not None
        and booking.on < today
        and booking.on == session.scheduled_on
        and status is SessionStatus.SCHEDULED
    )
    if gone_by:
        # It took place or did not at the time it was booked for, whatever is agreed since.
        kept = session if before is None else _kept_where_it_was(session, before, agreement)
        clock = (kept.scheduled_time or agreement.time, kept.time_zone)
    changed = (session.scheduled_on, session.scheduled_time, session.status, session.time_zone) != (
        booking.on,
        clock[0],
        status,
        clock[1],
    )
    if changed or entry_changed:
        moved = session.replace(
            scheduled_on=booking.on, scheduled_time=clock[0], status=status, time_zone=clock[1]
        )
        if entry_changed:  # the same day and time, described or timed differently
            moved = moved.replace(calendar_sequence=session.calendar_sequence + 1)
        moved = tx.save(moved.revised(session))
        if moved.status is SessionStatus.CANCELLED and session.status is not moved.status:
            prep.carry_on(tx, moved)  # what was prepared for it comes back later
        elif session.status is SessionStatus.CANCELLED and session.status is not moved.status:
            prep.bring_back(tx, moved)  # and back to it, once it is booked again
    return booking


# -- reading the agreement ----------------------------------------------------------------------


def markdown(
    agreement: Agreement,
    partnership: Partnership,
    people: dict[int, Person],
    bookings: Sequence[Booking],
    logged: Sequence[dt.date] = (),
    unplanned: Sequence[dt.date] = (),
    plans: Mapping[int, str] | None = None,
) -> str:
    """The agreement as a readable Markdown document; ``logged`` are the days of the sessions
    already held or missed (:func:`logged_sessions`), counted before those still booked,
    ``unplanned`` those of the sessions held without being booked (:func:`unplanned_days`), and
    ``plans`` the names of the change plans its goals are linked to (:func:`goal_plan_names`)."""
    plans = plans or {}

    def name(person_id: int | None) -> str:
        return words(people[person_id].name) if person_id in people else "(not chosen)"

    a, b = partnership.members
    lines = [
        f"# Peer-coaching agreement: {name(a)} and {name(b)}",
        "",
        f"Partnership since {dates.long(partnership.started_on)}. "
        + (
            "**In force**: both partners have affirmed confidentiality."
            if agreement.in_force
            else "**Not yet in force**: both partners must affirm confidentiality."
        ),
        "",
        "## Confidentiality",
        "",
    ]
    sections = {p.person_id: p for p in agreement.partners}
    for person_id in (a, b):
        section = sections.get(person_id)
        meaning = words(section.confidentiality_meaning) if section else ""
        affirmed = section.affirmed_at if section else None
        if affirmed:  # in the agreement's time, as its sessions are
            affirmed = dates.in_zone(affirmed, agreement.time_zone)
        lines += [
            f"**{name(person_id)}**: {meaning or '(not written yet)'}",
            "",
            f"- Affirmed the ground rule on {dates.long(affirmed)} at {affirmed:%H:%M} "
            f"({agreement.time_zone})"
            if affirmed
            else "- Has not affirmed the ground rule yet",
            "",
        ]
    lines += ["## Expectations", ""]
    for person_id in (a, b):
        section = sections.get(person_id)
        lines += [f"### {name(person_id)}", ""]
        for label, value in (
            ("What I hope to get out of peer coaching", section.hopes if section else ""),
            ("What tends to work for me when coached", section.works_for_me if section else ""),
            ("What does not work for me", section.does_not_work if section else ""),
            ("What support looks like for me", section.support_looks_like if section else ""),
        ):
            lines += [f"- **{label}:** {words(value) or '-'}"]
        lines += [""]
    time = f"{agreement.time:%H:%M}" if agreement.time else "(time to agree)"
    lines += [
        "## Logistics",
        "",
        f"- **Medium:** {agreement.medium.value}",
        f"- **Format:** {agreement.format.value}, {agreement.minutes_per_person} minutes each",
        f"- **How often:** {agreement.frequency.label}"
        + (f", on {agreement.day.value}s" if agreement.day else ""),
        f"- **Time:** {time} ({agreement.time_zone})",
        f"- **Who calls:** {name(agreement.caller_id)}"
        if agreement.caller_id
        else "- **Who calls:** (to agree)",
        "",
        "## Sessions booked",
        "",
    ]
    if logged:
        many = len(logged) > 1
        lines += [
            f"{len(logged)} session{'s' if many else ''} held or missed so far, the last on "
            f"{dates.long(logged[-1])}; still to come:",
            "",
        ]
    # Named as the form's rows are: a cancelled session has no number (an ordered list would
    # count it, and a renderer would number the rows its own way).
    ordered = sorted(bookings, key=lambda x: x.on)
    for k, booking in zip(numbers(ordered, held=len(logged)), ordered, strict=True):
        day = dates.long_weekday(booking.on)
        lines.append(f"- Session {k}: {day}" if k is not None else f"- Cancelled: {day}")
    if not bookings:
        lines.append("(none booked)")
    if unplanned:
        lines += ["", f"{unplanned_words(unplanned)}: not counted above."]
    lines += ["", "## Goals for the partnership", ""]
    lines += [
        f"- {words(goal.text)}"
        + (
            f" (linked to {words(plans[goal.change_plan_id])})"
            if goal.change_plan_id in plans
            else ""
        )
        for goal in agreement.goals
    ] or ["- (none written yet)"]
    return "\n".join(lines) + "\n"
