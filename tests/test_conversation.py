"""Courageous conversations: the wording hints, and the rules on saving one."""

from __future__ import annotations

import datetime as dt

import pytest

from peercoach_lib import conversation, dates, partnerships
from peercoach_lib.errors import ValidationError
from peercoach_lib.model import Conversation, ConversationOutcome

TODAY = dt.date(2026, 3, 2)


@pytest.mark.parametrize(
    ("issue", "expected"),
    [
        ("You are so unreliable", ["Say what happened"]),
        ("She doesn't care about our sessions", ["Say what happened"]),
        ("You never turn up on time", ["Always and never"]),
        ("We missed three sessions. I feel let down.", ["One sentence"]),
        ("You are lazy and always late", ["Say what happened", "Always and never"]),
        ("We have missed three of our last four sessions", []),
        ("You are often late, which makes the sessions short", []),
        ("", []),
    ],
)
def test_the_wording_hints_name_what_they_see(issue, expected):
    assert [hint.split(":")[0] for hint in conversation.wording_hints(issue)] == expected


def test_a_hint_quotes_the_words_that_describe_a_character():
    (hint,) = conversation.wording_hints("Honestly you are careless and RUDE")
    assert "“careless”, “rude” describe your partner's character" in hint
    (hint,) = conversation.wording_hints("You are careless")
    assert "“careless” describes your partner's character" in hint


def test_a_long_issue_and_a_verdict_for_an_example_get_hints():
    assert [h.split(":")[0] for h in conversation.wording_hints("x" * 300)] == ["Shorter"]
    (hint,) = conversation.example_hints("Typical of them.")
    assert hint.startswith("Your view:")
    assert conversation.example_hints("I waited twenty minutes") == []
    assert conversation.example_hints("") == []


def _prepared(pair, **changes) -> Conversation:
    data = {
        "partnership_id": pair["partnership"].id,
        "person_id": pair["alice"].id,
        "issue": "We have missed three sessions since January",
    }
    return Conversation(**{**data, **changes})


def test_a_preparation_is_saved_and_found_by_its_author_only(store, pair):
    saved = conversation.save(store, _prepared(pair), today=TODAY)
    assert saved.id and saved.created_at
    assert conversation.of(store, pair["alice"].id, pair["partnership"].id) == [saved]
    assert conversation.of(store, pair["bob"].id, pair["partnership"].id) == []


def test_an_agreement_needs_its_words_and_a_review_date_after_the_talk():
    with pytest.raises(ValidationError) as caught:
        Conversation(
            partnership_id=1,
            person_id=1,
            issue="We slipped",
            held_on=TODAY,
            outcome=ConversationOutcome.AGREED,
        )
    assert caught.value.messages() == {
        "agreed": "say what you agreed",
        "review_on": "choose a date to look again at how it is going",
    }
    with pytest.raises(ValidationError) as caught:
        Conversation(
            partnership_id=1,
            person_id=1,
            issue="We slipped",
            held_on=TODAY,
            outcome=ConversationOutcome.AGREED,
            agreed="Thursdays",
            review_on=TODAY,
        )
    assert caught.value.messages() == {"review_on": "must come after the day you talked"}
    with pytest.raises(ValidationError) as caught:
        Conversation(partnership_id=1, person_id=1, issue="x", outcome=ConversationOutcome.END)
    assert caught.value.messages() == {"held_on": "say on which date you talked"}
    # Agreed with nothing else said: every missing part at once.
    with pytest.raises(ValidationError) as caught:
        Conversation(partnership_id=1, person_id=1, issue="x", outcome=ConversationOutcome.AGREED)
    assert caught.value.messages() == {
        "held_on": "say on which date you talked",
        "agreed": "say what you agreed",
        "review_on": "choose a date to look again at how it is going",
    }


