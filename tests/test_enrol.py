"""Enrolling a cohort from a roster, and the pieces of the hub deployment that know the workbook."""

from __future__ import annotations

import asyncio
import datetime as dt
from concurrent.futures import ThreadPoolExecutor

import pytest
from jupyterhub.auth import Authenticator

from peercoach_lib import cli, enrol, hub, model, partnerships
from peercoach_lib.errors import ConfigurationError, RosterRefused
from peercoach_lib.serve import hub_config
from peercoach_lib.store import Store

ROSTER = """\
name,sign_in,email,role,time_zone
Fay Facilitator,fay,fay@example.org,facilitator,Europe/Berlin
Ann Archer,ann,,participant,
Bea Brook,,bea@example.org,,America/New_York
"""


def test_a_roster_makes_the_cohort_its_people_and_its_facilitator(store):
    done = enrol.enrol(store, enrol.read_roster(ROSTER), "Spring 2027", today=dt.date(2027, 3, 1))
    assert done.cohort_created and len(done.added) == 3 and not done.updated
    people = {p.name: p for p in store.find(model.Person)}
    cohort = store.find(model.Cohort)[0]
    assert (cohort.name, cohort.starts_on) == ("Spring 2027", dt.date(2027, 3, 1))
    assert cohort.facilitator_id == people["Fay Facilitator"].id
    assert {p.cohort_id for p in people.values()} == {cohort.id}
    assert people["Ann Archer"].sign_in == "ann" and people["Ann Archer"].role == "participant"
    assert people["Bea Brook"].sign_in is None
    assert people["Bea Brook"].time_zone == "America/New_York"
    assert "Facilitator: Fay Facilitator." in done.summary()


def test_enrolling_again_updates_and_adds_but_never_removes(store):
    enrol.enrol(store, enrol.read_roster(ROSTER), "Spring 2027")
    again = """name,sign_in,email
Ann Archer-Lee,ANN,ann@example.org
Bea Brook,bea,bea@example.org
Cal Cole,cal,
"""
    done = enrol.enrol(store, enrol.read_roster(again), "Spring 2027")
    assert not done.cohort_created
    assert sorted(p.name for p in done.updated) == ["Ann Archer-Lee", "Bea Brook"]
    assert [p.name for p in done.added] == ["Cal Cole"]
    people = {p.name: p for p in store.find(model.Person)}
    assert len(people) == 4  # Fay stays
    assert people["Bea Brook"].sign_in == "bea"  # found by e-mail, given a sign-in name
    # Who changed, and from what to what: a row's new name is said, not slipped in.
    summary = done.summary().splitlines()
    assert (
        "Updated Ann Archer (ann): name Ann Archer -> Ann Archer-Lee; e-mail (none) -> "
        "ann@example.org."
    ) in summary
    assert "Updated Bea Brook (bea@example.org): sign-in (none) -> bea." in summary


def test_empty_cells_leave_what_an_enrolled_person_has_and_unchanged_people_are_told(store):
    enrol.enrol(store, enrol.read_roster(ROSTER), "Spring 2027")
    # An updated roster: Bea's time zone and Fay's e-mail cells empty, no role column at all.
    again = """name,sign_in,email,time_zone
Fay Facilitator,fay,,
Ann Archer,ann,ann@example.org,Asia/Tokyo
Bea Brook,,bea@example.org,
"""
    done = enrol.enrol(store, enrol.read_roster(again), "Spring 2027")
    people = {p.name: p for p in store.find(model.Person)}
    fay, ann, bea = (people[n] for n in ("Fay Facilitator", "Ann Archer", "Bea Brook"))
    assert (fay.email, fay.time_zone, fay.role) == (
        "fay@example.org",
        "Europe/Berlin",
        "facilitator",
    )
    assert (ann.email, ann.time_zone) == ("ann@example.org", "Asia/Tokyo")  # filled in: taken
    assert (bea.time_zone, bea.role) == ("America/New_York", "participant")
    assert [p.name for p in done.updated] == ["Ann Archer"]
    assert sorted(p.name for p in done.unchanged) == ["Bea Brook", "Fay Facilitator"]
    assert "0 people added, 1 updated, 2 unchanged." in done.summary()
    # A roster without the columns at all keeps them too.
    enrol.enrol(store, enrol.read_roster("name,sign_in\nAnn Archer,ann\n"), "Spring 2027")
    ann = next(p for p in store.find(model.Person) if p.sign_in == "ann")
    assert (ann.email, ann.time_zone) == ("ann@example.org", "Asia/Tokyo")
    # Someone new with empty cells gets the defaults.
    enrol.enrol(store, enrol.read_roster("name,sign_in,time_zone\nDee,dee,\n"), "Spring 2027")
    dee = next(p for p in store.find(model.Person) if p.sign_in == "dee")
    assert (dee.email, dee.time_zone, dee.role) == ("", "UTC", "participant")


