"""What one partner has made visible to the other, within one partnership.

A person decides what their partner sees: a preparation, session note or ending note reaches the
partner only once it is marked shared, and a preparation's private notes never do. A shared
preparation carries its follow-up of last time's commitments (how each went, what got in the
way): the partner heard them made and, as coach, asks after them. Feedback as the
person coached is written for the coach (a coach's own reflection stays private), and what came
of a courageous conversation (never its preparation) is shared with the partner once recorded.

Everything here is read for one partnership: a person paired again with someone new shows the new
partner nothing from an earlier partnership.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from peercoach_lib import prep
from peercoach_lib.model import (
    Commitment,
    CommitmentStatus,
    Conversation,
    ConversationOutcome,
    EndingNote,
    Feedback,
    FeedbackRole,
    Partnership,
    Person,
    Session,
    SessionNote,
    SessionPrep,
    SessionStatus,
)
from peercoach_lib.store import Store


@dataclass(frozen=True)
class SharedFollowUp:
    """One of last time's commitments as a shared preparation tells it: how it went (``OPEN``
    when not followed up yet) and what got in the way."""

    text: str
    by_when: dt.date | None
    status: CommitmentStatus
    obstacle: str


@dataclass(frozen=True)
class SharedPrep:
    """A preparation as the partner sees it: Purpose, Outcomes, Process, the pinned questions
    and the follow-up of last time's commitments (the private notes are not even read into it).
    """

    id: int
    session_id: int
    purpose: str
    outcomes: str
    process: str
    pinned_questions: tuple[str, ...]
    #: The commitments followed up in this session, then those still open, oldest first.
    follow_ups: tuple[SharedFollowUp, ...] = ()


@dataclass(frozen=True)
class SharedOutcome:
    """What came of a courageous conversation, as both partners see it (never its preparation)."""

    id: int
    person_id: int
    held_on: dt.date | None
    outcome: ConversationOutcome
    agreed: str
    hold_to_it: str
    review_on: dt.date | None


@dataclass(frozen=True)
class PartnerView:
    """What ``partner`` has made visible to ``viewer_id`` in ``partnership``."""

    partnership: Partnership
    viewer_id: int
    partner: Person
    #: The partnership's sessions by id (cancelled ones included), for their dates.
    sessions: dict[int, Session]
    preps: tuple[SharedPrep, ...]
    notes: tuple[SessionNote, ...]
    feedback: tuple[Feedback, ...]
    #: Outcomes recorded by either partner, oldest first.
    outcomes: tuple[SharedOutcome, ...]
    ending_notes: tuple[EndingNote, ...]

    @property
    def is_empty(self) -> bool:
        return not (self.preps or self.notes or self.feedback or self.outcomes or self.ending_notes)

    def session_day(self, session_id: int) -> dt.date | None:
        """The day a session was held, or else the day it was booked for."""
        session = self.sessions.get(session_id)
        return None if session is None else session.day

    def prep_for(self, session_id: int) -> SharedPrep | None:
        return next((p for p in self.preps if p.session_id == session_id), None)

    def previous_day(self, session_id: int) -> dt.date | None:
        """The day of the pair's session before ``session_id`` (cancelled and rescheduled
        sessions do not count), or None when it is their first."""
        return previous_session_day(self.sessions.values(), self.sessions[session_id])


def _newest_first(items: Iterable, day) -> tuple:
    return tuple(sorted(items, key=lambda x: (day(x) or dt.date.min, x.id), reverse=True))


def partner_view(store: Store, viewer_id: int, partnership_id: int) -> PartnerView:
    """What the viewer's partner in this partnership has shared with the viewer, in one read.

    Notes, preparations and feedback come only from this partnership's sessions, ending notes and
    conversation outcomes only from this partnership. Raises :class:`PermissionError` when the
    viewer is not a member of the partnership.
    """
    with store.reading() as tx:
        partnership = tx.get(Partnership, partnership_id)
        if viewer_id not in partnership.members:
            raise PermissionError(f"person {viewer_id} is not in partnership {partnership_id}")
        partner_id = partnership.partner_of(viewer_id)
        partner = tx.get(Person, partner_id)
        sessions = {s.id: s for s in tx.find(Session, partnership_id=partnership_id)}
        ids = list(sessions)
        preps = tx.find(SessionPrep, person_id=partner_id, session_id=ids, shared=True)
        commitments = (
            tx.find(Commitment, person_id=partner_id, partnership_id=partnership_id)
            if preps
            else []
        )
        notes = tx.find(SessionNote, person_id=partner_id, session_id=ids, shared=True)
        # What the partner told their coach; their reflection as coach is their own.
        feedback = tx.find(Feedback, author_id=partner_id, session_id=ids, role=FeedbackRole.CLIENT)
        talks = tx.find(Conversation, partnership_id=partnership_id)
        endings = tx.find(EndingNote, partnership_id=partnership_id, person_id=partner_id)

    def day(item) -> dt.date | None:
        session = sessions.get(item.session_id)
        return None if session is None else session.day

    return PartnerView(
        partnership=partnership,
        viewer_id=viewer_id,
        partner=partner,
        sessions=sessions,
        preps=_newest_first(
            (
                SharedPrep(
                    id=p.id,
                    session_id=p.session_id,
                    purpose=p.purpose,
                    outcomes=p.outcomes,
                    process=p.process,
                    pinned_questions=tuple(p.pinned_questions),
                    follow_ups=_follow_ups(commitments, sessions, p.session_id),
                )
                for p in preps
            ),
            day,
        ),
        notes=_newest_first((n for n in notes if n.text), day),
        feedback=_newest_first(feedback, day),
        outcomes=tuple(
            sorted(
                (_outcome(c) for c in talks if c.outcome is not None),
                key=lambda o: (o.held_on or dt.date.min, o.id),
            )
        ),
        ending_notes=tuple(n for n in endings if n.shared),
    )


def shown_with_prep(
    commitments: Iterable[Commitment], sessions: Iterable[Session], session_id: int
) -> list[Commitment]:
    """Of a person's ``commitments`` in one partnership (whose ``sessions`` are given), those a
    preparation for ``session_id`` tells its reader about, as its maker's form lists them: the
    ones followed up in that session, then those still open that it can follow up."""
    commitments = list(commitments)
    shown = [c for c in commitments if c.reviewed_in_session_id == session_id]
    return shown + prep.open_at(commitments, list(sessions), session_id)


def _follow_ups(
    commitments: list[Commitment], sessions: dict[int, Session], session_id: int
) -> tuple[SharedFollowUp, ...]:
    return tuple(
        SharedFollowUp(text=c.text, by_when=c.by_when, status=c.status, obstacle=c.obstacle)
        for c in shown_with_prep(commitments, sessions.values(), session_id)
    )


def _outcome(conversation: Conversation) -> SharedOutcome:
    return SharedOutcome(
        id=conversation.id,
        person_id=conversation.person_id,
        held_on=conversation.held_on,
        outcome=conversation.outcome,
        agreed=conversation.agreed,
        hold_to_it=conversation.hold_to_it,
        review_on=conversation.review_on,
    )


def previous_session_day(sessions: Iterable[Session], current: Session) -> dt.date | None:
    """The day of the last session of the pair before ``current``, or None.

    Cancelled, rescheduled and missed sessions do not count: they did not take place on their
    day (a review that fell to a missed session falls to the next one).
    """
    this_day = current.day
    if this_day is None:
        return None
    days = [
        s.day
        for s in sessions
        if s.id != current.id
        and not s.is_off
        and s.status is not SessionStatus.MISSED
        and s.day is not None
        and s.day < this_day
    ]
    return max(days, default=None)


def is_due(
    review_on: dt.date | None, session_day: dt.date, previous_day: dt.date | None = None
) -> bool:
    """Whether a review date falls to the session on ``session_day``: on or before it, and after
    the pair's previous session (so that each review comes up once)."""
    if review_on is None or review_on > session_day:
        return False
    return previous_day is None or review_on > previous_day


def reviews_due(
    store: Store,
    partnership_id: int,
    session_day: dt.date,
    previous_day: dt.date | None = None,
) -> list[Conversation]:
    """Conversations of the partnership that ended in an agreement whose review falls to the
    session on ``session_day``: review date on or before it, and after ``previous_day`` (the
    pair's previous session, or None for their first). Earliest review first.

    The records are returned whole; show only their outcome (agreed, hold_to_it, review_on),
    since the preparation belongs to the person who wrote it.
    """
    found = store.find(
        Conversation, partnership_id=partnership_id, outcome=ConversationOutcome.AGREED
    )
    due = [c for c in found if is_due(c.review_on, session_day, previous_day)]
    return sorted(due, key=lambda c: (c.review_on, c.id))


def outcomes_due(
    view: PartnerView, session_day: dt.date, previous_day: dt.date | None = None
) -> list[SharedOutcome]:
    """As :func:`reviews_due`, from a :class:`PartnerView` already read (no further query)."""
    due = [
        o
        for o in view.outcomes
        if o.outcome is ConversationOutcome.AGREED
        and is_due(o.review_on, session_day, previous_day)
    ]
    return sorted(due, key=lambda o: (o.review_on, o.id))
