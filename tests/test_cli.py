"""The `peercoach` command, as a person types it."""

from __future__ import annotations

import datetime as dt
import json
import socket
import subprocess
import sys

import pytest

from peercoach_lib import cli, dates, model
from peercoach_lib.store import Store, migrate
from tests.browser.harness import free_port
from tests.conftest import AS_OF


@pytest.fixture
def db(tmp_path, monkeypatch):
    """An empty workbook, named by PEERCOACH_DB."""
    url = f"sqlite:///{tmp_path / 'cli.sqlite'}"
    monkeypatch.setenv("PEERCOACH_DB", url)
    Store(url).close()
    return url


@pytest.mark.parametrize(
    "command",
    [
        ["info"],
        ["people"],
        ["export"],
        ["calendar", "--partnership", "1"],
        ["forget", "--person", "1"],
    ],
)
def test_a_mistyped_path_is_not_made_into_an_empty_workbook(tmp_path, monkeypatch, capsys, command):
    typo = tmp_path / "no-such-folder" / "workbook.sqlite"
    monkeypatch.setenv("PEERCOACH_DB", str(typo))
    assert cli.main(command) == 2
    assert capsys.readouterr().err == (
        f"peercoach {command[0]}: there is no workbook at {typo} (PEERCOACH_DB); check the "
        "path, or make one with `peercoach enrol` (your cohort) or `peercoach demo`\n"
    )
    assert not typo.parent.exists()


@pytest.mark.parametrize(
    ("command", "content"),
    [
        (["enrol", "{file}", "--cohort", "Spring 2027"], "name,sign_in\nAnn Becker,\n"),
        (["import", "{file}"], "{not json"),
    ],
)
def test_a_refused_roster_or_import_leaves_no_new_workbook_behind(
    tmp_path, monkeypatch, capsys, command, content
):
    workbook = tmp_path / "new" / "folders" / "new.sqlite"
    monkeypatch.setenv("PEERCOACH_DB", str(workbook))
    given = tmp_path / "given.txt"
    given.write_text(content)
    assert cli.main([part.format(file=given) for part in command]) == 2
    assert capsys.readouterr().err.startswith(f"peercoach {command[0]}: ")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["given.txt"]
    given.write_text("name,sign_in\nAnn Becker,abecker\n")
    assert cli.main(["enrol", str(given), "--cohort", "Spring 2027"]) == 0
    assert workbook.exists()
    given.write_text("name,sign_in\nBen Cruz,\n")
    assert cli.main(["enrol", str(given), "--cohort", "Spring 2027"]) == 2
    capsys.readouterr()
    assert cli.main(["people"]) == 0
    assert "Ann Becker" in capsys.readouterr().out


def test_without_a_workbook_the_default_place_is_named_as_the_default(
    tmp_path, monkeypatch, capsys
):
    monkeypatch.delenv("PEERCOACH_DB")
    monkeypatch.setattr("peercoach_lib.config.data_dir", lambda: tmp_path / "data")
    assert cli.main(["info"]) == 2
    err = capsys.readouterr().err
    assert f"there is no workbook at {tmp_path / 'data' / 'peercoach.sqlite'} (the default; " in err
    assert "set PEERCOACH_DB to use another)" in err


def test_people_of_a_cohort_that_does_not_exist_is_an_error(db, capsys):
    cli.main(["demo", "--pairs", "1", "--weeks", "2"])
    assert (
        ": 1 pair (3 partnerships in all: the demo ends some and pairs people anew), 2 weeks"
        in (capsys.readouterr().out)
    )
    assert cli.main(["people", "--cohort", "99"]) == 2
    assert "there is no cohort '99'; the cohorts are: 1 (" in capsys.readouterr().err
    assert cli.main(["people", "--cohort", "Autumn 2027"]) == 2
    assert "there is no cohort 'Autumn 2027'; the cohorts are: 1 (" in capsys.readouterr().err


def test_people_of_a_cohort_named_as_enrolled(db, capsys):
    cli.main(["demo", "--pairs", "1", "--weeks", "2"])
    capsys.readouterr()
    name = Store(db).find(model.Cohort)[0].name
    assert cli.main(["people", "--cohort", name.upper()]) == 0
    by_name = capsys.readouterr().out
    assert cli.main(["people", "--cohort", "1"]) == 0
    assert capsys.readouterr().out == by_name and "participant" in by_name


