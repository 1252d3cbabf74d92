"""The first-session agreement app: confidentiality, expectations, logistics, schedule and goals."""

from __future__ import annotations

import datetime as dt
import html
import logging
from collections.abc import Callable

import ipywidgets as widgets
import pydantic
import traitlets

from peercoach_lib import agreement as ag
from peercoach_lib import cohort, dates, documents, drafts, merging, partnerships, wording
from peercoach_lib.apps import context, forms, runtime
from peercoach_lib.errors import ConflictError, ValidationError
from peercoach_lib.model import (
    Agreement,
    Cohort,
    Frequency,
    Medium,
    PartnerSection,
    Partnership,
    Person,
    SessionFormat,
    SessionStatus,
    Weekday,
)
from peercoach_lib.model.base import (
    EARLIEST_DATE,
    LATEST_DATE,
    computer_time_zone,
    time_zone_name,
)
from peercoach_lib.store import Store

log = logging.getLogger(__name__)

#: The most sessions one schedule books (two years of weekly sessions).
MOST_SESSIONS = 104
CHANGE_PLAN_APP = "personal_change_plan.ipynb"
#: A goal's chooser of a change plan is named by at most this much of the goal.
GOAL_LABEL_CHARS = 120

NEW = "new"
SPLIT_MINUTES = 15


class PartnerPanel(widgets.VBox):
    """One partner's part: what confidentiality means to them, their affirmation, expectations."""

    def __init__(self, index: int, zone: Callable[[], str | None] = context.zone):
        prefix = f"partners[{index}]"
        self.person: Person | None = None
        #: The time zone the reader reads clocks in (:func:`context.zone`: the app gives the
        #: person under "I am").
        self.zone = zone
        self.affirmed_at: dt.datetime | None = None
        #: The affirmation as saved: a tick not saved yet is said to be one.
        self.saved_affirmed_at: dt.datetime | None = None
        self.meaning = forms.textarea(
            "What confidentiality means to me",
            f"{prefix}.confidentiality_meaning",
            placeholder="For example: what I share stays between us unless I say otherwise.",
        )
        self.affirm = widgets.Checkbox(
            description="I affirm the ground rule: what we share in our sessions stays between us",
            indent=False,
            layout=widgets.Layout(width="auto", margin="4px 0 0 240px"),
        )
        self.affirmed_line = widgets.HTML(layout=widgets.Layout(margin="0 0 8px 240px"))
        self.hopes = forms.textarea("What I hope to get out of peer coaching", f"{prefix}.hopes")
        self.works = forms.textarea(
            "What tends to work for me when coached", f"{prefix}.works_for_me"
        )
        self.not_working = forms.textarea("What does not work for me", f"{prefix}.does_not_work")
        self.support = forms.textarea(
            "What support looks like for me", f"{prefix}.support_looks_like"
        )
        self.whose = widgets.HTML()
        super().__init__(
            [
                self.whose,
                forms.heading("Confidentiality", 3),
                self.meaning,
                self.affirm,
                self.affirmed_line,
                forms.heading("Expectations", 3),
                self.hopes,
                self.works,
                self.not_working,
                self.support,
            ]
        )
        self.affirm.observe(runtime.guarded(self._on_affirm), names="value")

    @property
    def fields(self) -> list[forms.Field]:
        """The part's text fields, in the order of :data:`_PART_TEXTS`."""
        return [self.meaning, self.hopes, self.works, self.not_working, self.support]

    def load(self, person: Person, section: PartnerSection | None) -> None:
        self.person = person
        section = section or PartnerSection(person_id=person.id)
        self.meaning.value = section.confidentiality_meaning
        self.hopes.value = section.hopes
        self.works.value = section.works_for_me
        self.not_working.value = section.does_not_work
        self.support.value = section.support_looks_like
        # The time first: the checkbox's observer keeps an existing affirmation's date.
        self.affirmed_at = self.saved_affirmed_at = section.affirmed_at
        self.affirm.value = section.affirmed_at is not None
        self._show_affirmation()

    def restore(self, part: dict) -> None:
        """Show ``part`` (a draft's: the partner's part as they typed it) over the part as
        saved, which a tick or a cleared box is still said against."""
        for field, name in zip(self.fields, _PART_TEXTS, strict=True):
            if isinstance(part.get(name), str):
                field.value = part[name]
        affirmed = part.get("affirmed_at")
        self.affirmed_at = dt.datetime.fromisoformat(affirmed) if affirmed else None
        self.affirm.value = self.affirmed_at is not None
        self._show_affirmation()

    def allow_writing(self, acting: int | None) -> None:
        """Only the partner themself writes their part and affirms (or withdraws) the rule."""
        mine = self.person is not None and self.person.id == acting
        self.affirm.disabled = not mine
        self._show_affirmation()  # on the clock of whoever reads it now
        for field in self.fields:
            field.control.disabled = not mine
        if mine or self.person is None:
            self.whose.value = ""
            return
        name = html.escape(self.person.name)
        self.whose.value = (
            f"<p style='font-size:13px;margin-left:{forms.LABEL_WIDTH}'>"
            + (
                f"Only {name} can write this part: choose who you are under “I am” above."
                if acting is None
                else f"Only {name} can write or change this part, when they open the agreement."
            )
            + "</p>"
        )

    def section(self) -> dict:
        texts = {name: field.value for name, field in zip(_PART_TEXTS, self.fields, strict=True)}
        return {"person_id": self.person.id, "affirmed_at": self.affirmed_at, **texts}

    def _on_affirm(self, change) -> None:
        if change["new"] and self.affirmed_at is None:
            self.affirmed_at = dt.datetime.now(dt.UTC).replace(microsecond=0)
        elif not change["new"]:
            self.affirmed_at = None
        self._show_affirmation()

    @property
    def affirmation_unsaved(self) -> bool:
        """The box is ticked, or cleared, and the agreement not saved since."""
        return (self.affirmed_at is None) != (self.saved_affirmed_at is None)

    def _show_affirmation(self) -> None:
        name = html.escape(self.person.name) if self.person else "This partner"
        when = dates.in_zone(self.affirmed_at, self.zone()) if self.affirmed_at else None
        if self.affirmation_unsaved:
            said = (
                f"{name} affirms the ground rule once the agreement is saved."
                if when
                else f"{name} withdraws the affirmation once the agreement is saved."
            )
        elif when:
            said = f"{name} affirmed the ground rule on {dates.long(when)} at {when:%H:%M}."
        else:
            said = f"{name} has not affirmed the ground rule yet."
        self.affirmed_line.value = f"<span style='font-size:13px'>{said}</span>"


#: A partner's part's text fields, as :attr:`PartnerPanel.fields` holds them.
_PART_TEXTS = (
    "confidentiality_meaning",
    "hopes",
    "works_for_me",
    "does_not_work",
    "support_looks_like",
)
#: The fields a draft restores through their boxes, each typed as the agreement has it.
_DRAFTED = (
    "medium",
    "format",
    "minutes_per_person",
    "frequency",
    "day",
    "time",
    "time_zone",
    "caller_id",
    "first_session_on",
    "last_session_on",
)


def _booking_key(booking: ag.Booking) -> object:
    """What a schedule row is known by: its stored session, or (not saved yet) its day."""
    return booking.session_id if booking.session_id is not None else booking.on


