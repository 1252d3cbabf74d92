"""What changed in a record kept in history (agreements, plans, partnerships, cohorts)."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import Field

from peercoach_lib.model.base import Record, RecordId, Timestamp


class HistoryAction(StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    DELETED = "deleted"


class FieldChange(Record):
    """One field's value before and after a change, as JSON values."""

    before: Any = Field(None, title="Before")
    after: Any = Field(None, title="After")


class HistoryEntry(Record):
    """One change to one record: when, by whom, and which fields went from what to what."""

    id: RecordId | None = None
    table_name: str = Field(min_length=1, max_length=40, title="Kind of record")
    record_id: RecordId = Field(title="Record")
    action: HistoryAction = Field(title="Action")
    changed_at: Timestamp = Field(title="When")
    changed_by: RecordId | None = Field(None, title="By")
    changes: dict[str, FieldChange] = Field(default_factory=dict, title="Changes")
