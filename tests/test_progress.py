"""My progress: the tables and readings for an empty history and for 16 weeks of demo data."""

from __future__ import annotations

import base64
import csv
import datetime as dt
import html
import io
import re

import matplotlib.dates
import pandas as pd
import pytest

from peercoach_lib import charts, dates, demo, lsi, model, partnerships, progress
from peercoach_lib.apps import forms, progress_app, runtime
from peercoach_lib.apps.progress_app import ProgressApp
from peercoach_lib.store import Store
from tests.conftest import AS_OF


@pytest.fixture(scope="module")
def sixteen_weeks(tmp_path_factory):
    store = Store(f"sqlite:///{tmp_path_factory.mktemp('progress') / 'p.sqlite'}")
    demo.generate(store, pairs=4, weeks=16, seed=5, as_of=AS_OF)
    yield store
    store.close()


def test_a_person_with_no_history_gets_a_friendly_empty_page(store):
    newcomer = store.save(model.Person(name="Newcomer"))
    app = ProgressApp(store, person_id=newcomer.id, today=AS_OF)
    assert "Nothing to chart yet" in app.summary.value
    for section in app.sections.values():
        assert section.chart.layout.display == "none"
        assert section.reading.value  # a sentence, never a traceback
        assert "Traceback" not in section.reading.value
    assert "You have no goal yet: set one in a Personal Change Plan" in (
        app.sections["goals"].reading.value
    )
    # Where to take the first LSI is a link away (it was a sentence alone).
    lsi = app.sections["lsi"].reading.value
    assert "No Lifestyle Satisfaction Index yet." in lsi
    assert (
        f"href='lifestyle_satisfaction_index.ipynb?person={newcomer.id}'" in lsi
        and ">Take the Lifestyle Satisfaction Index</a>" in lsi
    )
    store.save(model.ChangePlan(person_id=newcomer.id, change="Walk more", created_on=AS_OF))
    again = ProgressApp(store, person_id=newcomer.id, today=AS_OF)
    assert "No goal has been rated yet" in again.sections["goals"].reading.value


def test_sixteen_weeks_of_demo_history(sixteen_weeks):
    person = sixteen_weeks.find(model.Person, role="participant")[0]
    app = ProgressApp(sixteen_weeks, person_id=person.id, today=AS_OF)
    assert app.summary.value == ""
    for key, section in app.sections.items():
        assert section.chart.layout.display == "flex", key
        assert section.chart.png.startswith(b"\x89PNG"), key
        # The picture's alt text is the sentence that says what it shows, from the data.
        reading = re.sub("<[^>]+>", "", section.reading.value)
        assert section.chart.alt == f"{section.title}: {html.unescape(reading)}", key
        assert f'alt="{html.escape(section.chart.alt)}"' in section.chart.image.value
        links = re.findall(r'download="([^"]+)"', section.downloads.value)
        assert [name.rsplit(".", 1)[1] for name in links] == ["png", "csv"], key
        assert "<table" in section.chart.table.value
    chart = app.sections["sessions"].chart
    assert chart.table.layout.display == "none"
    chart.toggle.value = True
    assert chart.table.layout.display == "block"
    title = app.sections["sessions"].title
    assert chart.toggle.description == f"Hide the numbers: {title}"  # named for its chart
    names = [section.chart.toggle.description for section in app.sections.values()]
    assert len(set(names)) == len(names)


