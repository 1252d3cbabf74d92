"""Sessions, what each person prepares and commits to, and how each session went."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import ClassVar

from pydantic import Field, ValidationInfo, field_validator

from peercoach_lib.model.base import (
    Rating,
    Record,
    RecordId,
    ShortText,
    Text,
    Timestamp,
    TimeZoneName,
    WorkbookDate,
)


class SessionStatus(StrEnum):
    SCHEDULED = "scheduled"
    HELD = "held"
    MISSED = "missed"
    RESCHEDULED = "rescheduled"
    CANCELLED = "cancelled"


class SessionHalf(Record):
    """One partner coaching the other for a number of minutes."""

    coach_id: RecordId = Field(title="Coach")
    client_id: RecordId = Field(title="Person coached")
    minutes: int = Field(ge=1, le=240, title="Minutes")

    @field_validator("client_id")
    @classmethod
    def _not_self(cls, value: int, info: ValidationInfo) -> int:
        if value == info.data.get("coach_id"):
            raise ValueError("must be someone other than the coach")
        return value


class Session(Record):
    """A coaching session of a partnership: planned from the schedule or not, held or not."""

    id: RecordId | None = None
    partnership_id: RecordId = Field(title="Partnership")
    planned: bool = Field(True, title="Planned in the schedule")
    scheduled_on: WorkbookDate | None = Field(None, title="Booked date")
    scheduled_time: dt.time | None = Field(None, title="Booked time")
    status: SessionStatus = Field(SessionStatus.SCHEDULED, title="Status")
    held_on: WorkbookDate | None = Field(None, title="Date held")
    halves: list[SessionHalf] = Field(
        default_factory=list, max_length=2, title="Halves", json_schema_extra={"item": "half"}
    )
    #: Raised each time the session's calendar entry changes, so calendars take the update
    #: (see :meth:`revised`; a session logged as rescheduled shows one more, see
    #: :attr:`calendar_revision`).
    calendar_sequence: int = Field(0, ge=0, le=10_000, title="Calendar revision")
    #: The session this one was booked in place of, when that one was logged as rescheduled
    #: with a new date: logging it again moves this booking rather than making another.
    replaces_id: RecordId | None = Field(None, title="Booked in place of")
    #: The time zone its booked time is on the clocks of, when not the agreement's: a session
    #: held or missed, or booked for a day gone by, keeps the zone it was booked in when the
    #: agreement's changes after it.
    time_zone: TimeZoneName | None = Field(None, title="Time zone")
    created_at: Timestamp | None = None
    is_demo: bool = Field(False, title="Demo data")

    @property
    def day(self) -> dt.date | None:
        """The day the session was held on, else the day it is (or was) booked for."""
        return self.held_on or self.scheduled_on

    @property
    def is_off(self) -> bool:
        """Whether the session no longer takes place on its booked day (cancelled, or moved)."""
        return self.status in (SessionStatus.CANCELLED, SessionStatus.RESCHEDULED)

    @property
    def calendar_revision(self) -> int:
        """The SEQUENCE of the session's calendar entry. A session logged as rescheduled is
        off on its day: an update of its entry, one higher than it was when booked."""
        return self.calendar_sequence + (self.status is SessionStatus.RESCHEDULED)

    def revised(self, before: Session | None) -> Session:
        """This session as a change of ``before`` (the session as stored): when its calendar
        entry changes (its day, its time, or whether it takes place) the entry's revision rises
        past ``before``'s, and it never falls, so calendar programs take every change."""
        if before is None:
            return self
        shown = (self.scheduled_on, self.scheduled_time, self.is_off)
        changed = shown != (before.scheduled_on, before.scheduled_time, before.is_off)
        lowest = before.calendar_revision + changed
        if self.calendar_revision >= lowest:
            return self
        return self.replace(
            calendar_sequence=lowest - (self.calendar_revision - self.calendar_sequence)
        )

    @field_validator("scheduled_on")
    @classmethod
    def _planned_has_date(cls, value, info: ValidationInfo):
        if info.data.get("planned") and value is None:
            raise ValueError("a planned session needs its booked date")
        return value

    @field_validator("held_on")
    @classmethod
    def _held_has_date(cls, value, info: ValidationInfo):
        status = info.data.get("status")
        if status is SessionStatus.HELD and value is None:
            raise ValueError("say on which date the session was held")
        if status is not None and status is not SessionStatus.HELD and value is not None:
            raise ValueError("only a held session has a date held")
        return value

    @field_validator("halves")
    @classmethod
    def _halves_fit(cls, value: list[SessionHalf], info: ValidationInfo) -> list[SessionHalf]:
        if len({h.coach_id for h in value}) != len(value):
            raise ValueError("each partner coaches at most one half")
        if len(value) == 2 and {value[0].coach_id, value[0].client_id} != {
            value[1].coach_id,
            value[1].client_id,
        }:
            raise ValueError("both halves must be between the same two partners")
        return value


class SessionNote(Record):
    """A person's own notes on a session; private unless they choose to share."""

    id: RecordId | None = None
    session_id: RecordId = Field(title="Session")
    person_id: RecordId = Field(title="Person")
    text: Text = Field(title="Notes")
    shared: bool = Field(False, title="Shared with my partner")
    is_demo: bool = Field(False, title="Demo data")


