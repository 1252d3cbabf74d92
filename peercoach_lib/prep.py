"""Preparing for a session (the POP model: Purpose, Outcomes, Process) and following up last time's
commitments.

The guide's "single most important thing" is a few minutes of preparation before each session.
A preparation belongs to one person and one session; it is private unless the person shares it,
and its private notes are never shared. Until it is saved, what the person types is kept as a
draft (:mod:`peercoach_lib.drafts`), so that a reload or a closed tab loses nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from types import EllipsisType

from peercoach_lib import dates, drafts, merging, wording
from peercoach_lib.errors import ConflictError, FieldError, ValidationError
from peercoach_lib.model import (
    Agreement,
    Commitment,
    CommitmentStatus,
    Draft,
    Partnership,
    Person,
    Session,
    SessionPrep,
    SessionStatus,
)
from peercoach_lib.store import Store, Transaction

DRAFT_KIND = "preparation"


def draft_key(session_id: int) -> str:
    return f"session:{session_id}"


@dataclass(frozen=True)
class Upcoming:
    """A session a person can prepare for, with the partner's name for display."""

    session: Session
    partnership: Partnership
    partner: Person
    #: When it starts, after its day (see :func:`peercoach_lib.agreement.session_time`).
    time: str = ""
    #: The time zone its day is a day of: its agreement's (None without one).
    time_zone: str | None = None
    #: Whether the person has saved a preparation for it.
    prepared: bool = False

    @property
    def label(self) -> str:
        when = (
            dates.short_weekday(self.session.scheduled_on)
            if self.session.scheduled_on
            else "unplanned"
        )
        # The partner before the time, which may end with "your time": "... 12:00 your time
        # with Ann" read as if the time were Ann's.
        done = " (prepared)" if self.prepared else ""
        return f"{when} with {wording.isolated(self.partner.name)}{self.time}{done}"


def upcoming_sessions(
    store: Store, person_id: int, *, today: dt.date | None = None, include_recent_days: int = 7
) -> list[Upcoming]:
    """The person's booked sessions from a week ago on, soonest first.

    A few recent days are included, so that a session held yesterday can still be prepared
    for in hindsight (or its commitments followed up).
    """
    from peercoach_lib.agreement import session_time  # (which imports this module)

    today = today or dt.date.today()
    since = today - dt.timedelta(days=include_recent_days)
    with store.reading() as tx:
        pairs = [p for p in tx.find(Partnership) if person_id in p.members and p.is_active]
        if not pairs:
            return []
        people = {
            p.id: p
            for p in tx.find(Person, id=[person_id, *(q.partner_of(person_id) for q in pairs)])
        }
        sessions = tx.find(
            Session,
            partnership_id=[p.id for p in pairs],
            planned=True,
            status=SessionStatus.SCHEDULED,
            order_by="scheduled_on",
        )
        agreements = {
            a.partnership_id: a for a in tx.find(Agreement, partnership_id=[p.id for p in pairs])
        }
        prepared = {
            p.session_id
            for p in tx.find(SessionPrep, person_id=person_id, session_id=[s.id for s in sessions])
        }
    by_id = {p.id: p for p in pairs}
    mine = people[person_id].time_zone if person_id in people else None
    out = []
    for s in sessions:
        if s.scheduled_on is None or s.scheduled_on < since:
            continue
        pair, agreement = by_id[s.partnership_id], agreements.get(s.partnership_id)
        out.append(
            Upcoming(
                s,
                pair,
                people[pair.partner_of(person_id)],
                session_time(agreement, s, mine),
                agreement.time_zone if agreement else None,
                s.id in prepared,
            )
        )
    return out


def open_commitments(
    store: Store, person_id: int, partnership_id: int, *, before: int | None = None
) -> list[Commitment]:
    """What the person committed to and has not yet followed up, oldest first.

    With ``before`` (a session's id) that is logged already (held, missed or rescheduled), only
    what was committed to before it: in an earlier session (by day, then by its number), or
    outside any session; a commitment made later cannot be followed up in it. A session still
    to log lists every one still open: the day it will be held on is not known yet (saving a
    follow-up in a session held before the commitment was made is refused, see
    :func:`save_follow_up`).
    """
    found = store.find(
        Commitment, person_id=person_id, partnership_id=partnership_id, status=CommitmentStatus.OPEN
    )
    if before is None:
        return found
    return open_at(found, store.find(Session, partnership_id=partnership_id), before)