def test_the_lsi_numbers_hold_the_index_of_every_assessment_and_each_areas_ratings(
    sixteen_weeks,
):
    """The chart draws the index on each day: its table and its CSV hold each of them (they
    held the change per area alone), and the areas' ratings on each day. The page's table has
    a column a day, to read; the CSV a row a day, its days as dates, for a spreadsheet (it had
    the page's layout: days as headings a spreadsheet cannot sort or chart, a blank heading)."""
    person = sixteen_weeks.find(model.Person, role="participant")[0]
    app = ProgressApp(sixteen_weeks, person_id=person.id, today=AS_OF)
    taken = sorted(
        sixteen_weeks.find(model.LsiAssessment, person_id=person.id), key=lambda a: a.taken_on
    )
    assert len(taken) == 3
    section = app.sections["lsi"]
    shown = section.chart.table.value
    link = re.search(
        r'download="[^"]+-lsi\.csv" href="data:text/csv;base64,([^"]+)"', section.downloads.value
    )
    data = base64.b64decode(link[1])
    assert data.startswith("\ufeff".encode())  # a spreadsheet reads its words as UTF-8
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    area = taken[-1].areas[0]
    assert rows[0][:3] == ["taken_on", "index", area.area]
    assert [r[:2] for r in rows[1:]] == [[a.taken_on.isoformat(), str(lsi.index(a))] for a in taken]
    assert rows[-1][2] == str(area.satisfaction)
    read = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig", parse_dates=["taken_on"])
    assert read["taken_on"].is_monotonic_increasing and len(read.columns) == len(rows[0])
    for assessment in taken:
        assert f"<th>{dates.short(assessment.taken_on)}</th>" in shown
        assert f"<td>{lsi.index(assessment):.1f}</td>" in shown
    assert "None" not in shown and "nan" not in shown


def test_the_numbers_on_the_page_read_as_words_and_the_csv_as_a_program_reads_them(
    sixteen_weeks,
):
    person = sixteen_weeks.find(model.Person, role="participant")[0]
    app = ProgressApp(sixteen_weeks, person_id=person.id, today=AS_OF)
    goals = app.sections["goals"]
    assert "<th>T-score</th>" in goals.chart.table.value
    assert "t_score" not in goals.chart.table.value
    data = re.findall(r'base64,([^"]+)"', goals.downloads.value)[-1]
    csv_text = base64.b64decode(data).decode("utf-8-sig")
    assert csv_text.splitlines()[0] == "rated_on,goal,level,t_score"  # the CSV as it was
    follow = app.sections["follow_through"].chart.table.value
    assert "<th>Followed through</th>" in follow and "%</td>" in follow
    shown = app.sections["sessions"].chart.table.value
    assert "<th>Planned</th>" in shown and ">True<" not in shown and ">yes<" in shown


def test_on_a_served_page_each_chart_is_drawn_when_the_person_reaches_it(
    sixteen_weeks, monkeypatch
):
    monkeypatch.setattr(runtime, "served", lambda: True)
    person = sixteen_weeks.find(model.Person, role="participant")[0]
    app = ProgressApp(sixteen_weeks, person_id=person.id, today=AS_OF)
    goals, sessions = app.sections["goals"], app.sections["sessions"]
    for section in (goals, sessions):
        # Not drawn yet: the button the page presses as the chart comes near; its numbers,
        # its reading and the picture's description are there already.
        assert section.chart.pending and section.chart.png == b""
        assert section.chart.draw_button.layout.display == "flex"
        assert section.chart.image.value == "" and "<table" in section.chart.table.value
        assert section.chart.alt.startswith(section.title)
        assert section.downloads.layout.display == "none"
    goals.chart.draw_button.click()
    assert goals.chart.png.startswith(b"\x89PNG") and not goals.chart.pending
    assert goals.chart.draw_button.layout.display == "none"
    assert f'alt="{html.escape(goals.chart.alt)}"' in goals.chart.image.value
    assert goals.downloads.layout.display == "flex" and ".png" in goals.downloads.value
    assert sessions.chart.pending  # further down: still waiting
    first_goals = goals.chart.png
    # Once seen, a chart stays current: a new person's goals are drawn at once.
    partner = next(
        p
        for p in sixteen_weeks.find(model.Person, role="participant")
        if p.id != person.id and p.cohort_id == person.cohort_id
    )
    app.person.value = partner.id
    assert not goals.chart.pending and goals.chart.alt.startswith(goals.title)
    assert goals.chart.png.startswith(b"\x89PNG") and goals.chart.png != first_goals
    assert sessions.chart.pending and sessions.chart.png == b""


