"""The cohort view on a small hand-built cohort whose answers are known.

Its figures are computed in SQL, so these run on SQLite and again on PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re

import numpy as np
import pandas as pd
import pytest

from peercoach_lib import agreement, charts, cohort, dates, model, partnerships
from peercoach_lib.apps import forms
from peercoach_lib.apps.cohort_app import CohortDashboardApp
from peercoach_lib.model import CommitmentStatus as CS

pytestmark = pytest.mark.both_databases

D = dt.date
START, END = D(2026, 3, 1), D(2026, 3, 30)


def _pair(store, cohort_id, a, b, *, frequency="weekly", started=START, ended=None, agreed=True):
    pair = store.save(
        model.Partnership(
            cohort_id=cohort_id,
            person_a_id=a.id,
            person_b_id=b.id,
            started_on=started,
            ended_on=ended,
            end_reason="life change" if ended else None,
        )
    )
    if agreed:
        store.save(
            model.Agreement(partnership_id=pair.id, frequency=frequency, first_session_on=started)
        )
    return pair


def _session(store, pair, day, status="held", minutes=(45, 45), planned=True):
    a, b = pair.members
    held = status == "held"
    return store.save(
        model.Session(
            partnership_id=pair.id,
            planned=planned,
            scheduled_on=day,
            status=status,
            held_on=day if held else None,
            halves=[
                model.SessionHalf(coach_id=a, client_id=b, minutes=minutes[0]),
                model.SessionHalf(coach_id=b, client_id=a, minutes=minutes[1]),
            ]
            if held
            else [],
        )
    )


@pytest.fixture
def known(store):
    """Four pairs with known figures (see each comment)."""
    fay = store.save(model.Person(name="Fay", role="facilitator"))
    c = store.save(model.Cohort(name="Known", facilitator_id=fay.id, starts_on=START))
    people = [store.save(model.Person(name=f"P{k}", cohort_id=c.id)) for k in range(8)]
    # P1: weekly, four held sessions, even minutes, follow-through (1 + .5)/2, one good check.
    p1 = _pair(store, c.id, people[0], people[1])
    s1 = [_session(store, p1, D(2026, 3, d)) for d in (2, 9, 16, 23)]
    for status, reviewer in ((CS.DONE, s1[2]), (CS.PARTLY, s1[3])):
        store.save(
            model.Commitment(
                partnership_id=p1.id,
                person_id=people[0].id,
                text="x",
                made_in_session_id=s1[0].id,
                status=status,
                reviewed_in_session_id=reviewer.id,
            )
        )
    store.save(
        model.SessionCheck(
            session_id=s1[3].id, person_id=people[0].id, heard=9, focus=9, approach=9, overall=9
        )
    )
    plan = store.save(model.ChangePlan(person_id=people[0].id, change="Goal", created_on=START))
    for day, level in ((D(2026, 3, 2), -1), (D(2026, 3, 23), 1)):
        store.save(model.GasRating(plan_id=plan.id, rated_on=day, level=level))
    # P2: fortnightly; held once (10 of 55 minutes to one partner), then two missed; nothing
    # kept; a low check.
    p2 = _pair(store, c.id, people[2], people[3], frequency="every two weeks")
    held = _session(store, p2, D(2026, 3, 2), minutes=(45, 10))
    _session(store, p2, D(2026, 3, 16), "missed")
    _session(store, p2, D(2026, 3, 30), "missed")
    for _ in range(2):
        store.save(
            model.Commitment(
                partnership_id=p2.id,
                person_id=people[3].id,
                text="y",
                status=CS.NOT_DONE,
                reviewed_in_session_id=held.id,
            )
        )
    store.save(
        model.SessionCheck(
            session_id=held.id, person_id=people[3].id, heard=5, focus=5, approach=5, overall=5
        )
    )
    # P3: weekly, no sessions at all. P4: ended on 10 March after one session.
    p3 = _pair(store, c.id, people[4], people[5])
    p4 = _pair(store, c.id, people[6], people[7], ended=D(2026, 3, 10))
    _session(store, p4, D(2026, 3, 2))
    return c, {"p1": p1, "p2": p2, "p3": p3, "p4": p4}


def test_per_pair_figures(store, known):
    c, pairs = known
    view = cohort.load(store, c.id, start=START, end=END)
    by = view.pairs.set_index("pair")
    p1, p2, p3, p4 = (by.loc[pairs[k].id] for k in ("p1", "p2", "p3", "p4"))
    assert (p1.held, p1.planned, p1.days_since_last) == (4, 4, 7)
    assert (p1.follow_through, p1.minute_balance, p1.check_mean) == (0.75, 0.5, 36)
    # One goal, T 40 -> 60, but one partner's own: a pair's change is both partners'.
    assert np.isnan(p1.gas_change) and p1.gas_people == 1
    assert (p2.held, p2.planned, p2.missed, p2.last_two_missed) == (1, 3, 2, 2)
    assert p2.follow_through == 0.0 and p2.minute_balance == pytest.approx(10 / 55)
    assert (p3.held, p3.planned, p3.days_since_last) == (0, 0, 29)
    assert not p4.active and p4.held == 1


def test_the_minute_balance_is_the_ranges_and_the_last_four_held_days_and_low_sessions_count_once(
    store,
):
    """The pair's minute balance is of the sessions held in the range, beside its other
    figures (it was the last four sessions' alone: a pair that ended months before a range
    still showed one in its spread); the one-sided flag's is of the last four held by the end."""
    fay = store.save(model.Person(name="Fay", role="facilitator"))
    c = store.save(model.Cohort(name="Balance", facilitator_id=fay.id, starts_on=START))
    a, b = (store.save(model.Person(name=n, cohort_id=c.id)) for n in ("Ann", "Bo"))
    pair = _pair(store, c.id, a, b)

    def halves(to_b: int, to_a: int) -> list[model.SessionHalf]:
        return [
            model.SessionHalf(coach_id=a.id, client_id=b.id, minutes=to_b),
            model.SessionHalf(coach_id=b.id, client_id=a.id, minutes=to_a),
        ]

    # (planned for, held on, minutes to Bo, to Ann), saved out of order so that neither the
    # ids nor the planned days follow the held days. The last four held by the end are even;
    # the two before them, and one held after the end, are one-sided.
    sessions = {}
    for planned_for, held_on, to_b, to_a in (
        (D(2026, 3, 16), D(2026, 3, 16), 85, 5),
        (D(2026, 3, 2), D(2026, 3, 27), 45, 45),  # moved late: the latest held
        (D(2026, 4, 3), D(2026, 4, 3), 5, 85),  # after the end
        (D(2026, 3, 25), D(2026, 3, 25), 45, 45),
        (D(2026, 3, 4), D(2026, 3, 4), 85, 5),
        (D(2026, 3, 20), D(2026, 3, 20), 45, 45),
        (D(2026, 3, 18), D(2026, 3, 18), 45, 45),
    ):
        sessions[held_on] = store.save(
            model.Session(
                partnership_id=pair.id,
                planned=True,
                scheduled_on=planned_for,
                status="held",
                held_on=held_on,
                halves=halves(to_b, to_a),
            )
        )
    # Both checks low on the 25th, one of two on the 20th, none on the 18th.
    for day, (ann, bo) in {
        D(2026, 3, 25): (3, 4),
        D(2026, 3, 20): (9, 2),
        D(2026, 3, 18): (9, 9),
    }.items():
        for person, score in ((a, ann), (b, bo)):
            store.save(
                model.SessionCheck(
                    session_id=sessions[day].id,
                    person_id=person.id,
                    heard=score,
                    focus=score,
                    approach=score,
                    overall=score,
                )
            )
    row = cohort.load(store, c.id, start=START, end=END).pairs.iloc[0]
    assert (row.minutes_a_recent, row.minutes_b_recent, row.minute_balance_recent) == (
        180,
        180,
        0.5,
    )
    # The range holds the six held by the end: two of them one-sided, one each way.
    assert (row.minutes_a, row.minutes_b, row.minute_balance) == (190, 350, 190 / 540)
    assert (row.checks, row.flagged_checks) == (6, 3)
    assert (row.checked_sessions, row.low_check_sessions) == (3, 2)
    # A range from the 20th holds three of them; one ending before any holds none.
    late = cohort.load(store, c.id, start=D(2026, 3, 20), end=END).pairs.iloc[0]
    assert (late.minutes_a, late.minutes_b, late.minute_balance) == (135, 135, 0.5)
    early = cohort.load(store, c.id, start=START, end=D(2026, 3, 3)).pairs.iloc[0]
    assert np.isnan(early.minute_balance) and np.isnan(early.minute_balance_recent)
    # The one-sided flag reads the last four: from the 17th to the 20th the range's two
    # sessions are even, the last four held by the 20th are not (100 minutes of 360 to Ann).
    view = cohort.load(store, c.id, start=D(2026, 3, 17), end=D(2026, 3, 20))
    assert view.pairs.iloc[0].minute_balance == 0.5
    (flag,) = view.flags[view.flags["rule"] == model.FlagRule.ONE_SIDED.value].itertuples()
    assert "received 28% of the coaching minutes over the last four sessions" in flag.numbers


