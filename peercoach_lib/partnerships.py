"""Ending a partnership, and pairing people again.

Either partner can end their partnership, with a reason: the category goes on the partnership
(kept in its history; the facilitator sees only the category) and their own words go in an
:class:`~peercoach_lib.model.EndingNote`, private unless they share it. Sessions booked after the
end are cancelled, and flags still open on the pair close as "ended". Commitments no session
followed up can still be followed up by their maker once it has ended
(:func:`follow_up_after_end`).

A facilitator pairs a person again with :func:`pair`: the new partnership starts with nothing but
its two people, so it begins at its own first-session agreement, and every view of it reads only
its own sessions.
"""

from __future__ import annotations

import datetime as dt
import unicodedata

from peercoach_lib import agreement as ag
from peercoach_lib import dates, prep
from peercoach_lib.errors import FieldError, ValidationError
from peercoach_lib.model import (
    Commitment,
    CommitmentStatus,
    Draft,
    EndingNote,
    EndReason,
    FlagEpisode,
    FlagOutcome,
    Partnership,
    Person,
    Role,
    Session,
    SessionStatus,
)
from peercoach_lib.store import Store, Transaction


def _refuse(record: str, path: str, label: str, message: str) -> ValidationError:
    return ValidationError(record, [FieldError(path, label, message)])


def end(
    store: Store,
    partnership_id: int,
    *,
    by: int,
    reason: EndReason | str,
    on: dt.date | None = None,
    in_my_words: str = "",
    learned: str = "",
    share: bool = False,
    today: dt.date | None = None,
) -> Partnership:
    """End the partnership on ``on`` (default today) at the request of partner ``by``.

    A partnership paired to start later is called off: ended today, it starts today too (a
    mistaken pairing, or one of the two leaving before it begins), and frees both at once.

    Raises :class:`ValidationError` when ``by`` is not a partner, the partnership has already
    ended, or the date is in the future, before the start (but for calling it off today), or
    before a held session.
    """
    today = today or dt.date.today()
    on = on or today
    with store.transaction() as tx:
        partnership = tx.get(Partnership, partnership_id)
        errors = _ending_errors(tx, partnership, by=by, on=on, today=today)
        if errors:
            raise ValidationError("Ending the partnership", errors)
        ended = ended_on(partnership, on, EndReason(reason))
        note = EndingNote(
            partnership_id=partnership_id,
            person_id=by,
            reason=in_my_words,
            learned=learned,
            shared=share,
        )
        ended = tx.save(ended, by=by)
        _save_note(tx, note)
        wind_up(tx, partnership_id, on)
        return ended


def ended_on(partnership: Partnership, on: dt.date, reason: EndReason) -> Partnership:
    """The partnership as it ends on ``on``: one called off before it began starts that day
    too (a start after the end would be no partnership, and would hold both partners till then).
    """
    return partnership.replace(
        started_on=min(on, partnership.started_on), ended_on=on, end_reason=reason
    )


def ending_problems(
    store: Store, partnership_id: int, *, by: int, on: dt.date, today: dt.date
) -> list[FieldError]:
    """What stands against ending the partnership on ``on``, as :func:`end` would say it,
    without ending it: for a form to say every fault at once while another of its fields (a
    box not ticked) holds it back."""
    with store.reading() as tx:
        return _ending_errors(tx, tx.get(Partnership, partnership_id), by=by, on=on, today=today)


