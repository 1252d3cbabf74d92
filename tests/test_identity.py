"""Who is at the page: the signed-in person on a shared server, and what each app offers them."""

from __future__ import annotations

import datetime as dt
import html
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar
from zoneinfo import ZoneInfo

import pytest

from peercoach_lib import dates, identity, model, partnerships
from peercoach_lib.apps import context, forms
from peercoach_lib.apps.agreement_app import AgreementApp
from peercoach_lib.apps.cohort_app import CohortDashboardApp
from peercoach_lib.apps.home import HomeApp
from peercoach_lib.apps.lsi_app import LsiApp, build_lsi_app
from peercoach_lib.apps.my_data_app import MyDataApp
from peercoach_lib.apps.progress_app import ProgressApp
from peercoach_lib.apps.session_log_app import SessionLogApp
from peercoach_lib.identity import FACILITATORS, Viewer
from peercoach_lib.store import Store


@pytest.fixture
def cohort(store: Store):
    """A facilitator, two pairs, and a second cohort with a facilitator of its own."""
    fay = store.save(model.Person(name="Fay Facilitator", role="facilitator", sign_in="fay"))
    mine = store.save(model.Cohort(name="Spring", facilitator_id=fay.id))
    gil = store.save(model.Person(name="Gil Other", role="facilitator", sign_in="gil"))
    other = store.save(model.Cohort(name="Autumn", facilitator_id=gil.id))
    people = {
        name: store.save(
            model.Person(
                name=name.title(),
                sign_in=name if name != "dan" else None,
                email=f"{name}@example.org",
                cohort_id=mine.id,
            )
        )
        for name in ("ann", "bea", "cal", "dan")
    }
    pairs = [
        store.save(
            model.Partnership(
                cohort_id=mine.id,
                person_a_id=people[a].id,
                person_b_id=people[b].id,
                started_on="2026-09-01",
            )
        )
        for a, b in (("ann", "bea"), ("cal", "dan"))
    ]
    return {"fay": fay, "gil": gil, "mine": mine, "other": other, "pairs": pairs, **people}


def signed_in(store: Store, name: str, *groups: str) -> Viewer:
    return Viewer(hub_user=name, person=identity.find_person(store, name), groups=frozenset(groups))


# -- who is who ------------------------------------------------------------------------------------


def test_without_a_hub_anyone_may_do_anything(cohort):
    anyone = identity.ANYONE
    assert not anyone.signed_in and anyone.is_facilitator
    assert anyone.may_act_as(cohort["ann"].id) and anyone.may_act_as(cohort["bea"].id)
    assert anyone.person_or(7) == 7
    assert anyone.cohorts([cohort["mine"], cohort["other"]]) == [cohort["mine"], cohort["other"]]
    assert identity.resolve(None, environ={}) is identity.ANYONE


def test_a_person_is_found_by_sign_in_name_else_by_email(store, cohort):
    assert identity.find_person(store, "ANN").id == cohort["ann"].id
    assert identity.find_person(store, " bea ").id == cohort["bea"].id
    # Dan has no sign-in name: his e-mail address is how he signs in.
    assert identity.find_person(store, "Dan@Example.org").id == cohort["dan"].id
    # Ann has a sign-in name: her e-mail address does not sign her in.
    assert identity.find_person(store, "ann@example.org") is None
    assert identity.find_person(store, "nobody") is None
    assert identity.find_person(store, "") is None


def test_nobody_is_found_by_an_email_two_people_share(store, cohort):
    store.save(model.Person(name="Dan Twin", email="dan@example.org"))
    assert identity.find_person(store, "dan@example.org") is None


def test_a_forgotten_person_is_never_found(store, cohort):
    from peercoach_lib.forget import forget_person

    forget_person(store, cohort["ann"].id)
    assert identity.find_person(store, "ann") is None


def test_a_signed_in_participant_may_act_only_as_themselves(store, cohort):
    ann = signed_in(store, "ann")
    assert ann.signed_in and not ann.is_facilitator
    assert ann.may_act_as(cohort["ann"].id) and not ann.may_act_as(cohort["bea"].id)
    assert ann.person_or(cohort["bea"].id) == cohort["ann"].id
    assert ann.people([cohort["ann"], cohort["bea"]]) == [cohort["ann"]]
    first, second = cohort["pairs"]
    assert ann.may_see_partnership(first) and not ann.may_see_partnership(second)
    assert ann.cohorts([cohort["mine"], cohort["other"]]) == []


