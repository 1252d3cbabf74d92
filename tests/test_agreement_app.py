"""The agreement app, driven through its widgets as a person would."""

from __future__ import annotations

import base64
import datetime as dt
import html
import re

import icalendar
import pytest

from peercoach_lib import dates, model, my_data, partnerships
from peercoach_lib.apps import agreement_app, forms
from peercoach_lib.apps.agreement_app import NEW, AgreementApp
from peercoach_lib.model import Frequency, Medium, SessionFormat, Weekday
from tests.examples import quoted as q

TODAY = dt.date(2026, 3, 1)


@pytest.fixture
def app(store, pair):
    return AgreementApp(store, partnership_id=pair["partnership"].id, today=TODAY)


def fill_everything(app: AgreementApp, pair) -> None:
    """Alice fills in her own part and the shared ones (each partner writes only their own)."""
    alice, bob = pair["alice"], pair["bob"]
    first, _second = app.panels
    app.acting.value = alice.id
    first.meaning.value = "Nothing leaves the call unless I say so."
    first.affirm.value = True
    first.hopes.value = "Clarity about my next role"
    first.works.value = "Open questions"
    first.not_working.value = "Being told what to do"
    first.support.value = "A text on Wednesdays"
    app.medium.value = Medium.VIDEO
    app.format.value = SessionFormat.ONE_WAY_SEPARATE
    app.minutes.value = 50
    app.frequency.value = Frequency.FORTNIGHTLY
    app.day.value = Weekday.TUESDAY
    app.time.value = dt.time(18, 30)
    app.zone.value = "Europe/Berlin"
    app.caller.value = bob.id
    app.first_date.value = dt.date(2026, 3, 3)
    app.count.value = 6
    app.goals.value = "Meet every fortnight\n\nKeep our commitments\n"


def test_a_whole_agreement_is_saved_and_found_again(store, pair, app):
    fill_everything(app, pair)
    # Move the third session and cancel the fifth, as a person would in the schedule.
    third, fifth = app.rows.children[2], app.rows.children[4]
    third.children[0].value = dt.date(2026, 4, 2)
    fifth.children[1].value = True
    app.save_button.click()
    assert "Saved at" in app.result.value and "comes into force once both" in app.result.value

    again = AgreementApp(
        store, partnership_id=pair["partnership"].id, person_id=pair["bob"].id, today=TODAY
    )
    first, second = again.panels
    assert first.meaning.value == "Nothing leaves the call unless I say so."
    assert first.affirm.value is True and first.affirmed_at is not None
    assert (first.hopes.value, first.works.value, first.not_working.value, first.support.value) == (
        "Clarity about my next role",
        "Open questions",
        "Being told what to do",
        "A text on Wednesdays",
    )
    assert second.meaning.value == "" and second.affirm.value is False
    assert second.meaning.control.disabled is False  # Bob's page: his part is his to write
    assert first.meaning.control.disabled is True and "Only Alice" in first.whose.value
    assert again.medium.value is Medium.VIDEO
    assert again.format.value is SessionFormat.ONE_WAY_SEPARATE
    assert again.minutes.value == 50
    assert again.frequency.value is Frequency.FORTNIGHTLY
    assert again.day.value is Weekday.TUESDAY
    assert again.time.value == dt.time(18, 30)
    assert again.zone.value == "Europe/Berlin"
    assert again.caller.value == pair["bob"].id
    assert again.first_date.value == dt.date(2026, 3, 3)
    assert again.goals.value == "Meet every fortnight\nKeep our commitments"
    dates = [row.children[0].value for row in again.rows.children]
    cancelled = [row.children[1].value for row in again.rows.children]
    expected = [dt.date(2026, 3, 3) + dt.timedelta(weeks=2 * k) for k in range(6)]
    expected[2] = dt.date(2026, 4, 2)
    assert dates == expected
    assert cancelled == [False, False, False, False, True, False]
    assert again.count.value == 5
    assert "Not in force yet" in again.status.value and "Bob" in again.status.value
    assert "counts once" not in again.status.value  # Alice's affirmation is saved
    # Bob writes his own part; his affirmation brings the agreement into force.
    second.meaning.value = "Same for me, and no notes kept."
    second.hopes.value = "Better boundaries"
    second.affirm.value = True
    again.save_button.click()
    stored = store.find(model.Agreement, partnership_id=pair["partnership"].id)[0]
    assert stored.in_force
    assert stored.partners[1].confidentiality_meaning == "Same for me, and no notes kept."
    assert stored.partners[0].confidentiality_meaning == "Nothing leaves the call unless I say so."
    assert (
        "In force"
        in AgreementApp(store, partnership_id=pair["partnership"].id, today=TODAY).status.value
    )
    history = store.history(model.Agreement, stored.id)
    assert [e.changed_by for e in history] == [pair["alice"].id, pair["bob"].id]
    assert "partners" in history[1].changes
    # The Changes table says whose part changed, and what of it (not "Partners").
    (bobs,) = _text(again.history).split("Bob\u2019s part: ")[1:]
    assert bobs.startswith(
        "What confidentiality means to me, Affirmation of the ground rule, "
        "What I hope to get out of peer coaching"
    )
    assert "Partners" not in _text(again.history)
    assert "Alice\u2019s part" not in _text(again.history)  # hers did not change


def _text(widget) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", widget.value))


def test_a_tick_not_saved_yet_is_not_said_to_be_an_affirmation(store, pair):
    """Ticked, the box says the affirmation comes with the save, and the status that the
    agreement comes into force once saved; cleared after a save, that saving withdraws it."""
    fill_everything(AgreementApp(store, partnership_id=pair["partnership"].id, today=TODAY), pair)
    app = AgreementApp(store, partnership_id=pair["partnership"].id, today=TODAY)
    app.acting.value = pair["alice"].id
    first = app.panels[0]
    first.affirm.value = True
    assert (
        _text(first.affirmed_line) == "Alice affirms the ground rule once the agreement is saved."
    )
    # The status waits for Bob and says Alice's tick counts once saved (it named Bob alone,
    # as if Alice had affirmed).
    assert _text(app.status) == (
        "Not in force yet. Waiting for Bob to affirm the ground rule of confidentiality; "
        "Alice\u2019s affirmation counts once the agreement is saved."
    )
    app.acting.value = pair["alice"].id
    app.save_button.click()
    assert "Saved at" in app.result.value
    assert _text(first.affirmed_line).startswith("Alice affirmed the ground rule on ")
    bob = AgreementApp(
        store, partnership_id=pair["partnership"].id, person_id=pair["bob"].id, today=TODAY
    )
    bob.panels[1].affirm.value = True
    assert "In force once saved" in bob.status.value and "In force." not in bob.status.value
    bob.save_button.click()
    assert "In force." in bob.status.value
    bob.panels[1].affirm.value = False
    assert _text(bob.panels[1].affirmed_line) == (
        "Bob withdraws the affirmation once the agreement is saved."
    )
    assert (
        "In force until saved" in bob.status.value and "Bob\u2019s affirmation" in bob.status.value
    )
    bob.panels[1].affirm.value = True  # ticked again: as saved
    assert _text(bob.panels[1].affirmed_line).startswith("Bob affirmed the ground rule on ")
    assert "<strong>In force.</strong>" in bob.status.value


def test_an_affirmation_is_said_on_the_clock_of_the_person_under_i_am(store, pair, far_local_clock):
    """09:00 UTC is 22:00 the day before in Pago Pago and 14:30 in Kolkata: each partner reads
    the time on their own clock (it was the computer's, here 14 hours ahead of UTC)."""
    first = AgreementApp(store, partnership_id=pair["partnership"].id, today=TODAY)
    fill_everything(first, pair)
    first.save_button.click()
    stored = store.find(model.Agreement)[0]
    moment = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
    store.save(
        stored.replace(
            partners=[
                s.replace(affirmed_at=moment) if s.affirmed_at else s for s in stored.partners
            ]
        )
    )
    store.save(pair["alice"].replace(time_zone="Pacific/Pago_Pago"))
    store.save(pair["bob"].replace(time_zone="Asia/Kolkata"))
    app = AgreementApp(
        store, partnership_id=pair["partnership"].id, person_id=pair["alice"].id, today=TODAY
    )
    line = app.panels[0].affirmed_line
    assert _text(line) == "Alice affirmed the ground rule on 1 March 2026 at 22:00."
    app.acting.value = pair["bob"].id
    assert _text(line) == "Alice affirmed the ground rule on 2 March 2026 at 14:30."


def test_only_the_partner_themself_can_affirm(app, pair):
    app.acting.value = pair["alice"].id
    assert app.panels[0].affirm.disabled is False
    assert app.panels[1].affirm.disabled is True
    app.acting.value = pair["bob"].id
    assert app.panels[0].affirm.disabled is True and app.panels[1].affirm.disabled is False


def test_saving_needs_to_know_who_you_are(store, app):
    app.save_button.click()
    assert "Nothing was saved" in app.result.value
    assert "choose who you are" in app.acting.message.value
    assert store.find(model.Agreement) == []


def test_warnings_show_next_to_their_field_and_do_not_block_saving(store, pair, app):
    fill_everything(app, pair)
    app.minutes.value = 30
    assert "at least 45 minutes" in app.minutes.message.value
    assert "Note:" in app.minutes.message.value
    app.count.value = 2
    assert "only 2 booked" in app.count.message.value
    app.save_button.click()
    assert "Saved at" in app.result.value
    app.minutes.value = 45
    assert app.minutes.message.value == ""


def test_a_schedule_refused_is_named_in_the_summary(store, pair, app):
    """Two sessions on one day: the summary said "1 field needs attention", naming none."""
    fill_everything(app, pair)
    second, third = app.rows.children[1], app.rows.children[2]
    third.children[0].value = second.children[0].value
    app.save_button.click()
    assert f"Nothing was saved: {q('Schedule')} needs attention" in app.result.value
    assert "both on" in app.schedule_field.message.value


def test_errors_show_next_to_their_field_and_nothing_is_saved(store, pair, app):
    fill_everything(app, pair)
    app.count.value = 0
    assert "book at least one session" in app.count.message.value
    app.save_button.click()
    assert "Nothing was saved" in app.result.value
    app.count.value = 5  # mended: the summary that pointed at it goes
    assert app.result.value == ""
    app.count.value = 0
    app.save_button.click()
    app.count.value = 4
    app.until.value = dt.date(2026, 3, 1)  # before the first session
    assert app.until.message.value.count("cannot be before the first session") == 1
    app.save_button.click()
    app.until.value = None
    app.zone.value = "Moon/Base"
    app.save_button.click()
    assert forms.NO_TIME_ZONE in app.zone.message.value
    assert store.find(model.Agreement) == []
    assert store.find(model.Session) == []


def test_a_refused_saves_summary_names_the_fields_still_marked_as_they_are_mended(store, pair, app):
    """It stood whole, naming every field, until the last one was mended."""
    fill_everything(app, pair)
    app.minutes.value = 999
    app.zone.value = "Mars/Olympus"
    app.save_button.click()
    assert (
        f"Nothing was saved: {q('Minutes of coaching each')} and {q('Time zone')} need attention"
        in app.result.value
    )
    app.minutes.value = 60
    assert f"Nothing was saved: {q('Time zone')} needs attention" in app.result.value
    app.zone.value = "Europe/Berlin"
    assert app.result.value == ""
    assert store.find(model.Agreement) == []