def test_talking_in_the_future_or_outside_ones_partnership_is_refused(store, pair):
    future = _prepared(pair, held_on=TODAY + dt.timedelta(days=1), outcome="decided to end")
    with pytest.raises(ValidationError) as caught:
        conversation.save(store, future, today=TODAY)
    assert caught.value.messages() == {
        "held_on": "cannot be after today (2 Mar 2026): save it once you talked"
    }
    # Before the partnership began: the day it began is named, to go by.
    began = pair["partnership"].started_on
    early = _prepared(pair, held_on=began - dt.timedelta(days=1), outcome="decided to end")
    with pytest.raises(ValidationError) as caught:
        conversation.save(store, early, today=TODAY)
    assert caught.value.messages() == {
        "held_on": f"cannot be before the partnership started ({dates.long(began)})"
    }
    stranger = _prepared(pair, person_id=pair["fay"].id)
    with pytest.raises(ValidationError, match="is not in this partnership"):
        conversation.save(store, stranger, today=TODAY)
    assert conversation.of(store, pair["alice"].id, pair["partnership"].id) == []


def test_only_the_author_changes_a_conversation_and_none_starts_after_the_end(store, pair):
    saved = conversation.save(store, _prepared(pair), today=TODAY)
    taken = saved.replace(person_id=pair["bob"].id)
    with pytest.raises(ValidationError, match="only their own"):
        conversation.save(store, taken, today=TODAY)
    partnerships.end(
        store, pair["partnership"].id, by=pair["bob"].id, reason="life change", today=TODAY
    )
    with pytest.raises(ValidationError, match="has ended"):
        conversation.save(store, _prepared(pair), today=TODAY)
    # What came of an earlier one can still be recorded.
    ended = saved.replace(held_on=TODAY, outcome=ConversationOutcome.END)
    assert conversation.save(store, ended, today=TODAY).outcome is ConversationOutcome.END


def test_after_the_end_no_talk_and_no_review_can_be_recorded(store, pair):
    """A conversation of an ended partnership can still say what came of it before the end,
    not a talk after it, nor a review that no session after it would bring up."""
    saved = conversation.save(store, _prepared(pair), today=TODAY)
    last_day = TODAY - dt.timedelta(days=10)
    partnerships.end(
        store, pair["partnership"].id, by=pair["bob"].id, reason="other", on=last_day,
        today=TODAY,
    )  # fmt: skip
    later = saved.replace(
        held_on=TODAY,
        outcome=ConversationOutcome.AGREED,
        agreed="Keep going weekly",
        review_on=TODAY + dt.timedelta(days=7),
    )
    with pytest.raises(ValidationError) as caught:
        conversation.save(store, later, today=TODAY)
    assert caught.value.messages() == {
        "held_on": "the partnership ended on 20 February 2026: you talked on that day or before"
    }
    review = later.replace(held_on=last_day - dt.timedelta(days=3))
    with pytest.raises(ValidationError) as caught:
        conversation.save(store, review, today=TODAY)
    assert caught.value.messages() == {
        "review_on": "the partnership ended on 20 February 2026: no session comes after it for "
        "the review to come up in"
    }
    kept = conversation.save(store, review.replace(review_on=last_day), today=TODAY)
    assert (kept.outcome, kept.review_on) == (ConversationOutcome.AGREED, last_day)


@pytest.mark.parametrize(
    ("issue", "said"),
    [
        ("you don\u2019t care about our sessions", "Say what happened"),  # a curly apostrophe
        ("We have not met since Oct. 1 and I feel bad about it", None),  # no second sentence
        ("We have not met since 1 October. I feel bad about it", "One sentence"),
    ],
)
def test_the_hints_read_phone_apostrophes_and_abbreviations(issue, said):
    hints = conversation.wording_hints(issue)
    if said is None:
        assert not any(h.startswith("One sentence") for h in hints)
    else:
        assert any(h.startswith(said) for h in hints)


def test_a_conversation_not_held_yet_goes_by_the_day_it_was_prepared_where_its_reader_is():
    """Prepared at 23:30 UTC on 24 November: the 25th in Auckland, still the 24th in London."""
    prepared = Conversation(
        id=1,
        person_id=1,
        partnership_id=1,
        issue="We keep moving our sessions",
        created_at=dt.datetime(2026, 11, 24, 23, 30, tzinfo=dt.UTC),
    )
    assert conversation.label(prepared, "Pacific/Auckland") == (
        "25 Nov 2026: We keep moving our sessions (prepared)"
    )
    assert conversation.label(prepared, "Europe/London").startswith("24 Nov 2026: ")
    held = prepared.replace(held_on=dt.date(2026, 11, 20), outcome=ConversationOutcome.END)
    assert conversation.label(held, "Pacific/Auckland").startswith("20 Nov 2026: ")
