"""Logging a session: one person's record of what happened, saved whole or not at all.

Each partner logs the session from their side: the shared facts (held or not, when, who coached
whom for how long) and their own part: notes, the follow-up of their commitments, new commitments,
the level of each of their goals, their feedback and their session check. Everything is saved in
one transaction, so a half-filled log is never stored as a session; until then the form is kept
as a :class:`~peercoach_lib.model.Draft`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from peercoach_lib import dates, drafts, merging, prep, wording
from peercoach_lib.errors import ConflictError, FieldError, ValidationError
from peercoach_lib.model import (
    ChangePlan,
    Commitment,
    CommitmentStatus,
    Draft,
    Feedback,
    GasRating,
    Partnership,
    Person,
    PlanStatus,
    Session,
    SessionCheck,
    SessionHalf,
    SessionNote,
    SessionPrep,
    SessionStatus,
)
from peercoach_lib.store import Store, Transaction

DRAFT_KIND = "session_log"


@dataclass
class SessionEntry:
    """Everything one person logs about one session (session ids are filled in on saving)."""

    session: Session
    note: SessionNote | None = None
    reviews: Sequence[Commitment] = ()
    new_commitments: Sequence[Commitment] = ()
    ratings: Sequence[GasRating] = ()
    feedback: Sequence[Feedback] = ()
    check: SessionCheck | None = None
    #: The session as stored when the log was opened, and its parts as the form first showed
    #: them: saving merges with what was saved meanwhile (see :func:`merge_session`).
    loaded: Session | None = None
    shown: dict | None = None
    #: For a planned session logged as rescheduled: the day it is booked again, if chosen.
    rebook_on: dt.date | None = None
    #: The new day the log showed when opened (of the session booked in this one's place):
    #: saved without a new day, that booking is taken away only if the log showed it (a log
    #: opened before the partner booked it again leaves their booking be).
    rebook_shown: dt.date | None = None
    #: The person's own part of the session as stored when the log was opened
    #: (:func:`own_part`): a save from another window since then is not silently undone.
    own_loaded: dict | None = None


#: Why a session that was not booked cannot be logged as put off.
UNPLANNED_PUT_OFF = (
    "only a booked session can be put off: log one held on another day as held, on the day it "
    "was held"
)


def loggable_sessions(
    store: Store, partnership_id: int, *, today: dt.date, days_ahead: int = 7
) -> list[Session]:
    """Planned sessions up to a week ahead, and every session already logged, newest first."""
    horizon = today + dt.timedelta(days=days_ahead)
    sessions = store.find(Session, partnership_id=partnership_id)
    out = [
        s
        for s in sessions
        if s.status is not SessionStatus.CANCELLED
        and ((s.scheduled_on or s.held_on or today) <= horizon)
    ]
    return sorted(out, key=lambda s: (s.day or today, s.id), reverse=True)


#: How long a session the partner logged waits for the person's own part, the log opening on
#: it (two weeks: the longest usual gap between two sessions).
AWAITING_DAYS = 14


def awaiting_part(
    store: Store, sessions: Sequence[Session], person_id: int, *, today: dt.date
) -> Session | None:
    """The session held that waits for the person's own part: the latest one logged as held
    (up to today, of ``sessions``), in the last :data:`AWAITING_DAYS` days, where they have
    logged nothing of their own yet (see :func:`own_part`: notes, check, feedback, goal
    levels, commitments made or followed up). Else None: an older one, or one before the
    latest, is not put before the day's own logging."""
    held = [s for s in sessions if s.status is SessionStatus.HELD and s.day is not None]
    if not held:
        return None
    latest = max(held, key=lambda s: (s.day, s.id))
    if (today - latest.day).days > AWAITING_DAYS:
        return None
    with store.reading() as tx:
        mine = own_part(tx, latest.id, person_id)
    return None if any(mine.values()) else latest


def active_plans(store: Store, person_id: int) -> list[ChangePlan]:
    return store.find(ChangePlan, person_id=person_id, status=PlanStatus.ACTIVE)


def goals_of(store: Store, person_id: int, session_id: int | None) -> list[ChangePlan]:
    """The person's plans a session's log shows: those active, and any other rated in the
    session or linked from a commitment made in it (achieved or dropped since), so that a later
    edit of the log keeps its ratings and links."""
    with store.reading() as tx:
        plans = tx.find(ChangePlan, person_id=person_id)
        used: set[int | None] = set()
        if session_id is not None:
            used |= {r.plan_id for r in tx.find(GasRating, session_id=session_id)}
            made = tx.find(Commitment, person_id=person_id, made_in_session_id=session_id)
            used |= {c.goal_id for c in made}
    return [p for p in plans if p.status is PlanStatus.ACTIVE or p.id in used]


