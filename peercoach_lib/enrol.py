"""Enrol a cohort from a roster: a CSV file of the people who will use a shared server.

One row per person. Columns (a header row names them; order does not matter):

``name``
    required: the name the workbook shows; no two people may have the same one (case and
    spacing aside), since every list shows people by name.
``sign_in``
    the name the person signs in with (JupyterHub's user name for them). May be left out when
    ``email`` is given: a person is then found by e-mail address when they sign in.
``email``
    optional.
``role``
    ``participant`` (the default for someone new) or ``facilitator``, in any letter case; a
    cohort has one facilitator. A roster cannot make the cohort's facilitator a participant
    without naming another.
``time_zone``
    optional IANA name such as ``Europe/Berlin`` (default ``UTC``).

An empty (or missing) ``email``, ``role`` or ``time_zone`` leaves an enrolled person's as it is.

Commas, semicolons or tabs may separate the columns (whichever the header uses).
Enrolling again with an updated roster updates the people already there (found by sign-in
name, else by e-mail) and adds the new ones; nobody is removed. A roster with any fault is
refused whole, with every fault and its line, and nothing is written.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from peercoach_lib.errors import RosterRefused, ValidationError
from peercoach_lib.model import Cohort, Partnership, Person, Role
from peercoach_lib.partnerships import name_key
from peercoach_lib.store import Store

COLUMNS = ("name", "sign_in", "email", "role", "time_zone")


@dataclass
class Enrolled:
    cohort: Cohort
    cohort_created: bool
    added: list[Person] = field(default_factory=list)
    updated: list[Person] = field(default_factory=list)
    unchanged: list[Person] = field(default_factory=list)
    #: The cohort's facilitator before this roster named another, if it did.
    replaced_facilitator: Person | None = None
    #: People added with the e-mail of someone already enrolled under another sign-in name
    #: (new, enrolled): a roster never changes a sign-in name, so they are two people.
    shared_email: list[tuple[Person, Person]] = field(default_factory=list)
    #: Each person updated, as they were and as they are now (the summary says what changed).
    changes: list[tuple[Person, Person]] = field(default_factory=list)

    @property
    def enrolled(self) -> list[Person]:
        """Everyone the roster names, as now stored."""
        return [*self.added, *self.updated, *self.unchanged]

    def summary(self) -> str:
        made = "created" if self.cohort_created else "updated"
        facilitator = next(
            (p.name for p in self.enrolled if p.id == self.cohort.facilitator_id), None
        )
        lines = [
            f"Cohort {self.cohort.name!r} (id {self.cohort.id}) {made}: "
            f"{_people(len(self.added))} added, {len(self.updated)} updated"
            + (f", {len(self.unchanged)} unchanged." if self.unchanged else "."),
        ]
        if facilitator and self.replaced_facilitator is not None:
            lines.append(
                f"Facilitator: {facilitator}, in place of {self.replaced_facilitator.name} "
                "(who no longer sees this cohort's dashboard)."
            )
        elif facilitator:
            lines.append(f"Facilitator: {facilitator}.")
        elif self.cohort.facilitator_id is None:
            lines.append(
                "No facilitator yet: on a shared server nobody sees this cohort's dashboard "
                "until a roster names one (role facilitator)."
            )
        for before, after in self.changes:
            said = [
                f"{label} {getattr(before, name) or '(none)'} -> {getattr(after, name) or '(none)'}"
                for name, label in _SAID
                if getattr(before, name) != getattr(after, name)
            ]
            if said:
                lines.append(
                    f"Updated {before.name} ({before.sign_in or before.email or f'id {before.id}'}"
                    f"): {'; '.join(said)}."
                )
        for new, known in self.shared_email:
            lines.append(
                f"Note: {new.name} ({new.sign_in}) was added as someone new, with the e-mail of "
                f"{known.name} ({known.sign_in}): a roster never changes a sign-in name."
            )
        return "\n".join(lines)


#: What the summary names when it changed for someone enrolled: (field, as said).
_SAID = (
    ("name", "name"),
    ("sign_in", "sign-in"),
    ("email", "e-mail"),
    ("role", "role"),
    ("time_zone", "time zone"),
)

#: Columns that, left empty, leave what an enrolled person has as it is.
KEPT_WHEN_EMPTY = ("email", "role", "time_zone")


class Roster(tuple):
    """The people of a roster, and for each which of :data:`KEPT_WHEN_EMPTY` the row filled in
    (an empty one leaves an enrolled person's as it is) and the file's line it came from (a
    fault found against the workbook names it). Immutable, so they stay in step."""

    given: tuple[frozenset[str], ...]
    lines: tuple[int | None, ...]

    def __new__(cls, people=(), given=None, lines=None):
        roster = super().__new__(cls, people)
        every = frozenset(KEPT_WHEN_EMPTY)
        filled = tuple(given) if given is not None else (every,) * len(roster)
        at = tuple(lines) if lines is not None else (None,) * len(roster)
        if not len(filled) == len(at) == len(roster):
            raise ValueError("a roster says, for each person, which columns it filled in")
        roster.given, roster.lines = filled, at
        return roster


def _quote_problem(exc: csv.Error) -> str:
    if "expected after" in str(exc):
        return (
            'text follows a closing quote: put the whole value in quotes, with each " inside it '
            'doubled ("")'
        )
    return 'a value in quotes is never closed: is a closing " missing?'


def _rows(reader: csv.DictReader, problems: list[str], skipped: int) -> Iterator[dict]:
    """The reader's rows; a row the CSV reader cannot read is a problem (on the line it starts
    on), and ends the reading: what follows cannot be trusted. ``skipped``: lines of the file
    before the reader's first."""
    while True:
        try:
            yield next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            # The reader counts only the lines of the rows it finished.
            problems.append(f"line {skipped + reader.line_num + 1}: {_quote_problem(exc)}")
            return


