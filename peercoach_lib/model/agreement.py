"""The first-session agreement: confidentiality, expectations, logistics and the schedule."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from pydantic import Field, ValidationInfo, field_validator

from peercoach_lib.model.base import (
    Record,
    RecordId,
    ShortText,
    Text,
    Timestamp,
    TimeZoneName,
    WorkbookDate,
)


class Medium(StrEnum):
    PHONE = "phone"
    VIDEO = "video"
    IN_PERSON = "in person"


class SessionFormat(StrEnum):
    """How the coaching time is split (domain: one-way sessions or the weekly split)."""

    ONE_WAY_BACK_TO_BACK = "one-way, back to back"
    ONE_WAY_SEPARATE = "one-way, separate"
    WEEKLY_SPLIT = "weekly split"

    @property
    def is_one_way(self) -> bool:
        return self is not SessionFormat.WEEKLY_SPLIT


class Frequency(StrEnum):
    WEEKLY = "weekly"
    FORTNIGHTLY = "every two weeks"
    MONTHLY = "monthly"

    @property
    def interval_days(self) -> int:
        """Days between sessions: "monthly" is every four weeks, on the same weekday."""
        return {"weekly": 7, "every two weeks": 14, "monthly": 28}[self.value]

    @property
    def label(self) -> str:
        """As the agreement's form offers it ("monthly" is every four weeks, not a month)."""
        return {
            "weekly": "every week",
            "every two weeks": "every two weeks",
            "monthly": "every four weeks",
        }[self.value]


class Weekday(StrEnum):
    MONDAY = "Monday"
    TUESDAY = "Tuesday"
    WEDNESDAY = "Wednesday"
    THURSDAY = "Thursday"
    FRIDAY = "Friday"
    SATURDAY = "Saturday"
    SUNDAY = "Sunday"

    @property
    def number(self) -> int:
        """0 for Monday, as :meth:`datetime.date.weekday` counts."""
        return list(Weekday).index(self)


class PartnerSection(Record):
    """What one partner brings to the agreement."""

    person_id: RecordId = Field(title="Partner")
    confidentiality_meaning: Text = Field("", title="What confidentiality means to me")
    affirmed_at: Timestamp | None = Field(None, title="Affirmation of the ground rule")
    hopes: Text = Field("", title="What I hope to get out of peer coaching")
    works_for_me: Text = Field("", title="What tends to work for me when coached")
    does_not_work: Text = Field("", title="What does not work for me")
    support_looks_like: Text = Field("", title="What support looks like for me")


class PartnershipGoal(Record):
    text: ShortText = Field(title="Goal")
    change_plan_id: RecordId | None = Field(None, title="Linked change plan")


class Agreement(Record):
    """The partnership's agreement, made at the first session."""

    id: RecordId | None = None
    partnership_id: RecordId = Field(title="Partnership")
    partners: list[PartnerSection] = Field(
        default_factory=list, max_length=2, title="Partners", json_schema_extra={"item": "partner"}
    )
    medium: Medium = Field(Medium.PHONE, title="Medium")
    format: SessionFormat = Field(SessionFormat.ONE_WAY_BACK_TO_BACK, title="Format")
    minutes_per_person: int = Field(45, ge=5, le=240, title="Minutes of coaching each")
    frequency: Frequency = Field(Frequency.FORTNIGHTLY, title="Frequency")
    day: Weekday | None = Field(None, title="Day")
    time: dt.time | None = Field(None, title="Time")
    time_zone: TimeZoneName = Field("UTC", title="Time zone")
    caller_id: RecordId | None = Field(None, title="Who calls")
    first_session_on: WorkbookDate | None = Field(None, title="First session")
    session_count: int = Field(8, ge=1, le=104, title="Number of sessions")
    last_session_on: WorkbookDate | None = Field(None, title="Until")
    goals: list[PartnershipGoal] = Field(
        default_factory=list, max_length=20, title="Goals", json_schema_extra={"item": "goal"}
    )
    updated_at: Timestamp | None = None
    updated_by: RecordId | None = None
    is_demo: bool = Field(False, title="Demo data")

    @field_validator("partners")
    @classmethod
    def _distinct_partners(cls, value: list[PartnerSection]) -> list[PartnerSection]:
        ids = [p.person_id for p in value]
        if len(set(ids)) != len(ids):
            raise ValueError("each partner can appear only once")
        return value

    @field_validator("caller_id")
    @classmethod
    def _caller_is_partner(cls, value, info: ValidationInfo):
        partners = info.data.get("partners")
        if value is not None and partners and value not in {p.person_id for p in partners}:
            raise ValueError("must be one of the two partners")
        return value

    @field_validator("last_session_on")
    @classmethod
    def _ends_after_start(cls, value, info: ValidationInfo):
        first = info.data.get("first_session_on")
        if value is not None and first is not None and value < first:
            raise ValueError("cannot be before the first session")
        return value

    @property
    def in_force(self) -> bool:
        """In force once both partners have affirmed confidentiality."""
        return len(self.partners) == 2 and all(p.affirmed_at for p in self.partners)