def test_people_names_each_persons_partnership_for_the_calendar_command(db, capsys):
    """The partnership id the calendar command asks for is found on the command line: the one
    running (or starting later) before an ended one, else the last, said to have ended."""
    cli.main(["demo", "--pairs", "1", "--weeks", "2"])
    capsys.readouterr()
    store = Store(db)
    people = {p.id: p for p in store.find(model.Person)}
    partnerships = store.find(model.Partnership)
    assert any(not q.is_active for q in partnerships), "the demo ends a partnership"
    assert cli.main(["people"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split()[-1] == "partnership"
    said = {int(line.split()[0]): line for line in lines[1:]}
    for person in people.values():
        theirs = [q for q in partnerships if person.id in q.members]
        if not theirs:
            assert said[person.id].endswith(" -")
            continue
        q = max(theirs, key=lambda q: (q.is_active, q.started_on, q.id))
        partner = people[next(m for m in q.members if m != person.id)].name
        ended = "" if q.is_active else ", ended"
        assert said[person.id].endswith(f"  {q.id} with {partner}{ended}"), said[person.id]
    assert any(line.endswith(", ended") for line in said.values())
    # A pair yet to start says from when (it read as running).
    cohort_id = next(p.cohort_id for p in people.values() if p.cohort_id)
    una, vic = (store.save(model.Person(name=n, cohort_id=cohort_id)) for n in ("Una", "Vic"))
    starts = dt.date.today() + dt.timedelta(days=40)
    later = store.save(
        model.Partnership(
            cohort_id=cohort_id, person_a_id=una.id, person_b_id=vic.id, started_on=starts
        )
    )
    assert cli.main(["people"]) == 0
    (una_line,) = [line for line in capsys.readouterr().out.splitlines() if " Una " in line]
    assert una_line.endswith(f"  {later.id} with Vic, from {dates.short(starts)}"), una_line
    assert cli.main(["calendar", "--partnership", "99"]) == 2
    assert "there is no partnership 99 (`peercoach people` shows each person's partnership)" in (
        capsys.readouterr().err
    )


def test_a_name_two_cohorts_share_asks_for_the_id(db, tmp_path, capsys):
    """Two cohorts of one name (an import can bring one): `people` said there was no such
    cohort, listing both; `enrol` took the first without a word."""
    store = Store(db)
    twins = [store.save(model.Cohort(name="Spring 2027")) for _ in range(2)]
    ids = ", ".join(str(c.id) for c in twins)
    assert cli.main(["people", "--cohort", "spring 2027"]) == 2
    assert f"2 cohorts are named 'spring 2027' (ids {ids}): give the id" in capsys.readouterr().err
    roster = tmp_path / "roster.csv"
    roster.write_text("name,sign_in\nAnn Becker,abecker\n")
    assert cli.main(["enrol", str(roster), "--cohort", "Spring 2027"]) == 2
    assert f"2 cohorts are named 'Spring 2027' (ids {ids}): give the id" in (
        capsys.readouterr().err
    )
    assert store.find(model.Person) == []
    assert cli.main(["enrol", str(roster), "--cohort", str(twins[1].id)]) == 0
    assert [p.cohort_id for p in store.find(model.Person)] == [twins[1].id]


def test_help_documents_every_command(capsys):
    with pytest.raises(SystemExit) as exited:
        cli.main(["--help"])
    assert exited.value.code == 0
    out = capsys.readouterr().out
    for command in ("serve", "demo", "export", "import", "calendar", "migrate-db", "info"):
        assert command in out
    assert "PEERCOACH_DB" in out
    for command in ("serve", "demo", "export", "import", "migrate-db"):
        with pytest.raises(SystemExit):
            cli.main([command, "--help"])
        assert "usage: peercoach " + command in capsys.readouterr().out


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        (["--pool", "-1"], "must be from 0 to 16 kernels per app"),
        (["--pool", "two"], "must be a number of kernels, not 'two'"),
        ({"PEERCOACH_POOL": "2x"}, "must be a number of kernels, not '2x'"),
    ],
)
def test_a_bad_pool_size_is_refused_and_other_commands_still_work(
    setting, message, db, monkeypatch, capsys
):
    args = setting if isinstance(setting, list) else []
    for name, value in (setting if isinstance(setting, dict) else {}).items():
        monkeypatch.setenv(name, value)
    assert cli.main(["info"]) == 0  # nothing but serve reads the pool size
    capsys.readouterr()
    with pytest.raises(SystemExit) as exited:
        cli.main(["serve", *args])
    assert exited.value.code == 2
    assert message in capsys.readouterr().err


