"""The session log, driven through its widgets: three sessions of a demo pair, end to end."""

from __future__ import annotations

import datetime as dt
import html
import re

import pandas as pd
import pytest

from peercoach_lib import dates, demo, drafts, model, partnerships, prep, session_log, sessions
from peercoach_lib.apps.session_log_app import UNPLANNED, SessionLogApp
from peercoach_lib.errors import ValidationError
from peercoach_lib.model import CommitmentStatus as CS
from peercoach_lib.model import SessionStatus
from peercoach_lib.store import Store
from tests.examples import quoted as q

AS_OF = dt.date(2026, 11, 23)


def _eight_pairs(store: Store) -> None:
    demo.generate(store, pairs=8, weeks=8, seed=4, as_of=AS_OF)


@pytest.fixture
def demo_pair(new_database):
    """A demo cohort, and a pair whose first partner has exactly one active goal."""
    store = Store(new_database("log", like=_eight_pairs))
    for pair in store.find(model.Partnership):
        plans = session_log.active_plans(store, pair.person_a_id)
        upcoming = [
            s
            for s in store.find(model.Session, partnership_id=pair.id)
            if s.status is SessionStatus.SCHEDULED
        ]
        if len(plans) == 1 and len(upcoming) >= 3:
            yield store, pair, plans[0], sorted(upcoming, key=lambda s: s.scheduled_on)[:3]
            store.close()
            return
    pytest.fail("the demo has no pair with one goal and three sessions ahead")


def open_log(store, pair, today) -> SessionLogApp:
    """The log as the pair's first partner opens it on ``today``."""
    return SessionLogApp(store, person_id=pair.person_a_id, partnership_id=pair.id, today=today)


def log(store, pair, session, *, reviews, new, level, check=None):
    app = open_log(store, pair, session.scheduled_on)
    app.session.value = session.id
    app.status.value = SessionStatus.HELD
    app.held_on.value = session.scheduled_on
    rows = {r.commitment.text: r for r in app._review_rows()}
    for text, status in reviews.items():
        rows[text].status.value = status
    for row in rows.values():  # anything else left from the demo history is dropped
        if row.commitment.text not in reviews:
            row.status.value = CS.DROPPED
    for text in new:
        controls = app.new_commitments.append()
        controls["text"].value = text
        controls["by_when"].value = session.scheduled_on + dt.timedelta(days=7)
    (level_field,) = app.levels.children
    level_field.value = level
    for name, value in (check or {}).items():
        app.check[name].value = value
    app.save_button.click()
    assert "Saved the held session" in app.result.value, app.result.value
    return app


def test_three_sessions_logged_through_the_widgets(demo_pair):
    store, pair, _plan, (s1, s2, s3) = demo_pair
    me = pair.person_a_id
    log(store, pair, s1, reviews={}, new=["Draft the bid", "Call the funder"], level=-1)
    log(
        store,
        pair,
        s2,
        reviews={"Draft the bid": CS.DONE, "Call the funder": CS.PARTLY},
        new=["Book the venue", "Walk three times", "Read the report"],
        level=0,
    )
    log(
        store,
        pair,
        s3,
        reviews={
            "Book the venue": CS.NOT_DONE,
            "Walk three times": CS.DONE,
            "Read the report": CS.DROPPED,
        },
        new=["Send the bid"],
        level=1,
        check={"heard": 9, "focus": 8, "approach": 9, "overall": 9},
    )

    mine = {c.text: c for c in store.find(model.Commitment, person_id=me, partnership_id=pair.id)}
    assert (mine["Draft the bid"].status, mine["Draft the bid"].reviewed_in_session_id) == (
        CS.DONE,
        s2.id,
    )
    assert mine["Call the funder"].status is CS.PARTLY
    assert (mine["Book the venue"].status, mine["Book the venue"].reviewed_in_session_id) == (
        CS.NOT_DONE,
        s3.id,
    )
    assert mine["Read the report"].status is CS.DROPPED
    assert (mine["Send the bid"].status, mine["Send the bid"].made_in_session_id) == (
        CS.OPEN,
        s3.id,
    )

    # Follow-through over the reviews of sessions 2 and 3, by hand:
    # done, partly | not done, done (dropped left out): (1 + 0.5 + 0 + 1) / 4 = 0.625.
    frames = {t: store.frame(t) for t in ("commitments", "sessions")}
    c = frames["commitments"]
    c = c[(c["person_id"] == me) & c["reviewed_in_session_id"].isin([s2.id, s3.id])]
    done = sessions.reviewed(c, frames["sessions"])
    assert sessions.follow_through(done["status"].astype(str)) == 0.625
    weekly = sessions.follow_through_by_week(done)
    assert list(weekly["rate"]) == [0.75, 0.5]  # week 2: (1 + .5)/2; week 3: (0 + 1)/2

    # One goal, weight 1: T = 50 + 10 x level.
    ratings = store.frame("gas_ratings")
    ratings = ratings[ratings["session_id"].isin([s1.id, s2.id, s3.id])]
    series = sessions.gas_series(ratings)
    assert list(series["t_score"]) == [40.0, 50.0, 60.0]
    assert list(series["rated_on"]) == [pd.Timestamp(s.scheduled_on) for s in (s1, s2, s3)]

    held = store.get(model.Session, s3.id)
    assert held.status is SessionStatus.HELD and len(held.halves) == 2
    (check,) = store.find(model.SessionCheck, session_id=s3.id, person_id=me)
    assert (check.total, check.flagged) == (35, True)


def test_a_draft_survives_closing_the_tab_and_is_dropped_on_saving(demo_pair):
    store, pair, _, (s1, *_rest) = demo_pair
    first = open_log(store, pair, s1.scheduled_on)
    first.session.value = s1.id
    first.note.value = "Half-written thoughts"
    first.most_helpful.value = "The reframe"
    first.check["heard"].value = 7
    # The tab closes; a new one opens on the same session.
    second = open_log(store, pair, s1.scheduled_on)
    assert second.session.value == s1.id
    assert "Restored what you typed and had not saved" in second.draft_bar.notice.value
    assert (second.note.value, second.most_helpful.value) == (
        "Half-written thoughts",
        "The reframe",
    )
    assert second.check["heard"].value == 7
    # Nothing of it is a stored session yet.
    assert store.get(model.Session, s1.id).status is SessionStatus.SCHEDULED
    assert store.find(model.SessionNote, session_id=s1.id) == []
    # The half-filled check is an error, so nothing is saved and the draft stays.
    second.save_button.click()
    said = {name: field.message.value for name, field in second.check.items()}
    assert "answer all four items, or none: 1 of 4 are answered" in said["focus"]
    assert all("not answered" in said[name] for name in ("approach", "overall"))
    assert "answer all four" not in said["approach"] + said["overall"] + said["heard"]
    assert store.get(model.Session, s1.id).status is SessionStatus.SCHEDULED
    assert len(store.find(model.Draft)) == 1
    second.check["heard"].value = None
    second.save_button.click()
    assert store.find(model.Draft) == []
    assert store.find(model.SessionNote, session_id=s1.id)[0].text == "Half-written thoughts"


def test_the_log_opens_on_the_session_last_drafted(demo_pair):
    store, pair, _, (s1, *_rest) = demo_pair
    first = open_log(store, pair, s1.scheduled_on)
    assert first.session.value == s1.id  # the session due
    first.session.value = UNPLANNED
    first.note.value = "An extra call on Friday"
    again = open_log(store, pair, s1.scheduled_on)  # reloaded
    assert again.session.value == UNPLANNED and again.note.value == "An extra call on Friday"
    # A draft left days ago no longer chooses where the log opens.
    later = dt.datetime.now(dt.UTC) + session_log.RECENT_DRAFT + dt.timedelta(minutes=1)
    assert session_log.recent_draft_session(store, pair.person_a_id, pair.id) == "unplanned"
    assert session_log.recent_draft_session(store, pair.person_a_id, pair.id, now=later) is None


def test_discarding_a_draft(demo_pair):
    store, pair, _, (s1, *_rest) = demo_pair
    app = open_log(store, pair, s1.scheduled_on)
    app.note.value = "Never mind"
    app.draft_bar.discard.click()
    assert app.note.value == "" and store.find(model.Draft) == []


def test_a_missed_session_records_only_that(demo_pair):
    store, pair, _, (s1, *_rest) = demo_pair
    app = open_log(store, pair, s1.scheduled_on)
    app.status.value = SessionStatus.MISSED
    assert app.held_box.layout.display == "none"
    app.save_button.click()
    saved = store.get(model.Session, s1.id)
    assert (saved.status, saved.held_on, saved.halves) == (SessionStatus.MISSED, None, [])


def test_an_unplanned_session_and_a_short_half(demo_pair):
    store, pair, _, (s1, *_rest) = demo_pair
    app = open_log(store, pair, s1.scheduled_on)
    app.session.value = UNPLANNED
    app.held_on.value = s1.scheduled_on - dt.timedelta(days=2)
    agreed = app.agreement.minutes_per_person
    app.second_half.value = 0  # said too (1 minute was "ran short", 0 nothing at all)
    assert "this half did not happen (0 minutes)" in app.second_half.message.value
    app.second_half.value = 1
    assert f"ran short: 1 of the agreed {agreed} minutes" in app.second_half.message.value
    # A save refused for another field keeps the note (it went until the minutes changed).
    app.held_on.value = None
    app.save_button.click()
    assert "Nothing was saved" in app.result.value
    assert f"ran short: 1 of the agreed {agreed} minutes" in app.second_half.message.value
    app.held_on.value = s1.scheduled_on - dt.timedelta(days=2)
    before = len(store.find(model.Session, partnership_id=pair.id))
    app.save_button.click()
    after = store.find(model.Session, partnership_id=pair.id, planned=False)
    assert len(store.find(model.Session, partnership_id=pair.id)) == before + 1
    newest = max(after, key=lambda s: s.id)
    assert [h.minutes for h in newest.halves] == [agreed, 1]


