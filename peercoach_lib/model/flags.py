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


#: Rules raised from one partner's own answers (a session check is the person's and the
#: facilitator's, in counts): a flag of theirs on the pair would tell the other partner what
#: they answered, so a person's own view and export of the pair leave it out.
FROM_ONE_PARTNER = frozenset({FlagRule.LOW_SESSION_CHECK})


class FlagFollowUp(Record):
    """A flag on a pair that the facilitator has acted on (a courageous conversation, say)."""

    id: RecordId | None = None
    partnership_id: RecordId = Field(title="Partnership")
    rule: FlagRule = Field(title="Flag")
    followed_up_on: WorkbookDate = Field(title="Followed up on")
    by: RecordId | None = Field(None, title="By")
    created_at: Timestamp | None = None
