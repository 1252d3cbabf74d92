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


class DatabaseGone(Exception):
    """The SQLite file the workbook opened was moved or deleted while it was open."""

    def __init__(self, path: str):
        self.path = path
        super().__init__(
            "the workbook's database file was moved or deleted while the workbook was open, so "
            "nothing can be saved: whoever keeps the workbook can put it back and restart it"
        )


#: What a database's own words about a failure mean for the person, and whether trying again
#: can help: (words the driver says, what the workbook says).
_STORAGE_PROBLEMS = (
    (
        "readonly database",
        "the workbook's database is read-only here (its file, or its folder, cannot be "
        "written), so nothing can be saved until whoever keeps the workbook makes it writable",
    ),
    (
        "database is locked",
        "the workbook's database was busy (another program held it for more than 30 seconds): "
        "try again in a moment",
    ),
    (
        "unable to open database file",
        "the workbook's database file cannot be opened (its folder is missing, or cannot be "
        "read or written: SQLite keeps files of its own beside it): whoever keeps the workbook "
        "can check where it is",
    ),
    (
        "disk i/o error",
        "the workbook's database could not be written to its disk (full, or gone): whoever "
        "keeps the workbook can check it",
    ),
    (
        "database or disk is full",
        "the disk that holds the workbook's database is full: whoever keeps the workbook can "
        "make room",
    ),
    (
        "could not connect",
        "the workbook's database server cannot be reached just now: try again in a moment",
    ),
    (
        "connection refused",
        "the workbook's database server cannot be reached just now: try again in a moment",
    ),
)


def storage_problem(exc: BaseException | None) -> str | None:
    """What stood in the way of reading or writing the database, in words a person can act
    on (from an error the database driver raised, or one it caused), or None when ``exc`` is
    not about the database itself."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, DatabaseGone):
            return str(exc)
        said = str(getattr(exc, "orig", None) or exc).lower()
        if type(exc).__module__.split(".")[0] in {"sqlalchemy", "sqlite3", "psycopg"}:
            for words, meaning in _STORAGE_PROBLEMS:
                if words in said:
                    return meaning
        exc = exc.__cause__  # what the driver raised, not an error met while handling one
    return None