def test_until_sets_the_number_of_sessions(app, pair):
    fill_everything(app, pair)
    app.until.value = dt.date(2026, 4, 28)  # fortnightly from 3 March: five dates
    assert app.count.value == 5 and len(app.rows.children) == 5
    app.count.value = 7  # typed while the end date rules: it goes back, and says why
    assert app.count.value == 5 and len(app.rows.children) == 5
    assert (
        "Note: the number follows \u201cOr book until\u201d (28 Apr 2026): empty that date to "
        "book a number of sessions instead"
    ) in _text(app.count.message)


@pytest.mark.parametrize("saved", [False, True])
def test_a_schedule_held_back_by_a_wrong_number_follows_what_changed_meanwhile(
    store, pair, app, saved
):
    """With the number of sessions wrong, a new first date and rhythm waited; mending the
    number then only added sessions at the end of the old ones: saved every two weeks from
    the old date beside "every week" from the new one."""
    fill_everything(app, pair)  # fortnightly from 3 March, six sessions
    if saved:
        app.save_button.click()
        assert "Saved at" in app.result.value
    app.count.value = 0
    assert "book at least one session" in _text(app.count.message)
    app.frequency.value = Frequency.WEEKLY
    app.first_date.value = dt.date(2026, 3, 10)
    app.count.value = 10
    booked = [b.on for b in app.bookings if not b.cancelled]
    assert booked == [dt.date(2026, 3, 10) + dt.timedelta(weeks=k) for k in range(10)]
    # The rhythm alone changed meanwhile: the schedule takes it on from where it was.
    app.count.value = 0
    app.frequency.value = Frequency.FORTNIGHTLY
    app.count.value = 3
    booked = [b.on for b in app.bookings if not b.cancelled]
    assert booked == [dt.date(2026, 3, 10) + dt.timedelta(weeks=2 * k) for k in range(3)]


def test_downloads_are_the_agreement_and_a_calendar(store, pair, app):
    fill_everything(app, pair)
    app.save_button.click()
    links = dict(
        re.findall(r'download="([^"]+)" href="data:[^;]+;base64,([^"]+)"', app.downloads.value)
    )
    assert set(links) == {
        "agreement-alice-bob.md",
        "agreement-alice-bob.html",
        "sessions-alice-bob.ics",
    }
    text = base64.b64decode(links["agreement-alice-bob.md"]).decode()
    assert text.startswith("# Peer-coaching agreement: Alice and Bob")
    events = icalendar.Calendar.from_ical(base64.b64decode(links["sessions-alice-bob.ics"]))
    assert len(list(events.walk("VEVENT"))) == 6


def test_a_new_partnership_with_a_new_person(store, pair, monkeypatch):
    cohort = pair["cohort"]
    dee = store.save(model.Person(name="Dee", cohort_id=cohort.id))
    monkeypatch.setattr(agreement_app, "computer_time_zone", lambda: "Europe/Madrid")
    app = AgreementApp(store, today=TODAY)
    assert app.form.layout.display == "none"
    creator = app.new
    creator.refresh()
    creator.first.value = dee.id
    creator.second.value = NEW
    creator.second_name.value = "Carmen Castro"
    # Someone new reads the computer's clock unless their own is chosen (it was UTC, and
    # "your time" said so to a person in Madrid).
    assert creator.second_zone.value == "Europe/Madrid"
    assert creator.second_zone.layout.display == "flex"
    assert creator.first_zone.layout.display == "none"
    creator.second_zone.value = "Mars/Olympus"
    # Said as the box is left (it was said only on pressing Create).
    assert forms.NO_TIME_ZONE in creator.second_zone.message.value
    creator.second_zone.value = "Europe/Madrid"
    assert creator.second_zone.message.value == ""  # mended: gone
    creator.second_zone.value = "India"
    creator.create.click()
    assert forms.NO_TIME_ZONE in creator.second_zone.message.value
    assert store.find(model.Person, name="Carmen Castro") == []
    creator.second_zone.value = "asia/kolkata "
    assert creator.second_zone.value == "Asia/Kolkata"
    creator.create.click()
    carmen = store.find(model.Person, name="Carmen Castro")[0]
    assert carmen.time_zone == "Asia/Kolkata"
    assert forms.TAKE_FOCUS in app.acting._dom_classes  # on to the new pair's form
    created = next(p for p in store.find(model.Partnership) if carmen.id in p.members)
    assert created.members == (dee.id, carmen.id)
    # In Dee's cohort, which Carmen joins: the facilitator's dashboard shows the pair.
    assert (created.cohort_id, carmen.cohort_id) == (cohort.id, cohort.id)
    assert app.chooser.value == created.id and app.form.layout.display == "flex"
    assert [title for title in app.partner_tabs.titles] == ["Dee", "Carmen Castro"]


def test_two_new_people_are_paired_in_the_cohort_chosen_or_told_they_are_in_none(store, pair):
    cohort = pair["cohort"]
    app = AgreementApp(store, today=TODAY)
    creator = app.new
    creator.refresh()
    assert creator.cohort.layout.display == "none"
    creator.first.value = NEW
    creator.first_name.value = "Lena Fox"
    creator.second.value = pair["alice"].id  # Alice is in a cohort: the pair goes there
    assert creator.cohort.layout.display == "none"
    creator.second.value = NEW
    assert creator.cohort.layout.display == "flex"
    # A new person by the name of someone in the workbook cannot be told apart from them.
    creator.second_name.value = "  alice "
    assert "Alice is in the workbook already" in creator.second_name.message.value  # as left
    creator.create.click()
    assert "Alice is in the workbook already: choose them in the list" in (
        creator.second_name.message.value
    )
    creator.second_name.value = "Fay  facilitator"  # anyone's name, a facilitator's too
    creator.create.click()
    assert "Fay Facilitator is in the workbook already" in creator.second_name.message.value
    creator.second_name.value = "LENA FOX"  # nor the other new partner's
    creator.create.click()
    assert "the first partner has this name too" in creator.second_name.message.value
    assert store.find(model.Person, name="Lena Fox") == []
    creator.second_name.value = "Ben Okoye"
    creator.cohort.value = cohort.id
    creator.create.click()
    lena, ben = (store.find(model.Person, name=n)[0] for n in ("Lena Fox", "Ben Okoye"))
    created = next(p for p in store.find(model.Partnership) if lena.id in p.members)
    assert (created.cohort_id, lena.cohort_id, ben.cohort_id) == (cohort.id,) * 3
    said = creator.result.value
    assert "Created: the partnership of Lena Fox and Ben Okoye, from 1 March 2026." in said
    assert "cohort" not in said and "opens once" not in said
    assert app.partnership.id == created.id  # and opened
    # Two more, in no cohort: said.
    creator.first.value, creator.second.value = NEW, NEW
    creator.first_name.value, creator.second_name.value = "Ida Lund", "Jon Berg"
    creator.create.click()
    assert "It is in no cohort (none was chosen)" in creator.result.value


def test_a_partnership_created_over_unsaved_edits_says_it_opens_once_they_are_dealt_with(
    store, pair
):
    app = AgreementApp(store, partnership_id=pair["partnership"].id, today=TODAY)
    fill_everything(app, pair)
    app.save_button.click()
    app.goals.value = "Meet every week"  # not saved
    creator = app.new
    creator.first.value, creator.second.value = NEW, NEW
    creator.first_name.value, creator.second_name.value = "Ida Lund", "Jon Berg"
    creator.create.click()
    said = creator.result.value
    assert "Created: the partnership of Ida Lund and Jon Berg" in said
    assert "It opens once your changes to the agreement on screen are saved or discarded" in said
    assert app.partnership.id == pair["partnership"].id and app.goals.value == "Meet every week"
    assert "not saved" in app.unsaved.text.value
    app.unsaved.discard_button.click()
    ida = store.find(model.Person, name="Ida Lund")[0]
    assert ida.id in app.partnership.members


def test_someone_in_a_running_partnership_is_not_paired_again_here(store, pair):
    app = AgreementApp(store, today=TODAY)
    creator = app.new
    creator.first.value = pair["alice"].id
    creator.second.value = NEW
    creator.second_name.value = "Carmen Castro"
    creator.create.click()
    assert "is in a running partnership with Bob" in creator.first.message.value
    assert "Nothing was created" in creator.result.value
    assert store.find(model.Person, name="Carmen Castro") == []
    assert len(store.find(model.Partnership)) == 1
    # A taken name as well: both said at the first click, each under its own field.
    creator.second_name.value = "bob"
    creator.create.click()
    assert "is in a running partnership with Bob" in creator.first.message.value
    assert "Bob is in the workbook already" in creator.second_name.message.value


SECOND_NAME = q("Second partner's name")


def test_a_partner_in_a_running_partnership_is_said_with_the_forms_own_faults(store, pair):
    """Alice is paired already, and the new partner's name is empty: both said at the first
    click (Alice's came only once the name was filled in)."""
    creator = AgreementApp(store, today=TODAY).new
    creator.first.value = pair["alice"].id
    creator.second.value = NEW
    creator.second_name.value = ""
    creator.create.click()
    assert "cannot be empty" in creator.second_name.message.value
    assert "is in a running partnership with Bob" in creator.first.message.value
    assert (
        f"Nothing was created: {q('First partner')} and {SECOND_NAME} "
        "need attention" in html.unescape(creator.result.value)
    )


def test_the_choosers_show_their_first_option_and_offer_no_one_who_left(store, pair):
    gone = store.save(
        model.Person(
            name="Former participant",
            cohort_id=pair["cohort"].id,
            forgotten_at=dt.datetime(2026, 2, 1, tzinfo=dt.UTC),
        )
    )
    app = AgreementApp(store, today=TODAY)  # opened without a partnership
    assert app.chooser.value is None
    assert app.chooser.control.label == "Choose a partnership…"  # not a blank box
    offered = [value for _, value in app.new.first.control.options]
    assert gone.id not in offered and pair["alice"].id in offered


def test_people_of_two_cohorts_are_not_paired_here(store, pair):
    other = store.save(model.Cohort(name="Autumn cohort", facilitator_id=pair["fay"].id))
    dee = store.save(model.Person(name="Dee", cohort_id=pair["cohort"].id))
    eve = store.save(model.Person(name="Eve", cohort_id=other.id))
    app = AgreementApp(store, today=TODAY)
    app.new.refresh()
    app.new.first.value, app.new.second.value = dee.id, eve.id
    app.new.create.click()
    assert "is in another cohort than the first partner" in app.new.second.message.value
    assert len(store.find(model.Partnership)) == 1


@pytest.mark.parametrize(
    ("first", "second", "name", "where", "message"),
    [
        (None, None, "", "first", "choose a person, or add someone new"),
        ("alice", "alice", "", "second", "choose a different person from the first partner"),
        ("alice", NEW, "   ", "second_name", "cannot be empty"),
    ],
)
def test_creating_a_partnership_needs_two_people(store, pair, first, second, name, where, message):
    app = AgreementApp(store, today=TODAY)
    creator = app.new
    creator.first.value = pair[first].id if first else None
    creator.second.value = pair[second].id if second in pair else second
    creator.second_name.value = name
    creator.create.click()
    assert message in getattr(creator, where).message.value
    assert len(store.find(model.Partnership)) == 1
    assert "Nothing was created" in creator.result.value