def _ending_errors(
    tx: Transaction, partnership: Partnership, *, by: int, on: dt.date, today: dt.date
) -> list[FieldError]:
    errors = []
    if by not in partnership.members:
        errors.append(FieldError("by", "Person", "can end only their own partnership"))
    if not partnership.is_active:
        errors.append(
            FieldError(
                "ended_on",
                "End date",
                f"the partnership ended on {dates.long(partnership.ended_on)}",
            )
        )
    last_held = last_held_day(tx, partnership.id)
    # A partnership yet to start is called off today: nothing else comes before its start.
    called_off = on == today < partnership.started_on and last_held is None
    if on > today:
        errors.append(FieldError("ended_on", "End date", dates.after_today(today)))
    elif on < partnership.started_on and not called_off:
        errors.append(
            FieldError(
                "ended_on",
                "End date",
                f"the partnership starts on {dates.long(partnership.started_on)}: to call it off "
                f"before then, give today ({dates.short(today)}) as its last day"
                if today < partnership.started_on
                else f"the partnership started on {dates.long(partnership.started_on)}: the last "
                "day cannot be before it",
            )
        )
    if last_held is not None and last_held > on:
        errors.append(
            FieldError(
                "ended_on",
                "End date",
                f"a session was held on {dates.long(last_held)}: the last day cannot be before it",
            )
        )
    return errors


def last_held_day(tx: Transaction, partnership_id: int) -> dt.date | None:
    """The day of the partnership's latest session held (None before any): it cannot end
    before it."""
    return max(
        (
            s.held_on
            for s in tx.find(Session, partnership_id=partnership_id, status="held")
            if s.held_on is not None
        ),
        default=None,
    )


def wind_up(tx: Transaction, partnership_id: int, on: dt.date) -> None:
    """What a partnership's end on ``on`` brings, within ``tx``: its sessions booked after that
    day are cancelled (their follow-ups go back to open) and its open flags close as ended."""
    cancelled = [
        tx.save(session.replace(status=SessionStatus.CANCELLED).revised(session))
        for session in tx.find(Session, partnership_id=partnership_id, status="scheduled")
        if session.scheduled_on is None or session.scheduled_on > on
    ]
    # Once all are cancelled, nothing is booked to carry to: each keeps what was prepared for
    # it, and the commitments followed up there are open again.
    for session in cancelled:
        prep.carry_on(tx, session)
    close_flags(tx, partnership_id, on=on, outcome=FlagOutcome.ENDED)
    # The agreement is kept as it was saved; what either partner typed over it goes.
    for draft in tx.find(Draft, kind=ag.DRAFT_KIND, key=ag.draft_key(partnership_id)):
        tx.delete(Draft, draft.id)


def cancelled_after_end(store: Store, partnership: Partnership) -> int:
    """How many of an ended partnership's booked sessions fell after its last day, and so are
    cancelled (0 for a running one)."""
    if partnership.is_active:
        return 0
    return sum(
        s.scheduled_on is not None and s.scheduled_on > partnership.ended_on
        for s in store.find(
            Session, partnership_id=partnership.id, planned=True, status=SessionStatus.CANCELLED
        )
    )


def left_open(store: Store, partnership_id: int, person_id: int) -> list[Commitment]:
    """The person's commitments in the partnership that no session followed up, in the order
    they were made: still open, or followed up by :func:`follow_up_after_end`."""
    return [
        c
        for c in store.find(
            Commitment, partnership_id=partnership_id, person_id=person_id, order_by="id"
        )
        if c.reviewed_in_session_id is None
    ]


def follow_up_after_end(
    store: Store, partnership_id: int, person_id: int, reviews: list[Commitment]
) -> list[Commitment]:
    """Save how the person's commitments went (status, what got in the way), where the
    partnership ended before a session followed them up: ``reviews`` are those of
    :func:`left_open` as changed on screen. "Not followed up yet" is a status too (a mistake
    set right). Nothing is saved where anything is refused.

    Raises :class:`ValidationError` while the partnership runs (its next session follows them
    up), and for a commitment followed up at a session or removed meanwhile;
    :class:`PermissionError` for someone else's commitment.
    """
    with store.transaction() as tx:
        partnership = tx.get(Partnership, partnership_id)
        if person_id not in partnership.members:
            raise PermissionError("only a partner can follow up their commitments")
        if partnership.is_active:
            raise _refuse(
                "Follow-up",
                "reviews",
                "Follow-up",
                "the partnership is still running: follow commitments up at your next session",
            )
        saved, problems = [], []
        for review in reviews:
            found = tx.find(Commitment, id=review.id)
            current = found[0] if found else None
            if current is not None and (
                current.person_id != person_id or current.partnership_id != partnership_id
            ):
                raise PermissionError("only its maker can follow up a commitment")
            if current is None or current.reviewed_in_session_id is not None:
                problems.append(
                    prep.changed_meanwhile(tx, review, current, "reload the page to see it")
                )
                continue
            open_ = review.status is CommitmentStatus.OPEN
            changed = current.replace(
                status=review.status, obstacle="" if open_ else review.obstacle
            )
            saved.append(tx.save(changed) if changed != current else current)
        if problems:
            raise ValidationError("Follow-up", problems)
        return saved