def test_each_flag_rule(store, known):
    c, pairs = known
    view = cohort.load(store, c.id, start=START, end=END)
    raised = {(int(f.pair), f.rule): f.numbers for f in view.flags.itertuples()}
    p1, p2, p3, p4 = (pairs[k].id for k in ("p1", "p2", "p3", "p4"))
    assert raised == {
        (p2, "lapsing"): "no held session for 28 days (agreed: every 14 days)",
        (p2, "low follow-through"): "follow-through 0% over the last four weeks",
        (p2, "one-sided"): "one partner received 18% of the coaching minutes over the last "
        "four sessions",
        (p2, "low session check"): (
            "1 session check below the line (a total under 36 of 40, or an answer under 6 of "
            "10) in the last four weeks"
        ),
        (p3, "lapsing"): "no held session for 29 days (agreed: every 7 days)",
    }
    assert all(a.startswith("Suggest a courageous conversation") for a in view.flags["action"])
    # Two missed in a row is enough on its own, even when the last held session is recent.
    later = cohort.load(store, c.id, start=START, end=D(2026, 3, 30))
    assert (p2, "lapsing") in {(int(f.pair), f.rule) for f in later.flags.itertuples()}
    del p1, p4


def test_headline_figures_and_suppression(store, known):
    c, _ = known
    view = cohort.load(store, c.id, start=START, end=END)
    assert view.headline() == {
        "Pairs active": "2 of 3",
        "Sessions held / planned": "6 / 8",
        # Pairs at 75% and 0%, but each is one person's commitments: two people in all.
        "Median follow-through": "too few to show",
        "Sessions with a low check": "too few to show",  # two people sent checks
        "Median GAS T-score change": "too few to show",  # one person has goals
        "Median LSI change": "none in this range (a change takes two ratings within it)",
    }


def test_the_low_check_share_is_of_sessions_and_needs_three_people(store, known):
    c, pairs = known
    p1 = pairs["p1"]
    s2, _, s4 = sorted(
        (x for x in store.find(model.Session, partnership_id=p1.id)), key=lambda x: x.scheduled_on
    )[1:]
    # A third person sends checks: a good one for session 2, and one for session 4, which
    # already has a good check from P0.
    for session in (s2, s4):
        store.save(
            model.SessionCheck(
                session_id=session.id,
                person_id=p1.person_b_id,
                heard=9,
                focus=9,
                approach=9,
                overall=9,
            )
        )
    view = cohort.load(store, c.id, start=START, end=END)
    assert view.checkers == 3
    # Sessions with a check: P1's 9 and 23 March, P2's 2 March (low): 1 of 3, not 1 of 4 forms.
    assert view.headline()["Sessions with a low check"] == "33%"


def test_held_sessions_are_counted_against_planned_ones_and_unplanned_ones_beside(store, known):
    c, pairs = known
    _session(store, pairs["p3"], D(2026, 3, 20), planned=False)
    _session(store, pairs["p1"], D(2026, 3, 25), planned=False)
    headline = cohort.load(store, c.id, start=START, end=END).headline()
    # Still 6 of the 8 planned; the two unplanned ones never make it read "8 / 8".
    assert headline["Sessions held / planned"] == "6 / 8 (+2 unplanned)"
    # A planned session counts where it was held, as the week grid and home count it: booked
    # for the day before the range and held in it, or booked for a day after the range and
    # held early, in it; booked in the range and held after it, not.
    late = _session(store, pairs["p3"], START - dt.timedelta(days=1))
    store.save(late.replace(held_on=START + dt.timedelta(days=1)))
    early = _session(store, pairs["p1"], END + dt.timedelta(days=3))
    store.save(early.replace(held_on=END))
    after = _session(store, pairs["p2"], END - dt.timedelta(days=1))
    store.save(after.replace(held_on=END + dt.timedelta(days=1)))
    headline = cohort.load(store, c.id, start=START, end=END).headline()
    assert headline["Sessions held / planned"] == "8 / 10 (+2 unplanned)"
    assert (
        cohort.load(store, c.id, start=END + dt.timedelta(days=1), end=END + dt.timedelta(days=7))
        .headline()["Sessions held / planned"]
        .startswith("1 / ")
    )
    # The pairs CSV counts them apart as the headline does: a pair that missed a planned session
    # and held an unplanned one does not read as all held.
    app = CohortDashboardApp(store, cohort_id=c.id, today=END)
    app.start.value = START
    table = _csv_tables(app)["pairs"].set_index("pair")
    columns = ["planned", "held_planned", "held_unplanned"]
    assert table[columns].sum().tolist() == [10, 8, 2]
    assert table.loc[pairs["p1"].id, "held_unplanned"] == 1


def test_a_session_booked_for_today_is_planned_once_logged_or_once_the_day_is_over(store, known):
    c, pairs = known
    today = END
    booked = _session(store, pairs["p1"], today, status="scheduled")
    view = cohort.load(store, c.id, start=START, end=today, today=today)
    assert view.headline()["Sessions held / planned"] == "6 / 8"  # as before it was booked
    # The next day, not logged: planned and not held.
    tomorrow = today + dt.timedelta(days=1)
    later = cohort.load(store, c.id, start=START, end=tomorrow, today=tomorrow)
    assert later.headline()["Sessions held / planned"] == "6 / 9"
    store.save(booked.replace(status="missed"))
    view = cohort.load(store, c.id, start=START, end=today, today=today)
    assert view.headline()["Sessions held / planned"] == "6 / 9"
    # The dashboard counts by its own today.
    store.save(booked.replace(status="scheduled"))
    app = CohortDashboardApp(store, cohort_id=c.id, today=today)
    app.start.value = START
    assert app.view.headline()["Sessions held / planned"] == "6 / 8"


def test_a_rescheduled_session_counts_once_planned_on_the_day_it_moved_to(store, known):
    c, pairs = known
    before = cohort.load(store, c.id, start=START, end=END).headline()
    assert before["Sessions held / planned"] == "6 / 8"
    moved = _session(store, pairs["p1"], D(2026, 3, 24), status="rescheduled")
    _session(store, pairs["p1"], D(2026, 3, 26))  # booked again and held
    figures = cohort.load(store, c.id, start=START, end=END)
    assert figures.headline()["Sessions held / planned"] == "7 / 9"
    row = figures.pairs.set_index("pair").loc[pairs["p1"].id]
    assert (row["held_planned"], row["planned"]) == (5, 5)
    assert moved.status is model.SessionStatus.RESCHEDULED


