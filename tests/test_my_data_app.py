"""The My data app, driven through its widgets: sharing, export and deleting oneself."""

from __future__ import annotations

import base64
import datetime as dt
import json
import re

import pytest

from peercoach_lib import cohort, drafts, model, my_data, sharing
from peercoach_lib.apps import forms
from peercoach_lib.apps.cohort_app import CohortDashboardApp
from peercoach_lib.apps.my_data_app import SHOWN, MyDataApp
from peercoach_lib.apps.prep_app import SessionPrepApp
from tests.sharing_examples import TODAY, populate, widget_text


@pytest.fixture
def lives(store, pair):
    return populate(store, pair)


def _switch(app: MyDataApp, kind: str, record_id: int):
    (view,) = [v for v in app.sections[kind].views if v.item.record_id == record_id]
    return view


def facilitators_view(store, pair) -> str:
    """Everything the facilitator's pages hold: the cohort's figures and the dashboard's page."""
    view = cohort.load(store, pair["cohort"].id, start=dt.date(2026, 1, 1), end=TODAY)
    frames = view.pairs.to_csv() + view.flags.to_csv() + repr(view.headline())
    page = widget_text(CohortDashboardApp(store, cohort_id=pair["cohort"].id, today=TODAY))
    assert "Alice &amp; Bob" in page or "Alice & Bob" in page  # the dashboard did render the pair
    return frames + page


def test_sharing_then_unsharing_reaches_the_partner_and_never_the_facilitator(store, pair, lives):
    alice, bob, p = pair["alice"].id, pair["bob"].id, pair["partnership"].id
    app = MyDataApp(store, person_id=alice)
    shared_texts = {
        ("session_prep", lives["alice_prep"].id): "ALICE-PREP-PURPOSE",
        ("session_note", lives["alice_note"].id): "ALICE-NOTE",
    }
    for shared in (True, False):
        for kind, record_id in shared_texts:
            view = _switch(app, kind, record_id)
            view.switch.value = shared
            assert "Saved" in view.status.value
            stored = store.get(my_data.SHAREABLE[kind], record_id)
            assert stored.shared is shared
            assert ("my partner" in view.card.value) is shared

        # (a) The partner: what they are shown, in the library and on their preparation page.
        partner = sharing.partner_view(store, bob, p)
        assert ("ALICE-PREP-PURPOSE" in [x.purpose for x in partner.preps]) is shared
        assert ("ALICE-NOTE" in [n.text for n in partner.notes]) is shared
        bobs_page = SessionPrepApp(store, person_id=bob, today=TODAY)
        assert bobs_page.session.value == lives["sessions"][2].id
        for text in shared_texts.values():
            assert (text in bobs_page.from_partner.value) is shared, (text, shared)
        assert "ALICE-PREP-PRIVATE" not in widget_text(bobs_page)

        # (b) The facilitator: never the words, shared or not.
        seen = facilitators_view(store, pair)
        for text in (*shared_texts.values(), "ALICE-PREP-PRIVATE", "ALICE-PREP-OUTCOMES"):
            assert text not in seen, (text, shared)


def test_each_kind_has_its_section_and_each_field_its_readers(store, pair, lives):
    app = MyDataApp(store, person_id=pair["alice"].id)
    assert app.body.layout.display == "flex"
    assert "session_prep" in app.sections and "change_plan" in app.sections
    page = widget_text(app.inventory_box)
    for badge in ("only me", "my partner", "facilitator (aggregates)"):
        assert f">{badge}</span>" in page
    assert "Who can see what" in app.legend.value
    prep = _switch(app, "session_prep", lives["alice_prep"].id)
    assert prep.switch.description == "Shared with my partner" and prep.switch.value is False
    assert "ALICE-PREP-PRIVATE" in prep.card.value
    assert "BOB-" not in page


