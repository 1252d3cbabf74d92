"""The base of every domain record, and the field types the records share.

Records are pydantic models: typed, immutable, and validated when built. Whatever goes wrong in
validation, the caller gets one :class:`peercoach_lib.errors.ValidationError` that names every
failing field in words a person understands; pydantic's own error type never escapes.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import types
import typing
import zoneinfo
from typing import Annotated, Any, Self

import annotated_types
import pydantic
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints
from pydantic.fields import FieldInfo

from peercoach_lib.errors import FieldError, ValidationError

# -- Shared field types ----------------------------------------------------------------------------

#: Free text a person writes; may be empty.
Text = Annotated[str, StringConstraints(strip_whitespace=True, max_length=4000)]
#: A short required text, such as a name or a commitment.
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
#: A rating on the 0–10 scales used throughout the workbook.
Rating = Annotated[int, Field(ge=0, le=10)]
#: A Goal Attainment Scaling level, −2 (much less than expected) to +2 (much more).
GasLevel = Annotated[int, Field(ge=-2, le=2)]
#: The id of a stored record.
RecordId = Annotated[int, Field(ge=1)]

#: What a date left empty says. (A date the calendar does not have, typed in a date box, is
#: said beside the box by the page and never reaches the app; one in a file is "must be a real
#: date, such as 2026-03-01".) No example: the box shows dates as the browser's language does.
DATE_NEEDED = "needs a date"

EARLIEST_DATE = dt.date(2000, 1, 1)
LATEST_DATE = dt.date(2100, 12, 31)


def _plausible_date(value: dt.date) -> dt.date:
    if not EARLIEST_DATE <= value <= LATEST_DATE:
        raise ValueError(f"must be between {EARLIEST_DATE:%Y} and {LATEST_DATE:%Y}")
    return value


def _utc(value: dt.datetime) -> dt.datetime:
    # Naive datetimes are taken as UTC, so every stored instant compares with every other.
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    value = value.astimezone(dt.UTC)
    _plausible_date(value.date())
    return value


#: In the zone database but no place's clock: "localtime" is whatever the server's is, and
#: "Factory" a placeholder.
_NOT_A_CLOCK = frozenset({"localtime", "Factory", "posixrules"})


@functools.cache
def _known_time_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones()) - _NOT_A_CLOCK


def time_zone_names() -> list[str]:
    """Every time zone a person may choose, in order."""
    return sorted(_known_time_zones())


@functools.cache
def _time_zones_by_lower_case() -> dict[str, str]:
    return {name.lower(): name for name in _known_time_zones()}


def time_zone_name(value: str) -> str | None:
    """The time zone ``value`` names, as the list of zones spells it ("europe/london " is
    Europe/London); None when it names none."""
    # Checked against the list rather than by loading, which would touch the file system.
    if value in _known_time_zones():
        return value
    return _time_zones_by_lower_case().get(value.strip().lower())


def computer_time_zone() -> str:
    """The time zone of the computer the workbook runs on, as the list of zones names it
    ("Europe/Madrid"); UTC when the computer does not say (or names no place's clock)."""
    import tzlocal

    try:
        found = tzlocal.get_localzone_name()
    except Exception:  # a computer set up oddly: UTC, as a person's zone was before
        return "UTC"
    return (found and time_zone_name(found)) or "UTC"


def _time_zone(value: str) -> str:
    name = time_zone_name(value)
    if name is None:
        raise ValueError("must be a time zone name such as Europe/London or America/New_York")
    return name


_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _email(value: str) -> str:
    if value and not _EMAIL.match(value):
        raise ValueError("must look like name@example.org")
    return value


def _sign_in(value: str | None) -> str | None:
    if not value:
        return None
    if any(c.isspace() for c in value) or "/" in value:
        raise ValueError("must be one word, with no spaces or slashes")
    return value.lower()


#: A calendar date in a plausible range (2000–2100): typos such as 0202 or 2205 are caught.
WorkbookDate = Annotated[dt.date, AfterValidator(_plausible_date)]
#: An instant, stored in UTC.
Timestamp = Annotated[dt.datetime, AfterValidator(_utc)]
#: An IANA time zone name.
TimeZoneName = Annotated[str, StringConstraints(strip_whitespace=True), AfterValidator(_time_zone)]
#: An e-mail address, or empty.
Email = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=254), AfterValidator(_email)
]


#: The name a person signs in with on a shared server (JupyterHub's user name), or none.
#: Kept in lower case, as JupyterHub keeps user names.
SignInName = Annotated[
    str | None,
    StringConstraints(strip_whitespace=True, max_length=254),
    AfterValidator(_sign_in),
]