def open_at(
    commitments: Sequence[Commitment], sessions: Sequence[Session], session_id: int
) -> list[Commitment]:
    """Of ``commitments``, those still open that can be followed up in the session
    ``session_id`` of ``sessions`` (the partnership's), as :func:`open_commitments` with
    ``before``: all of them for a session still to log, else those made before it."""
    found = [c for c in commitments if c.status is CommitmentStatus.OPEN]
    order = {s.id: (s.day or dt.date.max, s.id) for s in sessions}
    still_to_log = {s.id for s in sessions if s.status is SessionStatus.SCHEDULED}
    this = order.get(session_id)
    if this is None or session_id in still_to_log:
        return found
    return [
        c
        for c in found
        if c.made_in_session_id is None or order.get(c.made_in_session_id, this) < this
    ]


def save_follow_up(
    tx: Transaction, person_id: int, session_id: int, review: Commitment
) -> FieldError | None:
    """The follow-up of one of the person's commitments (its status and what got in the way),
    put on the commitment as stored now: its words may have been changed since the form opened.

    A row left "not followed up yet" writes nothing: the commitment may have been followed up in
    another session meanwhile (or removed), and that stays. Following it up here when it was
    followed up in another session meanwhile is the problem returned.
    """
    found = tx.find(Commitment, id=review.id)
    current = found[0] if found else None
    if current is not None and current.person_id != person_id:
        raise PermissionError("only its maker can follow up a commitment")
    elsewhere = current is not None and current.reviewed_in_session_id not in (None, session_id)
    if review.status is CommitmentStatus.OPEN:
        if current is not None and current.reviewed_in_session_id == session_id:
            tx.save(current.replace(status=review.status, obstacle="", reviewed_in_session_id=None))
        return None
    if current is None or elsewhere:
        return changed_meanwhile(tx, review, current, "choose the session again to see it")
    if current.made_in_session_id is not None:
        made, here = tx.get(Session, current.made_in_session_id), tx.get(Session, session_id)
        made_on, here_on = made.day, here.day
        if made_on is not None and here_on is not None and made_on > here_on:
            return FieldError(
                "reviews",
                "Follow-up",
                f"“{review.text}” was committed to on {dates.long(made_on)}, after this session "
                f"({dates.long(here_on)}): follow it up in a later one",
            )
    wanted = current.replace(
        status=review.status, obstacle=review.obstacle, reviewed_in_session_id=session_id
    )
    if wanted != current:
        tx.save(wanted)
    return None


def changed_meanwhile(
    tx: Transaction, review: Commitment, current: Commitment | None, then: str
) -> FieldError:
    """The problem with following up ``review`` when the commitment was followed up in a
    session (``current``, as stored now) or removed (None) since the form opened; ``then``
    says what to do."""
    where = ""
    if current is not None:
        other = tx.get(Session, current.reviewed_in_session_id)
        where = f" in the session of {dates.long(other.day)}" if other.day else ""
    return FieldError(
        "reviews",
        "Follow-up",
        f"\u201c{review.text}\u201d was "
        + (f"followed up{where}" if current is not None else "removed")
        + f" meanwhile: {then}",
    )


def load(store: Store, session_id: int, person_id: int) -> SessionPrep | None:
    found = store.find(SessionPrep, session_id=session_id, person_id=person_id)
    return found[0] if found else None


def missed_preparation(store: Store, session: Session, person_id: int) -> SessionPrep | None:
    """What the person prepared for the session missed just before ``session``, to start from.

    A missed session keeps its preparation (:func:`carry_on`: it is part of the record that
    the session was missed), so the next session starts empty. When the partnership's last
    session logged before ``session``'s day was missed and the person had prepared for it, that
    preparation is offered; a held session since, or none prepared then, offers nothing."""
    day = session.scheduled_on
    if day is None:
        return None
    logged = [
        s
        for s in store.find(Session, partnership_id=session.partnership_id)
        if s.id != session.id
        and s.status in (SessionStatus.HELD, SessionStatus.MISSED)
        and s.day is not None
        and s.day < day
    ]
    last = max(logged, key=lambda s: (s.day, s.id), default=None)
    if last is None or last.status is not SessionStatus.MISSED:
        return None
    return load(store, last.id, person_id)