def test_sessions_held_unplanned_are_said_beside_those_counted(store, pair):
    """Sessions 1 to 3 held, and two more held without being booked: the note and the document
    say both, and the number of sessions still counts only the agreed ones."""
    early = AgreementApp(store, partnership_id=pair["partnership"].id, today=TODAY)
    fill_everything(early, pair)
    early.save_button.click()
    with store.transaction() as tx:
        for session in tx.find(model.Session, partnership_id=pair["partnership"].id)[:3]:
            tx.save(session.replace(status="held", held_on=session.scheduled_on))
        for day in (dt.date(2026, 3, 20), dt.date(2026, 4, 2)):
            tx.save(
                model.Session(
                    partnership_id=pair["partnership"].id, planned=False, status="held", held_on=day
                )
            )
        # One that was not held (a draft of a session, missed) is not said.
        tx.save(
            model.Session(
                partnership_id=pair["partnership"].id,
                planned=False,
                status="missed",
                scheduled_on=dt.date(2026, 4, 9),
            )
        )
    app = AgreementApp(store, partnership_id=pair["partnership"].id, today=dt.date(2026, 4, 20))
    assert app.count.value == 6
    note = html.unescape(app.logged_note.value)
    assert "Sessions 1 to 3 were held (the last on" in note
    assert (
        "2 sessions held outside the schedule (the last on 2 Apr 2026): the session log has "
        "them; they are not counted in the number."
    ) in note
    links = dict(
        re.findall(r'download="([^"]+)" href="data:[^;]+;base64,([^"]+)"', app.downloads.value)
    )
    text = base64.b64decode(links["agreement-alice-bob.md"]).decode()
    assert (
        "2 sessions held outside the schedule (the last on 2 April 2026): not counted above."
        in (text)
    )


def test_demo_partnerships_are_marked(demo_store):
    pid = demo_store.find(model.Partnership)[0].id
    app = AgreementApp(demo_store, partnership_id=pid, today=TODAY)
    assert "Demo data" in app.demo.value


def test_more_sessions_for_a_running_agreement_continue_from_the_next_one(store, pair):
    """Adding a session months in keeps the booked dates; it never books into the past."""
    early = AgreementApp(store, partnership_id=pair["partnership"].id, today=TODAY)
    fill_everything(early, pair)
    early.save_button.click()
    assert "Saved at" in early.result.value
    later_today = dt.date(2026, 4, 20)
    with store.transaction() as tx:  # the first three sessions were held
        for session in tx.find(model.Session, partnership_id=pair["partnership"].id)[:3]:
            tx.save(session.replace(status="held", held_on=session.scheduled_on))
    app = AgreementApp(store, partnership_id=pair["partnership"].id, today=later_today)
    booked = [b.on for b in app.bookings if not b.cancelled]
    # The number counts the three held with the three still booked, which go on from "Session 4".
    assert app.count.value == 6 and min(booked) > later_today - dt.timedelta(days=14)
    assert app.rows.children[0].children[0].description == "Session 4"
    assert "Sessions 1 to 3 were held (the last on" in app.logged_note.value
    # One or two are said as people say them; held and missed as the log has them (it said
    # "held or missed" of sessions it knew were held).
    held = app.logged
    app.logged = held[:2]
    app._render_rows()
    assert "Sessions 1 and 2 were held (the last on" in app.logged_note.value
    app.missed = {held[1]}
    app._render_rows()
    assert (
        "Sessions 1 and 2 were held or missed (1 held, 1 missed; the last on "
        f"{dates.short(held[1])}; the session log has them) and are counted in the number"
    ) in app.logged_note.value
    app.logged = held[:1]
    app._render_rows()
    assert (
        f"Session 1 was held (on {dates.short(held[0])}; the session log has it) and is counted"
        in app.logged_note.value
    )
    app.missed = {held[0]}
    app._render_rows()
    assert f"Session 1 was missed (on {dates.short(held[0])};" in app.logged_note.value
    app.logged, app.missed = held, set()
    app._render_rows()
    app.count.value = 7
    now = [b.on for b in app.bookings if not b.cancelled]
    assert now[:3] == booked and now[3] == booked[-1] + dt.timedelta(days=14)
    assert all(day >= min(booked) for day in now)
    # With sessions held, the first date is history: it stays, and so do the sessions booked.
    app.first_date.value = dt.date(2026, 5, 5)
    assert "the first session was on 3 March 2026 and sessions have been held since" in (
        app.first_date.message.value
    )
    assert [b.on for b in app.bookings if not b.cancelled] == now


def test_a_session_cancelled_on_purpose_survives_a_new_number_of_sessions(store, pair, app):
    fill_everything(app, pair)  # fortnightly on Tuesdays from 3 March, six sessions
    holiday = dt.date(2026, 3, 31)
    row = next(r for r in app.rows.children if r.children[0].value == holiday)
    row.children[1].value = True  # cancelled
    # The number follows (five booked now), and the rows are numbered as it counts them.
    assert app.count.value == 5
    names = [r.children[0].description for r in app.rows.children]
    assert names == [
        "Session 1",
        "Session 2",
        "Cancelled 31 Mar",
        "Session 3",
        "Session 4",
        "Session 5",
    ]
    app.save_button.click()
    assert "Saved at" in app.result.value
    again = AgreementApp(store, partnership_id=pair["partnership"].id, today=TODAY)
    again.acting.value = pair["alice"].id
    assert again.count.value == 5
    assert [r.children[0].description for r in again.rows.children] == names

    def booked(app):
        return [(b.on, b.cancelled) for b in app.bookings]

    before = booked(again)
    again.count.value = 7  # two more, at the end; the holiday stays cancelled
    assert booked(again) == [*before, (dt.date(2026, 5, 26), False), (dt.date(2026, 6, 9), False)]
    again.count.value = 3  # then fewer: cut off the end
    assert booked(again)[:4] == before[:4]
    assert [c for _day, c in booked(again)[4:]] == [True, True]  # stored ones stay, cancelled
    again.count.value = 5  # and back: the same sessions on the same days as before
    assert booked(again) == before
    again.count.value = 2  # fewer than those before the holiday: it stays cancelled still
    assert (holiday, True) in booked(again)
    assert sum(not cancelled for _day, cancelled in booked(again)) == 2
    again.count.value = 5
    assert booked(again) == before
    again.save_button.click()
    stored = store.find(model.Session, partnership_id=pair["partnership"].id)
    assert [
        (s.scheduled_on, s.status.value) for s in sorted(stored, key=lambda s: s.scheduled_on)
    ] == [(day, "cancelled" if cancelled else "scheduled") for day, cancelled in before]


@pytest.mark.parametrize(
    ("field", "typed", "message"),
    [
        ("minutes", 500, "must be from 5 to 240"),
        ("minutes", 3, "must be from 5 to 240"),
        ("count", -3, "must be from 1 to 104"),
        ("count", 5000, "must be from 1 to 104"),
    ],
)
def test_numbers_out_of_range_are_refused_as_typed(store, pair, app, field, typed, message):
    fill_everything(app, pair)
    booked = len(app.rows.children)
    getattr(app, field).value = typed
    assert message in getattr(app, field).message.value  # at once, before any save
    assert len(app.rows.children) == booked  # no schedule of 5,000 (or -3) sessions
    app.save_button.click()
    assert "Nothing was saved" in app.result.value
    assert message in getattr(app, field).message.value
    assert store.find(model.Agreement) == []


def test_a_partner_writes_only_their_own_part(store, pair, app):
    fill_everything(app, pair)
    first, second = app.panels
    assert second.meaning.control.disabled and second.affirm.disabled
    assert "Only Bob can write or change this part" in second.whose.value
    assert not first.meaning.control.disabled and first.whose.value == ""
    app.save_button.click()
    assert "Saved at" in app.result.value
    # Typed into Bob's part (say, before switching "I am") and saved as Alice: refused.
    second.meaning.value = "Written by Alice for Bob"
    app.save_button.click()
    assert "Nothing was saved" in app.result.value
    assert "Bob&#x27;s part: only Bob can write or change it" in second.meaning.message.value
    (stored,) = store.find(model.Agreement)
    assert stored.partners[1].confidentiality_meaning == ""
    # Nobody chosen under "I am" while Bob's part holds what Alice typed: held back until
    # that is discarded (the form as stored again); then nobody's part can be written.
    app.acting.value = None
    assert app.acting.value == pair["alice"].id
    assert "changes to this agreement that are not saved" in app.unsaved.text.value
    app.unsaved.discard_button.click()
    assert app.acting.value is None
    first, second = app.panels
    assert second.meaning.value == ""
    assert first.meaning.control.disabled and second.meaning.control.disabled
    assert "choose who you are" in first.whose.value


def test_switching_partnership_holds_back_unsaved_edits(store, pair, app):
    fill_everything(app, pair)
    app.save_button.click()
    app.goals.value = "Meet every week"  # not saved
    creator = app.new
    creator.first.value = creator.second.value = NEW
    creator.first_name.value, creator.second_name.value = "Carmen Castro", "Dan Dorn"
    creator.create.click()  # the new partnership is made, but the edits stay on screen
    (created,) = [p for p in store.find(model.Partnership) if p.id != pair["partnership"].id]
    assert app.chooser.value == pair["partnership"].id
    assert app.goals.value == "Meet every week"
    assert "changes to this agreement that are not saved" in app.unsaved.text.value
    app.unsaved.discard_button.click()
    assert app.chooser.value == created.id and app.goals.value == ""
    app.chooser.value = pair["partnership"].id  # nothing edited: straight there
    assert app.goals.value == "Meet every fortnight\nKeep our commitments"
    app.count.value = 8  # a longer schedule is an edit too
    app.chooser.value = created.id
    assert app.chooser.value == pair["partnership"].id and app.count.value == 8


def test_two_partners_saving_at_once_lose_nothing(store, pair):
    alice, bob = pair["alice"], pair["bob"]
    first = AgreementApp(store, partnership_id=pair["partnership"].id, today=TODAY)
    fill_everything(first, pair)
    first.save_button.click()
    mine = AgreementApp(store, partnership_id=pair["partnership"].id, today=TODAY)
    mine.acting.value = alice.id
    theirs = AgreementApp(store, partnership_id=pair["partnership"].id, today=TODAY)
    theirs.acting.value = bob.id
    assert theirs.partner_tabs.selected_index == 1  # Bob's own part first

    # Alice changes the goals; Bob, in a tab opened before, writes only his own part.
    mine.goals.value = "Meet every fortnight\nKeep our commitments\nRun 5k"
    mine.save_button.click()
    theirs.panels[1].hopes.value = "A clearer head"
    theirs.save_button.click()
    assert "What your partner saved meanwhile is kept too" in theirs.result.value
    (saved,) = store.find(model.Agreement)
    assert [g.text for g in saved.goals][-1] == "Run 5k"
    assert {s.person_id: s.hopes for s in saved.partners}[bob.id] == "A clearer head"
    assert theirs.goals.value.endswith("Run 5k")  # his form now shows what is stored

    # Both change what they share, differently: the later save is refused, nothing lost.
    mine.minutes.value = 50
    mine.save_button.click()
    stale = AgreementApp(store, partnership_id=pair["partnership"].id, today=TODAY)
    stale.acting.value = bob.id
    mine.minutes.value = 55
    mine.save_button.click()
    stale.minutes.value = 60
    stale.day.value = Weekday.THURSDAY  # changed only here: it comes along
    stale.panels[1].hopes.value = "To listen more"  # his own part: it comes along too
    stale.save_button.click()
    said = stale.result.value
    assert (
        "Alice saved this agreement after you opened it, and changed \u201cMinutes of coaching "
        "each\u201d" in said
    )
    assert store.find(model.Agreement)[0].minutes_per_person == 55
    assert stale.minutes.value == 60  # still on screen
    stale.reload_button.click()
    assert stale.minutes.value == 55 and stale.reload_button.layout.display == "none"
    assert (stale.day.value, stale.panels[1].hopes.value) == (Weekday.THURSDAY, "To listen more")
    assert "with your changes that did not clash" in stale.result.value
    stale.save_button.click()
    assert "Saved at" in stale.result.value, stale.result.value
    (saved,) = store.find(model.Agreement)
    assert (saved.minutes_per_person, saved.day) == (55, Weekday.THURSDAY)
    assert {s.person_id: s.hopes for s in saved.partners}[bob.id] == "To listen more"