def test_a_pair_without_an_agreement_is_not_said_to_have_agreed_anything(store, known):
    c, _pairs = known
    a, b = (store.save(model.Person(name=n, cohort_id=c.id)) for n in ("Una", "Vic"))
    pair = _pair(store, c.id, a, b, agreed=False)
    view = cohort.load(store, c.id, start=START, end=END)
    (numbers,) = view.flags.loc[view.flags["pair"] == pair.id, "numbers"]
    assert numbers == "no held session for 29 days (no agreement yet: the usual every 14 days)"


def test_a_cohort_of_two_people_shows_no_averages(store):
    c = store.save(model.Cohort(name="Tiny", starts_on=START))
    a = store.save(model.Person(name="A", cohort_id=c.id))
    b = store.save(model.Person(name="B", cohort_id=c.id))
    pair = _pair(store, c.id, a, b)
    s = _session(store, pair, D(2026, 3, 2))
    store.save(
        model.Commitment(
            partnership_id=pair.id,
            person_id=a.id,
            text="z",
            status=CS.DONE,
            reviewed_in_session_id=s.id,
        )
    )
    store.save(
        model.SessionCheck(session_id=s.id, person_id=a.id, heard=2, focus=2, approach=2, overall=2)
    )
    headline = cohort.load(store, c.id, start=START, end=END).headline()
    assert headline["Median follow-through"] == cohort.TOO_FEW
    assert headline["Sessions with a low check"] == cohort.TOO_FEW
    assert headline["Sessions held / planned"] == "1 / 1"  # counts, not averages, are shown
    app = CohortDashboardApp(store, cohort_id=c.id, today=END)
    assert "too few to show" in app.headline.value
    assert "Pairs active: the running pairs that held a session in the range" in (
        app.headline.value
    )
    # A figure's reason is small print under it (in large, its tile took the page's width).
    assert headline["Median LSI change"] == cohort.NO_CHANGE
    assert (
        "font-weight:600'>none in this range</div><div style='font-size:13px;color:#444;"
        "max-width:260px'>(a change takes two ratings within it)</div>"
    ) in app.headline.value
    # Nor does the CSV give the withheld figures by pair.
    pairs_csv = _csv_tables(app)["pairs"]
    assert pairs_csv[["follow_through", "follow_through_recent"]].isna().all().all()
    assert "check_mean" not in pairs_csv.columns
    assert list(pairs_csv["held"]) == [1]  # counts stay


def test_session_check_answers_are_never_shown_pair_by_pair(store, known):
    c, pairs = known
    app = CohortDashboardApp(store, cohort_id=c.id, today=END)
    assert app.view.checkers == 2  # P1's partner and one of P2: fewer than three people
    assert not app._shown()["check_mean"]  # so the chart leaves the check totals out
    # Neither the chart's table nor the CSV gives a pair's average check, whoever sent them.
    assert "Average session-check total" not in app.spread_image.table.value
    assert "check_mean" not in _csv_tables(app)["pairs"].columns
    assert "Share of minutes" in app.spread_image.table.value  # the rest is there
    # In the units of the chart and the headline (79%, not 0.79).
    shown = app.spread_image.table.value
    assert "Share of minutes to the partner coached less (%)" in shown
    cells = re.findall(r"<td[^>]*>([\d.]+)</td>", shown)
    assert cells and all(c.isdigit() for c in cells)  # whole numbers, as written: 49, not 49.00
    assert max(float(c) for c in cells) > 1

    # With three people sending checks, the chart shows how the totals spread across pairs,
    # and still neither its table nor the CSV gives them pair by pair.
    (session, *_) = store.find(model.Session, partnership_id=pairs["p1"].id, status="held")
    store.save(
        model.SessionCheck(
            session_id=session.id, person_id=pairs["p1"].person_b_id,
            heard=9, focus=9, approach=9, overall=9,
        )
    )  # fmt: skip
    app = CohortDashboardApp(store, cohort_id=c.id, today=END)
    assert app.view.checkers == 3 and app._shown()["check_mean"]
    assert "Average session-check total" not in app.spread_image.table.value
    assert "check_mean" not in _csv_tables(app)["pairs"].columns


def test_two_partnerships_of_the_same_two_people_are_told_apart(store, known):
    c, _pairs = known
    a, b = (store.save(model.Person(name=n, cohort_id=c.id)) for n in ("Wes", "Xia"))
    _pair(store, c.id, a, b, started=D(2026, 1, 5), ended=D(2026, 2, 27))
    _pair(store, c.id, a, b, started=D(2026, 3, 2))
    app = CohortDashboardApp(store, cohort_id=c.id, today=END)
    assert sorted(n for n in app.names.values() if n.startswith("Wes")) == [
        "Wes & Xia (ended 27 Feb 2026)",
        "Wes & Xia (from 2 Mar 2026)",
    ]
    assert len(set(app.names.values())) == len(app.names)  # every pair by its own name
    # The CSV files name their range: another range the same day is another file.
    assert f"cohort-{c.id}-{app.view.start:%Y%m%d}-{END:%Y%m%d}-pairs.csv" in app.downloads.value


def test_the_pairs_csv_counts_days_from_a_held_session_only(store, known):
    """A pair that never met has no day of a last session: its days are left empty (they
    counted from its start, as if it had met then)."""
    c, pairs = known
    app = CohortDashboardApp(store, cohort_id=c.id, today=END)
    table = _csv_tables(app)["pairs"].set_index("pair")
    met, never = table.loc[pairs["p1"].id], table.loc[pairs["p3"].id]
    assert (met.last_held, met.days_since_last_held) == ("2026-03-23", 7)
    assert pd.isna(never.last_held) and pd.isna(never.days_since_last_held)
    assert app.view.pairs.set_index("pair").loc[pairs["p3"].id].days_since_last == 29  # page
    # Whole numbers as written, where an empty cell is beside them (7, not 7.0).
    written = _csv_text(app, "pairs").splitlines()
    days = written[0].split(",").index("days_since_last_held")
    assert {line.split(",")[days] for line in written[1:]} >= {"7", ""}
    assert not any(line.split(",")[days].endswith(".0") for line in written[1:])


def _csv_texts(app) -> dict[str, str]:
    import base64
    import re

    return {
        name: base64.b64decode(data).decode()
        for name, data in re.findall(
            r'download="cohort-\d+-\d{8}-\d{8}-(\w+)\.csv" href="data:text/csv;base64,([^"]+)"',
            app.downloads.value,
        )
    }


def _csv_text(app, name: str) -> str:
    return _csv_texts(app)[name]


def _csv_tables(app) -> dict[str, pd.DataFrame]:
    import io

    return {name: pd.read_csv(io.StringIO(text)) for name, text in _csv_texts(app).items()}


def test_marking_a_flag_followed_up(store, known):
    c, pairs = known
    app = CohortDashboardApp(store, cohort_id=c.id, today=END)
    first = app.flags_box.children[1]
    text, button = first.children
    # The pair's conversation page, for the facilitator to send them (theirs to fill in).
    assert re.search(
        r"<a href='[^']*courageous_conversation\.ipynb\?partnership=\d+&amp;prompted=[a-z-]+'"
        r"[^>]*>their conversation page<span class=\"peercoach-unseen\"> of [^<]+ &amp; [^<]+"
        r"</span></a>, to send them: it is theirs to fill in\)",
        text.value,
    )
    button.click()
    (follow_up,) = store.find(model.FlagFollowUp)
    assert follow_up.followed_up_on == END and follow_up.by == c.facilitator_id
    refreshed = app.flags_box.children[1]
    assert "Followed up on 30 Mar 2026" in refreshed.children[0].value
    # Marked today: a slip of the hand is taken back the same day.
    undo = refreshed.children[1]
    assert undo.description == "Undo the follow-up mark" and not undo.disabled
    assert "peercoach-refocus" in undo._dom_classes  # the focus goes to it (page script)
    undo.click()
    assert store.find(model.FlagFollowUp) == []
    again = app.flags_box.children[1].children[1]
    assert again.description == "Mark followed up" and not again.disabled
    again.click()
    # The next day it stands: marked, no longer to be taken back.
    later = CohortDashboardApp(store, cohort_id=c.id, today=END + dt.timedelta(days=1))
    shown = [row.children for row in later.flags_box.children[1:]]
    (marked,) = [b for t, b in shown if "Followed up on 30 Mar 2026" in t.value]
    assert marked.disabled and marked.description == "Mark followed up"
    del text, pairs