def test_impossible_input_is_refused_next_to_the_field(demo_pair):
    store, pair, _, (s1, *_rest) = demo_pair
    app = open_log(store, pair, s1.scheduled_on)
    app.held_on.value = s1.scheduled_on + dt.timedelta(days=3)
    app.first_half.value = 0
    app.second_half.value = 0
    controls = app.new_commitments.append()
    controls["text"].value = ""
    later = app.new_commitments.append()
    later["text"].value = ""
    later["by_when"].value = s1.scheduled_on  # before the (future) day it says it was held
    app.save_button.click()
    assert "By when (commitment 2): a commitment cannot be due before the session" in (
        app.new_commitments.notes[1].value
    )
    assert "cannot be held after today (" in app.held_on.message.value
    assert "at least one half" in app.first_half.message.value
    # A row added and left blank commits nothing: no refusal (it blocked the save); one with a
    # day and no words is refused.
    assert app.new_commitments.notes[0].value == ""
    assert "peercoach-invalid" not in controls["text"]._dom_classes
    said = app.new_commitments.notes[1].value
    assert "Commitment 2: cannot be empty" in said and "Commitment (commitment" not in said
    assert "peercoach-invalid" in later["text"]._dom_classes
    assert store.get(model.Session, s1.id).status is SessionStatus.SCHEDULED


def test_a_commitment_due_before_the_session_is_said_as_its_date_is_chosen(demo_pair):
    """It was said only on saving, once the whole log was typed."""
    store, pair, _, (s1, *_rest) = demo_pair
    app = open_log(store, pair, s1.scheduled_on)
    app.held_on.value = s1.scheduled_on
    row = app.new_commitments.append()
    row["text"].value = "Call the bank"
    row["by_when"].value = s1.scheduled_on - dt.timedelta(days=1)
    assert (
        "By when (commitment 1): a commitment cannot be due before the session "
        f"({dates.short(s1.scheduled_on)})"
    ) in app.new_commitments.notes[0].value
    assert "peercoach-invalid" in row["by_when"]._dom_classes
    row["by_when"].value = s1.scheduled_on
    assert app.new_commitments.notes[0].value == ""
    assert "peercoach-invalid" not in row["by_when"]._dom_classes
    # The session's day moved after it: said then too, and gone as the day comes back.
    app.held_on.value = s1.scheduled_on + dt.timedelta(days=1)
    assert "a commitment cannot be due before the session" in app.new_commitments.notes[0].value
    app.held_on.value = s1.scheduled_on
    assert app.new_commitments.notes[0].value == ""


def test_an_unplanned_session_without_a_date_is_told_once_beside_the_date(demo_pair):
    store, pair, _, (s1, *_rest) = demo_pair
    app = open_log(store, pair, s1.scheduled_on)
    app.session.value = UNPLANNED
    app.held_on.value = None
    app.first_half.value = 30
    before = store.find(model.Session, partnership_id=pair.id)
    app.save_button.click()
    assert f"Nothing was saved: {q('Date')} needs attention" in app.result.value
    assert "needs a date" in app.held_on.message.value
    assert app.status.message.value == ""
    assert store.find(model.Session, partnership_id=pair.id) == before


def test_the_summary_of_a_refused_save_goes_once_every_field_is_mended(demo_pair):
    store, pair, _, (s1, *_rest) = demo_pair
    app = open_log(store, pair, s1.scheduled_on)
    app.held_on.value = s1.scheduled_on
    app.first_half.value = 30
    first = app.new_commitments.append()
    second = app.new_commitments.append()
    first["text"].value = "Call the bank"
    second["text"].value = "Book the course"
    second["by_when"].value = s1.scheduled_on - dt.timedelta(days=1)
    app.note.value = "x" * 20_001
    app.save_button.click()
    summary = app.result.value
    assert (
        f"Nothing was saved: {q('My notes (private)')} and {q('Commitment 2')} need attention "
        "(marked Error)."
    ) in summary
    assert "By when (commitment 2): a commitment cannot be due before the session" in (
        app.new_commitments.notes[1].value
    )
    assert "peercoach-invalid" in second["by_when"]._dom_classes
    assert "peercoach-invalid" not in first["by_when"]._dom_classes
    second["by_when"].value = s1.scheduled_on + dt.timedelta(days=7)
    # The note is still too long: the summary stays, naming what is left.
    assert (
        f"Nothing was saved: {q('My notes (private)')} needs attention (marked Error)."
        in app.result.value
    )
    assert "peercoach-invalid" not in second["by_when"]._dom_classes
    app.note.value = "Shorter now"
    assert app.result.value == ""
    app.save_button.click()
    assert "Saved" in app.result.value


def test_with_no_session_due_the_log_starts_as_an_unplanned_session_today(demo_pair):
    store, pair, _, (s1, *_rest) = demo_pair
    day_before = s1.scheduled_on - dt.timedelta(days=1)
    app = open_log(store, pair, day_before)
    assert app.session.value == UNPLANNED and app.held_on.value == day_before
    # A pair that met early is pointed to the session booked next, not left to log another.
    said = html.unescape(re.sub(r"<[^>]+>", "", app.session.message.value))
    assert said == (
        f"Note: Met before the booked day? Your next session is booked for "
        f"{dates.long_weekday(s1.scheduled_on)}: choose it above, and give the day you met."
    )
    app.session.value = s1.id
    assert app.session.message.value == ""
    app.session.value = UNPLANNED
    assert "Met before the booked day?" in app.session.message.value
    on_the_day = open_log(store, pair, s1.scheduled_on)
    assert on_the_day.session.value == s1.id and on_the_day.session.message.value == ""
    # Booked further off than the agreed interval: no note.
    interval = store.find(model.Agreement, partnership_id=pair.id)[0].frequency.interval_days
    far = open_log(store, pair, s1.scheduled_on - dt.timedelta(days=interval + 1))
    assert far.session.value == UNPLANNED and far.session.message.value == ""


def test_with_todays_session_logged_the_log_opens_on_it_not_on_a_blank_one(demo_pair):
    """Logged today, then reloaded (or opened by the partner): the log opens on that session.
    A blank unplanned session on the same day looked as if the log were lost, and could not be
    saved beside it."""
    store, pair, _, (s1, *_rest) = demo_pair
    today = s1.scheduled_on - dt.timedelta(days=1)  # nothing booked is due
    app = open_log(store, pair, today)
    assert app.session.value == UNPLANNED
    app.note.value = "An extra call"
    app.save_button.click()
    assert "Saved" in app.result.value, app.result.value
    (logged,) = [s for s in store.find(model.Session, partnership_id=pair.id) if s.held_on == today]
    for again in (open_log(store, pair, today), partner_log(store, pair, today)):
        assert again.session.value == logged.id
        assert again.status.value is SessionStatus.HELD and again.held_on.value == today
    assert open_log(store, pair, today).note.value == "An extra call"
    # The next day, the session booked for it comes first.
    assert open_log(store, pair, s1.scheduled_on).session.value == s1.id


def test_a_half_that_did_not_happen_stays_out_when_the_log_is_saved_again(demo_pair):
    store, pair, _, (s1, *_rest) = demo_pair
    me, partner = pair.person_a_id, pair.person_b_id
    app = open_log(store, pair, s1.scheduled_on)
    app.session.value = s1.id
    app.first_half.value = 0
    app.second_half.value = 50
    made = len(store.find(model.Commitment))
    app.new_commitments.append()  # added and left blank: saved without it
    app.save_button.click()
    assert "Saved the held session" in app.result.value, app.result.value
    assert len(store.find(model.Commitment)) == made

    again = open_log(store, pair, s1.scheduled_on)
    again.session.value = s1.id
    assert (again.first_half.value, again.second_half.value) == (0, 50)
    again.most_helpful.value = "More silence next time"  # any later edit
    again.save_button.click()
    assert "Saved the held session" in again.result.value, again.result.value
    halves = store.get(model.Session, s1.id).halves
    assert [(h.coach_id, h.client_id, h.minutes) for h in halves] == [(partner, me, 50)]


@pytest.mark.parametrize("minutes", [-10, 241, 500])
def test_minutes_out_of_range_are_refused_not_changed(demo_pair, minutes):
    store, pair, _, (s1, *_rest) = demo_pair
    app = open_log(store, pair, s1.scheduled_on)
    app.session.value = s1.id
    app.first_half.value = minutes
    # Said at once, under the box, and kept there whatever else the form says.
    assert "<strong>Error:</strong> must be from 0 to 240" in app.first_half.message.value
    app.second_half.value = 5  # "ran short" would otherwise replace the first box's message
    assert "must be from 0 to 240" in app.first_half.message.value
    app.save_button.click()
    assert "must be from 0 to 240" in app.first_half.message.value
    assert "Nothing was saved" in app.result.value
    assert store.get(model.Session, s1.id).status is SessionStatus.SCHEDULED
    app.first_half.value = 40
    assert app.first_half.message.value == ""


def test_a_partnership_paired_to_start_later_says_when_its_sessions_can_be_logged(demo_pair):
    store, pair, _, _sessions = demo_pair
    before = pair.started_on - dt.timedelta(days=10)
    app = open_log(store, pair, before)
    assert (
        f"This partnership starts on {dates.long(pair.started_on)}: its sessions can be logged "
        "from that day"
    ) in app.no_pair.value
    app.session.value = UNPLANNED
    app.held_on.value = before
    app.save_button.click()
    assert "the partnership's first day" in html.unescape(app.held_on.message.value)
    assert "starts on" not in open_log(store, pair, pair.started_on).no_pair.value


def test_a_session_outside_the_partnership_is_refused(demo_pair):
    store, pair, _, (s1, *_rest) = demo_pair
    app = open_log(store, pair, s1.scheduled_on)
    app.session.value = UNPLANNED
    app.held_on.value = pair.started_on - dt.timedelta(days=1)
    before = store.find(model.Session, partnership_id=pair.id)
    app.save_button.click()
    assert (
        f"a session can be logged from the partnership's first day, {dates.long(pair.started_on)}"
        in html.unescape(app.held_on.message.value)
    )
    assert store.find(model.Session, partnership_id=pair.id) == before
    # The store's own guard, for any other caller.
    entry, errors = app.entry()
    assert entry is None and "held_on" in errors
    early = model.Session(
        partnership_id=pair.id,
        planned=False,
        status=SessionStatus.HELD,
        held_on=pair.started_on - dt.timedelta(days=1),
        halves=[
            model.SessionHalf(coach_id=pair.person_a_id, client_id=pair.person_b_id, minutes=30)
        ],
    )
    with pytest.raises(ValidationError, match="from the partnership's first day"):
        session_log.save(store, pair.person_a_id, session_log.SessionEntry(session=early))
    assert store.find(model.Session, partnership_id=pair.id) == before
    # No date at all: said so (one the browser cannot read, such as 31 February, is said by
    # the page and never reaches the app).
    app.held_on.value = None
    app.save_button.click()
    assert "Error:</strong> needs a date</div>" in app.held_on.message.value


