"""People, cohorts and partnerships."""

from __future__ import annotations

import unicodedata
from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator, Field, ValidationInfo, field_validator

from peercoach_lib.model.base import (
    Email,
    Record,
    RecordId,
    SignInName,
    Text,
    Timestamp,
    TimeZoneName,
    WorkbookDate,
)

#: A name in one Unicode form (NFC): "Zoë" pasted with "e" and a combining accent is the
#: same name as "Zoë" typed, in every list, comparison and column; its words one space apart
#: (a roster's "Ann   Lee" or a tab inside shows as "Ann Lee" in a page, and is kept so).
Name = Annotated[
    str,
    Field(min_length=1, max_length=120),
    AfterValidator(lambda name: " ".join(unicodedata.normalize("NFC", name).split())),
]


class Role(StrEnum):
    PARTICIPANT = "participant"
    FACILITATOR = "facilitator"


class Person(Record):
    """Someone who uses the workbook: a participant, or a facilitator who runs a cohort."""

    id: RecordId | None = None
    name: Name = Field(title="Name")
    email: Email = Field("", title="E-mail")
    #: The name this person signs in with on a shared server (see :mod:`peercoach_lib.identity`).
    sign_in: SignInName = Field(None, title="Sign-in name")
    role: Role = Field(Role.PARTICIPANT, title="Role")
    time_zone: TimeZoneName = Field("UTC", title="Time zone")
    cohort_id: RecordId | None = Field(None, title="Cohort")
    is_demo: bool = Field(False, title="Demo data")
    created_at: Timestamp | None = None
    #: When the person asked to be forgotten: their identity and private records are gone.
    forgotten_at: Timestamp | None = None


class CohortSettings(Record):
    """The thresholds a facilitator may change; records that use one keep the value in force."""

    check_total_below: int = Field(36, ge=1, le=40, title="Session-check flag: total below")
    check_item_below: int = Field(6, ge=1, le=10, title="Session-check flag: any item below")
    lapse_factor: float = Field(1.5, ge=1.0, le=10.0, title="Lapsing after this many intervals")
    low_follow_through: float = Field(0.5, ge=0.0, le=1.0, title="Low follow-through below")


class Cohort(Record):
    """A group of partnerships run by one facilitator."""

    id: RecordId | None = None
    name: Name = Field(title="Cohort name")
    facilitator_id: RecordId | None = Field(None, title="Facilitator")
    starts_on: WorkbookDate | None = Field(None, title="Start date")
    description: Text = Field("", title="Description")
    settings: CohortSettings = Field(default_factory=CohortSettings, title="Settings")
    is_demo: bool = Field(False, title="Demo data")


class EndReason(StrEnum):
    """Why a partnership ended; the facilitator sees only this category, never the words."""

    PROGRAMME_COMPLETED = "programme completed"
    SCHEDULES_DID_NOT_FIT = "schedules did not fit"
    NOT_GETTING_VALUE = "not getting value"
    LIFE_CHANGE = "life change"
    OTHER = "other"


class Partnership(Record):
    """Two people who coach each other, each taking both roles."""

    id: RecordId | None = None
    cohort_id: RecordId | None = Field(None, title="Cohort")
    person_a_id: RecordId = Field(title="First partner")
    person_b_id: RecordId = Field(title="Second partner")
    started_on: WorkbookDate = Field(title="Start date")
    ended_on: WorkbookDate | None = Field(None, title="End date")
    end_reason: EndReason | None = Field(None, title="Reason for ending")
    is_demo: bool = Field(False, title="Demo data")

    @field_validator("person_b_id")
    @classmethod
    def _two_people(cls, value: int, info: ValidationInfo) -> int:
        if value == info.data.get("person_a_id"):
            raise ValueError("must be a different person from the first partner")
        return value

    @field_validator("ended_on")
    @classmethod
    def _ends_after_start(cls, value, info: ValidationInfo):
        started = info.data.get("started_on")
        if value is not None and started is not None and value < started:
            raise ValueError("cannot be before the start date")
        return value

    @field_validator("end_reason")
    @classmethod
    def _reason_with_end(cls, value, info: ValidationInfo):
        ended = info.data.get("ended_on")
        if value is not None and ended is None and "ended_on" in info.data:
            raise ValueError("needs an end date as well")
        return value

    @property
    def members(self) -> tuple[int, int]:
        return (self.person_a_id, self.person_b_id)

    def partner_of(self, person_id: int) -> int:
        """The other member of the partnership."""
        if person_id not in self.members:
            raise ValueError(f"person {person_id} is not in partnership {self.id}")
        return self.person_b_id if person_id == self.person_a_id else self.person_a_id

    @property
    def is_active(self) -> bool:
        return self.ended_on is None