def test_a_roster_without_sign_in_names_finds_people_by_e_mail_every_time(store):
    enrol.enrol(store, enrol.read_roster(ROSTER), "Spring 2027")
    by_e_mail = "name,email\nFay F. Facilitator,FAY@example.org\nBea Brook,bea@example.org\n"
    for _ in range(3):
        done = enrol.enrol(store, enrol.read_roster(by_e_mail), "Spring 2027")
        assert not done.added and len(done.updated) + len(done.unchanged) == 2
    assert len(done.unchanged) == 2  # the third time, nothing is new
    people = store.find(model.Person)
    assert len(people) == 3
    fay = next(p for p in people if p.email.lower() == "fay@example.org")
    assert (fay.name, fay.sign_in) == ("Fay F. Facilitator", "fay")  # keeps her sign-in name
    assert fay.role == "facilitator"  # and her role: the roster gives none
    # A row with another sign-in name than the person with that e-mail is someone else.
    other = "name,sign_in,email\nFay's colleague,fcol,fay@example.org\n"
    added = enrol.enrol(store, enrol.read_roster(other), "Spring 2027")
    assert len(added.added) == 1
    assert (
        "Note: Fay's colleague (fcol) was added as someone new, with the e-mail of "
        "Fay F. Facilitator (fay): a roster never changes a sign-in name."
    ) in added.summary()
    # Two people with one e-mail: which one is meant is asked, nothing guessed.
    with pytest.raises(RosterRefused, match=r"2 people have the e-mail fay@example\.org"):
        enrol.enrol(store, enrol.read_roster("name,email\nFay,fay@example.org\n"), "Spring 2027")


def test_headings_as_a_spreadsheet_writes_them_name_the_columns(store):
    """ "E-mail" and "Time zone" (as the README and people write them) were unknown columns."""
    roster = "Name,Sign-in,E-mail,Role,Time zone\nAnn Archer,ann,ann@example.org,,Asia/Kolkata\n"
    done = enrol.enrol(store, enrol.read_roster(roster), "Spring 2027")
    (ann,) = done.added
    assert (ann.sign_in, ann.email, ann.time_zone) == ("ann", "ann@example.org", "Asia/Kolkata")
    with pytest.raises(RosterRefused, match=r"unknown column\(s\) 'Home Office'"):
        enrol.read_roster("Name,E-mail,Home Office\nAnn,a@example.org,x\n")


def test_a_new_sign_in_for_someone_enrolled_is_refused_as_such(store):
    """The same name and e-mail under a new sign-in was refused as two people of one name,
    with "add what tells the two apart": doing so made a duplicate of the person."""
    enrol.enrol(store, enrol.read_roster(ROSTER), "Spring 2027")
    fay = next(p for p in store.find(model.Person) if p.email == "fay@example.org")
    renamed = f"name,sign_in,email\n{fay.name},fay.f,fay@example.org\n"
    with pytest.raises(RosterRefused) as refused:
        enrol.enrol(store, enrol.read_roster(renamed), "Spring 2027")
    said = str(refused.value)
    assert (
        f"{fay.name} (fay.f): the workbook has {fay.name} with this e-mail under the sign-in "
        f"{fay.sign_in!r}; a roster never changes a sign-in name: give theirs ({fay.sign_in}) if "
        "this is them"
    ) in said
    assert "tells the two apart" not in said