def open_commitments(
    store: Store, person_id: int, partnership_id: int, session_id: int | None
) -> list[Commitment]:
    """The person's commitments to follow up in this session, oldest first: those followed up
    in it, and those still open that were made before it (see :func:`prep.open_commitments`;
    every one still open, for a session not saved yet)."""
    reviewed = (
        store.find(
            Commitment,
            person_id=person_id,
            partnership_id=partnership_id,
            reviewed_in_session_id=session_id,
        )
        if session_id is not None
        else []
    )
    still_open = prep.open_commitments(store, person_id, partnership_id, before=session_id)
    found = [*reviewed, *(c for c in still_open if c.made_in_session_id != session_id)]
    return sorted(found, key=lambda c: c.id)


def date_problem(on: dt.date, partnership: Partnership, *, done: str = "logged") -> str | None:
    """What is wrong with a session of ``partnership`` on ``on`` (``done``: logged, or booked),
    or None."""
    if on < partnership.started_on:
        # (Said of a partnership paired to start later too: no tense.)
        return (
            f"a session can be {done} from the partnership's first day, "
            f"{dates.long(partnership.started_on)}"
        )
    if partnership.ended_on is not None and on > partnership.ended_on:
        return f"the partnership ended on {dates.long(partnership.ended_on)}"
    return None


_PART_TITLES = {"status": "the status", "held_on": "the date", "scheduled_on": "the date"}


def shared_part(session: Session) -> dict:
    """What either partner may log about a session, part by part: its status, its dates, and
    the minutes of each half (keyed by who coached whom)."""
    return {
        "status": session.status,
        "held_on": session.held_on,
        "scheduled_on": session.scheduled_on,
        **{("half", h.coach_id, h.client_id): h.minutes for h in session.halves},
    }


def merge_session(
    loaded: Session | None,
    stored: Session | None,
    mine: Session,
    shown: dict | None = None,
) -> Session:
    """The session to save, when the log was opened on ``loaded`` and the store holds ``stored``.

    Nobody changed it since: ``mine``. Otherwise part by part (see :func:`shared_part`),
    against ``shown``, the parts as the form first showed them (a session still to log shows
    "held" and the agreed minutes, which are not the person's changes; ``loaded``'s parts when
    not given): what only one side changed is taken from that side, so one partner's minutes
    survive the other's save of their notes, or of the other half. A part both changed,
    differently, is a :class:`ConflictError` naming it, whose ``merged`` holds the parts that
    did merge.
    """
    if loaded is None or stored is None or shared_part(stored) == shared_part(loaded):
        return mine
    base = shown if shown is not None else shared_part(loaded)
    merged, clashes = merging.merge_values(base, shared_part(stored), shared_part(mine))
    if clashes:
        names = dict.fromkeys(_PART_TITLES.get(k, "the minutes") for k in clashes)
        raise ConflictError("Session", fields=tuple(names), merged=merged)
    halves = [
        SessionHalf(coach_id=k[1], client_id=k[2], minutes=v)
        for k, v in merged.items()
        if isinstance(k, tuple) and v is not None
    ]
    try:
        return stored.replace(
            status=merged["status"],
            held_on=merged["held_on"],
            scheduled_on=merged["scheduled_on"],
            halves=halves,
        )
    except ValidationError:
        # Parts that merged one by one but do not make a session together (held with no
        # minutes, say): the two logs differ after all.
        raise ConflictError("Session", fields=("the status",), merged={}) from None


#: The person's own part of a session, by what a person calls it.
OWN_PARTS = ("notes", "session check", "feedback", "goal levels", "new commitments", "follow-ups")
_NOT_COMPARED = {"id", "session_id", "created_at", "updated_at"}