def test_minutes_of_a_session_not_held_do_not_block_saving_it(demo_pair):
    store, pair, _, (s1, *_rest) = demo_pair
    app = open_log(store, pair, s1.scheduled_on)
    app.session.value = s1.id
    app.first_half.value = 999  # typed, then the session turned out to be missed
    app.status.value = SessionStatus.MISSED
    app.save_button.click()
    assert store.get(model.Session, s1.id).status is SessionStatus.MISSED


def test_a_session_my_partner_logged_opens_for_my_part_days_later(demo_pair):
    """Zoë logs Tuesday's session as held; Inès opens the log on Friday, nothing booked due:
    it opened on a blank unplanned session, held today, which saved made a session that never
    was. It opens on Tuesday's, for her part, until she has written some of it."""
    store, pair, _, (s1, s2, _s3) = demo_pair
    log(store, pair, s1, reviews={}, new=["Walk at lunch"], level=0)
    friday = s1.scheduled_on + dt.timedelta(days=3)
    assert friday < s2.scheduled_on  # nothing booked is due
    theirs = partner_log(store, pair, friday)
    assert theirs.session.value == s1.id
    assert open_log(store, pair, friday).session.value == UNPLANNED  # Zoë logged hers
    theirs.note.value = "What I took from it"
    theirs.save_button.click()
    assert "Saved" in theirs.result.value, theirs.result.value
    assert partner_log(store, pair, friday).session.value == UNPLANNED
    # Two weeks on, a session left without a word no longer comes first.
    sessions = store.find(model.Session, partnership_id=pair.id)
    awaiting = session_log.awaiting_part
    assert awaiting(store, sessions, pair.person_b_id, today=friday) is None  # hers is there
    assert awaiting(store, sessions, pair.person_a_id, today=friday) is None  # Zoë's too
    store.save(
        model.Session(
            partnership_id=pair.id,
            planned=False,
            scheduled_on=friday,
            held_on=friday,
            status=SessionStatus.HELD,
        )
    )
    sessions = store.find(model.Session, partnership_id=pair.id)
    (extra,) = [s for s in sessions if not s.planned and s.held_on == friday]
    assert awaiting(store, sessions, pair.person_b_id, today=friday).id == extra.id
    late = friday + dt.timedelta(days=session_log.AWAITING_DAYS + 1)
    assert awaiting(store, sessions, pair.person_b_id, today=late) is None


def partner_log(store, pair, today) -> SessionLogApp:
    """The log as the pair's second partner opens it on ``today``."""
    return SessionLogApp(store, person_id=pair.person_b_id, partnership_id=pair.id, today=today)


def note_only_save_keeps_the_minutes(store, pair, session, theirs, minutes) -> None:
    """The second partner writes only a note and saves: saved, and the first's minutes kept."""
    theirs.note.value = "Good to talk it through"
    theirs.save_button.click()
    assert "Saved the held session" in theirs.result.value
    assert [h.minutes for h in store.get(model.Session, session.id).halves] == minutes
    (note,) = store.find(model.SessionNote, session_id=session.id, person_id=pair.person_b_id)
    assert note.text == "Good to talk it through"


def logged_held(store, pair, session, first_half: int, second_half: int) -> SessionLogApp:
    """The first partner's log, having saved ``session`` as held with those minutes."""
    app = open_log(store, pair, session.scheduled_on)
    app.session.value = session.id
    app.status.value = SessionStatus.HELD
    app.held_on.value = session.scheduled_on
    app.first_half.value, app.second_half.value = first_half, second_half
    app.save_button.click()
    return app


def test_two_partners_logging_one_session_at_once_lose_nothing(demo_pair):
    store, pair, _, (s1, *_rest) = demo_pair
    first = logged_held(store, pair, s1, 13, 14)
    # The partner opens the logged session; meanwhile the first partner corrects the minutes.
    theirs = partner_log(store, pair, s1.scheduled_on)
    theirs.session.value = s1.id
    first.first_half.value, first.second_half.value = 15, 15
    first.save_button.click()
    # The partner writes only a note: it is saved, and the corrected minutes stay.
    note_only_save_keeps_the_minutes(store, pair, s1, theirs, [15, 15])
    assert (theirs.first_half.value, theirs.second_half.value) == (15, 15)


def test_a_different_log_of_a_session_the_partner_changed_is_refused_once(demo_pair):
    store, pair, _, (s1, *_rest) = demo_pair
    mine, theirs = open_log(store, pair, s1.scheduled_on), partner_log(store, pair, s1.scheduled_on)
    for app in (mine, theirs):
        app.session.value = s1.id
        app.status.value = SessionStatus.HELD
        app.held_on.value = s1.scheduled_on
    mine.first_half.value, mine.second_half.value = 15, 14
    mine.save_button.click()
    theirs.first_half.value, theirs.second_half.value = 40, 40
    theirs.save_button.click()
    partner = store.get(model.Person, pair.person_a_id).name
    said = theirs.result.value
    assert f"this session was saved after you opened it (by {partner}, or by you" in said
    assert "with the minutes changed differently" in said
    assert "(15 and 14 minutes)" in said
    assert sorted(h.minutes for h in store.get(model.Session, s1.id).halves) == [14, 15]
    theirs.save_button.click()  # knowing what was saved, the second save goes ahead
    assert sorted(h.minutes for h in store.get(model.Session, s1.id).halves) == [40, 40]


def test_an_unplanned_session_is_dated_and_logged_once_per_day(demo_pair):
    store, pair, _, (s1, *_rest) = demo_pair
    day = s1.scheduled_on - dt.timedelta(days=2)
    mine = open_log(store, pair, s1.scheduled_on)
    mine.session.value = UNPLANNED
    mine.status.value = SessionStatus.MISSED
    mine.held_on.value = day
    mine.save_button.click()
    assert f"Saved the missed session of {dates.long(day)}" in mine.result.value
    (missed,) = [
        s
        for s in store.find(model.Session, partnership_id=pair.id, planned=False)
        if s.status is SessionStatus.MISSED
    ]
    assert missed.scheduled_on == day
    theirs = partner_log(store, pair, s1.scheduled_on)
    theirs.session.value = UNPLANNED
    theirs.held_on.value = day
    before = store.find(model.Session, partnership_id=pair.id)
    theirs.save_button.click()
    # Logged as missed: meeting that day after all is a change to that session, not another.
    assert (
        f"the session of {dates.long(day)} is logged as missed: if you met that day after all, "
        "choose it under Session and mark it held" in theirs.held_on.message.value
    )
    assert store.find(model.Session, partnership_id=pair.id) == before
    # A held one: the partner adds their part to it.
    store.save(missed.replace(status="held", held_on=day))
    theirs.save_button.click()
    assert f"a session on {dates.long(day)} is logged already" in theirs.held_on.message.value


def test_an_unplanned_session_on_a_day_with_one_booked_is_refused_for_the_booked_one(demo_pair):
    """Saved beside it, the booked session stayed to hold, and the pair's figures said one
    planned session not held and one unplanned."""
    store, pair, _, (s1, *_rest) = demo_pair
    mine = open_log(store, pair, s1.scheduled_on)
    before = store.find(model.Session, partnership_id=pair.id)
    typed_unplanned(mine, s1.scheduled_on, note="We met as booked")
    booked = (
        f"a session is booked on {dates.long(s1.scheduled_on)}: choose it under Session to log "
        "it (what you typed comes with it)"
    )
    assert booked in mine.held_on.message.value  # said as the day is chosen
    mine.save_button.click()
    assert booked in mine.held_on.message.value
    assert store.find(model.Session, partnership_id=pair.id) == before
    mine.session.value = s1.id  # as the message says: what was typed comes along
    assert mine.note.value == "We met as booked"
    mine.save_button.click()
    assert f"Saved the held session of {dates.long(s1.scheduled_on)}" in mine.result.value
    assert store.get(model.Session, s1.id).status is SessionStatus.HELD
    assert len(store.find(model.Session, partnership_id=pair.id)) == len(before)


def typed_unplanned(app, day, *, note="", check=None) -> None:
    """An unplanned session on ``day``, with a note and session-check answers typed in."""
    app.session.value = UNPLANNED
    app.held_on.value = day
    app.note.value = note
    for name, value in (check or {}).items():
        app.check[name].value = value


def test_my_part_typed_for_an_unplanned_session_comes_along_to_the_logged_one(demo_pair):
    store, pair, _, (s1, later, *_rest) = demo_pair
    day = s1.scheduled_on - dt.timedelta(days=2)
    mine = open_log(store, pair, s1.scheduled_on)
    mine.session.value = UNPLANNED
    mine.held_on.value = day
    mine.save_button.click()
    (logged,) = store.find(model.Session, partnership_id=pair.id, planned=False)

    theirs = partner_log(store, pair, s1.scheduled_on)
    answers = {"heard": 9, "focus": 8, "approach": 10, "overall": 9}
    typed_unplanned(theirs, day, note="Typed before I knew it was logged", check=answers)
    theirs.save_button.click()
    assert "what you typed comes with it" in theirs.held_on.message.value
    theirs.session.value = logged.id  # as the message says
    assert theirs.note.value == "Typed before I knew it was logged"
    assert {name: theirs.check[name].value for name in answers} == answers
    assert "What you typed for the unplanned session is here" in theirs.draft_bar.notice.value
    theirs.save_button.click()
    assert "Saved the held session" in theirs.result.value
    (note,) = store.find(model.SessionNote, session_id=logged.id)
    (check,) = store.find(model.SessionCheck, session_id=logged.id)
    assert note.text == "Typed before I knew it was logged" and check.focus == 8
    # A session of another day starts from what that session holds, not from my typing.
    theirs.session.value = UNPLANNED
    theirs.note.value = "Only for this one"
    assert later.scheduled_on != theirs.held_on.value
    theirs.session.value = later.id
    assert theirs.note.value == ""
    theirs.session.value = UNPLANNED  # where it was typed, it is still there
    assert theirs.note.value == "Only for this one"


