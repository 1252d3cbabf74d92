"""Export the workbook (or one person's part of it) as JSON or CSV, and import such JSON back.

The JSON document::

    {"format": "peercoach-export", "version": 1, "schema": "0001", "exported_at": "...",
     "person": null, "records": {"persons": [...], "cohorts": [...], ...}}

Each record is the JSON form of its domain record, so an import validates every one of them with
the same rules the apps use. An import is all or nothing: a malformed or conflicting file is
refused with a message that says where the problem is, and the database is left as it was.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pandas as pd
import sqlalchemy as sa

from peercoach_lib import dates, spreadsheets
from peercoach_lib.errors import ImportRefused, ValidationError
from peercoach_lib.model import Person, Record
from peercoach_lib.model.flags import FROM_ONE_PARTNER
from peercoach_lib.store import Store, Transaction, schema
from peercoach_lib.store.mapping import TABLE_MAPS, TableMap, all_tables

FORMAT = "peercoach-export"
VERSION = 1


# -- export --------------------------------------------------------------------------------------


def export_document(store: Store, person_id: int | None = None) -> dict[str, Any]:
    """Everything in the store, or everything about one person, as a JSON-ready document.

    For a person: their own records, the partnerships they are in with those partnerships'
    sessions and agreements, and the people and cohorts those refer to (names only of others);
    never another person's notes, preparations, plans, assessments or feedback.
    """
    with store.reading() as tx:
        if person_id is None:
            records = {m.name: tx.find(m.record) for m in TABLE_MAPS}
        else:
            records = _person_records(tx, person_id)
        revision = store.schema_revision
    return {
        "format": FORMAT,
        "version": VERSION,
        "schema": revision,
        "exported_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "person": person_id,
        "records": {
            name: [
                # Other people in a person's export: what was given of them, not a time zone
                # or an empty e-mail filled in as if it were theirs.
                r.model_dump(
                    mode="json",
                    exclude_unset=person_id is not None and name == "persons" and r.id != person_id,
                )
                for r in rows
            ]
            for name, rows in records.items()
        },
    }


def _person_records(tx: Transaction, person_id: int) -> dict[str, list[Record]]:
    from peercoach_lib import model as m

    me = tx.get(Person, person_id)
    partnerships = [p for p in tx.find(m.Partnership) if person_id in p.members]
    pair_ids = [p.id for p in partnerships]
    sessions = tx.find(m.Session, partnership_id=pair_ids)
    session_ids = [s.id for s in sessions]
    plans = tx.find(m.ChangePlan, person_id=person_id)
    others = {pid for p in partnerships for pid in p.members} - {person_id}
    cohort_ids = {c for c in [me.cohort_id, *(p.cohort_id for p in partnerships)] if c}
    cohorts = tx.find(m.Cohort, id=sorted(cohort_ids))
    others |= {c.facilitator_id for c in cohorts if c.facilitator_id}
    others -= {person_id}
    # Other people appear by name only: enough to make the export whole, nothing more.
    people = [me] + [
        Person(id=p.id, name=p.name, role=p.role, cohort_id=p.cohort_id, is_demo=p.is_demo)
        for p in tx.find(Person, id=sorted(others))
    ]
    agreements = tx.find(m.Agreement, partnership_id=pair_ids)
    history = [
        entry
        for kind, records in (
            (m.ChangePlan, plans),
            (m.Agreement, agreements),
            (m.Partnership, partnerships),
        )
        for record in records
        for entry in tx.history(kind, record.id)
    ]
    return {
        "persons": people,
        "cohorts": cohorts,
        "partnerships": partnerships,
        "agreements": agreements,
        "sessions": sessions,
        "session_notes": tx.find(m.SessionNote, person_id=person_id, session_id=session_ids),
        "session_preps": tx.find(m.SessionPrep, person_id=person_id),
        "change_plans": plans,
        "commitments": tx.find(m.Commitment, person_id=person_id),
        "feedback": tx.find(m.Feedback, author_id=person_id),
        "session_checks": tx.find(m.SessionCheck, person_id=person_id),
        "lsi_assessments": tx.find(m.LsiAssessment, person_id=person_id),
        "gas_ratings": tx.find(m.GasRating, plan_id=[p.id for p in plans]),
        "record_history": sorted(history, key=lambda e: e.id),
        "drafts": tx.find(m.Draft, person_id=person_id),
        "conversations": tx.find(m.Conversation, person_id=person_id),
        "ending_notes": tx.find(m.EndingNote, person_id=person_id),
        # Not one raised from a partner's own answers (their session check): see FROM_ONE_PARTNER.
        "flag_episodes": [
            f
            for f in tx.find(m.FlagEpisode, partnership_id=pair_ids)
            if f.rule not in FROM_ONE_PARTNER
        ],
    }


def write_json(document: dict[str, Any], output: Path | None) -> str:
    text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    if output is not None:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(text, encoding="utf-8")
    return text


def export_csv(store: Store, folder: Path) -> list[Path]:
    """One CSV file per table (child tables included), for analysis in any tool: everything
    stored, private words included (:mod:`peercoach_lib.spreadsheets` has how it is written)."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    with store.reading() as tx:
        for table in all_tables():
            frame = pd.read_sql(sa.select(table), tx.connection)
            for column in frame.columns:
                if isinstance(table.c[column].type, sa.JSON):
                    frame[column] = frame[column].map(json.dumps)
            path = folder / f"{table.name}.csv"
            spreadsheets.write_csv(frame, path)
            written.append(path)
    return written