def own_part(reader: Store | Transaction, session_id: int, person_id: int) -> dict[str, list]:
    """What the person logged of the session themselves, part by part (see :data:`OWN_PARTS`),
    as comparable values: two readings are equal when nobody saved that part in between."""
    plans = [p.id for p in reader.find(ChangePlan, person_id=person_id)]
    found = {
        "notes": reader.find(SessionNote, session_id=session_id, person_id=person_id),
        "session check": reader.find(SessionCheck, session_id=session_id, person_id=person_id),
        "feedback": reader.find(Feedback, session_id=session_id, author_id=person_id),
        "goal levels": reader.find(GasRating, session_id=session_id, plan_id=plans)
        if plans
        else [],
        "new commitments": reader.find(
            Commitment, person_id=person_id, made_in_session_id=session_id
        ),
        "follow-ups": reader.find(
            Commitment, person_id=person_id, reviewed_in_session_id=session_id
        ),
    }
    # A commitment made here is followed up in a later session: that is not a change to this
    # session's part.
    follow_up = {"status", "obstacle", "reviewed_in_session_id"}
    return {
        part: sorted(
            (
                r.model_dump(
                    mode="json",
                    exclude=_NOT_COMPARED | (follow_up if part == "new commitments" else set()),
                )
                for r in records
            ),
            key=lambda d: sorted((k, str(v)) for k, v in d.items()),
        )
        for part, records in found.items()
    }


def describe(session: Session) -> str:
    """The session as logged, in a few words: "held on 23 November 2026 (15 and 14 minutes)"."""
    on = session.day
    when = f" on {dates.long(on)}" if on else ""
    minutes = " and ".join(str(h.minutes) for h in session.halves)
    return f"{session.status.value}{when}" + (f" ({minutes} minutes)" if minutes else "")


def booked_on(store: Store, partnership_id: int, day: dt.date) -> list[Session]:
    """The pair's sessions booked (still to hold) on ``day``."""
    return [
        s
        for s in store.find(Session, partnership_id=partnership_id, scheduled_on=day)
        if s.status is SessionStatus.SCHEDULED
    ]


def logged_on(store: Store, partnership_id: int, day: dt.date) -> list[Session]:
    """The pair's sessions already logged (held or missed) on ``day``."""
    return [
        s
        for s in store.find(Session, partnership_id=partnership_id)
        if s.day == day and s.status in (SessionStatus.HELD, SessionStatus.MISSED)
    ]


def save(store: Store, person_id: int, entry: SessionEntry) -> Session:
    """Store the whole entry in one transaction, and drop the person's draft of it.

    Raises :class:`ValidationError` when the session's date is outside the partnership, and
    :class:`ConflictError` when the session was saved meanwhile with a part changed differently.
    """
    with store.transaction() as tx:
        partnership = tx.get(Partnership, entry.session.partnership_id)
        if person_id not in partnership.members:
            raise PermissionError("only the partners can log their sessions")
        on = entry.session.day
        if on is not None and (problem := date_problem(on, partnership)):
            raise ValidationError("Session", [FieldError("held_on", "Date", problem)])
        if not entry.session.planned and entry.session.status is SessionStatus.RESCHEDULED:
            raise ValidationError("Session", [FieldError("status", "Status", UNPLANNED_PUT_OFF)])
        if entry.session.id is not None and entry.own_loaded is not None:
            now = own_part(tx, entry.session.id, person_id)
            changed = tuple(part for part in OWN_PARTS if now[part] != entry.own_loaded.get(part))
            if changed:
                raise ConflictError("Your part", by=person_id, fields=changed, merged=now)
        mine = entry.session
        if mine.id is not None and entry.loaded is not None:
            # In the same transaction as the save: nothing can come between merge and write.
            mine = merge_session(entry.loaded, tx.get(Session, mine.id), mine, entry.shown)
        if mine.id is not None and mine.status is not SessionStatus.HELD:
            partner = partnership.partner_of(person_id)
            if logged := held_parts(tx, mine.id, partner):
                name = tx.get(Person, partner).name
                raise ValidationError(
                    "Session",
                    [
                        FieldError(
                            "status",
                            "Status",
                            f"{name} logged this session as held, with their "
                            f"{wording.listed(logged)}: it stays held unless {name} changes "
                            "their log (talk it over with them first)",
                        )
                    ],
                )
        stored = tx.get(Session, mine.id) if mine.id is not None else None
        session = tx.save(mine.revised(stored))
        sid = session.id
        if stored is not None and session.day != stored.day:
            # Ratings are dated with their session: both partners' move with it.
            for moved in tx.find(GasRating, session_id=sid):
                if session.day is not None and moved.rated_on != session.day:
                    tx.save(moved.replace(rated_on=session.day))
        _book_in_place(tx, session, entry, partnership)
        if (
            stored is not None
            and stored.status is SessionStatus.MISSED
            and session.status is SessionStatus.HELD
        ):
            # Missed, corrected to held: the follow-ups that went on to the next session come
            # back, as to a cancelled session booked again (the preparations stayed with it).
            prep.bring_back(tx, session)
        _replace(tx, SessionNote, sid, person_id, [entry.note] if entry.note else [])
        problems = [
            problem
            for commitment in entry.reviews
            if (problem := prep.save_follow_up(tx, person_id, sid, commitment)) is not None
        ]
        if problems:
            raise ValidationError("Session", problems)  # the transaction is rolled back
        _save_commitments_made(tx, person_id, sid, entry.new_commitments)
        mine = [p.id for p in tx.find(ChangePlan, person_id=person_id)]
        for old in tx.find(GasRating, session_id=sid, plan_id=mine):
            tx.delete(GasRating, old.id)
        for rating in entry.ratings:
            if rating.plan_id not in mine:
                raise PermissionError("a goal can only be rated by its owner")
            tx.save(rating.replace(session_id=sid))
        for old in tx.find(Feedback, session_id=sid, author_id=person_id):
            tx.delete(Feedback, old.id)
        for item in entry.feedback:
            tx.save(item.replace(session_id=sid))
        _replace(tx, SessionCheck, sid, person_id, [entry.check] if entry.check else [])
        drafts.drop(
            tx,
            person_id,
            DRAFT_KIND,
            [draft_key(partnership.id, entry.session.id), draft_key(partnership.id, sid)],
        )
        if session.status in (SessionStatus.HELD, SessionStatus.MISSED, SessionStatus.CANCELLED):
            # Logged: there is nothing left to prepare for it (the preparation app no longer
            # offers it), so an unsaved preparation of it would only linger.
            drafts.drop(tx, person_id, prep.DRAFT_KIND, prep.draft_key(sid))
        if session.status is SessionStatus.MISSED or (
            session.status is SessionStatus.RESCHEDULED and entry.rebook_on is None
        ):
            prep.carry_on(tx, session)
        return session