def _creating_dee_and_eve(store, pair):
    """The new-partnership form with Dee and Eve, two people free to pair, chosen: the start
    date is all that is left to choose."""
    dee, eve = (
        store.save(model.Person(name=name, cohort_id=pair["cohort"].id)) for name in ("Dee", "Eve")
    )
    creator = AgreementApp(store, today=TODAY).new
    creator.refresh()
    creator.first.value = dee.id
    creator.second.value = eve.id
    return creator, dee, eve


def test_a_start_date_outside_the_workbook_years_is_refused_next_to_it(store, pair):
    creator, _dee, _eve = _creating_dee_and_eve(store, pair)
    creator.started.value = dt.date(1850, 1, 1)
    # Said as it is chosen, not only at Create; gone once mended.
    assert "must be between 2000 and 2100" in creator.started.message.value
    creator.started.value = dt.date(2026, 3, 2)
    assert creator.started.message.value == ""
    creator.started.value = dt.date(1850, 1, 1)
    before = store.find(model.Partnership)
    creator.create.click()
    assert "must be between 2000 and 2100" in creator.started.message.value
    assert store.find(model.Partnership) == before
    assert f"Nothing was created: {q('Starting on')} needs attention" in creator.result.value
    creator.started.value = TODAY  # put right: the summary goes with its mark
    assert creator.result.value == ""


def test_a_start_long_before_today_is_taken_with_a_note_beside_it(store, pair):
    creator, dee, eve = _creating_dee_and_eve(store, pair)
    creator.started.value = TODAY - dt.timedelta(days=28)  # one monthly interval back: no note
    assert creator.started.message.value == ""
    creator.started.value = TODAY - dt.timedelta(days=365)
    said = creator.started.message.value
    assert "365 days before today" in said and "told they are lapsing" in said
    assert "your facilitator sees them as not meeting since that day" in said
    assert "peercoach-warning" in said  # a note, not an error
    creator.create.click()
    # Taken (a partnership entered late), the note still beside the day.
    (created,) = [p for p in store.find(model.Partnership) if set(p.members) == {dee.id, eve.id}]
    assert created.started_on == TODAY - dt.timedelta(days=365)
    assert "Created" in creator.result.value
    assert "365 days before today" in creator.started.message.value
    creator.started.value = TODAY
    assert creator.started.message.value == ""
    creator.started.value = TODAY - dt.timedelta(days=9459)
    assert "that is 9,459 days before today" in creator.started.message.value


def test_a_pair_in_no_cohort_is_told_of_no_facilitator(store, pair):
    """Two people new to a workbook with cohorts, in none: nobody's dashboard counts them, so
    a start long ago is no lapse anyone is told of."""
    creator = AgreementApp(store, today=TODAY).new
    creator.refresh()
    creator.first.value = creator.second.value = NEW
    creator.started.value = TODAY - dt.timedelta(days=365)
    assert creator.cohort.value is None and creator.cohort.layout.display == "flex"
    assert creator.started.message.value == ""
    creator.cohort.value = pair["cohort"].id  # in a cohort: its facilitator would see it
    assert "your facilitator sees them as not meeting" in creator.started.message.value


def test_a_new_end_date_mends_a_schedule_that_was_too_long(app, pair):
    fill_everything(app, pair)
    app.until.value = dt.date(2031, 12, 31)  # fortnightly: far more than 104 sessions
    assert "at most 104 can be booked" in app.until.message.value
    app.until.value = dt.date(2026, 4, 28)
    assert app.count.value == 5 and len(app.rows.children) == 5
    assert app.count.message.value == ""


def test_partners_changing_different_things_at_once_keep_both(store, pair):
    alice, bob = pair["alice"], pair["bob"]
    first = AgreementApp(store, partnership_id=pair["partnership"].id, today=TODAY)
    fill_everything(first, pair)
    first.save_button.click()
    tabs = {}
    for who in (alice, bob):
        tabs[who.name] = AgreementApp(store, partnership_id=pair["partnership"].id, today=TODAY)
        tabs[who.name].acting.value = who.id
    # Alice writes only her own part; Bob, in a tab opened before, changes the minutes.
    tabs["Alice"].panels[0].hopes.value = "A clearer head"
    tabs["Alice"].save_button.click()
    tabs["Bob"].minutes.value = 55
    tabs["Bob"].save_button.click()
    assert "Saved at" in tabs["Bob"].result.value
    (saved,) = store.find(model.Agreement)
    assert saved.minutes_per_person == 55
    assert {s.person_id: s.hopes for s in saved.partners}[alice.id] == "A clearer head"
    # Two different shared fields, one each: both kept too.
    again = {
        who.name: AgreementApp(store, partnership_id=pair["partnership"].id, today=TODAY)
        for who in (alice, bob)
    }
    again["Alice"].acting.value, again["Bob"].acting.value = alice.id, bob.id
    again["Alice"].goals.value = "Meet every week"
    again["Alice"].save_button.click()
    again["Bob"].day.value = Weekday.FRIDAY
    again["Bob"].save_button.click()
    (saved,) = store.find(model.Agreement)
    assert ([g.text for g in saved.goals], saved.day) == (["Meet every week"], Weekday.FRIDAY)
    # The same person in two windows is told it was them.
    other_window = AgreementApp(store, partnership_id=pair["partnership"].id, today=TODAY)
    other_window.acting.value = bob.id
    again["Bob"].goals.value = "Meet every week\nRun 5k"
    again["Bob"].save_button.click()
    other_window.panels[1].hopes.value = "Fewer meetings"  # merges, and says whose it kept
    other_window.save_button.click()
    assert "What you saved in another window meanwhile is kept too" in other_window.result.value
    other_window = AgreementApp(store, partnership_id=pair["partnership"].id, today=TODAY)
    other_window.acting.value = bob.id
    again["Bob"].minutes.value = 60
    again["Bob"].save_button.click()
    other_window.minutes.value = 65
    other_window.save_button.click()
    assert "You saved this agreement from another window" in other_window.result.value


def test_a_link_to_an_ended_partnership_says_it_ended(store, pair):
    from peercoach_lib import agreement as ag
    from peercoach_lib import partnerships

    first = TODAY + dt.timedelta(days=7)
    ag.save(
        store,
        model.Agreement(partnership_id=pair["partnership"].id, first_session_on=first),
        [ag.Booking(first), ag.Booking(first + dt.timedelta(days=14))],
    )
    partnerships.end(
        store, pair["partnership"].id, by=pair["bob"].id, reason="life change", today=TODAY
    )
    app = AgreementApp(store, partnership_id=pair["partnership"].id, today=TODAY)
    assert "The partnership of Alice &amp; Bob ended on 1 March 2026" in app.no_pair.value
    assert app.chooser.value is None
    # Its sessions booked after the end were cancelled: the calendar file says so.
    assert "to take them out of your calendar" in app.no_pair.value
    (data,) = re.findall(r'href="data:text/calendar;base64,([^"]+)"', app.no_pair.value)
    statuses = [
        str(e["status"])
        for e in icalendar.Calendar.from_ical(base64.b64decode(data)).walk("VEVENT")
    ]
    assert statuses and set(statuses) == {"CANCELLED"}
    # With nothing booked after the end, nothing was cancelled, and the page says nothing of it.
    with store.transaction() as tx:
        for session in tx.find(model.Session, partnership_id=pair["partnership"].id):
            tx.save(session.replace(scheduled_on=TODAY - dt.timedelta(days=1)))
    app = AgreementApp(store, partnership_id=pair["partnership"].id, today=TODAY)
    assert "ended on 1 March 2026" in app.no_pair.value
    assert "cancelled" not in app.no_pair.value and "calendar" not in app.no_pair.value
    unknown = AgreementApp(store, partnership_id=9999, today=TODAY)
    assert unknown.no_pair.value == ""


def test_an_end_date_before_the_first_session_leaves_the_schedule_as_it_was(store, pair, app):
    fill_everything(app, pair)
    app.until.value = dt.date(2026, 4, 28)
    app.save_button.click()
    assert "Saved at" in app.result.value
    booked = [(b.on, b.cancelled) for b in app.bookings]
    app.until.value = dt.date(2026, 2, 20)  # before the first session
    assert app.until.message.value.count("cannot be before the first session") == 1
    assert [(b.on, b.cancelled) for b in app.bookings] == booked  # nothing cancelled
    assert app.count.value == len(booked) and app.count.message.value == ""
    app.until.value = dt.date(2099, 12, 31)  # then too far ahead: the end date, again
    assert "choose an earlier end date" in app.until.message.value
    assert app.count.message.value == ""
    assert [(b.on, b.cancelled) for b in app.bookings] == booked
    app.until.value = dt.date(2026, 5, 12)  # one more fortnight: one more session
    assert app.until.message.value == "" and app.count.value == len(booked) + 1


def test_an_end_date_before_the_next_session_booked_is_refused(store, pair, app):
    fill_everything(app, pair)  # fortnightly from 3 March, six sessions
    app.save_button.click()
    for session in store.find(model.Session, partnership_id=pair["partnership"].id):
        if session.scheduled_on < dt.date(2026, 4, 1):
            store.save(
                session.replace(status=model.SessionStatus.HELD, held_on=session.scheduled_on)
            )
    later = AgreementApp(store, partnership_id=pair["partnership"].id, today=dt.date(2026, 4, 5))
    later.acting.value = pair["alice"].id
    booked = [(b.on, b.cancelled) for b in later.bookings]
    later.until.value = dt.date(2026, 4, 7)  # after the first session, before the next booked
    assert "the next session booked is on 14 Apr 2026: end on that day or later" in (
        later.until.message.value
    )
    assert [(b.on, b.cancelled) for b in later.bookings] == booked
    later.save_button.click()
    assert "Nothing was saved" in later.result.value
    assert store.find(model.Agreement)[0].last_session_on is None


def test_an_end_date_too_far_ahead_is_what_the_message_points_at(store, pair, app):
    fill_everything(app, pair)
    booked = len(app.rows.children)
    app.until.value = dt.date(2099, 12, 31)
    assert "at most 104 can be booked, so choose an earlier end date" in app.until.message.value
    assert "Error" not in app.count.message.value
    app.save_button.click()
    assert "Nothing was saved" in app.result.value and store.find(model.Agreement) == []
    app.until.value = dt.date(2026, 5, 31)
    assert app.until.message.value == "" and len(app.rows.children) != booked
    app.save_button.click()
    assert "Saved at" in app.result.value
    # Left with an end date too far ahead, then another partnership shown (its changes
    # discarded): its saved agreement, with an end date of its own, is not refused for it.
    app.until.value = dt.date(2099, 12, 31)
    cleo, dan = (store.save(model.Person(name=n, cohort_id=pair["cohort"].id)) for n in "CD")
    other = partnerships.pair(store, cleo.id, dan.id, on=dt.date(2026, 1, 5))
    store.save(
        model.Agreement(
            partnership_id=other.id,
            first_session_on=dt.date(2026, 3, 2),
            last_session_on=dt.date(2026, 4, 27),
        )
    )
    app.load(other.id)
    assert app.until.value == dt.date(2026, 4, 27) and app.until.message.value == ""
    _agreement, findings = app.check(saving=True)
    assert "last_session_on" not in findings.errors


