"""My progress: charts across sessions, each with what it says in words and its numbers."""

from __future__ import annotations

import datetime as dt
import html

import ipywidgets as widgets
import pandas as pd

from peercoach_lib import dates, progress, spreadsheets, wording
from peercoach_lib.apps import context, forms, runtime
from peercoach_lib.model import Cohort, CohortSettings, Partnership, Person
from peercoach_lib.store import Store

LSI_APP = "lifestyle_satisfaction_index.ipynb"


class ChartSection(widgets.VBox):
    """One chart: its title, a plain-language reading, the picture (the reading is its alt text),
    its table on request, and downloads."""

    def __init__(self, title: str, key: str):
        self.key = key
        self.title = title
        self.reading = widgets.HTML()
        self.chart = forms.ChartView(name=title)
        self.downloads = widgets.HTML()
        super().__init__([forms.heading(title), self.reading, self.chart, self.downloads])

    def show(
        self,
        reading: str,
        figure,
        table: pd.DataFrame,
        stem: str,
        *,
        next_step: tuple[str, str] | None = None,
        download: pd.DataFrame | None = None,
    ) -> None:
        """Show the reading, and the chart that ``figure()`` makes (``figure`` is None when
        there is nothing to draw) once the person reaches it. ``next_step`` (words, address)
        follows the reading as a link: where to make the first of what the chart draws.
        ``download``: the numbers the CSV holds, when laid out for a spreadsheet otherwise than
        ``table`` is for reading (else ``table``)."""
        link = (
            f" <a href='{html.escape(next_step[1])}' style='{forms.LINK}'>"
            f"{html.escape(next_step[0])}</a>"
            if next_step
            else ""
        )
        self.reading.value = f"<p style='font-size:14px'>{html.escape(reading)}{link}</p>"
        if figure is None or table.empty:
            self.chart.hide()
            self.downloads.layout.display = "none"
            return
        self.downloads.layout.display = "none"  # until the picture they offer is drawn

        def offer(png: bytes) -> None:
            self.downloads.layout.display = "flex"
            # Heard with their chart's title: five charts each offer the two.
            self.downloads.value = forms.download_link(
                "Chart (PNG)",
                f"{stem}-{self.key}.png",
                png,
                "image/png",
                heard=f" of {self.title}",
            ) + forms.download_link(
                "Numbers (CSV)",
                f"{stem}-{self.key}.csv",
                spreadsheets.csv_bytes(table if download is None else download),
                "text/csv",
                heard=f" of {self.title}",
            )

        self.chart.show_later(
            lambda: runtime.charts().to_png(figure()),
            f"{self.title}: {reading}",
            readable(table),
            then=offer,
        )


#: The tables' columns as the page names them (the CSV keeps the names a program reads).
_HEADINGS = {
    "rated_on": "Rated on",
    "goal": "Goal",
    "level": "Level",
    "t_score": "T-score",
    "week": "Week of",
    "done": "Done",
    "partly": "Partly",
    "not done": "Not done",
    "dropped": "Dropped",
    "rate": "Followed through",
    "date": "Date",
    "status": "What happened",
    "planned": "Planned",
    "total": "Total (0–40)",
    "flagged": "Flagged",
}


def readable(table: pd.DataFrame) -> pd.DataFrame:
    """A chart's table as the page shows it: its columns named in words, yes and no for true
    and false, a share as a percentage (as the chart says it)."""
    shown = table.copy()
    for column in shown.columns:
        if pd.api.types.is_bool_dtype(shown[column]):
            shown[column] = shown[column].map({True: "yes", False: "no"})
    if "rate" in shown.columns:
        shown["rate"] = shown["rate"].map(lambda r: "–" if pd.isna(r) else f"{r:.0%}")
    return shown.rename(columns=_HEADINGS)


