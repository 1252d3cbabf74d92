"""Forget a person who asks for it: their identity and their own words leave the workbook for good.

What a person wrote for themselves (session notes, preparations, drafts, feedback, courageous
conversations, ending notes) is deleted. Records that other figures are built on stay, with their
words replaced: change plans keep their numbers, GAS levels and dates, because the facilitator's
goal figures use them; commitments keep their status and dates (follow-through); LSI assessments
keep their ratings. The person's row stays too, since partnerships, sessions and halves refer to
it, but it carries a placeholder name and no e-mail. The partner's records are left as they are.

All of it happens in one transaction, so a person is forgotten completely or not at all. On
SQLite the file is then rewritten, so that deleted words do not linger in free pages or the
write-ahead log.
"""

from __future__ import annotations

import datetime as dt
import logging
import sqlite3
import types
import typing
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from peercoach_lib import dates
from peercoach_lib.model import (
    Agreement,
    ChangePlan,
    Commitment,
    Conversation,
    Draft,
    EndingNote,
    EndReason,
    Feedback,
    FieldChange,
    HistoryAction,
    HistoryEntry,
    LsiAreaRating,
    LsiAssessment,
    PartnerSection,
    Partnership,
    PartnershipGoal,
    Person,
    Record,
    Role,
    SessionNote,
    SessionPrep,
)
from peercoach_lib.model.base import _inner_model
from peercoach_lib.partnerships import ended_on, last_held_day, wind_up
from peercoach_lib.store import Store, Transaction, schema
from peercoach_lib.store.mapping import table_map

__all__ = ["PLACEHOLDER", "ForgetReport", "forget_person"]

log = logging.getLogger(__name__)

#: What stands in for words that a field cannot do without.
PLACEHOLDER = "(removed)"

#: The name a forgotten person goes by, according to their role.
FORMER = {Role.PARTICIPANT: "Former participant", Role.FACILITATOR: "Former facilitator"}

#: Text fields that are kept when a record is anonymised: fixed names, not a person's words.
KEPT_TEXT: dict[type[Record], frozenset[str]] = {
    ChangePlan: frozenset({"lsi_area"}),
    LsiAreaRating: frozenset({"area"}),
}

#: Text fields that a validator requires only in some states (a dropped plan needs its reason):
#: when filled, they get the placeholder rather than being emptied.
REQUIRED_WHEN_FILLED: dict[type[Record], frozenset[str]] = {
    ChangePlan: frozenset({"status_reason"}),
}

#: Records deleted outright: (kind, the column naming their author, singular, plural).
_DELETED: tuple[tuple[type[Record], str, str, str], ...] = (
    (SessionNote, "person_id", "session note", "session notes"),
    (SessionPrep, "person_id", "session preparation", "session preparations"),
    (Draft, "person_id", "draft", "drafts"),
    (Feedback, "author_id", "piece of feedback", "pieces of feedback"),
    (Conversation, "person_id", "courageous conversation", "courageous conversations"),
    (EndingNote, "person_id", "ending note", "ending notes"),
)

#: Records kept with their words removed: singular and plural of each kind, in report order.
_ANONYMISED: tuple[tuple[str, str], ...] = (
    ("change plan", "change plans"),
    ("commitment", "commitments"),
    ("LSI assessment", "LSI assessments"),
    ("agreement section", "agreement sections"),
    ("partnership goal", "partnership goals"),
    ("history entry", "history entries"),
)

#: The key under which the report counts the person's own row (name, e-mail, time zone).
IDENTITY = "identity"

_SINGULAR = {plural: singular for _, _, singular, plural in _DELETED} | {
    plural: singular for singular, plural in _ANONYMISED
}