def test_a_facilitator_sees_only_the_cohorts_they_facilitate(store, cohort):
    fay = signed_in(store, "fay", FACILITATORS)
    assert fay.cohorts([cohort["mine"], cohort["other"]]) == [cohort["mine"]]
    # In the workbook as facilitator, but not in the hub's group: no dashboard.
    assert signed_in(store, "fay").cohorts([cohort["mine"]]) == []
    # In the group but unknown to the workbook: no cohort either.
    assert signed_in(store, "stranger", FACILITATORS).cohorts([cohort["mine"]]) == []


# -- the hub's groups ------------------------------------------------------------------------------


class FakeHub(BaseHTTPRequestHandler):
    answer: ClassVar[object] = {"name": "fay", "groups": ["facilitators", "staff"]}
    seen: ClassVar[list[str]] = []

    def do_GET(self):
        FakeHub.seen.append(f"{self.path} {self.headers.get('Authorization')}")
        body = json.dumps(FakeHub.answer).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_args):
        pass


@pytest.fixture
def hub_api():
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeHub)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    FakeHub.seen = []
    yield f"http://127.0.0.1:{server.server_address[1]}/hub/api"
    server.shutdown()


def test_groups_are_read_from_the_hub_with_the_servers_token(hub_api):
    env = {"JUPYTERHUB_API_URL": hub_api, "JUPYTERHUB_API_TOKEN": "t0ken"}
    FakeHub.answer = {"name": "fay", "groups": ["facilitators", "staff"]}
    assert identity.hub_groups(env) == (frozenset({"facilitators", "staff"}), "")
    assert FakeHub.seen == ["/hub/api/user token t0ken"]


def test_without_groups_from_the_hub_the_person_is_a_participant(hub_api, store, cohort):
    FakeHub.answer = {"name": "fay"}  # a token without read:users:groups
    env = {
        "JUPYTERHUB_USER": "fay",
        "JUPYTERHUB_API_URL": hub_api,
        "JUPYTERHUB_API_TOKEN": "t0ken",
    }
    fay = identity.resolve(store, env)
    assert fay.person.id == cohort["fay"].id
    assert not fay.is_facilitator and "groups" in fay.problem
    # The hub does not answer at all.
    down = {**env, "JUPYTERHUB_API_URL": "http://127.0.0.1:9/hub/api"}
    assert identity.hub_groups(down)[0] == frozenset()
    assert "did not answer" in identity.hub_groups(down)[1]
    assert identity.hub_groups({})[1]


def test_resolve_under_a_hub_finds_person_and_groups(hub_api, store, cohort):
    FakeHub.answer = {"name": "fay", "groups": [FACILITATORS]}
    env = {"JUPYTERHUB_USER": "Fay", "JUPYTERHUB_API_URL": hub_api, "JUPYTERHUB_API_TOKEN": "t"}
    fay = identity.resolve(store, env)
    assert (fay.hub_user, fay.person.id, fay.is_facilitator) == ("Fay", cohort["fay"].id, True)


# -- the apps, as a signed-in person sees them -----------------------------------------------------


def options(field) -> list:
    return [o[1] for o in field.control.options]


@pytest.mark.parametrize("app", [LsiApp, ProgressApp, SessionLogApp, MyDataApp])
def test_the_i_am_chooser_offers_the_signed_in_person_alone(store, cohort, app):
    ann, bea = cohort["ann"], cohort["bea"]
    with context.viewing_as(signed_in(store, "ann")):
        page = app(store, person_id=bea.id)
    assert options(page.person) == [ann.id]
    assert page.person.value == ann.id and page.person.control.disabled


def test_the_url_cannot_choose_another_person(store, cohort, monkeypatch):
    monkeypatch.setenv("QUERY_STRING", f"person={cohort['bea'].id}")
    with context.viewing_as(signed_in(store, "ann")):
        assert context.person_param(store) == cohort["ann"].id
        page = build_lsi_app(store)
    assert page.person.value == cohort["ann"].id
    # Locally, the URL chooses.
    with context.viewing_as(identity.ANYONE):
        assert context.person_param(store) == cohort["bea"].id


