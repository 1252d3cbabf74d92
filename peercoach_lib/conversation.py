"""Courageous conversations: preparing one, light coaching on the wording, and what came of it.

The guides' hard case: the coaching is not working despite honest effort. A person prepares
privately (the issue in one sentence, an example, feelings, stakes, their own part, what they
would like, an invitation for the partner's view); afterwards the partners share what they agreed
and when they will look at it again, or decide to end (see :mod:`peercoach_lib.partnerships`).

>>> [hint.split(":")[0] for hint in wording_hints("You are so unreliable and you never call")]
['Say what happened', 'Always and never']
"""

from __future__ import annotations

import datetime as dt
import re

from peercoach_lib import dates, drafts, merging, wording
from peercoach_lib.errors import ConflictError, FieldError, ValidationError
from peercoach_lib.model import Conversation, Partnership, Session, SessionStatus
from peercoach_lib.store import Store

#: Drafts of a conversation's form (see :mod:`peercoach_lib.drafts`), one per conversation.
DRAFT_KIND = "conversation"


def draft_key(partnership_id: int, conversation_id: int | None) -> str:
    """The draft of a conversation being written: an existing one, or a new one (``None``)
    with this partner."""
    return f"partnership:{partnership_id}:conversation:{conversation_id or 'new'}"


#: Words that describe what a person *is* rather than what they *did*.
CHARACTER_WORDS = (
    "lazy",
    "selfish",
    "unreliable",
    "careless",
    "rude",
    "disorganised",
    "disorganized",
    "useless",
    "arrogant",
    "flaky",
    "inconsiderate",
    "disrespectful",
    "irresponsible",
    "hopeless",
    "self-centred",
    "self-centered",
    "uncommitted",
    "not committed",
    "don't care",
    "doesn't care",
    "do not care",
    "does not care",
)
_CHARACTER = re.compile(
    r"\b(" + "|".join(re.escape(w) for w in CHARACTER_WORDS) + r")\b", re.IGNORECASE
)
_ABSOLUTES = re.compile(r"\b(always|never|every single time|constantly)\b", re.IGNORECASE)


def wording_hints(issue: str) -> list[str]:
    """Light coaching on how the issue is put: each hint names the pattern and what to try.

    Nothing here refuses anything: the person decides how to say it.
    """
    # Typed on a phone or a Mac, an apostrophe is curly (U+2019): read it as a straight one.
    issue = issue.strip().replace("\u2019", "'")
    hints: list[str] = []
    if not issue:
        return hints
    found: list[str] = []
    for match in _CHARACTER.finditer(issue):
        if match.group(1).lower() not in found:
            found.append(match.group(1).lower())
    if found:
        quoted = ", ".join(f"“{w}”" for w in found)
        hints.append(
            f"Say what happened: {quoted} {'describes' if len(found) == 1 else 'describe'} your "
            "partner's character. Name the behaviour "
            "instead (for example “we have missed three sessions since March”), which they can "
            "change and can agree or disagree with."
        )
    if _ABSOLUTES.search(issue):
        hints.append(
            "Always and never: these invite an argument about the exceptions. Say how often, or "
            "since when."
        )
    if wording.several_sentences(issue):
        hints.append(
            "One sentence: the issue is easier to hear when it fits in one. Put the rest under "
            "the example."
        )
    if len(issue) > 240:
        hints.append("Shorter: try to say the issue in under 40 words.")
    return hints


def example_hints(example: str) -> list[str]:
    """Light coaching on how the example is told, as :func:`wording_hints` for the issue."""
    example = example.replace("\u2019", "'")
    if example.strip() and not re.search(r"\b(I|me|my|we|us|our)\b", example):
        return [
            "Your view: tell the example as you saw it (“I waited…”, “I felt…”), not as a verdict."
        ]
    return []


def check(conversation: Conversation, partnership: Partnership, *, today: dt.date) -> None:
    """Raise :class:`ValidationError` for what the record's own rules cannot see."""
    errors = []
    if conversation.person_id not in partnership.members:
        errors.append(FieldError("person_id", "Person", "is not in this partnership"))
    errors.extend(date_errors(conversation.held_on, partnership, today=today))
    if errors:
        raise ValidationError("Courageous conversation", errors)


def date_errors(
    held_on: dt.date | None, partnership: Partnership, *, today: dt.date
) -> list[FieldError]:
    """What is wrong with the day the partners talked (none when it is not given yet)."""
    if held_on is not None and held_on > today:
        return [
            FieldError(
                "held_on", "We talked on", f"{dates.after_today(today)}: save it once you talked"
            )
        ]
    if held_on is not None and held_on < partnership.started_on:
        return [
            FieldError(
                "held_on",
                "We talked on",
                f"cannot be before the partnership started ({dates.long(partnership.started_on)})",
            )
        ]
    ended = partnership.ended_on
    if held_on is not None and ended is not None and held_on > ended:
        return [
            FieldError(
                "held_on",
                "We talked on",
                f"the partnership ended on {dates.long(ended)}: you talked on that day or before",
            )
        ]
    return []