def close_flags(tx: Transaction, partnership_id: int, *, on: dt.date, outcome: FlagOutcome) -> int:
    """Close the pair's open flag episodes; returns how many were closed."""
    closed = 0
    for episode in tx.find(FlagEpisode, partnership_id=partnership_id, closed_on=None):
        tx.save(episode.replace(closed_on=max(on, episode.raised_on), outcome=outcome))
        closed += 1
    return closed


def _save_note(tx: Transaction, note: EndingNote) -> EndingNote:
    existing = tx.find(EndingNote, partnership_id=note.partnership_id, person_id=note.person_id)
    if existing:
        note = note.replace(id=existing[0].id, created_at=existing[0].created_at)
    return tx.save(note)


def save_ending_note(store: Store, note: EndingNote) -> EndingNote:
    """A partner's own words on an ended partnership (the other partner may add theirs later)."""
    with store.transaction() as tx:
        partnership = tx.get(Partnership, note.partnership_id)
        if note.person_id not in partnership.members:
            raise _refuse("Ending note", "person_id", "Person", "is not in this partnership")
        if partnership.is_active:
            raise _refuse("Ending note", "partnership_id", "Partnership", "has not ended")
        return _save_note(tx, note)


def ending_note(store: Store, partnership_id: int, person_id: int) -> EndingNote | None:
    found = store.find(EndingNote, partnership_id=partnership_id, person_id=person_id)
    return found[0] if found else None


def pair(
    store: Store,
    person_a: int | Person,
    person_b: int | Person,
    *,
    on: dt.date | None = None,
    cohort_id: int | None = None,
    by: int | None = None,
) -> Partnership:
    """Start a new partnership of two participants (a facilitator pairing people, or again).

    Each partner is a person's id, or a new :class:`Person` (not saved yet) to add with the
    pairing, in the same transaction. The partnership belongs to ``cohort_id``; when not given,
    to the partners' cohort. A new person, or one in no cohort yet, joins the partnership's.

    Raises :class:`ValidationError` for the same person twice, a facilitator, someone who asked
    to be forgotten, two people of different cohorts (``cohort_id`` not given), two people who
    are partners already, someone in a running partnership, or a start before the last day of
    someone's ended partnership; nothing is saved then.
    """
    on = on or dt.date.today()
    with store.transaction() as tx:
        known = {
            p.id: p
            for p in tx.find(Person, id=[p for p in (person_a, person_b) if isinstance(p, int)])
        }
        left = [
            FieldError(path, label, "has left the workbook")
            for path, label, pid in (
                ("person_a_id", "Person", person_a),
                ("person_b_id", "Partner", person_b),
            )
            if pid in known and known[pid].forgotten_at is not None
        ]
        if left:
            # Said alone: that they left matters more than where they were.
            raise ValidationError("New partnership", left)
        # Every other fault at once, so that one correction does not meet the next.
        errors = names_taken(tx, person_a, person_b)
        cohorts = {known[p].cohort_id for p in (person_a, person_b) if p in known} - {None}
        if cohort_id is None and len(cohorts) > 1:
            errors.append(
                FieldError(
                    "person_b_id",
                    "Partner",
                    "is in another cohort than the first partner: a facilitator pairs people "
                    "of one cohort",
                )
            )
        errors += _pairing_errors(
            tx, *(p if isinstance(p, int) else None for p in (person_a, person_b)), on=on
        )
        if errors:
            raise ValidationError("New partnership", errors)
        if cohort_id is None and cohorts:
            (cohort_id,) = cohorts
        ids = []
        for person in (person_a, person_b):
            if isinstance(person, Person):
                person = tx.save(person.replace(cohort_id=person.cohort_id or cohort_id), by=by).id
            elif cohort_id is not None and person in known and known[person].cohort_id is None:
                # Someone in no cohort yet joins the partnership's.
                tx.save(known[person].replace(cohort_id=cohort_id), by=by)
            ids.append(person)
        return _pair(tx, ids[0], ids[1], on=on, cohort_id=cohort_id, by=by)


