"""The errors peercoach raises on purpose, each with a message a person can act on."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class FieldError:
    """One failing field.

    ``path`` locates the field for code (``"areas[2].satisfaction"``), ``label`` names it for a
    person ("Satisfaction (area 3)") and ``message`` says what is wrong ("must be from 0 to 10").
    """

    path: str
    label: str
    message: str
    #: The label's parts, outermost first, so an enclosing record can place the error in turn.
    parts: tuple[str, ...] = field(default=(), compare=False, repr=False)

    def __str__(self) -> str:
        return f"{self.label}: {self.message}"


class ValidationError(ValueError):
    """Raised when a record does not validate; lists every failing field at once.

    Widgets show each :class:`FieldError` next to the field its ``path`` names; the command line
    prints ``str(error)``.
    """

    def __init__(self, record: str, errors: list[FieldError]):
        self.record = record
        self.errors = list(errors)
        lines = "\n".join(f"  - {error}" for error in self.errors)
        noun = "problem" if len(self.errors) == 1 else "problems"
        super().__init__(f"{record}: {len(self.errors)} {noun}\n{lines}")

    def messages(self) -> dict[str, str]:
        """Messages keyed by field path (several for one field are joined)."""
        out: dict[str, str] = {}
        for error in self.errors:
            out[error.path] = (
                f"{out[error.path]}; {error.message}" if error.path in out else error.message
            )
        return out


class ConflictError(Exception):
    """Someone else saved the record after it was opened here, and both changed the same field
    differently; nothing was saved. ``by`` is who saved it, if known."""

    def __init__(
        self, record: str, by: int | None = None, fields: tuple[str, ...] = (), merged=None
    ):
        self.record = record
        self.by = by
        self.fields = fields  # what both changed, differently (titles)
        self.merged = merged  # the rest, merged, when the caller can show it
        super().__init__(f"the {record.lower()} was saved by someone else after it was opened")


class NotFoundError(LookupError):
    """A record asked for by id does not exist."""


class ImportRefused(Exception):
    """An import file was refused; nothing was written."""


class ConfigurationError(Exception):
    """The environment names a database or folder that cannot be used."""


class CopyRefused(Exception):
    """A database copy was refused, or failed and was undone; the target holds nothing new."""


class RosterRefused(Exception):
    """A roster with faults; nothing was written. ``problems`` lists each with its line."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("the roster was refused, nothing was written:\n  " + "\n  ".join(problems))