class SessionPrep(Record):
    """The client's preparation for a session: Purpose, Outcomes, Process."""

    id: RecordId | None = None
    session_id: RecordId = Field(title="Session")
    person_id: RecordId = Field(title="Person")
    purpose: ShortText = Field(title="Purpose")
    outcomes: Text = Field("", title="Outcomes")
    process: Text = Field("", title="Process")
    pinned_questions: list[ShortText] = Field(
        default_factory=list,
        max_length=10,
        title="Questions for my coach",
        json_schema_extra={"item": "question"},
    )
    shared: bool = Field(False, title="Shared with my partner")
    private_notes: Text = Field("", title="Private notes")
    #: The session it was written for, when that one did not take place (cancelled, or put
    #: off with no new day) and it was carried on to this one; it goes back if that session is
    #: booked again. Saving it here makes it this session's own (None).
    carried_from_session_id: RecordId | None = Field(None, title="Carried on from")
    updated_at: Timestamp | None = None
    is_demo: bool = Field(False, title="Demo data")


class CommitmentStatus(StrEnum):
    OPEN = "open"
    DONE = "done"
    PARTLY = "partly"
    NOT_DONE = "not done"
    DROPPED = "dropped"

    @property
    def words(self) -> str:
        """The status as a sentence tells it: "partly done", "not followed up yet"."""
        return {"open": "not followed up yet", "partly": "partly done"}.get(self.value, self.value)


class Commitment(Record):
    """Something a person commits to doing before the next session."""

    id: RecordId | None = None
    partnership_id: RecordId = Field(title="Partnership")
    person_id: RecordId = Field(title="Person")
    made_in_session_id: RecordId | None = Field(None, title="Made in session")
    text: ShortText = Field(title="Commitment")
    by_when: WorkbookDate | None = Field(None, title="By when")
    goal_id: RecordId | None = Field(None, title="Linked goal")
    status: CommitmentStatus = Field(CommitmentStatus.OPEN, title="Status")
    obstacle: Text = Field("", title="What got in the way")
    reviewed_in_session_id: RecordId | None = Field(None, title="Reviewed in session")
    is_demo: bool = Field(False, title="Demo data")


class FeedbackRole(StrEnum):
    CLIENT = "client"
    COACH = "coach"


class Feedback(Record):
    """End-of-session feedback: the client's to the coach, or the coach's own reflection."""

    id: RecordId | None = None
    session_id: RecordId = Field(title="Session")
    author_id: RecordId = Field(title="Author")
    role: FeedbackRole = Field(title="Given as")
    most_helpful: Text = Field("", title="What was most helpful")
    less_helpful: Text = Field("", title="What was less helpful")
    what_worked: Text = Field("", title="What worked")
    try_next_time: Text = Field("", title="What to try next time")
    is_demo: bool = Field(False, title="Demo data")

    @field_validator("what_worked", "try_next_time")
    @classmethod
    def _coach_fields(cls, value: str, info: ValidationInfo) -> str:
        if value and info.data.get("role") is FeedbackRole.CLIENT:
            raise ValueError("is for the coach's reflection; as client use the first two fields")
        return value

    @field_validator("less_helpful", "most_helpful")
    @classmethod
    def _client_fields(cls, value: str, info: ValidationInfo) -> str:
        if value and info.data.get("role") is FeedbackRole.COACH:
            raise ValueError("is for the client's feedback; as coach use the last two fields")
        return value

    @field_validator("try_next_time")
    @classmethod
    def _says_something(cls, value: str, info: ValidationInfo) -> str:
        data = info.data
        if "role" in data and not (
            value or any(data.get(k) for k in ("most_helpful", "less_helpful", "what_worked"))
        ):
            raise ValueError("write at least one piece of feedback")
        return value


class SessionCheck(Record):
    """The four-item session check (0–10 each), with the flag thresholds in force."""

    id: RecordId | None = None
    session_id: RecordId = Field(title="Session")
    person_id: RecordId = Field(title="Person")
    heard: Rating = Field(title="I felt heard and understood")
    focus: Rating = Field(title="We worked on what I wanted")
    approach: Rating = Field(title="The approach suited me")
    overall: Rating = Field(title="Overall")
    total_below: int = Field(36, ge=1, le=40, title="Flag when the total is below")
    item_below: int = Field(6, ge=1, le=10, title="Flag when any item is below")
    is_demo: bool = Field(False, title="Demo data")

    ITEMS: ClassVar[tuple[str, ...]] = ("heard", "focus", "approach", "overall")

    @property
    def total(self) -> int:
        return self.heard + self.focus + self.approach + self.overall

    @property
    def flag_reasons(self) -> list[str]:
        """Why this check raises a flag; empty when it does not."""
        reasons = []
        if self.total < self.total_below:
            reasons.append(f"total {self.total} is below {self.total_below}")
        low = [
            type(self).model_fields[k].title
            for k in self.ITEMS
            if getattr(self, k) < self.item_below
        ]
        if low:
            reasons.append(f"below {self.item_below}: " + "; ".join(low))
        return reasons

    @property
    def flagged(self) -> bool:
        return bool(self.flag_reasons)