def test_carrying_my_typing_over_never_empties_what_i_saved_for_that_session(demo_pair):
    store, pair, _, (s1, *_rest) = demo_pair
    day = s1.scheduled_on - dt.timedelta(days=2)
    mine = open_log(store, pair, s1.scheduled_on)
    answers = {"heard": 9, "focus": 8, "approach": 10, "overall": 9}
    typed_unplanned(mine, day, note="My saved note", check=answers)
    mine.save_button.click()
    (logged,) = store.find(model.Session, partnership_id=pair.id, planned=False)

    # Later, in a fresh form, I start an unplanned session on that day again, type one answer
    # of the feedback only, am refused, and turn to the logged session as told.
    again = open_log(store, pair, s1.scheduled_on)
    again.session.value = UNPLANNED
    again.held_on.value = day
    again.most_helpful.value = "The silence after the question"
    again.save_button.click()
    again.session.value = logged.id
    assert again.note.value == "My saved note"  # not emptied by the blank box
    assert {name: again.check[name].value for name in answers} == answers
    assert again.most_helpful.value == "The silence after the question"
    again.save_button.click()
    (note,) = store.find(model.SessionNote, session_id=logged.id)
    (check,) = store.find(model.SessionCheck, session_id=logged.id)
    assert note.text == "My saved note" and check.approach == 10


def test_someone_without_a_running_partnership_is_told_why_there_is_nothing_to_log(demo_pair):
    store, pair, _, (s1, *_rest) = demo_pair
    alone = store.save(model.Person(name="Omar Alone", cohort_id=None))
    app = SessionLogApp(store, person_id=alone.id, today=s1.scheduled_on)
    assert "You have no running partnership" in app.no_pair.value
    assert app.form.layout.display == "none" and app.pair.layout.display == "none"
    app.person.value = pair.person_a_id
    assert app.no_pair.value == "" and app.pair.layout.display == "flex"


def two_windows_on_a_logged_session(demo_pair):
    """A session logged as held (45 and 37 minutes), open in an older and a newer window."""
    store, pair, _, (s1, *_rest) = demo_pair
    logged_held(store, pair, s1, 45, 37)
    older, newer = open_log(store, pair, s1.scheduled_on), open_log(store, pair, s1.scheduled_on)
    for app in (older, newer):
        app.session.value = s1.id
    return store, pair, s1, older, newer


def test_each_half_corrected_in_its_own_window_keeps_both_corrections(demo_pair):
    store, _pair, s1, older, newer = two_windows_on_a_logged_session(demo_pair)
    newer.first_half.value = 30
    newer.save_button.click()
    older.second_half.value = 40  # the older window changes only the other half
    older.save_button.click()
    assert "Saved the held session" in older.result.value
    assert [h.minutes for h in store.get(model.Session, s1.id).halves] == [30, 40]


def test_after_a_refusal_what_merged_is_on_screen_and_saving_again_keeps_it(demo_pair):
    store, _pair, s1, older, newer = two_windows_on_a_logged_session(demo_pair)
    newer.first_half.value, newer.second_half.value = 30, 35
    newer.save_button.click()
    older.second_half.value = 40  # the same half, differently: refused
    older.save_button.click()
    assert "Nothing was saved" in older.result.value
    assert (older.first_half.value, older.second_half.value) == (30, 40)  # theirs, and mine
    older.save_button.click()
    assert [h.minutes for h in store.get(model.Session, s1.id).halves] == [30, 40]


def test_the_partner_who_only_writes_a_note_keeps_the_first_partners_log(demo_pair):
    store, pair, _, (s1, *_rest) = demo_pair
    mine, theirs = open_log(store, pair, s1.scheduled_on), partner_log(store, pair, s1.scheduled_on)
    for app in (mine, theirs):
        app.session.value = s1.id  # both open it while it is still to log
    mine.status.value = SessionStatus.HELD
    mine.first_half.value, mine.second_half.value = 15, 10
    mine.save_button.click()
    # The partner's form still shows what a session to log starts with (held, the agreed
    # minutes): those are not their changes. They write a note only, and save.
    note_only_save_keeps_the_minutes(store, pair, s1, theirs, [15, 10])


def test_a_rescheduled_session_can_be_booked_again_on_its_new_day(demo_pair):
    store, pair, _, (s1, s2, _s3) = demo_pair
    app = open_log(store, pair, s1.scheduled_on)
    app.session.value = s1.id
    app.status.value = SessionStatus.RESCHEDULED
    assert app.new_date.layout.display == "flex"
    app.new_date.value = s1.scheduled_on - dt.timedelta(days=1)  # already gone
    gone = (
        "choose a day still to come (a session already held on another day is logged as an "
        "unplanned one)"
    )
    assert gone in app.new_date.message.value  # said as the day is chosen, before saving
    app.save_button.click()
    assert gone in app.new_date.message.value
    # A day months ahead is noted, as the agreement notes such a gap (never refused).
    far = s1.scheduled_on + dt.timedelta(days=200)
    app.new_date.value = far
    assert (
        f"{dates.short(far)} is 200 days after the day it was booked for "
        f"({dates.short(s1.scheduled_on)}): the guide suggests meeting at least every month"
    ) in app.new_date.message.value
    assert app.new_date.kind == "warning"
    app.new_date.value = s2.scheduled_on  # a day with a session booked
    assert "is booked on" in app.new_date.message.value
    app.save_button.click()
    assert "is booked on" in app.new_date.message.value
    new_day = s1.scheduled_on + dt.timedelta(days=2)
    app.new_date.value = new_day
    app.save_button.click()
    assert f"Booked again on {dates.long(new_day)}" in app.result.value
    assert store.get(model.Session, s1.id).status is SessionStatus.RESCHEDULED
    (again,) = store.find(model.Session, partnership_id=pair.id, scheduled_on=new_day)
    assert again.planned and again.status is SessionStatus.SCHEDULED
    assert again.scheduled_time == s1.scheduled_time
    assert app.new_date.value == new_day  # saved: its new day shows; saving again books no more
    app.save_button.click()
    assert len(store.find(model.Session, partnership_id=pair.id, scheduled_on=new_day)) == 1


def _rescheduled(store, pair, session, new_day):
    """``session`` logged as rescheduled to ``new_day``: (the log, the session booked instead)."""
    app = open_log(store, pair, session.scheduled_on)
    app.session.value = session.id
    app.status.value = SessionStatus.RESCHEDULED
    app.new_date.value = new_day
    app.save_button.click()
    assert f"Booked again on {dates.long(new_day)}" in app.result.value
    (again,) = store.find(model.Session, replaces_id=session.id)
    assert again.scheduled_on == new_day and again.status is SessionStatus.SCHEDULED
    return app, again


def test_the_list_says_where_a_rescheduled_session_went(demo_pair):
    store, pair, _, (s1, *_rest) = demo_pair
    far = s1.scheduled_on + dt.timedelta(days=23)  # beyond the week ahead the list shows
    app, _again = _rescheduled(store, pair, s1, far)
    labels = dict(
        (value, label)
        for label, value in open_log(store, pair, s1.scheduled_on).session.control.options
    )
    assert f"(rescheduled to {dates.short_weekday(far)})" in labels[s1.id]
    assert app.session.control.label == labels[s1.id]  # the form that saved it says so too
    app.new_date.value = None  # the new day taken away: nowhere to say
    app.save_button.click()
    labels = dict((value, label) for label, value in app.session.control.options)
    assert labels[s1.id].endswith("(rescheduled)")


def test_logging_a_rescheduled_session_again_moves_its_new_booking_and_makes_no_other(demo_pair):
    store, pair, _, (s1, _s2, _s3) = demo_pair
    first_day = s1.scheduled_on + dt.timedelta(days=2)
    app, again = _rescheduled(store, pair, s1, first_day)
    later = first_day + dt.timedelta(days=1)
    app.new_date.value = later
    app.save_button.click()
    assert f"Booked again on {dates.long(later)}" in app.result.value
    (moved,) = store.find(model.Session, replaces_id=s1.id)
    assert (moved.id, moved.scheduled_on) == (again.id, later)
    assert moved.calendar_sequence > again.calendar_sequence  # calendars take the move
    booked = {s.scheduled_on for s in store.find(model.Session, partnership_id=pair.id)}
    assert first_day not in booked

    # The partner opens the session: its new day shows, and their save (a note) keeps it.
    theirs = partner_log(store, pair, s1.scheduled_on)
    theirs.session.value = s1.id
    assert theirs.new_date.value == later
    theirs.note.value = "We could not make it that week"
    theirs.save_button.click()
    assert "Saved the rescheduled session" in theirs.result.value, theirs.result.value
    assert [s.id for s in store.find(model.Session, replaces_id=s1.id)] == [again.id]
    assert len(store.find(model.Session, partnership_id=pair.id, scheduled_on=later)) == 1


def test_a_rescheduled_session_held_after_all_cancels_the_booking_made_in_its_place(demo_pair):
    store, pair, _, (s1, _s2, _s3) = demo_pair
    me = pair.members[0]
    made = prep.save(store, model.SessionPrep(session_id=s1.id, person_id=me, purpose="Decide"))
    app, again = _rescheduled(store, pair, s1, s1.scheduled_on + dt.timedelta(days=2))
    assert store.get(model.SessionPrep, made.id).session_id == again.id
    app.status.value = SessionStatus.HELD
    app.save_button.click()
    assert (
        f"The session booked in its place on {dates.long(again.scheduled_on)} is cancelled."
        in app.result.value
    ), app.result.value
    assert store.get(model.Session, again.id).status is SessionStatus.CANCELLED
    assert store.get(model.SessionPrep, made.id).session_id == s1.id  # prepared for it: back

    # Rescheduled once more: the cancelled booking is booked again, not a second one made.
    app.status.value = SessionStatus.RESCHEDULED
    app.new_date.value = s1.scheduled_on + dt.timedelta(days=3)
    app.save_button.click()
    assert [s.id for s in store.find(model.Session, replaces_id=s1.id)] == [again.id]
    restored = store.get(model.Session, again.id)
    assert restored.status is SessionStatus.SCHEDULED
    assert restored.scheduled_on == s1.scheduled_on + dt.timedelta(days=3)
    assert store.get(model.SessionPrep, made.id).session_id == again.id  # and with it again


def _agreement_count(store, pair) -> int:
    from peercoach_lib.apps.agreement_app import AgreementApp

    return AgreementApp(store, person_id=pair.person_a_id, partnership_id=pair.id).count.value


