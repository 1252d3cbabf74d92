"""The home page, built without a browser."""

from __future__ import annotations

import datetime as dt

from peercoach_lib import model
from peercoach_lib.apps import home, registry


def test_home_shows_demo_banner_and_what_the_workbook_holds(demo_store):
    page = home.build_home(demo_store)
    assert "Demo data" in page.banner.value
    counts = demo_store.counts()
    assert f">{counts['persons']:,}<" in page.summary.value
    assert page.facts["sessions_held"] == int(
        (demo_store.frame("sessions")["status"] == "held").sum()
    )
    assert "The most recent session was held on" in page.summary.value
    # "Running", as the dashboard's "Pairs active" means those of them that met.
    assert ">running partnerships<" in page.summary.value
    # One cohort is "1 cohort"; the data's place is a file, not a database address.
    assert ">1<" in page.summary.value and ">cohort<" in page.summary.value
    path = demo_store.url.removeprefix("sqlite:///")
    assert f"Data is kept in the file <code>{path}</code>." in page.summary.value
    assert "sqlite://" not in page.summary.value
    # Private notes are private between people who sign in: here, nobody does.
    assert "Nobody signs in here" in page.summary.value


def test_partnerships_starting_later_are_not_counted_as_running(store, pair):
    """Running, as the dashboard counts them: begun and not ended; those paired to start
    later are said apart."""
    people = [store.save(model.Person(name=n, cohort_id=pair["cohort"].id)) for n in "CD"]
    later = dt.date.today() + dt.timedelta(days=10)
    store.save(
        model.Partnership(
            cohort_id=pair["cohort"].id,
            person_a_id=people[0].id,
            person_b_id=people[1].id,
            started_on=later,
        )
    )
    facts = home.workbook_summary(store, today=dt.date.today())
    assert (facts["partnerships"], facts["starting_later"]) == (1, 1)
    page = home.build_home(store)
    assert ">1<" in page.summary.value and ">running partnership<" in page.summary.value
    assert "1 more partnership starts later." in page.summary.value


def test_home_of_an_empty_workbook_says_how_to_begin(store):
    page = home.build_home(store)
    assert page.banner.value == ""
    assert "This workbook is empty" in page.summary.value


def test_home_without_demo_data_has_no_banner(store, pair):
    page = home.build_home(store)
    assert page.banner.value == ""
    assert page.facts["partnerships"] == 1


def test_names_are_escaped(store):
    store.save(model.Cohort(name="<script>alert(1)</script>", starts_on=dt.date(2026, 1, 1)))
    store.save(model.Person(name="<b>Eve</b>"))
    page = home.build_home(store)
    assert "<script>" not in page.summary.value + page.apps.value


def test_a_database_that_cannot_be_opened_gives_a_message_not_a_traceback(tmp_path, monkeypatch):
    folder = tmp_path / "not-a-file.sqlite"
    folder.mkdir()
    monkeypatch.setenv("PEERCOACH_DB", str(folder))
    page = home.build_home()
    assert "cannot be opened" in page.banner.value
    assert page.summary.value == ""


def test_only_apps_whose_notebooks_exist_are_linked(store, tmp_path, monkeypatch):
    there = registry.AppInfo("there.ipynb", "There", "individuals", "Exists.")
    gone = registry.AppInfo("gone.ipynb", "Gone", "individuals", "Does not exist.")
    (tmp_path / "there.ipynb").write_text("{}")
    monkeypatch.setattr(registry, "APPS", (there, gone))
    monkeypatch.setattr(home, "notebooks_dir", lambda: tmp_path)
    page = home.build_home(store)
    assert 'href="there.ipynb"' in page.apps.value
    assert "gone.ipynb" not in page.apps.value


def test_every_registered_app_has_its_notebook():
    from peercoach_lib.config import notebooks_dir

    assert registry.available(notebooks_dir()) == list(registry.APPS)


def test_app_links_keep_the_persons_place(demo_store, monkeypatch):
    monkeypatch.setenv("QUERY_STRING", "person=3&partnership=2&junk=x")
    page = home.HomeApp(demo_store)
    assert 'href="session_log.ipynb?person=3&amp;partnership=2"' in page.apps.value
    monkeypatch.setenv("QUERY_STRING", "")
    assert 'href="session_log.ipynb"' in home.HomeApp(demo_store).apps.value


def test_people_who_asked_to_be_forgotten_are_not_counted(store, pair):
    before = home.build_home(store).facts["people"]
    store.save(model.Person(name="Former participant", forgotten_at=dt.datetime.now(dt.UTC)))
    assert home.build_home(store).facts["people"] == before