class NewPartnership(widgets.VBox):
    """Create a partnership: pick two people, or add someone new."""

    def __init__(self, app: AgreementApp):
        self.app = app
        # Someone new: their name, and the clock they read (what "your time" and their day
        # are reckoned on), suggested as the computer's. Each box named for its partner (two
        # boxes "Name of the new person" were one name twice to a screen reader).
        zone = computer_time_zone()
        self.first = forms.dropdown("First partner", "person_a_id", [])
        self.first_name = forms.text("First partner's name", "person_a_name")
        self.first_zone = forms.time_zone("First partner's time zone", "person_a_zone", value=zone)
        self.second = forms.dropdown("Second partner", "person_b_id", [])
        self.second_name = forms.text("Second partner's name", "person_b_name")
        self.second_zone = forms.time_zone(
            "Second partner's time zone", "person_b_zone", value=zone
        )
        for box in (self.first_zone, self.second_zone):
            forms.time_zone_as_left(box)
        self._taken_said: set[str] = set()  # the name boxes told their name is taken
        for box in (self.first_name, self.second_name):
            box.control.observe(runtime.guarded(self._on_name), names="value")
        self.started = forms.date("Starting on", "started_on", value=app.today)
        # Offered where the workbook has cohorts and neither partner is in one yet.
        self.cohort = forms.dropdown("Cohort", "cohort_id", [])
        self.create = widgets.Button(
            description="Create partnership",
            button_style="primary",
            icon="plus",
            layout=widgets.Layout(margin="6px 0 0 240px"),
        )
        forms.says_when_held(self.create, "Nothing was created")
        self.result = widgets.HTML()
        self.fields = {
            f.path: f
            for f in (
                self.first,
                self.first_name,
                self.first_zone,
                self.second,
                self.second_name,
                self.second_zone,
                self.started,
                self.cohort,
            )
        }
        super().__init__([*self.fields.values(), self.create, self.result])
        forms.retire_when_mended(self.result, self.fields.values())
        for chooser in (self.first, self.second):
            chooser.control.observe(runtime.guarded(self._toggle_names), names="value")
        self.started.control.observe(runtime.guarded(self._on_started), names="value")
        self.cohort.control.observe(
            runtime.guarded(lambda _change: self._refresh_start_note()), names="value"
        )
        self.create.on_click(runtime.settled(self._on_create))
        self.refresh()

    def _start_problem(self) -> str | None:
        on = self.started.value
        if on is not None and not EARLIEST_DATE <= on <= LATEST_DATE:
            return f"must be between {EARLIEST_DATE.year} and {LATEST_DATE.year}"
        return None

    def _start_note(self) -> str | None:
        """A start well in the past is taken (a partnership entered late), but the dashboard
        counts the pair's time without meeting from it: said before Create, not found there."""
        on = self.started.value
        if on is None or self._start_problem() or not self._facilitated():
            return None
        return partnerships.back_dated_note(
            on,
            self.app.today,
            "your facilitator sees them as not meeting since that day, and may be told they "
            "are lapsing",
        )

    def _facilitated(self) -> bool:
        """Whether the pair chosen would be in a cohort (one with a facilitator to see it);
        with nobody chosen, whether the workbook has cohorts."""
        if self.first.value is None and self.second.value is None:
            return len(self.cohort.control.options) > 1
        if self._without_cohort():
            return self.cohort.value is not None
        return any(
            isinstance(c.value, int) and self.people[c.value].cohort_id is not None
            for c in (self.first, self.second)
        )

    def _start_messages(self) -> tuple[dict[str, str], dict[str, str]]:
        problem, note = self._start_problem(), self._start_note()
        path = self.started.path
        return ({path: problem} if problem else {}), ({path: note} if note else {})

    def _on_name(self, _change) -> None:
        """A new person's name someone in the workbook has is said as it is left, not only at
        Create."""
        partners: list[int | Person | None] = []
        for chooser, name in ((self.first, self.first_name), (self.second, self.second_name)):
            if chooser.value != NEW:
                partners.append(chooser.value)
                continue
            try:
                partners.append(Person(name=name.value))
            except ValidationError:
                partners.append(None)  # no name yet, or too long: said at Create
        with self.app.store.reading() as tx:
            taken = {e.path: e.message for e in partnerships.names_taken(tx, *partners)}
        for name in (self.first_name, self.second_name):
            if name.path in taken:
                name.show("error", taken[name.path])
                self._taken_said.add(name.path)
            elif name.path in self._taken_said:  # only what this check said ("cannot be
                self._taken_said.discard(name.path)  # empty", from Create, stays)
                if name.kind == "error":
                    name.show()

    def _refresh_start_note(self) -> None:
        """The back-dated start's note as the pair chosen now has it (an error on the start,
        said at Create, stays until the start is changed)."""
        if self.started.kind == "error":
            return
        note = self._start_note()
        if note:
            self.started.show("warning", note)
        elif self.started.kind == "warning":
            self.started.show()

    def _on_started(self, _change) -> None:
        """A start the workbook cannot take is said as it is chosen, not only at Create."""
        forms.show_messages({self.started.path: self.started}, *self._start_messages())

    def refresh(self) -> None:
        people = sorted(
            (
                p
                for p in self.app.store.find(Person, role="participant")
                if p.forgotten_at is None  # "Former participant" is no one to pair
            ),
            key=lambda p: wording.alphabetical(p.name),
        )
        self.people = {p.id: p for p in people}
        options = [("Choose…", None), *((p.name, p.id) for p in people), ("Someone new…", NEW)]
        for chooser in (self.first, self.second):
            chooser.control.options = options
            chooser.value = None
        cohorts = sorted(self.app.store.find(Cohort), key=lambda c: wording.alphabetical(c.name))
        self.cohort.control.options = [
            ("None: no facilitator sees this pair", None),
            *((c.name, c.id) for c in cohorts),
        ]
        self.cohort.value = None
        self._toggle_names()

    def _toggle_names(self, _change=None) -> None:
        for chooser, name, zone in (
            (self.first, self.first_name, self.first_zone),
            (self.second, self.second_name, self.second_zone),
        ):
            for box in (name, zone):
                box.layout.display = "flex" if chooser.value == NEW else "none"
        self.cohort.layout.display = "flex" if self._without_cohort() else "none"
        self._refresh_start_note()  # a back-dated start's note depends on the pair's cohort

    def _without_cohort(self) -> bool:
        """Whether the pair chosen would be in no cohort, where the workbook has some."""
        chosen = [c.value for c in (self.first, self.second)]
        return (
            len(self.cohort.control.options) > 1
            and None not in chosen
            and all(v == NEW or self.people[v].cohort_id is None for v in chosen)
        )

    def _on_create(self, _button) -> None:
        if self.app.viewer.signed_in:
            return  # not offered on a shared server (the facilitator pairs people there)
        errors: dict[str, str] = {}
        people = []
        for chooser, name, zone in (
            (self.first, self.first_name, self.first_zone),
            (self.second, self.second_name, self.second_zone),
        ):
            if chooser.value is None:
                errors[chooser.path] = "choose a person, or add someone new"
            elif chooser.value == NEW:
                try:
                    people.append(Person(name=name.value, time_zone=zone.value))
                except ValidationError as exc:
                    for error in exc.errors:
                        if error.path == "time_zone":  # said as the box was left
                            errors.setdefault(zone.path, forms.NO_TIME_ZONE)
                        else:
                            errors.setdefault(name.path, error.message)
            else:
                people.append(chooser.value)
        if len(people) == 2 and isinstance(people[0], int) and people[0] == people[1]:
            errors[self.second.path] = "choose a different person from the first partner"
        if self.started.value is None:
            errors[self.started.path] = "choose the date the partnership starts"
        elif problem := self._start_problem():
            errors[self.started.path] = problem
        if errors:
            # What the pairing itself would refuse (a partner in a running partnership) is said
            # with the form's own faults, not at the next click.
            chosen = [
                c.value if isinstance(c.value, int) else None for c in (self.first, self.second)
            ]
            on = self.started.value or self.app.today
            for problem in partnerships.pairing_problems(self.app.store, *chosen, on=on):
                errors.setdefault(problem.path, problem.message)
        unplaced = forms.show_messages(self.fields, errors, self._start_messages()[1])
        if errors:
            self.result.value = forms.refused(self.fields, unplaced, lead="Nothing was created")
            return
        try:
            # Checked as the facilitator's pairing is (nobody in two running partnerships, no
            # pair twice), and in the partners' cohort, which a new person joins.
            partnership = partnerships.pair(
                self.app.store,
                people[0],
                people[1],
                on=self.started.value,
                cohort_id=self.cohort.value if self._without_cohort() else None,
            )
        except ValidationError as exc:
            self.result.value = forms.refusal(self.fields, exc, "Nothing was created")
            return
        no_cohort = partnership.cohort_id is None and len(self.cohort.control.options) > 1
        self.app.refresh_partnerships(select=partnership.id)
        names = " and ".join(
            html.escape(self.app.store.get(Person, member).name) for member in partnership.members
        )
        # Unsaved edits of the agreement on screen hold the new partnership back (said above
        # them, with the way to go on): said here too, where the person is looking.
        opened = self.app.partnership is not None and self.app.partnership.id == partnership.id
        # The form the pair now fills in redraws under the button: the focus goes on to whom
        # it is for ("I am"), not to the page's top.
        forms.give_focus(self.app.acting if opened else self.create)
        self.result.value = forms.notice(
            "ok",
            f"Created: the partnership of {names}, from {dates.long(partnership.started_on)}."
            + (
                ""
                if opened
                else " It opens once your changes to the agreement on screen are saved or "
                "discarded (see above)."
            )
            + (
                " It is in no cohort (none was chosen): no facilitator's dashboard shows it."
                if no_cohort
                else ""
            ),
        )


