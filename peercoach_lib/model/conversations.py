"""Courageous conversations, partnerships that end, and flags as they come and go."""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field, ValidationInfo, field_validator

from peercoach_lib.model.base import (
    Record,
    RecordId,
    ShortText,
    Text,
    Timestamp,
    WorkbookDate,
)
from peercoach_lib.model.flags import FlagRule


class ConversationOutcome(StrEnum):
    """What the partners decided when they talked."""

    AGREED = "agreed how to go on"
    END = "decided to end"


class Conversation(Record):
    """One person's courageous conversation with their partner.

    The preparation (issue to ``invitation``) is private to the person who wrote it. What came of
    the conversation (``held_on`` to ``review_on``) is shared with the partner once recorded.
    """

    id: RecordId | None = None
    partnership_id: RecordId = Field(title="Partnership")
    person_id: RecordId = Field(title="Person")
    #: What prompted it: a flag's rule, "session log" or "home".
    prompted_by: str = Field("home", max_length=40, title="Prompted by")
    issue: ShortText = Field(title="The issue, in one sentence")
    example: Text = Field("", title="A specific example")
    feeling: Text = Field("", title="How I feel about it")
    stakes: Text = Field("", title="What is at stake")
    my_part: Text = Field("", title="My own part in it")
    wish: Text = Field("", title="What I would like to happen")
    invitation: Text = Field("", title="How I will invite my partner's view")
    # The outcome comes first, so that each rule below can read it: a missing date, a missing
    # agreement and a missing review date are all said at once.
    outcome: ConversationOutcome | None = Field(None, title="What we decided")
    held_on: WorkbookDate | None = Field(None, title="We talked on")
    agreed: Text = Field("", title="What we agreed")
    hold_to_it: Text = Field("", title="How we will hold each other to it")
    review_on: WorkbookDate | None = Field(None, title="Review date")
    created_at: Timestamp | None = None
    updated_at: Timestamp | None = None
    is_demo: bool = Field(False, title="Demo data")

    @field_validator("held_on")
    @classmethod
    def _held_when_decided(cls, value, info: ValidationInfo):
        if value is None and info.data.get("outcome") is not None:
            raise ValueError("say on which date you talked")
        return value

    @field_validator("agreed")
    @classmethod
    def _agreement_said(cls, value: str, info: ValidationInfo) -> str:
        if info.data.get("outcome") is ConversationOutcome.AGREED and not value:
            raise ValueError("say what you agreed")
        return value

    @field_validator("review_on")
    @classmethod
    def _review_after_talk(cls, value, info: ValidationInfo):
        outcome, held = info.data.get("outcome"), info.data.get("held_on")
        if outcome is ConversationOutcome.AGREED and value is None:
            raise ValueError("choose a date to look again at how it is going")
        if value is not None and held is not None and value <= held:
            raise ValueError("must come after the day you talked")
        return value

    @property
    def is_held(self) -> bool:
        return self.outcome is not None


class EndingNote(Record):
    """What one partner says about a partnership that ended: private unless they share it.

    The facilitator sees only the partnership's reason category, never these words.
    """

    id: RecordId | None = None
    partnership_id: RecordId = Field(title="Partnership")
    person_id: RecordId = Field(title="Person")
    reason: Text = Field("", title="Why, in my words")
    learned: Text = Field("", title="What I learned")
    shared: bool = Field(False, title="Shared with my partner")
    created_at: Timestamp | None = None
    is_demo: bool = Field(False, title="Demo data")


class FlagOutcome(StrEnum):
    RECOVERED = "recovered"
    ENDED = "ended"


class FlagEpisode(Record):
    """A stretch of time during which a rule flagged a pair: raised, then recovered or ended."""

    id: RecordId | None = None
    partnership_id: RecordId = Field(title="Partnership")
    rule: FlagRule = Field(title="Flag")
    raised_on: WorkbookDate = Field(title="Raised on")
    closed_on: WorkbookDate | None = Field(None, title="Closed on")
    outcome: FlagOutcome | None = Field(None, title="Outcome")
    is_demo: bool = Field(False, title="Demo data")

    @field_validator("closed_on")
    @classmethod
    def _closes_after_raise(cls, value, info: ValidationInfo):
        raised = info.data.get("raised_on")
        if value is not None and raised is not None and value < raised:
            raise ValueError("cannot be before the day the flag was raised")
        return value

    @field_validator("outcome")
    @classmethod
    def _outcome_when_closed(cls, value, info: ValidationInfo):
        closed = info.data.get("closed_on")
        if (value is None) != (closed is None) and "closed_on" in info.data:
            raise ValueError("a closed flag needs its outcome, and only a closed one")
        return value
