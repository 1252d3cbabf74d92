"""The `peercoach` command, as a person types it."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from peercoach_lib import cli, model
from peercoach_lib.store import Store, migrate
from tests.conftest import AS_OF


@pytest.fixture
def db(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'cli.sqlite'}"
    monkeypatch.setenv("PEERCOACH_DB", url)
    return url


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


def test_demo_fills_an_empty_database_once(db, capsys):
    args = ["demo", "--pairs", "3", "--weeks", "6", "--seed", "2", "--as-of", str(AS_OF)]
    assert cli.main([*args, "--if-empty"]) == 0
    assert "3 pairs, 6 weeks" in capsys.readouterr().out
    assert cli.main([*args, "--if-empty"]) == 0
    assert "already holds data" in capsys.readouterr().out
    with Store(db) as store:
        # The three pairs, and a partnership that ended with the one that followed it.
        assert store.counts()["partnerships"] == 3 + 2


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
    assert "Imported" in capsys.readouterr().out
    assert cli.main(["export", "--person", "2", "--output", str(tmp_path / "p.json")]) == 0
    assert json.loads((tmp_path / "p.json").read_text())["person"] == 2
    assert cli.main(["export", "--csv", str(tmp_path / "csv")]) == 0
    assert (tmp_path / "csv" / "sessions.csv").is_file()


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