# -- import --------------------------------------------------------------------------------------


def read_document(path: Path) -> dict[str, Any]:
    """Read and check the outer shape of an export file; raise :class:`ImportRefused` if wrong."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ImportRefused(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ImportRefused(f"{path}: cannot be read as text ({exc})") from None
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        # "Unterminated string starting at" (Python's words) ends on where: say where.
        where = f"{exc.msg.removesuffix(' at')} at line {exc.lineno}, column {exc.colno}"
        # Cut short: the parser ran out of text (a string is only "unterminated" at its end).
        cut = exc.pos >= len(text.rstrip()) or exc.msg == "Unterminated string starting at"
        raise ImportRefused(
            f"{path}: not valid JSON: {where}"
            + (
                "; the file ends before the export does, as if cut short (a copy or download "
                "that did not finish): export it again"
                if cut
                else ""
            )
        ) from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise ImportRefused(f'{path}: not a peercoach export (no "format": "{FORMAT}")')
    if document.get("version") != VERSION:
        raise ImportRefused(
            f"{path}: export version {document.get('version')!r} is not one this peercoach reads "
            f"(it reads version {VERSION})"
        )
    from peercoach_lib.store import migrate

    known = migrate.revisions()
    if document.get("schema") is not None and document["schema"] not in known:
        raise ImportRefused(
            f"{path}: written by another peercoach, with a workbook of schema "
            f"{document['schema']!r}, which this one does not know (it knows {known[0]} to "
            f"{known[-1]}): import it with a peercoach as new as the one that exported it"
        )
    if not isinstance(document.get("records"), dict):
        raise ImportRefused(f'{path}: "records" must be an object of tables')
    return document


def parse_records(document: dict[str, Any]) -> dict[str, list[Record]]:
    """Validate every record in the document; refuse with every problem found."""
    known = {m.name: m for m in TABLE_MAPS}
    problems: list[str] = []
    unknown = sorted(set(document["records"]) - set(known))
    if unknown:
        problems.append(f"unknown tables: {', '.join(unknown)}")
    parsed: dict[str, list[Record]] = {}
    for mapping in TABLE_MAPS:
        rows = document["records"].get(mapping.name, [])
        if not isinstance(rows, list):
            problems.append(f"{mapping.name}: must be a list of records")
            continue
        records = []
        for index, row in enumerate(rows):
            where = _record_named(mapping.name, index, row)
            try:
                record = mapping.record.model_validate(row)
            except ValidationError as exc:
                problems.extend(f"{where}: {e}" for e in exc.errors)
                # A key taken out by hand leaves its default in its place, and the rule that
                # then fails may name another field: the keys missing are named too.
                lacking = [
                    n for n in mapping.record.model_fields if isinstance(row, dict) and n not in row
                ]
                if lacking:
                    keys = ", ".join(f'"{n}"' for n in lacking)
                    problems.append(
                        f"{where}: has no {keys} (an export writes every field; a default stood "
                        "in for it)"
                    )
                continue
            if record.id is None:
                problems.append(f"{where}: Id: is required in an export")
                continue
            records.append(record)
        ids = [r.id for r in records]
        if len(set(ids)) != len(ids):
            problems.append(f"{mapping.name}: the same id appears more than once")
        parsed[mapping.name] = records
    if problems:
        raise ImportRefused(_problem_list(problems))
    return parsed


def _record_named(table: str, index: int, row: object) -> str:
    """A record of the file as every refusal names it: by its table and id ("sessions 12", as
    a conflict or a missing reference is named), or where it has no usable id, by its place
    in the table's list ("sessions, record 3 in the file")."""
    record_id = row.get("id") if isinstance(row, dict) else None
    if isinstance(record_id, int) and not isinstance(record_id, bool) and record_id > 0:
        return f"{table} {record_id}"
    return f"{table}, record {index + 1} in the file"