def test_someone_the_workbook_does_not_know_is_told_so_and_offered_no_one(store, cohort):
    with context.viewing_as(signed_in(store, "stranger")):
        page = LsiApp(store)
    assert options(page.person) == [None]
    assert "no one in this workbook signs in with" in page.person.message.value
    assert page.form.layout.display == "none"


def test_the_session_log_offers_only_my_partnerships(store, cohort):
    first = cohort["pairs"][0]
    with context.viewing_as(signed_in(store, "ann")):
        page = SessionLogApp(store, partnership_id=cohort["pairs"][1].id)
    assert options(page.pair) == [first.id]


def test_the_agreement_offers_only_my_partnerships_and_no_new_ones(store, cohort):
    first, second = cohort["pairs"]
    with context.viewing_as(signed_in(store, "ann")):
        page = AgreementApp(store, partnership_id=second.id)
        assert options(page.chooser) == [None, first.id]
        assert page.chooser.value is None
        assert page.new_box not in page.children
        page.chooser.value = first.id
        assert options(page.acting) == [cohort["ann"].id]
        assert page.acting.control.disabled
        # A crafted click on the hidden "create" button makes nothing.
        before = len(store.find(model.Partnership))
        page.new._on_create(None)
        assert len(store.find(model.Partnership)) == before


def test_someone_without_a_partner_is_told_who_pairs_them(store, cohort):
    store.save(model.Person(name="Eve", sign_in="eve", cohort_id=cohort["mine"].id))
    with context.viewing_as(signed_in(store, "eve")):
        page = AgreementApp(store)
    assert "You have no partnership yet" in page.no_pair.value
    assert "Your facilitator pairs you" in page.no_pair.value


def test_someone_whose_partnership_ended_is_told_so_not_that_they_never_had_one(store, cohort):
    first = cohort["pairs"][0]
    partnerships.end(
        store,
        first.id,
        by=cohort["bea"].id,
        reason="life change",
        on=dt.date(2026, 10, 1),
        today=dt.date(2026, 10, 1),
    )
    with context.viewing_as(signed_in(store, "ann")):
        page = AgreementApp(store)
    assert "Your partnership with Bea ended on 1 October 2026" in page.no_pair.value
    assert "no partnership yet" not in page.no_pair.value


def test_my_one_partnership_is_chosen_for_me(store, cohort):
    first = cohort["pairs"][0]
    with context.viewing_as(signed_in(store, "ann")):
        page = AgreementApp(store)
    assert page.chooser.value == first.id and page.partnership.id == first.id
    # Without a hub, a link naming the person does the same.
    page = AgreementApp(store, person_id=cohort["cal"].id)
    assert page.chooser.value == cohort["pairs"][1].id
    assert AgreementApp(store).chooser.value is None  # nobody named: nothing guessed


def test_the_dashboard_reads_nothing_for_a_participant(store, cohort, monkeypatch):
    def no_reading(*_args, **_kwargs):
        raise AssertionError("the dashboard read the store for a participant")

    with context.viewing_as(signed_in(store, "ann")):
        monkeypatch.setattr(store, "find", no_reading)
        monkeypatch.setattr(store, "reading", no_reading)
        page = CohortDashboardApp(store)
    text = " ".join(getattr(w, "value", "") for w in page.children)
    assert "This page is for facilitators" in text
    assert "Spring" not in text


def test_the_dashboard_offers_a_facilitator_their_own_cohorts(store, cohort):
    with context.viewing_as(signed_in(store, "fay", FACILITATORS)):
        page = CohortDashboardApp(store, cohort_id=cohort["other"].id)
    assert options(page.chooser) == [None, cohort["mine"].id]
    assert page.chooser.value == cohort["mine"].id
    with context.viewing_as(signed_in(store, "cal", FACILITATORS)):
        page = CohortDashboardApp(store)
    assert "no cohort in this workbook names you" in page.children[-1].value