class AgreementApp(widgets.VBox):
    """Fill in, save and export a partnership's first-session agreement."""

    def __init__(
        self,
        store: Store | None = None,
        *,
        partnership_id: int | None = None,
        person_id: int | None = None,
        today: dt.date | None = None,
    ):
        super().__init__(layout=widgets.Layout(max_width="1000px"))
        self.add_class("peercoach-app")
        self.add_class("peercoach-agreement")
        self.store = store or Store()
        self._given_today = today
        #: Today as the chosen partnership's schedule counts days (see :meth:`load`).
        self.today = today or context.today(self.store)
        self.partnership: Partnership | None = None
        self.people: dict[int, Person] = {}
        self.saved: Agreement | None = None
        self.bookings: list[ag.Booking] = []
        self._on_purpose: set = set()  # rows cancelled on purpose (see _holes)
        self._emptied: set[int] = set()  # rows whose date box was emptied (no day to save)
        #: The days of the sessions already held or missed (not in the editable schedule).
        self.logged: list[dt.date] = []
        #: The days of :attr:`logged` whose session was missed (the others were held).
        self.missed: set[dt.date] = set()
        self.unplanned: list[dt.date] = []
        #: What the form started from (see :meth:`load`).
        self.loaded: ag.Version = (None, [])
        #: How many sessions an end date too far ahead would make (0 when it is not).
        self.too_many = 0
        #: After a refused save: the stored agreement with this window's changes that did not
        #: clash, which "Show the saved agreement" puts on screen.
        self.resolved: ag.Version | None = None
        #: The fields that refusal named as changed on both sides.
        self._clashed: tuple[str, ...] = ()
        self.person_id = person_id
        #: Whom the page's link named, when they are not in the partnership shown.
        self.named_elsewhere: str | None = None
        self._loading = False
        #: The schedule's inputs changed since it was last built (see _on_schedule_input).
        self._held_back: set = set()
        # On a shared server a person sees only their own partnerships, acts only as themselves,
        # and is paired by the facilitator (the cohort dashboard), not here.
        self.viewer = context.viewer(self.store)

        self.chooser = forms.dropdown("Partnership", "partnership_id", [])
        self.new = NewPartnership(self)
        self.new_box = widgets.Accordion(children=[self.new], titles=("Start a new partnership",))
        self.acting = forms.dropdown("I am", "acting", [])
        self.status = widgets.HTML()
        self.demo = widgets.HTML()
        self.panels = [
            PartnerPanel(i, zone=lambda: context.zone(self.store, self.acting.value))
            for i in (0, 1)
        ]
        self.partner_tabs = widgets.Tab(children=self.panels)

        self.medium = forms.dropdown(
            "Medium", "medium", [(m.value.capitalize(), m) for m in Medium]
        )
        self.format = forms.dropdown(
            "Format",
            "format",
            [
                ("One-way sessions, back to back", SessionFormat.ONE_WAY_BACK_TO_BACK),
                ("One-way sessions, at separate times", SessionFormat.ONE_WAY_SEPARATE),
                ("Weekly split: 30 minutes, 15 each", SessionFormat.WEEKLY_SPLIT),
            ],
        )
        self.minutes = forms.integer(
            "Minutes of coaching each", "minutes_per_person", low=5, high=240, value=45
        )
        self.frequency = forms.dropdown(
            "How often",
            "frequency",
            [(f.label.capitalize(), f) for f in Frequency],
        )
        self.day = forms.dropdown(
            "Day", "day", [("(not agreed)", None), *((d.value, d) for d in Weekday)]
        )
        self.time = forms.Field(
            widgets.TimePicker(description="Time", style=forms._STYLE, step=60), "time"
        )
        self.zone = forms.time_zone("Time zone", "time_zone")
        self.caller = forms.dropdown("Who calls whom", "caller_id", [])

        self.first_date = forms.date("First session", "first_session_on")
        self.count = forms.integer(
            "Number of sessions", "session_count", low=1, high=MOST_SESSIONS, value=8
        )
        self.until = forms.date("Or book until (optional)", "last_session_on")
        self.rows = widgets.VBox()
        self.schedule_field = forms.Field(self.rows, "schedule", label="Schedule")
        #: Above the rows: the sessions already held or missed, counted but not listed.
        self.logged_note = widgets.HTML(
            layout=widgets.Layout(margin=f"0 0 4px {forms.LABEL_WIDTH}")
        )
        self.goals = forms.textarea("Goals for the partnership (one per line)", "goals", rows=4)
        #: Under the goals: the change plan each is linked to, chosen goal by goal.
        self.goal_links = widgets.VBox()
        #: The goals' words and links, as on screen (a goal with no chooser keeps its link).
        self._links: list[tuple[str, int | None]] = []
        self._link_rows: list[tuple[str, widgets.Dropdown]] = []
        self.plans: list = []

        self.save_button = widgets.Button(
            description="Save agreement",
            button_style="primary",
            icon="save",
            layout=widgets.Layout(margin="12px 0 0 240px"),
        )
        self.result = widgets.HTML()
        self.reload_button = widgets.Button(
            description="Show the saved agreement",
            icon="refresh",
            tooltip="Your changes that did not clash come with it; the others are dropped",
            layout=widgets.Layout(
                width="auto", align_self="flex-start", margin=f"6px 0 0 {forms.LABEL_WIDTH}"
            ),
        )
        self.downloads = widgets.HTML()
        self.history = widgets.HTML()

        self.fields = {
            f.path: f
            for f in (
                self.acting,
                self.medium,
                self.format,
                self.minutes,
                self.frequency,
                self.day,
                self.time,
                self.zone,
                self.caller,
                self.first_date,
                self.count,
                self.until,
                self.schedule_field,
                self.goals,
                *[f for p in self.panels for f in p.fields],
            )
        }
        # Edits are kept as a draft of the person under "I am" (none before they are chosen:
        # whose would it be?), until the agreement is saved.
        self.unsaved = forms.UnsavedChanges(
            self._snapshot,
            what="this agreement",
            on_discard=self._drop_draft,
            keeps_drafts=lambda: self.acting.value is not None,
        )
        self.draft_bar = forms.DraftBar("the agreement")
        self.unsaved.hide_while_asking(self.draft_bar.discard)
        self.form = widgets.VBox(
            [
                self.demo,
                self.status,
                forms.heading("Confidentiality and expectations"),
                self.partner_tabs,
                forms.heading("Logistics"),
                self.medium,
                self.format,
                self.minutes,
                self.frequency,
                self.day,
                self.time,
                self.zone,
                self.caller,
                forms.heading("Schedule"),
                self.first_date,
                self.count,
                self.until,
                self.logged_note,
                self.schedule_field,
                forms.heading("Goals"),
                self.goals,
                self.goal_links,
                self.save_button,
                self.result,
                self.reload_button,
                forms.heading("Take it with you", 3),
                self.downloads,
                forms.heading("Changes", 3),
                self.history,
            ]
        )
        self.no_pair = widgets.HTML()
        starting = [] if self.viewer.signed_in else [self.new_box]
        # "I am" under the partnership: a choice held back in either is asked about there.
        self.children = [
            forms.stylesheet(),
            self.chooser,
            self.acting,
            forms.Place(partnership=self.chooser, person=self.acting),
            self.unsaved,
            self.draft_bar,
            self.no_pair,
            *starting,
            self.form,
        ]

        self.unsaved.watch(self.chooser, self._on_partnership)
        # Someone else under "I am" would leave the part typed so far read-only: held back, as
        # a partnership is, while the form holds unsaved edits (not a first choice: nobody's
        # part could be typed before it).
        self.unsaved.watch(
            self.acting, self._on_acting_chosen, when=lambda change: change["old"] is not None
        )
        self.format.control.observe(runtime.guarded(self._on_format), names="value")
        for field in (self.first_date, self.count, self.until, self.frequency):
            field.control.observe(runtime.guarded(self._on_schedule_input), names="value")
        self.zone.control.observe(runtime.guarded(self._on_zone), names="value")
        self.goals.control.observe(runtime.guarded(self._on_goals), names="value")
        # Every other field is checked as it is left too (a time zone no one has is said then,
        # not on saving).
        parts = [f for p in self.panels for f in p.fields]
        checked = (self.minutes, self.format, self.medium, self.time, self.zone, self.caller)
        for field in (*checked, self.goals, *parts):
            field.control.observe(runtime.guarded(self._on_change), names="value")
        # (After the panel's own observer: the status reads the affirmation it keeps.)
        for panel in self.panels:
            panel.affirm.observe(runtime.guarded(self._on_change), names="value")
        self.day.control.observe(runtime.guarded(self._on_day), names="value")
        # Every edit is kept as a draft, after the observers above (a schedule rebuilt from a
        # new first date is part of the edit).
        for field in self.fields.values():
            if field not in (self.acting, self.schedule_field):
                field.control.observe(runtime.guarded(self._on_edit), names="value")
        for panel in self.panels:
            panel.affirm.observe(runtime.guarded(self._on_edit), names="value")
        self.save_button.on_click(runtime.settled(self._on_save))
        self.reload_button.on_click(runtime.guarded(self._on_reload))
        self.draft_bar.discard.on_click(runtime.guarded(self._on_discard_draft))
        self.refresh_partnerships(select=partnership_id)

    # -- choosing the partnership ----------------------------------------------------------------

    def refresh_partnerships(self, select: int | None = None) -> None:
        pairs = [
            p
            for p in self.store.find(Partnership, order_by="started_on")
            if p.is_active and self.viewer.may_see_partnership(p)
        ]
        people = {p.id: p for p in self.store.find(Person)}
        self.no_pair.value = self._no_pair_notice(pairs)
        options = [("Choose a partnership…", None)] + [
            (
                f"{wording.isolated(people[p.person_a_id].name)} & "
                f"{wording.isolated(people[p.person_b_id].name)} "
                f"(since {dates.short(p.started_on)})",
                p.id,
            )
            for p in pairs
        ]
        self.chooser.control.options = options
        self.new.refresh()
        wanted = select if select in [p.id for p in pairs] else None
        if wanted is None and select is None:
            # The person's own partnership when they have one running: nothing to choose.
            me = self.viewer.person.id if self.viewer.person else self.person_id
            own = [p for p in pairs if me is not None and me in p.members]
            if len(own) == 1:
                wanted = own[0].id
        found = self.store.find(Partnership, id=select) if select and wanted is None else []
        ended = found[0] if found else None
        if ended is not None and not ended.is_active and self.viewer.may_see_partnership(ended):
            names = " & ".join(people[m].name for m in ended.members if m in people)
            self.no_pair.value = forms.notice(
                "info",
                f"The partnership of {html.escape(names)} ended on {dates.long(ended.ended_on)}: "
                "its agreement is kept (My data shows it) and can no longer be changed."
                + _on_a_line(forms.ended_calendar_sentence(self.store, ended)),
            )
        if self.chooser.value != wanted:
            self.chooser.value = wanted  # loads it, unless unsaved edits hold it back
        else:
            # New options leave a dropdown whose value stays None showing nothing, not
            # "Choose a partnership…": select it again, by its place in the list.
            forms.select(self.chooser.control, wanted)
            if not self.unsaved.unsaved:
                self._on_partnership()

    def _no_pair_notice(self, pairs: list[Partnership]) -> str:
        """On a shared server, why the chooser is empty; nothing otherwise."""
        if not self.viewer.signed_in or pairs:
            return ""
        if self.viewer.person is None or self.viewer.person.role != "participant":
            return forms.notice("info", html.escape(forms.not_a_participant(self.viewer)))
        me = self.viewer.person.id
        ended = [
            p
            for p in self.store.find(Partnership, order_by="started_on")
            if me in p.members and not p.is_active
        ]
        if ended:
            last = ended[-1]
            partner = self.store.get(Person, last.partner_of(me))
            return forms.notice(
                "info",
                f"Your partnership with {html.escape(partner.name)} ended on "
                f"{dates.long(last.ended_on)}: its agreement is kept in My data. Your facilitator "
                "pairs you with a new partner; your first-session agreement with them starts "
                "here once they have."
                + _on_a_line(forms.ended_calendar_sentence(self.store, last)),
            )
        return forms.notice(
            "info",
            "You have no partnership yet. Your facilitator pairs you with a partner; your "
            "first-session agreement starts here once they have.",
        )

    def _on_partnership(self, _change=None) -> None:
        pid = self.chooser.value
        self.form.layout.display = "none" if pid is None else "flex"
        self.acting.layout.display = "none" if pid is None else "flex"
        self.new_box.selected_index = 0 if pid is None else None
        if pid is None:
            self.partnership = None
            self.unsaved.mark_clean()
            return
        self.load(pid)

    def load(self, partnership_id: int, *, restore: bool = True) -> None:
        """Show the partnership's agreement as stored (or a fresh one), and over it, unless
        told not to (``restore``), the draft of the person under "I am"."""
        self._loading = True
        self._held_back = set()
        try:
            self.partnership = self.store.get(Partnership, partnership_id)
            members = self.partnership.members
            self.people = {p.id: p for p in self.store.find(Person, id=list(members))}
            saved, bookings = ag.load(self.store, partnership_id)
            with self.store.reading() as tx:
                logged = ag.logged_sessions(tx, partnership_id)
                self.logged = [s.scheduled_on for s in logged]
                self.missed = {s.scheduled_on for s in logged if s.status is SessionStatus.MISSED}
                self.unplanned = ag.unplanned_days(tx, partnership_id)
                self.plans = ag.goal_plans(tx, self.partnership, saved)
            self.saved = saved
            first = self.people[members[0]]
            self.today = context.schedule_today(
                saved.time_zone if saved else first.time_zone,
                self.store,
                given=self._given_today,
            )
            self.too_many = 0  # an end date too far ahead was the other form's
            self.reload_button.layout.display = "none"
            self.demo.value = forms.demo_notice() if self.partnership.is_demo else ""
            agreement = saved or Agreement(
                partnership_id=partnership_id,
                time_zone=first.time_zone,
                first_session_on=max(self.partnership.started_on, self.today),
            )
            names = [(self.people[m].name, m) for m in members]
            with self.unsaved.quiet():  # set here, not chosen: _on_acting follows below
                if self.viewer.signed_in:
                    mine = [(name, m) for name, m in names if self.viewer.may_act_as(m)]
                    self.acting.control.options = mine
                    self.acting.control.disabled = True
                    self.acting.value = mine[0][1] if mine else None
                else:
                    self.acting.control.options = [("Choose who you are…", None), *names]
                    self.acting.value = self.person_id if self.person_id in members else None
                    # Someone the page's link named, not in this partnership: said, not dropped.
                    named = self.store.find(Person, id=[self.person_id]) if self.person_id else []
                    self.named_elsewhere = (
                        named[0].name if named and self.person_id not in members else None
                    )
            self.caller.control.options = [("(to agree)", None), *names]
            self._fill(agreement, bookings, saved=saved)
            self._on_acting()
            self.result.value = ""
            # What the form started from: a later save merges against it, field by field.
            self.loaded = (agreement, list(self.bookings))
        finally:
            self._loading = False
        self.check()
        self._refresh_outputs()
        self.unsaved.mark_clean()
        if restore:
            self._restore_draft()
        else:
            self.draft_bar.clear()

    def _snapshot(self) -> tuple | None:
        """What the form holds, apart from which partnership it is (None when none is chosen)."""
        if self.partnership is None:
            return None
        values = self.values()
        del values["id"], values["partnership_id"]
        return values, tuple(self.bookings)

    def _label(self, name: str) -> str:
        """A field as the form labels it ("Minutes of coaching each")."""
        field = self.fields.get(name)
        if field is not None and getattr(field.control, "description", ""):
            return field.control.description
        if name == "schedule":
            return "the schedule"
        return ag.own_part_title(name) or Agreement.model_fields[name].title or name

    def _fill(
        self, agreement: Agreement, bookings: list[ag.Booking], *, saved: Agreement | None
    ) -> None:
        """Put ``agreement`` and its schedule on screen (``saved``: whether one is stored)."""
        members = self.partnership.members
        sections = {s.person_id: s for s in agreement.partners}
        for k, (panel, member) in enumerate(zip(self.panels, members, strict=True)):
            panel.load(self.people[member], sections.get(member))
            self.partner_tabs.set_title(k, self.people[member].name)
        self.medium.value = agreement.medium
        self.format.value = agreement.format
        self.minutes.value = agreement.minutes_per_person
        self.frequency.value = agreement.frequency
        self.day.value = agreement.day
        self.time.value = agreement.time
        self.zone.value = agreement.time_zone
        self.caller.value = agreement.caller_id
        self.first_date.value = agreement.first_session_on
        self.until.value = agreement.last_session_on
        self.goals.value = "\n".join(g.text for g in agreement.goals)
        self._render_goal_links([(g.text, g.change_plan_id) for g in agreement.goals])
        if saved is None:
            self.count.value = agreement.session_count
            self.bookings = []
            self._on_purpose = set()
            self._regenerate()
        else:
            self.bookings = bookings
            self._on_purpose = {_booking_key(b) for b in ag.gaps(bookings)}
            self._set_count()
        self._render_rows()

    def _on_reload(self, _button=None) -> None:
        """Show the agreement as now stored, with this window's changes that did not clash
        (when a save was refused): saving then keeps them."""
        resolved, self.resolved = self.resolved, None
        self.load(self.partnership.id, restore=False)
        # The button pressed goes away: the focus goes to the first field to set again.
        forms.give_focus(self._clash_field())
        if resolved is None:
            self._drop_draft()  # what it held is what was refused: the saved agreement shows
            return
        self._loading = True
        try:
            self._fill(resolved[0], list(resolved[1]), saved=self.saved)
        finally:
            self._loading = False
        self.check()
        self._refresh_outputs()
        self._on_edit()  # the draft, if kept, is what now shows, over what is now stored
        self.result.value = forms.notice(
            "info",
            "This is the agreement as saved, with your changes that did not clash. Save to keep "
            "them.",
        )

    def _clash_field(self) -> widgets.Widget:
        """Where the first field a refused save named as changed on both sides is (the
        person's own part: their tab), else "I am"."""
        for name in self._clashed:
            if name in self.fields:
                return self.fields[name]
            members = list(self.partnership.members) if self.partnership else []
            if name.startswith(ag.OWN_PART) and self.acting.value in members:
                return self.panels[members.index(self.acting.value)]
        return self.acting

    def _on_acting_chosen(self, _change=None) -> None:
        """Someone chosen under "I am": their own part open to them. Chosen instead of someone
        else, the agreement as stored (any edits were saved, or discarded to get here); a first
        choice keeps what was typed in the shared parts before it."""
        self.person_id = self.acting.value
        if self.partnership is None or self.unsaved.unsaved:
            self._on_acting()
            self._on_edit()  # what was typed before is theirs: kept as their draft
            return
        self.load(self.partnership.id)

    def _on_acting(self, _change=None) -> None:
        if self.acting.value is not None:
            self.person_id = self.acting.value
            self.acting.show()
            if self.partnership is not None and self.acting.value in self.partnership.members:
                # Open on my own part: the one I can write.
                self.partner_tabs.selected_index = self.partnership.members.index(self.acting.value)
        for panel in self.panels:
            panel.allow_writing(self.acting.value)
        if self.partnership is not None:
            self._render_goal_links(self._links)  # their own plans to choose from

    # -- the goals ---------------------------------------------------------------------------------

    def _goal_lines(self) -> list[str]:
        return [line.strip() for line in self.goals.value.splitlines() if line.strip()]

    def _on_goals(self, _change) -> None:
        """Goals typed anew: a chooser for each, keeping the plan each goal was linked to (see
        ag.carry_links)."""
        if not self._loading:
            self._render_goal_links(self._links)

    def plan_labels(self, *, own: str | None = None) -> dict[int, str]:
        """The plans as the person under "I am" reads them (see ag.goal_plan_names)."""
        return ag.goal_plan_names(self.plans, self.people, self.acting.value, own=own)

    def _render_goal_links(self, links: list[tuple[str, int | None]]) -> None:
        """Under the goals, a chooser of the change plan each is linked to (``links``: the
        goals' words and links as they were). The person under "I am" links a goal to a plan
        of their own; a goal linked to their partner's plan shows it by whose it is (what a plan
        says is its owner's alone), and can be unlinked."""
        lines = self._goal_lines()
        self._links = list(zip(lines, ag.carry_links(lines, links), strict=True))
        self._link_rows = []
        if not lines:
            self.goal_links.children = []
            return
        me = self.acting.value
        labels = self.plan_labels(own="My plan")
        mine = [(labels[p.id], p.id) for p in self.plans if p.person_id == me]
        style = f"margin:0 0 6px {forms.LABEL_WIDTH};font-size:13px"
        if me is None:
            said = (
                "Choose who you are under \u201cI am\u201d to link a goal to a change plan of "
                "yours."
            )
        elif not mine:
            href = html.escape(context.link(CHANGE_PLAN_APP, person=me))
            said = (
                "You have no change plan under way: once you have one (start it in the "
                f"<a href='{href}' style='{forms.LINK}'>Personal Change Plan</a>), a goal can be "
                "linked to it here."
            )
        else:
            said = (
                "The change plan each goal is linked to (optional; one plan a goal): choose one "
                "of yours. A goal your partner linked to theirs says so."
            )
        rows = []
        mine_ids = {pid for _label, pid in mine}
        for k, (line, link) in enumerate(self._links):
            theirs = [(labels[link], link)] if link in labels and link not in mine_ids else []
            if not mine and not theirs:
                continue  # nothing to choose
            # Named by its goal (a long one cut short: the goal is in full in the box above).
            label = cohort.shortened(line, GOAL_LABEL_CHARS)
            field = forms.dropdown(label, "goals", [("No change plan", None), *mine, *theirs])
            field.control.layout.width = "min(100%, 760px)"  # room for a plan's name
            forms.select(field.control, link if link in labels else None)
            field.control.observe(runtime.guarded(self._on_link(k, field, theirs)), names="value")
            rows.append(field)
            self._link_rows.append((line, field.control))
        self.goal_links.children = [widgets.HTML(f"<p style='{style}'>{said}</p>"), *rows]

    def _on_link(self, k: int, field: forms.Field, theirs: list[tuple[str, int]]):
        """A goal's link chosen (goal ``k``); one that was the partner's plan (``theirs``)
        changed is said beside it: a goal links one plan, so saving takes theirs away."""

        def chosen(change) -> None:
            line, _link = self._links[k]
            self._links[k] = (line, change["new"])
            if self._loading:
                return
            if theirs and change["new"] != theirs[0][1]:
                field.show(
                    "warning",
                    f"linked to {theirs[0][0]} until now: saving unlinks it"
                    + (" and links yours instead" if change["new"] is not None else ""),
                )
            elif field.kind == "warning":
                field.show()
            forms.changed_since_saved(self.result)
            self._on_edit()

        return chosen

    # -- the schedule ----------------------------------------------------------------------------

    def _on_format(self, change) -> None:
        if not self._loading and change["new"] is SessionFormat.WEEKLY_SPLIT:
            self.minutes.value = SPLIT_MINUTES
            self.frequency.value = Frequency.WEEKLY

    def _on_schedule_input(self, change) -> None:
        if self._loading:
            return
        forms.changed_since_saved(self.result)
        # What changed waits with whatever changed before it while the schedule cannot be
        # rebuilt: once it can, it follows them all (a new rhythm typed while the number was
        # wrong is not left beside sessions on the old one).
        self._held_back.add(change["owner"])
        if self.count.problem() and self.until.value is None:
            # No schedule from an impossible number of sessions: the error shows under it.
            # (With an end date set, the number follows the dates: a new end date mends it.)
            self.check()
            return
        # A changed first date re-anchors the schedule there; otherwise a saved agreement's
        # schedule keeps its place: it continues from its earliest session still to come,
        # never from the first session months ago.
        moved_first = self.first_date.control in self._held_back
        if moved_first and self.logged:
            self._held_back.discard(self.first_date.control)
            if change["owner"] is self.first_date.control:
                self.check()  # held sessions: the first date is history (said under it)
                return
            moved_first = False
        # A new number of sessions (or end date) alone books more or fewer, moving none.
        resize = self._held_back <= {self.count.control, self.until.control}
        self._regenerate(anchor_on_first=moved_first, resize=resize)
        self._render_rows()
        self.check()
        if change["owner"] is self.count.control and self.until.value is not None:
            # The number follows the end date: the one typed went back without a word.
            self.count.show(
                "warning",
                f"the number follows \u201cOr book until\u201d ({dates.short(self.until.value)}): "
                "empty that date to book a number of sessions instead",
            )

    def _on_zone(self, change) -> None:
        """A time zone typed as the list does not spell it ("europe/paris ") is shown as it
        is saved ("Europe/Paris")."""
        name = time_zone_name(change["new"] or "")
        if not self._loading and name is not None and name != change["new"]:
            self.zone.value = name

    def _on_change(self, _change) -> None:
        if not self._loading:
            forms.changed_since_saved(self.result)
            self.check()

    def _on_day(self, change) -> None:
        """A new agreed day moves the sessions to come to it, each in its own week (the
        nearest such day, today or later; see ag.to_weekday); before any is held, the first
        session with them, and the schedule from it."""
        if self._loading:
            return
        forms.changed_since_saved(self.result)
        day = change["new"]
        if day is not None and self.logged and self._continues_from() is not None:
            if any(not b.cancelled for b in self.bookings):
                self.bookings = ag.to_weekday(self.bookings, day.number, today=self.today)
            else:  # none booked (all logged, or cut off the end): from the next day on
                anchor = ag.weekday_near(self._continues_from(), day.number, not_before=self.today)
                self._regenerate(anchor=anchor)
            self._render_rows()
        elif day is not None and self.first_date.value is not None and not self.logged:
            first = self.first_date.value
            # Not before the partnership's start, nor before today unless it was already.
            earliest = (
                min(first, self.today)
                if self.partnership is None
                else (max(self.partnership.started_on, min(first, self.today)))
            )
            moved = ag.weekday_near(first, day.number, not_before=earliest)
            if moved != self.first_date.value:
                self.first_date.value = moved  # rebuilds the schedule from it
                return
        self.check()

    def _continues_from(self) -> dt.date | None:
        """Where a saved agreement's schedule continues from when it is rebuilt: its earliest
        session still booked; with none left, the first day on its rhythm after the last one
        logged, today or later (None before it is saved)."""
        if self.saved is None:
            return None
        to_come = [b.on for b in self.bookings if b.session_id is not None and not b.cancelled]
        if to_come:
            return min(to_come)
        if not self.logged or self.frequency.value is None:
            return None
        step = dt.timedelta(days=ag.STEP_DAYS[self.frequency.value])
        later = self.logged[-1] + step
        while later < self.today:
            later += step
        if self.day.value is not None:  # on the agreed day (a held one may have been moved)
            later = ag.weekday_near(later, self.day.value.number, not_before=self.today)
        return later

    def _regenerate(
        self, *, anchor_on_first: bool = True, anchor: dt.date | None = None, resize: bool = False
    ) -> None:
        first = anchor or self.first_date.value
        if anchor is None and not anchor_on_first and (continues := self._continues_from()):
            first = continues
        if self.until.value is None and (self.count.value or 0) < max(len(self.logged), 1):
            return  # fewer than those held: said under the number (with none, "at least one")
        if first is None or not EARLIEST_DATE <= first <= LATEST_DATE:
            # An emptied (or impossible) first date asks for a date, one outside the workbook's
            # years for another: the schedule stays as it was until one is chosen.
            return
        # The number of sessions counts those already held or missed: book the rest, stepping
        # over the days cancelled on purpose between sessions (see ag.rebook).
        until = self.until.value
        wanted = None if until is not None else (self.count.value or 0) - len(self.logged)
        bookings = None
        if resize:
            bookings = ag.resize(
                self.bookings,
                self.frequency.value,
                count=wanted,
                until=until,
                holes=self._holes(),
                weekday=self.day.value.number if self.day.value is not None else None,
                # Sessions added to a saved schedule are still to come.
                not_before=self.today if self.saved is not None else dt.date.min,
            )
        if bookings is None:
            bookings = ag.reschedule(
                self.bookings,
                first,
                self.frequency.value,
                count=wanted,
                until=until,
                holes=self._holes(),
            )
        total = len(self.logged) + sum(not b.cancelled for b in bookings)
        self.too_many = total if total > MOST_SESSIONS else 0
        if self.too_many or (until is not None and total == len(self.logged)):
            # Too far ahead, or before the first session: the end date is the error (said
            # under it); the schedule, and its number of sessions, stay as they were.
            return
        self.bookings = bookings
        self._held_back = set()  # the schedule follows every change made to its inputs
        if until is not None:
            # The count follows the end date; no regeneration while it is set.
            self._set_count()

    def _holes(self) -> list[ag.Booking]:
        """The sessions cancelled on purpose: those cancelled between others when the schedule
        was loaded, and those the person ticked cancelled since (not those a lower number cut
        off the end)."""
        return [b for b in self.bookings if b.cancelled and _booking_key(b) in self._on_purpose]

    def _starts(self, started: dt.date) -> str:
        """ "starts" for a partnership paired to start later, else "started"."""
        return "starts" if started > self.today else "started"

    def _set_count(self) -> None:
        """The number of sessions as the schedule has it: those held or missed, and those
        booked (a session cancelled below is one fewer)."""
        loading, self._loading = self._loading, True
        self.count.value = len(self.logged) + sum(not b.cancelled for b in self.bookings)
        self._loading = loading

    def _render_rows(self) -> None:
        done = len(self.logged)
        said = []
        if done:
            last = dates.short(self.logged[-1])
            missed = sum(day in self.missed for day in self.logged)
            state = (
                "held"
                if not missed
                else "missed"
                if missed == done
                else f"held or missed ({done - missed} held, {missed} missed"
            )
            said.append(
                (
                    f"Session 1 was {state} (on {last}; the session log has it) and is"
                    if done == 1
                    else f"Sessions 1 {'and' if done == 2 else 'to'} {done} were {state}"
                    + ("; " if "(" in state else " (")
                    + f"the last on {last}; the session log has them) and are"
                )
                + " counted in the number; those still to come can be moved or cancelled here."
            )
        if self.unplanned:
            one = len(self.unplanned) == 1
            said.append(
                ag.unplanned_words(self.unplanned, dates.short)  # as the line before it
                + (
                    ": the session log has it; it is"
                    if one
                    else ": the session log has them; they are"
                )
                + " not counted in the number."
            )
        self.logged_note.value = (
            f"<p style='margin:0;font-size:13px'>{' '.join(said)}</p>" if said else ""
        )
        rows = []
        self._emptied = set()  # each row shows its booking's day again
        names = ag.labels(self.bookings, held=len(self.logged))
        for k, (booking, name) in enumerate(zip(self.bookings, names, strict=True)):
            picker = widgets.DatePicker(
                value=booking.on,
                description=name,
                style=forms._STYLE,
                layout=widgets.Layout(width="410px"),
            )
            cancel = widgets.Checkbox(
                value=booking.cancelled,
                description="cancelled",
                indent=False,
                layout=widgets.Layout(width="auto"),
            )
            picker.observe(runtime.guarded(self._row_changed(k, "on")), names="value")
            cancel.observe(runtime.guarded(self._row_changed(k, "cancelled")), names="value")
            rows.append(forms.name_row_by(widgets.HBox([picker, cancel]), picker))
        self.rows.children = rows

    def _row_changed(self, index: int, name: str):
        def update(change) -> None:
            if name == "on" and change["new"] is None:
                # An emptied box is no day: it is said, and nothing saved, until it has one
                # (the booking kept the last day typed, which a save took without a word).
                self._emptied.add(index)
                forms.changed_since_saved(self.result)
                self.check()
                return
            if name == "on":
                self._emptied.discard(index)
            bookings = list(self.bookings)
            booking = bookings[index]
            was_first = booking.on == self.first_date.value
            bookings[index] = ag.Booking(
                on=change["new"] if name == "on" else booking.on,
                session_id=booking.session_id,
                cancelled=change["new"] if name == "cancelled" else booking.cancelled,
            )
            self.bookings = bookings
            forms.changed_since_saved(self.result)
            names = ag.labels(bookings, held=len(self.logged))
            for row, row_name in zip(self.rows.children, names, strict=True):
                row.children[0].description = row_name
            if name == "cancelled":
                key = _booking_key(bookings[index])
                self._on_purpose.discard(_booking_key(booking))
                if change["new"]:
                    self._on_purpose.add(key)
                self._set_count()
            active = [b.on for b in bookings if not b.cancelled]
            if name == "on" and was_first and not self.logged and active:
                # The first session itself moved: the first date is the earliest session now
                # (set without rebuilding the schedule from it).
                self._loading = True
                self.first_date.value = min(active)
                self._loading = False
            self.check()
            self._on_edit()

        return update

    # -- drafts ----------------------------------------------------------------------------------

    def _draft_key(self) -> str:
        return ag.draft_key(self.partnership.id)

    def _draft_data(self) -> dict:
        """What the draft keeps: the form as typed (the person's own part, never the other's)
        and the agreement the typing began from."""
        me = self.acting.value
        form = ag.draft_form(self.values(), self.bookings, me)
        form["on_purpose"] = [
            k
            for k, booking in enumerate(self.bookings)
            if booking.cancelled and _booking_key(booking) in self._on_purpose
        ]
        return {"form": form, "base": ag.draft_base(self.loaded, me)}

    def _on_edit(self, _change=None) -> None:
        """Keep what the person typed as their draft (or drop it, once the form is as
        stored)."""
        if self._loading or self.partnership is None or self.acting.value is None:
            return
        self.draft_bar.keep(
            self.store,
            self.acting.value,
            ag.DRAFT_KIND,
            self._draft_key(),
            self._draft_data,
            as_stored=not self.unsaved.unsaved,
        )

    def _drop_draft(self) -> None:
        if self.partnership is not None and self.acting.value is not None:
            drafts.discard(self.store, self.acting.value, ag.DRAFT_KIND, self._draft_key())

    def _on_discard_draft(self, _button=None) -> None:
        self._drop_draft()
        self.load(self.partnership.id, restore=False)
        self.result.value = forms.notice("info", "Draft discarded: this is the agreement as saved.")
        forms.give_focus(self.form)  # the form as saved: the next Tab goes on through it

    def _restore_draft(self) -> None:
        """Put the draft of the person under "I am" back on screen, over the agreement as
        stored (just loaded). What was saved since the typing began shows too, where the draft
        left it as it was; a field both changed shows what was typed, and saving asks about it
        (the save merges against what the typing began from, as from a form left open)."""
        me = self.acting.value
        found = (
            drafts.find(self.store, me, ag.DRAFT_KIND, self._draft_key())
            if me is not None
            else None
        )
        if found is None:
            self.draft_bar.clear()
            return
        stored = self.loaded
        try:
            shown, purpose, base = self._shown_from_draft(found.data, me)
            self._loading = True
            try:
                self._fill_from_draft(shown, purpose, me)
            finally:
                self._loading = False
        except Exception:
            log.exception("a draft of an agreement could not be shown; it is dropped")
            self._drop_draft()
            self.load(self.partnership.id, restore=False)
            return
        self.loaded = base
        self.check()
        since = ""
        if stored[0].updated_at is not None and stored[0].updated_at != base[0].updated_at:
            who = self.people.get(stored[0].updated_by)
            saver = (
                "You saved the agreement from another window"
                if stored[0].updated_by == me
                else f"{html.escape(who.name) if who else 'Someone'} saved the agreement"
            )
            since = f" {saver} since: what was changed there shows too."
        self.draft_bar.restored(
            found.updated_at, also=since, store=self.store, person_id=self.acting.value
        )

    def _shown_from_draft(self, data: dict, me: int) -> tuple[dict, list[bool], ag.Version]:
        """What to show of a draft (see :meth:`_restore_draft`), which of its schedule's
        cancelled sessions were cancelled on purpose, and the version its typing began from.
        Sessions held or missed since are the session log's: they leave the schedule."""
        editable = {b.session_id for b in self.loaded[1] if b.session_id is not None}

        def still_booked(rows: list) -> list[bool]:
            return [sid is None or sid in editable for _on, sid, _cancelled in rows]

        typed = dict(data["form"])
        purposes = set(typed.pop("on_purpose", []))
        keep = still_booked(typed["schedule"])
        typed["schedule"] = [r for r, kept in zip(typed["schedule"], keep, strict=True) if kept]
        purpose = [k in purposes for k, kept in enumerate(keep) if kept]
        base_data = dict(data["base"])
        rows = base_data["schedule"]
        base_data["schedule"] = [
            r for r, kept in zip(rows, still_booked(rows), strict=True) if kept
        ]
        base = ag.base_of_draft(base_data, self.partnership.id)
        was = {k: v for k, v in base_data.items() if k != "updated_at"}
        now = ag.draft_form(self.loaded[0].model_dump(), self.loaded[1], me)
        was, typed = ag.with_goals_merged(was, now, typed)
        merged, _clashes = merging.merge_values(was, now, typed, list(typed))
        shown = {**now, **typed, **merged}
        if shown["schedule"] != typed["schedule"]:  # the schedule as saved since
            gaps = {_booking_key(b) for b in ag.gaps(ag.draft_bookings(shown["schedule"]))}
            purpose = [_booking_key(b) in gaps for b in ag.draft_bookings(shown["schedule"])]
        return shown, purpose, base

    def _fill_from_draft(self, shown: dict, purpose: list[bool], me: int) -> None:
        """Put a draft's fields on screen (see :meth:`_shown_from_draft`), each as typed, in
        range or not; one its box cannot show keeps what is stored."""
        for name in _DRAFTED:
            annotation = Agreement.model_fields[name].annotation
            try:
                value = pydantic.TypeAdapter(annotation).validate_python(shown.get(name))
                self.fields[name].value = value
            except (pydantic.ValidationError, traitlets.TraitError):
                log.warning("a draft's %s could not be shown: the stored one stays", name)
        goals = shown.get("goals") or []
        self.goals.value = "\n".join(g.get("text", "") for g in goals)
        self._render_goal_links([(g.get("text", ""), g.get("change_plan_id")) for g in goals])
        own = shown.get("own_part")
        if own is not None and me in self.partnership.members:
            self.panels[self.partnership.members.index(me)].restore(own)
        self.bookings = ag.draft_bookings(shown["schedule"])
        self._on_purpose = {
            _booking_key(b) for b, chosen in zip(self.bookings, purpose, strict=True) if chosen
        }
        self._set_count()
        self._render_rows()

    # -- checking and saving ---------------------------------------------------------------------

    def values(self) -> dict:
        goals = self._goal_lines()
        links = ag.carry_links(goals, self._links)
        return {
            "id": self.saved.id if self.saved else None,
            "partnership_id": self.partnership.id,
            "partners": [panel.section() for panel in self.panels],
            "medium": self.medium.value,
            "format": self.format.value,
            "minutes_per_person": self.minutes.value,
            "frequency": self.frequency.value,
            "day": self.day.value,
            "time": self.time.value.replace(second=0, microsecond=0) if self.time.value else None,
            "time_zone": self.zone.value,
            "caller_id": self.caller.value,
            "first_session_on": self.first_date.value,
            "session_count": max(len(self.logged) + sum(not b.cancelled for b in self.bookings), 1),
            "last_session_on": self.until.value,
            "goals": [
                {"text": g, "change_plan_id": link} for g, link in zip(goals, links, strict=True)
            ],
            "is_demo": self.saved.is_demo if self.saved else False,
        }

    def check(self, *, saving: bool = False) -> tuple[Agreement | None, ag.Findings]:
        """Validate what is on screen; show each error and warning next to its field."""
        findings = ag.Findings()
        agreement = None
        try:
            agreement = Agreement.model_validate(self.values())
        except ValidationError as exc:
            findings.errors.update(exc.messages())
        if "time_zone" in findings.errors:  # as every time zone box on the pages says it
            findings.errors["time_zone"] = forms.NO_TIME_ZONE
        # A goal's problem says which goal ("goal 3 (“Run a …”): must be at most 500
        # characters"): the box holds them all.
        lines = self._goal_lines()
        for path in [p for p in findings.errors if p.startswith("goals[")]:
            k = int(path[len("goals[") : path.index("]")])
            if k < len(lines):
                goal = cohort.shortened(lines[k], 40)
                findings.errors[path] = (
                    f"goal {k + 1} (\u201c{goal}\u201d): {findings.errors[path]}"
                )
        findings.errors.update(forms.range_errors(self.fields.values()))
        if self._emptied:
            names = ag.labels(self.bookings, held=len(self.logged))
            emptied = [names[k] for k in sorted(self._emptied) if k < len(names)]
            ag.add_problem(
                findings.errors,
                "schedule",
                f"{emptied[0]} has no date: choose its day, or tick it cancelled"
                if len(emptied) == 1
                else f"{', '.join(emptied[:-1])} and {emptied[-1]} have no date: choose their "
                "days, or tick them cancelled",
            )
        if self.count.value == 0 and not self.logged:
            findings.errors["session_count"] = "book at least one session"
        elif self.logged and self.until.value is None and self.count.value < len(self.logged):
            done = len(self.logged)
            findings.errors["session_count"] = (
                f"{done} session{'s are' if done > 1 else ' is'} already held or missed: the "
                f"number of sessions counts them, so it is {done} or more"
            )
        first, until = self.first_date.value, self.until.value
        if until is not None and first is not None:
            # The number follows the end date: what is wrong is the date.
            if self.too_many:
                findings.errors["last_session_on"] = (
                    f"that makes {self.too_many} sessions from {dates.short(first)}: at most "
                    f"{MOST_SESSIONS} can be booked, so choose an earlier end date"
                )
            if until < first:
                findings.errors.pop("session_count", None)  # the end date says why
            elif (continues := self._continues_from()) is not None and until < continues:
                booked = any(b.session_id is not None and not b.cancelled for b in self.bookings)
                findings.errors.setdefault(
                    "last_session_on",
                    f"the next session booked is on {dates.short(continues)}: end on that day or "
                    "later (to cancel sessions, tick them cancelled below)"
                    if booked
                    else f"every session booked is held or missed; the schedule goes on from "
                    f"{dates.short(continues)}: end on that day or later",
                )
        pointed = set(self._emptied)  # the rows the schedule's error names
        if self.partnership is not None:
            started = self.partnership.started_on
            early = [b.on for b in self.bookings if not b.cancelled and b.on < started]
            held_first = self.saved.first_session_on if self.saved else None
            if self.logged and first != held_first and held_first is not None:
                findings.errors["first_session_on"] = (
                    f"the first session was on {dates.long(held_first)} and sessions have been "
                    "held since: it stays (move the sessions still to come below)"
                )
            elif first is not None and first < started:
                findings.errors["first_session_on"] = (
                    f"the partnership {self._starts(started)} on {dates.long(started)}: its first "
                    "session is on that day or later"
                )
            elif early:
                pointed.update(
                    k for k, b in enumerate(self.bookings) if not b.cancelled and b.on < started
                )
                ag.add_problem(
                    findings.errors,
                    "schedule",
                    f"a session is booked on {dates.short(early[0])}, before the partnership "
                    f"{self._starts(started)} on {dates.long(started)}",
                )
        if saving and self.acting.value is None:
            findings.errors["acting"] = "choose who you are: every change is kept with a name"
        elif self.acting.value is None and self.named_elsewhere:
            findings.warnings["acting"] = (
                f"{self.named_elsewhere} is not in this partnership: choose who you are"
            )
        if agreement is not None:
            found = ag.check(
                agreement,
                self.bookings,
                today=self.today,
                booked_on={b.session_id: b.on for b in self.loaded[1] if b.session_id},
                logged=self.logged,
                unplanned=self.unplanned,
                saved=self.saved,
            )
            findings.warnings.update(found.warnings)
            pointed |= found.bookings
            for path, message in found.errors.items():
                if path == "schedule":  # said together with the form's own
                    ag.add_problem(findings.errors, path, message)
                else:
                    findings.errors.setdefault(path, message)
        forms.show_messages(self.fields, findings.errors, findings.warnings)
        # The sessions the schedule's error names are marked invalid (and described by it),
        # not every date in the list.
        for k, row in enumerate(self.rows.children):
            picker = row.children[0]
            if k in pointed and "schedule" in findings.errors:
                picker.add_class(forms.INVALID)
            else:
                picker.remove_class(forms.INVALID)
        # A refusal's summary names the fields still marked (it stood whole till the last).
        forms.restate(self.result, self.fields.values())
        self._show_status(agreement)
        return agreement, findings

    def _on_save(self, _button=None) -> None:
        agreement, findings = self.check(saving=True)
        if findings.errors or agreement is None:
            # (Shown again, for what no field claims: said in the summary.)
            unplaced = forms.show_messages(self.fields, findings.errors, findings.warnings)
            self.result.value = forms.refused(self.fields, unplaced)
            return
        latest = ag.load(self.store, self.partnership.id)[0]
        saved_since = latest is not None and (
            self.saved is None or latest.updated_at != self.saved.updated_at
        )
        try:
            self.saved, self.bookings = ag.save(
                self.store,
                agreement,
                self.bookings,
                by=self.acting.value,
                loaded=self.loaded,
                today=self.today,
            )
        except ConflictError as exc:
            self.resolved = exc.merged
            self._clashed = exc.fields
            who = self.people.get(exc.by)
            saver = (
                "You saved this agreement from another window"
                if exc.by == self.acting.value
                else f"{html.escape(who.name) if who else 'Someone'} saved this agreement"
            )
            fields = forms.named_fields(self._label(name) for name in exc.fields)
            self.result.value = forms.notice(
                "error",
                f"Nothing was saved: {saver} after you opened it, and changed {fields} "
                "differently. Your changes are still on screen. Show the saved agreement to "
                "see theirs: your other changes come with it"
                + ("" if self.resolved else " (note them: they do not fit with theirs)")
                + f"; then set {fields} as you both agree, and save.",
            )
            self.reload_button.layout.display = "flex"
            return
        except ValidationError as exc:
            self.result.value = forms.refusal(self.fields, exc, "Nothing was saved")
            return
        except Exception:
            log.exception("saving the agreement failed")
            self.result.value = forms.notice(
                "error",
                "The agreement could not be saved, so nothing was changed. "
                + (
                    forms.try_again()
                    if forms.try_again() != "Try again."
                    else "Try again; if it keeps happening, tell whoever runs this workbook."
                ),
            )
            return
        kept = (
            ""
            if not saved_since
            else " What you saved in another window meanwhile is kept too."
            if latest.updated_by == self.acting.value
            else " What your partner saved meanwhile is kept too."
        )
        self.load(self.partnership.id)
        self.result.value = forms.notice(
            "ok",
            f"{forms.saved_at(self.store, self.acting.value)}{kept} "
            + (
                "The agreement is in force."
                if self.saved.in_force
                else "It comes into force once both partners have affirmed confidentiality."
            ),
        )

    def _show_status(self, agreement: Agreement | None) -> None:
        if agreement is None:
            return
        saved_in_force = self.saved is not None and self.saved.in_force
        if agreement.in_force and not saved_in_force:
            self.status.value = forms.notice(
                "info",
                "<strong>In force once saved.</strong> Both partners have affirmed the ground "
                "rule of confidentiality: save the agreement to bring it into force.",
            )
            return
        if agreement.in_force:
            self.status.value = forms.notice(
                "ok",
                "<strong>In force.</strong> Both partners have "
                "affirmed the ground rule of confidentiality.",
            )
            return
        withdrawn = [
            html.escape(p.person.name)
            for p in self.panels
            if p.person is not None and p.affirmed_at is None and p.affirmation_unsaved
        ]
        if saved_in_force and withdrawn:
            self.status.value = forms.notice(
                "info",
                "<strong>In force until saved.</strong> Saving withdraws "
                + " and ".join(withdrawn)
                + "\u2019s affirmation: the agreement is then no longer in force.",
            )
            return
        waiting = [html.escape(p.person.name) for p in self.panels if p.affirmed_at is None]
        # Ticked on this page, not saved: not an affirmation yet (it read as one, "waiting"
        # named only the other partner).
        unsaved = [
            html.escape(p.person.name)
            for p in self.panels
            if p.person is not None and p.affirmed_at is not None and p.affirmation_unsaved
        ]
        self.status.value = forms.notice(
            "info",
            "<strong>Not in force yet.</strong> Waiting for "
            + " and ".join(waiting)
            + " to affirm the ground rule of confidentiality"
            + (
                f"; {' and '.join(unsaved)}\u2019s affirmation counts once the agreement is saved."
                if unsaved
                else "."
            ),
        )

    def _refresh_outputs(self) -> None:
        if self.saved is None:
            self.downloads.value = "<p>Save the agreement to download it and its calendar.</p>"
            self.history.value = ""
            return
        text = ag.markdown(
            self.saved,
            self.partnership,
            self.people,
            self.bookings,
            self.logged,
            self.unplanned,
            self.plan_labels(),
        )
        names = forms.pair_file_name(self.partnership, self.people)
        self.downloads.value = (
            forms.download_link(
                "Agreement (Markdown)", f"agreement-{names}.md", text.encode(), "text/markdown"
            )
            + forms.download_link(
                "Agreement (web page)",
                f"agreement-{names}.html",
                documents.html_page(text, "Peer-coaching agreement").encode(),
                "text/html",
            )
            + forms.calendar_file_link(self.store, self.partnership, self.people)
        )
        self.history.value = self._history_html()

    def _history_html(self) -> str:
        names = {pid: person.name for pid, person in self.people.items()}
        return forms.history_table(
            self.store.history(Agreement, self.saved.id),
            Agreement,
            names,
            store=self.store,
            person_id=self.acting.value,
        )


def _on_a_line(sentence: str) -> str:
    return f"<br>{sentence}" if sentence else ""


def build_agreement_app(store: Store | None = None, **kwargs) -> widgets.Widget:
    """The agreement app; the partnership and person come from the page's URL when not given."""
    kwargs.setdefault("partnership_id", context.int_param("partnership"))
    kwargs.setdefault("person_id", context.person_param(store))
    return runtime.launch(AgreementApp, store, **kwargs)