# -- The record base ------------------------------------------------------------------------------


class Record(BaseModel):
    """Base of every domain record: immutable, strict about unknown fields, validated on build.

    Change a record with :meth:`replace`, which validates the result; never mutate one.
    """

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        str_strip_whitespace=True,
        validate_default=True,
        use_enum_values=False,
    )

    def __init__(self, /, **data: Any) -> None:
        try:
            super().__init__(**data)
        except pydantic.ValidationError as exc:
            raise translate(exc, type(self)) from None

    @classmethod
    def model_validate(cls, obj: Any, **kwargs: Any) -> Self:  # type: ignore[override]
        try:
            return super().model_validate(obj, **kwargs)
        except pydantic.ValidationError as exc:
            raise translate(exc, cls) from None

    @classmethod
    def model_validate_json(cls, json_data: str | bytes, **kwargs: Any) -> Self:  # type: ignore[override]
        try:
            return super().model_validate_json(json_data, **kwargs)
        except pydantic.ValidationError as exc:
            raise translate(exc, cls) from None

    def replace(self, **changes: Any) -> Self:
        """A validated copy of this record with ``changes`` applied."""
        return type(self).model_validate({**self.model_dump(), **changes})

    @classmethod
    def value_problem(cls, name: str, value: Any) -> str | None:
        """What is wrong with ``value`` for the field ``name`` on its own (too long, not a
        date...), in the words a refused record would use, or None. Rules that weigh one field
        against another are the record's, checked whole."""
        try:
            _field_adapter(cls, name).validate_python(value)
        except pydantic.ValidationError as exc:
            return _message(exc.errors(include_url=False)[0], cls.model_fields[name])
        return None

    @classmethod
    def label(cls) -> str:
        """The record's name for people ("Session check")."""
        return cls.model_config.get("title") or _humanize(cls.__name__)


@functools.cache
def _field_adapter(record: type[BaseModel], name: str) -> pydantic.TypeAdapter:
    info = record.model_fields[name]
    return pydantic.TypeAdapter(Annotated[(info.annotation, *info.metadata)])


# -- From pydantic's errors to a person's words ---------------------------------------------------


def _humanize(name: str) -> str:
    words = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", name).replace("_", " ").strip()
    return words[:1].upper() + words[1:].lower()


