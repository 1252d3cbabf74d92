"""The facilitator's cohort dashboard: who meets, who follows through, who needs a conversation."""

from __future__ import annotations

import datetime as dt
import html
import logging

import ipywidgets as widgets
import numpy as np
import pandas as pd
import sqlalchemy as sa

from peercoach_lib import cohort, dates, partnerships, spreadsheets, wording
from peercoach_lib.apps import context, forms, runtime
from peercoach_lib.errors import ValidationError
from peercoach_lib.model import Cohort, FlagFollowUp, Partnership, Person, Role
from peercoach_lib.model.base import EARLIEST_DATE, LATEST_DATE
from peercoach_lib.model.flags import FROM_ONE_PARTNER
from peercoach_lib.store import Store, schema

log = logging.getLogger(__name__)

SHOWN_PAIRS = 30
#: Pairs starting after the range are named up to this many, then counted.
LATER_NAMED = 5
SHOWN_FLAGS = 40
PRIVACY = (
    "This dashboard shows counts, rates and flags only. It never reads what anyone wrote "
    "(notes, preparations, feedback, plans), any average of fewer than three people is shown "
    "as “too few to show”, and session-check answers are shown across pairs, never pair by pair "
    "(a pair's low-check flag counts the checks below the line, not what anyone answered)."
)