def import_document(store: Store, document: dict[str, Any]) -> dict[str, int]:
    """Import a document in one transaction; returns how many records of each table were added.

    A record whose id already exists is skipped when it is identical and refused when it differs;
    in one person's export, the other people (there by name only) are references: where they
    exist already, the stored records stand.
    """
    parsed = parse_records(document)
    person = document.get("person")
    added: dict[str, int] = {}
    try:
        with store.transaction() as tx:
            conflicts: list[str] = []
            pending: list[tuple[TableMap, Record]] = []
            linked = _linked_here(tx, parsed) if person is not None else set()
            if person is not None:
                _refuse_a_deleted_person(tx, person)
            for mapping in TABLE_MAPS:
                records = parsed[mapping.name]
                existing = {r.id: r for r in tx.find(mapping.record, id=[r.id for r in records])}
                for record in records:
                    current = existing.get(record.id)
                    if current is None:
                        pending.append((mapping, record))
                    elif (
                        person is not None
                        and mapping.name == "persons"
                        and record.id != person
                        and (
                            (current.name, current.role) == (record.name, record.role)
                            or record.id in linked
                        )
                    ):
                        # Another person, by name only in the export, who is the same person:
                        # what is stored stands (renamed since, or gone: "Former participant").
                        continue
                    elif differing := _differing(current, record):
                        conflicts.append(
                            f"{mapping.name} {record.id}: differs from the record with that id "
                            f"already in the database ({differing})"
                        )
            if conflicts:
                raise ImportRefused(_problem_list(conflicts))
            missing = _missing_references(tx, pending)
            if missing:
                raise ImportRefused(_problem_list(missing))
            broken = _broken_rules(tx, pending)
            if broken:
                raise ImportRefused(_problem_list(broken))
            # Records keep their ids; the store moves PostgreSQL's id sequences past them.
            _insert_all(tx, pending)
            for mapping, _ in pending:
                added[mapping.name] = added.get(mapping.name, 0) + 1
    except (sa.exc.IntegrityError, sa.exc.DataError) as exc:
        raise ImportRefused(f"the file does not fit the database: {exc.orig}") from None
    return added


def _refuse_a_deleted_person(tx: Transaction, person: int) -> None:
    """A person's export cannot bring them back into the workbook they were deleted from:
    deleting is for good (:mod:`peercoach_lib.forget`)."""
    from peercoach_lib import model as m

    stored = tx.find(m.Person, id=[person])
    if stored and stored[0].forgotten_at is not None:
        raise ImportRefused(
            f"this is the export of person {person}, who was deleted from this workbook on "
            f"{dates.long(stored[0].forgotten_at)}; a deletion cannot be undone, so nothing of "
            "theirs is imported here (the file can go into another, empty workbook)"
        )


def _linked_here(tx: Transaction, parsed: dict[str, list[Record]]) -> set[int]:
    """The people of a person's export whom this database links the same way: partners in a
    partnership stored with the same id and the same two members, facilitators of a cohort
    stored with the same id and the same facilitator. They are the same people whatever their
    names now; a stranger who merely has the same id is not."""
    from peercoach_lib import model as m

    pairs = {p.id: p for p in tx.find(m.Partnership, id=[r.id for r in parsed["partnerships"]])}
    cohorts = {c.id: c for c in tx.find(m.Cohort, id=[r.id for r in parsed["cohorts"]])}
    linked = {
        member
        for r in parsed["partnerships"]
        if r.id in pairs and set(pairs[r.id].members) == set(r.members)
        for member in r.members
    }
    linked |= {
        r.facilitator_id
        for r in parsed["cohorts"]
        if r.id in cohorts and r.facilitator_id and cohorts[r.id].facilitator_id == r.facilitator_id
    }
    return linked