def _inner_model(annotation: Any) -> type[BaseModel] | None:
    """The record class inside ``annotation`` (``list[X]``, ``X | None``, ...), if any."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    origin = typing.get_origin(annotation)
    if origin is Annotated:
        return _inner_model(typing.get_args(annotation)[0])
    if origin in (list, tuple, typing.Union, types.UnionType):
        for arg in typing.get_args(annotation):
            found = _inner_model(arg)
            if found is not None:
                return found
    return None


def _locate(
    model: type[BaseModel], loc: tuple[Any, ...]
) -> tuple[str, list[str], FieldInfo | None]:
    """Turn pydantic's ``loc`` into a field path, labels from outermost in, and the field's info."""
    path = ""
    labels: list[str] = []
    field: FieldInfo | None = None
    current: type[BaseModel] | None = model
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
            extra = field.json_schema_extra if field is not None else None
            noun = extra.get("item", "item") if isinstance(extra, dict) else "item"
            # "area 3" says more than "Areas, item 3".
            if labels:
                labels.pop()
            labels.append(f"{noun} {part + 1}")
            continue
        name = str(part)
        path += f".{name}" if path else name
        field = current.model_fields.get(name) if current is not None else None
        if field is None:
            labels.append(_humanize(name))
            current = None
            continue
        labels.append(field.title or _humanize(name))
        current = _inner_model(field.annotation)
    return path, labels, field


def _join_label(labels: list[str], model: type[BaseModel]) -> str:
    if not labels:
        return model.label() if issubclass(model, Record) else _humanize(model.__name__)
    # "Satisfaction (area 3)": the field itself first, then where it sits.
    *where, head = labels
    return f"{head} ({', '.join(reversed(where))})" if where else head


def _join_path(outer: str, inner: str) -> str:
    if not inner:
        return outer
    if not outer:
        return inner
    return f"{outer}{inner}" if inner.startswith("[") else f"{outer}.{inner}"


def _bounds(field: FieldInfo | None) -> tuple[Any, Any]:
    lower = upper = None
    metadata = list(field.metadata) if field is not None else []
    if field is not None:
        # Constraints of an Annotated alias (Rating) sit in the metadata of the field.
        for arg in typing.get_args(field.annotation):
            metadata.extend(getattr(arg, "metadata", []))
    for item in metadata:
        if isinstance(item, annotated_types.Ge):
            lower = item.ge
        elif isinstance(item, annotated_types.Gt):
            lower = item.gt
        elif isinstance(item, annotated_types.Le):
            upper = item.le
        elif isinstance(item, annotated_types.Lt):
            upper = item.lt
    return lower, upper


def _range_text(field: FieldInfo | None, ctx: dict[str, Any]) -> str:
    lower, upper = _bounds(field)
    lower = ctx.get("ge", ctx.get("gt", lower)) if lower is None else lower
    upper = ctx.get("le", ctx.get("lt", upper)) if upper is None else upper
    if lower is not None and upper is not None:
        return f"must be from {lower} to {upper}"
    if lower is not None:
        return f"must be at least {lower}" if "gt" not in ctx else f"must be more than {lower}"
    return f"must be at most {upper}" if "lt" not in ctx else f"must be less than {upper}"


def _message(error: dict[str, Any], field: FieldInfo | None) -> str:
    kind = error["type"]
    ctx = error.get("ctx") or {}
    if kind == "date_type" and error.get("input", "") is None:
        return DATE_NEEDED
    if kind == "missing" or (kind.endswith("_type") and error.get("input", "") is None):
        return "is required"
    if kind == "string_too_short":
        return (
            "cannot be empty"
            if ctx.get("min_length") == 1
            else (f"must be at least {ctx.get('min_length')} characters")
        )
    if kind == "string_too_long":
        given = error.get("input")
        has = f" (it has {len(given):,})" if isinstance(given, str) else ""
        return f"must be at most {ctx.get('max_length'):,} characters{has}"
    if kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        return _range_text(field, ctx)
    if kind.startswith("int_") or kind == "int_from_float":
        lower, upper = _bounds(field)
        return "must be a whole number" + (
            f" from {lower} to {upper}" if lower is not None and upper is not None else ""
        )
    if kind.startswith("float_") or kind == "finite_number":
        return "must be a number"
    if kind.startswith("bool_"):
        return "must be yes or no"
    if kind.startswith("datetime_") or kind == "timezone_aware":
        return "must be a real date and time, such as 2026-03-01 18:30"
    if kind.startswith("date_"):
        return "must be a real date, such as 2026-03-01"
    if kind.startswith("time_"):
        return "must be a time of day, such as 18:30"
    if kind in ("enum", "literal_error"):
        return f"must be one of: {ctx.get('expected', '')}".replace("'", "")
    if kind in ("string_type", "string_unicode", "string_sub_type"):
        return "must be text"
    if kind in ("list_type", "tuple_type", "iterable_type"):
        return "must be a list"
    if kind == "too_short":
        n = ctx.get("min_length")
        return f"needs at least {n} {'entry' if n == 1 else 'entries'}"
    if kind == "too_long":
        return f"can have at most {ctx.get('max_length')} entries"
    if kind == "extra_forbidden":
        return "is not a field of this record"
    if kind in ("model_type", "dict_type", "model_attributes_type", "dataclass_type"):
        return "must be a record with named fields"
    if kind == "value_error":
        return str(ctx.get("error", error["msg"]))
    if kind == "assertion_error":
        return str(error["msg"]).removeprefix("Assertion failed, ")
    return str(error["msg"]).lower()


def _field_errors(
    exc: pydantic.ValidationError, model: type[BaseModel]
) -> list[tuple[str, list[str], str]]:
    out: list[tuple[str, list[str], str]] = []
    for error in exc.errors(include_url=False):
        # Union members add their own name to ``loc`` ("function-after[...]"); drop those parts.
        loc = tuple(p for p in error["loc"] if not (isinstance(p, str) and "[" in p))
        path, labels, field = _locate(model, loc)
        nested = (error.get("ctx") or {}).get("error")
        if isinstance(nested, ValidationError):
            # A nested record's own errors, raised by its constructor: keep each one, located.
            for inner in nested.errors:
                inner_labels = list(inner.parts) or [inner.label]
                out.append((_join_path(path, inner.path), [*labels, *inner_labels], inner.message))
        else:
            out.append((path, labels, _message(error, field)))
    return out


def translate(exc: pydantic.ValidationError, model: type[BaseModel]) -> ValidationError:
    """Our :class:`ValidationError` for a pydantic one raised while building ``model``."""
    errors = []
    for path, labels, message in _field_errors(exc, model):
        errors.append(FieldError(path, _join_label(labels, model), message, tuple(labels)))
    title = model.label() if issubclass(model, Record) else _humanize(model.__name__)
    return ValidationError(title, errors)
