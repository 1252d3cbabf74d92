"""The ``peercoach`` command: serve, demo data, enrol, export, import, forget, migrate-db."""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import os
import sys
import unicodedata
from collections.abc import Sequence
from pathlib import Path

from peercoach_lib import __version__, wording
from peercoach_lib.config import DB_VARIABLE, describe
from peercoach_lib.errors import (
    ConfigurationError,
    CopyRefused,
    ImportRefused,
    NotFoundError,
    RosterRefused,
    storage_problem,
)

#: The most kernels kept ready per app (each is a Python process of some 150 MB).
MOST_POOLED = 16

EPILOG = f"""\
Every command uses the database named by {DB_VARIABLE} (a database URL such as
sqlite:////path/to/file.sqlite or postgresql+psycopg://user@host/db, or a plain file path),
else data/peercoach.sqlite in the source checkout.
"""


def _whole(text: str, what: str = "a whole number") -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be {what}, not {text!r}") from None


def _positive(text: str) -> int:
    value = _whole(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return value


def _port(text: str) -> int:
    value = _whole(text, "a port number")
    if not 1 <= value <= 65535:
        raise argparse.ArgumentTypeError("must be a port number from 1 to 65535")
    return value


def _pool(text: str) -> int:
    value = _whole(text, "a number of kernels")
    if not 0 <= value <= MOST_POOLED:
        raise argparse.ArgumentTypeError(f"must be from 0 to {MOST_POOLED} kernels per app")
    return value


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError("must be a date such as 2026-03-01") from None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="peercoach",
        description="A reflective workbook for peer-coaching partnerships.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"peercoach {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    serve = commands.add_parser(
        "serve",
        help="serve the apps in the browser with Voilà",
        description="Serve the workbook's apps with Voilà. Loopback only unless --host says "
        "otherwise. Defaults come from PEERCOACH_HOST and PEERCOACH_PORT.",
    )
    serve.add_argument(
        "--host",
        default=os.environ.get("PEERCOACH_HOST", "127.0.0.1"),
        help="address to listen on (default: %(default)s)",
    )
    serve.add_argument(
        "--port",
        type=_port,
        default=os.environ.get("PEERCOACH_PORT", "8866"),
        help="port to listen on (default: %(default)s)",
    )
    serve.add_argument(
        "--debug", action="store_true", help="show tracebacks in the apps and log verbosely"
    )
    serve.add_argument(
        "--hub",
        action="store_true",
        help="run as a person's own server under JupyterHub (the hub starts it so: "
        "deploy/jupyterhub_config.py); address and sign-in come from the hub",
    )
    serve.add_argument(
        "--pool",
        type=_pool,
        default=os.environ.get("PEERCOACH_POOL", "1"),
        metavar="N",
        help="kernels kept ready per app so pages open at once; 0 starts one per page "
        "(default: %(default)s, or PEERCOACH_POOL)",
    )

    demo = commands.add_parser(
        "demo",
        help="write a synthetic demo cohort",
        description="Write a synthetic demo cohort (marked as demo data everywhere). The same "
        "seed and --as-of date give the same data.",
    )
    demo.add_argument("--pairs", type=_positive, default=12, help="pairs (default: %(default)s)")
    demo.add_argument(
        "--weeks", type=_positive, default=16, help="weeks of history (default: %(default)s)"
    )
    demo.add_argument("--seed", type=int, default=1, help="random seed (default: %(default)s)")
    demo.add_argument(
        "--as-of", type=_date, default=None, help="the day the history runs up to (default: today)"
    )
    demo.add_argument(
        "--if-empty", action="store_true", help="do nothing when the database already holds people"
    )

    export = commands.add_parser(
        "export",
        help="write the workbook as JSON (or CSV files)",
        description="Write the whole workbook, or everything about one person, as JSON "
        "(to standard output unless --output is given); or, with --csv, one CSV file per table.",
    )
    export.add_argument("--person", type=_positive, help="only what concerns this person id")
    target = export.add_mutually_exclusive_group()
    target.add_argument("--output", type=Path, help="JSON file to write")
    target.add_argument("--csv", type=Path, metavar="DIR", help="folder for one CSV per table")

    imp = commands.add_parser(
        "import",
        help="load a JSON export into the database",
        description="Load a JSON export. A malformed or conflicting file, or one holding what "
        "the apps would never make (someone in two partnerships at once, say), is refused with "
        "a message and changes nothing.",
    )
    imp.add_argument("file", type=Path, help="a file written by `peercoach export`")

    calendar = commands.add_parser(
        "calendar",
        help="write a partnership's sessions as an iCalendar (.ics) file",
        description="Write the booked sessions of a partnership as an iCalendar file, with "
        "reminders. Downloading it again updates the entries instead of duplicating them.",
    )
    calendar.add_argument(
        "--partnership",
        type=_positive,
        required=True,
        help="partnership id (`peercoach people` shows each person's)",
    )
    calendar.add_argument("--output", type=Path, help=".ics file to write (default: stdout)")

    forget = commands.add_parser(
        "forget",
        help="forget a person for good: their name and private words",
        description="Forget a person who asked for it. Their name and e-mail are replaced; their "
        "notes, preparations, drafts, feedback, conversations and ending notes are deleted; the "
        "words of their plans, commitments, assessments and agreement section are removed. "
        "Numbers and dates stay, so their partner's and the facilitator's figures still add up. "
        "This cannot be undone.",
    )
    forget.add_argument("--person", type=_positive, required=True, help="the person's id")
    forget.add_argument("--yes", action="store_true", help="do not ask before forgetting")

    move = commands.add_parser(
        "migrate-db",
        help="copy a whole workbook into an empty database (SQLite to PostgreSQL, or back)",
        description="Copy every table of one workbook database into another, keeping every id: "
        "to move from SQLite to PostgreSQL, or back. The target must hold no rows; its schema is "
        "brought to this version of peercoach first. The source must be at that version already "
        "(open it once with this peercoach, e.g. with `peercoach info`, to upgrade it). The copy "
        "is one transaction, checked by counting every table's rows on both sides: if anything "
        "differs or fails, nothing is kept. The source is only read. "
        f"{DB_VARIABLE} plays no part here.",
    )
    move.add_argument(
        "--from",
        dest="source",
        required=True,
        metavar="URL",
        help="the workbook to copy: a database URL or an SQLite file path",
    )
    move.add_argument(
        "--to",
        dest="target",
        required=True,
        metavar="URL",
        help="an empty database to copy into (an SQLite file is created if need be)",
    )

    enrol = commands.add_parser(
        "enrol",
        help="add or update a cohort's people from a roster (CSV) for a shared server",
        description="Put the people of a roster in a cohort (made if need be). The roster is a "
        "CSV file with a header row and the columns name, sign_in (the name a person signs in "
        "with), email, role (participant or facilitator) and time_zone; name and one of "
        "sign_in or email are required. People already in the workbook (same sign-in name, "
        "else same e-mail) are updated; nobody is removed, but a cohort has one facilitator: "
        "one named in the roster takes the place of the one before (the summary says whose). "
        "A roster with any fault is refused whole, every fault listed, and nothing is written.",
    )
    enrol.add_argument("roster", type=Path, help="the roster, a CSV file")
    enrol.add_argument(
        "--cohort", required=True, help="the cohort's name (made if need be), or its id"
    )

    people = commands.add_parser(
        "people",
        help="list the people in the workbook with their sign-in names and partnerships",
        description="List people: id, name, role, cohort, the name they sign in with, and their "
        "partnership (its id, for `peercoach calendar --partnership`, and the partner's name): "
        "the one running or starting later, else the last one, said to have ended.",
    )
    people.add_argument("--cohort", help="only this cohort (its id, or its name as enrolled)")

    commands.add_parser(
        "info",
        help="say which database is used and what it holds",
        description="Show the database in use, its schema version and counts.",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "export" and args.person is not None and args.csv is not None:
        # The CSV files are every table of the workbook: never what one person asked for.
        parser.error(
            "export: --person writes one person's records as JSON (--output FILE); "
            "--csv writes the whole workbook: use one or the other"
        )
    try:
        return _run(args)
    except (ConfigurationError, CopyRefused, ImportRefused, NotFoundError, RosterRefused) as exc:
        print(f"peercoach {args.command}: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        # The reader went away (`peercoach people | head`): stop quietly, as Unix tools do.
        # (Before OSError, of which it is one.)
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except OSError as exc:
        # A file or folder that cannot be written or read: say which, in one line.
        where = f": {exc.filename}" if exc.filename else ""
        print(f"peercoach {args.command}: {exc.strerror or exc}{where}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        # The database refusing (read-only, busy, unreachable): said in a line, not a traceback.
        if (problem := storage_problem(exc)) is None:
            raise
        print(f"peercoach {args.command}: {problem}.", file=sys.stderr)
        return 1


def _run(args: argparse.Namespace) -> int:
    if args.command == "serve":
        from peercoach_lib.serve import serve

        if args.hub:
            from peercoach_lib.serve import serve_under_hub

            serve_under_hub(debug=args.debug, pool_size=max(args.pool, 0))
            return 0
        serve(args.host, args.port, debug=args.debug, pool_size=max(args.pool, 0))
        return 0
    if args.command == "migrate-db":
        return _migrate_db(args)

    from peercoach_lib.store import Store

    if args.command in READ_ONLY_OR_EXISTING:
        _refuse_a_missing_workbook()
    file = _sqlite_file()
    made = file if file is not None and not file.exists() else None
    # The folders the store makes for a new file (none of them there yet), deepest first.
    folders = [] if made is None else [d for d in made.absolute().parents if not d.exists()]
    store = Store()
    try:
        if args.command == "demo":
            return _demo(store, args)
        if args.command == "export":
            return _export(store, args)
        if args.command == "import":
            return _import(store, args)
        if args.command == "calendar":
            return _calendar(store, args)
        if args.command == "forget":
            return _forget(store, args)
        if args.command == "enrol":
            return _enrol(store, args)
        if args.command == "people":
            return _people(store, args)
        return _info(store)
    except BaseException:
        store.close()
        if made is not None:
            # A refused roster or import leaves no empty workbook behind to be mistaken for one.
            for path in (made, *(made.with_name(made.name + end) for end in ("-wal", "-shm"))):
                path.unlink(missing_ok=True)
            for folder in folders:
                with contextlib.suppress(OSError):  # not empty after all: kept
                    folder.rmdir()
        raise
    finally:
        store.close()


#: Commands that read or change a workbook already there: never one made up for them.
READ_ONLY_OR_EXISTING = {"info", "people", "export", "calendar", "forget"}


def _refuse_a_missing_workbook() -> None:
    """A mistyped PEERCOACH_DB path must not quietly become a new, empty workbook."""
    file = _sqlite_file()
    if file is None or file.exists():
        return
    raise ConfigurationError(
        f"there is no workbook at {file}"
        + (
            f" ({DB_VARIABLE}); check the path"
            if os.environ.get(DB_VARIABLE)
            else f" (the default; set {DB_VARIABLE} to use another)"
        )
        + ", or make one with `peercoach enrol` (your cohort) or `peercoach demo`"
    )


def _sqlite_file() -> Path | None:
    """The workbook's file when it is an SQLite file named by its path, else None."""
    import sqlalchemy as sa

    from peercoach_lib.config import database_url

    url = sa.make_url(database_url())
    database = url.database or ""
    if url.get_backend_name() != "sqlite" or database in ("", ":memory:"):
        return None
    if database.startswith("file:"):
        return None
    return Path(database)


def _demo(store, args) -> int:
    from peercoach_lib import demo

    if args.if_empty and not store.is_empty():
        print(f"The database already holds data; no demo cohort added ({describe(store.url)}).")
        return 0
    from peercoach_lib.model import Cohort

    before = [c.name for c in store.find(Cohort) if c.is_demo]
    summary = demo.generate(
        store, pairs=args.pairs, weeks=args.weeks, seed=args.seed, as_of=args.as_of
    )
    made = summary.rows.get("partnerships", summary.pairs)
    extra = (
        f" ({made} partnerships in all: the demo ends some and pairs people anew)"
        if made != summary.pairs
        else ""
    )
    name = store.get(Cohort, summary.cohort_id).name
    print(
        f"{name} (cohort {summary.cohort_id}): {_counted(summary.pairs, 'pair')}{extra}, "
        f"{_counted(summary.weeks, 'week')} up to "
        f"{summary.as_of}, {summary.total_rows:,} rows written to {describe(store.url)}."
    )
    if before:
        print(
            f"It is beside the demo data there already ({', '.join(before)}): "
            "`peercoach demo --if-empty` adds a demo cohort to an empty database only.",
            file=sys.stderr,
        )
    return 0


def _export(store, args) -> int:
    from peercoach_lib import transfer

    if args.csv is not None:
        paths = transfer.export_csv(store, args.csv)
        print(
            f"Wrote {len(paths)} CSV files to {args.csv}: everything stored, private notes "
            "and drafts included, so keep them as safe as the database.",
            file=sys.stderr,
        )
        return 0
    document = transfer.export_document(store, args.person)
    text = transfer.write_json(document, args.output)
    if args.output is None:
        sys.stdout.write(text)
    else:
        count = sum(len(rows) for rows in document["records"].values())
        print(f"Wrote {count:,} records to {args.output}.", file=sys.stderr)
    return 0


def _kind(table: str, count: int) -> str:
    """A table's name for ``count`` of its records: "1 cohort", "2 people", "3 session_notes"."""
    if table == "persons":
        return "person" if count == 1 else "people"
    if count == 1 and table.endswith("s"):
        return table.removesuffix("es") if table.endswith("sses") else table[:-1]
    return table


def _import(store, args) -> int:
    from peercoach_lib import transfer

    document = transfer.read_document(args.file)
    added = transfer.import_document(store, document)
    total = sum(added.values())
    detail = ", ".join(f"{n} {_kind(name, n)}" for name, n in added.items()) or "nothing new"
    print(f"Imported {total:,} record{'' if total == 1 else 's'} from {args.file}: {detail}.")
    return 0


def _calendar(store, args) -> int:
    from peercoach_lib.calendar import partnership_calendar

    data = partnership_calendar(store, args.partnership)
    if args.output is None:
        sys.stdout.buffer.write(data)
        return 0
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_bytes(data)
    print(
        f"Wrote the schedule of partnership {args.partnership} to {args.output}.", file=sys.stderr
    )
    return 0


def _forget(store, args) -> int:
    from peercoach_lib.forget import forget_person
    from peercoach_lib.model import Cohort, Person

    person = store.get(Person, args.person)
    # A cohort's facilitator leaves it without one: said before asking, and after.
    led = [c for c in store.find(Cohort) if c.facilitator_id == person.id]
    if led and person.forgotten_at is None:
        named = ", ".join(f"{c.name!r} (cohort {c.id})" for c in led)
        lead_note = (
            f"{person.name} is the facilitator of {named}: it has none once they are forgotten, "
            "until a roster names one (peercoach enrol, a row whose role is facilitator)."
        )
    else:
        lead_note = ""
    if not args.yes and not sys.stdin.isatty():
        print(
            f"Nothing was changed: forgetting person {person.id} cannot be undone, so without a "
            "terminal to ask at, it needs --yes.",
            file=sys.stderr,
        )
        return 1
    if not args.yes:
        if lead_note:
            print(lead_note, file=sys.stderr)
        prompt = f"Forget {person.name} (person {person.id})? This cannot be undone. Type yes: "
        try:
            answer = input(prompt)
        except EOFError:
            answer = ""
        if answer.strip().lower() != "yes":
            print(f"Nothing was changed; person {person.id} is not forgotten.", file=sys.stderr)
            return 1
    report = forget_person(store, args.person)
    print(report.summary())
    if lead_note and args.yes:
        print(lead_note.replace(" is the facilitator of ", " was the facilitator of "))
    return 0


def _enrol(store, args) -> int:
    from peercoach_lib.enrol import enrol_file

    print(enrol_file(store, args.roster, args.cohort).summary())
    if store.has_demo_data():
        # Easily done: `make app` fills an empty workbook with the demo before anyone enrols.
        print(
            "Note: this workbook also holds demo data, made-up people who are listed beside "
            "yours (by `peercoach people`, on the home page, in the apps). For a real cohort, "
            "use a database of its own: set PEERCOACH_DB to a new one and enrol there "
            "(README: Deploy for a cohort)."
        )
    return 0


def _people(store, args) -> int:
    from peercoach_lib import dates
    from peercoach_lib.model import Cohort, Partnership, Person

    cohorts = {c.id: c.name for c in store.find(Cohort)}
    wanted = None
    if args.cohort is not None:
        given = args.cohort.strip()
        by_name = [k for k, name in cohorts.items() if name.casefold() == given.casefold()]
        if len(by_name) > 1 and not (given.isdigit() and int(given) in cohorts):
            ids = ", ".join(str(k) for k in by_name)
            raise NotFoundError(
                f"{len(by_name)} cohorts are named {given!r} (ids {ids}): give the id of the one "
                "meant"
            )
        wanted = int(given) if given.isdigit() and int(given) in cohorts else None
        wanted = wanted if wanted is not None else (by_name[0] if len(by_name) == 1 else None)
        if wanted is None:
            known = ", ".join(f"{k} ({name})" for k, name in sorted(cohorts.items())) or "none yet"
            raise NotFoundError(f"there is no cohort {given!r}; the cohorts are: {known}")
    where = {"cohort_id": wanted} if wanted is not None else {}
    names = {p.id: p.name for p in store.find(Person)}
    # Each person's partnership: one not ended (running, or starting later) before any ended,
    # then the newest.
    latest: dict[int, Partnership] = {}
    for q in sorted(store.find(Partnership), key=lambda q: (q.is_active, q.started_on, q.id)):
        latest.update(dict.fromkeys(q.members, q))

    def partnership(person_id: int) -> str:
        q = latest.get(person_id)
        if q is None:
            return "-"
        partner = names.get(next(m for m in q.members if m != person_id), "?")
        if not q.is_active:
            return f"{q.id} with {partner}, ended"
        starts = q.started_on > dt.date.today()
        return f"{q.id} with {partner}" + (f", from {dates.short(q.started_on)}" if starts else "")

    rows = [
        # Someone without a sign-in name signs in with their e-mail address (README: Deploy).
        (
            str(p.id),
            p.name,
            p.role,
            cohorts.get(p.cohort_id, "-"),
            p.sign_in or p.email or "-",
            partnership(p.id),
        )
        for p in sorted(store.find(Person, **where), key=lambda p: wording.alphabetical(p.name))
        if p.forgotten_at is None
    ]
    header = ("id", "name", "role", "cohort", "signs in as", "partnership")
    widths = [max(_width(r[i]) for r in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        cells = (v + " " * (w - _width(v)) for v, w in zip(row, widths, strict=True))
        print("  ".join(cells).rstrip())
    return 0


def _counted(count: int, noun: str) -> str:
    return f"{count} {noun}" + ("" if count == 1 else "s")


def _width(text: str) -> int:
    """Columns ``text`` takes in a terminal: wide (East Asian) characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _migrate_db(args) -> int:
    from peercoach_lib.store import migrate
    from peercoach_lib.store.copy_db import copy_database

    report = copy_database(args.source, args.target)
    print(
        f"Copied {report.total:,} rows from {describe(report.source)} to "
        f"{describe(report.target)} (schema version {migrate.HEAD}); every table's row count "
        "matches the source:"
    )
    for name, count in report.rows.items():
        print(f"  {name:<16} {count:>10,}")
    return 0


def _info(store) -> int:
    print(f"Database: {describe(store.url)}")
    print(f"Schema version: {store.schema_revision}")
    print(f"Demo data: {'yes' if store.has_demo_data() else 'no'}")
    for name, count in store.counts().items():
        print(f"  {name:<16} {count:>10,}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