def test_a_follow_up_counts_for_four_weeks_up_to_the_end_of_the_range(store, known):
    c, _pairs = known
    app = CohortDashboardApp(store, cohort_id=c.id, today=END)
    app.flags_box.children[1].children[1].click()
    followed = cohort.load(store, c.id, end=END).flags["followed_up_on"].notna()
    assert followed.sum() == 1
    # Five weeks on, the same flag (if still raised) needs following up again.
    later = cohort.load(store, c.id, end=END + dt.timedelta(weeks=5)).flags
    assert later["followed_up_on"].isna().all()
    # And a follow-up made after the range does not reach back into it.
    earlier = cohort.load(store, c.id, end=END - dt.timedelta(days=1)).flags
    assert earlier["followed_up_on"].isna().all()


def test_a_two_person_cohort_describes_its_spread_without_averages(store):
    pairs = pd.DataFrame(
        {"pair": [1], **{c: [0.5] for c in ("follow_through", "minute_balance", "check_mean")}}
    ).assign(gas_change=[4.0], lsi_change=[None])
    titles = {"follow_through": "Follow-through", "lsi_change": "LSI change"}
    said = cohort.describe_spread(pairs, {"follow_through": False, "lsi_change": False}, titles)
    assert said == (
        f"How the 1 pair spread. Follow-through: {cohort.TOO_FEW}; LSI change: {cohort.NO_CHANGE}."
    )  # withheld where there are numbers of too few people; "no data" where there are none


def test_week_grid_states(store, known):
    _c, pairs = known
    grid = cohort.week_grid(store, [pairs["p2"].id, pairs["p3"].id], START, END)
    assert list(grid.loc[pairs["p2"].id].iloc[:5]) == [
        "none planned",
        "held",
        "none planned",
        "missed",
        "none planned",
    ]
    assert set(grid.loc[pairs["p3"].id]) == {"none planned"}


def test_weeks_before_a_pair_began_or_after_it_ended_are_not_paired(store, known):
    """A range reaching back before a pair was made showed it planning nothing for weeks."""
    c, pairs = known
    a, b = (store.save(model.Person(name=n, cohort_id=c.id)) for n in ("Wes", "Xia"))
    late = _pair(store, c.id, a, b, started=D(2026, 3, 18))  # a Wednesday
    grid = cohort.week_grid(store, [late.id, pairs["p4"].id], START, END)
    assert list(grid.loc[late.id]) == ["not paired"] * 3 + ["none planned"] * 3
    # p4 ended on 10 March, a Tuesday: its week is its own, the weeks after are not.
    ended = grid.loc[pairs["p4"].id]
    assert ended[pd.Timestamp(2026, 3, 9)] != "not paired"
    assert list(ended[pd.Timestamp(2026, 3, 16) :]) == ["not paired"] * 3
    assert "not paired" not in cohort.describe_grid(grid, ["Wes & Xia", "P6 & P7"])


def test_a_booked_day_gone_by_that_nobody_logged_is_not_shown_as_to_come(store, known):
    _c, pairs = known
    p3 = pairs["p3"]
    store.save(model.Session(partnership_id=p3.id, scheduled_on=D(2026, 3, 10)))
    store.save(model.Session(partnership_id=p3.id, scheduled_on=D(2026, 3, 24)))
    grid = cohort.week_grid(store, [p3.id], START, END, today=D(2026, 3, 20))
    row = grid.loc[p3.id]
    assert row[pd.Timestamp(2026, 3, 9)] == "not logged"  # 10 March: gone by, never logged
    assert row[pd.Timestamp(2026, 3, 23)] == "booked"  # 24 March: still to come
    said = cohort.describe_grid(grid, ["P4 & P5"])
    assert "not logged in 1" in said and "booked in 1" in said


def test_the_last_week_shows_a_session_booked_for_later_that_week(store, known):
    """The range ends on a Tuesday; a pair meets on the Thursday: its week reads "booked", as
    it stood on the end, not "none planned". An unplanned session logged after the end is not
    in the range at all."""
    _c, pairs = known
    p3 = pairs["p3"]
    end = D(2026, 3, 24)  # a Tuesday
    store.save(model.Session(partnership_id=p3.id, scheduled_on=D(2026, 3, 26)))
    store.save(model.Session(partnership_id=p3.id, scheduled_on=D(2026, 3, 30)))  # next week
    for today in (end, D(2026, 4, 10)):  # the range ending today, and a range gone by
        row = cohort.week_grid(store, [p3.id], START, end, today=today).loc[p3.id]
        assert row.index[-1] == pd.Timestamp(2026, 3, 23)
        assert row[pd.Timestamp(2026, 3, 23)] == "booked"
    p2 = pairs["p2"]
    store.save(
        model.Session(partnership_id=p2.id, planned=False, status="held", held_on=D(2026, 3, 25))
    )
    row = cohort.week_grid(store, [p2.id], START, end, today=end).loc[p2.id]
    assert row[pd.Timestamp(2026, 3, 23)] == "none planned"


def test_the_dashboard_app_offers_the_tables(store, known):
    c, _ = known
    app = CohortDashboardApp(store, cohort_id=c.id, today=END)
    assert "pairs.csv" in app.downloads.value and "flags.csv" in app.downloads.value
    assert app.grid_image.png.startswith(b"\x89PNG")
    # Each chart says what it shows, from the data, and has its table one click away.
    assert app.grid_image.alt.startswith(f"Sessions of {len(app.view.pairs)} pairs over ")
    assert " held" in app.grid_image.alt and "<table" in app.grid_image.table.value
    assert app.spread_image.alt.startswith(f"How the {len(app.view.pairs)} pairs spread.")
    assert "Share of minutes to the partner coached less: median 50%" in app.spread_image.alt
    assert "Follow-through: too few to show" in app.spread_image.alt  # two people's
    assert "<table" in app.spread_image.table.value
    app.end.value = D(2026, 3, 20)
    app.start.value = D(2026, 3, 25)  # after the end: explained, nothing breaks
    assert "must be on or after the start (25 Mar 2026)" in app.end.message.value


def test_the_dashboard_reads_and_draws_the_cohort_once_on_opening(store, known, monkeypatch):
    c, _ = known
    loads = []
    real_load = cohort.load
    monkeypatch.setattr(cohort, "load", lambda *a, **k: loads.append(a) or real_load(*a, **k))
    app = CohortDashboardApp(store, cohort_id=c.id, today=END)
    assert len(loads) == 1
    app.end.value = END - dt.timedelta(days=7)  # a new range: read again, once
    assert len(loads) == 2