def test_sharing_a_preparation_renews_who_sees_its_commitments(store, pair, lives):
    alice, p = pair["alice"].id, pair["partnership"].id
    store.save(
        model.Commitment(
            partnership_id=p,
            person_id=alice,
            made_in_session_id=lives["sessions"][1].id,
            text="WALK",
        )
    )
    app = MyDataApp(store, person_id=alice)

    def partner_badges() -> int:
        return widget_text(app.sections["commitment"]).count(">my partner</span>")

    assert partner_badges() == 0
    _switch(app, "session_prep", lives["alice_prep"].id).switch.value = True
    # "I will" and "Status" of the open commitment; the one followed up before stays hers.
    assert partner_badges() == 2
    assert app.sections["commitment"] in app.inventory_box.children
    _switch(app, "session_prep", lives["alice_prep"].id).switch.value = False
    assert partner_badges() == 0


def test_the_export_link_holds_everything_about_me_as_json(store, pair, lives):
    alice = pair["alice"].id
    app = MyDataApp(store, person_id=alice)
    link = app.export.value
    assert f'download="peercoach-person-{alice}.json"' in link
    assert "Export everything about me" in link
    (encoded,) = re.findall(r"data:application/json;base64,([A-Za-z0-9+/=]+)", link)
    document = json.loads(base64.b64decode(encoded))
    assert document["format"] == "peercoach-export" and document["person"] == alice
    notes = document["records"]["session_notes"]
    assert [n["text"] for n in notes] == ["ALICE-NOTE"]
    # Shared a moment later: the download says so too (it equals `peercoach export` at once).
    view = next(v for v in app.sections["session_note"].views if v.item.record_id == notes[0]["id"])
    view.switch.value = not notes[0]["shared"]
    (encoded,) = re.findall(r"data:application/json;base64,([A-Za-z0-9+/=]+)", app.export.value)
    (note,) = json.loads(base64.b64decode(encoded))["records"]["session_notes"]
    assert note["shared"] is (not notes[0]["shared"])


def test_a_facilitator_is_offered_their_own_export(store, pair, lives):
    """The page says "Export everything about me"; a facilitator, in no pair, was offered no
    way to: what the workbook keeps about them comes as the same file."""
    fay = store.get(model.Cohort, pair["cohort"].id).facilitator_id
    app = MyDataApp(store, person_id=fay)
    said = app.notice.value
    assert "you are a facilitator: what the workbook keeps about you" in said
    assert f'download="peercoach-person-{fay}.json"' in said
    (encoded,) = re.findall(r"data:application/json;base64,([A-Za-z0-9+/=]+)", said)
    document = json.loads(base64.b64decode(encoded))
    assert document["person"] == fay
    assert [p["name"] for p in document["records"]["persons"]] == ["Fay Facilitator"]
    assert "session_notes" not in document["records"] or not document["records"]["session_notes"]
    # A participant chosen instead: their page, not the facilitator's offer.
    app.person.value = pair["alice"].id
    assert app.notice.value == ""
    assert MyDataApp(store, person_id=pair["alice"].id).notice.value == ""


def test_long_lists_show_the_newest_and_the_rest_on_request(store, pair, lives):
    alice, p = pair["alice"].id, pair["partnership"].id
    for k in range(SHOWN + 2):
        day = dt.date(2026, 1, 5) + dt.timedelta(days=k)
        s = store.save(
            model.Session(partnership_id=p, scheduled_on=day, status="held", held_on=day)
        )
        store.save(model.SessionNote(session_id=s.id, person_id=alice, text=f"EXTRA-{k}"))
    app = MyDataApp(store, person_id=alice)
    section = app.sections["session_note"]
    assert len(section.first.children) == SHOWN and len(section.rest.children) == 3
    assert section.rest.layout.display == "none"
    assert section.toggle.description == f"Show all {SHOWN + 3} session notes"
    section.toggle.click()
    assert section.rest.layout.display == "flex"
    assert section.toggle.description == f"Show the newest {SHOWN} only"
    section.toggle.click()
    assert section.rest.layout.display == "none"
    # A hidden item can be shared like any other.
    hidden = section.rest.children[-1]
    hidden.switch.value = True
    assert store.get(model.SessionNote, hidden.item.record_id).shared