def _no_longer_to_come(session: Session) -> str:
    day = dates.long(session.scheduled_on) if session.scheduled_on else "this day"
    what = {
        SessionStatus.RESCHEDULED: "was moved to another day",
        SessionStatus.CANCELLED: "was cancelled",
        SessionStatus.HELD: "has been logged as held",
        SessionStatus.MISSED: "has been logged as missed",
    }.get(session.status, "is no longer to come")
    return (
        f"the session of {day} {what} since this page opened: reload the page and choose a "
        "session still to come (copy what you typed here first)"
    )


def save(
    store: Store,
    prep: SessionPrep,
    reviews: Sequence[Commitment] = (),
    *,
    loaded: SessionPrep | EllipsisType | None = ...,
) -> SessionPrep:
    """Save the preparation and the follow-up of commitments together.

    ``loaded``, when given, is the preparation as the form opened on it (None: there was none,
    so a preparation saved meanwhile is someone else's window's). When another
    window saved it since, what only one side changed is kept from that side; a field both
    changed differently raises :class:`ConflictError` naming it, whose ``merged`` is the stored
    preparation and this side's merged with it, and nothing is saved.

    Raises :class:`ValidationError` if the person is not in the session's partnership, or a
    commitment reviewed is not theirs.
    """
    with store.transaction() as tx:
        session = tx.get(Session, prep.session_id)
        partnership = tx.get(Partnership, session.partnership_id)
        if session.status is not SessionStatus.SCHEDULED:
            # Logged, moved or cancelled since the form opened: a preparation saved there
            # would be out of sight (only sessions still to come are prepared for).
            raise ValidationError(
                SessionPrep.label(),
                [FieldError("session_id", "Session", _no_longer_to_come(session))],
            )
        problems = []
        if prep.person_id not in partnership.members:
            problems.append(
                FieldError("person_id", "Person", "is not in the partnership of this session")
            )
        for k, commitment in enumerate(reviews):
            if commitment.person_id != prep.person_id:
                problems.append(
                    FieldError(f"reviews[{k}]", f"Commitment {k + 1}", "belongs to someone else")
                )
        if problems:
            raise ValidationError(SessionPrep.label(), problems)
        existing = tx.find(SessionPrep, session_id=prep.session_id, person_id=prep.person_id)
        if existing:
            prep = prep.model_copy(update={"id": existing[0].id})
            # None: there was none when the form opened, so every field started empty (not a
            # valid preparation: it has no purpose, hence built unchecked).
            base = loaded or SessionPrep.model_construct(
                session_id=prep.session_id, person_id=prep.person_id, purpose=""
            )
            if loaded is not ... and existing[0] != loaded:
                prep, clashes = merging.merge_fields(base, existing[0], prep)
                if clashes:
                    raise ConflictError("Preparation", fields=clashes, merged=(existing[0], prep))
        # Saved here, a preparation carried on from a session that did not take place is this
        # session's own: it stays if that session is booked again.
        prep = tx.save(prep.replace(carried_from_session_id=None))
        followed = [
            problem
            for commitment in reviews
            if (problem := save_follow_up(tx, prep.person_id, session.id, commitment)) is not None
        ]
        if followed:
            raise ValidationError(SessionPrep.label(), followed)  # the transaction is rolled back
        drafts.drop(tx, prep.person_id, DRAFT_KIND, draft_key(prep.session_id))
        return prep


def _following(tx: Transaction, session: Session) -> Session | None:
    """The next session still to log after ``session``'s day (None when nothing is booked)."""
    day = session.scheduled_on or dt.date.min
    later = [
        s
        for s in tx.find(Session, partnership_id=session.partnership_id, status="scheduled")
        if s.id != session.id and s.scheduled_on is not None and s.scheduled_on > day
    ]
    return min(later, key=lambda s: (s.scheduled_on, s.id), default=None)