def test_without_a_hub_a_facilitators_link_opens_the_dashboard_on_their_cohort(store, cohort):
    """Two cohorts: a link naming the facilitator (from their home page) chooses the one they
    run; a link naming nobody, or a participant, chooses none; a named cohort wins."""
    assert CohortDashboardApp(store, person_id=cohort["gil"].id).chooser.value == (
        cohort["other"].id
    )
    assert CohortDashboardApp(store, person_id=cohort["fay"].id).chooser.value == (
        cohort["mine"].id
    )
    assert CohortDashboardApp(store).chooser.value is None
    assert CohortDashboardApp(store, person_id=cohort["ann"].id).chooser.value is None
    named = CohortDashboardApp(store, cohort_id=cohort["mine"].id, person_id=cohort["gil"].id)
    assert named.chooser.value == cohort["mine"].id


def test_home_says_who_is_signed_in_and_keeps_the_database_to_itself(store, cohort):
    with context.viewing_as(signed_in(store, "ann")):
        home = HomeApp(store)
    assert "You are signed in as <strong>Ann</strong>" in home.summary.value
    assert "Data is kept in" not in home.summary.value
    assert "Nobody signs in here" not in home.summary.value
    assert "In this workbook" not in home.summary.value  # other cohorts' counts: not Ann's
    assert "cohort_dashboard.ipynb" not in home.apps.value
    assert f"person={cohort['ann'].id}" in home.apps.value
    with context.viewing_as(signed_in(store, "fay", FACILITATORS)):
        home = HomeApp(store)
    assert "cohort_dashboard.ipynb" in home.apps.value
    assert "In this workbook" in home.summary.value
    with context.viewing_as(identity.ANYONE):
        home = HomeApp(store)
    assert "Data is kept in" in home.summary.value


#: Kiritimati is 14 hours ahead of UTC, Pago Pago 11 behind: 25 hours apart, so never the same
#: day, nor the same time of day.
FAR_APART = {"ann": "Pacific/Kiritimati", "bea": "Pacific/Pago_Pago"}


@pytest.fixture
def far_apart(store, cohort):
    for name, zone in FAR_APART.items():
        store.save(cohort[name].replace(time_zone=zone))
    return FAR_APART


def test_today_is_the_signed_in_persons_own_day(store, far_apart):
    days = {}
    for name, zone in far_apart.items():
        with context.viewing_as(signed_in(store, name)):
            page = LsiApp(store)
            days[name] = page.today
            assert page.taken_on.value == page.today
            assert context.today(store) == dt.datetime.now(ZoneInfo(zone)).date()
            assert SessionLogApp(store).today == page.today
    assert days["ann"] > days["bea"]  # a day or (from 10:00 to 11:00 UTC) two
    # Locally (no sign-in), the computer's day.
    with context.viewing_as(identity.ANYONE):
        assert context.today(store) == dt.date.today()


def _said_at(zone: ZoneInfo | None, said) -> None:
    """``said()`` is "Saved at" the time in ``zone`` (the minute may turn meanwhile)."""
    before = f"Saved at {dt.datetime.now(zone):%H:%M}."
    text = said()
    assert text in {before, f"Saved at {dt.datetime.now(zone):%H:%M}."}


def test_saved_at_is_the_signed_in_persons_own_time(store, far_apart, far_local_clock):
    said = {}
    for name, zone in far_apart.items():
        with context.viewing_as(signed_in(store, name)):
            _said_at(ZoneInfo(zone), lambda: forms.saved_at(store))
            said[name] = forms.saved_at(store)
    assert said["ann"] != said["bea"]
    with context.viewing_as(identity.ANYONE):  # locally, the computer's clock
        _said_at(ZoneInfo(far_local_clock), lambda: forms.saved_at(store))