def _column(heading: str) -> str:
    """A header cell as a column's name: letter case, spaces and hyphens as the spreadsheet
    has them ("E-mail", "Time zone") are the columns' ("email", "time_zone")."""
    name = re.sub(r"[\s-]+", "_", heading.strip().lower())
    return "email" if name == "e_mail" else name


def _header_start(text: str) -> tuple[int, str | None]:
    """How many lines come before the header (blank lines, a spreadsheet's "sep=;" line), and
    the delimiter such a line names."""
    lines = text.split("\n")
    skipped, named = 0, None
    while skipped < len(lines) and not lines[skipped].strip():
        skipped += 1
    if skipped < len(lines):
        # Spaces and line ends around it go, not a tab: "sep=\t" names the tab.
        line = lines[skipped].strip(" \r\n")
        found = re.fullmatch(r'"?sep=(.)"?[,;\t]*', line, flags=re.IGNORECASE)
        if found:
            named = found[1]
            skipped += 1
            while skipped < len(lines) and not lines[skipped].strip():
                skipped += 1
    return skipped, named


def read_roster(text: str) -> Roster:
    """The people of a roster, validated; :class:`RosterRefused` lists every fault."""
    roster, problems = _read_roster(text)
    if problems:
        raise RosterRefused(problems)
    return roster


