"""How each record maps onto its table: scalar fields to columns, lists to child tables or JSON."""

from __future__ import annotations

import enum
import typing
from collections.abc import Iterable
from collections.abc import Mapping as MappingABC
from dataclasses import dataclass, field
from typing import Any

import pydantic_core
import sqlalchemy as sa

from peercoach_lib import model
from peercoach_lib.model.base import Record, _inner_model
from peercoach_lib.store import schema


@dataclass(frozen=True)
class Child:
    """A list field of a record kept as rows of a child table, in order."""

    field: str
    table: sa.Table
    fk: str
    item: type[Record]


@dataclass(frozen=True)
class TableMap:
    record: type[Record]
    table: sa.Table
    children: tuple[Child, ...] = ()
    #: Whether every change is written to the record history.
    history: bool = False
    json_fields: frozenset[str] = field(init=False)

    def __post_init__(self) -> None:
        child_fields = {c.field for c in self.children}
        json_fields = frozenset(
            name
            for name, info in self.record.model_fields.items()
            if name not in child_fields
            and (_inner_model(info.annotation) is not None or _is_container(info.annotation))
        )
        object.__setattr__(self, "json_fields", json_fields)

    @property
    def name(self) -> str:
        return self.table.name

    def to_row(self, record: Record) -> dict[str, Any]:
        """The main table's row for ``record`` (child lists excluded)."""
        row: dict[str, Any] = {}
        for name in self.record.model_fields:
            if name in self.child_names:
                continue
            value = getattr(record, name)
            if name in self.json_fields:
                value = pydantic_core.to_jsonable_python(value)
            elif isinstance(value, enum.Enum):
                value = value.value
            row[name] = value
        return row

    def child_rows(self, record: Record, record_id: int) -> dict[Child, list[dict[str, Any]]]:
        out = {}
        for child in self.children:
            rows = []
            for position, item in enumerate(getattr(record, child.field)):
                row = {child.fk: record_id, "position": position}
                row.update(item.model_dump(mode="python"))
                rows.append(row)
            out[child] = rows
        return out

    def from_row(self, row: MappingABC[str, Any], children: dict[str, list[dict]] | None = None):
        data = dict(row)
        for child in self.children:
            items = (children or {}).get(child.field, [])
            data[child.field] = [
                {k: v for k, v in item.items() if k not in (child.fk, "position")} for item in items
            ]
        return self.record.model_validate(data)

    @property
    def child_names(self) -> frozenset[str]:
        return frozenset(c.field for c in self.children)


def _is_container(annotation: Any) -> bool:
    return typing.get_origin(annotation) in (list, dict)


#: Every record the store keeps, in an order where each table comes after those it refers to
#: (but for the person → cohort key, which is filled in after cohorts exist).
TABLE_MAPS: tuple[TableMap, ...] = (
    TableMap(model.Person, schema.persons),
    TableMap(model.Cohort, schema.cohorts, history=True),
    TableMap(model.Partnership, schema.partnerships, history=True),
    TableMap(model.Agreement, schema.agreements, history=True),
    TableMap(
        model.Session,
        schema.sessions,
        (Child("halves", schema.session_halves, "session_id", model.SessionHalf),),
    ),
    TableMap(model.SessionNote, schema.session_notes),
    TableMap(model.SessionPrep, schema.session_preps),
    TableMap(model.ChangePlan, schema.change_plans, history=True),
    TableMap(model.Commitment, schema.commitments),
    TableMap(model.Feedback, schema.feedback),
    TableMap(model.SessionCheck, schema.session_checks),
    TableMap(
        model.LsiAssessment,
        schema.lsi_assessments,
        (Child("areas", schema.lsi_ratings, "assessment_id", model.LsiAreaRating),),
    ),
    TableMap(model.GasRating, schema.gas_ratings),
    TableMap(model.HistoryEntry, schema.record_history),
    TableMap(model.Draft, schema.drafts),
    TableMap(model.FlagFollowUp, schema.flag_follow_ups),
    TableMap(model.Conversation, schema.conversations),
    TableMap(model.EndingNote, schema.ending_notes),
    TableMap(model.FlagEpisode, schema.flag_episodes),
)

BY_RECORD: dict[type[Record], TableMap] = {m.record: m for m in TABLE_MAPS}
BY_NAME: dict[str, TableMap] = {m.name: m for m in TABLE_MAPS}


def table_map(kind: type[Record] | str) -> TableMap:
    """The mapping for a record class or a table name."""
    try:
        return BY_NAME[kind] if isinstance(kind, str) else BY_RECORD[kind]
    except KeyError:
        raise KeyError(f"the store keeps no {kind!r}") from None


def all_tables() -> Iterable[sa.Table]:
    """Every table, children after their parents."""
    for m in TABLE_MAPS:
        yield m.table
        for child in m.children:
            yield child.table
