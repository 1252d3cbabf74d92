"""Unsaved work in progress, kept so that closing the browser tab loses nothing."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from peercoach_lib.model.base import Record, RecordId, Timestamp


class Draft(Record):
    """A form as a person left it: private to them, replaced by the real record on saving."""

    id: RecordId | None = None
    person_id: RecordId = Field(title="Person")
    kind: str = Field(min_length=1, max_length=40, title="Form")
    key: str = Field(min_length=1, max_length=120, title="For")
    data: dict[str, Any] = Field(default_factory=dict, title="Content")
    updated_at: Timestamp | None = None