def _comparable(record: Record) -> dict[str, Any]:
    return record.model_dump(mode="json", exclude={"created_at", "updated_at"})


def _differing(stored: Record, imported: Record, most: int = 4) -> str:
    """Which fields of ``imported`` differ from ``stored`` ("in Name, Time zone"), or ""."""
    a, b = _comparable(stored), _comparable(imported)
    fields = type(imported).model_fields
    names = [
        fields[k].title or k for k in fields if k in a.keys() | b.keys() and a.get(k) != b.get(k)
    ]
    if not names:
        return ""
    more = f" and {len(names) - most} more" if len(names) > most else ""
    return "in " + ", ".join(names[:most]) + more


def _insert_all(tx: Transaction, pending: list[tuple[TableMap, Record]]) -> None:
    # Persons and cohorts refer to each other: persons go in without their cohort, which is set
    # once the cohorts exist.
    cohorts_of = {}
    for _, record in pending:
        if isinstance(record, Person) and record.cohort_id is not None:
            cohorts_of[record.id] = record.cohort_id
            record = record.model_copy(update={"cohort_id": None})
        tx.insert(record)
    for person_id, cohort_id in cohorts_of.items():
        tx.connection.execute(
            schema.persons.update()
            .where(schema.persons.c.id == person_id)
            .values(cohort_id=cohort_id)
        )


def _missing_references(tx: Transaction, pending: list[tuple[TableMap, Record]]) -> list[str]:
    """References to records that are neither in the file nor in the database."""
    incoming: dict[str, set[int]] = {}
    for mapping, record in pending:
        incoming.setdefault(mapping.name, set()).add(record.id)
    problems = []
    checked: dict[tuple[str, int], bool] = {}
    for mapping, record in pending:
        for column in mapping.table.c:
            for fk in column.foreign_keys:
                value = getattr(record, column.name, None)
                target = fk.column.table
                if value is None or value in incoming.get(target.name, ()):
                    continue
                key = (target.name, value)
                if key not in checked:
                    query = sa.select(sa.func.count()).where(target.c.id == value)
                    checked[key] = tx.connection.execute(query).scalar_one() > 0
                if not checked[key]:
                    problems.append(
                        f"{mapping.name} {record.id}: {column.name} refers to {target.name} "
                        f"{value}, which is neither in the file nor in the database"
                    )
        # Child rows (session halves) refer to people too.
        if hasattr(record, "halves"):
            for half in record.halves:
                for pid in (half.coach_id, half.client_id):
                    if pid not in incoming.get("persons", ()) and not _exists(tx, pid):
                        problems.append(
                            f"{mapping.name} {record.id}: refers to person {pid}, which is "
                            "neither in the file nor in the database"
                        )
    return problems


#: Records the apps keep one of for their key, which a file could hold two of: the table, the
#: key's columns (the first one narrows the search) and what is said of two.
_ONE_OF_A_KIND = (
    (
        schema.lsi_assessments,
        ("person_id", "taken_on"),
        "two LSI assessments of person {person_id} on {taken_on}; the apps keep one a day",
    ),
    (
        schema.session_notes,
        ("session_id", "person_id"),
        "two notes of person {person_id} for session {session_id}; the apps keep one",
    ),
    (
        schema.feedback,
        ("session_id", "author_id", "role"),
        "two pieces of feedback of person {author_id} as {role} in session {session_id}; the "
        "apps keep one",
    ),
    (
        schema.session_checks,
        ("session_id", "person_id"),
        "two session checks of person {person_id} for session {session_id}; the apps keep one",
    ),
    (
        schema.session_preps,
        ("session_id", "person_id"),
        "two preparations of person {person_id} for session {session_id}; the apps keep one",
    ),
    (
        schema.agreements,
        ("partnership_id",),
        "two agreements of partnership {partnership_id}; a partnership has one",
    ),
    (
        schema.ending_notes,
        ("partnership_id", "person_id"),
        "two ending notes of person {person_id} for partnership {partnership_id}; the apps "
        "keep one",
    ),
    (
        schema.sessions,
        ("partnership_id", "planned", "scheduled_on", "held_on", "status"),
        "the same session twice: partnership {partnership_id}, {status}, booked on "
        "{scheduled_on}, held on {held_on}",
    ),
)
#: Beyond this many keys, the whole table is read rather than a long list of them.
_MOST_KEYS = 500