def test_times_shown_are_the_signed_in_persons_own(store, far_apart, far_local_clock):
    """A draft restored, a history entry and an affirmation are shown in the signed-in person's
    time (stored in UTC): 09:00 UTC is 23:00 the same day in Kiritimati (+14) and 22:00 the
    day before in Pago Pago (-11)."""
    from peercoach_lib.apps.agreement_app import PartnerPanel
    from peercoach_lib.model.history import HistoryAction, HistoryEntry

    moment = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
    entry = HistoryEntry(
        table_name="agreements", record_id=1, action=HistoryAction.UPDATED, changed_at=moment
    )
    expected = {
        "ann": ("2 Mar 2026", "2 March 2026", "23:00"),
        "bea": ("1 Mar 2026", "1 March 2026", "22:00"),
        # Locally (nobody signed in), the computer's clock: here 14 hours ahead, as Ann's.
        None: ("2 Mar 2026", "2 March 2026", "23:00"),
    }
    for name, (day, long_day, time) in expected.items():
        with context.viewing_as(signed_in(store, name) if name else identity.ANYONE):
            bar = forms.DraftBar("the plan")
            bar.restored(moment)
            assert f"({day} {time})" in bar.notice.value
            table = forms.history_table([entry], model.Agreement)
            assert f">{day} {time}</td>" in table
            assert "UTC" not in bar.notice.value + table
            panel = PartnerPanel(0)
            panel.affirmed_at = panel.saved_affirmed_at = moment  # as saved
            panel._show_affirmation()
            assert f"on {long_day} at {time}." in panel.affirmed_line.value
            assert "UTC" not in panel.affirmed_line.value


def test_a_schedule_counts_its_days_in_its_agreements_time_zone(store, cohort, far_apart):
    """Sessions are booked on days of the agreement's time zone: Ann, a day ahead of it,
    prepares for the session of its today (for her, yesterday's) and is not told it is due;
    Bea, a day behind it, may log the session of its today as held (for her, tomorrow's)."""
    from peercoach_lib.apps.prep_app import SessionPrepApp

    pair = cohort["pairs"][0]
    week = dt.timedelta(days=7)
    behind = dt.datetime.now(ZoneInfo("Pacific/Pago_Pago")).date()
    agreement = store.save(
        model.Agreement(
            partnership_id=pair.id,
            time_zone="Pacific/Pago_Pago",
            time=dt.time(18, 0),
            session_count=2,
        )
    )
    now, later = (
        store.save(model.Session(partnership_id=pair.id, scheduled_on=day))
        for day in (behind, behind + week)
    )
    with context.viewing_as(signed_in(store, "ann")):
        prep = SessionPrepApp(store)
        assert prep.session.value == now.id
        # Named with its time in Pago Pago and in Kiritimati, a day (and an hour) ahead.
        there = dt.datetime.combine(behind, dt.time(18, 0), ZoneInfo("Pacific/Pago_Pago"))
        here = there.astimezone(ZoneInfo(far_apart["ann"]))
        assert prep.session.control.label.endswith(
            f" with Bea, 18:00 Pago Pago time; {here:%a} {here.day} {here:%b} 19:00 your time"
        )
        page = AgreementApp(store, partnership_id=pair.id)
        assert "not in the session log yet" not in str(page.check()[1].warnings)

        # Ann's own day, a day ahead, is after the partnership's today: the message says
        # whose today it is (it named the day alone, a riddle on her clock).
        log = SessionLogApp(store)
        mine = dt.datetime.now(ZoneInfo(far_apart["ann"])).date()
        log.status.value = model.SessionStatus.HELD
        log.held_on.value = mine
        log.save_button.click()
        assert (
            f"a session cannot be held after today ({dates.short(behind)} in Pago Pago time, "
            f"where this partnership's sessions are booked; {dates.short(mine)} on your clock)"
        ) in html.unescape(log.held_on.message.value)

    ahead = dt.datetime.now(ZoneInfo("Pacific/Kiritimati")).date()
    store.save(agreement.replace(time_zone="Pacific/Kiritimati"))
    now = store.save(now.replace(scheduled_on=ahead))
    store.save(later.replace(scheduled_on=ahead + week))
    with context.viewing_as(signed_in(store, "bea")):
        log = SessionLogApp(store)
        assert (log.session.value, log.held_on.value) == (now.id, ahead)
        # Named with its time in Kiritimati and in Pago Pago, a day (and an hour) behind.
        there = dt.datetime.combine(ahead, dt.time(18, 0), ZoneInfo("Pacific/Kiritimati"))
        here = there.astimezone(ZoneInfo(far_apart["bea"]))
        assert log.session.control.label == (
            f"{dates.short_weekday(ahead)}, 18:00 Kiritimati time; {here:%a} {here.day} "
            f"{here:%b} 17:00 your time (scheduled)"
        )
        log.save_button.click()
        assert "Saved" in log.result.value, log.result.value
    assert store.get(model.Session, now.id).held_on == ahead