def why_carried(off: Session) -> str:
    """Why what was prepared for ``off`` went on to the next session, as a clause."""
    return (
        "which was put off with no new day"
        if off.status is SessionStatus.RESCHEDULED
        else "which was cancelled"
    )


def carry_on(tx: Transaction, off: Session) -> None:
    """What the partners prepared for a session that did not take place (missed, cancelled, or
    moved without a new day) goes to the next session still to log.

    The follow-ups made in their preparations come back for follow-up there; with nothing
    booked, the commitments are open again. A preparation (and an unsaved draft of one) goes
    there too, marked as carried from ``off``, unless its author has one there already; with
    nothing booked it stays. A missed session's preparation stays with it: the session log
    shows that it was missed, and what was prepared for it is part of that record (the next
    session's preparation offers to start from it: :func:`missed_preparation`)."""
    following = _following(tx, off)
    if off.status is not SessionStatus.MISSED and following is not None:
        _carry_preparations(tx, off, following)
    for commitment in tx.find(Commitment, reviewed_in_session_id=off.id):
        if following is not None:
            tx.save(commitment.replace(reviewed_in_session_id=following.id))
        else:
            tx.save(
                commitment.replace(
                    status=CommitmentStatus.OPEN, obstacle="", reviewed_in_session_id=None
                )
            )


def _carry_preparations(tx: Transaction, off: Session, following: Session) -> None:
    there = {p.person_id for p in tx.find(SessionPrep, session_id=following.id)}
    for made in tx.find(SessionPrep, session_id=off.id):
        if made.person_id not in there:
            tx.save(made.replace(session_id=following.id, carried_from_session_id=off.id))
    # Each person's unsaved preparation goes too, unless they have one there of their own.
    drafted = {d.person_id for d in tx.find(Draft, kind=DRAFT_KIND, key=draft_key(following.id))}
    for draft in tx.find(Draft, kind=DRAFT_KIND, key=draft_key(off.id)):
        if draft.person_id not in there | drafted:
            move_draft(tx, draft, following.id, carried_from_session_id=off.id)


def move_draft(tx: Transaction, draft: Draft, to_session_id: int, **base_changes) -> None:
    """An unsaved preparation, to another session; the preparation it was typed over (its
    ``base``) went there too, with ``base_changes``."""
    data = dict(draft.data)
    if data.get("base"):
        data["base"] = {**data["base"], "session_id": to_session_id, **base_changes}
    tx.save(draft.replace(key=draft_key(to_session_id), data=data))


def bring_back(tx: Transaction, restored: Session) -> None:
    """A session booked again after it was cancelled takes back what :func:`carry_on` carried
    from it to the next session still to log: the preparations carried from it (unless saved
    there since, which makes them that session's own), and the follow-ups there of commitments
    made before it (or outside any session) of each person who prepared the restored session and
    not the next one (a follow-up written in the next one's preparation stays there).
    Follow-ups reopened for want of a next session stay open."""
    if restored.scheduled_on is None:
        return
    following = _following(tx, restored)
    if following is None:
        return
    back = tx.find(SessionPrep, session_id=following.id, carried_from_session_id=restored.id)
    for carried in back:
        tx.save(carried.replace(session_id=restored.id, carried_from_session_id=None))
    # A draft typed over a preparation that went back goes with it.
    for draft in tx.find(Draft, kind=DRAFT_KIND, key=draft_key(following.id)):
        if (draft.data.get("base") or {}).get("carried_from_session_id") == restored.id:
            move_draft(tx, draft, restored.id, carried_from_session_id=None)
    prepared = {p.person_id for p in tx.find(SessionPrep, session_id=restored.id)}
    prepared -= {p.person_id for p in tx.find(SessionPrep, session_id=following.id)}
    day = restored.scheduled_on
    days = {s.id: s.day for s in tx.find(Session, partnership_id=restored.partnership_id)}
    for commitment in tx.find(Commitment, reviewed_in_session_id=following.id):
        made = commitment.made_in_session_id
        if commitment.person_id in prepared and (
            made is None or (days.get(made) is not None and days[made] < day)
        ):
            tx.save(commitment.replace(reviewed_in_session_id=restored.id))