def test_progress_tables_agree_with_the_records(sixteen_weeks):
    person = sixteen_weeks.find(model.Person, role="participant")[0]
    p = progress.load(sixteen_weeks, person.id, as_of=AS_OF)
    sessions = sixteen_weeks.find(model.Session, partnership_id=p.partnership.id)
    held = [s for s in sessions if s.status is model.SessionStatus.HELD and s.held_on <= AS_OF]
    assert p.held == sum(s.planned for s in held)
    assert p.held_unplanned == sum(not s.planned for s in held)
    assert p.planned == sum(
        1
        for s in sessions
        if s.planned
        and s.scheduled_on <= AS_OF
        # Cancelled, or moved to another day (and counted there).
        and s.status not in (model.SessionStatus.CANCELLED, model.SessionStatus.RESCHEDULED)
    )
    due = [s for s in sessions if s.planned and s.scheduled_on <= AS_OF]
    assert p.put_off == sum(s.status is model.SessionStatus.RESCHEDULED for s in due)
    assert p.cancelled == sum(s.status is model.SessionStatus.CANCELLED for s in due)
    assert len(p.sessions) == len(sessions)
    checks = sixteen_weeks.find(model.SessionCheck, person_id=person.id)
    assert len(p.checks) == len(checks)
    assert int(p.checks["flagged"].sum()) == sum(c.flagged for c in checks)
    assert len(p.lsi_index) == 3  # weeks 0, 8 and 16
    assert f"held {p.held} of {p.planned}" in progress.read_cadence(p)
    # Only this person's goals appear.
    plans = {c.change for c in sixteen_weeks.find(model.ChangePlan, person_id=person.id)}
    assert set(p.gas_levels["goal"]) <= plans


def test_progress_charts_show_what_the_tables_hold(sixteen_weeks):
    person = sixteen_weeks.find(model.Person, role="participant")[1]
    p = progress.load(sixteen_weeks, person.id, as_of=AS_OF)
    figure = charts.gas_progress(p.gas_levels, p.gas_scores, p.milestones)
    top, bottom = figure.axes
    goal_lines = [line for line in top.get_lines() if line.get_gid() == "gas-goal"]
    assert len(goal_lines) == p.gas_levels["goal"].nunique()
    (t_line,) = [line for line in bottom.get_lines() if line.get_gid() == "t-score"]
    assert list(t_line.get_ydata()) == list(p.gas_scores["t_score"])
    assert len([ln for ln in top.get_lines() if ln.get_gid() == "milestone"]) == len(
        p.milestones["due_on"].unique()
    )
    (ax,) = charts.checks_chart(p.checks, 36).axes
    (threshold,) = [ln for ln in ax.get_lines() if ln.get_gid() == "threshold"]
    assert list(threshold.get_ydata()) == [36, 36]
    figure = charts.follow_through_chart(p.follow_weekly, p.follow_recent, as_of=p.as_of)
    (ax,) = figure.axes
    assert len([b for b in ax.patches if b.get_gid() == "week"]) == len(p.follow_weekly)
    # Its ticks stand under the weeks' bars, on their Mondays, named as the table names a week.
    figure.canvas.draw()
    ticks = [matplotlib.dates.num2date(x).date() for x in ax.get_xticks()]
    names = [t.get_text() for t in ax.get_xticklabels()]
    assert ticks and {day.weekday() for day in ticks} == {0}
    assert names[0] == f"{dates.day_month(ticks[0])}\n{ticks[0].year}"
    assert names[1:] == [dates.day_month(day) for day in ticks[1:]]
    weeks = set(pd.to_datetime(p.follow_weekly["week"]).dt.date)
    assert weeks & set(ticks)
    # The last four weeks' rate is drawn over those four weeks alone, not across the chart.
    (ax,) = charts.follow_through_chart(p.follow_weekly, 0.5, as_of=p.as_of).axes
    (recent,) = [c for c in ax.collections if c.get_gid() == "recent"]
    ((start, _), (end, _)) = recent.get_segments()[0]
    assert matplotlib.dates.num2date(end).date() == p.as_of.date()
    assert round(end - start) == 28
    (ax,) = charts.cadence_chart(p.sessions, p.gaps, p.interval_days).axes
    shaded = [patch for patch in ax.patches if patch.get_gid() == "long-gap"]
    assert len(shaded) == int(p.gaps["too_long"].sum())
    left, right = charts.lsi_trend_chart(p.lsi_index, p.lsi_change).axes
    assert len([b for b in right.patches if b.get_gid() == "area-change"]) == int(
        p.lsi_change["change"].notna().sum()
    )
    # The LSI's numbers hold every point of both halves: the index on each day, each area's
    # change.
    (line,) = [ln for ln in left.get_lines() if ln.get_gid() == "index"]
    table = p.lsi_table.set_index("")
    assert len(line.get_ydata()) == 3
    assert list(table.loc["Index (0–100)"].iloc[:-1]) == list(line.get_ydata())
    changes = p.lsi_change.set_index("area")["change"].dropna()
    assert list(table.loc[changes.index, "Change"]) == list(changes)