@pytest.mark.parametrize(
    ("roster", "expected"),
    [
        ("name,signin\nAnn,ann\n", "unknown column(s) 'signin'"),
        ("name,sign_in\nAnn,\n", "line 2: give a sign_in name or an e-mail address"),
        ("name,sign_in\n,ann\n", "line 2: name"),
        (
            'name,sign_in\n"Ann Archer,ann\nBea,bea\nCal,cal\n',
            'line 2: a value in quotes is never closed: is a closing " missing?',
        ),
        (
            'name,sign_in,email\nAnn,ann,\n"Unclosed,quote,x@example.org\n',
            'line 3: a value in quotes is never closed: is a closing " missing?',
        ),
        (
            'name,sign_in\n"Ann Archer,ann\nBea",bea\n',
            'line 2: a value in quotes runs on to line 3: is a closing " missing?',
        ),
        (
            'name,sign_in\n"Ann" Archer,ann\n',
            "line 2: text follows a closing quote: put the whole value in quotes",
        ),
        ('"name,sign_in\nAnn,ann\n', "line 1: a value in quotes is never closed"),
        ("name,sign_in\nAnn,a nn\n", "line 2: sign_in: must be one word"),
        ("name,sign_in,role\nAnn,ann,boss\n", "line 2: role"),
        ("name,sign_in,time_zone\nAnn,ann,Mars/Base\n", "line 2: time_zone"),
        ("name,email\nAnn,not-an-address\n", "line 2: email"),
        ("name,sign_in\nAnn,ann\nAnn Two,ANN\n", "line 3: sign_in 'ann' is already on line 2"),
        ("name,sign_in\nAnn,ann,extra\n", "line 2: more values than the header has columns"),
        (
            "name,sign_in\nAnn Becker,ann\nann  becker,ab2\n",
            "line 3: the name 'ann  becker' is already on line 2: add what tells the two apart",
        ),
        (
            "name,sign_in,role\nF,f,facilitator\nG,g,facilitator\n",
            "a cohort has one facilitator",
        ),
        ("name,sign_in\n", "the roster has no one in it"),
        ("", "the roster is empty: it needs a header row (name, sign_in, email, role, time_zone)"),
        ("\ufeff\r\n;;;\r\n", "the roster is empty"),
        ("email\nann@example.org\n", "line 1: the header must name a 'name' column (the columns"),
        ("name,sign_in,\nAnn,ann,oops\n", "line 2: a value in a column the header does not name"),
        (
            "name,email,Email\nAnn,a1@example.org,a2@example.org\n",
            "line 1: the header names 'email' more than once: keep one column of each",
        ),
        # Lines before the header count: the problems name the lines of the file.
        ("\n\nname,signin\nAnn,ann\n", "line 3: unknown column(s) 'signin'"),
        ("sep=;\nname;sign_in\nAnn;\n", "line 3: give a sign_in name or an e-mail address"),
        ("\nname,sign_in\nAnn,ann\nAnn Two,ann\n", "line 4: sign_in 'ann' is already on line 3"),
        ('\nname,sign_in\n"Ann,ann\n', "line 3: a value in quotes is never closed"),
    ],
)
def test_a_faulty_roster_is_refused_with_its_lines(roster, expected):
    with pytest.raises(RosterRefused) as refused:
        enrol.read_roster(roster)
    assert any(expected in p for p in refused.value.problems), refused.value.problems


def test_a_person_of_another_cohort_is_refused_and_nothing_is_written(store):
    enrol.enrol(store, enrol.read_roster("name,sign_in\nAnn,ann\n"), "Autumn")
    before = store.counts()
    with pytest.raises(RosterRefused, match="already in another cohort"):
        enrol.enrol(store, enrol.read_roster("name,sign_in\nBen,ben\nAnn,ann\n"), "Spring")
    assert store.counts() == before
    # Renamed since, the person is named as the workbook knows them too.
    (ann,) = store.find(model.Person, name="Ann")
    store.save(ann.replace(name="Ann Becker-Ross"))
    with pytest.raises(RosterRefused) as refused:
        enrol.enrol(store, enrol.read_roster("name,sign_in\nAnn,ann\n"), "Spring")
    assert (
        "line 2: Ann (ann, in the workbook as Ann Becker-Ross) is already in another"
        in (refused.value.problems[0])
    )


