"""The Lifestyle Satisfaction Index: a self-assessment across life areas (not a clinical scale)."""

from __future__ import annotations

from pydantic import Field, field_validator

from peercoach_lib.model.base import Rating, Record, RecordId, Text, Timestamp, WorkbookDate

#: The default areas (domain reference); a facilitator may configure others.
DEFAULT_AREAS: tuple[str, ...] = (
    "Work and career",
    "Money",
    "Health and energy",
    "Family",
    "Friends and community",
    "Love and partnership",
    "Personal growth and learning",
    "Fun and recreation",
    "Home and surroundings",
    "Pace of life",
)


class LsiAreaRating(Record):
    area: str = Field(min_length=1, max_length=80, title="Area")
    satisfaction: Rating = Field(title="Satisfaction")
    importance: Rating = Field(5, title="Importance")


class LsiAssessment(Record):
    """One dated assessment; it keeps the areas it was taken with."""

    id: RecordId | None = None
    person_id: RecordId = Field(title="Person")
    taken_on: WorkbookDate = Field(title="Date")
    areas: list[LsiAreaRating] = Field(
        min_length=1, max_length=30, title="Areas", json_schema_extra={"item": "area"}
    )
    note: Text = Field("", title="Note to self")
    created_at: Timestamp | None = None
    is_demo: bool = Field(False, title="Demo data")

    @field_validator("areas")
    @classmethod
    def _distinct_areas(cls, value: list[LsiAreaRating]) -> list[LsiAreaRating]:
        names = [a.area.casefold() for a in value]
        if len(set(names)) != len(names):
            raise ValueError("each area can appear only once")
        return value
