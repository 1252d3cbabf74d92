"""The Personal Change Plan and its Goal Attainment Scaling (GAS) levels."""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field, ValidationInfo, field_validator

from peercoach_lib.model.base import (
    GasLevel,
    Rating,
    Record,
    RecordId,
    ShortText,
    Text,
    Timestamp,
    WorkbookDate,
)


class PlanStatus(StrEnum):
    ACTIVE = "active"
    ACHIEVED = "achieved"
    DROPPED = "dropped"


class PlanStep(Record):
    text: ShortText = Field(title="Step")
    by_when: WorkbookDate | None = Field(None, title="By when")


class Obstacle(Record):
    obstacle: ShortText = Field(title="What could get in the way")
    response: Text = Field("", title="What I will do then")


class Milestone(Record):
    due_on: WorkbookDate = Field(title="Date")
    description: Text = Field("", title="Milestone")


class GasScale(Record):
    """The five outcome levels, described in the person's own words before work starts."""

    much_less: Text = Field("", title="−2: much less than expected")
    somewhat_less: Text = Field("", title="−1: somewhat less than expected")
    expected: Text = Field("", title="0: expected outcome")
    somewhat_more: Text = Field("", title="+1: somewhat more than expected")
    much_more: Text = Field("", title="+2: much more than expected")

    @property
    def is_complete(self) -> bool:
        return all(getattr(self, name) for name in type(self).model_fields)


class ChangePlan(Record):
    """A change a person wants to make, planned so that progress can be seen."""

    id: RecordId | None = None
    person_id: RecordId = Field(title="Person")
    change: ShortText = Field(title="The change I want to make")
    why_it_matters: Text = Field("", title="Why it matters to me")
    importance: Rating = Field(5, title="Importance")
    confidence: Rating = Field(5, title="Confidence that I can do it")
    lsi_area: str | None = Field(None, max_length=80, title="Life area it serves")
    goal_statement: Text = Field("", title="Goal statement")
    steps: list[PlanStep] = Field(
        default_factory=list, max_length=50, title="Steps", json_schema_extra={"item": "step"}
    )
    supports: Text = Field("", title="Who and what can help")
    obstacles: list[Obstacle] = Field(
        default_factory=list,
        max_length=30,
        title="Obstacles",
        json_schema_extra={"item": "obstacle"},
    )
    evidence: Text = Field("", title="How I will know it is working")
    milestones: list[Milestone] = Field(
        default_factory=list,
        max_length=60,
        title="Milestones",
        json_schema_extra={"item": "milestone"},
    )
    gas: GasScale = Field(default_factory=GasScale, title="Goal attainment levels")
    baseline_level: GasLevel = Field(-1, title="Where I start (GAS level)")
    weight: float = Field(1.0, gt=0, le=100, title="Weight")
    status: PlanStatus = Field(PlanStatus.ACTIVE, title="Status")
    status_reason: Text = Field("", title="Reason")
    created_on: WorkbookDate = Field(title="Created on")
    updated_at: Timestamp | None = None
    is_demo: bool = Field(False, title="Demo data")

    @field_validator("status_reason")
    @classmethod
    def _reason_when_dropped(cls, value: str, info: ValidationInfo) -> str:
        if info.data.get("status") is PlanStatus.DROPPED and not value:
            raise ValueError("say briefly why the plan was dropped")
        return value

    @property
    def milestones_by_date(self) -> list[Milestone]:
        """The milestones from the first due to the last (the form keeps them as typed)."""
        return sorted(self.milestones, key=lambda m: m.due_on)


class GasRating(Record):
    """A goal's attainment level as rated at a session (or at a milestone)."""

    id: RecordId | None = None
    plan_id: RecordId = Field(title="Change plan")
    session_id: RecordId | None = Field(None, title="Session")
    rated_on: WorkbookDate = Field(title="Date")
    level: GasLevel = Field(title="GAS level")
    is_demo: bool = Field(False, title="Demo data")