#: A partnership started more than this before today is noted as it is chosen (a year typed
#: wrong, or a pair entered late, that the cohort's figures count from that day).
BACK_DATED_DAYS = 28


def back_dated_note(on: dt.date, today: dt.date, consequence: str) -> str | None:
    """What a partnership starting ``on``, long before ``today``, means (``consequence``: for
    whom the note is); None for a start in the last :data:`BACK_DATED_DAYS` days or later."""
    days = (today - on).days
    if days <= BACK_DATED_DAYS:
        return None
    return f"that is {days:,} days before today: until the pair logs a session, {consequence}"


def name_key(name: str) -> str:
    """A name as lists tell it from others: case, spacing and Unicode form aside (two names
    with one key read the same: "Zoë" with a combining accent is "zoë")."""
    return unicodedata.normalize("NFKC", " ".join(name.split())).casefold()


def same_name(a: str, b: str) -> bool:
    """Whether two names read the same (case and spacing aside)."""
    return name_key(a) == name_key(b)


def names_taken(tx: Transaction, *partners: int | Person | None) -> list[FieldError]:
    """A new person needs a name nobody in the workbook has (nor the other new partner): two
    people of one name cannot be told apart in any chooser."""
    new = [(k, p) for k, p in enumerate(partners) if isinstance(p, Person)]
    if not new:
        return []
    errors = []
    people = [p for p in tx.find(Person) if p.forgotten_at is None]
    for k, person in new:
        taken = next((p for p in people if same_name(p.name, person.name)), None)
        if taken is not None and taken.role is Role.PARTICIPANT:
            message = (
                f"{taken.name} is in the workbook already: choose them in the list, or add to "
                "the new person's name what tells them apart"
            )
        elif taken is not None:  # in no partner list: "choose them in the list" would mislead
            message = (
                f"{taken.name} is in the workbook already, as a facilitator (facilitators are "
                "not paired here): add to the new person's name what tells them apart"
            )
        elif (
            k == 1 and isinstance(partners[0], Person) and same_name(partners[0].name, person.name)
        ):
            message = (
                "the first partner has this name too: add to one of them what tells them apart"
            )
        else:
            continue
        path = ("person_a_name", "person_b_name")[k]
        errors.append(
            FieldError(path, ("First partner's name", "Second partner's name")[k], message)
        )
    return errors


def pairing_problems(
    store: Store, person_a_id: int | None, person_b_id: int | None, *, on: dt.date
) -> list[FieldError]:
    """What stands against pairing these two people (``None`` for someone new, or for no one
    chosen yet), as :func:`pair` would say it, without pairing them: for a form to say every
    fault at once while another of its fields is still wrong."""
    with store.reading() as tx:
        return _pairing_errors(tx, person_a_id, person_b_id, on=on)