def review_errors(
    store: Store,
    partnership: Partnership,
    review_on: dt.date | None,
    held_on: dt.date | None = None,
) -> list[FieldError]:
    """What is wrong with a review date (none when it is not given): for a form to say as the
    date is chosen what saving it would refuse."""
    if review_on is None:
        return []
    if held_on is not None and review_on <= held_on:
        return [FieldError("review_on", "Review on", "must come after the day you talked")]
    with store.reading() as tx:
        return _review_errors(tx, partnership, review_on)


def _review_errors(tx, partnership: Partnership, review: dt.date) -> list[FieldError]:
    ended = partnership.ended_on
    if ended is not None and review > ended:
        # Reviews come up in preparations for sessions, and none come after the end.
        return [
            FieldError(
                "review_on",
                "Review on",
                f"the partnership ended on {dates.long(ended)}: no session comes after it for "
                "the review to come up in",
            )
        ]
    logged = [
        s.day
        for s in tx.find(Session, partnership_id=partnership.id)
        if s.status in (SessionStatus.HELD, SessionStatus.MISSED) and s.day is not None
    ]
    last = max(logged, default=None)
    if last is not None and review <= last:
        # A review comes up in the preparation for the first session on or after its date; one
        # on or before a session already logged would never come up.
        return [
            FieldError(
                "review_on",
                "Review on",
                f"must be after your last logged session ({dates.long(last)}): the review comes "
                "up when you prepare the first session on or after it",
            )
        ]
    return []


def save(
    store: Store,
    conversation: Conversation,
    *,
    today: dt.date | None = None,
    loaded: Conversation | None = None,
) -> Conversation:
    """Store the conversation (new or changed) after checking it against its partnership.

    ``loaded`` is the conversation as the form opened on it: when another window saved it since,
    what only one side changed is kept from that side, and a field both changed differently
    raises :class:`ConflictError` naming it (``merged``: the stored one, and this side's merged
    with it); nothing is saved then.

    Raises :class:`ValidationError` when it is not the person's own partnership, when they talked
    in the future, or when the partnership had ended before a new conversation is prepared.
    """
    today = today or dt.date.today()
    with store.transaction() as tx:
        partnership = tx.get(Partnership, conversation.partnership_id)
        check(conversation, partnership, today=today)
        if conversation.id is None and not partnership.is_active:
            raise ValidationError(
                "Courageous conversation",
                [FieldError("partnership_id", "Partnership", "has ended")],
            )
        stored = tx.get(Conversation, conversation.id) if conversation.id is not None else None
        if stored is not None and stored.person_id != conversation.person_id:
            raise ValidationError(
                "Courageous conversation",
                [FieldError("person_id", "Person", "can change only their own conversations")],
            )
        if stored is not None and loaded is not None and stored != loaded:
            conversation, clashes = merging.merge_fields(loaded, stored, conversation)
            if clashes:
                raise ConflictError(
                    "Courageous conversation", fields=clashes, merged=(stored, conversation)
                )
        review = conversation.review_on
        new_review = review is not None and (stored is None or stored.review_on != review)
        if new_review and (errors := _review_errors(tx, partnership, review)):
            raise ValidationError("Courageous conversation", errors)
        saved = tx.save(conversation)
        drafts.drop(
            tx,
            conversation.person_id,
            DRAFT_KIND,
            draft_key(conversation.partnership_id, conversation.id),
        )
        return saved


def of(store: Store, person_id: int, partnership_id: int) -> list[Conversation]:
    """The person's own conversations in one partnership, newest first."""
    found = store.find(Conversation, person_id=person_id, partnership_id=partnership_id)
    return sorted(
        found, key=lambda c: c.created_at or dt.datetime.min.replace(tzinfo=dt.UTC), reverse=True
    )


def label(conversation: Conversation, zone: str | None = None) -> str:
    """How the conversation is named in a chooser: its date and the start of its issue. A
    conversation not held yet goes by the day it was prepared, in the time zone named ``zone``
    (the reader's; None: the computer's clock)."""
    when = conversation.held_on or (
        conversation.created_at and dates.in_zone(conversation.created_at, zone).date()
    )
    issue = conversation.issue if len(conversation.issue) <= 50 else conversation.issue[:49] + "…"
    state = conversation.outcome.value if conversation.outcome else "prepared"
    return f"{dates.short(when)}: {issue} ({state})" if when else f"{issue} ({state})"