def _broken_rules(tx: Transaction, pending: list[tuple[TableMap, Record]]) -> list[str]:
    """What the apps never let happen and the records to import (``pending``) would make
    happen with those stored: two of a record the apps keep one of (see
    :data:`_ONE_OF_A_KIND`; a session cancelled aside), or someone in two partnerships at
    once."""
    new: dict[str, list[Record]] = {}
    for mapping, record in pending:
        new.setdefault(mapping.name, []).append(record)
    problems = []
    for table, key, said in _ONE_OF_A_KIND:
        records = new.get(table.name, [])
        if not records:
            continue
        narrow = {getattr(r, key[0]) for r in records}
        query = sa.select(table.c.id, *(table.c[name] for name in key)).order_by(table.c.id)
        if len(narrow) <= _MOST_KEYS:
            query = query.where(table.c[key[0]].in_(narrow))
        if table is schema.sessions:
            query = query.where(table.c.status != "cancelled")
        found: dict[tuple, list[int]] = {}
        for row in tx.connection.execute(query):
            found.setdefault(tuple(row[1:]), []).append(row.id)
        for record in records:
            if table is schema.sessions and record.status == "cancelled":
                continue
            found.setdefault(tuple(getattr(record, name) for name in key), []).append(record.id)
        ids = {r.id for r in records}
        for values, same in found.items():
            if len(same) > 1 and ids.intersection(same):
                shown = {
                    name: dates.short(v) if isinstance(v, dt.date) else str(v)
                    for name, v in zip(key, values, strict=True)
                }
                numbers = ", ".join(map(str, same))
                text = said.format(**shown)
                problems.append(f"{table.name} {numbers}: {_without_none(text)}")
    problems += _overlapping_partnerships(tx, new.get("partnerships", []))
    return problems


def _without_none(text: str) -> str:
    """A sentence without the parts that name nothing (", held on None")."""
    return re.sub(r",? [a-z ]+ None\b", "", text)


def _overlapping_partnerships(tx: Transaction, records: list[Record]) -> list[str]:
    """Someone in two partnerships at once, one of them among ``records`` (the apps pair a
    person again from the day their partnership ended)."""
    if not records:
        return []
    t = schema.partnerships
    people = {m for r in records for m in r.members}
    query = sa.select(t.c.id, t.c.person_a_id, t.c.person_b_id, t.c.started_on, t.c.ended_on)
    if len(people) <= _MOST_KEYS:
        query = query.where(sa.or_(t.c.person_a_id.in_(people), t.c.person_b_id.in_(people)))
    theirs: dict[int, list] = {}
    for row in [*tx.connection.execute(query), *records]:
        for member in (row.person_a_id, row.person_b_id):
            if member in people:
                theirs.setdefault(member, []).append(row)
    ids = {r.id for r in records}
    problems = []
    for person, rows in sorted(theirs.items()):
        rows.sort(key=lambda row: (row.started_on, row.id))
        for k, first in enumerate(rows):
            for then in rows[k + 1 :]:
                overlap = first.ended_on is None or then.started_on < first.ended_on
                if overlap and {first.id, then.id} & ids:
                    until = (
                        "still running"
                        if first.ended_on is None
                        else f"until {dates.short(first.ended_on)}"
                    )
                    problems.append(
                        f"partnerships {first.id} and {then.id}: person {person} would be in "
                        f"both at once (the first {until}, the second from "
                        f"{dates.short(then.started_on)}); a person has one partnership at a time"
                    )
    return problems


def _exists(tx: Transaction, person_id: int) -> bool:
    query = sa.select(sa.func.count()).where(schema.persons.c.id == person_id)
    return tx.connection.execute(query).scalar_one() > 0


def _problem_list(problems: Iterable[str], limit: int = 20) -> str:
    problems = list(problems)
    shown = "\n".join(f"  - {p}" for p in problems[:limit])
    more = f"\n  ... and {len(problems) - limit} more" if len(problems) > limit else ""
    noun = "problem" if len(problems) == 1 else "problems"
    return f"nothing was imported; {len(problems)} {noun}:\n{shown}{more}"