def test_a_session_put_off_with_no_new_day_says_the_agreement_counts_one_fewer(demo_pair):
    store, pair, _, (s1, *_rest) = demo_pair
    counted = _agreement_count(store, pair)
    app = open_log(store, pair, s1.scheduled_on)
    app.session.value = s1.id
    app.status.value = SessionStatus.RESCHEDULED
    app.save_button.click()
    fewer = "No new day is booked for it, so your agreement counts one session fewer"
    assert fewer in app.result.value, app.result.value
    assert _agreement_count(store, pair) == counted - 1  # as said
    # Booked again: the count is back, and nothing is said of one fewer.
    app.new_date.value = s1.scheduled_on + dt.timedelta(days=2)
    app.save_button.click()
    assert "Booked again on" in app.result.value and fewer not in app.result.value
    assert _agreement_count(store, pair) == counted
    # The new day taken away: its booking is cancelled, and the count one fewer again.
    app.new_date.value = None
    app.save_button.click()
    assert "is cancelled." in app.result.value and fewer in app.result.value, app.result.value
    assert _agreement_count(store, pair) == counted - 1
    # Held on its day after all: nothing fewer.
    app.status.value = SessionStatus.HELD
    app.save_button.click()
    assert fewer not in app.result.value, app.result.value
    assert _agreement_count(store, pair) == counted


def test_a_new_day_taken_away_cancels_its_booking(demo_pair):
    store, pair, _, (s1, _s2, _s3) = demo_pair
    app, again = _rescheduled(store, pair, s1, s1.scheduled_on + dt.timedelta(days=2))
    app.new_date.value = None
    app.save_button.click()
    assert "is cancelled" in app.result.value
    assert store.get(model.Session, again.id).status is SessionStatus.CANCELLED
    assert store.get(model.Session, s1.id).status is SessionStatus.RESCHEDULED
    assert app.new_date.value is None  # opened again: no new day, its booking being cancelled


def test_a_new_day_taken_away_sends_what_was_followed_up_for_it_on(demo_pair):
    store, pair, _, (s1, s2, _s3) = demo_pair
    me = pair.members[0]
    open_one = next(
        c
        for c in prep.open_commitments(store, me, pair.id)
        if c.status is CS.OPEN and c.reviewed_in_session_id is None
    )
    prep.save(
        store,
        model.SessionPrep(session_id=s1.id, person_id=me, purpose="Decide"),
        [open_one.replace(status=CS.DONE)],
    )
    app, again = _rescheduled(store, pair, s1, s1.scheduled_on + dt.timedelta(days=2))
    assert store.get(model.Commitment, open_one.id).reviewed_in_session_id == again.id
    app.new_date.value = None
    app.save_button.click()
    # On to the next session still to log, to be followed up there.
    assert store.get(model.Commitment, open_one.id).reviewed_in_session_id == s2.id


def test_the_partner_saves_a_note_once_the_new_day_has_gone_by(demo_pair):
    """The new day shown is past by the time the partner logs: left as it is, it is no new
    choice of theirs and is not refused as a day gone by."""
    store, pair, _, (s1, _s2, _s3) = demo_pair
    new_day = s1.scheduled_on + dt.timedelta(days=2)
    _app, again = _rescheduled(store, pair, s1, new_day)
    theirs = partner_log(store, pair, new_day + dt.timedelta(days=3))
    theirs.session.value = s1.id
    assert theirs.new_date.value == new_day
    theirs.note.value = "We met on the new day"
    theirs.save_button.click()
    assert "Saved the rescheduled session" in theirs.result.value, theirs.result.value
    assert store.get(model.Session, again.id).scheduled_on == new_day


def test_the_new_day_of_a_session_held_in_its_place_is_not_changed_from_the_old_one(demo_pair):
    store, pair, _, (s1, _s2, _s3) = demo_pair
    new_day = s1.scheduled_on + dt.timedelta(days=2)
    app, again = _rescheduled(store, pair, s1, new_day)
    store.save(again.replace(status=SessionStatus.HELD, held_on=new_day))
    app.new_date.value = new_day + dt.timedelta(days=1)
    app.save_button.click()
    assert (
        f"it was booked again on {dates.long(new_day)}, and that session was held: change it "
        "in its own log" in app.new_date.message.value
    ), app.result.value
    assert store.get(model.Session, again.id).day == new_day
    assert len(store.find(model.Session, replaces_id=s1.id)) == 1


def test_what_was_prepared_for_a_rescheduled_session_goes_to_its_new_day(demo_pair):
    store, pair, _, (s1, _s2, _s3) = demo_pair
    me, partner = pair.members
    open_one = next(
        c
        for c in prep.open_commitments(store, me, pair.id)
        if c.status is CS.OPEN and c.reviewed_in_session_id is None
    )
    followed = open_one.replace(status=CS.DONE)
    mine = prep.save(
        store, model.SessionPrep(session_id=s1.id, person_id=me, purpose="Decide"), [followed]
    )
    theirs = prep.save(store, model.SessionPrep(session_id=s1.id, person_id=partner, purpose="Ask"))
    drafts.keep(
        store,
        partner,
        prep.DRAFT_KIND,
        prep.draft_key(s1.id),
        {"purpose": "Ask more", "base": theirs.model_dump(mode="json")},
    )
    app = open_log(store, pair, s1.scheduled_on)
    app.session.value = s1.id
    app.status.value = SessionStatus.RESCHEDULED
    new_day = s1.scheduled_on + dt.timedelta(days=2)
    app.new_date.value = new_day
    app.save_button.click()
    assert f"Booked again on {dates.long(new_day)}" in app.result.value
    (again,) = store.find(model.Session, partnership_id=pair.id, scheduled_on=new_day)
    moved = {p.id: p.session_id for p in store.find(model.SessionPrep)}
    assert (moved[mine.id], moved[theirs.id]) == (again.id, again.id)
    assert store.get(model.Commitment, open_one.id).reviewed_in_session_id == again.id
    assert store.get(model.Commitment, open_one.id).status is CS.DONE
    moved_draft = drafts.find(store, partner, prep.DRAFT_KIND, prep.draft_key(again.id))
    assert moved_draft.data["base"]["session_id"] == again.id
    assert drafts.find(store, partner, prep.DRAFT_KIND, prep.draft_key(s1.id)) is None


def test_logging_a_session_drops_my_unsaved_preparation_of_it(demo_pair):
    store, pair, _, (s1, _s2, _s3) = demo_pair
    me, partner = pair.members
    for who in (me, partner):
        drafts.keep(store, who, prep.DRAFT_KIND, prep.draft_key(s1.id), {"purpose": "Typed"})
    log(store, pair, s1, reviews={}, new=[], level=0)
    assert drafts.find(store, me, prep.DRAFT_KIND, prep.draft_key(s1.id)) is None
    # The partner's own unsaved words are theirs: left alone.
    assert drafts.find(store, partner, prep.DRAFT_KIND, prep.draft_key(s1.id)) is not None


def test_a_session_the_partner_logged_as_held_is_not_made_missed_under_them(demo_pair):
    store, pair, _, (s1, _s2, _s3) = demo_pair
    log(
        store,
        pair,
        s1,
        reviews={},
        new=["Call the funder"],
        level=1,
        check={"heard": 2, "focus": 2, "approach": 2, "overall": 2},
    )
    theirs = partner_log(store, pair, s1.scheduled_on)
    theirs.session.value = s1.id
    theirs.status.value = SessionStatus.MISSED
    theirs.save_button.click()
    first = store.get(model.Person, pair.person_a_id).name
    assert (
        f"{first} logged this session as held, with their goal ratings, session check and new "
        f"commitments: it stays held unless {first} changes their log"
    ) in theirs.status.message.value
    assert "Nothing was saved" in theirs.result.value
    assert store.get(model.Session, s1.id).status is SessionStatus.HELD
    # The first partner may change their own log: their held-only parts go with it.
    mine = open_log(store, pair, s1.scheduled_on)
    mine.session.value = s1.id
    mine.status.value = SessionStatus.MISSED
    mine.save_button.click()
    assert "Saved the missed session" in mine.result.value
    assert store.find(model.SessionCheck, session_id=s1.id) == []
    assert store.find(model.GasRating, session_id=s1.id) == []


def test_a_session_logged_as_missed_is_made_held_with_a_word_first(demo_pair):
    """One partner's Held was put over the other's Missed, and their note saying so, without a
    word to either: it is said as Held is chosen (who logged Missed is not kept, so it is not
    refused: the one who did may be setting a mistake right)."""
    store, pair, _, (s1, _s2, _s3) = demo_pair
    mine = open_log(store, pair, s1.scheduled_on)
    mine.session.value = s1.id
    mine.status.value = SessionStatus.MISSED
    mine.note.value = "They did not come"
    mine.save_button.click()
    assert "Saved the missed session" in mine.result.value
    first = store.get(model.Person, pair.person_a_id).name
    theirs = partner_log(store, pair, s1.scheduled_on)
    theirs.session.value = s1.id
    assert theirs.status.value is SessionStatus.MISSED and "until now" not in (
        theirs.status.message.value
    )
    theirs.status.value = SessionStatus.HELD
    assert theirs.status.kind == "warning"
    assert (
        "logged as missed until now: saving it as held changes it for you both (if "
        f"{first} logged it, talk it over with them first)"
    ) in theirs.status.message.value
    theirs.held_on.value = s1.scheduled_on
    theirs.save_button.click()
    assert "Saved the held session" in theirs.result.value, theirs.result.value
    assert store.get(model.Session, s1.id).status is SessionStatus.HELD
    # Opened again as held: nothing more to say.
    again = partner_log(store, pair, s1.scheduled_on)
    again.session.value = s1.id
    assert "until now" not in again.status.message.value


def test_the_last_session_of_an_ended_partnership_can_still_be_logged(demo_pair):
    store, pair, _, (s1, _s2, _s3) = demo_pair
    day = s1.scheduled_on
    log(store, pair, s1, reviews={}, new=[], level=0)
    partnerships.end(
        store, pair.id, by=pair.person_a_id, reason=model.EndReason.OTHER, on=day, today=day
    )
    theirs = partner_log(store, pair, day + dt.timedelta(days=3))
    assert theirs.pair.value == pair.id
    assert f"(ended {dates.short(day)})" in theirs.pair.control.label
    assert f"This partnership ended on {dates.long(day)}" in theirs.no_pair.value
    theirs.session.value = s1.id
    theirs.most_helpful.value = "The last question"
    theirs.save_button.click()
    assert "Saved the held session" in theirs.result.value
    (feedback,) = store.find(model.Feedback, session_id=s1.id, author_id=pair.person_b_id)
    assert feedback.most_helpful == "The last question"
    # A session put off is not said to await "a New date here": none can be booked now.
    put_off = store.get(model.Session, s1.id).replace(
        status=SessionStatus.RESCHEDULED, held_on=None
    )
    assert theirs._rebooking_said(None, put_off) == ""
    # After the end, nothing more: an unplanned session the day after is refused.
    theirs.session.value = UNPLANNED
    theirs.held_on.value = day + dt.timedelta(days=1)
    theirs.save_button.click()
    assert f"the partnership ended on {dates.long(day)}" in theirs.held_on.message.value


