"""The question deck file, and saving a preparation with the follow-up of commitments."""

from __future__ import annotations

import datetime as dt
import json
import random

import pytest

from peercoach_lib import ValidationError, deck, model, prep
from peercoach_lib.errors import ConfigurationError


def test_the_deck_holds_the_guides_questions_in_groups():
    questions = deck.load()
    assert len(questions.groups) >= 6
    assert "What is the opportunity here?" in questions.questions("Exploring")
    assert "How can I support you more effectively?" in questions.questions()
    drawn = {questions.draw(random.Random(seed), "Honesty") for seed in range(50)}
    assert drawn == set(questions.questions("Honesty"))


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("not json", "cannot be read"),
        (
            json.dumps({"format": "peercoach-question-deck", "version": 1, "groups": []}),
            "Groups: needs at least 1 entry",
        ),
        (json.dumps({"format": "other", "groups": [{"name": "A", "questions": ["Q?"]}]}), "Format"),
        (
            json.dumps(
                {"format": "peercoach-question-deck", "groups": [{"name": "A", "questions": [""]}]}
            ),
            "question 1 (group 1): cannot be empty",
        ),
    ],
)
def test_a_broken_deck_is_explained(tmp_path, content, message):
    path = tmp_path / "deck.json"
    path.write_text(content)
    with pytest.raises(ConfigurationError, match=message.replace("(", r"\(").replace(")", r"\)")):
        deck.load(path)
    with pytest.raises(ConfigurationError, match="is missing"):
        deck.load(tmp_path / "absent.json")


@pytest.fixture
def session(store, pair):
    return store.save(
        model.Session(partnership_id=pair["partnership"].id, scheduled_on=dt.date(2026, 3, 9))
    )


def test_upcoming_sessions_are_the_persons_own(store, pair, session):
    store.save(
        model.Session(partnership_id=pair["partnership"].id, scheduled_on=dt.date(2026, 1, 1))
    )
    found = prep.upcoming_sessions(store, pair["alice"].id, today=dt.date(2026, 3, 1))
    assert [u.session.id for u in found] == [session.id]
    assert found[0].label == "Mon 09 Mar 2026 with Bob"
    assert prep.upcoming_sessions(store, pair["fay"].id, today=dt.date(2026, 3, 1)) == []


def test_saving_a_prep_twice_updates_it_and_follows_up_commitments(store, pair, session):
    alice = pair["alice"]
    earlier = store.save(
        model.Commitment(
            partnership_id=pair["partnership"].id, person_id=alice.id, text="Draft the bid"
        )
    )
    saved = prep.save(
        store,
        model.SessionPrep(session_id=session.id, person_id=alice.id, purpose="Decide on the bid"),
        [earlier.replace(status="partly", obstacle="Ill for two days")],
    )
    again = prep.save(
        store,
        model.SessionPrep(
            session_id=session.id, person_id=alice.id, purpose="Decide on the bid, finally"
        ),
    )
    assert again.id == saved.id
    assert prep.load(store, session.id, alice.id).purpose == "Decide on the bid, finally"
    followed = store.get(model.Commitment, earlier.id)
    assert followed.status is model.CommitmentStatus.PARTLY
    assert followed.reviewed_in_session_id == session.id
    assert prep.open_commitments(store, alice.id, pair["partnership"].id) == []


def test_someone_outside_the_partnership_cannot_prepare_for_it(store, pair, session):
    with pytest.raises(ValidationError, match="is not in the partnership"):
        prep.save(
            store, model.SessionPrep(session_id=session.id, person_id=pair["fay"].id, purpose="Spy")
        )
    bobs = store.save(
        model.Commitment(
            partnership_id=pair["partnership"].id, person_id=pair["bob"].id, text="Call the funder"
        )
    )
    with pytest.raises(ValidationError, match="belongs to someone else"):
        prep.save(
            store,
            model.SessionPrep(session_id=session.id, person_id=pair["alice"].id, purpose="Mine"),
            [bobs.replace(status="done")],
        )
    assert store.find(model.SessionPrep) == []