def test_no_session_is_booked_before_the_partnership_started(store, pair, app):
    fill_everything(app, pair)  # the partnership started on 5 January 2026
    app.first_date.value = dt.date(2025, 12, 29)
    assert "the partnership started on 5 January 2026" in app.first_date.message.value
    app.save_button.click()
    assert "Nothing was saved" in app.result.value and store.find(model.Agreement) == []
    app.first_date.value = dt.date(2026, 1, 6)
    app.rows.children[1].children[0].value = dt.date(2026, 1, 2)  # moved before the start
    assert "before the partnership started on 5 January 2026" in app.schedule_field.message.value


def test_a_partnership_paired_to_start_later_starts_not_started(store, pair):
    """Its first date before the start was refused as "the partnership started on" a day
    still to come."""
    early = AgreementApp(store, partnership_id=pair["partnership"].id, today=dt.date(2025, 12, 1))
    fill_everything(early, pair)
    early.first_date.value = dt.date(2025, 12, 29)
    assert "the partnership starts on 5 January 2026" in early.first_date.message.value


def test_an_emptied_first_date_asks_for_one_and_keeps_the_schedule(store, pair, app):
    fill_everything(app, pair)
    booked = [b.on for b in app.bookings]
    app.first_date.value = None  # emptied, or a date the browser could not read (31 February)
    assert "choose the date of the first session" in app.first_date.message.value
    assert app.count.message.value == "" and [b.on for b in app.bookings] == booked
    app.save_button.click()
    assert "Nothing was saved" in app.result.value and store.find(model.Agreement) == []


def test_saving_a_demo_agreement_unchanged_changes_nothing(demo_store):
    for before in demo_store.find(model.Agreement):
        app = AgreementApp(demo_store, partnership_id=before.partnership_id)
        if app.partnership is None:  # an ended partnership is not offered
            continue
        app.acting.value = app.partnership.person_a_id
        app.save_button.click()
        assert "Saved at" in app.result.value, app.result.value
        after = demo_store.get(model.Agreement, before.id)
        assert after.replace(updated_at=before.updated_at) == before


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        (dt.date(9999, 12, 20), "between 2000 and 2100"),
        (dt.date(1900, 1, 2), "the partnership started on 5 January 2026"),
    ],
)
def test_a_first_date_outside_the_workbook_years_is_an_error_beside_it(
    store, pair, app, typed, message
):
    """A mistyped year (9999) used to run the schedule past the calendar's end."""
    fill_everything(app, pair)
    booked = [b.on for b in app.bookings]
    app.first_date.value = typed
    assert message in app.first_date.message.value
    assert [b.on for b in app.bookings] == booked
    app.until.value = dt.date(9999, 12, 31)  # an end date as far: no crash either
    app.save_button.click()
    assert "Nothing was saved" in app.result.value and store.find(model.Agreement) == []


def _hold_all(store, pair, *, first: int | None = None) -> list[dt.date]:
    """Log every booked session of the pair as held (the ``first`` ones alone, when given);
    returns their days."""
    with store.transaction() as tx:
        sessions = tx.find(model.Session, partnership_id=pair["partnership"].id, status="scheduled")
        sessions = sorted(sessions, key=lambda s: s.scheduled_on)[:first]
        for session in sessions:
            tx.save(session.replace(status="held", held_on=session.scheduled_on))
    return sorted(s.scheduled_on for s in sessions)


def test_more_sessions_after_the_schedule_ran_out_go_on_from_today(store, pair, app):
    """Every booked session held: more are booked on the rhythm from today, never over the
    days already held."""
    fill_everything(app, pair)  # six, every two weeks from 3 March 2026 (a Tuesday)
    app.save_button.click()
    held = _hold_all(store, pair)
    later = held[-1] + dt.timedelta(days=40)
    again = AgreementApp(store, partnership_id=pair["partnership"].id, today=later)
    assert again.count.value == 6 and again.bookings == []
    assert again.count.kind == "warning"  # a note on opening, not an error
    assert "every session agreed is held or missed: make it more than 6" in (
        again.count.message.value
    )
    for fewer in (5, 0):  # none at all, too: the number counts those held
        again.count.value = fewer
        assert again.count.kind == "error"
        assert (
            "6 sessions are already held or missed: the number of sessions counts them, so it "
            "is 6 or more"
        ) in again.count.message.value
    again.count.value = 8
    days = [b.on for b in again.bookings]
    assert len(days) == 2 and min(days) >= later and not set(days) & set(held)
    assert all((day - held[-1]).days % 14 == 0 for day in days)  # on the rhythm
    assert [r.children[0].description for r in again.rows.children] == ["Session 7", "Session 8"]
    again.acting.value = pair["alice"].id
    again.save_button.click()
    assert "Saved at" in again.result.value
    assert store.find(model.Agreement)[0].session_count == 8


def test_changing_the_agreed_day_moves_the_sessions_to_come(store, pair, app):
    fill_everything(app, pair)
    app.save_button.click()
    _hold_all(store, pair, first=2)
    today = dt.date(2026, 4, 2)
    later = AgreementApp(store, partnership_id=pair["partnership"].id, today=today)
    before = [b.on for b in later.bookings if not b.cancelled]
    later.day.value = model.Weekday.THURSDAY
    after = [b.on for b in later.bookings if not b.cancelled]
    # Each session to come moves in its own week; one gone by and not logged yet (31 Mar)
    # stays, to be logged (it moved to today).
    gone_by = [day for day in before if day < today]
    assert gone_by == [dt.date(2026, 3, 31)] and after[:1] == gone_by
    assert after[1:] == [day + dt.timedelta(days=2) for day in before[1:]]
    assert all(day.weekday() == 3 for day in after[1:])
    assert later.first_date.value == app.first_date.value  # history stays as it was
    assert later.first_date.message.value == ""
    assert "Session 3, booked for 31 Mar 2026, is not in the session log yet" in (
        later.schedule_field.message.value
    )
    later.acting.value = pair["alice"].id
    later.save_button.click()
    assert "Saved at" in later.result.value
    stored = store.find(model.Session, partnership_id=pair["partnership"].id, status="scheduled")
    assert sorted(s.scheduled_on for s in stored) == after


def test_a_session_to_come_moved_before_those_held_is_refused(store, pair, app):
    fill_everything(app, pair)
    app.save_button.click()
    _hold_all(store, pair, first=2)
    held = app.bookings[1].on
    later = AgreementApp(store, partnership_id=pair["partnership"].id, today=held + dt.timedelta(3))
    later.acting.value = pair["alice"].id
    later.rows.children[0].children[0].value = held - dt.timedelta(days=3)  # session 3
    assert later.schedule_field.kind == "error"
    assert "Session 3 would be on" in later.schedule_field.message.value
    before = {s.id: s.scheduled_on for s in store.find(model.Session)}
    later.save_button.click()
    assert "Nothing was saved" in later.result.value
    assert {s.id: s.scheduled_on for s in store.find(model.Session)} == before


def test_sessions_moved_cancelled_or_booked_are_in_the_agreements_changes(store, pair, app):
    fill_everything(app, pair)
    app.save_button.click()
    later = AgreementApp(store, partnership_id=pair["partnership"].id, today=app.today)
    later.acting.value = pair["bob"].id
    third, fourth = later.bookings[2].on, later.bookings[3].on
    later.rows.children[2].children[0].value = third + dt.timedelta(days=1)  # moved
    later.count.value = later.count.value + 1  # one more booked
    later.save_button.click()
    assert "Saved at" in later.result.value
    (entry,) = [h for h in store.history(model.Agreement, later.saved.id) if h.changes]
    assert entry.changed_by == pair["bob"].id
    moved = f"Session 3: {dates.short(third)} → {dates.short(third + dt.timedelta(days=1))}"
    assert moved in later.history.value
    count = later.count.value
    assert f"Number of sessions: {count - 1} → {count}" in later.history.value
    assert f"Session {count}: not booked → " in later.history.value
    assert f"Session 4: {dates.short(fourth)}" not in later.history.value  # left as it was
    # A choice is named as the form names it ("monthly" is every four weeks).
    later.frequency.value = Frequency.MONTHLY
    later.save_button.click()
    assert "Frequency: every two weeks → every four weeks" in later.history.value


def test_a_new_agreements_first_date_follows_the_agreed_day(store, pair, app):
    app.first_date.value = dt.date(2026, 1, 13)  # a Tuesday
    app.day.value = model.Weekday.THURSDAY
    assert app.first_date.value == dt.date(2026, 1, 15)
    assert {b.on.weekday() for b in app.bookings} == {3}


def test_two_sessions_on_one_day_are_an_error(store, pair, app):
    fill_everything(app, pair)
    second = app.bookings[1].on
    app.rows.children[2].children[0].value = second  # session 3 onto session 2's day
    assert f"Sessions 2 and 3 are both on {dates.short(second)}: move one of them" in (
        app.schedule_field.message.value
    )
    app.save_button.click()
    assert store.find(model.Agreement) == []


def test_moving_the_first_session_moves_the_first_date(store, pair, app):
    fill_everything(app, pair)
    first = app.bookings[0].on
    app.rows.children[0].children[0].value = first - dt.timedelta(days=1)
    assert app.first_date.value == first - dt.timedelta(days=1)
    assert app.schedule_field.kind != "error"


def test_a_stored_session_moved_before_today_is_pointed_out(store, pair, app):
    fill_everything(app, pair)
    app.save_button.click()
    today = app.bookings[3].on
    later = AgreementApp(store, partnership_id=pair["partnership"].id, today=today)
    # Sessions due and not logged yet are pointed out, not refused.
    assert later.schedule_field.kind == "warning"
    assert (
        "Sessions 1 to 3, booked before today, are not in the session log yet: log them "
        "there (held, missed or rescheduled), or cancel them here"
    ) in later.schedule_field.message.value
    later.rows.children[2].children[0].value = today - dt.timedelta(days=2)
    assert "would be booked before today" in later.schedule_field.message.value


def test_an_emptied_session_date_is_said_and_nothing_is_saved(store, pair, app):
    """A date typed, then the box emptied: the save took the day typed without a word."""
    fill_everything(app, pair)
    app.save_button.click()
    later = AgreementApp(store, partnership_id=pair["partnership"].id, today=TODAY)
    later.acting.value = pair["alice"].id
    box = later.rows.children[2].children[0]
    booked = box.value
    box.value = booked + dt.timedelta(weeks=1)
    box.value = None
    assert later.schedule_field.kind == "error"
    assert "Session 3 has no date: choose its day, or tick it cancelled" in (
        later.schedule_field.message.value
    )
    later.save_button.click()
    assert "Nothing was saved" in later.result.value
    session_id = later.bookings[2].session_id
    assert store.get(model.Session, session_id).scheduled_on == booked
    box.value = booked  # a day again: nothing more to say of it, and it saves
    assert "has no date" not in later.schedule_field.message.value
    later.save_button.click()
    assert "Saved at" in later.result.value


