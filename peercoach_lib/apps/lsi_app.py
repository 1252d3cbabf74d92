"""The Lifestyle Satisfaction Index app: rate each life area, see the results as you go, save."""

from __future__ import annotations

import datetime as dt
import html
import logging

import ipywidgets as widgets
import pandas as pd

from peercoach_lib import dates, lsi
from peercoach_lib.apps import context, forms, runtime
from peercoach_lib.errors import ConfigurationError, ValidationError
from peercoach_lib.model import ChangePlan, LsiAreaRating, LsiAssessment, Person, PlanStatus
from peercoach_lib.store import Store

log = logging.getLogger(__name__)

CHANGE_PLAN_APP = "personal_change_plan.ipynb"
SATISFACTION = "How satisfied I am now"
IMPORTANCE = "How much it matters to me"
SCALE = (
    "<p>For each area, move the first slider to how satisfied you are with it now, and the "
    "second to how much it matters to you: <strong>0</strong> means not at all, "
    "<strong>10</strong> means completely.</p>"
)


class AreaRow(widgets.VBox):
    """One life area: how satisfied I am with it, and how much it matters to me."""

    def __init__(self, area: str):
        self.area = area
        self.satisfaction = widgets.IntSlider(
            value=5,
            min=0,
            max=10,
            description=SATISFACTION,
            continuous_update=False,
            style=forms._STYLE,
            layout=widgets.Layout(width="min(100%, 640px)"),
        )
        self.importance = widgets.IntSlider(
            value=5,
            min=0,
            max=10,
            description=IMPORTANCE,
            continuous_update=False,
            style=forms._STYLE,
            layout=widgets.Layout(width="min(100%, 640px)"),
        )
        for slider in (self.satisfaction, self.importance):
            forms.label_in_context(slider, area)
        super().__init__(
            [
                widgets.HTML(f"<h3 style='margin:10px 0 2px'>{html.escape(area)}</h3>"),
                self.satisfaction,
                self.importance,
            ]
        )

    def rating(self) -> LsiAreaRating:
        return LsiAreaRating(
            area=self.area, satisfaction=self.satisfaction.value, importance=self.importance.value
        )