def test_a_share_that_fails_says_so_beside_it_and_changes_nothing(store, pair, lives, monkeypatch):
    def broken(*_args, **_kwargs):
        raise RuntimeError("the database is locked")

    app = MyDataApp(store, person_id=pair["alice"].id)
    view = _switch(app, "session_note", lives["alice_note"].id)
    monkeypatch.setattr(my_data, "set_shared", broken)
    view.switch.value = True
    assert view.switch.value is False
    assert "Error" in view.status.value and "still private to you" in view.status.value
    assert "my partner" not in view.card.value
    assert store.get(model.SessionNote, lives["alice_note"].id).shared is False
    monkeypatch.undo()
    view.switch.value = True
    assert "Saved" in view.status.value
    assert store.get(model.SessionNote, lives["alice_note"].id).shared is True


def test_delete_me_asks_for_the_name_then_forgets_the_person_only(store, pair, lives):
    alice, bob = pair["alice"].id, pair["bob"].id
    app = MyDataApp(store, person_id=alice)
    assert app.confirm_box.layout.display == "none"
    app.delete_start.click()
    assert app.confirm_box.layout.display == "flex"
    assert "<strong>Alice</strong>" in app.confirm_text.value

    app.delete_button.click()
    assert "type your name" in app.confirm_name.message.value
    app.confirm_name.value = "alice"
    app.delete_button.click()
    assert "not your name" in app.confirm_name.message.value
    assert "Nothing was deleted" in app.confirm_name.message.value
    assert store.get(model.Person, alice).forgotten_at is None

    app.cancel_button.click()
    assert app.confirm_box.layout.display == "none"
    app.delete_start.click()
    assert app.confirm_name.value == "" and app.confirm_name.message.value == ""
    app.confirm_name.value = " Alice "
    app.delete_button.click()

    person = store.get(model.Person, alice)
    assert person.forgotten_at is not None and person.name != "Alice"
    assert "Your data was deleted" in app.delete_result.value
    assert "We replaced your name and e-mail" in app.delete_result.value
    assert "Forgot person" not in app.delete_result.value
    assert app.person.value is None and app.body.layout.display == "none"
    assert alice not in [o[1] for o in app.person.control.options]
    assert "ALICE-" not in widget_text(app)
    assert store.find(model.SessionNote, person_id=alice) == []
    # The partner's own records stay; the facilitator's figures keep their numbers.
    assert {n.text for n in store.find(model.SessionNote, person_id=bob)} == {
        "BOB-NOTE",
        "BOB-PRIVATE-NOTE",
    }
    assert store.find(model.SessionPrep, person_id=bob)[0].private_notes == "BOB-PREP-PRIVATE"
    commitment = store.get(model.Commitment, lives["alice_commitment"].id)
    assert commitment.status is model.CommitmentStatus.DONE and "ALICE" not in commitment.text

    # A link to the deleted person says so, and shows nothing.
    again = MyDataApp(store, person_id=alice)
    assert "was deleted on" in again.notice.value
    assert again.person.value is None and again.body.layout.display == "none"


def test_no_one_chosen_shows_only_the_chooser(store, pair, lives):
    app = MyDataApp(store)
    assert app.person.value is None and app.body.layout.display == "none"
    assert app.notice.value == ""
    app.person.value = pair["bob"].id
    assert app.body.layout.display == "flex"
    assert "BOB-NOTE" in widget_text(app)


def test_demo_people_see_the_demo_notice(demo_store):
    person = demo_store.find(model.Person, role="participant")[0]
    app = MyDataApp(demo_store, person_id=person.id)
    assert "Demo data" in app.demo.value


def test_a_person_sets_their_own_time_zone(store, pair):
    """Someone added without a zone of their own read "your time" on UTC clocks, with no way
    to change it."""
    alice = pair["alice"]
    app = MyDataApp(store, person_id=alice.id)
    assert app.zone.value == alice.time_zone
    app.zone.value = "Mars/Olympus"
    assert "choose a time zone from the list" in app.zone.message.value  # as the box is left
    app.zone_button.click()
    assert "choose a time zone from the list" in app.zone.message.value
    assert store.get(model.Person, alice.id).time_zone == alice.time_zone  # nothing saved
    app.zone.value = "asia/kolkata"
    assert app.zone.value == "Asia/Kolkata"  # as the list spells it
    app.zone_button.click()
    assert app.zone.message.value == ""
    assert "Saved: your time zone is Asia/Kolkata (Kolkata time," in app.zone_result.value
    assert store.get(model.Person, alice.id).time_zone == "Asia/Kolkata"
    assert "Asia/Kolkata" in widget_text(app.sections["person"])
    app.zone.value = "Europe/Paris"  # edited again: what was saved is no longer what it says
    assert app.zone_result.value == ""
    assert MyDataApp(store, person_id=alice.id).zone.value == "Asia/Kolkata"