def test_the_schedule_s_problems_are_said_together(store, pair, app):
    """A date emptied and two sessions on one day: both said, not the second only once the
    first is mended."""
    fill_everything(app, pair)
    app.save_button.click()
    later = AgreementApp(store, partnership_id=pair["partnership"].id, today=TODAY)
    later.acting.value = pair["alice"].id
    later.rows.children[2].children[0].value = None
    later.rows.children[3].children[0].value = later.bookings[4].on
    said = later.schedule_field.message.value
    assert "Session 3 has no date: choose its day, or tick it cancelled" in said
    assert "Sessions 4 and 5 are both on" in said
    # The boxes it names are marked (the page marks them invalid, described by the error).
    marked = [forms.INVALID in row.children[0]._dom_classes for row in later.rows.children]
    assert marked == [k in (2, 3, 4) for k in range(len(marked))]
    later.save_button.click()
    assert "Nothing was saved" in later.result.value
    later.rows.children[3].children[0].value = later.bookings[3].on + dt.timedelta(days=1)
    later.rows.children[2].children[0].value = later.bookings[2].on
    assert "schedule" not in later.check()[1].errors
    assert not any(forms.INVALID in row.children[0]._dom_classes for row in later.rows.children)


def test_a_saved_agreement_none_held_yet_moves_its_first_date_with_the_day(store, pair, app):
    fill_everything(app, pair)  # Tuesdays from 3 March
    app.save_button.click()
    again = AgreementApp(store, partnership_id=pair["partnership"].id, today=TODAY)
    again.day.value = Weekday.THURSDAY
    assert again.first_date.value == dt.date(2026, 3, 5)
    assert {b.on.weekday() for b in again.bookings if not b.cancelled} == {3}
    assert again.first_date.message.value == ""


def test_the_first_session_moved_past_the_second_leaves_the_second_first(store, pair, app):
    fill_everything(app, pair)  # 3, 17 and 31 March, ...
    app.rows.children[0].children[0].value = dt.date(2026, 3, 20)
    assert app.first_date.value == dt.date(2026, 3, 17)
    assert app.schedule_field.kind != "error"


def test_after_the_schedule_ran_out_an_end_date_counts_the_sessions_held(store, pair, app):
    fill_everything(app, pair)  # six, every two weeks
    app.save_button.click()
    held = _hold_all(store, pair)
    later = held[-1] + dt.timedelta(days=40)
    again = AgreementApp(store, partnership_id=pair["partnership"].id, today=later)
    again.until.value = later - dt.timedelta(days=1)  # before the schedule would go on
    assert "every session booked is held or missed; the schedule goes on from" in (
        again.until.message.value
    )
    again.until.value = later + dt.timedelta(weeks=2 * 100)  # 6 held + 100: too many
    assert "that makes 10" in again.until.message.value  # 106 (or 107) sessions in all
    assert again.count.kind != "error"


def test_a_session_logged_while_the_agreement_was_open_is_counted_once(store, pair, app):
    fill_everything(app, pair)
    app.save_button.click()
    assert store.find(model.Agreement)[0].session_count == 6
    page = AgreementApp(store, partnership_id=pair["partnership"].id, today=TODAY)
    page.acting.value = pair["alice"].id
    first = store.find(model.Session, partnership_id=pair["partnership"].id)[0]
    store.save(first.replace(status="held", held_on=first.scheduled_on))  # meanwhile
    page.goals.value = "Meet every fortnight"
    page.save_button.click()
    assert "Saved at" in page.result.value
    assert store.find(model.Agreement)[0].session_count == 6


def test_more_sessions_after_a_held_one_was_moved_go_on_on_the_agreed_day(store, pair, app):
    fill_everything(app, pair)  # Tuesdays, every two weeks from 3 March
    app.save_button.click()
    held = _hold_all(store, pair)
    with store.transaction() as tx:  # the last was held on the Friday instead
        last = tx.find(model.Session, partnership_id=pair["partnership"].id, scheduled_on=held[-1])
        tx.save(last[0].replace(scheduled_on=held[-1] + dt.timedelta(days=3)))
    later = held[-1] + dt.timedelta(days=40)
    again = AgreementApp(store, partnership_id=pair["partnership"].id, today=later)
    again.count.value = 8
    assert {b.on.weekday() for b in again.bookings} == {1}  # Tuesdays
    assert min(b.on for b in again.bookings) >= later


def test_a_new_number_of_sessions_moves_none_of_those_booked(store, pair):
    """One session moved to another weekday by hand, then more sessions asked for: the
    sessions booked stay on their days, the new ones go on on the agreed day; fewer cut the
    last ones off, and more again bring them back on the same days."""
    early = AgreementApp(store, partnership_id=pair["partnership"].id, today=TODAY)
    fill_everything(early, pair)  # Tuesdays, every two weeks from 3 March
    early.save_button.click()
    today = dt.date(2026, 4, 20)
    with store.transaction() as tx:  # the first three sessions were held
        for session in tx.find(model.Session, partnership_id=pair["partnership"].id)[:3]:
            tx.save(session.replace(status="held", held_on=session.scheduled_on))
    app = AgreementApp(store, partnership_id=pair["partnership"].id, today=today)
    first_row = app.rows.children[0].children[0]
    first_row.value = first_row.value + dt.timedelta(days=3)  # Session 4 on the Friday
    booked = [b.on for b in app.bookings if not b.cancelled]
    assert booked[0].weekday() == 4 and {d.weekday() for d in booked[1:]} == {1}

    app.count.value = app.count.value + 2
    now = [b.on for b in app.bookings if not b.cancelled]
    assert now[: len(booked)] == booked  # none moved
    assert now[len(booked) :] == [booked[-1] + dt.timedelta(days=14 * k) for k in (1, 2)]
    app.count.value = app.count.value - 3
    assert [b.on for b in app.bookings if not b.cancelled] == booked[:-1]
    app.count.value = app.count.value + 1
    assert [b.on for b in app.bookings if not b.cancelled] == booked
    # An end date the same way: the sessions up to it stay, and more go on to it.
    app.until.value = booked[-1] + dt.timedelta(days=30)
    assert [b.on for b in app.bookings if not b.cancelled] == [
        *booked,
        booked[-1] + dt.timedelta(days=14),
        booked[-1] + dt.timedelta(days=28),
    ]
    app.acting.value = pair["alice"].id
    app.save_button.click()
    assert "Saved at" in app.result.value
    with store.reading() as tx:
        stored = tx.find(model.Session, partnership_id=pair["partnership"].id, planned=True)
    assert {s.scheduled_on for s in stored if not s.is_off} >= set(booked)


def test_sessions_cut_off_the_end_come_back_on_the_days_they_were_moved_to(store, pair, app):
    fill_everything(app, pair)  # six sessions, Tuesdays every two weeks
    app.rows.children[3].children[0].value += dt.timedelta(days=2)  # the fourth on Thursday
    app.rows.children[5].children[0].value -= dt.timedelta(days=1)  # the sixth on Monday
    app.save_button.click()
    assert "Saved at" in app.result.value
    booked = [(b.session_id, b.on) for b in app.bookings]
    app.count.value = 2
    assert [b.cancelled for b in app.bookings] == [False, False, True, True, True, True]
    app.count.value = 5
    assert [(b.session_id, b.on) for b in app.bookings if not b.cancelled] == booked[:5]
    app.count.value = 7  # then one more, a fortnight after the last
    assert [(b.session_id, b.on) for b in app.bookings][:6] == booked
    assert app.bookings[6].on == booked[5][1] + dt.timedelta(days=15)  # on the Tuesday
    # An end date brings them back the same way.
    app.count.value = 2
    app.until.value = booked[4][1]
    assert [(b.session_id, b.on) for b in app.bookings if not b.cancelled] == booked[:5]


def test_sessions_all_cut_off_come_back_on_their_days_after_those_held(store, pair, app):
    """Down to the sessions already held (none left booked), then up again: the sessions
    come back on the days they were moved to, not on the rhythm's."""
    fill_everything(app, pair)
    app.save_button.click()
    _hold_all(store, pair, first=4)
    again = _opened_by(store, pair, "alice")
    again.rows.children[1].children[0].value += dt.timedelta(days=1)  # the sixth on Wednesday
    booked = [(b.session_id, b.on) for b in again.bookings]
    again.count.value = 4  # those held alone
    assert all(b.cancelled for b in again.bookings)
    again.count.value = 6
    assert [(b.session_id, b.on) for b in again.bookings if not b.cancelled] == booked


def test_a_change_every_entry_shows_revises_the_entries_of_sessions_held(store, pair, app):
    fill_everything(app, pair)
    app.save_button.click()
    first = store.find(model.Session, partnership_id=pair["partnership"].id)[0]
    store.save(first.replace(status="held", held_on=first.scheduled_on))
    again = AgreementApp(store, partnership_id=pair["partnership"].id, today=TODAY)
    again.acting.value = pair["alice"].id
    again.zone.value = "Europe/London"
    again.save_button.click()
    assert "Saved at" in again.result.value
    assert store.get(model.Session, first.id).calendar_sequence == first.calendar_sequence + 1


def test_a_new_time_zone_is_said_to_move_the_sessions_to_come_not_those_held(store, pair, app):
    fill_everything(app, pair)  # 18:30 Berlin time, every two weeks from Tue 3 Mar 2026
    app.save_button.click()
    first = store.find(model.Session, partnership_id=pair["partnership"].id)[0]
    store.save(first.replace(status="held", held_on=first.scheduled_on))
    again = AgreementApp(store, partnership_id=pair["partnership"].id, today=dt.date(2026, 3, 4))
    again.acting.value = pair["alice"].id
    again.zone.value = "Europe/London"
    assert (
        "Note: sessions to come will be at 18:30 London time: the next, on Tue 17 Mar 2026, was "
        "booked for 17:30 London time (18:30 Berlin time). Sessions before today keep their "
        "times"
    ) in _text(again.zone.message)
    again.save_button.click()
    assert "Saved at" in again.result.value
    held = store.get(model.Session, first.id)
    assert (held.time_zone, held.scheduled_time) == ("Europe/Berlin", dt.time(18, 30))
    assert {s.time_zone for s in store.find(model.Session, status="scheduled")} == {None}


def test_leaving_the_page_is_asked_about_only_while_edits_are_kept_nowhere(store, pair, app):
    fill_everything(app, pair)
    app.save_button.click()
    app.unsaved.refresh()
    assert not app.unsaved.holds_unsaved
    app.goals.value = "Meet every week"  # kept as Alice's draft
    app.unsaved.refresh()
    assert not app.unsaved.holds_unsaved and len(store.find(model.Draft)) == 1
    # Before anyone is chosen under "I am", a draft would be nobody's: none is kept.
    nobody = AgreementApp(store, partnership_id=pair["partnership"].id, today=TODAY)
    nobody.goals.value = "Meet every day"
    nobody.unsaved.refresh()
    assert nobody.unsaved.holds_unsaved and len(store.find(model.Draft)) == 1
    nobody.acting.value = pair["bob"].id  # what was typed before is his now
    nobody.unsaved.refresh()
    assert not nobody.unsaved.holds_unsaved
    assert {d.person_id for d in store.find(model.Draft)} == {pair["alice"].id, pair["bob"].id}


def _opened_by(store, pair, who: str) -> AgreementApp:
    return AgreementApp(
        store, partnership_id=pair["partnership"].id, person_id=pair[who].id, today=TODAY
    )