def _read_roster(text: str) -> tuple[Roster, list[str]]:
    """The people of a roster's good rows, and the faults of the others (a fault of the whole
    file, such as its header, is raised at once)."""
    text = text.lstrip("\ufeff")
    if not text.strip(" \t\r\n,;"):
        raise RosterRefused(
            [
                "the roster is empty: it needs a header row (name, sign_in, email, role, "
                "time_zone) and a row for each person"
            ]
        )
    # Blank lines before the header, and the line some spreadsheets write to name their
    # delimiter ("sep=;"), come before the header: skipped, and counted in the line numbers.
    skipped, named = _header_start(text)
    lines = text.split("\n")
    first_line = lines[skipped] if skipped < len(lines) else ""
    at = f"line {skipped + 1}"
    # Spreadsheets in many countries save "CSV" with semicolons (or tabs): use what the header does.
    delimiter = named or (max(",;\t", key=first_line.count) if first_line.strip() else ",")
    # Strict: a quote never closed (or text after a closing quote) is an error, not a value
    # that swallows the rest of the line, or of the file.
    reader = csv.DictReader(
        io.StringIO("\n".join(lines[skipped:])), delimiter=delimiter, strict=True
    )
    try:
        fieldnames = reader.fieldnames
    except csv.Error as exc:
        raise RosterRefused([f"{at}: {_quote_problem(exc)}"]) from None
    # Spelled as people write them in a spreadsheet ("E-mail", "Time zone", "Sign-in").
    header = [_column(h) for h in (fieldnames or [])]
    if "name" not in header:
        raise RosterRefused(
            [f"{at}: the header must name a 'name' column (the columns are {', '.join(COLUMNS)})"]
        )
    unknown = [
        raw.strip()
        for raw, h in zip(fieldnames or [], header, strict=True)
        if h and h not in COLUMNS
    ]
    if unknown:
        raise RosterRefused(
            [
                f"{at}: unknown column(s) {', '.join(map(repr, unknown))}; "
                f"the columns are {', '.join(COLUMNS)}"
            ]
        )
    repeated = sorted({h for h in header if h and header.count(h) > 1})
    if repeated:
        raise RosterRefused(
            [
                f"{at}: the header names {', '.join(map(repr, repeated))} more than once: "
                "keep one column of each"
            ]
        )
    reader.fieldnames = header
    people: list[Person] = []
    given: list[frozenset[str]] = []
    at: list[int] = []
    problems: list[str] = []
    seen: dict[tuple[str, str], int] = {}
    named: dict[str, int] = {}  # each name (as lists tell it) and its first line
    ended = skipped + reader.line_num  # the line the previous row ended on
    for row in _rows(reader, problems, skipped):
        line, starts, ended = skipped + reader.line_num, ended + 1, skipped + reader.line_num
        if line > starts and any("\n" in (v or "") for v in row.values() if isinstance(v, str)):
            problems.append(
                f'line {starts}: a value in quotes runs on to line {line}: is a closing " missing?'
            )
            continue
        if None in row:
            problems.append(f"line {line}: more values than the header has columns")
            continue
        values = {k: (v or "").strip() for k, v in row.items()}
        if values.pop("", ""):  # a column with no name (a trailing separator) must stay empty
            problems.append(f"line {line}: a value in a column the header does not name")
            continue
        if not any(values.values()):
            continue
        if not values.get("sign_in") and not values.get("email"):
            problems.append(f"line {line}: give a sign_in name or an e-mail address")
            continue
        # A row repeated is said with the row's other faults, not once they are mended; it is
        # checked as any row, but only its first line goes on (to be checked against the
        # workbook): two people of one sign-in would never be written.
        repeated = False
        for key in ("sign_in", "email"):
            value = values.get(key, "").lower()
            if not value:
                continue
            if (key, value) in seen:
                repeated = True
                problems.append(
                    f"line {line}: {key} {value!r} is already on line {seen[(key, value)]}"
                )
            seen.setdefault((key, value), line)
        if values.get("name"):
            first = named.setdefault(name_key(values["name"]), line)
            if first != line:
                repeated = True
                problems.append(
                    f"line {line}: the name {values['name']!r} is already on line {first}: {_APART}"
                )
        try:
            person = Person(
                name=values.get("name", ""),
                sign_in=values.get("sign_in") or None,
                email=values.get("email", ""),
                role=values.get("role", "").lower() or Role.PARTICIPANT,
                time_zone=values.get("time_zone") or "UTC",
            )
        except ValidationError as exc:
            problems.extend(f"line {line}: {e.path}: {e.message}" for e in exc.errors)
            continue
        if repeated:
            continue
        people.append(person)
        given.append(frozenset(k for k in KEPT_WHEN_EMPTY if values.get(k)))
        at.append(line)
    facilitators = [p for p in people if p.role == Role.FACILITATOR]
    if len(facilitators) > 1:
        problems.append(
            "a cohort has one facilitator; the roster names "
            + ", ".join(p.name for p in facilitators)
        )
    if not people and not problems:
        problems.append("the roster has no one in it")
    return Roster(people, given, at), problems


#: How to mend two people of one name: every chooser lists people by name.
_APART = "add what tells the two apart (a middle initial, say): every list shows people by name"