def _pairing_errors(
    tx: Transaction, person_a_id: int | None, person_b_id: int | None, *, on: dt.date
) -> list[FieldError]:
    """What stands against pairing these two (``None`` for someone new, who has no past)."""
    errors = []
    if person_a_id is not None and person_a_id == person_b_id:
        errors.append(FieldError("person_b_id", "Partner", "must be someone else"))
    ids = [
        (path, label, pid)
        for path, label, pid in (
            ("person_a_id", "Person", person_a_id),
            ("person_b_id", "Partner", person_b_id),
        )
        if pid is not None
    ]
    people = {p.id: p for p in tx.find(Person, id=[pid for _, _, pid in ids])}
    for path, label, pid in ids:
        person = people.get(pid)
        if person is None:
            errors.append(FieldError(path, label, f"there is no person {pid}"))
        elif person.role is not Role.PARTICIPANT:
            errors.append(FieldError(path, label, "must be a participant"))
        elif person.forgotten_at is not None:
            errors.append(FieldError(path, label, "has left the workbook"))
    if errors:
        return errors
    if len(ids) == 2 and any(
        set(p.members) == {person_a_id, person_b_id} and p.is_active
        for p in tx.find(Partnership, person_a_id=[person_a_id, person_b_id])
    ):
        return [FieldError("person_b_id", "Partner", "these two are partners already")]
    # One running partnership at a time: the form pairs people whose pair ended.
    latest: tuple[Partnership, int] | None = None  # the latest end a new start is inside
    for path, label, pid in ids:
        theirs = tx.find(Partnership, person_a_id=pid) + tx.find(Partnership, person_b_id=pid)
        running = [p for p in theirs if p.is_active]
        if running:
            other = tx.get(Person, running[0].partner_of(pid))
            errors.append(
                FieldError(
                    path,
                    label,
                    f"is in a running partnership with {other.name} (since "
                    f"{dates.short(running[0].started_on)}), which must end before a new one "
                    "starts",
                )
            )
            continue
        # Nor may a new partnership start before an ended one's last day.
        overlapping = max(
            (p for p in theirs if not p.is_active and p.ended_on > on),
            key=lambda p: p.ended_on,
            default=None,
        )
        if overlapping is not None and (
            latest is None or overlapping.ended_on > latest[0].ended_on
        ):
            latest = (overlapping, pid)
    if latest is not None:
        # What is wrong is the start: said beside it, naming whose partnership it falls in.
        overlapping, pid = latest
        other = tx.get(Person, overlapping.partner_of(pid))
        errors.append(
            FieldError(
                "started_on",
                "Starting on",
                f"{people[pid].name} was in a partnership with {other.name} until "
                f"{dates.short(overlapping.ended_on)}: the new one starts on that day or later",
            )
        )
    return errors


def _pair(
    tx: Transaction,
    person_a_id: int,
    person_b_id: int,
    *,
    on: dt.date,
    cohort_id: int | None,
    by: int | None,
) -> Partnership:
    errors = _pairing_errors(tx, person_a_id, person_b_id, on=on)
    if errors:
        raise ValidationError("New partnership", errors)
    return tx.save(
        Partnership(
            cohort_id=cohort_id,
            person_a_id=person_a_id,
            person_b_id=person_b_id,
            started_on=on,
        ),
        by=by,
    )


def together_before(store: Store, a: int, b: int) -> Partnership | None:
    """The latest partnership of ``a`` and ``b`` that has ended, if they were partners before
    (to pair them again is to say so: one of them may have ended it)."""
    ended = [p for p in of_person(store, a) if b in p.members and not p.is_active]
    return max(ended, key=lambda p: p.ended_on, default=None)


def of_person(store: Store, person_id: int) -> list[Partnership]:
    """Every partnership the person has been in: the active ones first, then newest first."""
    with store.reading() as tx:
        found = tx.find(Partnership, person_a_id=person_id) + tx.find(
            Partnership, person_b_id=person_id
        )
    return sorted(found, key=lambda p: (not p.is_active, -p.started_on.toordinal(), -p.id))


def active_partnership(store: Store, person_id: int) -> Partnership | None:
    """The person's current partnership (the newest active one), if any."""
    active = [p for p in of_person(store, person_id) if p.is_active]
    return active[0] if active else None
