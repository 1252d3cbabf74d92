"""The coaching question deck: questions from the guides, grouped, kept in ``data/``."""

from __future__ import annotations

import random
from pathlib import Path

from pydantic import Field, field_validator

from peercoach_lib import datafiles
from peercoach_lib.config import data_dir
from peercoach_lib.model.base import Record, ShortText

FILENAME = "question_deck.json"
FORMAT = "peercoach-question-deck"


class QuestionGroup(Record):
    name: ShortText = Field(title="Group")
    questions: list[ShortText] = Field(
        min_length=1, title="Questions", json_schema_extra={"item": "question"}
    )


class QuestionDeck(Record):
    """A deck of coaching questions in named groups."""

    format: str = Field(FORMAT, pattern=f"^{FORMAT}$", title="Format")
    version: int = Field(1, ge=1, le=1, title="Version")
    about: str = Field("", title="About")
    groups: list[QuestionGroup] = Field(
        min_length=1, title="Groups", json_schema_extra={"item": "group"}
    )

    @field_validator("groups")
    @classmethod
    def _distinct(cls, value: list[QuestionGroup]) -> list[QuestionGroup]:
        names = [g.name.casefold() for g in value]
        if len(set(names)) != len(names):
            raise ValueError("each group name can appear only once")
        return value

    @property
    def group_names(self) -> list[str]:
        return [g.name for g in self.groups]

    def questions(self, group: str | None = None) -> list[str]:
        """Every question, or those of one group."""
        return [q for g in self.groups if group in (None, g.name) for q in g.questions]

    def draw(
        self, rng: random.Random, group: str | None = None, *, not_this: str | None = None
    ) -> str:
        """One question at random (from one group, if named), another than ``not_this`` (the
        one drawn last) where the group has another."""
        questions = self.questions(group)
        others = [q for q in questions if q != not_this]
        return rng.choice(others or questions)


def load(path: Path | None = None) -> QuestionDeck:
    """Read the deck; a missing or malformed file is explained, never half-read."""
    path = path or data_dir() / FILENAME
    return datafiles.load(path, QuestionDeck, "the question deck")