def test_gas_and_lsi_change_from_the_first_and_latest_in_the_range(store):
    fay = store.save(model.Person(name="Fay", role="facilitator"))
    c = store.save(model.Cohort(name="Changes", facilitator_id=fay.id, starts_on=START))
    ann, bo = (store.save(model.Person(name=n, cohort_id=c.id)) for n in ("Ann", "Bo"))
    pair = _pair(store, c.id, ann, bo)

    def lsi(person, day, satisfaction):
        areas = [{"area": f"Area {k}", "satisfaction": satisfaction} for k in range(8)]
        store.save(model.LsiAssessment(person_id=person.id, taken_on=day, areas=areas))

    # Ann: 10 taken last before the pair began (before the range too, which holds the pair's
    # beginning: its starting point), 70 on the last day in range; what lies after the range is
    # not read.
    for day, satisfaction in (
        (D(2026, 2, 20), 1),
        (D(2026, 3, 2), 4),
        (D(2026, 3, 10), 9),
        (D(2026, 3, 20), 7),
        (D(2026, 4, 5), 10),
    ):
        lsi(ann, day, satisfaction)
    # Bo, in both ranges below: 20 and 20, and a goal rated 0 twice: no change (a pair's change
    # is both partners', so he must have one).
    lsi(bo, D(2026, 3, 7), 2)
    lsi(bo, D(2026, 3, 28), 2)
    bos = store.save(model.ChangePlan(person_id=bo.id, change="Goal", created_on=START))
    for day in (D(2026, 3, 7), D(2026, 3, 28)):
        store.save(model.GasRating(plan_id=bos.id, rated_on=day, level=0))
    plan = store.save(model.ChangePlan(person_id=ann.id, change="Goal", created_on=START))
    # Two ratings on the first and on the last day: the one saved first, and the one saved last.
    for day, level in (
        (D(2026, 2, 20), 2),
        (D(2026, 3, 2), -1),
        (D(2026, 3, 2), 0),
        (D(2026, 3, 25), 0),
        (D(2026, 3, 25), 1),
        (D(2026, 4, 2), 2),
    ):
        store.save(model.GasRating(plan_id=plan.id, rated_on=day, level=level))

    (row,) = cohort.load(store, c.id, start=START, end=END).pairs.itertuples()
    assert row.pair == pair.id
    assert row.lsi_change == pytest.approx(30.0)  # Ann 10 -> 70, Bo 20 -> 20
    assert row.gas_change == pytest.approx(10.0)  # Ann's goal -1 -> 1 (T 40 -> 60), Bo's 0
    later = cohort.load(store, c.id, start=D(2026, 3, 6), end=D(2026, 4, 30)).pairs
    assert later.loc[0, "lsi_change"] == pytest.approx(5.0)  # Ann 90 -> 100, Bo 20 -> 20
    assert later.loc[0, "gas_change"] == pytest.approx(10.0)  # Ann 0 -> 2 (T 50 -> 70), Bo 0


def test_lsi_change_counts_from_the_assessment_taken_last_before_the_pair_began(store):
    """People take the index before their first session: the dashboard's change starts from
    it, as My progress does (it started from the first taken during the pair, 58 -> 67 where
    the person saw 58 -> 74, or too few where there was one since). Only one before the pair
    counts, and only in a range that holds the pair's beginning (as the dashboard's range
    does by default, from the first pair's start: it said "none in this range")."""
    fay = store.save(model.Person(name="Fay", role="facilitator"))
    c = store.save(model.Cohort(name="Baselines", facilitator_id=fay.id, starts_on=START))
    ann, bo = (store.save(model.Person(name=n, cohort_id=c.id)) for n in ("Ann", "Bo"))
    _pair(store, c.id, ann, bo, started=D(2026, 3, 9))

    def lsi(person, day, satisfaction):
        areas = [{"area": f"Area {k}", "satisfaction": satisfaction} for k in range(8)]
        store.save(model.LsiAssessment(person_id=person.id, taken_on=day, areas=areas))

    lsi(ann, D(2026, 2, 25), 1)  # before the range
    lsi(ann, D(2026, 3, 2), 3)  # before the pair, not the last before it
    lsi(ann, D(2026, 3, 6), 4)  # the last before the pair began: Ann's start
    lsi(ann, D(2026, 3, 27), 7)
    lsi(bo, D(2026, 3, 5), 5)
    lsi(bo, D(2026, 3, 20), 6)
    (row,) = cohort.load(store, c.id, start=START, end=END).pairs.itertuples()
    assert row.lsi_change == pytest.approx(20.0)  # Ann 40 -> 70, Bo 50 -> 60
    assert row.lsi_people == 2
    from_the_pair = cohort.load(store, c.id, start=D(2026, 3, 9), end=END).pairs
    assert from_the_pair.loc[0, "lsi_change"] == pytest.approx(20.0)  # the same starts
    narrow = cohort.load(store, c.id, start=D(2026, 3, 10), end=END).pairs
    assert pd.isna(narrow.loc[0, "lsi_change"])  # after it began: one assessment each in it


def test_the_flags_stand_on_the_end_of_the_range_whatever_its_start(store, known):
    c, _ = known
    whole = cohort.load(store, c.id, start=START, end=END)
    for start in (END - dt.timedelta(days=2), END - dt.timedelta(days=10), END):
        narrow = cohort.load(store, c.id, start=start, end=END)
        assert narrow.flags[["pair", "rule", "numbers"]].equals(
            whole.flags[["pair", "rule", "numbers"]]
        ), start


def test_a_pair_that_starts_after_the_range_is_not_in_it(store, known):
    c, pairs = known
    late = _pair(
        store,
        c.id,
        store.get(model.Person, pairs["p1"].person_a_id),
        store.get(model.Person, pairs["p3"].person_a_id),
        started=END + dt.timedelta(days=5),
    )
    view = cohort.load(store, c.id, start=START, end=END)
    assert late.id not in set(view.pairs["pair"])
    assert view.headline()["Pairs active"] == "2 of 3"
    before_any = cohort.load(store, c.id, start=D(2026, 1, 1), end=D(2026, 2, 1))
    assert before_any.pairs.empty and before_any.headline()["Pairs active"] == "0 of 0"
    app = CohortDashboardApp(store, cohort_id=c.id, today=END)
    # Named, so that a pair paired for a day to come is seen somewhere before it starts.
    assert "Starting after this range, so in none of its figures:" in app.grid_note.value
    assert f"(from {dates.long(late.started_on)})" in app.grid_note.value
    app.start.value, app.end.value = D(2026, 1, 1), D(2026, 2, 1)
    first = min(p.started_on for p in pairs.values())
    assert (
        "No pair of this cohort had started by 1 February 2026: choose a range ending on "
        f"{dates.long(first)} or later." in app.grid_note.value
    )


def test_a_cohort_whose_pairs_all_start_after_today_says_so_not_to_choose_a_later_range(store):
    c = store.save(model.Cohort(name="Spring"))
    a, b = (store.save(model.Person(name=n, cohort_id=c.id)) for n in ("Ann", "Bo"))
    start = END + dt.timedelta(days=5)
    partnerships.pair(store, a.id, b.id, on=start)
    app = CohortDashboardApp(store, cohort_id=c.id, today=END)
    said = app.grid_note.value
    assert "No pair of this cohort has started yet." in said
    assert f"Ann &amp; Bo (from {dates.long(start)})" in said
    assert "later range" not in said
    # Nor does it say every pair is within the rules, with no pair to look at.
    (flags,) = app.flags_box.children
    assert "No flags: there is no pair in this range to look at." in flags.value


def test_a_cohort_nobody_is_paired_in_yet_shows_how_to_begin(store):
    """Its range, empty charts and "none in this range" gave no next step; the pairing form
    was at the foot of the page, unannounced."""
    c = store.save(model.Cohort(name="Spring"))
    a, b = (store.save(model.Person(name=n, cohort_id=c.id)) for n in ("Ann", "Bo"))
    app = CohortDashboardApp(store, cohort_id=c.id, today=END)
    assert app.figures.layout.display == "none"
    assert "No pairs in this cohort yet." in app.first_pairs.value
    assert "Pair its people under" in app.first_pairs.value
    assert app.pairing.layout.display != "none"
    app.pair_person.value, app.pair_partner.value = a.id, b.id
    app.pair_start.value = END
    app.pair_button.click()
    assert "are partners from" in app.pair_result.value
    assert app.figures.layout.display == "flex" and app.first_pairs.value == ""
    assert "Ann &amp; Bo" in app.grid_image.table.value
    # The form is emptied for the next pair; a second click (a double click) pairs nobody and
    # leaves what was said of the pair made ("these two are partners already" replaced it).
    assert (app.pair_person.value, app.pair_partner.value) == (None, None)
    assert app.pair_start.value == END
    said = app.pair_result.value
    app.pair_button.click()
    assert app.pair_result.value == said
    assert len(store.find(model.Partnership)) == 1
    assert not any(f.kind for f in (app.pair_person, app.pair_partner))
    # Once a choice is made again, the button pairs (or says why not) again.
    app.pair_person.value = a.id
    app.pair_button.click()
    assert "Nobody was paired" in app.pair_result.value