def _save_commitments_made(
    tx: Transaction, person_id: int, session_id: int, commitments: Sequence[Commitment]
) -> None:
    """The person's commitments made in the session become ``commitments``.

    One saved before keeps its id, its follow-up and what got in the way when its words, date or
    goal change (the follow-up may be in a later session); one left out is removed, unless it has
    been followed up already: that is refused, naming it, and nothing is saved.
    """
    before = {
        c.id: c for c in tx.find(Commitment, person_id=person_id, made_in_session_id=session_id)
    }
    kept: set[int] = set()
    for commitment in commitments:
        old = before.get(commitment.id)
        if old is not None and old.id not in kept:
            kept.add(old.id)
            tx.save(
                old.replace(
                    text=commitment.text, by_when=commitment.by_when, goal_id=commitment.goal_id
                )
            )
        else:
            tx.save(
                commitment.replace(
                    id=None,
                    made_in_session_id=session_id,
                    status=CommitmentStatus.OPEN,
                    obstacle="",
                    reviewed_in_session_id=None,
                )
            )
    problems = []
    for old in before.values():
        if old.id in kept:
            continue
        if old.reviewed_in_session_id is None and old.status is CommitmentStatus.OPEN:
            tx.delete(Commitment, old.id)
            continue
        review = tx.get(Session, old.reviewed_in_session_id) if old.reviewed_in_session_id else None
        day = review.day if review else None
        when = f" in the session of {dates.long(day)}" if day else ""
        problems.append(
            FieldError(
                "new_commitments",
                "New commitments",
                f"“{old.text}” was followed up{when} ({old.status.value}), so it stays: change "
                "its words if need be, or set it back to “Not followed up yet” there first",
            )
        )
    if problems:
        raise ValidationError("Session", problems)


def _replace(tx: Transaction, kind, session_id: int, person_id: int, records) -> None:
    """Keep at most one record of ``kind`` per session and person: the one given."""
    existing = tx.find(kind, session_id=session_id, person_id=person_id)
    for old in existing[len(records) :]:
        tx.delete(kind, old.id)
    for old, new in zip(existing, records, strict=False):
        tx.save(new.replace(id=old.id, session_id=session_id))
    for new in records[len(existing) :]:
        tx.save(new.replace(session_id=session_id))