@dataclass(frozen=True)
class ForgetReport:
    """What forgetting a person removed: counts per kind of record, and when it happened."""

    person_id: int
    #: When the person was forgotten (the first time, if they already were).
    forgotten_at: dt.datetime
    #: Records deleted, by kind ("session notes": 12); every kind is present, zero or not.
    removed: Mapping[str, int] = field(default_factory=dict)
    #: Records kept with their words removed, by kind ("change plans": 2), and ``"identity"``: 1
    #: when the person's name and e-mail were replaced.
    anonymised: Mapping[str, int] = field(default_factory=dict)
    #: Whether the person had been forgotten before this call.
    already_forgotten: bool = False
    #: On an SQLite file, whether it was rewritten so that no deleted words linger in it;
    #: ``None`` where that does not apply (another database, or one held in memory).
    storage_cleaned: bool | None = None
    #: Partnerships that were still running and ended with the person's leaving.
    ended: int = 0

    @property
    def counts(self) -> dict[str, int]:
        """Every count, removed and anonymised, in one mapping."""
        return {**self.removed, **self.anonymised}

    @property
    def changed(self) -> bool:
        """Whether anything was removed or anonymised by this call."""
        return any(self.counts.values()) or self.ended > 0

    def summary(self, *, you: bool = False) -> str:
        """One sentence a person can read, such as the command line prints; with ``you``, said
        to the person forgotten (as the My data app does)."""
        parts = []
        if self.anonymised.get(IDENTITY):
            parts.append(f"replaced {'your' if you else 'their'} name and e-mail")
        deleted = _amounts(self.removed)
        if deleted:
            parts.append(f"deleted {deleted}")
        words = _amounts({k: v for k, v in self.anonymised.items() if k != IDENTITY})
        if words:
            parts.append(f"removed the words from {words} (numbers and dates kept)")
        if self.ended:
            many = "partnerships that were" if self.ended != 1 else "partnership that was"
            whose = "your" if you and self.ended == 1 else str(self.ended)
            parts.append(f"ended {whose} {many} still running (booked sessions cancelled)")
        when = dates.long(self.forgotten_at)
        done = "; ".join(parts)
        if you:
            # What a person can act on; the file's own clean-up is the administrator's.
            return f"We {done}." if parts else "There was nothing to remove."
        if self.already_forgotten:
            sentence = f"Person {self.person_id} was already forgotten on {when}"
            sentence += f"; now also {done}" if parts else "; there was nothing left to remove"
        else:
            sentence = f"Forgot person {self.person_id}"
            sentence += f": {done}" if parts else "; there was nothing to remove"
        if self.storage_cleaned is False:
            sentence += (
                "; the database file could not be rewritten yet because it is in use, so run "
                "this again later to clear removed words from it"
            )
        return sentence + "."


def _amounts(counts: Mapping[str, int]) -> str:
    return _join([f"{n} {kind if n != 1 else _SINGULAR[kind]}" for kind, n in counts.items() if n])