def test_a_draft_is_discarded_here_after_a_question(store, pair, lives):
    """Drafts were listed with nowhere to drop one but in its own form."""
    alice, bob = pair["alice"].id, pair["bob"].id
    kept = [
        drafts.keep(store, alice, "change_plan", f"plan:new:{k}", {"goal": f"GOAL-{k}"})
        for k in range(SHOWN + 3)
    ]
    bobs = drafts.keep(store, bob, "change_plan", "plan:new", {"goal": "BOB-GOAL"})
    app = MyDataApp(store, person_id=alice)
    section = app.sections["draft"]
    section.toggle.click()  # all shown
    views = [*section.first.children, *section.rest.children]
    assert len(views) == len([d for d in store.find(model.Draft) if d.person_id == alice])
    view = next(v for v in views if v.item.record_id == kept[0].id)
    assert view.discard.tooltip == view.item.label  # heard with what it is of
    view.discard.click()
    assert view.asking.layout.display == "flex" and view.discard.layout.display == "none"
    view.keep.click()  # asked, and kept
    assert view.asking.layout.display == "none" and store.find(model.Draft, id=kept[0].id)
    view.discard.click()
    view.confirm.click()
    assert not store.find(model.Draft, id=kept[0].id)
    assert store.find(model.Draft, id=kept[1].id) and store.find(model.Draft, id=bobs.id)
    renewed = app.sections["draft"]
    assert renewed is not section and renewed.expanded  # read again, still all shown
    assert f"Draft discarded: {view.item.label}." in renewed.said.value
    assert kept[0].id not in [
        v.item.record_id for v in (*renewed.first.children, *renewed.rest.children)
    ]
    (encoded,) = re.findall(r"data:application/json;base64,([A-Za-z0-9+/=]+)", app.export.value)
    exported = base64.b64decode(encoded).decode()
    assert "GOAL-0" not in exported and "GOAL-2" in exported  # the download follows
    # The focus goes on to the draft after the one discarded (the list is read again).
    middle = renewed.drafts[1]
    after = renewed.drafts[2].item.record_id
    middle.discard.click()
    middle.confirm.click()
    renewed = app.sections["draft"]
    focused = [
        v.item.record_id for v in renewed.drafts if forms.TAKE_FOCUS in v.discard._dom_classes
    ]
    assert focused == [after]
    # Discarded meanwhile in another window: said so, nothing wrong.
    other = renewed.drafts[0]
    (gone,) = store.find(model.Draft, id=other.item.record_id)
    drafts.discard(store, alice, gone.kind, gone.key)
    other.discard.click()
    other.confirm.click()
    assert "Already gone" in app.sections["draft"].said.value
    # Someone else's draft is not theirs to drop.
    with pytest.raises(PermissionError):
        my_data.discard_draft(store, alice, bobs.id)
    assert store.find(model.Draft, id=bobs.id)


def test_a_change_the_database_refuses_says_why(store, pair, lives):
    """On a read-only workbook a share said "not saved ... Try again", which could never work."""
    if not store.url.startswith("sqlite:///"):
        pytest.skip("a read-only SQLite file")
    from peercoach_lib.store import Store

    path = store.url.removeprefix("sqlite:///")
    with Store(f"sqlite:///file:{path}?mode=ro&uri=true") as read_only:
        app = MyDataApp(read_only, person_id=pair["alice"].id)
        view = app.sections["session_note"].views[0]
        view.switch.value = not view.item.shared
        said = view.status.value
    assert "not saved, so it is still" in said and "is read-only here" in said
    assert "Try again" not in said
    assert view.switch.value is view.item.shared  # back as stored