def test_a_partners_private_records_do_not_reach_my_progress(store, pair):
    alice, bob = pair["alice"], pair["bob"]
    session = store.save(
        model.Session(
            partnership_id=pair["partnership"].id,
            planned=False,
            status="held",
            held_on=dt.date(2026, 2, 2),
        )
    )
    store.save(
        model.SessionCheck(
            session_id=session.id, person_id=bob.id, heard=1, focus=1, approach=1, overall=1
        )
    )
    bobs_plan = store.save(
        model.ChangePlan(
            person_id=bob.id, change="Bob's secret goal", created_on=dt.date(2026, 1, 1)
        )
    )
    store.save(
        model.GasRating(
            plan_id=bobs_plan.id, session_id=session.id, rated_on=dt.date(2026, 2, 2), level=2
        )
    )
    p = progress.load(store, alice.id, as_of=dt.date(2026, 3, 1))
    assert p.checks.empty and p.gas_levels.empty
    assert p.held_unplanned == 1  # the shared (unplanned) session itself is ours


def test_a_score_that_did_not_move_stayed_at_its_value():
    import pandas as pd

    from peercoach_lib import progress as pg

    class Only:
        gas_scores = pd.DataFrame({"t_score": [40.0, 40.2, 39.9]})
        milestones = pd.DataFrame(columns=["due_on", "goal", "description"])

    assert pg.read_gas(Only()).startswith("Your goal attainment score stayed at 40 over 3 rated")


def test_the_lsi_reading_names_the_largest_drop_as_well_as_the_largest_gain():
    from types import SimpleNamespace

    import pandas as pd

    def reading(changes: dict) -> str:
        return progress.read_lsi(
            SimpleNamespace(
                lsi_index=pd.DataFrame({"index": [80.0, 45.0]}),
                lsi_change=pd.DataFrame({"area": list(changes), "change": list(changes.values())}),
            )
        )

    assert reading({"Health": -3, "Work and career": -8, "Money": 0}) == (
        "Your index went from 80.0 to 45.0; largest drop: Work and career (-8)."
    )
    assert reading({"Health": 2, "Work and career": -8, "Money": 2}) == (
        "Your index went from 80.0 to 45.0; largest gains: Health and Money (+2 each); "
        "largest drop: Work and career (-8)."
    )
    assert reading({"Health": 0}) == "Your index went from 80.0 to 45.0."