def test_a_cohort_nobody_is_enrolled_in_says_to_enrol_its_people_first(store):
    """It said to pair its people under "New pairs", whose lists were empty."""
    c = store.save(model.Cohort(name="Empty"))
    app = CohortDashboardApp(store, cohort_id=c.id, today=END)
    said = app.first_pairs.value
    assert "Nobody is enrolled in it yet either" in said and "peercoach enrol" in said
    assert app.pair_person.control.options == (("Choose a person\u2026", None),)


def test_a_pair_back_dated_before_the_range_it_opened_on_widens_it(store):
    """A cohort enrolled today, its first pair back-dated four weeks: the range stayed on today
    alone, one week in the grid, until a reload. A range the facilitator chose stays."""
    c = store.save(model.Cohort(name="Winter", starts_on=END))
    ann, bo, cy, di = (
        store.save(model.Person(name=n, cohort_id=c.id)) for n in ("Ann", "Bo", "Cy", "Di")
    )
    app = CohortDashboardApp(store, cohort_id=c.id, today=END)
    assert (app.start.value, app.end.value) == (END, END)
    back = END - dt.timedelta(weeks=4)
    app.pair_person.value, app.pair_partner.value = ann.id, bo.id
    app.pair_start.value = back
    app.pair_button.click()
    assert "are partners from" in app.pair_result.value
    assert (app.start.value, app.end.value) == (back, END)
    app.start.value = END - dt.timedelta(days=7)  # chosen: left as it is
    app.pair_person.value, app.pair_partner.value = cy.id, di.id
    app.pair_start.value = END - dt.timedelta(weeks=8)
    app.pair_button.click()
    assert "are partners from" in app.pair_result.value
    assert app.start.value == END - dt.timedelta(days=7)


def test_a_spread_with_every_measure_too_few_offers_no_table_of_names_alone(store):
    """One pair: each measure is too few to show, and "Show the numbers" opened a table of the
    pair's name and nothing else."""
    c = store.save(model.Cohort(name="Winter", starts_on=START))
    ann, bo = (store.save(model.Person(name=n, cohort_id=c.id)) for n in ("Ann", "Bo"))
    pair = _pair(store, c.id, ann, bo)
    for day in (D(2026, 3, 2), D(2026, 3, 9)):
        _session(store, pair, day, minutes=(45, 30))
    app = CohortDashboardApp(store, cohort_id=c.id, today=END)
    app.spread_image.draw()
    assert "too few to show" in app.spread_image.alt
    assert app.spread_image.table.value == ""
    assert app.spread_image.toggle.layout.display == "none"


def test_a_person_paired_twice_counts_in_each_pair_for_its_own_days(store, known):
    c, pairs = known
    p1 = pairs["p1"]
    first = store.get(model.Person, p1.person_a_id)  # P0: a goal rated -1 on 2 March, +1 on 23
    other = store.get(model.Person, pairs["p3"].person_a_id)
    again = _pair(store, c.id, first, other, started=D(2026, 3, 24))
    # Their partners rate a goal 0 twice (no change), in P1's days and in the new pair's.
    _rate(store, p1.person_b_id, (D(2026, 3, 3), 0), (D(2026, 3, 10), 0))
    _rate(store, other.id, (D(2026, 3, 25), 0), (D(2026, 3, 28), 0))
    view = cohort.load(store, c.id, start=START, end=END).pairs.set_index("pair")
    assert view.loc[p1.id, "gas_change"] == pytest.approx(10.0)  # P0 +20, partner 0
    assert np.isnan(view.loc[again.id, "gas_change"])  # P0: no rating since 24 March
    plan = store.find(model.ChangePlan, person_id=first.id)[0]
    store.save(model.GasRating(plan_id=plan.id, rated_on=D(2026, 3, 27), level=2))
    view = cohort.load(store, c.id, start=START, end=END).pairs.set_index("pair")
    # Both pairs ran on 27 March: in P1, P0 goes from -1 to +2 (T 40 -> 70); in the new pair
    # P0 has one rating in its days, a level and not a change, so the pair has none yet.
    assert view.loc[p1.id, "gas_change"] == pytest.approx(15.0)
    assert np.isnan(view.loc[again.id, "gas_change"])


def test_an_impossible_range_hides_the_figures_instead_of_leaving_old_ones(store, known):
    c, _ = known
    app = CohortDashboardApp(store, cohort_id=c.id, today=END)
    assert app.results.layout.display == "flex"
    app.end.value = END + dt.timedelta(days=1)
    assert (
        f"cannot be after today ({dates.short(END)}): the figures and flags show the cohort as it "
        "stood on the end date"
    ) in app.end.message.value
    assert app.results.layout.display == "none"
    app.end.value = START - dt.timedelta(days=1)
    assert "must be on or after the start (1 Mar 2026)" in app.end.message.value
    assert app.results.layout.display == "none"
    app.end.value = END
    assert app.end.message.value == "" and app.results.layout.display == "flex"
    app.start.value = dt.date(1, 1, 2)  # a year mistyped: it ran the dates past the calendar
    assert "must be between 2000 and 2100" in app.start.message.value
    assert app.results.layout.display == "none"
    # Both ends wrong: each said beside its own box, and each goes as it is mended, not
    # before (the end's went while the start's was said, the start stayed said once cleared).
    app.end.value = END + dt.timedelta(days=40)
    assert "must be between 2000 and 2100" in app.start.message.value
    assert "cannot be after today" in app.end.message.value
    app.start.value = None
    assert "choose the day the range starts" in app.start.message.value
    assert "cannot be after today" in app.end.message.value
    app.start.value = START
    assert app.start.message.value == "" and "cannot be after today" in app.end.message.value
    assert app.results.layout.display == "none"
    app.end.value = END
    assert app.end.message.value == "" and app.results.layout.display == "flex"
    # A start after today is said of the start (it was "must be on or after the start" under
    # the end).
    app.start.value = END + dt.timedelta(days=2)
    assert f"cannot be after today ({dates.short(END)})" in app.start.message.value
    assert app.end.message.value == ""
    app.start.value = START
    assert app.start.message.value == "" and app.results.layout.display == "flex"


def test_the_range_in_the_address_is_shown_again_and_followed(store, known, monkeypatch):
    """A reload (or a link) shows the range chosen, not the cohort's default again."""
    from peercoach_lib.apps.cohort_app import build_cohort_app

    c, _ = known
    other = store.save(model.Cohort(name="Other", facilitator_id=c.facilitator_id))
    later = START + dt.timedelta(days=14)
    monkeypatch.setenv("QUERY_STRING", f"cohort={c.id}&from={later.isoformat()}&to=2026-03-20")
    app = build_cohort_app(store, today=END)
    assert (app.start.value, app.end.value) == (later, D(2026, 3, 20))
    assert app.view.start == later and app.view.end == D(2026, 3, 20)
    place = next(w for w in app.children if isinstance(w, forms.Place))
    assert f'data-cohort="{c.id}" data-from="{later}" data-to="2026-03-20"' in place.value
    app.start.value = START + dt.timedelta(days=1)  # the page's address follows
    assert f'data-from="{START + dt.timedelta(days=1)}"' in place.value
    # The range the cohort opens on is left out of the address: a range ending today, kept as
    # a day, would end on that day when the page is opened again later.
    app.start.value, app.end.value = START, END
    assert 'data-from="" data-to=""' in place.value
    # Another cohort opens on its own range, not on the one the page was opened with.
    app.chooser.value = other.id
    assert app.end.value == END
    app.chooser.value = c.id
    assert (app.start.value, app.end.value) == (START, END)
    # One end alone, or a day that is no day: the other end as the cohort opens.
    monkeypatch.setenv("QUERY_STRING", f"cohort={c.id}&from=2026-02-31&to=2026-03-20")
    app = build_cohort_app(store, today=END)
    assert (app.start.value, app.end.value) == (START, D(2026, 3, 20))
    # A range that cannot be is shown as asked, and said beside its box, as if typed.
    monkeypatch.setenv("QUERY_STRING", f"cohort={c.id}&to={END + dt.timedelta(days=3)}")
    app = build_cohort_app(store, today=END)
    assert "cannot be after today" in app.end.message.value
    assert app.results.layout.display == "none"