def held_parts(tx: Transaction, session_id: int, person_id: int) -> list[str]:
    """What ``person_id`` logged of a session that only a held session has: their goal
    ratings, session check, feedback and the commitments they made in it."""
    plans = [p.id for p in tx.find(ChangePlan, person_id=person_id)]
    found = {
        "goal ratings": bool(plans)
        and bool(tx.find(GasRating, session_id=session_id, plan_id=plans)),
        "session check": bool(tx.find(SessionCheck, session_id=session_id, person_id=person_id)),
        "feedback": bool(tx.find(Feedback, session_id=session_id, author_id=person_id)),
        "new commitments": bool(
            tx.find(Commitment, made_in_session_id=session_id, person_id=person_id)
        ),
    }
    return [part for part, there in found.items() if there]


def unlogged_before(store: Store, session: Session, *, today: dt.date) -> list[Session]:
    """The partnership's booked sessions gone by before ``session`` that nobody has logged
    (held, missed or put off), earliest first: logged after a later one, what was committed
    to in them would not be followed up in it."""
    if session.scheduled_on is None:
        return []
    return sorted(
        (
            s
            for s in store.find(Session, partnership_id=session.partnership_id)
            if s.status is SessionStatus.SCHEDULED
            and s.scheduled_on is not None
            and s.scheduled_on < min(session.scheduled_on, today)
        ),
        key=lambda s: s.scheduled_on,
    )


def replacement(store: Store | Transaction, session_id: int) -> Session | None:
    """The session booked in place of session ``session_id`` when it was logged as
    rescheduled with a new date, if there is one (whether held since or still to come). A
    booking that was itself rescheduled with a new date leads on to the one made in its place:
    the last of them is the one where the pair now meets."""
    found, seen = None, {session_id}
    while booked := store.find(Session, replaces_id=session_id):
        found = booked[0]
        if found.status is not SessionStatus.RESCHEDULED or found.id in seen:
            break
        seen.add(found.id)
        session_id = found.id
    return found


def booked_instead(store: Store | Transaction, session: Session) -> Session | None:
    """Where the pair now meets in place of ``session``, logged as rescheduled: the booking
    made in its place (held since, or still to come), unless that booking was cancelled."""
    if session.status is not SessionStatus.RESCHEDULED:
        return None
    instead = replacement(store, session.id)
    return None if instead is None or instead.status is SessionStatus.CANCELLED else instead


def rebook_problem(
    store: Store | Transaction,
    session: Session,
    day: dt.date,
    partnership: Partnership,
    *,
    today: dt.date | None = None,
) -> str | None:
    """Why ``session``, logged as rescheduled, cannot be booked again on ``day`` (None when it
    can): its own day, a day gone by (with ``today``), outside the partnership, or a day with
    another session booked (the booking made in its place is no other)."""
    if day == session.scheduled_on:
        return (
            "that is the day it is booked for: choose the day it is moved to (or log it as "
            "held or missed)"
        )
    if today is not None and day < today:
        return (
            "choose a day still to come (a session already held on another day is logged as an "
            "unplanned one)"
        )
    if problem := date_problem(day, partnership, done="booked"):
        return problem
    instead = replacement(store, session.id)
    if any(instead is None or s.id != instead.id for s in booked_on(store, partnership.id, day)):
        return f"a session is booked on {dates.long(day)} already"
    return None


def _logged_instead(instead: Session) -> FieldError:
    """The new date of a session whose booking made in its place is logged already (held,
    missed, or put off in its turn) cannot change here: said beside the new date."""
    state = {
        SessionStatus.HELD: "was held",
        SessionStatus.MISSED: "was missed",
        SessionStatus.RESCHEDULED: "was put off in its turn",
    }[instead.status]
    return FieldError(
        "rebook_on",
        "New date",
        f"it was booked again on {dates.long(instead.scheduled_on)}, and that session "
        f"{state}: change it in its own log",
    )