def _join(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"


def forget_person(store: Store, person_id: int, *, now: dt.datetime | None = None) -> ForgetReport:
    """Forget a person: replace their identity, delete their private records, strip their words.

    Raises :class:`peercoach_lib.errors.NotFoundError` when there is no such person. Forgetting
    someone already forgotten changes nothing (unless records of theirs appeared since, which are
    removed in turn) and says so in the report.
    """
    now = now or dt.datetime.now(dt.UTC)
    removed: dict[str, int] = {}
    anonymised: dict[str, int] = {}
    with store.transaction() as tx, _secure_delete(tx):
        person = tx.get(Person, person_id)
        already = person.forgotten_at is not None
        anonymous = _anonymous(person, now)
        anonymised[IDENTITY] = _rewrite(tx, person, anonymous)
        for kind, column, _, plural in _DELETED:
            removed[plural] = _delete(tx, kind, column, person_id)
        plans = tx.find(ChangePlan, person_id=person_id)
        plan_ids = {plan.id for plan in plans}
        anonymised["change plans"] = _scrub_all(tx, plans)
        anonymised["commitments"] = _scrub_all(tx, tx.find(Commitment, person_id=person_id))
        anonymised["LSI assessments"] = _scrub_all(tx, tx.find(LsiAssessment, person_id=person_id))
        sections, goals = _scrub_agreements(tx, person_id, plan_ids)
        anonymised["agreement sections"] = sections
        anonymised["partnership goals"] = goals
        anonymised["history entries"] = _scrub_history(tx, person_id, plan_ids)
        ended = _end_partnerships(tx, person, now)
    cleaned = _clean_storage(store)
    report = ForgetReport(
        person_id=person_id,
        forgotten_at=anonymous.forgotten_at,
        removed=removed,
        anonymised=anonymised,
        already_forgotten=already,
        storage_cleaned=cleaned,
        ended=ended,
    )
    # The log names the person by id only: their name is what was just removed.
    done = {kind: n for kind, n in report.counts.items() if n}
    if already:
        log.info("person %s was already forgotten; removed since: %s", person_id, done or "none")
    else:
        log.info("person %s was forgotten: %s", person_id, done)
    return report


def _end_partnerships(tx: Transaction, person: Person, now: dt.datetime) -> int:
    """End the person's running partnerships: their partner is free to be paired again.

    The reason is "other" (the facilitator sees that the partnership ended, not why); booked
    sessions after today are cancelled and the pair's open flags close as ended. Today is
    the day by the partnership's schedule (its agreement's time zone; else the person's). A
    partnership paired to start later is called off today: it starts and ends today, so that
    the partner can be paired again at once (it kept them until its start day).
    """
    running = [
        p
        for p in tx.find(Partnership, person_a_id=person.id)
        + tx.find(Partnership, person_b_id=person.id)
        if p.is_active
    ]
    for partnership in running:
        found = tx.find(Agreement, partnership_id=partnership.id)
        zone = found[0].time_zone if found else person.time_zone
        # Not before a session the partner, a day ahead, has logged as held already.
        today = dates.in_zone(now, zone).date()
        held = last_held_day(tx, partnership.id)
        # One yet to begin is called off today (see partnerships.ended_on).
        on = max(today, held) if held is not None else today
        tx.save(ended_on(partnership, on, EndReason.OTHER))
        wind_up(tx, partnership.id, on)
    return len(running)


# -- the person's own row ------------------------------------------------------------------------


def _anonymous(person: Person, now: dt.datetime) -> Person:
    """The person's row as it stays: role, cohort and demo mark kept, identity gone."""
    return person.replace(
        name=FORMER.get(person.role, "Former member"),
        email="",
        sign_in=None,
        time_zone="UTC",
        forgotten_at=person.forgotten_at or now,
    )


# -- deleting and rewriting rows -----------------------------------------------------------------


def _delete(tx: Transaction, kind: type[Record], column: str, person_id: int) -> int:
    table = table_map(kind).table
    return tx.connection.execute(table.delete().where(table.c[column] == person_id)).rowcount


def _rewrite(tx: Transaction, old: Record, new: Record) -> int:
    """Write ``new`` over ``old`` (main row only); 1 if anything changed, else 0.

    Written directly rather than with :meth:`Transaction.save`, which would copy the old words
    into the record history.
    """
    if new == old:
        return 0
    table = table_map(type(new)).table
    row = table_map(type(new)).to_row(new)
    tx.connection.execute(table.update().where(table.c.id == old.id).values(row))
    return 1


def _scrub_all(tx: Transaction, records: list[Record]) -> int:
    changed = 0
    for record in records:
        data = scrub(type(record), record.model_dump(mode="json"))
        changed += _rewrite(tx, record, type(record).model_validate(data))
    return changed


# -- removing words from a record's JSON form ----------------------------------------------------


def _is_text(annotation: Any) -> bool:
    if annotation is str:
        return True
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        args = set(typing.get_args(annotation)) - {type(None)}
        return args == {str}
    return False


def _requires_text(kind: type[Record], name: str) -> bool:
    if name in REQUIRED_WHEN_FILLED.get(kind, ()):
        return True
    metadata = kind.model_fields[name].metadata
    return any((getattr(item, "min_length", None) or 0) >= 1 for item in metadata)


def scrub(kind: type[Record], data: Mapping[str, Any]) -> dict[str, Any]:
    """``data`` (a record's JSON form, whole or in part) with every free text field emptied.

    A field that needs text gets :data:`PLACEHOLDER`; the others become "". Nested records
    (plan steps, GAS levels, ...) are scrubbed the same way; numbers, dates and the fixed names
    in :data:`KEPT_TEXT` are kept.
    """
    out = dict(data)
    kept = KEPT_TEXT.get(kind, frozenset())
    for name, info in kind.model_fields.items():
        if name not in out or name in kept:
            continue
        out[name] = _scrub_value(kind, name, info.annotation, out[name])
    return out


def _scrub_value(kind: type[Record], name: str, annotation: Any, value: Any) -> Any:
    if value is None:
        return None
    if _is_text(annotation):
        return PLACEHOLDER if value and _requires_text(kind, name) else ""
    inner = _inner_model(annotation)
    if inner is not None and issubclass(inner, Record):
        if isinstance(value, list):
            return [scrub(inner, item) if isinstance(item, dict) else item for item in value]
        if isinstance(value, dict):
            return scrub(inner, value)
    return value


def _scrub_sections(value: Any, person_id: int) -> Any:
    """An agreement's ``partners`` (JSON) with this person's section scrubbed, the other kept."""
    if not isinstance(value, list):
        return value
    return [
        scrub(PartnerSection, item)
        if isinstance(item, dict) and item.get("person_id") == person_id
        else item
        for item in value
    ]


def _scrub_goals(value: Any, plan_ids: set[int]) -> Any:
    """An agreement's ``goals`` (JSON) with the goals linked to the person's plans scrubbed."""
    if not isinstance(value, list) or not plan_ids:
        return value
    return [
        scrub(PartnershipGoal, item)
        if isinstance(item, dict) and item.get("change_plan_id") in plan_ids
        else item
        for item in value
    ]


def _differ(before: Any, after: Any) -> int:
    if not isinstance(before, list) or not isinstance(after, list):
        return int(before != after)
    return sum(1 for old, new in zip(before, after, strict=True) if old != new)


# -- agreements ----------------------------------------------------------------------------------


def _scrub_agreements(tx: Transaction, person_id: int, plan_ids: set[int]) -> tuple[int, int]:
    """Scrub the person's section (and goals linked to their plans) in their agreements."""
    pair_ids = [
        p.id
        for p in tx.find(Partnership, person_a_id=person_id)
        + tx.find(Partnership, person_b_id=person_id)
    ]
    sections = goals = 0
    for agreement in tx.find(Agreement, partnership_id=pair_ids):
        data = agreement.model_dump(mode="json")
        partners = _scrub_sections(data["partners"], person_id)
        linked = _scrub_goals(data["goals"], plan_ids)
        sections += _differ(data["partners"], partners)
        goals += _differ(data["goals"], linked)
        new = Agreement.model_validate({**data, "partners": partners, "goals": linked})
        _rewrite(tx, agreement, new)
    return sections, goals


# -- record history ------------------------------------------------------------------------------


def _scrub_history(tx: Transaction, person_id: int, plan_ids: set[int]) -> int:
    """Scrub the person's words from the before and after values of the record history.

    Entries about their change plans lose the plans' words; entries about agreements lose the
    person's section (the partner's stays). A plan deleted earlier leaves entries that no longer
    name their owner; those changed by the person are taken to be theirs. Entries of other
    people's records, and numbers and dates anywhere, are left as they are.
    """
    h = schema.record_history
    plans = schema.change_plans
    updated = h.c.action == HistoryAction.UPDATED.value
    about_plans = sa.and_(
        h.c.table_name == plans.name,
        sa.or_(
            h.c.record_id.in_(sorted(plan_ids)),
            sa.and_(h.c.changed_by == person_id, h.c.record_id.not_in(sa.select(plans.c.id))),
        ),
    )
    agreements, pairs = schema.agreements, schema.partnerships
    theirs = sa.select(agreements.c.id).where(
        agreements.c.partnership_id.in_(
            sa.select(pairs.c.id).where(
                sa.or_(pairs.c.person_a_id == person_id, pairs.c.person_b_id == person_id)
            )
        )
    )
    # Entries of agreements since deleted are read too: their sections may hold the words.
    about_agreements = sa.and_(
        h.c.table_name == agreements.name,
        sa.or_(h.c.record_id.in_(theirs), h.c.record_id.not_in(sa.select(agreements.c.id))),
    )
    # Persons are not kept in history today; should that change, their old names go too.
    about_person = sa.and_(h.c.table_name == schema.persons.name, h.c.record_id == person_id)
    query = sa.select(h.c.id).where(updated, sa.or_(about_plans, about_agreements, about_person))
    ids = list(tx.connection.execute(query).scalars())
    changed = 0
    for start in range(0, len(ids), 500):
        for entry in tx.find(HistoryEntry, id=ids[start : start + 500]):
            table = entry.table_name
            changes = {
                name: FieldChange(
                    before=_scrub_change(table, name, change.before, person_id, plan_ids),
                    after=_scrub_change(table, name, change.after, person_id, plan_ids),
                )
                for name, change in entry.changes.items()
            }
            changed += _rewrite(tx, entry, entry.model_copy(update={"changes": changes}))
    return changed


def _scrub_change(table: str, name: str, value: Any, person_id: int, plan_ids: set[int]) -> Any:
    if table == schema.change_plans.name and name in ChangePlan.model_fields:
        return _scrub_value(ChangePlan, name, ChangePlan.model_fields[name].annotation, value)
    if table == schema.agreements.name and name == "partners":
        return _scrub_sections(value, person_id)
    if table == schema.agreements.name and name == "goals":
        return _scrub_goals(value, plan_ids)
    if table == schema.persons.name:
        return {"name": PLACEHOLDER, "email": "", "sign_in": None, "time_zone": "UTC"}.get(
            name, value
        )
    return value


# -- the database file ---------------------------------------------------------------------------


@contextmanager
def _secure_delete(tx: Transaction) -> Iterator[None]:
    """On SQLite, overwrite deleted content with zeros for the length of the transaction."""
    if tx.connection.dialect.name != "sqlite":
        yield
        return
    previous = int(tx.connection.exec_driver_sql("PRAGMA secure_delete").scalar_one())
    tx.connection.exec_driver_sql("PRAGMA secure_delete = ON")
    try:
        yield
    finally:
        tx.connection.exec_driver_sql(f"PRAGMA secure_delete = {previous}")


def _clean_storage(store: Store) -> bool | None:
    """Rewrite an SQLite file and empty its write-ahead log, so no deleted words linger there.

    Earlier versions of the pages that held the words may still sit in the log or in free pages
    of the file; ``VACUUM`` rebuilds the file from live rows only, and a truncating checkpoint
    empties the log. Returns whether that succeeded, or ``None`` when it does not apply.
    """
    if not store.is_sqlite:
        return None
    database = store.engine.url.database or ""
    if database in ("", ":memory:") or "mode=memory" in database:
        return None
    raw = store.engine.raw_connection()
    try:
        connection = raw.driver_connection
        connection.execute("VACUUM")
        busy, _, _ = connection.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    except sqlite3.OperationalError as exc:
        log.warning("the database file could not be rewritten after forgetting: %s", exc)
        return False
    finally:
        raw.close()
    if busy:
        log.warning("the write-ahead log could not be emptied: another connection is reading")
        return False
    return True