def test_the_goals_reading_names_the_milestones_the_dotted_lines_mark():
    """The lines carried no day and no words: the sentence above the chart gives both."""
    import pandas as pd

    from peercoach_lib import progress as pg

    class Rated:
        gas_scores = pd.DataFrame({"t_score": [40.0, 50.0]})
        milestones = pd.DataFrame(
            {
                "due_on": pd.to_datetime(
                    ["2026-10-01", "2026-09-01", "2026-11-01", "2026-12-01", "2027-01-04"]
                ),
                "goal": ["Save"] * 5,
                "description": [
                    "Half the buffer saved",
                    "Open the savings account " + "and set up the standing order " * 3,
                    "Three months of spending saved",
                    "Review the budget",
                    "Full buffer",
                ],
            }
        )

    said = pg.read_gas(Rated())
    assert said.endswith(
        "Dotted lines mark your milestones: 1 Sep 2026 (Open the savings account and set up the "
        "standing order and…); 1 Oct 2026 (Half the buffer saved); 1 Nov 2026 (Three months "
        "of spending saved); 1 Dec 2026 (Review the budget); and 1 more."
    ), said


def test_a_milestone_two_plans_share_is_said_once():
    """Two plans made with the default milestones: each day and words were listed twice."""
    import pandas as pd

    from peercoach_lib import progress as pg

    class Rated:
        gas_scores = pd.DataFrame({"t_score": [40.0, 50.0]})
        milestones = pd.DataFrame(
            {
                "due_on": pd.to_datetime(["2026-08-31", "2026-08-31", "2026-09-30"]),
                "goal": ["Save", "Sleep", "Save"],
                "description": ["Month 1", "Month 1", "Month 2"],
            }
        )

    said = pg.read_gas(Rated())
    assert said.endswith(
        "Dotted lines mark your milestones: 31 Aug 2026 (Month 1, in 2 plans); 30 Sep 2026 "
        "(Month 2)."
    ), said


def test_one_rated_session_is_read_as_one():
    import pandas as pd

    from peercoach_lib import progress as pg

    class Once:
        gas_scores = pd.DataFrame({"t_score": [40.0]})
        milestones = pd.DataFrame(columns=["due_on", "goal", "description"])

    said = pg.read_gas(Once())
    assert said.startswith("Your goal attainment score is 40 after one rated session")
    assert "stayed" not in said and "1 rated sessions" not in said


def test_unplanned_sessions_held_are_told_apart_from_planned_ones():
    from types import SimpleNamespace

    import pandas as pd

    from peercoach_lib import progress as pg

    p = SimpleNamespace(
        sessions=pd.DataFrame({"date": [1]}),
        gaps=pd.DataFrame({"too_long": [False]}),
        interval_days=14,
        interval_agreed=True,
        held=12,
        planned=16,
        held_unplanned=2,
        partnership=None,
        partner=None,
        put_off=0,
        not_rebooked=0,
        cancelled=0,
    )
    assert pg.read_cadence(p).startswith(
        "You held 12 of 16 planned sessions so far, and 2 unplanned."
    )
    # The planned sessions the count leaves out are named (the table lists them as planned).
    p.put_off, p.cancelled = 1, 2
    assert pg.read_cadence(p).startswith(
        "You held 12 of 16 planned sessions so far, not counting 1 put off (counted on its new "
        "day) and 2 cancelled, and 2 unplanned."
    )
    # One put off with no new day is not counted on one (it said it was).
    p.put_off, p.not_rebooked = 3, 1
    assert pg.read_cadence(p).startswith(
        "You held 12 of 16 planned sessions so far, not counting 2 put off (counted on their "
        "new days), 1 put off with no new day and 2 cancelled, and 2 unplanned."
    )
    p.put_off, p.not_rebooked, p.cancelled = 0, 0, 0
    assert pg.read_cadence(p).endswith("Every gap stayed within your agreed 14 days.")
    p.interval_agreed = False
    assert pg.read_cadence(p).endswith(
        "Every gap stayed within 14 days (the usual fortnight: you have no agreement yet)."
    )
    # Sessions booked, none due yet: nothing held, and no gap to speak of.
    p.sessions = pd.DataFrame({"status": pd.Categorical(["scheduled"] * 6)})
    p.held = p.planned = p.held_unplanned = 0
    assert pg.read_cadence(p) == "No session has been held yet; 6 are booked."