class CohortDashboardApp(widgets.VBox):
    """Cohort figures, the week grid, distributions and flags, for one cohort and date range."""

    def __init__(
        self,
        store: Store | None = None,
        *,
        cohort_id: int | None = None,
        person_id: int | None = None,
        start: dt.date | None = None,
        end: dt.date | None = None,
        today: dt.date | None = None,
    ):
        """``person_id``: who is at the page (a link from their home page); a facilitator of
        one of the cohorts finds it chosen, when no cohort is named. ``start`` and ``end``: the
        range the cohort chosen on opening shows, either end in place of its default (the
        page's address keeps the range chosen, so that a reload or a link shows it again)."""
        super().__init__(layout=widgets.Layout(max_width="1100px"))
        self.add_class("peercoach-app")
        self.add_class("peercoach-cohort")
        self.store = store or Store()
        self.today = today or context.today(self.store)
        self.view: cohort.CohortView | None = None
        self._asked_range = (start, end)
        self._range_default: tuple[dt.date | None, dt.date | None] = (None, None)
        self.names: dict[int, str] = {}
        self.people_names: dict[int, str] = {}
        self.viewer = context.viewer(self.store)
        if not self.viewer.is_facilitator:
            # On a shared server, for anyone outside the hub's facilitators group: a message,
            # and nothing read from the cohort at all.
            self.children = [forms.stylesheet(), widgets.HTML(facilitators_only(self.viewer))]
            return

        self.chooser = forms.dropdown("Cohort", "cohort_id", [])
        self.start = forms.date("From", "start")
        self.end = forms.date("To", "end", value=self.today)
        self.demo = widgets.HTML()
        self.privacy = widgets.HTML(forms.notice("info", html.escape(PRIVACY)))
        self.headline = widgets.HTML()
        self.sort = widgets.ToggleButtons(
            options=[("Longest without a session first", "days"), ("By name", "name")],
            description="Order",
            style={**forms._STYLE, "button_width": "auto"},
        )
        self.grid_image = forms.ChartView(max_width="1060px", name="sessions by week")
        self.grid_note = widgets.HTML()
        self.spread_image = forms.ChartView(max_width="960px", name="how the pairs spread")
        self.flags_box = widgets.VBox()
        self.endings = widgets.HTML()
        self._loading_pairing = False
        #: Just paired, the form emptied: a second click (a double click) pairs nobody again.
        self._paired = False
        self._pairing_refused = False  # "Pair them" refused since the last pair was made
        self.pair_person = forms.dropdown("Person", "person_a_id", [])
        self.pair_partner = forms.dropdown("New partner", "person_b_id", [])
        self.pair_start = forms.date("Starting on", "started_on", value=self.today)
        self.pair_button = widgets.Button(
            description="Pair them",
            button_style="primary",
            icon="user-plus",
            layout=widgets.Layout(width="fit-content", margin=f"8px 0 0 {forms.LABEL_WIDTH}"),
        )
        forms.says_when_held(self.pair_button, "Nobody was paired")
        self.pair_result = widgets.HTML()
        self.pair_fields = {
            f.path: f for f in (self.pair_person, self.pair_partner, self.pair_start)
        }
        forms.retire_when_mended(self.pair_result, self.pair_fields.values())
        self.downloads = widgets.HTML()
        # Everything the range shows: hidden while the range is impossible, never left stale.
        self.results = widgets.VBox(
            [
                self.headline,
                forms.heading("Who meets"),
                self.sort,
                self.grid_note,
                self.grid_image,
                forms.heading("How the pairs spread"),
                self.spread_image,
                forms.heading("Flags"),
                self.flags_box,
                forms.heading("Endings"),
                self.endings,
                forms.heading("Take the tables with you"),
                self.downloads,
            ]
        )
        # Pairing is not about the range: offered whatever the range says.
        self.pairing = widgets.VBox(
            [
                forms.heading("New pairs"),
                widgets.HTML(
                    "<p>Pair someone again after their partnership ended, or pair two people "
                    "for the first time. The new pair starts at its own first-session "
                    "agreement; neither sees anything of the other's earlier partnerships.</p>"
                ),
                self.pair_person,
                self.pair_partner,
                self.pair_start,
                self.pair_button,
                self.pair_result,
            ]
        )
        # A cohort nobody is paired in yet has nothing to show but how to begin.
        self.first_pairs = widgets.HTML()
        self.figures = widgets.VBox([self.start, self.end, self.results])
        self.body = widgets.VBox(
            [self.demo, self.privacy, self.first_pairs, self.figures, self.pairing]
        )
        for field in (self.start, self.end):
            field.add_class(forms.LIVE)
        self.results.add_class(forms.LIVE_RESULTS)
        self.children = [
            forms.stylesheet(),
            self.chooser,
            # The range in the address only where it is not the one the cohort opens on: a
            # range ending today, kept as a day, would end on that day when opened later.
            forms.Place(
                cohort=self.chooser,
                **{"from": self.start, "to": self.end},
                defaults={
                    "from": lambda: self._range_default[0],
                    "to": lambda: self._range_default[1],
                },
            ),
            self.body,
        ]

        cohorts = self.viewer.cohorts(
            sorted(self.store.find(Cohort), key=lambda c: wording.alphabetical(c.name))
        )
        if self.viewer.signed_in and not cohorts:
            self.children = [forms.stylesheet(), widgets.HTML(no_cohort(self.viewer))]
            return
        self.chooser.control.options = [
            ("Choose a cohort…", None),
            *((c.name, c.id) for c in cohorts),
        ]
        # Chosen before anyone listens: the first view is read and drawn once, below.
        theirs = [c.id for c in cohorts if person_id is not None and c.facilitator_id == person_id]
        self.chooser.value = (
            cohort_id
            if cohort_id in {c.id for c in cohorts}
            else (cohorts[0].id if len(cohorts) == 1 else theirs[0] if len(theirs) == 1 else None)
        )
        self.chooser.control.observe(runtime.guarded(self._on_cohort), names="value")
        for field in (self.start, self.end):
            field.control.observe(runtime.guarded(self._on_range), names="value")
        self.sort.observe(runtime.guarded(lambda _c: self._draw_grid()), names="value")
        self.pair_button.on_click(runtime.settled(self._on_pair))
        for field in (self.pair_person, self.pair_partner, self.pair_start):
            field.control.observe(runtime.guarded(self._on_pairing_edit), names="value")
        self._on_cohort()

    # -- loading ---------------------------------------------------------------------------------

    def _on_cohort(self, _change=None) -> None:
        cohort_id = self.chooser.value
        self.body.layout.display = "none" if cohort_id is None else "flex"
        if cohort_id is None:
            return
        chosen = self.store.get(Cohort, cohort_id)
        self.demo.value = forms.demo_notice() if chosen.is_demo else ""
        self._quiet = True
        start, end = self._range_default = self._default_range(chosen)
        # The range the page was opened with, for the cohort it opened on (another cohort
        # chosen opens on its own range); a range that cannot be is shown as asked, and said.
        asked, self._asked_range = self._asked_range, (None, None)
        self.start.value, self.end.value = asked[0] or start, asked[1] or end
        self._quiet = False
        self.refresh()
        # The pairing form starts afresh in another cohort (a refusal in the last one said
        # "Nobody was paired" at the first choice here).
        self._paired = self._pairing_refused = False
        self.pair_result.value = ""
        self._offer_pairing()

    def _default_range(self, chosen: Cohort) -> tuple[dt.date, dt.date]:
        """The range a cohort opens on: from its start, or its first pair's when earlier, to
        today."""
        start = cohort.default_start(
            self.store, chosen, otherwise=self.today - dt.timedelta(weeks=16)
        )
        return min(start, self.today), self.today

    def _range_errors(self, start: dt.date | None, end: dt.date | None) -> dict[str, str]:
        """What is wrong with each end of the range ("start", "end"), each said beside its own
        box, all at once (mending one never leaves the other's error unsaid, or stale)."""
        errors = {}
        for name, day in (("start", start), ("end", end)):
            if day is None:
                errors[name] = f"choose the day the range {name}s"
            elif not EARLIEST_DATE <= day <= LATEST_DATE:
                errors[name] = f"must be between {EARLIEST_DATE.year} and {LATEST_DATE.year}"
        if "end" not in errors and end > self.today:
            errors["end"] = (
                f"{dates.after_today(self.today)}: the figures and flags show the cohort as it "
                "stood on the end date"
            )
        if "start" not in errors and start > self.today:
            # Said of the start itself (it was said under "To", as "on or after the start").
            errors["start"] = dates.after_today(self.today)
        if not errors and end < start:
            errors["end"] = f"must be on or after the start ({dates.short(start)})"
        return errors

    def _on_range(self, _change) -> None:
        if getattr(self, "_quiet", False) or self.chooser.value is None:
            return
        self.refresh()

    def refresh(self) -> None:
        if not self._has_pairs():
            self.view = None
            self.figures.layout.display = "none"
            first = (
                "Pair its people under \u201cNew pairs\u201d below."
                if self._people_to_pair()
                else "Nobody is enrolled in it yet either: enrol its people from a roster "
                "(<code>peercoach enrol roster.csv --cohort\u00a0\u2026</code>, see the "
                "README\u2019s \u201cDeploy for a cohort\u201d), then pair them under "
                "\u201cNew pairs\u201d below."
            )
            self.first_pairs.value = forms.notice(
                "info",
                f"<strong>No pairs in this cohort yet.</strong> {first} Each pair starts at "
                "its first-session agreement; once pairs meet, this page shows who meets "
                "regularly, who keeps their commitments and who may need a courageous "
                "conversation.",
            )
            return
        self.figures.layout.display = "flex"
        self.first_pairs.value = ""
        start, end = self.start.value, self.end.value
        errors = self._range_errors(start, end)
        for field, name in ((self.start, "start"), (self.end, "end")):
            if name in errors:
                field.show("error", errors[name])
            else:
                field.show()
        if errors:
            self.results.layout.display = "none"
            return
        self.results.layout.display = "flex"
        self.view = cohort.load(
            self.store, self.chooser.value, start=start, end=end, today=self.today
        )
        if end == self.today:
            self._track_flags()
        self.names = self._pair_names(self.view.pairs)
        self._show_headline()
        self._draw_grid()
        self._draw_spread()
        self._show_flags()
        self._show_endings()
        self._offer_downloads()

    def _has_pairs(self) -> bool:
        """Whether anyone in the cohort was ever paired: one row asked for, not every
        partnership read (a cohort of thousands of pairs is read once, by the view)."""
        partnerships_ = schema.partnerships
        with self.store.reading() as tx:
            found = tx.connection.execute(
                sa.select(partnerships_.c.id)
                .where(partnerships_.c.cohort_id == self.chooser.value)
                .limit(1)
            ).first()
        return found is not None

    def _track_flags(self) -> None:
        """Note today's flags, so the time from a first flag to recovery or ending is known."""
        try:
            cohort.track_flags(self.store, self.view, on=self.today)
        except Exception:
            # The figures on the page do not depend on it: show them, and say so in the log.
            log.exception("could not note today's flags")

    def _pair_names(self, pairs: pd.DataFrame) -> dict[int, str]:
        people = pd.unique(pairs[["person_a_id", "person_b_id"]].to_numpy().ravel()).tolist()
        names: dict[int, str] = {}
        with self.store.reading() as tx:
            for chunk in range(0, len(people), 500):
                rows = tx.connection.execute(
                    sa.select(schema.persons.c.id, schema.persons.c.name).where(
                        schema.persons.c.id.in_(people[chunk : chunk + 500])
                    )
                )
                names.update(dict(rows.all()))
        self.people_names = names
        return self._pair_labels(pairs)

    def _pair_labels(
        self, pairs: pd.DataFrame, *, most: int | None = None, isolate: bool = False
    ) -> dict[int, str]:
        """Each pair's names ("Ann & Bo"), each name cut to ``most`` characters if given and,
        with ``isolate``, set apart if it is written right to left (a chart lays a label out
        by its first letter: one starting with an Arabic name was drawn "Ann Lee (12 d) &"
        and the name, the pair's partner first)."""
        names = {
            k: v if most is None else cohort.shortened(v, most)
            for k, v in self.people_names.items()
        }
        if isolate:
            names = {k: wording.isolated(v) for k, v in names.items()}
        label = (
            pairs["person_a_id"].map(names).fillna("?").astype(str)
            + " & "
            + pairs["person_b_id"].map(names).fillna("?").astype(str)
        )
        # The same two people paired twice: told apart by when their partnership ran.
        ended = pd.to_datetime(pairs["ended_on"])
        started = pd.to_datetime(pairs["started_on"])

        def spelt(day) -> str:
            return dates.short(day) if pd.notna(day) else ""

        when = pd.Series(
            np.where(
                ended.notna(),
                " (ended " + ended.map(spelt).astype(str) + ")",
                " (from " + started.map(spelt).astype(str) + ")",
            ),
            index=pairs.index,
            dtype=object,
        )
        label = label.where(~label.duplicated(keep=False), label + when)
        return dict(zip(pairs["pair"].astype(int), label, strict=True))

    # -- showing ---------------------------------------------------------------------------------

    def _show_headline(self) -> None:
        def cell(label: str, value: str) -> str:
            # A figure's reason in brackets ("none in this range (a change takes two ratings
            # within it)") in small print under it: in large, it made a tile the page's width.
            figure, _, why = value.partition(" (")
            aside = (
                f"<div style='font-size:13px;color:#444;max-width:260px'>({html.escape(why)}</div>"
                if why
                else ""
            )
            return (
                "<div style='padding:8px 14px;border:1px solid #c8c8c8;border-radius:6px;"
                f"min-width:150px'><div style='font-size:20px;font-weight:600'>"
                f"{html.escape(figure)}</div>{aside}<div style='font-size:13px;color:#444'>"
                f"{html.escape(label)}</div></div>"
            )

        cells = "".join(cell(label, value) for label, value in self.view.headline().items())
        self.headline.value = (
            f"<div style='display:flex;gap:10px;flex-wrap:wrap;margin:8px 0'>{cells}</div>"
            "<p style='font-size:13px;color:#3d3d3d;margin:0 0 8px'>Pairs active: the running "
            "pairs that held a session in the range, of all running pairs.</p>"
        )

    def _draw_grid(self) -> None:
        if self.view is None:
            return
        pairs = self.view.pairs
        if self.sort.value == "name":
            pairs = pairs.assign(label=pairs["pair"].map(self.names)).sort_values(
                "label", key=lambda labels: labels.map(wording.alphabetical)
            )
        shown = pairs.head(SHOWN_PAIRS)
        every_pair = self.store.find(Partnership, cohort_id=self.chooser.value)
        later, later_said = self._starting_later(every_pair)
        if shown.empty:
            self.grid_image.hide()
            if later and later[0].started_on > self.today:
                # A range cannot end after today: "choose a later range" could not be done.
                said = f"No pair of this cohort has started yet. {later_said}"
            else:
                first = f" on {dates.long(later[0].started_on)} or later" if later else " later"
                said = (
                    f"No pair of this cohort had started by {dates.long(self.view.end)}: "
                    f"choose a range ending{first}."
                )
            self.grid_note.value = f"<p>{html.escape(said)}</p>"
            return
        grid = cohort.week_grid(
            self.store,
            [int(x) for x in shown["pair"]],
            self.view.start,
            self.view.end,
            today=self.today,
        )
        waits = [
            cohort.since_label(days, last, active)
            for days, last, active in zip(
                shown["days_since_last"], shown["last_held"], shown["active"], strict=True
            )
        ]
        # Names cut short on the chart only (long ones would squeeze the grid): its words and
        # table, which a screen reader reads, name the pairs in full.
        short = self._pair_labels(shown, most=cohort.GRID_NAME_CHARS, isolate=True)
        whole = self._pair_labels(shown, isolate=True)
        drawn = [
            f"{short[int(pid)]} ({wait})" for pid, wait in zip(shown["pair"], waits, strict=True)
        ]
        labels = [
            f"{whole[int(pid)]} ({wait})" for pid, wait in zip(shown["pair"], waits, strict=True)
        ]
        table = grid.copy()
        table.columns = [dates.day_month(week) for week in table.columns]
        table.insert(0, "pair", labels)
        self.grid_image.show_later(
            lambda: runtime.charts().to_png(runtime.charts().week_heatmap(grid, drawn)),
            cohort.describe_grid(grid, labels, by_name=self.sort.value == "name"),
            table,
        )
        more = len(pairs) - len(shown)
        note = f" Showing {len(shown)} of {len(pairs)} pairs; the CSV has them all." if more else ""
        self.grid_note.value = (
            "<p>Each row is a pair, with the days since their last held session; each column "
            f"a week.{note}</p>" + (f"<p>{html.escape(later_said)}</p>" if later else "")
        )

    def _starting_later(self, every_pair: list[Partnership]) -> tuple[list[Partnership], str]:
        """Of ``every_pair`` of the cohort, the running pairs that start after the range (paired
        for a day to come), which no figure of the range counts, and the sentence that names
        them."""
        later = sorted(
            (p for p in every_pair if p.is_active and p.started_on > self.view.end),
            key=lambda p: (p.started_on, p.id),
        )
        if not later:
            return [], ""
        persons = schema.persons
        with self.store.reading() as tx:
            # Names only, as for every pair the page shows.
            names = dict(
                tx.connection.execute(
                    sa.select(persons.c.id, persons.c.name).where(
                        persons.c.id.in_([m for p in later for m in p.members])
                    )
                ).all()
            )
        named = [
            f"{wording.isolated(names.get(p.person_a_id, '?'))} & "
            f"{wording.isolated(names.get(p.person_b_id, '?'))} "
            f"(from {dates.long(p.started_on)})"
            for p in later[:LATER_NAMED]
        ]
        more = len(later) - len(named)
        return later, (
            "Starting after this range, so in none of its figures: "
            + "; ".join(named)
            + (f"; and {more} more pair{'s' if more != 1 else ''}" if more else "")
            + "."
        )

    def _shown(self) -> dict[str, bool]:
        """Which of the spread's measures may be shown: those made of at least three people
        (a pair's figure may be one person's)."""
        return {column: self.view.enough_people(column) for column in cohort.SPREAD}

    def _draw_spread(self) -> None:
        pairs = self.view.pairs
        shown = self._shown()
        titles = {column: title for column, (title, _, _) in cohort.SPREAD.items()}
        # Pair by pair, a session-check average is one or two people's own answers: the chart
        # shows how they spread across pairs, and its table leaves them out.
        columns = [c for c in cohort.SPREAD if shown[c] and c not in cohort.PEOPLES_ANSWERS]
        table = pairs[["pair", *columns]].assign(pair=pairs["pair"].map(self.names))
        # In the units the chart and the headline use ("79%", not 0.79).
        for column in columns:
            _title, scale, unit = cohort.SPREAD[column]
            if unit:
                table[column] = (table[column] * scale).round(0).astype("Int64")  # 49, not 49.00
        heads = {
            column: f"{title} ({cohort.SPREAD[column][2]})" if cohort.SPREAD[column][2] else title
            for column, title in titles.items()
        }
        self.spread_image.show_later(
            lambda: runtime.charts().to_png(runtime.charts().distributions(pairs, shown)),
            cohort.describe_spread(pairs, shown, titles),
            # With every measure too few to show, a table of pair names alone is no numbers:
            # none is offered (the sentence says why).
            table.rename(columns=heads) if columns else None,
        )

    def _show_flags(self) -> None:
        flags = self.view.flags
        if flags.empty:
            said = (
                "No flags: every pair is within the guide's rules."
                if not self.view.pairs.empty
                else "No flags: there is no pair in this range to look at."
            )
            self.flags_box.children = [widgets.HTML(f"<p>{said}</p>")]
            return
        rows = [
            widgets.HTML(
                f"<p>{len(flags)} flag{'s' if len(flags) != 1 else ''} on "
                f"{flags['pair'].nunique()} pair{'s' if flags['pair'].nunique() != 1 else ''}."
                + (
                    f" Showing the first {SHOWN_FLAGS}; the CSV has them all."
                    if len(flags) > SHOWN_FLAGS
                    else ""
                )
                + (
                    ""
                    if self._current
                    else f" These are the flags as they stood on {dates.long(self.view.end)}; "
                    "follow-ups are marked on today's flags (a range that ends today)."
                )
                + "</p>"
            )
        ]
        for flag in flags.head(SHOWN_FLAGS).itertuples():
            done = not pd.isna(flag.followed_up_on)
            # A rule raised from one partner's own answers is not named to the pair: the
            # other would learn what they answered (see FROM_ONE_PARTNER).
            guide = context.link(
                "courageous_conversation.ipynb",
                partnership=int(flag.pair),
                prompted=None if flag.rule in FROM_ONE_PARTNER else flag.rule,
            )
            text = widgets.HTML(
                f"<div style='font-size:13px'><strong>⚑ {html.escape(flag.rule.capitalize())}"
                f"</strong>: {html.escape(self.names.get(flag.pair, str(flag.pair)))}. "
                f"{html.escape(flag.numbers[:1].upper() + flag.numbers[1:])}. "
                f"<em>{html.escape(flag.action)}</em> "
                f"(<a href='{html.escape(guide)}' style='{forms.LINK}'>their conversation "
                # Heard with its pair: a screen reader lists a page's links, one per flag.
                f"page{forms.unseen(' of ' + self.names.get(flag.pair, ''))}</a>, "
                "to send them: it is theirs to fill in)."
                + (
                    f" <span style='color:#1b6e2a'>✓ Followed up on "
                    f"{dates.short(pd.Timestamp(flag.followed_up_on))}.</span>"
                    if done
                    else ""
                )
                + "</div>",
                layout=widgets.Layout(width="820px"),
            )
            # Marked today: a slip of the hand can be taken back the same day.
            undo = (
                done
                and self._current
                and pd.Timestamp(flag.followed_up_on) == pd.Timestamp(self.today)
            )
            button = widgets.Button(
                description="Undo the follow-up mark" if undo else "Mark followed up",
                icon="undo" if undo else "check",
                disabled=not undo and (done or not self._current),
                layout=widgets.Layout(width="auto"),
                tooltip=f"{self.names.get(flag.pair, '')}, {flag.rule}",
            )
            # Named for its flag ("Mark followed up: A & B, lapsing") by the page's script:
            # a screen reader lists buttons by name, and there is one per flag.
            forms.name_by_tooltip(button)
            # Redrawn when pressed (with every flag): the page gives the focus to the same
            # flag's new button, not to the top of the page.
            button.add_class("peercoach-refocus")
            action = self._undo_follow_up if undo else self._follow_up
            button.on_click(runtime.guarded(action(int(flag.pair), flag.rule)))
            rows.append(
                widgets.HBox(
                    [text, button],
                    layout=widgets.Layout(border_bottom="1px solid #e0e0e0", padding="4px 0"),
                )
            )
        self.flags_box.children = rows

    @property
    def _current(self) -> bool:
        """Whether the view shows today's flags (only those can be marked followed up)."""
        return self.view is not None and self.view.end == self.today

    def _follow_up(self, pair: int, rule: str):
        def mark(_button) -> None:
            if not self._current:
                return
            chosen = self.store.get(Cohort, self.chooser.value)
            self.store.save(
                FlagFollowUp(
                    partnership_id=pair,
                    rule=rule,
                    followed_up_on=self.today,
                    by=chosen.facilitator_id,
                )
            )
            self.refresh()

        return mark

    def _undo_follow_up(self, pair: int, rule: str):
        def undo(_button) -> None:
            if not self._current:
                return
            with self.store.transaction() as tx:
                for marked in tx.find(
                    FlagFollowUp, partnership_id=pair, rule=rule, followed_up_on=self.today
                ):
                    tx.delete(FlagFollowUp, marked.id)
            self.refresh()

        return undo

    def _show_endings(self) -> None:
        summary = cohort.endings(self.store, self.chooser.value, self.view.start, self.view.end)
        cells = "".join(
            f"<div style='padding:8px 14px;border:1px solid #c8c8c8;border-radius:6px;"
            f"min-width:150px'><div style='font-size:18px;font-weight:600'>{html.escape(value)}"
            f"</div><div style='font-size:13px;color:#444'>{html.escape(label)}</div></div>"
            for label, value in summary.figures().items()
        )
        reasons = (
            "<p>No partnership ended in this time.</p>"
            if summary.reasons.empty
            else f"<p>Why they ended is {cohort.TOO_FEW} while fewer than {cohort.MIN_GROUP} "
            "partnerships ended in the range: each pair's reason could be told.</p>"
            if summary.reasons_withheld
            # The caption short: a caption is as wide as its table (two narrow columns).
            else "<p style='font-size:13px;margin:8px 0 2px'>The reason each chose; never "
            "their words.</p><table style='font-size:13px;border-collapse:collapse'><caption "
            "style='text-align:left;font-weight:600;white-space:nowrap'>Why they ended"
            "</caption><thead><tr><th style='text-align:left;padding-right:"
            "14px'>Reason</th><th style='text-align:right'>Partnerships</th></tr></thead><tbody>"
            + "".join(
                f"<tr><td style='padding-right:14px'>{html.escape(str(reason).capitalize())}</td>"
                f"<td style='text-align:right'>{int(count)}</td></tr>"
                for reason, count in summary.reasons.items()
            )
            + "</tbody></table>"
        )
        self.endings.value = (
            f"<div style='display:flex;gap:10px;flex-wrap:wrap;margin:8px 0'>{cells}</div>"
            + reasons
            + "<p style='font-size:13px'>A flag counts from the day it was first raised until "
            "the pair no longer meets the rule (recovered) or ends.</p>"
        )

    def _people_to_pair(self) -> list:
        """The chosen cohort's participants (not forgotten), by name: ids and names only, the
        facilitator's page reads nothing else about a person."""
        persons = schema.persons
        with self.store.reading() as tx:
            rows = tx.connection.execute(
                sa.select(persons.c.id, persons.c.name).where(
                    persons.c.cohort_id == self.chooser.value,
                    persons.c.role == Role.PARTICIPANT.value,
                    persons.c.forgotten_at.is_(None),
                )
            ).all()
        return sorted(rows, key=lambda row: wording.alphabetical(row.name))

    def _offer_pairing(self) -> None:
        cohort_id = self.chooser.value
        people = self._people_to_pair()
        pairs = self.store.find(Partnership, cohort_id=cohort_id)
        partner_of = {pid: q.partner_of(pid) for q in pairs if q.is_active for pid in q.members}
        active = set(partner_of)
        ever = {pid for q in pairs for pid in q.members}
        names = {p.id: p.name for p in people}
        if missing := sorted(set(partner_of.values()) - set(names)):
            # (In another cohort, say: ids and names only, as everywhere on this page.)
            with self.store.reading() as tx:
                names |= dict(
                    tx.connection.execute(
                        sa.select(schema.persons.c.id, schema.persons.c.name).where(
                            schema.persons.c.id.in_(missing)
                        )
                    ).all()
                )
        # Those without a partner first: someone never paired is told apart from someone whose
        # partnership ended.
        alone = [p for p in people if p.id not in active]
        options = [
            (
                f"{wording.isolated(p.name)} "
                f"({'no partner now' if p.id in ever else 'not paired yet'})",
                p.id,
            )
            for p in alone
        ] + [
            # Said in the list, not only once chosen: a running partnership must end first.
            (
                f"{wording.isolated(p.name)} (paired with "
                f"{wording.isolated(names.get(partner_of[p.id], 'someone'))})",
                p.id,
            )
            for p in people
            if p.id in active
        ]
        self._loading_pairing = True
        try:
            for field, prompt in (
                (self.pair_person, "Choose a person…"),
                (self.pair_partner, "Choose their new partner…"),
            ):
                chosen = field.value
                field.control.options = [(prompt, None), *options]
                field.value = chosen
                field.show()
        finally:
            self._loading_pairing = False

    #: A start further ahead than this is noted (a year typed wrong goes through otherwise).
    FAR_AHEAD_DAYS = 183

    def _pairing_faults(self, *, required: bool) -> dict[str, str]:
        """What stands against pairing the people chosen, from the day chosen (every fault at
        once, as far as what is chosen lets it be said); with ``required``, what is not chosen
        yet too."""
        a, b, on = self.pair_person.value, self.pair_partner.value, self.pair_start.value
        errors = {}
        if required:
            if a is None:
                errors["person_a_id"] = "choose the person to pair"
            if b is None:
                errors["person_b_id"] = "choose their new partner"
            if on is None:
                errors["started_on"] = "choose the day the partnership starts"
        if a is not None or b is not None:
            for problem in partnerships.pairing_problems(self.store, a, b, on=on or self.today):
                if problem.path != "started_on" or on is not None:  # no day: none to fault
                    errors.setdefault(problem.path, problem.message)
        return errors

    def _show_pairing_faults(self, errors: dict[str, str]) -> None:
        forms.show_messages(self.pair_fields, errors)
        # "Nobody was paired" names what is marked now, and goes with the last mark (it named
        # a field this check had cleared; and a field's error that gave way to another one in
        # a change took the summary with it).
        if self._pairing_refused and errors:
            self.pair_result.value = forms.refused(self.pair_fields, lead="Nobody was paired")
        else:
            forms.restate(self.pair_result, self.pair_fields.values())
        a, b = self.pair_person.value, self.pair_partner.value
        named = a is not None and b is not None
        if (
            named
            and not errors.keys() & {"person_a_id", "person_b_id"}
            and (before := partnerships.together_before(self.store, a, b)) is not None
        ):
            # Not why it ended: the dashboard tells no pair's reason (only reasons of three
            # endings or more, counted together).
            self.pair_partner.show(
                "warning",
                f"they were partners before, until {dates.long(before.ended_on)}: talk it "
                "over with them both before pairing them again",
            )
        on = self.pair_start.value
        if "started_on" not in errors and on is not None:
            ahead = (on - self.today).days
            back = partnerships.back_dated_note(
                on,
                self.today,
                "this dashboard counts them as not meeting since that day, and flags them as "
                "lapsing",
            )
            if ahead > self.FAR_AHEAD_DAYS:
                self.pair_start.show(
                    "warning",
                    f"{dates.long(on)} is {ahead:,} days from today: the pair appears in no "
                    "figure until then",
                )
            elif back is not None:  # a year typed wrong, as one typed ahead
                self.pair_start.show("warning", back)

    def _on_pairing_edit(self, _change=None) -> None:
        """A choice made, or the day changed: its faults said at once (the same person twice,
        someone in a running partnership), not only on "Pair them"."""
        if self._loading_pairing:
            return
        self._paired = False
        # Once "Pair them" was refused, what is still not chosen stays said (choosing the
        # person took "choose their new partner" away, as if nothing were missing).
        self._show_pairing_faults(self._pairing_faults(required=self._pairing_refused))

    def _on_pair(self, _button) -> None:
        if self._paired:
            return  # what it said of the pair just made stays
        errors = self._pairing_faults(required=True)
        self._pairing_refused = bool(errors)
        self._show_pairing_faults(errors)  # says "Nobody was paired" when refused
        if errors:
            return
        chosen = self.store.get(Cohort, self.chooser.value)
        opened_on = self._default_range(chosen)
        try:
            new = partnerships.pair(
                self.store,
                self.pair_person.value,
                self.pair_partner.value,
                on=self.pair_start.value,
                cohort_id=chosen.id,
                by=chosen.facilitator_id,
            )
        except ValidationError as exc:
            self.pair_result.value = forms.refusal(self.pair_fields, exc, "Nobody was paired")
            return
        except Exception:
            log.exception("pairing failed")
            self.pair_result.value = forms.notice(
                "error",
                "The pair could not be saved, so nothing was changed. " + forms.try_again(),
            )
            return
        names = {p.id: p.name for p in self.store.find(Person, id=list(new.members))}
        agreement = context.link("first_session_agreement.ipynb", partnership=new.id)
        # A range as the cohort opened takes in a pair that began before it, as a reload
        # would (it stayed on today alone for a cohort's first pair, back-dated).
        now_on = self._default_range(chosen)
        if (self.start.value, self.end.value) == opened_on and now_on != opened_on:
            self._quiet = True
            self.start.value, self.end.value = now_on
            self._quiet = False
        self.refresh()
        self._offer_pairing()
        # Emptied for the next pair (the day stays: pairs often start together).
        self._loading_pairing = True
        try:
            self.pair_person.value = self.pair_partner.value = None
        finally:
            self._loading_pairing = False
        self._paired = True
        self._pairing_refused = False
        self.pair_result.value = forms.notice(
            "ok",
            f"{html.escape(names[new.person_a_id])} and {html.escape(names[new.person_b_id])} "
            f"are partners from {dates.long(new.started_on)}. They start at their "
            f"<a href='{html.escape(agreement)}' style='{forms.LINK}'>first-session "
            "agreement</a>.",
        )

    def _offer_downloads(self) -> None:
        pairs = self.view.pairs.assign(pair_name=self.view.pairs["pair"].map(self.names))
        # The page counts a pair that never met from its start ("no session yet, paired 9 days
        # ago"); a column of numbers cannot say so: the days count from a held session only.
        pairs["last_held"] = pairs["last_held"].dt.strftime("%Y-%m-%d")
        pairs["days_since_last_held"] = pairs["days_since_last"].where(pairs["last_held"].notna())
        columns = [
            "pair",
            "pair_name",
            "active",
            "interval_days",
            "planned",
            # Held of those planned, as the headline counts them, and held without a plan.
            "held_planned",
            "held_unplanned",
            "held",
            "missed",
            "last_held",
            "days_since_last_held",
            "follow_through",
            "follow_through_recent",
            "minute_balance",
            "minute_balance_recent",
            "checks",
            "flagged_checks",
            "checked_sessions",
            "low_check_sessions",
            "gas_change",
            "lsi_change",
        ]
        # What the page withholds (fewer than three people behind it), the CSV withholds too.
        withheld = [c for c, ok in self._shown().items() if not ok]
        for column in ("follow_through", "minute_balance"):
            if column in withheld:
                withheld.append(f"{column}_recent")
        pairs[withheld] = np.nan
        # Counts stay whole numbers where a pair has none (days since a session: 6, not 6.0).
        for name in columns:
            column = pairs[name]
            if pd.api.types.is_float_dtype(column) and (column.dropna() % 1 == 0).all():
                pairs[name] = column.astype("Int64")
        flags = self.view.flags.assign(pair_name=self.view.flags["pair"].map(self.names))
        flags = flags[["pair", "pair_name", *flags.columns.drop(["pair", "pair_name"])]]
        # The range is in the name: two ranges exported the same day are two files.
        stem = f"cohort-{self.chooser.value}-{self.view.start:%Y%m%d}-{self.view.end:%Y%m%d}"
        # Rates and changes to three decimals: 0.895, not 0.8947368421052632.
        self.downloads.value = forms.download_link(
            "Pairs (CSV)",
            f"{stem}-pairs.csv",
            spreadsheets.csv_bytes(pairs[columns].round(3)),
            "text/csv",
        ) + forms.download_link(
            "Flags (CSV)", f"{stem}-flags.csv", spreadsheets.csv_bytes(flags), "text/csv"
        )