def test_a_pair_without_an_agreement_is_not_told_what_it_agreed(store, pair):
    app = open_log(store, pair["partnership"], dt.date(2026, 3, 2))
    assert "No agreement yet: 45 minutes each, as usual." in app.agreed.value
    assert "Agreed:" not in app.agreed.value


def two_sessions_with_follow_ups(demo_pair):
    """Session 1 logged with two commitments, session 2 with both followed up and one new."""
    store, pair, _plan, (s1, s2, _s3) = demo_pair
    log(store, pair, s1, reviews={}, new=["Draft the bid", "Call the funder"], level=-1)
    log(
        store,
        pair,
        s2,
        reviews={"Draft the bid": CS.DONE, "Call the funder": CS.PARTLY},
        new=["Book the venue"],
        level=0,
    )
    return store, pair, s1, s2


def reopened(store, pair, session) -> SessionLogApp:
    app = open_log(store, pair, session.scheduled_on + dt.timedelta(days=30))
    app.session.value = session.id
    return app


def test_editing_an_earlier_session_keeps_the_follow_ups_of_its_commitments(demo_pair):
    store, pair, s1, s2 = two_sessions_with_follow_ups(demo_pair)
    app = reopened(store, pair, s1)
    texts = [row["text"] for row in app.new_commitments.rows]
    assert [t.value for t in texts] == ["Draft the bid", "Call the funder"]
    # Saved, they are the session's own, not new ones (the list was "New commitments").
    assert app.new_commitments.label == "Made in this session"
    texts[0].value = "Draft the bid, two pages"
    app.note.value = "Added later"
    app.save_button.click()
    assert "Saved the held session" in app.result.value, app.result.value
    mine = {
        c.text: c
        for c in store.find(model.Commitment, person_id=pair.person_a_id, made_in_session_id=s1.id)
    }
    assert set(mine) == {"Draft the bid, two pages", "Call the funder"}
    assert (mine["Draft the bid, two pages"].status, mine["Call the funder"].status) == (
        CS.DONE,
        CS.PARTLY,
    )
    assert {c.reviewed_in_session_id for c in mine.values()} == {s2.id}
    # Session 2 still shows them followed up, under their new words.
    later = reopened(store, pair, s2)
    shown = {r.commitment.text: r.status.value for r in later._review_rows()}
    assert shown == {"Draft the bid, two pages": CS.DONE, "Call the funder": CS.PARTLY}


def test_a_commitment_followed_up_later_cannot_be_removed_from_its_session(demo_pair):
    store, pair, s1, s2 = two_sessions_with_follow_ups(demo_pair)
    before = store.find(model.Commitment, person_id=pair.person_a_id)
    app = reopened(store, pair, s1)
    app.note.value = "This note is not saved either"
    app.new_commitments._remove(app.new_commitments.rows[1], app.new_commitments.box.children[1])
    app.save_button.click()
    message = app.fields["new_commitments"].message.value
    assert "“Call the funder” was followed up in the session of" in message
    assert f"the session of {dates.long(s2.scheduled_on)} (partly)" in message
    assert "Nothing was saved" in app.result.value
    assert store.find(model.Commitment, person_id=pair.person_a_id) == before
    assert not store.find(model.SessionNote, session_id=s1.id, person_id=pair.person_a_id)


def test_a_commitment_not_yet_followed_up_can_be_removed(demo_pair):
    store, pair, _s1, s2 = two_sessions_with_follow_ups(demo_pair)
    app = reopened(store, pair, s2)
    (row,) = app.new_commitments.rows
    app.new_commitments._remove(row, app.new_commitments.box.children[0])
    app.save_button.click()
    assert "Saved the held session" in app.result.value, app.result.value
    assert not store.find(model.Commitment, made_in_session_id=s2.id, person_id=pair.person_a_id)


def test_an_earlier_session_lists_only_what_was_committed_to_before_it(demo_pair):
    store, pair, s1, s2 = two_sessions_with_follow_ups(demo_pair)
    # "Book the venue" was made in session 2: it is not for session 1 (nor session 2) to
    # follow up, though it is still open.
    made_here = {"Draft the bid", "Call the funder", "Book the venue"}
    for session, expected in ((s1, set()), (s2, {"Draft the bid", "Call the funder"})):
        app = reopened(store, pair, session)
        assert {r.commitment.text for r in app._review_rows()} & made_here == expected
    ahead = open_log(store, pair, s2.scheduled_on + dt.timedelta(days=7))
    ahead.session.value = UNPLANNED
    assert "Book the venue" in {r.commitment.text for r in ahead._review_rows()}


def saved_in_two_windows(store, pair, session, in_first, in_second):
    """Two windows open ``session``: the first is edited (``in_first``) and saved, then the
    second (``in_second``); the second window, and what its save said."""
    first, second = reopened(store, pair, session), reopened(store, pair, session)
    in_first(first)
    first.save_button.click()
    assert "Saved the held session" in first.result.value
    in_second(second)
    second.save_button.click()
    return second, second.result.value


def test_my_own_save_from_another_window_is_not_silently_undone(demo_pair):
    store, pair, s1, _s2 = two_sessions_with_follow_ups(demo_pair)
    me = pair.person_a_id

    def in_first(app):
        app.note.value = "Written in the first window"
        for name in app.check:
            app.check[name].value = 3

    second, said = saved_in_two_windows(
        store,
        pair,
        s1,
        in_first,
        lambda app: setattr(app.note, "value", "Written in the second window"),
    )
    assert "you saved your part of this session in another window" in said
    assert "(notes, session check changed there)" in said
    assert "What was saved there for your session check is now on screen" in said
    assert "what you typed here for your notes, changed there too, stays on screen" in said
    (note,) = store.find(model.SessionNote, session_id=s1.id, person_id=me)
    (check,) = store.find(model.SessionCheck, session_id=s1.id, person_id=me)
    assert (note.text, check.heard) == ("Written in the first window", 3)
    # The check this window left alone now shows the other window's; the note typed here stays.
    assert (second.note.value, second.check["heard"].value) == ("Written in the second window", 3)
    # Said once: saving again, knowingly, keeps both.
    second.save_button.click()
    assert "Saved the held session" in second.result.value, second.result.value
    (note,) = store.find(model.SessionNote, session_id=s1.id, person_id=me)
    (check,) = store.find(model.SessionCheck, session_id=s1.id, person_id=me)
    assert (note.text, check.heard) == ("Written in the second window", 3)


def test_a_draft_left_in_a_closed_window_is_merged_with_what_i_saved_since(demo_pair):
    """A draft typed in one window, closed unsaved while another window saved: reopened, the
    draft was put over the saved log whole, with "Restored what you typed" alone, so one
    click of Save undid the other window's save. Now the boxes the draft left alone show
    what was saved, and what differs from the saved log is named."""
    store, pair, s1, _s2 = two_sessions_with_follow_ups(demo_pair)
    me = pair.person_a_id
    first, second = reopened(store, pair, s1), reopened(store, pair, s1)
    # The second saves a check and a note (a save drops my draft of the session)...
    second.note.value = "Saved from the second window"
    for name in second.check:
        second.check[name].value = 8
    second.save_button.click()
    assert "Saved the held session" in second.result.value, second.result.value
    # ...while the first, open since before, is typed in (kept as a draft) and closed unsaved.
    first.note.value = "Typed in the first window"
    first.most_helpful.value = "Kept from the first window"
    third = reopened(store, pair, s1)
    said = html.unescape(third.draft_bar.notice.value)
    assert "Restored what you typed and had not saved" in said
    assert (
        "You saved your part of this session in another window since: what was saved there "
        "for your session check is here; what you typed for your notes, changed there too, "
        "stays in place of what was saved there."
    ) in said
    assert "It differs from your saved log in your notes, feedback: saving puts it" in said
    assert third.check["heard"].value == 8  # the save, not the draft's empty check
    assert (third.note.value, third.most_helpful.value) == (
        "Typed in the first window",
        "Kept from the first window",
    )
    third.save_button.click()
    assert "Saved the held session" in third.result.value, third.result.value
    (check,) = store.find(model.SessionCheck, session_id=s1.id, person_id=me)
    assert check.heard == 8


def test_two_windows_changing_different_boxes_of_my_feedback_keep_both(demo_pair):
    """One window saves "less helpful", the other then "what worked": the second is held back
    once, showing both boxes (it showed its own empty "less helpful", and saving again emptied
    what the first had saved)."""
    store, pair, s1, _s2 = two_sessions_with_follow_ups(demo_pair)
    me = pair.person_a_id
    second, said = saved_in_two_windows(
        store,
        pair,
        s1,
        lambda app: setattr(app.less_helpful, "value", "Less helpful, from the first window"),
        lambda app: setattr(app.what_worked, "value", "What worked, from the second window"),
    )
    assert "saved there for your feedback (beside your changes here) is now on screen" in said
    assert "changed there too" not in said
    assert second.less_helpful.value == "Less helpful, from the first window"
    assert second.what_worked.value == "What worked, from the second window"
    second.save_button.click()
    assert "Saved the held session" in second.result.value, second.result.value
    (given,) = [
        f for f in store.find(model.Feedback, session_id=s1.id, author_id=me) if f.what_worked
    ]
    assert given.what_worked == "What worked, from the second window"
    (got,) = [
        f for f in store.find(model.Feedback, session_id=s1.id, author_id=me) if f.less_helpful
    ]
    assert got.less_helpful == "Less helpful, from the first window"


def test_the_partners_save_is_not_a_change_to_my_part(demo_pair):
    store, pair, s1, _s2 = two_sessions_with_follow_ups(demo_pair)
    mine = reopened(store, pair, s1)
    theirs = SessionLogApp(
        store, person_id=pair.person_b_id, partnership_id=pair.id, today=s1.scheduled_on
    )
    theirs.session.value = s1.id
    theirs.note.value = "The partner's note"
    theirs.save_button.click()
    assert "Saved the held session" in theirs.result.value, theirs.result.value
    mine.note.value = "My note"
    mine.save_button.click()
    assert "Saved the held session" in mine.result.value, mine.result.value