class ProgressApp(widgets.VBox):
    """Charts of one person's progress across sessions."""

    def __init__(
        self,
        store: Store | None = None,
        *,
        person_id: int | None = None,
        partnership_id: int | None = None,
        today: dt.date | None = None,
    ):
        super().__init__(layout=widgets.Layout(max_width="1000px"))
        self._offering = False
        self.add_class("peercoach-app")
        self.add_class("peercoach-progress")
        self.store = store or Store()
        self.today = today or context.today(self.store)
        self._given_today = today
        self.progress: progress.Progress | None = None
        self.person = forms.dropdown("I am", "person_id", [])
        #: Whose sessions "Meeting regularly" shows, for someone who has had more than one
        #: partnership (an earlier one's were out of reach once a new one had met).
        self.pair = forms.dropdown("Sessions with", "partnership_id", [])
        self._given_pair = partnership_id
        self.demo = widgets.HTML()
        self.summary = widgets.HTML()
        self.sections = {
            "goals": ChartSection("My goals", "goals"),
            "follow_through": ChartSection("Keeping my commitments", "follow-through"),
            "sessions": ChartSection("Meeting regularly", "sessions"),
            "lsi": ChartSection("Lifestyle Satisfaction Index", "lsi"),
            "checks": ChartSection("How my sessions went", "session-checks"),
        }
        sessions = self.sections["sessions"]
        sessions.children = [sessions.children[0], self.pair, *sessions.children[1:]]
        self.body = widgets.VBox([self.demo, self.summary, *self.sections.values()])
        self.children = [
            forms.stylesheet(),
            self.person,
            # Not the partnership looked back on: the other apps' links would open on it.
            forms.Place(person=self.person),
            self.body,
        ]
        # Choose before listening, so the person's data loads once (below), not twice.
        forms.offer_participants(self.person, self.store, person_id)
        self.person.control.observe(runtime.guarded(self._on_person), names="value")
        self.pair.control.observe(runtime.guarded(self._on_pair), names="value")
        self._on_person()

    def _on_person(self, _change=None) -> None:
        self._show(self._given_pair if _change is None else None)

    def _on_pair(self, change=None) -> None:
        if not self._offering:
            self._show(self.pair.value)

    def _offer_pairs(self, person_id: int, shown: Partnership | None) -> None:
        """The person's partnerships, newest first, with the one shown chosen; offered only to
        someone who has had more than one."""
        pairs = sorted(
            (p for p in self.store.find(Partnership) if person_id in p.members),
            key=lambda p: (p.started_on, p.id),
            reverse=True,
        )
        names = {
            p.id: p.name
            for p in self.store.find(Person, id=[q.partner_of(person_id) for q in pairs])
        }
        self._offering = True
        try:
            self.pair.control.options = [
                (
                    wording.isolated(names.get(p.partner_of(person_id), "?"))
                    + (
                        f" (ended {dates.short(p.ended_on)})"
                        if not p.is_active
                        else f" (from {dates.short(p.started_on)})"
                    ),
                    p.id,
                )
                for p in pairs
            ]
            self.pair.value = shown.id if shown else None
        finally:
            self._offering = False
        self.pair.layout.display = "flex" if len(pairs) > 1 else "none"

    def _show(self, partnership_id: int | None) -> None:
        person_id = self.person.value
        self.body.layout.display = "none" if person_id is None else "flex"
        if person_id is None:
            return
        me = self.store.get(Person, person_id)
        cohort = self.store.get(Cohort, me.cohort_id) if me.cohort_id else None
        p = progress.load(
            self.store,
            person_id,
            as_of=self.today,
            settings=cohort.settings if cohort else CohortSettings(),
            schedule_day=lambda zone: context.schedule_today(
                zone, self.store, given=self._given_today
            ),
            partnership_id=partnership_id,
        )
        self.progress = p
        self._offer_pairs(person_id, p.partnership)
        self.demo.value = forms.demo_notice() if me.is_demo else ""
        if p.is_empty:
            self.summary.value = forms.notice(
                "info",
                "<strong>Nothing to chart yet.</strong> Your progress appears here once "
                "you have logged a session, taken the Lifestyle Satisfaction Index or rated a "
                "goal. Start with the first-session agreement and your change plan.",
            )
        else:
            self.summary.value = ""
        stem = f"progress-{me.name.split()[0].lower()}-{self.today:%Y%m%d}"
        s = self.sections
        charts = runtime.charts  # charts() gives the module, imported when first drawn
        s["goals"].show(
            progress.read_gas(p),
            (lambda: charts().gas_progress(p.gas_levels, p.gas_scores, p.milestones))
            if len(p.gas_scores)
            else None,
            p.gas_table,
            stem,
        )
        s["follow_through"].show(
            progress.read_follow_through(p),
            (lambda: charts().follow_through_chart(p.follow_weekly, p.follow_recent, as_of=p.as_of))
            if len(p.follow_weekly)
            else None,
            p.follow_weekly,
            stem,
        )
        s["sessions"].show(
            progress.read_cadence(p),
            (lambda: charts().cadence_chart(p.sessions, p.gaps, p.interval_days))
            if len(p.sessions)
            else None,
            p.sessions,
            stem,
        )
        s["lsi"].show(
            progress.read_lsi(p),
            (lambda: charts().lsi_trend_chart(p.lsi_index, p.lsi_change))
            if len(p.lsi_index)
            else None,
            p.lsi_table,
            stem,
            download=p.lsi_by_day,
            next_step=(
                "Take the Lifestyle Satisfaction Index",
                context.link(LSI_APP, person=me.id),
            )
            if p.lsi_index.empty
            else None,
        )
        s["checks"].show(
            progress.read_checks(p),
            (lambda: charts().checks_chart(p.checks, p.check_threshold)) if len(p.checks) else None,
            p.checks,
            stem,
        )


def build_progress_app(store: Store | None = None, **kwargs) -> widgets.Widget:
    """The progress app; the person comes from the page's URL when not given."""
    runtime.prepare_charts()  # while a preheated kernel waits for its page
    kwargs.setdefault("person_id", context.person_param(store))
    kwargs.setdefault("partnership_id", context.int_param("partnership"))
    return runtime.launch(ProgressApp, store, **kwargs)