def _alice_with_cleo_after_bob(store, pair, held: tuple[dt.date, ...]) -> model.Partnership:
    """Alice's sessions held with Bob on ``held``, their partnership ended on 1 February 2026,
    and Alice paired with Cleo the next day: returns the new partnership."""
    alice, bob = pair["alice"], pair["bob"]
    first = pair["partnership"]
    for day in held:
        store.save(
            model.Session(
                partnership_id=first.id,
                scheduled_on=day,
                held_on=day,
                status=model.SessionStatus.HELD,
                halves=[model.SessionHalf(coach_id=alice.id, client_id=bob.id, minutes=45)],
            )
        )
    partnerships.end(
        store,
        first.id,
        by=alice.id,
        reason=model.EndReason.OTHER,
        on=dt.date(2026, 2, 1),
        today=dt.date(2026, 2, 1),
    )
    cleo = store.save(model.Person(name="Cleo", cohort_id=pair["cohort"].id))
    return partnerships.pair(store, alice.id, cleo.id, on=dt.date(2026, 2, 2))


def test_a_new_partner_not_met_yet_does_not_hide_the_sessions_held_before(store, pair):
    _alice_with_cleo_after_bob(store, pair, (dt.date(2026, 1, 12), dt.date(2026, 1, 26)))
    p = progress.load(store, pair["alice"].id, as_of=dt.date(2026, 2, 10))
    assert p.partnership.id == pair["partnership"].id and len(p.sessions) == 2
    assert progress.read_cadence(p).startswith(
        "With Bob (ended 1 February 2026): you held 2 of 2 planned sessions so far."
    )


def test_an_earlier_partnerships_sessions_can_be_chosen_once_a_new_one_has_met(store, pair):
    """Once the new pair had met, the sessions with the partner before were out of reach:
    "Sessions with" offers each partnership, the new one first; the address's partnership
    opens on it."""
    from peercoach_lib.apps.progress_app import ProgressApp

    cleo_pair = _alice_with_cleo_after_bob(
        store, pair, (dt.date(2026, 1, 12), dt.date(2026, 1, 26))
    )
    store.save(
        model.Session(
            partnership_id=cleo_pair.id,
            scheduled_on=dt.date(2026, 2, 9),
            held_on=dt.date(2026, 2, 9),
            status=model.SessionStatus.HELD,
        )
    )
    alice, first = pair["alice"], pair["partnership"]
    app = ProgressApp(store, person_id=alice.id, today=dt.date(2026, 2, 20))
    assert app.pair.layout.display == "flex"
    assert [label for label, _ in app.pair.control.options] == [
        "Cleo (from 2 Feb 2026)",
        "Bob (ended 1 Feb 2026)",
    ]
    assert app.pair.value == cleo_pair.id and len(app.progress.sessions) == 1
    app.pair.value = first.id
    assert app.progress.partnership.id == first.id and len(app.progress.sessions) == 2
    assert (
        "With Bob (ended 1 February 2026): you held 2 of 2"
        in app.sections["sessions"].reading.value
    )
    # Opened on it from the address; someone with one partnership is not asked.
    again = ProgressApp(
        store, person_id=alice.id, partnership_id=first.id, today=dt.date(2026, 2, 20)
    )
    assert again.pair.value == first.id and len(again.progress.sessions) == 2
    cleo = ProgressApp(store, person_id=cleo_pair.partner_of(alice.id), today=dt.date(2026, 2, 20))
    assert cleo.pair.layout.display == "none"
    # The partnership looked back on stays out of the page's address: the other apps' links
    # would open on the ended one.
    (place,) = [w for w in app.children if isinstance(w, forms.Place)]
    assert "partnership" not in place.value