def facilitators_only(viewer) -> str:
    name = viewer.person.name if viewer.person is not None else viewer.hub_user
    why = (
        f" (The workbook could not check your role with the sign-in service: {viewer.problem}.)"
        if viewer.problem
        else ""
    )
    return forms.notice(
        "info",
        "<strong>This page is for facilitators.</strong> "
        + html.escape(
            f"You are signed in as {name}. The cohort dashboard shows a facilitator how the "
            "pairs of their cohort are doing; your own workbook is on the home page. If you "
            f"facilitate a cohort, ask whoever runs this server to add you to the hub's "
            f"“facilitators” group.{why}"
        ),
    )


def no_cohort(viewer) -> str:
    name = viewer.person.name if viewer.person is not None else viewer.hub_user
    return forms.notice(
        "info",
        html.escape(
            f"You are signed in as {name}, a facilitator, but no cohort in this workbook names "
            "you as its facilitator yet. Ask whoever runs this server to enrol your cohort with "
            "you as its facilitator (peercoach enrol)."
        ),
    )


def build_cohort_app(store: Store | None = None, **kwargs) -> widgets.Widget:
    """The cohort dashboard; the cohort comes from the page's URL when not given."""
    runtime.prepare_charts()  # while a preheated kernel waits for its page
    kwargs.setdefault("cohort_id", context.int_param("cohort"))
    kwargs.setdefault("person_id", context.person_param(store))
    kwargs.setdefault("start", context.date_param("from"))
    kwargs.setdefault("end", context.date_param("to"))
    return runtime.launch(CohortDashboardApp, store, **kwargs)
