"""A facilitator's note that a flag on a pair has been followed up."""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field

from peercoach_lib.model.base import Record, RecordId, Timestamp, WorkbookDate


class FlagRule(StrEnum):
    """The rules of the facilitator view (domain reference), each raising its own flag."""

    LAPSING = "lapsing"
    LOW_FOLLOW_THROUGH = "low follow-through"
    ONE_SIDED = "one-sided"
    LOW_SESSION_CHECK = "low session check"


class FlagFollowUp(Record):
    """A flag on a pair that the facilitator has acted on (a courageous conversation, say)."""

    id: RecordId | None = None
    partnership_id: RecordId = Field(title="Partnership")
    rule: FlagRule = Field(title="Flag")
    followed_up_on: WorkbookDate = Field(title="Followed up on")
    by: RecordId | None = Field(None, title="By")
    created_at: Timestamp | None = None