def test_flags_of_a_past_range_are_shown_but_not_marked(store, known):
    c, _ = known
    app = CohortDashboardApp(store, cohort_id=c.id, today=END)
    app.end.value = END - dt.timedelta(days=1)
    rows = app.flags_box.children
    assert "flags as they stood on 29 March 2026" in rows[0].value
    text, button = rows[1].children
    assert button.disabled
    button.click()  # even if a browser sends the click
    assert store.find(model.FlagFollowUp) == []
    del text


def test_ended_pairs_come_last_in_the_grid_and_say_so(store, known):
    c, pairs = known
    app = CohortDashboardApp(store, cohort_id=c.id, today=END)
    assert list(app.view.pairs["pair"])[-1] == pairs["p4"].id
    assert "(ended)" in app.grid_image.table.value
    assert "First row (longest since a held session)" in app.grid_image.alt
    app.sort.value = "name"
    assert "First row (by name)" in app.grid_image.alt


def test_the_csv_tables_are_rounded_and_name_the_pair_first(store, known):
    c, pairs = known
    app = CohortDashboardApp(store, cohort_id=c.id, today=END)
    tables = _csv_tables(app)
    assert set(tables) == {"pairs", "flags"}
    for table in tables.values():
        assert list(table.columns[:2]) == ["pair", "pair_name"]
    p2 = tables["pairs"].set_index("pair").loc[pairs["p2"].id]
    assert p2["minute_balance"] == 0.182  # 10 of 55, to three decimals
    assert (p2["checked_sessions"], p2["low_check_sessions"]) == (1, 1)


def test_grid_rows_say_what_their_days_count():
    assert cohort.since_label(12, pd.Timestamp("2026-11-01"), True) == "12 d"
    assert cohort.since_label(23, pd.NaT, True) == "no session yet, paired 23 d ago"
    assert cohort.since_label(0, pd.NaT, True) == "no session yet, paired today"
    assert cohort.since_label(0, pd.Timestamp("2026-11-01"), True) == "0 d"
    assert cohort.since_label(40, pd.Timestamp("2026-10-01"), False) == "ended"
    # Long names are cut short, each on its own.
    assert cohort.shortened("Ann", 18) == "Ann"
    assert cohort.shortened("Maximiliane Alexandrina", 18) == "Maximiliane Alexa…"
    grid = pd.DataFrame([["held", "held"], ["missed", "none"]])
    said = cohort.describe_grid(grid, ["A & B (3 d)", "C & D (no session yet, paired 9 d ago)"])
    assert "of the pairs' weeks, held in 2, missed in 1." in said


@pytest.mark.parametrize("frequency", list(model.Frequency))
def test_a_pair_is_judged_lapsing_by_the_interval_its_schedule_books(frequency):
    """ "Every four weeks" books a session every 28 days: the lapse rule counts 28, not 30."""
    first = dt.date(2026, 9, 3)
    booked = agreement.schedule_dates(first, frequency, count=3)
    (interval,) = {(b - a).days for a, b in itertools.pairwise(booked)}
    assert cohort.INTERVAL_DAYS[frequency.value] == frequency.interval_days == interval


def test_long_names_are_cut_short_on_the_grid_and_whole_in_its_words_and_table(
    store, known, monkeypatch
):
    """The chart cuts long names (they would squeeze the grid); its alt text and table, which
    a screen reader reads instead, cut them too, so its reader never heard them whole."""
    from peercoach_lib import charts

    c, pairs = known
    long = "Maximiliane Alexandrina von Hohenzollern"
    for q in pairs.values():  # every pair: whichever waited longest comes first
        store.save(store.get(model.Person, q.person_a_id).replace(name=long))
    drawn = []
    heatmap = charts.week_heatmap
    monkeypatch.setattr(
        charts, "week_heatmap", lambda grid, labels: drawn.append(labels) or heatmap(grid, labels)
    )
    app = CohortDashboardApp(store, cohort_id=c.id, today=END)
    partners = [store.get(model.Person, pairs[p].person_b_id).name for p in ("p1", "p2")]
    cut = cohort.shortened(long, cohort.GRID_NAME_CHARS)
    (labels,) = drawn
    # On the chart: cut, both partners named (the rows differ).
    assert all(any(label.startswith(f"{cut} & {b} (") for label in labels) for b in partners)
    assert not any(long in label for label in labels)
    # In its words and its table: whole.
    table = app.grid_image.table.value
    assert all(f"{long} &amp; {b} (" in table for b in partners)
    first = app.grid_image.alt.split("First row (longest since a held session): ")[1]
    assert labels[0].startswith(cut)  # a pair of a long name waited longest
    assert first.startswith(labels[0].replace(cut, long).split(" (")[0])
    assert long in str(app.names.values())


def test_the_spread_sentence_and_the_headline_round_a_median_alike():
    pairs = pd.DataFrame({"follow_through": [0.5, 0.75], "minute_balance": [0.5, 0.5]})
    shown = {"follow_through": True, "minute_balance": True}
    said = cohort.describe_spread(pairs, shown, {"follow_through": "Follow-through"})
    assert "Follow-through: median 63%." in said


@pytest.mark.parametrize(
    "changes, said", [([11.0, 11.5], "+11.3"), ([1.6, 1.6, 1.6], "+1.6"), ([-0.04, 0.04], "0.0")]
)
def test_a_change_s_median_reads_alike_in_the_headline_the_chart_and_its_words(changes, said):
    """The headline said "+1.6" beside a chart's "median 2", "+11.2" for a median of 11.25,
    and "+0.0" for no change."""
    pairs = pd.DataFrame(
        {
            "pair": range(len(changes)),
            "active": True,
            "held": 1,
            **dict.fromkeys(("follow_through", "minute_balance", "check_mean"), float("nan")),
            "gas_change": changes,
            "lsi_change": changes,
            "checked_sessions": 0,
            "low_check_sessions": 0,
            "planned": 1,
            "held_planned": 1,
            "held_unplanned": 0,
        }
    )
    headline = cohort.headline(pairs, people=6)
    assert headline["Median GAS T-score change"] == headline["Median LSI change"] == said
    shown = dict.fromkeys(cohort.SPREAD, True)
    words = cohort.describe_spread(pairs, shown, {"gas_change": "GAS T-score change"})
    assert f"GAS T-score change: median {said}." in words
    panel = charts.distributions(pairs, shown).axes[3]
    assert [t.get_text() for t in panel.texts] == [f"median {said}"]


def test_a_measure_is_made_of_the_people_who_rated_not_two_per_pair(store, known):
    c, pairs = known
    view = cohort.load(store, c.id, start=START, end=END)
    # P1's first partner alone rated goals: a pair's change is both partners', so none is shown.
    assert view.contributors == {"follow_through": 2, "gas_change": 0, "lsi_change": 0}
    assert view.pairs["gas_change"].isna().all()
    assert view.headline()["Median GAS T-score change"] == cohort.TOO_FEW  # someone rated
    assert view.headline()["Median LSI change"] == cohort.NO_CHANGE  # nobody did

    # A third person's commitment (P1's second partner) makes follow-through a median of three.
    (s1, *_) = store.find(model.Session, partnership_id=pairs["p1"].id, status="held")
    store.save(
        model.Commitment(
            partnership_id=pairs["p1"].id,
            person_id=pairs["p1"].person_b_id,
            text="w",
            status=CS.DONE,
            reviewed_in_session_id=s1.id,
        )
    )
    view = cohort.load(store, c.id, start=START, end=END)
    assert view.contributors["follow_through"] == 3
    assert view.headline()["Median follow-through"] == "42%"  # pairs at 5/6 and 0
    app = CohortDashboardApp(store, cohort_id=c.id, today=END)
    assert not app._shown()["gas_change"] and app._shown()["follow_through"]
    assert "GAS T-score change" not in app.spread_image.table.value
    assert "GAS T-score change: too few to show" in app.spread_image.alt