def enrol(
    store: Store,
    people: list[Person],
    cohort_name: str,
    *,
    today: dt.date | None = None,
    faults: Sequence[str] = (),
) -> Enrolled:
    """Put ``people`` in the cohort named ``cohort_name`` (made if need be; a number is a
    cohort's id), in one transaction.

    ``people`` may be a :class:`Roster`, whose empty e-mail, role and time zone cells leave
    those of people already enrolled as they are. ``faults`` are the roster file's own: with
    any, nothing is written, but the good rows are still checked against the workbook so that
    one refusal lists every fault."""
    cohort_name = cohort_name.strip()
    faults = list(faults)
    with store.transaction() as tx:
        everyone = [p for p in tx.find(Person) if p.forgotten_at is None]
        by_sign_in = {p.sign_in: p for p in everyone if p.sign_in}
        by_name: dict[str, list[Person]] = {}
        for p in everyone:
            by_name.setdefault(name_key(p.name), []).append(p)
        by_email: dict[str, list[Person]] = {}
        for p in everyone:
            if p.email:
                by_email.setdefault(p.email.lower(), []).append(p)
        cohorts = tx.find(Cohort)
        found = [c for c in cohorts if c.name == cohort_name]
        alike = [c for c in cohorts if c.name.casefold() == cohort_name.casefold()]
        if len(found) > 1:
            raise RosterRefused(
                [
                    *faults,
                    f"cohort: {len(found)} cohorts are named {cohort_name!r} (ids "
                    f"{', '.join(str(c.id) for c in found)}): give the id of the one meant",
                ]
            )
        if not found and alike:
            raise RosterRefused(
                [
                    *faults,
                    f"cohort: {cohort_name!r} differs from the cohort {alike[0].name!r} (id "
                    f"{alike[0].id}) only in letter case: give its name exactly, or another name",
                ]
            )
        if not found and re.fullmatch(r"[+-]?\d+([.,]\d*)?", cohort_name):
            # A number is a cohort's id (as `peercoach people --cohort` reads it), never the
            # name of a new one.
            found = [c for c in cohorts if str(c.id) == cohort_name]
            if not found:
                known = ", ".join(f"{c.id} ({c.name})" for c in cohorts) or "none yet"
                raise RosterRefused(
                    [
                        *faults,
                        f"cohort: there is no cohort with the id {cohort_name} (the cohorts are: "
                        f"{known}); a new cohort needs a name that is not a number",
                    ]
                )
        names = {c.id: c.name for c in cohorts}
        try:
            cohort = (
                found[0]
                if found
                else tx.save(Cohort(name=cohort_name, starts_on=today or dt.date.today()))
            )
        except ValidationError as exc:
            raise RosterRefused([*faults, *(f"cohort: {e.message}" for e in exc.errors)]) from None
        result = Enrolled(cohort=cohort, cohort_created=not found)
        problems = []
        every = frozenset(KEPT_WHEN_EMPTY)
        given = getattr(people, "given", (every,) * len(people))
        lines = getattr(people, "lines", (None,) * len(people))
        for new, filled, line in zip(people, given, lines, strict=True):
            at = f"line {line}: " if line is not None else ""
            known = by_sign_in.get(new.sign_in) if new.sign_in else None
            if known is None and new.email:
                # The same e-mail is the same person, unless the row names a sign-in that the
                # person with that e-mail does not have (then they are two people).
                matches = [
                    p
                    for p in by_email.get(new.email.lower(), [])
                    if not new.sign_in or not p.sign_in
                ]
                if len(matches) > 1:
                    problems.append(
                        f"{at}{new.name}: {len(matches)} people have the e-mail {new.email}; add "
                        "the sign-in name of the one you mean"
                    )
                    continue
                known = matches[0] if matches else None
                shares = [p for p in by_email.get(new.email.lower(), []) if p not in matches]
            else:
                shares = []
            fields = {
                "name": new.name,
                "email": new.email,
                "role": new.role,
                "time_zone": new.time_zone,
                "cohort_id": cohort.id,
            }
            if new.sign_in:
                fields["sign_in"] = new.sign_in
            for kept in every - filled:
                del fields[kept]  # an enrolled person keeps theirs
            namesake = next(
                (
                    p
                    for p in by_name.get(name_key(new.name), [])
                    if known is None or p.id != known.id
                ),
                None,
            )
            if namesake is not None and namesake in shares:
                # The same name and e-mail under another sign-in: the same person, most likely,
                # whose sign-in the roster would change (telling them apart made a duplicate).
                problems.append(
                    f"{at}{new.name} ({new.sign_in}): the workbook has {namesake.name} with this "
                    f"e-mail under the sign-in {namesake.sign_in!r}; a roster never changes a "
                    f"sign-in name: give theirs ({namesake.sign_in}) if this is them"
                )
                continue
            if namesake is not None:
                problems.append(
                    f"{at}{new.name} ({new.sign_in or new.email}): someone else in the workbook "
                    f"has this name ({namesake.sign_in or namesake.email or f'id {namesake.id}'}); "
                    + _APART
                )
                continue
            if known is None:
                result.added.append(tx.save(new.replace(cohort_id=cohort.id)))
                result.shared_email += [(result.added[-1], other) for other in shares[:1]]
            elif known.cohort_id not in (None, cohort.id):
                # Named as the workbook knows them too, when the roster calls them otherwise.
                also = f", in the workbook as {known.name}" if known.name != new.name else ""
                problems.append(
                    f"{at}{new.name} ({new.sign_in or new.email}{also}) is already in another "
                    "cohort, "
                    f"{names.get(known.cohort_id, '?')!r} (id {known.cohort_id}); a person "
                    "belongs to one cohort"
                )
            elif (changed := known.replace(**fields)) == known:
                result.unchanged.append(known)
            elif (partner := _partner_in_running_pair(tx, known)) and changed.role != known.role:
                # The apps offer only participants: a facilitator could not log or end it.
                problems.append(
                    f"{at}{new.name} is in a running partnership with {partner}: the roster makes "
                    f"them a {changed.role.value}; end that partnership first (or leave their "
                    "role as it is)"
                )
            else:
                result.updated.append(tx.save(changed))
                result.changes.append((known, result.updated[-1]))
        if problems or faults:
            raise RosterRefused(_by_line([*faults, *problems]))  # the transaction is rolled back
        facilitator = next((p for p in result.enrolled if p.role == Role.FACILITATOR), None)
        demoted = next(
            (
                p
                for p in result.updated
                if p.id == cohort.facilitator_id and p.role != Role.FACILITATOR
            ),
            None,
        )
        if demoted is not None and facilitator is None:
            raise RosterRefused(  # the transaction is rolled back
                [
                    f"{demoted.name} is this cohort's facilitator: the roster makes them a "
                    f"{demoted.role.value} without naming another facilitator (role facilitator)"
                ]
            )
        if facilitator is not None and cohort.facilitator_id != facilitator.id:
            if cohort.facilitator_id is not None:
                result.replaced_facilitator = tx.get(Person, cohort.facilitator_id)
            cohort = tx.save(cohort.replace(facilitator_id=facilitator.id))
            result.cohort = cohort
    return result