class LsiApp(widgets.VBox):
    """Take the Lifestyle Satisfaction Index, compare it with the last one, and pick a focus."""

    def __init__(
        self,
        store: Store | None = None,
        *,
        person_id: int | None = None,
        today: dt.date | None = None,
    ):
        super().__init__(layout=widgets.Layout(max_width="1000px"))
        self.add_class("peercoach-app")
        self.add_class("peercoach-lsi")
        self.store = store or Store()
        self.today = today or context.today(self.store)
        self.history: list[LsiAssessment] = []
        self._planned_areas: set[str] = set()
        self._loading = False

        self.person = forms.dropdown("I am", "person_id", [])
        self.demo = widgets.HTML()
        self.about = widgets.HTML(forms.notice("info", html.escape(lsi.DISCLAIMER)))
        self.taken_on = forms.date("Date", "taken_on", value=self.today)
        self._shown_note = ""  # the note the form showed for the date on screen
        self._note_day: dt.date | None = None  # the day whose note the note box started from
        self._shown_ratings: tuple = ()  # the ratings the sliders showed for the date on screen
        self._ratings_day: dt.date | None = None  # the saved day they came from, if any
        self._focus_chosen = False  # the person picked the focus areas themselves
        self._loading_focus = False
        self.rows_box = widgets.VBox()
        self.note = forms.textarea("A note to myself (private)", "note")
        self.results = widgets.HTML()
        self.wheel = forms.ChartView(max_width="560px", name="my wheel")
        self.comparison_title = widgets.HTML()
        self.comparison = forms.ChartView(max_width="640px", name="compared with last time")
        self.focus = forms.CheckList("Focus on")
        self.plan_link = widgets.HTML()
        self.save_button = widgets.Button(
            description="Save assessment",
            button_style="primary",
            icon="save",
            layout=widgets.Layout(margin=f"12px 0 0 {forms.LABEL_WIDTH}"),
        )
        self.result = widgets.HTML()
        self.history_table = widgets.HTML()
        self.fields = {f.path: f for f in (self.person, self.taken_on, self.note)}
        forms.retire_when_mended(self.result, self.fields.values())
        self.form = widgets.VBox(
            [
                self.about,
                self.taken_on,
                forms.heading("Rate each area of your life"),
                widgets.HTML(SCALE),
                self.rows_box,
                self.note,
                self.save_button,
                self.result,
                forms.heading("Your results"),
                self.results,
                self.wheel,
                self.comparison_title,
                self.comparison,
                forms.heading("What to work on"),
                self.focus,
                self.plan_link,
                forms.heading("Your assessments"),
                self.history_table,
            ]
        )
        self.unsaved = forms.UnsavedChanges(self._snapshot, what="this assessment")
        self.children = [
            forms.stylesheet(),
            self.demo,
            self.person,
            forms.Place(person=self.person),
            self.unsaved,
            self.form,
        ]

        try:
            self.areas = lsi.load_areas()
        except ConfigurationError as exc:
            log.exception("the LSI areas cannot be loaded")
            self.areas = []
            self.children = [
                forms.stylesheet(),
                widgets.HTML(
                    forms.notice(
                        "error", f"The list of life areas is not available: {html.escape(str(exc))}"
                    )
                ),
            ]
            return
        self.rows = [AreaRow(area) for area in self.areas]
        self.rows_box.children = self.rows
        for row in self.rows:
            row.satisfaction.observe(runtime.guarded(self._on_rating), names="value")
            row.importance.observe(runtime.guarded(self._on_rating), names="value")
        self.focus.observe(runtime.guarded(self._on_focus), names="value")
        self.taken_on.control.observe(runtime.guarded(self._on_date), names="value")
        self.note.control.observe(runtime.guarded(self._on_note), names="value")
        self.save_button.on_click(runtime.settled(self._on_save))
        forms.check_as_left(self.note, LsiAssessment)  # too long: said as it is left
        # Choose before listening, so the person's data loads once (below), not twice.
        forms.offer_participants(self.person, self.store, person_id)
        self.unsaved.watch(self.person, self._on_person)
        self._on_person()

    # -- loading ---------------------------------------------------------------------------------

    def _on_person(self, _change=None) -> None:
        person_id = self.person.value
        self.form.layout.display = "none" if person_id is None else "flex"
        if person_id is None:
            return
        me = self.store.get(Person, person_id)
        self.demo.value = forms.demo_notice() if me.is_demo else ""
        self.history = self.store.find(LsiAssessment, person_id=person_id, order_by="taken_on")
        # The areas with a plan under way: their link opens that plan rather than starting one.
        self._planned_areas = {
            plan.lsi_area
            for plan in self.store.find(ChangePlan, person_id=person_id)
            if plan.status is PlanStatus.ACTIVE and plan.lsi_area
        }
        # Start from where I was last time, so that I move only what has changed; draw once.
        self._loading = True
        self._focus_chosen = False
        try:
            self._show_ratings(self.today)
            # A new person starts a fresh form: nothing typed for someone else stays in it; a
            # day already saved shows its note (saving again must not wipe it).
            self.taken_on.value = self.today
            self._shown_note = self.note.value = self._note_of(self.today)
            self._note_day = self.today
        finally:
            self._loading = False
        forms.show_messages(self.fields, {})
        self.result.value = ""
        self._show_history()
        self.refresh()
        self.unsaved.mark_clean()
        self._on_focus()  # the link to a plan, now that the form is as saved

    def _saved_on(self, day: dt.date | None) -> LsiAssessment | None:
        """The assessment saved for ``day`` (one a day), if any."""
        return next((a for a in self.history if a.taken_on == day), None)

    def _ratings(self) -> tuple:
        return tuple((row.satisfaction.value, row.importance.value) for row in self.rows)

    def _show_ratings(self, day: dt.date | None) -> None:
        """Put on the sliders the ratings saved for ``day``; for a day not saved, the latest
        saved before it (where I was then: the later one brought changes never made on that day
        into its comparison), else the nearest after it; 5 for an area never rated."""
        saved = self._saved_on(day)
        before = [a for a in self.history if a.taken_on < day] if day else self.history
        start = saved or (before[-1] if before else self.history[0] if self.history else None)
        earlier = {a.area.casefold(): a for a in start.areas} if start else {}
        loading, self._loading = self._loading, True
        try:
            for row in self.rows:
                rating = earlier.get(row.area.casefold())
                row.satisfaction.value = rating.satisfaction if rating else 5
                row.importance.value = rating.importance if rating else 5
        finally:
            self._loading = loading
        self._shown_ratings = self._ratings()
        self._ratings_day = day if saved is not None else None

    def _as_left(self) -> bool:
        """Whether the sliders still show, untouched, the assessment they started from (where
        the person was before), on a day not saved yet: nothing rated for this day so far."""
        return (
            bool(self.history)
            and self._ratings_day is None
            and self._saved_on(self.taken_on.value) is None
            and self._ratings() == self._shown_ratings
        )

    def _note_of(self, day: dt.date | None) -> str:
        """The note saved with the assessment of ``day`` ("" when there is none)."""
        saved = self._saved_on(day)
        return (saved.note or "") if saved is not None else ""

    def _on_date(self, change) -> None:
        if self._loading:
            return
        forms.changed_since_saved(self.result)
        # The note follows the date until the person writes in it: another day already saved
        # shows that day's note, which saving would otherwise replace.
        if self.note.value.strip() == self._shown_note.strip():  # spaces are not writing
            self._shown_note = self.note.value = self._note_of(change["new"])
            self._note_day = change["new"]
        # So do the ratings, until the person moves a slider: a day already saved shows its own.
        if self._ratings() == self._shown_ratings:
            self._show_ratings(change["new"])
        self._warn_of_replacing()
        day = change["new"]
        if day is not None and day > self.today:  # said as it is chosen, not only on saving
            self.taken_on.show("error", dates.after_today(self.today))
        self.refresh()  # compared with the assessment before the new date

    def _on_note(self, _change=None) -> None:
        if not self._loading:
            forms.changed_since_saved(self.result)
            self._warn_of_replacing()
            self._on_focus()  # a note not saved holds the link to a plan back

    def _warn_of_replacing(self) -> None:
        """Say, beside the date, what of a day already saved a save would replace: its ratings
        (the sliders show the latest day's, not that day's) and a note other than its own."""
        day = self.taken_on.value
        saved = self._saved_on(day)
        replaced = []
        # Ratings brought from another day (moved before the date was changed); moving the
        # sliders of this day's own is an ordinary update.
        if saved is not None and self._ratings_day != day:
            ratings = {a.area.casefold(): (a.satisfaction, a.importance) for a in saved.areas}
            shown = {
                row.area.casefold(): value
                for row, value in zip(self.rows, self._ratings(), strict=True)
            }
            if ratings != shown:
                replaced.append("ratings")
        # A note written for another day, or carried over from it; editing this day's own
        # note is an ordinary update.
        if (
            saved is not None
            and self._note_day != day
            and (saved.note or "") != self.note.value.strip()
        ):
            replaced.append("note" if saved.note else "empty note")
        if replaced:
            self.taken_on.show(
                "warning",
                f"you saved an assessment on {dates.long(day)}: saving replaces its "
                f"{' and '.join(replaced)} with these",
            )
        elif self.taken_on.kind == "warning":
            self.taken_on.show()

    #: What :meth:`_snapshot` gives for a form that holds nothing unsaved.
    _AS_STORED = ("as stored",)

    def _snapshot(self) -> tuple:
        """The ratings, date and note on screen (whoever they are for); or, where they are
        what is saved for that day (a day chosen, untouched), or a day not saved yet with the
        sliders as left and no note (nothing rated yet), :data:`_AS_STORED`: leaving then loses
        nothing (choosing a day already saved counted as an edit)."""
        ratings, day, note = self._ratings(), self.taken_on.value, self.note.value
        saved = self._saved_on(day)
        if saved is not None:
            by_area = {a.area.casefold(): (a.satisfaction, a.importance) for a in saved.areas}
            stored = tuple(by_area.get(row.area.casefold(), (5, 5)) for row in self.rows)
            if ratings == stored and note.strip() == (saved.note or "").strip():
                return self._AS_STORED
        elif ratings == self._shown_ratings and not note.strip():
            return self._AS_STORED
        return ratings, day, note

    # -- live results ----------------------------------------------------------------------------

    def draft(self) -> LsiAssessment | None:
        """The assessment as the sliders show it (None when the date is not valid)."""
        try:
            return LsiAssessment(
                person_id=self.person.value,
                taken_on=self.taken_on.value,
                areas=[row.rating() for row in self.rows],
                note=self.note.value,
            )
        except ValidationError:
            return None

    def _on_rating(self, _change) -> None:
        if not self._loading:
            forms.changed_since_saved(self.result)
            self.refresh()

    def refresh(self) -> None:
        """Recompute the scores and redraw the charts from the sliders."""
        current = self._current()
        suggested = lsi.focus_areas(current)
        # In the order the focus is suggested in (ties: the less satisfying area first).
        gap_rows = "".join(
            f"<tr><td>{html.escape(area)}</td><td style='text-align:right'>{gap:+d}</td></tr>"
            for area, gap in lsi.ranked_gaps(current)
        )
        focus_text = (
            ", ".join(html.escape(a) for a in suggested)
            if suggested
            else "none: every area is at least as satisfying as it is important"
        )
        self.results.value = (
            f"<p style='font-size:15px'><strong>Index: {lsi.index(current):.1f}</strong> of 100 "
            f"&nbsp;·&nbsp; <strong>Spread:</strong> {lsi.spread(current)} "
            f"point{'' if lsi.spread(current) == 1 else 's'} between your most and least "
            "satisfying areas</p>"
            f"<p><strong>Suggested focus:</strong> {focus_text}</p>"
            + (
                f"<table style='font-size:13px'><thead><tr><th style='text-align:left;"
                f"padding-right:14px'>Area</th><th>Priority gap (importance − satisfaction)</th>"
                f"</tr></thead><tbody>{gap_rows}</tbody></table>"
                if gap_rows
                else ""
            )
        )
        earlier = self._earlier()
        if earlier is None:
            self.comparison_title.value = ""
            self.comparison.hide()
        elif self._as_left():
            # The last assessment compared with itself would read as "no change at all".
            self.comparison_title.value = (
                "<p>The sliders start where you left them on "
                f"{dates.long(self.history[-1].taken_on)}: "
                "move them to rate how things are now, and how that compares shows here.</p>"
            )
            self.comparison.hide()
        else:
            change = lsi.index(current) - lsi.index(earlier)
            differ = lsi.areas_differ(earlier, current)
            self.comparison_title.value = (
                f"<p>Compared with {dates.long(earlier.taken_on)}: index "
                f"{lsi.index(earlier):.1f} → {lsi.index(current):.1f} ({change:+.1f})."
                + (
                    f" That assessment was taken with other areas ({html.escape(differ)}), "
                    "so the two indexes are not over the same areas."
                    if differ
                    else ""
                )
                + "</p>"
            )
        self._draw_charts()
        chosen = self.focus.value
        self._loading_focus = True
        try:
            self.focus.options = [a.area for a in current.areas]
            # The person's own pick stays; until they make one, the focus follows the ratings.
            self.focus.value = tuple(chosen) if self._focus_chosen else tuple(suggested)
        finally:
            self._loading_focus = False
        self._on_focus()

    def _current(self) -> LsiAssessment:
        """The assessment as the sliders show it (person and date matter only when saved)."""
        return LsiAssessment(
            person_id=self.person.value or 1,
            taken_on=self.today,
            areas=[row.rating() for row in self.rows],
        )

    def _draw_charts(self) -> None:
        if not self.rows:
            return
        current = self._current()
        self.wheel.show_later(
            lambda: runtime.charts().to_png(runtime.charts().lsi_wheel(current)),
            lsi.describe_wheel(current),
            lsi.frame(current).rename(columns={"gap": "priority gap"}),
            key=_satisfaction(current),  # not drawn again as an importance moves
        )
        earlier = self._earlier()
        if earlier is not None and not self._as_left():
            now = current.model_copy(update={"taken_on": self.taken_on.value or self.today})
            self.comparison.show_later(
                lambda: runtime.charts().to_png(runtime.charts().lsi_comparison(earlier, now)),
                lsi.describe_comparison(earlier, now),
                _comparison_numbers(earlier, now),
                key=(_satisfaction(earlier), _satisfaction(now)),
            )

    def _earlier(self) -> LsiAssessment | None:
        """The latest saved assessment from before the date being edited, if any."""
        day = self.taken_on.value or self.today
        before = [a for a in self.history if a.taken_on < day]
        return before[-1] if before else None

    def _on_focus(self, change=None) -> None:
        if change is not None and not self._loading_focus:
            self._focus_chosen = True
        chosen = list(self.focus.value)
        if not chosen or self.person.value is None:
            self.plan_link.value = (
                "<p style='margin-left:240px'>Choose one or more areas to start a change plan.</p>"
            )
            return
        if self.unsaved.unsaved:
            # Following a link leaves the page, and what is not saved (the LSI keeps no draft)
            # would be gone without a word: the link waits for the save.
            planned = [a for a in chosen if a in self._planned_areas]
            new = [a for a in chosen if a not in self._planned_areas]
            links = []
            if planned:
                plans = "Plans" if len(planned) > 1 else "Plan"
                links.append(f"opens your Personal Change {plans} for {forms.listed(planned)}")
            if new:
                each = f"each of {forms.listed(new)}" if len(new) > 1 else new[0]
                links.append(
                    f"starts one for {each}"
                    if planned
                    else f"starts a Personal Change Plan for {each}"
                )
            self.plan_link.value = (
                "<p style='margin-left:240px'>Save this assessment first: then a link here "
                + html.escape(" and ".join(links))
                + ".</p>"
            )
            return
        # A plan serves one life area: a link for each area chosen.
        links = "".join(
            f"<li><a href='{html.escape(href)}' style='{forms.LINK}'>"
            + (
                "Open your Personal Change Plan for "
                if area in self._planned_areas
                else "Start a Personal Change Plan for "
            )
            + f"{html.escape(area)}</a></li>"
            for area in chosen
            for href in [context.link(CHANGE_PLAN_APP, person=self.person.value, focus=[area])]
        )
        self.plan_link.value = f"<ul style='margin:4px 0 4px 240px;padding-left:18px'>{links}</ul>"

    # -- saving ----------------------------------------------------------------------------------

    def _on_save(self, _button=None) -> None:
        errors: dict[str, str] = {}
        try:
            assessment = LsiAssessment(
                person_id=self.person.value,
                taken_on=self.taken_on.value,
                areas=[row.rating() for row in self.rows],
                note=self.note.value,
            )
        except ValidationError as exc:
            errors = forms.error_messages(exc)
        if self.taken_on.value is not None and self.taken_on.value > self.today:
            # Said first, for any day to come (9999 too): the range of years is no help here.
            errors["taken_on"] = dates.after_today(self.today)
        unplaced = forms.show_messages(self.fields, errors)
        if errors:
            self.result.value = forms.refused(self.fields, unplaced)
            return
        # One assessment a day: saving again on the same date updates that day's.
        known = self._saved_on(assessment.taken_on)
        saved, replaced = lsi.save(self.store, assessment)
        # The box shows the note as saved (trimmed), so that it still follows the date.
        self._loading = True
        try:
            self._shown_note = self.note.value = saved.note or ""
            self._note_day = saved.taken_on
        finally:
            self._loading = False
        others = [a for a in self.history if a.id != saved.id]
        self.history = sorted([*others, saved], key=lambda a: (a.taken_on, a.id))
        self._shown_ratings, self._ratings_day = self._ratings(), saved.taken_on
        self.unsaved.mark_clean()
        self._on_focus()  # saved: the link to a plan is offered
        self._show_history()
        self._warn_of_replacing()
        verb = "Updated" if replaced is not None else "Saved"
        elsewhere = (
            f" It replaces the one saved for that day from another window since this page "
            f"opened (index {lsi.index(replaced):.1f})."
            if replaced is not None and replaced != known
            else ""
        )
        self.result.value = forms.notice(
            "ok",
            f"{verb} your assessment of {dates.long(saved.taken_on)} "
            f"(index {lsi.index(saved):.1f})." + elsewhere,
        )

    def _show_history(self) -> None:
        if not self.history:
            self.history_table.value = "<p>This will be your first assessment.</p>"
            return
        # Numbers to the right, kept apart from the words after them.
        number = "text-align:right;padding-right:14px"
        rows = "".join(
            f"<tr><td style='padding-right:14px'>{dates.short(a.taken_on)}</td>"
            f"<td style='{number}'>{lsi.index(a):.1f}</td>"
            f"<td style='{number}'>{lsi.spread(a)}</td>"
            f"<td>{html.escape(', '.join(lsi.focus_areas(a)) or '-')}</td></tr>"
            for a in reversed(self.history)
        )
        self.history_table.value = (
            "<table style='font-size:13px;border-collapse:collapse'><thead><tr>"
            "<th style='text-align:left;padding-right:14px'>Date</th>"
            "<th style='padding-right:14px'>Index</th><th style='padding-right:14px'>Spread</th>"
            "<th style='text-align:left'>Suggested focus</th></tr></thead>"
            f"<tbody>{rows}</tbody></table>"
        )


def _satisfaction(assessment: LsiAssessment) -> tuple:
    """What the LSI's charts draw of an assessment: its day, and each area's satisfaction."""
    return assessment.taken_on, tuple((a.area, a.satisfaction) for a in assessment.areas)


def _comparison_numbers(earlier: LsiAssessment, now: LsiAssessment) -> pd.DataFrame:
    """The comparison chart's numbers as it labels them: each side headed by its day, and the
    change signed ("+3", "±0", "-5"; "new" for an area the earlier one did not ask)."""
    table = lsi.compare(earlier, now)
    return pd.DataFrame(
        {
            "area": table["area"],
            dates.short(earlier.taken_on): table["before"],
            dates.short(now.taken_on): table["after"],
            "change": [
                "new" if pd.isna(c) else (f"{int(c):+d}" if c else "±0") for c in table["change"]
            ],
        }
    )


def build_lsi_app(store: Store | None = None, **kwargs) -> widgets.Widget:
    """The LSI app, ready to display; the person comes from the page's URL when not given."""
    runtime.prepare_charts()  # while a preheated kernel waits for its page
    kwargs.setdefault("person_id", context.person_param(store))
    return runtime.launch(LsiApp, store, **kwargs)