def _book_in_place(
    tx: Transaction, session: Session, entry: SessionEntry, partnership: Partnership
) -> None:
    """A session logged as rescheduled with a new date (``entry.rebook_on``) is booked on it,
    once: logging it again with another day moves that booking. Logged otherwise (held or
    missed on its day after all), or with the new day the log showed taken away, the booking
    made in its place, still to come, is cancelled; what was prepared for it goes back to the
    session, or on to the next. A new day left as the log showed it (``entry.rebook_shown``)
    changes nothing: what the partner did with the booking since stands."""
    instead = replacement(tx, session.id)
    rebook_on, shown = entry.rebook_on, entry.rebook_shown
    if session.status is SessionStatus.RESCHEDULED:
        if rebook_on == shown:
            return
        logged = instead is not None and instead.status not in (
            SessionStatus.SCHEDULED,
            SessionStatus.CANCELLED,
        )
        if logged:
            raise ValidationError("Session", [_logged_instead(instead)])
        if rebook_on is None:  # the new day taken away
            if instead is not None and instead.status is SessionStatus.SCHEDULED:
                cancelled = tx.save(
                    instead.replace(status=SessionStatus.CANCELLED).revised(instead)
                )
                prep.carry_on(tx, cancelled)
            return
        if problem := rebook_problem(tx, session, rebook_on, partnership):
            raise ValidationError("Session", [FieldError("rebook_on", "New date", problem)])
        if instead is None:
            again = tx.save(
                Session(
                    partnership_id=partnership.id,
                    planned=True,
                    scheduled_on=rebook_on,
                    # At the time it was booked for, on the agreement's clocks; one that kept
                    # the zone of a time gone by takes the agreement's time, as those to come do.
                    scheduled_time=session.scheduled_time if session.time_zone is None else None,
                    replaces_id=session.id,
                )
            )
            _move_preparation(tx, session.id, again.id)
        elif instead.status is SessionStatus.SCHEDULED:
            if instead.scheduled_on != rebook_on:
                tx.save(instead.replace(scheduled_on=rebook_on).revised(instead))
        else:  # cancelled since: booked again, as a cancelled session is
            restored = tx.save(
                instead.replace(status=SessionStatus.SCHEDULED, scheduled_on=rebook_on).revised(
                    instead
                )
            )
            _move_preparation(tx, session.id, restored.id)
            prep.bring_back(tx, restored)
        return
    if instead is None or instead.status is not SessionStatus.SCHEDULED:
        return
    cancelled = tx.save(instead.replace(status=SessionStatus.CANCELLED).revised(instead))
    if session.status is SessionStatus.HELD:
        _move_preparation(tx, instead.id, session.id)
    else:
        prep.carry_on(tx, cancelled)


def _move_preparation(tx: Transaction, session_id: int, to_session_id: int) -> None:
    """What the partners prepared for a session booked again on another day goes with it:
    their preparations, the follow-ups they made in them, and their drafts of them."""
    for made in tx.find(SessionPrep, session_id=session_id):
        tx.save(made.replace(session_id=to_session_id))
    for followed in tx.find(Commitment, reviewed_in_session_id=session_id):
        tx.save(followed.replace(reviewed_in_session_id=to_session_id))
    for draft in tx.find(Draft, kind=prep.DRAFT_KIND, key=prep.draft_key(session_id)):
        prep.move_draft(tx, draft, to_session_id)


# -- drafts ------------------------------------------------------------------------------------


def draft_key(partnership_id: int, session_id: int | None) -> str:
    return f"partnership:{partnership_id}:session:{session_id or 'unplanned'}"


#: How long a draft left in the log is where the log opens (a reload, coming back the next day).
RECENT_DRAFT = dt.timedelta(days=2)


def recent_draft_session(
    store: Store, person_id: int, partnership_id: int, *, now: dt.datetime | None = None
) -> int | str | None:
    """The session the person last left a draft of in this partnership's log, if they did in
    the last :data:`RECENT_DRAFT`: its id, or "unplanned"; None when there is no such draft."""
    now = now or dt.datetime.now(dt.UTC)
    prefix = draft_key(partnership_id, None).removesuffix("unplanned")
    recent = [
        d
        for d in store.find(Draft, person_id=person_id, kind=DRAFT_KIND)
        if d.key.startswith(prefix) and d.updated_at and now - d.updated_at <= RECENT_DRAFT
    ]
    if not recent:
        return None
    which = max(recent, key=lambda d: d.updated_at).key.removeprefix(prefix)
    return which if which == "unplanned" else int(which)


def save_draft(store: Store, person_id: int, key: str, data: dict) -> Draft:
    return drafts.keep(store, person_id, DRAFT_KIND, key, data)


def load_draft(store: Store, person_id: int, key: str) -> Draft | None:
    return drafts.find(store, person_id, DRAFT_KIND, key)


def discard_draft(store: Store, person_id: int, key: str) -> None:
    drafts.discard(store, person_id, DRAFT_KIND, key)