def test_a_follow_up_made_in_another_session_meanwhile_stays(demo_pair):
    store, pair, _plan, (s1, s2, s3) = demo_pair
    log(store, pair, s1, reviews={}, new=["Draft the bid", "Call the funder"], level=-1)
    # Two windows on session 2 list both as not followed up yet; then session 3 follows them up.
    note_only, follows_up = reopened(store, pair, s2), reopened(store, pair, s2)
    log(
        store,
        pair,
        s3,
        reviews={"Draft the bid": CS.DONE, "Call the funder": CS.PARTLY},
        new=[],
        level=0,
    )
    # Followed up here too: refused, naming the other session; nothing is saved.
    (row,) = [r for r in follows_up._review_rows() if r.commitment.text == "Call the funder"]
    row.status.value = CS.NOT_DONE
    follows_up.save_button.click()
    assert "“Call the funder” was followed up in the session of" in follows_up.result.value
    assert "Your draft is kept" in follows_up.result.value
    # Rows left as they were write nothing: the follow-ups of session 3 stay.
    note_only.note.value = "Only a note"
    note_only.save_button.click()
    assert "Saved the held session" in note_only.result.value, note_only.result.value
    made = store.find(model.Commitment, made_in_session_id=s1.id, person_id=pair.person_a_id)
    assert {(c.status, c.reviewed_in_session_id) for c in made} == {
        (CS.DONE, s3.id),
        (CS.PARTLY, s3.id),
    }


def test_a_session_still_to_log_lists_what_a_session_held_late_committed_to(demo_pair):
    store, pair, _plan, (s1, s2, _s3) = demo_pair
    # The first booked session is held a week after the second one's booked day.
    app = open_log(store, pair, s2.scheduled_on + dt.timedelta(days=7))
    app.session.value = s1.id
    app.status.value = SessionStatus.HELD
    app.held_on.value = s2.scheduled_on + dt.timedelta(days=5)
    controls = app.new_commitments.append()
    controls["text"].value = "Late one"
    app.save_button.click()
    assert "Saved the held session" in app.result.value, app.result.value
    app = open_log(store, pair, s2.scheduled_on + dt.timedelta(days=7))
    app.session.value = s2.id  # still to log, shown on its booked day, before the late one
    assert "Late one" not in {r.commitment.text for r in app._review_rows()}
    app.held_on.value = s2.scheduled_on + dt.timedelta(days=7)  # held today, after it
    assert "Late one" in {r.commitment.text for r in app._review_rows()}


def test_an_unplanned_session_on_a_day_gone_by_lists_only_what_was_open_then(demo_pair):
    """An unplanned session dated before the last one held listed the commitments made in
    that later session, to follow up in a session held before they were made. What was chosen
    in a row stays when the day is changed and changed back."""
    store, pair, _plan, (s1, s2, _s3) = demo_pair
    log(store, pair, s1, reviews={}, new=["Before"], level=0)
    log(store, pair, s2, reviews={"Before": CS.OPEN}, new=["After"], level=0)
    app = open_log(store, pair, s2.scheduled_on + dt.timedelta(days=2))
    app.session.value = UNPLANNED
    app.held_on.value = s2.scheduled_on + dt.timedelta(days=1)
    assert [r.commitment.text for r in app._review_rows()] == ["Before", "After"]
    app._review_rows()[0].status.value = CS.DONE
    app.held_on.value = s2.scheduled_on - dt.timedelta(days=1)
    assert [r.commitment.text for r in app._review_rows()] == ["Before"]
    app.held_on.value = s2.scheduled_on + dt.timedelta(days=1)
    rows = app._review_rows()
    assert [(r.commitment.text, r.status.value) for r in rows] == [
        ("Before", CS.DONE),
        ("After", CS.OPEN),
    ]


def test_following_up_in_a_later_session_is_no_change_to_the_session_it_was_made_in(demo_pair):
    store, pair, _plan, (s1, s2, _s3) = demo_pair
    log(store, pair, s1, reviews={}, new=["Draft the bid"], level=-1)
    first = reopened(store, pair, s1)
    log(store, pair, s2, reviews={"Draft the bid": CS.DONE}, new=[], level=0)
    first.note.value = "Added later"
    first.save_button.click()
    assert "Saved the held session" in first.result.value, first.result.value


def test_a_goal_achieved_since_keeps_its_rating_and_links_when_the_log_is_edited(demo_pair):
    store, pair, plan, (s1, _s2, _s3) = demo_pair
    me = pair.person_a_id
    log(store, pair, s1, reviews={}, new=["Draft the bid"], level=1)
    (made,) = store.find(model.Commitment, person_id=me, made_in_session_id=s1.id)
    store.save(made.replace(goal_id=plan.id))
    store.save(plan.replace(status=model.PlanStatus.ACHIEVED, status_reason="Done early"))
    later = open_log(store, pair, s1.scheduled_on + dt.timedelta(days=3))
    later.session.value = s1.id
    (level_field,) = later.levels.children
    assert level_field.value == 1 and "(achieved)" in level_field.control.description
    later.note.value = "Added a line afterwards"
    later.save_button.click()
    assert "Saved the held session" in later.result.value, later.result.value
    (rating,) = store.find(model.GasRating, session_id=s1.id, plan_id=plan.id)
    assert rating.level == 1
    assert store.get(model.Commitment, made.id).goal_id == plan.id
    # A session logged after the goal was achieved does not offer it.
    assert session_log.goals_of(store, me, None) == [
        p for p in store.find(model.ChangePlan, person_id=me) if p.status is model.PlanStatus.ACTIVE
    ]


def test_ratings_move_with_their_session_to_another_day(demo_pair):
    store, pair, _plan, (s1, _s2, _s3) = demo_pair
    log(store, pair, s1, reviews={}, new=[], level=0)
    # The partner rated a goal of theirs in the same session.
    goal = store.save(
        model.ChangePlan(person_id=pair.person_b_id, change="Sleep by eleven", created_on=AS_OF)
    )
    store.save(
        model.GasRating(plan_id=goal.id, session_id=s1.id, rated_on=s1.scheduled_on, level=1)
    )
    later = open_log(store, pair, s1.scheduled_on + dt.timedelta(days=3))
    later.session.value = s1.id
    moved = s1.scheduled_on + dt.timedelta(days=1)
    later.held_on.value = moved
    later.save_button.click()
    assert "Saved the held session" in later.result.value, later.result.value
    rated = store.find(model.GasRating, session_id=s1.id)
    assert len(rated) == 2 and {r.rated_on for r in rated} == {moved}


def test_with_no_change_plan_the_levels_say_which_goals_are_rated_and_where_to_start_one(
    demo_pair,
):
    store, pair, plan, upcoming = demo_pair
    store.save(plan.replace(status="dropped", status_reason="Changed my mind"))
    app = open_log(store, pair, upcoming[0].scheduled_on)
    (said,) = app.levels.children
    assert "No active change plan to rate" in said.value
    assert "the partnership's goals in the agreement are not rated" in said.value
    assert f"personal_change_plan.ipynb?person={pair.person_a_id}" in said.value


def test_a_log_opened_before_the_partner_rescheduled_leaves_their_new_booking(demo_pair):
    """The partner's log, open since before the session was moved, saves a note: the session
    stays rescheduled (their change) and its new booking stays, which this log never showed."""
    store, pair, _, (s1, _s2, _s3) = demo_pair
    theirs = partner_log(store, pair, s1.scheduled_on)
    theirs.session.value = s1.id
    _app, again = _rescheduled(store, pair, s1, s1.scheduled_on + dt.timedelta(days=2))
    theirs.note.value = "Sorry I could not come"
    theirs.save_button.click()
    assert store.get(model.Session, s1.id).status is SessionStatus.RESCHEDULED
    assert store.get(model.Session, again.id).status is SessionStatus.SCHEDULED


def test_saving_again_with_the_new_day_as_shown_says_nothing_of_booking(demo_pair):
    store, pair, _, (s1, _s2, _s3) = demo_pair
    app, _again = _rescheduled(store, pair, s1, s1.scheduled_on + dt.timedelta(days=2))
    app.note.value = "We moved it to Friday"
    app.save_button.click()
    assert "Saved the rescheduled session" in app.result.value
    assert "Booked again" not in app.result.value and "cancelled" not in app.result.value


def test_a_page_open_on_the_new_day_does_not_undo_the_partners_move_or_cancellation(demo_pair):
    store, pair, _, (s1, _s2, _s3) = demo_pair
    first_day = s1.scheduled_on + dt.timedelta(days=2)
    app, again = _rescheduled(store, pair, s1, first_day)
    theirs = partner_log(store, pair, s1.scheduled_on)
    theirs.session.value = s1.id
    assert theirs.new_date.value == first_day
    later = first_day + dt.timedelta(days=1)
    app.new_date.value = later  # moved meanwhile
    app.save_button.click()
    theirs.note.value = "Fine by me"
    theirs.save_button.click()
    assert "Saved the rescheduled session" in theirs.result.value, theirs.result.value
    assert "Booked again" not in theirs.result.value
    assert store.get(model.Session, again.id).scheduled_on == later

    app.new_date.value = None  # taken away meanwhile
    app.save_button.click()
    assert store.get(model.Session, again.id).status is SessionStatus.CANCELLED
    theirs.note.value = "Fine by me, really"
    theirs.save_button.click()
    assert store.get(model.Session, again.id).status is SessionStatus.CANCELLED


def test_a_draft_typed_before_the_session_was_moved_does_not_bring_back_held(demo_pair):
    store, pair, _, (s1, _s2, _s3) = demo_pair
    theirs = partner_log(store, pair, s1.scheduled_on)
    theirs.session.value = s1.id
    theirs.note.value = "Typed before the move"  # kept as a draft: the form showed "held"
    _app, again = _rescheduled(store, pair, s1, s1.scheduled_on + dt.timedelta(days=2))

    back = partner_log(store, pair, s1.scheduled_on)
    back.session.value = s1.id
    assert back.note.value == "Typed before the move"  # the draft is back
    assert back.status.value is SessionStatus.RESCHEDULED  # but not its "held"
    assert back.new_date.value == again.scheduled_on
    back.save_button.click()
    assert store.get(model.Session, again.id).status is SessionStatus.SCHEDULED
    assert store.get(model.Session, s1.id).status is SessionStatus.RESCHEDULED


def test_a_new_day_cleared_in_a_draft_stays_cleared(demo_pair):
    store, pair, _, (s1, _s2, _s3) = demo_pair
    app, again = _rescheduled(store, pair, s1, s1.scheduled_on + dt.timedelta(days=2))
    app.new_date.value = None  # kept as a draft, not saved
    back = open_log(store, pair, s1.scheduled_on)
    back.session.value = s1.id
    assert back.new_date.value is None
    back.save_button.click()
    assert store.get(model.Session, again.id).status is SessionStatus.CANCELLED


