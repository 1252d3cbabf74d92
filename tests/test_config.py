"""Where the database is: the same answer for notebooks, the CLI and tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from peercoach_lib import config
from peercoach_lib.errors import ConfigurationError


def test_default_is_the_checkouts_data_folder():
    url = config.database_url({})
    root = config.repository_root()
    assert root is not None
    assert url == f"sqlite:///{root / 'data' / 'peercoach.sqlite'}"


def test_a_plain_relative_path_is_made_absolute(tmp_path):
    assert config.database_url({"PEERCOACH_DB": "x/work.sqlite"}, cwd=tmp_path) == (
        f"sqlite:///{tmp_path / 'x' / 'work.sqlite'}"
    )
    assert config.database_url({"PEERCOACH_DB": "sqlite:///rel.sqlite"}, cwd=tmp_path) == (
        f"sqlite:///{tmp_path / 'rel.sqlite'}"
    )


def test_other_urls_pass_through():
    url = "postgresql+psycopg://coach:secret@db.example.org:5432/workbook"
    assert config.database_url({"PEERCOACH_DB": url}) == url
    assert "secret" not in config.describe(url)
    assert config.database_url({"PEERCOACH_DB": "sqlite:///:memory:"}) == "sqlite:///:memory:"
    # The short scheme hosting services hand out is PostgreSQL too.
    short = "postgres://coach:secret@db.example.org:5432/workbook"
    assert config.database_url({"PEERCOACH_DB": short}) == short.replace("postgres:", "postgresql:")


def test_a_malformed_url_is_explained():
    with pytest.raises(ConfigurationError, match="is not a database URL"):
        config.database_url({"PEERCOACH_DB": "postgresql://user@host:notaport/db"})


@pytest.mark.parametrize("value", ["sqlite:/tmp/x.sqlite", "sqlite:x.sqlite", "postgresql:db"])
def test_a_url_missing_its_slashes_is_explained_not_taken_for_a_file_name(value):
    """ "sqlite:/tmp/x.sqlite" became a file of that name in the current folder."""
    with pytest.raises(ConfigurationError, match="four slashes"):
        config.database_url({"PEERCOACH_DB": value})
    # A file that is only named so is a file.
    assert config.database_url({"PEERCOACH_DB": "sqlite"}, cwd=Path("/tmp")) == (
        "sqlite:////tmp/sqlite"
    )


def test_notebooks_live_in_the_checkout():
    assert (config.notebooks_dir() / "index.ipynb").is_file()
    assert Path(config.data_dir()).name == "data"


def test_make_hub_without_a_sign_in_says_so_before_installing_anything(tmp_path):
    """It installed the hub's packages and npm's first, then said a password was needed."""
    import os
    import subprocess

    env = {k: v for k, v in os.environ.items() if not k.startswith(("PEERCOACH_HUB_", "MAKEFLAGS"))}
    # A virtual environment that does not exist: anything the target installed would show.
    done = subprocess.run(
        ["make", "hub", f"VENV={tmp_path / 'venv'}"],
        cwd=Path(config.__file__).resolve().parents[1],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "Set PEERCOACH_HUB_PASSWORD" in done.stdout
    assert "pip" not in done.stdout + done.stderr and not (tmp_path / "venv").exists()