def _by_line(problems: list[str]) -> list[str]:
    """Faults in the order of the lines they name (those of no line, such as the cohort's,
    last), each line's in the order found."""

    def line(problem: str) -> int:
        found = re.match(r"line (\d+): ", problem)
        return int(found[1]) if found else 1 << 62

    return sorted(problems, key=line)


def _partner_in_running_pair(tx, person: Person) -> str | None:
    """The name of ``person``'s partner in a running partnership, if they have one."""
    pairs = tx.find(Partnership, person_a_id=person.id) + tx.find(
        Partnership, person_b_id=person.id
    )
    for pair in pairs:
        if pair.is_active:
            return tx.get(Person, pair.partner_of(person.id)).name
    return None


#: How a spreadsheet's own file begins (.xlsx and .ods are zip files; .xls an OLE file).
_SPREADSHEET_STARTS = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0")


def enrol_file(store: Store, path: Path, cohort_name: str) -> Enrolled:
    try:
        with path.open("rb") as file:
            start = file.read(4)
        if start.startswith(_SPREADSHEET_STARTS):
            raise RosterRefused(
                [
                    f"{path}: a spreadsheet's own file, not CSV: save it from the spreadsheet "
                    'as "CSV UTF-8" and enrol that'
                ]
            )
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise RosterRefused(
            [
                f"{path}: not UTF-8 text (byte {exc.start + 1} of the file cannot be read as "
                'UTF-8): save the roster from the spreadsheet as "CSV UTF-8" and enrol it again'
            ]
        ) from None
    except OSError as exc:
        raise RosterRefused([f"{path}: cannot be read ({exc.strerror or exc})"]) from None
    roster, faults = _read_roster(text)
    return enrol(store, roster, cohort_name, faults=faults)


def _people(count: int) -> str:
    return "1 person" if count == 1 else f"{count} people"