def test_a_booking_put_off_in_its_turn_leads_on_to_the_one_made_in_its_place(demo_pair):
    store, pair, _, (s1, _s2, _s3) = demo_pair
    _app, first = _rescheduled(store, pair, s1, s1.scheduled_on + dt.timedelta(days=2))
    second_day = s1.scheduled_on + dt.timedelta(days=4)
    _app2, second = _rescheduled(store, pair, first, second_day)
    assert second.replaces_id == first.id
    again = open_log(store, pair, s1.scheduled_on)
    again.session.value = s1.id
    assert again.new_date.value == second_day  # where the pair now meets
    again.status.value = SessionStatus.HELD  # held on its day after all
    again.save_button.click()
    assert f"on {dates.long(second_day)} is cancelled" in again.result.value, again.result.value
    assert store.get(model.Session, second.id).status is SessionStatus.CANCELLED


def test_the_new_day_of_a_booking_logged_already_cannot_be_taken_away(demo_pair):
    store, pair, _, (s1, _s2, _s3) = demo_pair
    new_day = s1.scheduled_on + dt.timedelta(days=2)
    app, again = _rescheduled(store, pair, s1, new_day)
    store.save(again.replace(status=SessionStatus.MISSED))
    app.new_date.value = None
    app.save_button.click()
    assert "and that session was missed" in app.new_date.message.value, app.result.value
    assert store.get(model.Session, again.id).status is SessionStatus.MISSED


def test_a_session_is_not_put_off_to_its_own_day(demo_pair):
    store, pair, _, (s1, _s2, _s3) = demo_pair
    app = open_log(store, pair, s1.scheduled_on - dt.timedelta(days=1))
    app.session.value = s1.id
    app.status.value = SessionStatus.RESCHEDULED
    app.new_date.value = s1.scheduled_on
    app.save_button.click()
    assert "the day it is booked for" in app.new_date.message.value, app.result.value
    assert store.find(model.Session, replaces_id=s1.id) == []
    assert store.get(model.Session, s1.id).status is SessionStatus.SCHEDULED


def test_an_unplanned_session_is_not_logged_as_put_off(demo_pair):
    """A session nobody booked cannot be moved: "rescheduled" is refused beside the choice."""
    store, pair, _, (s1, _s2, _s3) = demo_pair
    app = open_log(store, pair, s1.scheduled_on)
    app.session.value = UNPLANNED
    app.held_on.value = s1.scheduled_on - dt.timedelta(days=1)
    app.status.value = SessionStatus.RESCHEDULED
    assert "only a booked session can be put off" in app.status.message.value  # as chosen
    before = len(store.find(model.Session, partnership_id=pair.id))
    app.save_button.click()
    assert "only a booked session can be put off" in app.status.message.value, app.result.value
    assert len(store.find(model.Session, partnership_id=pair.id)) == before


def test_a_session_put_off_keeps_its_booked_day_in_the_date_box(demo_pair):
    """A changed Date on a session put off was dropped without a word: now it is said."""
    store, pair, _, (s1, _s2, _s3) = demo_pair
    app = open_log(store, pair, s1.scheduled_on)
    app.session.value = s1.id
    app.status.value = SessionStatus.RESCHEDULED
    app.held_on.value = s1.scheduled_on + dt.timedelta(days=14)
    app.save_button.click()
    assert (
        f"a session put off keeps the day it was booked for ({dates.long(s1.scheduled_on)}): "
        "its new day goes in New date"
    ) in app.held_on.message.value, app.result.value
    assert store.get(model.Session, s1.id).status is SessionStatus.SCHEDULED


def test_the_other_partner_chosen_under_i_am_stays_on_the_session_chosen(demo_pair):
    store, pair, _, (s1, s2, _s3) = demo_pair
    app = open_log(store, pair, s1.scheduled_on)
    app.session.value = s2.id  # not the one due today
    app.person.value = pair.person_b_id
    assert app.pair.value == pair.id and app.session.value == s2.id
    assert app.session.value != UNPLANNED


def test_the_demo_notice_heads_the_page_not_the_form(demo_pair):
    """As in the other apps: above the choosers, not between the session and its date."""
    store, pair, _, _ = demo_pair
    app = open_log(store, pair, AS_OF)
    assert "Demo data." in app.demo.value
    assert app.children.index(app.demo) < app.children.index(app.person)
    assert app.demo not in app.form.children
    app.person.value = None
    assert app.demo.value == ""


def test_a_session_booked_ahead_is_noted_as_after_today_when_chosen(demo_pair):
    """Chosen before its day, a booked session shows "held" with every box open: the Date says
    at once that it is after today (it was said only on saving, once everything was typed);
    choosing "rescheduled" takes the note away."""
    store, pair, _plan, (s1, *_rest) = demo_pair
    today = s1.scheduled_on - dt.timedelta(days=3)
    app = open_log(store, pair, today)
    app.session.value = s1.id
    assert app.status.value is SessionStatus.HELD
    assert app.held_on.kind == "warning"
    assert (
        f"{dates.short(s1.scheduled_on)} is after today ({dates.short(today)}): a session is "
        "logged as held once it has happened"
    ) in app.held_on.message.value
    app.status.value = SessionStatus.RESCHEDULED
    assert app.held_on.message.value == ""
    app.status.value = SessionStatus.HELD
    app.save_button.click()  # the save's error stands in its place
    assert "a session cannot be held after today" in app.held_on.message.value
    app.held_on.value = today
    assert app.held_on.message.value == ""


def test_a_session_booked_for_later_today_is_noted_when_logged_as_held(store, pair):
    """Booked for this evening and logged as held this morning: said beside its Date (it was
    saved without a word)."""
    from zoneinfo import ZoneInfo

    # A zone where two hours from now is still today, whenever the test runs.
    zone = next(
        z
        for z in ("Europe/London", "Asia/Tokyo", "America/Los_Angeles", "Pacific/Auckland")
        if 1 <= dt.datetime.now(ZoneInfo(z)).hour < 20
    )
    now = dt.datetime.now(ZoneInfo(zone))
    later = (now + dt.timedelta(hours=2)).time().replace(second=0, microsecond=0)
    partnership = pair["partnership"]
    store.save(model.Agreement(partnership_id=partnership.id, time_zone=zone, time=later))
    tonight = store.save(model.Session(partnership_id=partnership.id, scheduled_on=now.date()))
    earlier = store.save(
        model.Session(partnership_id=partnership.id, scheduled_on=now.date() - dt.timedelta(7))
    )
    app = SessionLogApp(
        store, person_id=pair["alice"].id, partnership_id=partnership.id, today=now.date()
    )
    # It opens on the session gone by and not logged yet, not on this evening's.
    assert app.session.value == earlier.id
    app.session.value = tonight.id
    app.status.value = SessionStatus.HELD
    place = zone.rsplit("/", 1)[-1].replace("_", " ")
    assert (
        f"this session is booked for {later:%H:%M} today ({place} time), still to come: log it "
        "once it has happened (met earlier today instead? then save it as held now)"
    ) in html.unescape(app.held_on.message.value)
    # An unplanned session chosen names this evening's as the next booked (it named the one
    # booked after today).
    app.session.value = UNPLANNED
    assert (
        f"Met before the booked time? Your next session is booked for {later:%H:%M} today "
        f"({place} time): choose it above."
    ) in html.unescape(app.session.message.value)
    app.session.value = tonight.id
    app.session.value = earlier.id  # a session gone by: nothing to say
    app.status.value = SessionStatus.HELD
    assert app.held_on.message.value == ""
    # Nor of one held today outside the schedule, once saved (it has no booked time: the
    # agreed one made it "still to come").
    store.save(tonight.replace(status="cancelled"))
    app = SessionLogApp(
        store, person_id=pair["alice"].id, partnership_id=partnership.id, today=now.date()
    )
    app.session.value = UNPLANNED
    app.held_on.value = now.date()
    app.status.value = SessionStatus.HELD
    app.first_half.value = 30
    app.save_button.click()
    assert "Saved the held session" in app.result.value
    assert "still to come" not in app.held_on.message.value


def test_a_low_session_check_says_who_sees_the_flag(demo_pair):
    """A flag's note spoke of "your facilitator" to a pair in no cohort, which has none."""
    store, pair, _plan, (s1, _s2, _s3) = demo_pair
    for in_cohort in (True, False):
        if not in_cohort:
            store.save(pair.replace(cohort_id=None))
        app = open_log(store, pair, s1.scheduled_on)
        for field in app.check.values():
            field.value = 1
        note = app.check_total.value
        assert "This raises a flag" in note and "talk about it together" in note
        assert ("your facilitator sees only that a flag was raised" in note) is in_cohort


def test_a_later_session_chosen_names_earlier_ones_not_logged_yet(demo_pair):
    """A pair catching up opened on the latest session gone by, whose follow-ups listed
    nothing of what was committed to in the sessions before it, still to log: now said."""
    store, pair, _plan, (s1, s2, s3) = demo_pair
    app = open_log(store, pair, s3.scheduled_on)
    app.session.value = s3.id
    days = [dates.short_weekday(s.scheduled_on) for s in (s1, s2)]
    assert (
        f"2 earlier sessions not logged yet ({days[0]} and {days[1]}): log them first, held or "
        "missed, so that what was committed to there is followed up here."
    ) in html.unescape(app.session.message.value)
    app.session.value = s1.id
    assert app.session.message.value == ""
    log(store, pair, s1, reviews={}, new=["Call the bank"], level=0)
    app = open_log(store, pair, s3.scheduled_on)
    app.session.value = s3.id
    assert f"1 earlier session not logged yet ({days[1]}): log it first" in (
        html.unescape(app.session.message.value)
    )


def test_choosing_missed_says_what_of_the_form_goes(demo_pair):
    """Most of the form went out of sight on "Missed" without a word (a screen reader heard
    nothing of it)."""
    store, pair, _plan, (s1, _s2, _s3) = demo_pair
    app = open_log(store, pair, s1.scheduled_on)
    app.session.value = s1.id
    app.status.value = SessionStatus.MISSED
    assert (
        "a session missed is logged with its day and your notes alone: minutes, commitments, "
        "goal levels, feedback and the session check are for a session held"
    ) in app.status.message.value
    app.status.value = SessionStatus.RESCHEDULED
    assert "a session put off is logged with its day, its new date and your notes" in (
        app.status.message.value
    )
    app.status.value = SessionStatus.HELD
    assert app.status.message.value == ""