def test_enrol_and_people_from_the_command_line(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("PEERCOACH_DB", f"sqlite:///{tmp_path / 'cli.sqlite'}")
    roster = tmp_path / "roster.csv"
    roster.write_text("\ufeff" + ROSTER, encoding="utf-8")  # as spreadsheets save it
    assert cli.main(["enrol", str(roster), "--cohort", "Spring 2027"]) == 0
    assert "3 people added" in capsys.readouterr().out
    assert cli.main(["people"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["id", "name", "role", "cohort", "signs", "in", "as", "partnership"]
    # Nobody is paired yet: no partnership ("-").
    assert any("Ann Archer" in line and line.split()[-2:] == ["ann", "-"] for line in lines)
    # Bea has no sign-in name: she signs in with her e-mail address, and the list says so.
    assert any(
        "Bea Brook" in line and line.split()[-2:] == ["bea@example.org", "-"] for line in lines
    )
    roster.write_text("name,sign_in\n李小龙,lee\n")
    assert cli.main(["enrol", str(roster), "--cohort", "Spring 2027"]) == 0
    capsys.readouterr()
    cli.main(["people"])
    lines = capsys.readouterr().out.splitlines()
    # Wide characters take two columns: the next column still starts where the header's does.
    start = lines[0].index("role")
    (lee,) = [line for line in lines if "李小龙" in line]
    assert cli._width(lee[: lee.index("participant")]) == start
    roster.write_text("name,sign_in\nX,\n")
    assert cli.main(["enrol", str(roster), "--cohort", "Spring 2027"]) == 2
    assert "line 2" in capsys.readouterr().err


def test_enrolling_into_a_workbook_of_demo_data_says_so(tmp_path, monkeypatch, capsys):
    """Real people enrolled beside made-up ones are listed with them: the command says so
    (it said nothing)."""
    monkeypatch.setenv("PEERCOACH_DB", f"sqlite:///{tmp_path / 'cli.sqlite'}")
    roster = tmp_path / "roster.csv"
    roster.write_text(ROSTER, encoding="utf-8")
    assert cli.main(["enrol", str(roster), "--cohort", "Spring 2027"]) == 0
    assert "demo data" not in capsys.readouterr().out
    assert cli.main(["demo", "--pairs", "2", "--weeks", "2"]) == 0
    capsys.readouterr()
    roster.write_text("name,sign_in\nCal Cole,cal\n", encoding="utf-8")
    assert cli.main(["enrol", str(roster), "--cohort", "Autumn 2027"]) == 0
    out = capsys.readouterr().out
    assert "Note: this workbook also holds demo data" in out
    assert "set PEERCOACH_DB to a new one" in out


# -- the hub ---------------------------------------------------------------------------------------


class AnyPassword(Authenticator):
    async def authenticate(self, handler, data):
        return data["username"]


def test_only_people_in_the_workbook_may_sign_in(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'hub.sqlite'}"
    monkeypatch.setenv("PEERCOACH_DB", url)
    with Store(url) as store:
        enrol.enrol(store, enrol.read_roster(ROSTER), "Spring 2027")
    checked = hub.roster_checked(AnyPassword)(allow_all=False)

    def allowed(name: str) -> bool:
        # In a thread of its own: the browser tests' Playwright leaves a loop in this one.
        with ThreadPoolExecutor(1) as pool:
            attempt = checked.get_authenticated_user(None, {"username": name})
            return bool(pool.submit(asyncio.run, attempt).result())

    assert allowed("ann") and allowed("fay")
    assert allowed("bea@example.org")  # no sign-in name: the e-mail address signs her in
    assert not allowed("mallory")
    assert checked.any_allow_config
    assert hub.facilitator_sign_ins(url) == ["fay"]
    # A facilitator without a sign-in name signs in with their e-mail address.
    with Store(url) as store:
        store.save(model.Person(name="Rae", email="Rae.Stone@example.org", role="facilitator"))
    assert hub.facilitator_sign_ins(url) == ["fay", "rae.stone@example.org"]


def test_the_hub_server_needs_the_hubs_environment():
    with pytest.raises(ConfigurationError, match="JUPYTERHUB_USER"):
        hub_config({})


def test_the_hub_server_listens_where_the_hub_says_under_the_persons_prefix():
    env = {
        "JUPYTERHUB_USER": "ann",
        "JUPYTERHUB_SERVICE_URL": "http://127.0.0.1:53123/user/ann/",
        "JUPYTERHUB_SERVICE_PREFIX": "/user/ann/",
        "JUPYTERHUB_API_URL": "http://127.0.0.1:8081/hub/api",
        "JUPYTERHUB_API_TOKEN": "t",
        "JUPYTERHUB_CLIENT_ID": "jupyterhub-user-ann",
    }
    config = hub_config(env, pool_size=0)
    assert (config.Voila.ip, config.Voila.port, config.Voila.base_url) == (
        "127.0.0.1",
        53123,
        "/user/ann/",
    )
    assert config.Voila.identity_provider_class.__name__ == "HubOwnerIdentityProvider"
    assert config.VoilaConfiguration.file_allowlist == []
    assert "read:users:groups!user" in hub.SERVER_TOKEN_SCOPES


def test_rosters_as_spreadsheets_write_them_are_read():
    for text in (
        "Name;Sign_in;Email;Role\nAnn;ann;ann@example.org;Facilitator\nBen;ben;;participant\n",
        "name\tsign_in\nAnn\tann\nBen\tben\n",
        "name,sign_in,\nAnn,ann,\nBen,ben,\n",  # a trailing comma on every line
        "\n\nname,sign_in\nAnn,ann\nBen,ben\n",  # blank lines before the header
        "sep=;\r\nname;sign_in\r\nAnn;ann\r\nBen;ben\r\n",  # Excel names its delimiter
        '"sep=,"\nname,sign_in\nAnn,ann\nBen,ben\n',
        "sep=\t\nname\tsign_in\nAnn\tann\nBen\tben\n",  # the tab itself named
        "sep=;;\nname;sign_in\nAnn;ann\nBen;ben\n",  # padded as a spreadsheet may
    ):
        people = enrol.read_roster(text)
        assert [(p.name, p.sign_in) for p in people] == [("Ann", "ann"), ("Ben", "ben")]
    assert enrol.read_roster("Name;Sign_in;Role\nAnn;ann;Facilitator\n")[0].role == "facilitator"


def test_a_roster_cannot_leave_a_cohort_without_its_facilitator(store):
    enrol.enrol(store, enrol.read_roster(ROSTER), "Spring 2027")
    before = store.counts(), store.find(model.Person)
    demote = "name,sign_in,role\nFay Facilitator,fay,participant\n"
    with pytest.raises(RosterRefused, match="Fay Facilitator is this cohort's facilitator"):
        enrol.enrol(store, enrol.read_roster(demote), "Spring 2027")
    assert (store.counts(), store.find(model.Person)) == before
    # Naming the new facilitator in the same roster hands the cohort over.
    handover = demote + "Ann Archer,ann,facilitator\n"
    done = enrol.enrol(store, enrol.read_roster(handover), "Spring 2027")
    assert "Facilitator: Ann Archer, in place of Fay Facilitator" in done.summary()


def test_a_roster_cannot_make_someone_in_a_running_partnership_the_facilitator(store):
    enrol.enrol(store, enrol.read_roster(ROSTER), "Spring 2027")
    people = {p.name.split()[0].lower(): p for p in store.find(model.Person)}
    pair = partnerships.pair(store, people["ann"].id, people["bea"].id, on=dt.date(2027, 3, 1))
    with pytest.raises(RosterRefused) as refused:
        enrol.enrol(
            store,
            enrol.read_roster("name,sign_in,role\nAnn Archer,ann,facilitator\n"),
            "Spring 2027",
        )
    assert refused.value.problems == [
        "line 2: Ann Archer is in a running partnership with Bea Brook: the roster makes them a "
        "facilitator; end that partnership first (or leave their role as it is)"
    ]
    assert store.get(model.Person, people["ann"].id).role == "participant"
    # Once the partnership has ended, they may.
    partnerships.end(
        store,
        pair.id,
        by=people["ann"].id,
        reason=model.EndReason.OTHER,
        on=dt.date(2027, 3, 2),
        today=dt.date(2027, 3, 2),
    )
    done = enrol.enrol(
        store, enrol.read_roster("name,sign_in,role\nAnn Archer,ann,facilitator\n"), "Spring 2027"
    )
    assert "Facilitator: Ann Archer" in done.summary()


def test_naming_another_facilitator_says_whose_place_they_take(store):
    enrol.enrol(store, enrol.read_roster(ROSTER), "Spring 2027")
    done = enrol.enrol(
        store, enrol.read_roster("name,sign_in,role\nIda Jones,ida,facilitator\n"), "Spring 2027"
    )
    assert (
        "Facilitator: Ida Jones, in place of Fay Facilitator (who no longer sees this cohort's "
        "dashboard)." in done.summary()
    )
    again = enrol.enrol(
        store, enrol.read_roster("name,email\nBea Brook,bea@example.org\n"), "Spring 2027"
    )
    assert "in place of" not in again.summary()


def test_a_missing_roster_file_says_so(store, tmp_path):
    with pytest.raises(RosterRefused) as refused:
        enrol.enrol_file(store, tmp_path / "nowhere.csv", "Spring")
    assert refused.value.problems == [
        f"{tmp_path / 'nowhere.csv'}: cannot be read (No such file or directory)"
    ]


def test_a_roster_saved_in_another_encoding_says_how_to_save_it(store, tmp_path):
    latin = tmp_path / "roster.csv"
    latin.write_bytes("name,sign_in\nJosé,jose\n".encode("latin-1"))
    with pytest.raises(RosterRefused) as refused:
        enrol.enrol_file(store, latin, "Spring")
    assert refused.value.problems == [
        f"{latin}: not UTF-8 text (byte 17 of the file cannot be read as UTF-8): save the "
        'roster from the spreadsheet as "CSV UTF-8" and enrol it again'
    ]
    assert store.find(model.Person) == []


@pytest.mark.parametrize("start", [b"PK\x03\x04", b"\xd0\xcf\x11\xe0"])
def test_a_spreadsheet_s_own_file_is_named_as_such(store, tmp_path, start):
    """An .xlsx given as the roster was said to lack a 'name' column."""
    book = tmp_path / "roster.xlsx"
    book.write_bytes(start + b"name,sign_in\n" + bytes(range(256)))
    with pytest.raises(RosterRefused) as refused:
        enrol.enrol_file(store, book, "Spring")
    assert refused.value.problems == [
        f"{book}: a spreadsheet's own file, not CSV: save it from the spreadsheet as "
        '"CSV UTF-8" and enrol that'
    ]


def test_a_cohort_name_differing_only_in_letter_case_is_asked_about(store):
    enrol.enrol(store, enrol.read_roster(ROSTER), "Winter 2026/27")
    with pytest.raises(RosterRefused) as refused:
        enrol.enrol(store, enrol.read_roster(ROSTER), "winter 2026/27")
    assert refused.value.problems == [
        "cohort: 'winter 2026/27' differs from the cohort 'Winter 2026/27' (id 1) only in "
        "letter case: give its name exactly, or another name"
    ]
    assert len(store.find(model.Cohort)) == 1
    # Someone already in another cohort is told which, by name.
    with pytest.raises(
        RosterRefused, match=r"already in another cohort, 'Winter 2026/27' \(id 1\)"
    ):
        enrol.enrol(store, enrol.read_roster(ROSTER), "Spring 2027")


def test_a_cohort_given_by_its_number_is_the_cohort_with_that_id(store):
    """`peercoach people --cohort 1` means the cohort with id 1: so does enrol, which never
    makes a cohort named "1"."""
    with pytest.raises(RosterRefused) as refused:
        enrol.enrol(store, enrol.read_roster(ROSTER), "1")
    assert refused.value.problems == [
        "cohort: there is no cohort with the id 1 (the cohorts are: none yet); a new cohort "
        "needs a name that is not a number"
    ]
    assert store.find(model.Cohort) == [] and store.find(model.Person) == []
    for number in ("-1", "1.0", "+2"):
        with pytest.raises(RosterRefused, match="a new cohort needs a name that is not a number"):
            enrol.enrol(store, enrol.read_roster(ROSTER), number)
    enrol.enrol(store, enrol.read_roster(ROSTER), "Winter 2026/27")
    more = "name,sign_in\nCal Cole,cal\n"
    done = enrol.enrol(store, enrol.read_roster(more), " 1 ")
    assert not done.cohort_created and done.cohort.name == "Winter 2026/27"
    assert [c.name for c in store.find(model.Cohort)] == ["Winter 2026/27"]
    assert {p.cohort_id for p in store.find(model.Person)} == {done.cohort.id}


def test_a_name_someone_else_in_the_workbook_has_is_refused(store):
    enrol.enrol(store, enrol.read_roster("name,sign_in\nAnn Becker,ann\n"), "Spring")
    before = store.counts()
    with pytest.raises(RosterRefused) as refused:
        enrol.enrol(store, enrol.read_roster("name,sign_in\nBen,ben\nANN BECKER,ab2\n"), "Spring")
    assert refused.value.problems == [
        "line 3: ANN BECKER (ab2): someone else in the workbook has this name (ann); add what "
        "tells the two apart (a middle initial, say): every list shows people by name"
    ]
    assert store.counts() == before
    # The same person enrolled again keeps their name; another name is taken as it is.
    again = "name,sign_in\nAnn Becker,ann\nAnn M. Becker,ab2\n"
    done = enrol.enrol(store, enrol.read_roster(again), "Spring")
    assert [p.name for p in done.added] == ["Ann M. Becker"]


def test_a_name_in_another_unicode_form_is_the_same_name(store):
    """ "Zoë" pasted with "e" and a combining accent (from a Mac, a web page) is "Zoë": it was
    enrolled beside her, and its columns in `people` were out of line."""
    enrol.enrol(store, enrol.read_roster("name,sign_in\nZo\u00eb M\u00fcller,zoe\n"), "Spring")
    pasted = "Zoe\u0308 Mu\u0308ller"
    with pytest.raises(RosterRefused, match="someone else in the workbook has this name"):
        enrol.enrol(store, enrol.read_roster(f"name,sign_in\n{pasted},zm2\n"), "Spring")
    # Kept in one form wherever it comes from.
    assert model.Person(name=pasted).name == "Zo\u00eb M\u00fcller"


def test_one_refusal_lists_every_fault_of_the_file_and_against_the_workbook(store, tmp_path):
    """A bad row, a row repeating it, and a name already in the workbook: all three at once,
    each with its line, and nothing written."""
    enrol.enrol(store, enrol.read_roster("name,sign_in\nAnn Becker,ann\n"), "Spring")
    before = store.counts()
    roster = tmp_path / "roster.csv"
    roster.write_text(
        "name,sign_in,email\n"
        "Cal Cole,cal,not-an-address\n"  # line 2: a bad e-mail
        "Cal Cole,cal,cal@example.org\n"  # line 3: the same row again, mended
        "ann becker,ab2,\n",  # line 4: a name someone enrolled has
        encoding="utf-8",
    )
    with pytest.raises(RosterRefused) as refused:
        enrol.enrol_file(store, roster, "Spring")
    problems = refused.value.problems
    assert [p.split(":")[0] for p in problems] == ["line 2", "line 3", "line 3", "line 4"]
    assert "line 3: sign_in 'cal' is already on line 2" in problems
    assert any(
        p.startswith("line 4: ann becker (ab2): someone else in the workbook") for p in problems
    )
    assert store.counts() == before


def test_a_row_pasted_twice_is_refused_not_written_twice(store, tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text("name,sign_in\nCal Cole,cal\nDee Dale,dee\nCal Cole,cal\n", encoding="utf-8")
    before = store.counts()
    with pytest.raises(RosterRefused) as refused:
        enrol.enrol_file(store, roster, "Spring")
    assert refused.value.problems == [
        "line 4: sign_in 'cal' is already on line 2",
        "line 4: the name 'Cal Cole' is already on line 2: " + enrol._APART,
    ]
    assert store.counts() == before


def test_faults_come_in_the_order_of_their_lines(store, tmp_path):
    enrol.enrol(store, enrol.read_roster("name,sign_in\nAnn Becker,ann\n"), "Spring")
    roster = tmp_path / "roster.csv"
    roster.write_text(
        "name,sign_in,email\nann becker,ab2,\nCal Cole,cal,not-an-address\n", encoding="utf-8"
    )
    with pytest.raises(RosterRefused) as refused:
        enrol.enrol_file(store, roster, "Spring")
    assert [p.split(":")[0] for p in refused.value.problems] == ["line 2", "line 3"]


def test_a_name_keeps_its_words_one_space_apart(store):
    """A roster's "Spacey   Name" and a tab inside a name were kept as typed, shown in a page as
    "Spacey Name" (a browser closes the gap): what was shown was not what was stored."""
    roster = 'name,sign_in\n  Spacey   Name  ,sp\n"Tab\tIn Name",tb\n'
    done = enrol.enrol(store, enrol.read_roster(roster), "Spring")
    assert [p.name for p in done.added] == ["Spacey Name", "Tab In Name"]
    with pytest.raises(RosterRefused, match="someone else in the workbook has this name"):
        enrol.enrol(store, enrol.read_roster("name,sign_in\nSpacey Name,sp2\n"), "Spring")