def test_demo_fills_an_empty_database_once(db, capsys):
    args = ["demo", "--pairs", "3", "--weeks", "6", "--seed", "2", "--as-of", str(AS_OF)]
    assert cli.main([*args, "--if-empty"]) == 0
    # The three pairs, and a partnership that ended with the one that followed it.
    assert "3 pairs (5 partnerships in all: the demo ends some and pairs people anew), 6 weeks" in (
        capsys.readouterr().out
    )
    assert cli.main([*args, "--if-empty"]) == 0
    assert "already holds data" in capsys.readouterr().out
    with Store(db) as store:
        # The three pairs, and a partnership that ended with the one that followed it.
        assert store.counts()["partnerships"] == 3 + 2
        first = store.find(model.Cohort)[0].name
    # Without --if-empty, another beside it, said (a second run doubled the demo unsaid).
    assert cli.main(args) == 0
    said = capsys.readouterr()
    assert "(2) (cohort 2)" in said.out
    assert f"beside the demo data there already ({first})" in said.err


def test_export_to_stdout_and_import_elsewhere(db, tmp_path, capsys, monkeypatch):
    cli.main(["demo", "--pairs", "2", "--weeks", "4", "--as-of", str(AS_OF)])
    capsys.readouterr()
    assert cli.main(["export"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["format"] == "peercoach-export" and document["records"]["persons"]
    path = tmp_path / "export.json"
    path.write_text(json.dumps(document))
    monkeypatch.setenv("PEERCOACH_DB", f"sqlite:///{tmp_path / 'other.sqlite'}")
    assert cli.main(["import", str(path)]) == 0
    said = capsys.readouterr().out
    assert said.startswith("Imported ") and " people, 1 cohort, " in said
    assert cli.main(["export", "--person", "2", "--output", str(tmp_path / "p.json")]) == 0
    assert json.loads((tmp_path / "p.json").read_text())["person"] == 2
    assert cli.main(["export", "--csv", str(tmp_path / "csv")]) == 0
    assert (tmp_path / "csv" / "sessions.csv").is_file()


def test_one_persons_export_is_never_written_as_the_whole_workbooks_csv(db, tmp_path, capsys):
    cli.main(["demo", "--pairs", "2", "--weeks", "4", "--as-of", str(AS_OF)])
    capsys.readouterr()
    with pytest.raises(SystemExit) as refused:
        cli.main(["export", "--person", "2", "--csv", str(tmp_path / "csv")])
    assert refused.value.code == 2
    assert "--person writes one person's records as JSON" in capsys.readouterr().err
    assert not (tmp_path / "csv").exists()  # nothing of anyone else was written


def test_a_bad_import_exits_non_zero_and_changes_nothing(db, tmp_path, capsys):
    with Store(db) as store:
        store.save(model.Person(name="Kept"))
    bad = tmp_path / "bad.json"
    bad.write_text(
        '{"format": "peercoach-export", "version": 1, "records": {"persons": '
        '[{"id": 5, "name": "", "role": "boss"}]}}'
    )
    assert cli.main(["import", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "nothing was imported" in err and "Name: cannot be empty" in err
    assert cli.main(["import", str(tmp_path / "missing.json")]) == 2
    assert "no such file" in capsys.readouterr().err
    with Store(db) as store:
        assert [p.name for p in store.find(model.Person)] == ["Kept"]


def test_unknown_person_and_bad_arguments(db, capsys):
    assert cli.main(["export", "--person", "42"]) == 2
    assert "there is no person 42" in capsys.readouterr().err
    for args in (
        ["demo", "--pairs", "0"],
        ["demo", "--as-of", "2026-13-01"],
        ["serve", "--port", "70000"],
        ["migrate-db", "--from", "a.sqlite"],
    ):
        with pytest.raises(SystemExit) as exited:
            cli.main(args)
        assert exited.value.code == 2


def test_info_names_the_database(db, capsys):
    assert cli.main(["info"]) == 0
    out = capsys.readouterr().out
    assert db in out and f"Schema version: {migrate.head_revision()}" in out


def test_the_installed_console_script_runs():
    result = subprocess.run(
        [sys.executable, "-m", "peercoach_lib.cli", "--version"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.startswith("peercoach ")


@pytest.mark.parametrize(
    ("setting", "said"),
    [
        ("", "PEERCOACH_DB is set but empty"),
        ("   ", "PEERCOACH_DB is set but empty"),
        ("mysql://someone@somewhere/db", "cannot use a mysql database"),
        ("{file}", "file is not a database"),
    ],
)
def test_a_database_that_cannot_be_used_is_one_line_not_a_traceback(
    tmp_path, monkeypatch, capsys, setting, said
):
    text = tmp_path / "notes.txt"
    text.write_text("not a database\n")
    monkeypatch.setenv("PEERCOACH_DB", setting.format(file=text))
    assert cli.main(["info"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("peercoach info: ") and said in err and "Traceback" not in err
    assert err.count("\n") == 1
    assert text.read_text() == "not a database\n"


def test_a_file_that_cannot_be_written_is_one_line_not_a_traceback(db, tmp_path, capsys):
    folder = tmp_path / "a-folder"
    folder.mkdir()
    taken = tmp_path / "taken.csv"
    taken.write_text("mine\n")
    for args, said in (
        (["export", "--output", str(folder)], f"Is a directory: {folder}"),
        (["export", "--csv", str(taken)], f"File exists: {taken}"),
    ):
        assert cli.main(args) == 2
        err = capsys.readouterr().err
        assert err == f"peercoach export: {said}\n"
    assert taken.read_text() == "mine\n"


def test_serve_refuses_a_port_in_use(db, capsys):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert cli.main(["serve", "--port", str(port)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"peercoach serve: cannot listen on 127.0.0.1:{port}: ")
    assert err.count("\n") == 1


def test_serve_refuses_a_database_it_cannot_open(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("PEERCOACH_DB", str(tmp_path))  # a folder, not a database
    assert cli.main(["serve", "--port", str(free_port())]) == 2
    assert "peercoach serve: cannot open the database" in capsys.readouterr().err


def test_the_server_keeps_to_the_port_it_was_given():
    from peercoach_lib.serve import voila_config

    assert voila_config("127.0.0.1", 8866).Voila.port_retries == 0


def test_a_number_that_is_not_one_says_so_in_plain_words(capsys):
    with pytest.raises(SystemExit):
        cli.main(["demo", "--pairs", "abc"])
    err = capsys.readouterr().err
    assert "--pairs: must be a whole number, not 'abc'" in err and "_positive" not in err


def test_serve_says_which_workbook_it_serves_and_what_it_holds(tmp_path, monkeypatch, capsys):
    from peercoach_lib import demo, serve

    monkeypatch.setattr(serve.WorkbookVoila, "launch_instance", lambda **kwargs: None)
    mistyped = tmp_path / "coachng.sqlite"
    monkeypatch.setenv("PEERCOACH_DB", str(mistyped))
    assert cli.main(["serve", "--port", str(free_port())]) == 0
    err = capsys.readouterr().err
    assert f"{mistyped} is a new, empty workbook (if you meant another, set PEERCOACH_DB" in err

    store = Store(f"sqlite:///{mistyped}")
    demo.generate(store, pairs=3, weeks=4, seed=1, as_of=AS_OF)
    counts = store.counts()
    store.close()
    assert cli.main(["serve", "--port", str(free_port())]) == 0
    said = f"{counts['persons']} people, {counts['partnerships']} partnerships, demo data\n"
    assert capsys.readouterr().err.endswith(said)


def test_a_reader_going_away_stops_quietly(db, monkeypatch, capsys):
    def broken(_args):
        raise BrokenPipeError(32, "Broken pipe")

    monkeypatch.setattr(cli, "_run", broken)
    # Leave the test's own stdout alone: record what would point it at /dev/null.
    pointed = []
    monkeypatch.setattr(cli.os, "dup2", lambda *a: pointed.append(a))
    monkeypatch.setattr(cli.sys.stdout, "fileno", lambda: 1, raising=False)
    assert cli.main(["info"]) == 1
    assert capsys.readouterr().err == "" and pointed


def test_a_read_only_workbook_is_said_in_a_line_not_a_traceback(db, tmp_path, monkeypatch, capsys):
    """enrol, forget and demo on a database that cannot be written ended in SQLAlchemy's
    traceback; reading it still works."""
    file = tmp_path / "cli.sqlite"
    monkeypatch.setenv("PEERCOACH_DB", f"sqlite:///file:{file}?mode=ro&uri=true")
    assert cli.main(["demo", "--pairs", "2", "--weeks", "2", "--as-of", str(AS_OF)]) == 1
    err = capsys.readouterr().err
    assert err == (
        "peercoach demo: the workbook's database is read-only here (its file, or its folder, "
        "cannot be written), so nothing can be saved until whoever keeps the workbook makes it "
        "writable.\n"
    )
    assert cli.main(["info"]) == 0
    with Store(f"sqlite:///{file}") as store:
        assert store.is_empty()


def test_people_are_listed_in_alphabetical_order(db, capsys):
    with Store(db) as store:
        for name in ("Zoë Adams", "Łukasz Nowak", "émile Roy", "Emma Stone", "O'Brien", "Oakley"):
            store.save(model.Person(name=name))
    assert cli.main(["people"]) == 0
    lines = capsys.readouterr().out.splitlines()[1:]
    assert [line.split("  ")[1].strip() for line in lines] == [
        "émile Roy", "Emma Stone", "Łukasz Nowak", "Oakley", "O'Brien", "Zoë Adams"
    ]  # fmt: skip