def test_ones_own_part_changed_in_two_windows_is_a_clash_named_as_labelled(store, pair, app):
    fill_everything(app, pair)
    app.save_button.click()
    one, other = _opened_by(store, pair, "alice"), _opened_by(store, pair, "alice")
    one.panels[0].hopes.value = "Written in the first window"
    one.save_button.click()
    assert "Saved at" in one.result.value
    other.panels[0].hopes.value = "Written in the second window"
    other.save_button.click()
    said = html.unescape(other.result.value)
    assert "Nothing was saved: You saved this agreement from another window" in said
    assert q("What I hope to get out of peer coaching") in said
    # "Show the saved agreement" goes away as it is pressed: the focus goes to her part.
    other.reload_button.click()
    assert forms.TAKE_FOCUS in other.panels[0]._dom_classes
    (stored,) = store.find(model.Agreement)
    assert stored.partners[0].hopes == "Written in the first window"


def test_what_a_partner_typed_and_did_not_save_is_back_when_they_open_it_again(store, pair, app):
    fill_everything(app, pair)
    app.save_button.click()
    mine = app.panels[0]
    mine.hopes.value = "A new role by the summer"
    mine.affirm.value = False  # withdrawn, not saved yet
    app.minutes.value = 500  # out of range: kept as typed
    app.time.value = dt.time(7, 15)
    app.caller.value = pair["alice"].id
    app.until.value = None
    app.count.value = 7  # one more session booked
    app.rows.children[1].children[1].value = True  # the second cancelled on purpose
    app.rows.children[2].children[0].value = dt.date(2026, 4, 2)  # the third moved
    app.goals.value = "Meet every fortnight\nRun 5k"
    typed, bookings = app._snapshot(), list(app.bookings)
    assert store.find(model.Agreement)[0].minutes_per_person == 50  # nothing saved

    again = _opened_by(store, pair, "alice")
    assert "Restored what you typed and had not saved" in again.draft_bar.notice.value
    assert again._snapshot() == typed and again.bookings == bookings
    assert "must be from 5 to 240" in again.minutes.message.value
    assert "withdraws the affirmation once" in again.panels[0].affirmed_line.value
    assert again.rows.children[1].children[1].value is True
    again.count.value = 9  # the session cancelled on purpose stays cancelled
    assert again.bookings[1].cancelled and again.bookings[1].on == bookings[1].on
    again.minutes.value = 45
    again.save_button.click()
    assert "Saved at" in again.result.value, again.result.value
    assert store.find(model.Draft) == [] and again.draft_bar.notice.value == ""
    (saved,) = store.find(model.Agreement)
    assert (saved.minutes_per_person, saved.time, saved.caller_id) == (
        45,
        dt.time(7, 15),
        pair["alice"].id,
    )
    assert [g.text for g in saved.goals] == ["Meet every fortnight", "Run 5k"]
    assert {s.person_id: s.hopes for s in saved.partners}[pair["alice"].id] == (
        "A new role by the summer"
    )
    assert not saved.partners[0].affirmed_at
    # Bob never sees it; his own draft is his alone.
    bob = _opened_by(store, pair, "bob")
    assert bob.draft_bar.notice.value == ""


def test_a_draft_keeps_only_its_own_partners_part(store, pair, app):
    fill_everything(app, pair)
    app.save_button.click()
    bob = _opened_by(store, pair, "bob")
    bob.panels[1].hopes.value = "Bob's words, kept for Bob alone"
    bob.save_button.click()
    app.goals.value = "Alice's unsaved goal"
    (draft,) = store.find(model.Draft)
    assert draft.person_id == pair["alice"].id
    assert "Bob's words" not in str(draft.data)
    assert "Nothing leaves the call" in str(draft.data)  # her own part
    (item,) = my_data.by_kind(my_data.inventory(store, pair["alice"].id))["draft"]
    assert item.label == "Unsaved first-session agreement: with Bob"  # which, of several
    held = {entry.label: entry.value for entry in item.entries}["What it holds"]
    assert "Alice's unsaved goal" in held and "Bob's words" not in held


def test_a_draft_shows_what_the_partner_saved_since_and_a_clash_is_asked_on_saving(store, pair):
    alice, bob = pair["alice"], pair["bob"]
    first = _opened_by(store, pair, "alice")
    fill_everything(first, pair)
    first.save_button.click()
    mine = _opened_by(store, pair, "alice")
    mine.minutes.value = 55
    mine.medium.value = Medium.PHONE
    # Bob saves his own part, the goals and the minutes, after Alice began typing.
    theirs = _opened_by(store, pair, "bob")
    theirs.panels[1].hopes.value = "A clearer head"
    theirs.goals.value = "Keep our commitments"
    theirs.minutes.value = 60
    theirs.save_button.click()
    assert "Saved at" in theirs.result.value

    again = _opened_by(store, pair, "alice")
    notice = again.draft_bar.notice.value
    assert "Bob saved the agreement since: what was changed there shows too" in notice
    assert again.panels[1].hopes.value == "A clearer head"  # his part, as he saved it
    assert again.goals.value == "Keep our commitments"  # changed there only
    assert (again.medium.value, again.minutes.value) == (Medium.PHONE, 55)  # typed here
    again.save_button.click()  # both changed the minutes: asked, nothing saved
    assert "Bob saved this agreement after you opened it" in again.result.value
    assert "Minutes of coaching each" in again.result.value
    assert store.find(model.Agreement)[0].minutes_per_person == 60
    again.reload_button.click()
    assert again.minutes.value == 60 and again.medium.value is Medium.PHONE
    later = _opened_by(store, pair, "alice")  # what the reload showed is the draft now
    assert later.minutes.value == 60 and later.medium.value is Medium.PHONE
    later.save_button.click()
    assert "Saved at" in later.result.value, later.result.value
    (saved,) = store.find(model.Agreement)
    assert (saved.medium, saved.minutes_per_person) == (Medium.PHONE, 60)
    assert {s.person_id: s.hopes for s in saved.partners}[bob.id] == "A clearer head"
    assert store.find(model.Draft, person_id=alice.id) == []


def test_two_fields_changed_differently_are_named_as_a_sentence_names_them(store, pair):
    first = _opened_by(store, pair, "alice")
    fill_everything(first, pair)
    first.save_button.click()
    mine, theirs = _opened_by(store, pair, "alice"), _opened_by(store, pair, "bob")
    mine.medium.value, mine.minutes.value = Medium.PHONE, 55
    mine.save_button.click()
    theirs.medium.value, theirs.minutes.value = Medium.IN_PERSON, 60
    theirs.save_button.click()
    assert (
        "and changed \u201cMedium\u201d and \u201cMinutes of coaching each\u201d differently"
        in theirs.result.value
    )
    assert (
        "then set \u201cMedium\u201d and \u201cMinutes of coaching each\u201d as you both agree"
        in (theirs.result.value)
    )


def test_a_field_is_checked_as_it_is_left_not_only_on_saving(store, pair, app):
    fill_everything(app, pair)
    app.zone.value = "Mars/Olympus_Mons"
    # In the words of every time zone box (it said the model's "must be a time zone name").
    assert forms.NO_TIME_ZONE in app.zone.message.value
    app.zone.value = " europe/paris "  # shown as it is saved
    assert app.zone.value == "Europe/Paris" and app.zone.message.value == ""
    app.goals.value = "\n".join(f"Goal {k}" for k in range(25))
    assert "at most 20" in app.goals.message.value
    assert app.result.value == ""  # nothing was saved, nor refused: said beside the field


def test_a_discarded_draft_leaves_the_agreement_as_saved(store, pair, app):
    fill_everything(app, pair)
    app.save_button.click()
    app.goals.value = "Something else"
    assert app.draft_bar.discard.layout.display == "flex"
    again = _opened_by(store, pair, "alice")
    again.draft_bar.discard.click()
    assert "Draft discarded" in again.result.value
    assert again.goals.value == "Meet every fortnight\nKeep our commitments"
    assert store.find(model.Draft) == [] and not again.unsaved.unsaved
    # Typed back to as saved: nothing to keep.
    again.goals.value = "Another goal"
    assert len(store.find(model.Draft)) == 1
    assert again.result.value == ""  # "this is the agreement as saved" is true no longer
    again.goals.value = "Meet every fortnight\nKeep our commitments"
    assert store.find(model.Draft) == []


def test_a_session_held_since_the_draft_leaves_its_schedule(store, pair, app):
    fill_everything(app, pair)
    app.save_button.click()
    app.rows.children[3].children[0].value = dt.date(2026, 4, 16)  # the fourth moved
    held = _hold_all(store, pair, first=1)
    again = _opened_by(store, pair, "alice")
    assert len(again.bookings) == 5 and held[0] not in [b.on for b in again.bookings]
    assert dt.date(2026, 4, 16) in [b.on for b in again.bookings]
    assert again.count.value == 6
    again.save_button.click()
    assert "Saved at" in again.result.value, again.result.value
    stored = store.find(model.Session, partnership_id=pair["partnership"].id)
    assert len(stored) == 6 and dt.date(2026, 4, 16) in [s.scheduled_on for s in stored]


def test_ending_the_partnership_drops_the_agreements_drafts(store, pair, app):
    fill_everything(app, pair)
    app.save_button.click()
    app.goals.value = "Typed and never saved"
    partnerships.end(store, pair["partnership"].id, by=pair["bob"].id, reason="other", today=TODAY)
    assert store.find(model.Draft) == []


def test_someone_else_under_i_am_is_held_back_while_a_part_holds_unsaved_edits(store, pair, app):
    fill_everything(app, pair)
    app.save_button.click()
    first, _second = app.panels
    first.meaning.value = "What Alice typed and did not save"
    app.acting.value = pair["bob"].id  # Alice's part would turn read-only, holding it
    assert app.acting.value == pair["alice"].id
    assert "changes to this agreement that are not saved" in app.unsaved.text.value
    app.unsaved.keep_button.click()
    app.save_button.click()
    assert "Saved at" in app.result.value
    app.acting.value = pair["bob"].id  # saved: straight there, Bob's part his to write
    assert app.acting.value == pair["bob"].id
    first, second = app.panels
    assert first.meaning.control.disabled and not second.meaning.control.disabled
    assert first.meaning.value == "What Alice typed and did not save"
    # Discarded to go on: the agreement as stored, nothing of the edits left on screen.
    second.meaning.value = "What Bob typed"
    app.acting.value = pair["alice"].id
    app.unsaved.discard_button.click()
    first, second = app.panels
    assert app.acting.value == pair["alice"].id and second.meaning.value == ""


def test_i_am_sits_under_the_partnership_where_a_held_choice_is_asked_about(store, pair, app):
    order = list(app.children)
    assert order.index(app.acting) == order.index(app.chooser) + 1 < order.index(app.unsaved)
    assert app.acting not in app.form.children
    assert app.acting.layout.display == "flex"
    nothing = AgreementApp(store, today=TODAY)  # no partnership chosen: nobody to be
    assert nothing.chooser.value is None and nothing.acting.layout.display == "none"


def test_someone_named_by_the_link_but_not_in_the_partnership_is_said_beside_i_am(store, pair):
    stranger = store.save(model.Person(name="Carol", cohort_id=pair["cohort"].id))
    app = AgreementApp(
        store, partnership_id=pair["partnership"].id, person_id=stranger.id, today=TODAY
    )
    assert app.acting.value is None
    assert "Carol is not in this partnership: choose who you are" in app.acting.message.value
    app.acting.value = pair["alice"].id
    assert app.acting.message.value == ""