def test_a_follow_up_prepared_for_a_session_to_come_counts_from_its_day(store, pair):
    alice = pair["alice"]
    first = pair["partnership"]
    held = store.save(
        model.Session(
            partnership_id=first.id,
            scheduled_on=dt.date(2026, 3, 2),
            held_on=dt.date(2026, 3, 2),
            status=model.SessionStatus.HELD,
        )
    )
    coming = store.save(model.Session(partnership_id=first.id, scheduled_on=dt.date(2026, 3, 16)))
    for text, status, reviewed_in in (
        ("Done at the first session", "done", held.id),
        ("Prepared as not done for the next", "not done", coming.id),
    ):
        store.save(
            model.Commitment(
                person_id=alice.id,
                partnership_id=first.id,
                made_in_session_id=held.id,
                text=text,
                status=status,
                reviewed_in_session_id=reviewed_in,
            )
        )
    before = progress.load(store, alice.id, as_of=dt.date(2026, 3, 9))
    assert before.follow_overall == 1.0 and len(before.follow_weekly) == 1
    # On its day, before it is logged: not yet (the session may be put off, and the follow-up
    # goes with it to its new day); once logged, or the day after, it counts.
    on_the_day = progress.load(store, alice.id, as_of=dt.date(2026, 3, 16))
    assert on_the_day.follow_overall == 1.0 and len(on_the_day.follow_weekly) == 1
    after = progress.load(store, alice.id, as_of=dt.date(2026, 3, 17))
    assert after.follow_overall == 0.5 and len(after.follow_weekly) == 2
    store.save(coming.replace(status=model.SessionStatus.HELD, held_on=coming.scheduled_on))
    logged = progress.load(store, alice.id, as_of=dt.date(2026, 3, 16))
    assert logged.follow_overall == 0.5 and len(logged.follow_weekly) == 2


def test_sessions_with_a_second_partner_say_whose_they_are(store, pair):
    second = _alice_with_cleo_after_bob(store, pair, (dt.date(2026, 1, 12),))
    store.save(model.Session(partnership_id=second.id, scheduled_on=dt.date(2026, 2, 16)))
    p = progress.load(store, pair["alice"].id, as_of=dt.date(2026, 2, 10))
    # The running partnership, met not yet: its sessions are not mistaken for all of hers.
    assert p.partnership.id == second.id
    assert progress.read_cadence(p) == "With Cleo: no session has been held yet; 1 is booked."


def test_a_session_held_today_by_the_schedules_clock_counts_while_mine_is_on_yesterday(
    store, pair, monkeypatch
):
    """The session log takes a session held today in the agreement's time zone; My progress,
    on a reader's clock still on yesterday, counted it in its table but not in "held so far"."""
    alice = pair["alice"]
    store.save(
        model.Agreement(
            partnership_id=pair["partnership"].id,
            time_zone="Pacific/Auckland",
            first_session_on=dt.date(2026, 2, 1),
        )
    )
    store.save(
        model.Session(
            partnership_id=pair["partnership"].id,
            planned=False,
            status="held",
            held_on=dt.date(2026, 3, 2),
        )
    )
    mine, theirs = dt.date(2026, 3, 1), dt.date(2026, 3, 2)
    zones = []

    def schedule_day(zone):
        zones.append(zone)
        return theirs if zone == "Pacific/Auckland" else mine

    p = progress.load(store, alice.id, as_of=mine, schedule_day=schedule_day)
    assert zones == ["Pacific/Auckland"]
    assert (p.held_unplanned, len(p.sessions)) == (1, 1)
    assert progress.load(store, alice.id, as_of=mine).held_unplanned == 0  # by my day alone
    # The app counts by the schedule's day.
    monkeypatch.setattr(progress_app.context, "today", lambda store=None: mine)
    monkeypatch.setattr(
        progress_app.context,
        "schedule_today",
        lambda zone, store=None, *, given=None: given or schedule_day(zone),
    )
    app = ProgressApp(store, person_id=alice.id)
    assert app.progress.held_unplanned == 1
    assert "You held 1 session so far" in progress.read_cadence(app.progress)