def _rate(store, person_id: int, *levels: tuple[dt.date, int]) -> None:
    plan = store.save(model.ChangePlan(person_id=person_id, change="Goal", created_on=START))
    for day, level in levels:
        store.save(model.GasRating(plan_id=plan.id, rated_on=day, level=level))


def test_a_pairs_gas_change_is_both_partners_never_one_partners_own(store, known):
    c, pairs = known
    p1, p3 = pairs["p1"], pairs["p3"]
    # P1's second partner rated once: a level, not a change; P1 still has one partner's change.
    _rate(store, p1.person_b_id, (D(2026, 3, 10), -1))
    # Both partners of P3 rated twice: the pair's change, +10 each.
    for person in p3.members:
        _rate(store, person, (D(2026, 3, 3), -1), (D(2026, 3, 24), 0))
    view = cohort.load(store, c.id, start=START, end=END)
    by_pair = view.pairs.set_index("pair")["gas_change"]
    assert by_pair[p3.id] == pytest.approx(10.0)
    assert np.isnan(by_pair[p1.id])  # one partner's own +20: neither shown nor in the median
    assert view.contributors["gas_change"] == 2
    assert view.headline()["Median GAS T-score change"] == cohort.TOO_FEW  # two people

    # P1's second partner rates again: P1's change is the pair's (+20 and +10), and four
    # people make the median.
    _rate(store, p1.person_b_id, (D(2026, 3, 11), -1), (D(2026, 3, 25), 0))
    view = cohort.load(store, c.id, start=START, end=END)
    by_pair = view.pairs.set_index("pair")["gas_change"]
    assert view.contributors["gas_change"] == 4
    assert not np.isnan(by_pair[p1.id])
    app = CohortDashboardApp(store, cohort_id=c.id, today=END)
    assert app._shown()["gas_change"]
    csv = _csv_tables(app)["pairs"].set_index("pair")["gas_change"]
    assert csv[p3.id] == pytest.approx(10.0) and not np.isnan(csv[p1.id])


def test_the_range_starts_with_the_first_pair_when_the_cohort_was_enrolled_later(store, known):
    c, _pairs = known
    early = D(2026, 1, 12)
    a, b = (store.save(model.Person(name=n, cohort_id=c.id)) for n in ("Early A", "Early B"))
    pair = _pair(store, c.id, a, b, started=early)
    for day in (D(2026, 1, 13), D(2026, 2, 10)):
        _session(store, pair, day)
    assert cohort.default_start(store, c, otherwise=END) == early
    app = CohortDashboardApp(store, cohort_id=c.id, today=END)
    assert app.start.value == early
    assert app.view.pairs.set_index("pair").loc[pair.id, "held"] == 2
    assert cohort.load(store, c.id, end=END).start == early


def test_a_follow_up_prepared_for_todays_session_counts_once_it_is_logged(store, known):
    """Followed up in the preparation for this evening's session: counted on the dashboard as
    if the session were over, and gone again when it was put off to tomorrow."""
    c, pairs = known
    p1 = pairs["p1"]
    today = END
    tonight = _session(store, p1, today, status="scheduled")
    before = cohort.load(store, c.id, start=START, end=today, today=today)
    store.save(
        model.Commitment(
            partnership_id=p1.id,
            person_id=p1.person_a_id,
            text="prepared",
            status=CS.NOT_DONE,
            reviewed_in_session_id=tonight.id,
        )
    )

    columns = ["follow_through", "follow_through_recent"]

    def follow_through(**kwargs) -> list[float]:
        view = cohort.load(store, c.id, start=START, **kwargs)
        return list(view.pairs.set_index("pair").loc[p1.id, columns])

    same = list(before.pairs.set_index("pair").loc[p1.id, columns])
    assert follow_through(end=today, today=today) == same  # not logged yet
    over = follow_through(end=today, today=today + dt.timedelta(days=1))  # the day over
    assert all(now < was for now, was in zip(over, same, strict=True))
    store.save(tonight.replace(status="held", held_on=today))
    logged = follow_through(end=today, today=today)
    assert all(now < was for now, was in zip(logged, same, strict=True))


def test_the_pairing_form_starts_afresh_in_another_cohort(store, known):
    """A refused "Pair them" in one cohort said "Nobody was paired" at the first choice made
    in the next."""
    c, _pairs = known
    other = store.save(model.Cohort(name="Other", starts_on=START))
    a, b = (store.save(model.Person(name=n, cohort_id=other.id)) for n in ("Uma", "Vic"))
    app = CohortDashboardApp(store, cohort_id=c.id, today=END)
    app.pair_button.click()
    assert "Nobody was paired" in app.pair_result.value
    app.chooser.value = other.id
    assert app.pair_result.value == ""
    app.pair_person.value = a.id
    assert app.pair_result.value == "" and app.pair_partner.message.value == ""
    app.pair_partner.value = b.id
    assert app.pair_result.value == ""


def test_a_right_to_left_name_keeps_its_place_in_the_grid_labels(store):
    """A chart lays a label out by its first letter: a pair whose first name is Arabic was
    drawn "Ann (…) & <name>", the partner first; each name is now set apart."""
    c = store.save(model.Cohort(name="Spring"))
    arabic = "\u0645\u0631\u064a\u0645 \u0627\u0644\u062d\u062f\u0627\u062f"
    a, b = (store.save(model.Person(name=n, cohort_id=c.id)) for n in (arabic, "Ann"))
    store.save(
        model.Partnership(cohort_id=c.id, person_a_id=a.id, person_b_id=b.id, started_on=START)
    )
    app = CohortDashboardApp(store, cohort_id=c.id, today=END)
    assert f"\u2068{arabic}\u2069 &amp; Ann (" in app.grid_image.table.value
    # The names as data stay as typed (the CSV, the flags).
    assert app.names == {app.view.pairs["pair"].iloc[0]: f"{arabic} & Ann"}


def test_a_low_check_flag_is_not_named_on_the_conversation_page_sent_to_the_pair(store, known):
    """The link the facilitator sends told both partners that "recent session checks were
    low": one whose own check was not low learned the other's was."""
    from peercoach_lib.apps import conversation_app

    c, _pairs = known
    app = CohortDashboardApp(store, cohort_id=c.id, today=END)
    links = {
        row.children[0].value.split("</strong>")[0]: re.search(
            r"href='([^']*)'", row.children[0].value
        )[1]
        for row in app.flags_box.children[1:]
    }
    assert any("Low session check" in flag for flag in links)
    for flag, href in links.items():
        assert ("prompted=" in href) is ("Low session check" not in flag), (flag, href)
    assert "low session check" not in conversation_app.PROMPTS


def test_the_pairing_list_and_the_grid_by_name_are_in_alphabetical_order(store):
    c = store.save(model.Cohort(name="Spring"))
    people = {
        n: store.save(model.Person(name=n, cohort_id=c.id))
        for n in ("Zoë", "Łukasz", "émile", "Emma", "Lars", "adam")
    }
    for a, b in (("Zoë", "adam"), ("Łukasz", "Lars")):
        store.save(
            model.Partnership(
                cohort_id=c.id, person_a_id=people[a].id, person_b_id=people[b].id, started_on=START
            )
        )
    app = CohortDashboardApp(store, cohort_id=c.id, today=END)
    listed = [label.split(" (")[0] for label, v in app.pair_person.control.options if v]
    # Those without a partner first, then those with one: each in alphabetical order.
    assert listed == ["émile", "Emma", "adam", "Lars", "Łukasz", "Zoë"]
    app.sort.value = "name"
    table = app.grid_image.table.value
    assert table.index("Łukasz &amp; Lars") < table.index("Zoë &amp; adam")