def test_a_first_choice_under_i_am_keeps_what_was_typed_before_it(store, pair):
    app = AgreementApp(store, partnership_id=pair["partnership"].id, today=TODAY)
    assert app.acting.value is None
    app.goals.value = "Meet every week"
    app.acting.value = pair["alice"].id  # nobody's part could be typed before: not held back
    assert app.acting.value == pair["alice"].id and app.goals.value == "Meet every week"
    assert not app.panels[0].meaning.control.disabled


def test_the_changes_table_keeps_its_cells_apart_and_names_fields_as_the_form_does(
    store, pair, app
):
    import re

    fill_everything(app, pair)
    app.minutes.value = 45
    app.save_button.click()
    app.minutes.value = 50
    app.save_button.click()
    table = app._history_html()
    assert "Minutes of coaching each: 45 → 50" in table
    assert "first saved" in table  # the row of its making, not a bare "-"
    # Times and days as the form shows them (not "18:30:00", not "2026-03-03").
    app.time.value = dt.time(19, 0)
    app.until.value = dt.date(2026, 5, 26)
    app.save_button.click()
    table = app._history_html()
    assert "Time: 18:30 → 19:00" in table
    assert "Until: (empty) → 26 May 2026" in table
    # Its cells are kept apart by the apps' style sheet ("Alice" never runs into "updated").
    assert table.startswith("<table class='peercoach-history'")
    assert re.search(r"table\.peercoach-history :is\(td, th\) \{[^}]*padding: 2px 14px", forms._CSS)


# -- the goals and the change plans they serve ---------------------------------------------------


def _plan(store, person, change: str) -> model.ChangePlan:
    return store.save(
        model.ChangePlan(person_id=person.id, change=change, created_on=dt.date(2026, 2, 1))
    )


def _links(app: AgreementApp) -> dict[str, int | None]:
    return {text: control.value for text, control in app._link_rows}


def _markdown(app: AgreementApp) -> str:
    links = dict(
        re.findall(r'download="([^"]+)" href="data:[^;]+;base64,([^"]+)"', app.downloads.value)
    )
    return base64.b64decode(links["agreement-alice-bob.md"]).decode()


def test_each_goal_is_linked_to_the_change_plan_that_serves_it(store, pair):
    sleep = _plan(store, pair["alice"], "Sleep by eleven")
    run = _plan(store, pair["bob"], "Run a 10k")
    app = AgreementApp(store, partnership_id=pair["partnership"].id, today=TODAY)
    fill_everything(app, pair)  # as Alice
    rows = {text: control for text, control in app._link_rows}
    assert list(rows) == ["Meet every fortnight", "Keep our commitments"]
    # Her own plans; her partner's are his (what a plan says is its owner's alone).
    assert [label for label, _ in rows["Meet every fortnight"].options] == [
        "No change plan",
        "My plan: Sleep by eleven",
    ]
    rows["Keep our commitments"].value = sleep.id
    # A goal added above, and one reworded in its place, keep the plans chosen.
    app.goals.value = "Rest more\nMeet every fortnight\nKeep our commitments"
    assert _links(app) == {
        "Rest more": None,
        "Meet every fortnight": None,
        "Keep our commitments": sleep.id,
    }
    app.goals.value = "Rest more\nMeet every fortnight\nKeep our weekly commitments"
    assert _links(app)["Keep our weekly commitments"] == sleep.id
    app.save_button.click()
    assert "Saved at" in app.result.value
    (saved,) = store.find(model.Agreement)
    assert [(g.text, g.change_plan_id) for g in saved.goals] == [
        ("Rest more", None),
        ("Meet every fortnight", None),
        ("Keep our weekly commitments", sleep.id),
    ]
    assert "- Keep our weekly commitments (linked to Alice\u2019s plan: Sleep by eleven)\n" in (
        _markdown(app)
    )

    # Bob links his own; Alice's shows as hers, never by what it says, here or in his download.
    bob = _opened_by(store, pair, "bob")
    rows = {text: control for text, control in bob._link_rows}
    assert [label for label, _ in rows["Rest more"].options] == [
        "No change plan",
        "My plan: Run a 10k",
    ]
    assert rows["Keep our weekly commitments"].label == "Alice\u2019s change plan"
    assert "Sleep by eleven" not in _markdown(bob)
    assert "- Keep our weekly commitments (linked to Alice\u2019s change plan)\n" in (
        _markdown(bob)
    )
    rows["Rest more"].value = run.id
    bob.save_button.click()
    assert "Saved at" in bob.result.value
    # The Changes say a link changed, not the goals' words.
    assert "Goals: Linked change plan" in _text(bob.history)
    goals = store.find(model.Agreement)[0].goals
    assert [g.change_plan_id for g in goals] == [run.id, None, sleep.id]

    # Her plan achieved since: still named where it is linked, not offered for another goal.
    store.save(store.get(model.ChangePlan, sleep.id).replace(status=model.PlanStatus.ACHIEVED))
    again = _opened_by(store, pair, "alice")
    rows = {text: control for text, control in again._link_rows}
    assert rows["Keep our weekly commitments"].label == "My plan: Sleep by eleven (achieved)"
    assert rows["Rest more"].label == "Bob\u2019s change plan"
    # A goal links one plan: choosing hers in place of his says what saving does.
    rows["Rest more"].value = sleep.id
    (field,) = [f for f in again.goal_links.children[1:] if f.control is rows["Rest more"]]
    assert (
        "linked to Bob\u2019s change plan until now: saving unlinks it and links yours instead"
        in field.message.value
    )
    rows["Rest more"].value = run.id
    assert field.message.value == ""
    assert [label for label, _ in rows["Meet every fortnight"].options] == [
        "No change plan",
        "My plan: Sleep by eleven (achieved)",
    ]
    assert not again.unsaved.unsaved
    rows["Keep our weekly commitments"].value = None
    again.save_button.click()
    assert "Saved at" in again.result.value
    assert [g.change_plan_id for g in store.find(model.Agreement)[0].goals] == [run.id, None, None]
    assert "You have no change plan under way" in again.goal_links.children[0].value
    # Alice, with no plan under way, can still unlink Bob's: the goal is theirs both.
    assert [text for text, _ in again._link_rows] == ["Rest more"]


def test_a_link_chosen_and_not_saved_is_in_the_draft(store, pair):
    sleep = _plan(store, pair["alice"], "Sleep by eleven")
    app = _opened_by(store, pair, "alice")
    fill_everything(app, pair)
    app.save_button.click()
    app._link_rows[1][1].value = sleep.id  # not saved
    again = _opened_by(store, pair, "alice")
    assert _links(again) == {"Meet every fortnight": None, "Keep our commitments": sleep.id}
    assert "Restored what you typed and had not saved" in again.draft_bar.notice.value
    again.save_button.click()
    assert store.find(model.Agreement)[0].goals[1].change_plan_id == sleep.id


def test_without_a_change_plan_the_goals_say_where_to_start_one(store, pair):
    nobody = AgreementApp(store, partnership_id=pair["partnership"].id, today=TODAY)
    assert nobody.goal_links.children == ()  # no goals yet: nothing to link
    nobody.goals.value = "Meet every fortnight"
    (note,) = nobody.goal_links.children
    assert "Choose who you are under \u201cI am\u201d to link a goal" in note.value
    _plan(store, pair["bob"], "Run a 10k")  # his, not hers
    app = _opened_by(store, pair, "alice")
    app.goals.value = "Meet every fortnight"
    (note,) = app.goal_links.children
    assert "You have no change plan under way" in note.value
    assert f"personal_change_plan.ipynb?person={pair['alice'].id}" in html.unescape(note.value)
    app.save_button.click()
    assert store.find(model.Agreement)[0].goals[0].change_plan_id is None


def test_a_link_in_my_draft_goes_with_the_goals_my_partner_saved_since(store, pair):
    """I linked a goal to my plan and left without saving; my partner reworded the other goal
    and added one, and saved. Opened again, my draft showed my old goals (the message said
    their changes showed), and saving said we had changed Goals differently."""
    sleep = _plan(store, pair["alice"], "Sleep by eleven")
    app = _opened_by(store, pair, "alice")
    fill_everything(app, pair)  # "Meet every fortnight", "Keep our commitments"
    app.save_button.click()
    app._link_rows[0][1].value = sleep.id  # kept as Alice's draft
    bob = _opened_by(store, pair, "bob")
    bob.goals.value = "Meet every fortnight\nKeep our weekly commitments\nRun 5k"
    bob.save_button.click()
    assert "Saved at" in bob.result.value
    again = _opened_by(store, pair, "alice")
    assert "what was changed there shows too" in again.draft_bar.notice.value
    assert _links(again) == {
        "Meet every fortnight": sleep.id,
        "Keep our weekly commitments": None,
        "Run 5k": None,
    }
    again.save_button.click()
    assert "Saved at" in again.result.value
    goals = store.find(model.Agreement)[0].goals
    assert [(g.text, g.change_plan_id) for g in goals] == [
        ("Meet every fortnight", sleep.id),
        ("Keep our weekly commitments", None),
        ("Run 5k", None),
    ]


def test_a_goal_too_long_is_named_in_its_error(store, pair, app):
    """ "must be at most 500 characters (it has 899)" under a box of several goals: which?"""
    fill_everything(app, pair)
    app.goals.value = "Meet every fortnight\n" + "Run " * 150
    app.save_button.click()
    assert "Nothing was saved" in app.result.value
    assert (
        "goal 2 (\u201cRun Run Run Run Run Run Run Run Run Run\u2026\u201d): must be at most 500 "
        "characters (it has 599)"
    ) in html.unescape(app.goals.message.value)


def test_an_error_from_create_stays_while_the_people_are_chosen(store, pair):
    """A start left empty, said at Create, went as soon as a partner was chosen (the start's
    note was worked out again and the error with it), as did "cannot be empty" under one name
    box when the other was typed in."""
    creator = AgreementApp(store, today=TODAY).new
    creator.refresh()
    creator.first.value = creator.second.value = NEW
    creator.started.value = None
    creator.create.click()
    assert "choose the date the partnership starts" in creator.started.message.value
    assert "cannot be empty" in creator.first_name.message.value
    creator.second.value = pair["alice"].id
    creator.second_name.value = "Someone"
    assert "choose the date the partnership starts" in creator.started.message.value
    assert "cannot be empty" in creator.first_name.message.value


def test_people_and_cohorts_are_listed_as_people_alphabetize_them(store, pair):
    """A database sorts every lower-case or accented name after "Zoë": a facilitator looking
    for Émile or Łukasz among the Es and Ls did not find them there."""
    cohort = pair["cohort"]
    for name in ("Zoë Adams", "Łukasz Nowak", "émile Roy", "Emma Stone", "Lars Berg"):
        store.save(model.Person(name=name, cohort_id=cohort.id))
    store.save(model.Cohort(name="Été cohort", facilitator_id=pair["fay"].id))
    store.save(model.Cohort(name="Zeta cohort", facilitator_id=pair["fay"].id))
    app = AgreementApp(store, today=TODAY)
    names = [label for label, value in app.new.first.control.options if isinstance(value, int)]
    assert names == [
        "Alice", "Bob", "émile Roy", "Emma Stone", "Lars Berg", "Łukasz Nowak", "Zoë Adams"
    ]  # fmt: skip
    cohorts = [label for label, value in app.new.cohort.control.options if value is not None]
    assert cohorts.index("Été cohort") < cohorts.index("Zeta cohort")
    i_am = forms.dropdown("I am", "person_id", [])
    forms.offer_participants(i_am, store, None)
    assert [label for label, value in i_am.control.options if value is not None] == names