def test_a_dropped_plan_marks_no_milestones(store, pair):
    """Its milestones will not be met: "in 2 plans" counted a plan dropped."""
    alice = pair["alice"]
    due = [model.Milestone(due_on=dt.date(2026, 3, 2), description="Month 1: review")]
    for change, status, reason in (("Walk", "active", ""), ("Swim", "dropped", "no pool")):
        store.save(
            model.ChangePlan(
                person_id=alice.id,
                change=change,
                status=status,
                status_reason=reason,
                milestones=due,
                created_on=dt.date(2026, 2, 1),
            )
        )
    p = progress.load(store, alice.id, as_of=dt.date(2026, 2, 10))
    assert list(p.milestones["goal"]) == ["Walk"]
    assert "in 2 plans" not in progress.read_gas(p)


def test_a_booked_day_nobody_logged_and_a_session_put_off_with_no_new_day(store, pair):
    """A day gone by that nobody logged read "scheduled" (still to come) in the table, the CSV
    and the chart, where the dashboard says "not logged"; a session put off with no new day
    was said to be "counted on its new day"."""
    from peercoach_lib import agreement as ag
    from peercoach_lib import session_log

    first = dt.date(2026, 3, 3)
    agreement = model.Agreement(
        partnership_id=pair["partnership"].id,
        frequency="weekly",
        minutes_per_person=30,
        first_session_on=first,
    )
    days = ag.schedule_dates(first, model.Frequency.WEEKLY, count=5)
    ag.save(store, agreement, [ag.Booking(d) for d in days])
    s1, s2, s3, s4, s5 = sorted(
        store.find(model.Session, partnership_id=pair["partnership"].id),
        key=lambda s: s.scheduled_on,
    )
    store.save(s1.replace(status=model.SessionStatus.MISSED))
    store.save(s2.replace(status=model.SessionStatus.RESCHEDULED))  # no new day
    store.save(s3.replace(status=model.SessionStatus.RESCHEDULED))
    store.save(
        model.Session(
            partnership_id=s3.partnership_id,
            scheduled_on=s3.scheduled_on + dt.timedelta(days=2),
            replaces_id=s3.id,
            planned=True,
        )
    )
    assert session_log.booked_instead(store, store.get(model.Session, s3.id)) is not None
    p = progress.load(store, pair["alice"].id, as_of=s4.scheduled_on + dt.timedelta(days=1))
    by_day = dict(zip(p.sessions["date"].dt.date, p.sessions["status"], strict=True))
    assert by_day[s4.scheduled_on] == "not logged"  # gone by, nobody logged it
    assert by_day[s3.scheduled_on + dt.timedelta(days=2)] == "not logged"
    assert by_day[s5.scheduled_on] == "scheduled"  # still to come
    assert (p.put_off, p.not_rebooked) == (2, 1)
    assert (
        "not counting 1 put off (counted on its new day) and 1 put off with no new day"
        in progress.read_cadence(p)
    )
    figure = charts.cadence_chart(p.sessions, p.gaps, p.interval_days)
    legend = [t.get_text() for t in figure.axes[0].get_legend().get_texts()]
    assert "not logged" in legend and "booked" in legend
    # Put off again from its new day, and that booking's day taken away: all three sessions
    # are put off with no new day (the first read "counted on its new day", judged by the
    # booking made in its place alone), and the booking taken away is not a cancelled session.
    (again,) = store.find(model.Session, replaces_id=s3.id)
    store.save(again.replace(status=model.SessionStatus.RESCHEDULED))
    store.save(
        model.Session(
            partnership_id=s3.partnership_id,
            scheduled_on=s3.scheduled_on + dt.timedelta(days=4),
            replaces_id=again.id,
            planned=True,
            status=model.SessionStatus.CANCELLED,
        )
    )
    p = progress.load(store, pair["alice"].id, as_of=s4.scheduled_on + dt.timedelta(days=1))
    assert (p.put_off, p.not_rebooked, p.cancelled) == (3, 3, 0)
    assert "not counting 3 put off with no new day" in progress.read_cadence(p)
    for put_off in (s2, s3, again):
        assert session_log.booked_instead(store, store.get(model.Session, put_off.id)) is None
