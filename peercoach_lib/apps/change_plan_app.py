"""The Personal Change Plan app: plan a change so that progress can be seen, and keep it current."""

from __future__ import annotations

import datetime as dt
import functools
import html
import logging
from collections.abc import Callable

import ipywidgets as widgets

from peercoach_lib import agreement as ag
from peercoach_lib import change_plan as cp
from peercoach_lib import dates, documents, drafts, gas, lsi, merging, partnerships, wording
from peercoach_lib.apps import context, forms, runtime
from peercoach_lib.errors import ConfigurationError, ValidationError
from peercoach_lib.model import (
    Agreement,
    ChangePlan,
    GasScale,
    Partnership,
    Person,
    PlanStatus,
)
from peercoach_lib.store import Store

log = logging.getLogger(__name__)

NEW = "new"
#: A new plan's change before the person names it (the record needs one; the form shows blank).
UNNAMED = "(name the change)"
GAS_FIELDS = (  # (field, level), best first, as people usually write them
    ("much_more", 2),
    ("somewhat_more", 1),
    ("expected", 0),
    ("somewhat_less", -1),
    ("much_less", -2),
)
_ROW = widgets.Layout(width="min(100%, 420px)")


def _step_row(item: dict | None) -> dict:
    item = item or {}
    return {
        "text": widgets.Text(
            value=item.get("text", ""), placeholder="A step", description="Step", layout=_ROW
        ),
        "by_when": widgets.DatePicker(
            value=item.get("by_when"), description="By when", layout=widgets.Layout(width="260px")
        ),
    }


def _obstacle_row(item: dict | None) -> dict:
    item = item or {}
    return {
        "obstacle": widgets.Text(
            value=item.get("obstacle", ""),
            description="Obstacle",
            placeholder="What could get in the way",
            layout=_ROW,
        ),
        "response": widgets.Text(
            value=item.get("response", ""),
            description="Then I will",
            placeholder="What I will do then",
            layout=_ROW,
        ),
    }


def _milestone_row(item: dict | None) -> dict:
    item = item or {}
    return {
        "due_on": widgets.DatePicker(
            value=item.get("due_on"), description="Date", layout=widgets.Layout(width="260px")
        ),
        "description": widgets.Text(
            value=item.get("description", ""), description="Milestone", layout=_ROW
        ),
    }


#: What the SMART helper reads of a plan (:func:`change_plan.smart_hints`).
_SMART_READS = ("goal_statement", "confidence", "why_it_matters", "lsi_area", "created_on")


class ChangePlanApp(widgets.VBox):
    """Write, revise and close Personal Change Plans; several per person."""

    def __init__(
        self,
        store: Store | None = None,
        *,
        person_id: int | None = None,
        focus: list[str] | None = None,
        today: dt.date | None = None,
    ):
        super().__init__(layout=widgets.Layout(max_width="1000px"))
        self.add_class("peercoach-app")
        self.add_class("peercoach-change-plan")
        self.store = store or Store()
        self.today = today or context.today(self.store)
        self.saved: ChangePlan | None = None
        self._loading = False  # the form is being filled from storage: that is no edit
        try:
            self.areas = lsi.load_areas()
        except ConfigurationError:
            log.exception("the LSI areas cannot be loaded")
            self.areas = []
        # Focus areas come from a link: only the life areas the workbook knows count.
        self.focus = [a for a in dict.fromkeys(focus or []) if a in self.areas]
        #: Areas a link named that are not life areas of this workbook (said, not dropped).
        self.unknown_focus = [a for a in dict.fromkeys(focus or []) if a not in self.areas]

        self.person = forms.dropdown("I am", "person_id", [])
        self.plan = forms.dropdown("Plan", "plan_id", [])
        self.demo = widgets.HTML()
        self.change = forms.text("The change I want to make", "change")
        self.why = forms.textarea("Why it matters to me", "why_it_matters")
        self.importance = forms.Field(
            widgets.IntSlider(
                value=5,
                min=0,
                max=10,
                description="How important is it? (0-10)",
                style=forms._STYLE,
                layout=widgets.Layout(width="min(100%, 640px)"),
            ),
            "importance",
        )
        self.confidence = forms.Field(
            widgets.IntSlider(
                value=5,
                min=0,
                max=10,
                description="How confident am I that I can do it? (0-10)",
                style=forms._STYLE,
                layout=widgets.Layout(width="min(100%, 640px)"),
            ),
            "confidence",
        )
        self.area = forms.dropdown("Life area it serves", "lsi_area", [("(none)", None)])
        #: Under the life area: the partnership goals the plan serves (linked in the agreement).
        self.serves = widgets.HTML(layout=widgets.Layout(margin=f"0 0 6px {forms.LABEL_WIDTH}"))
        self.goal = forms.textarea(
            "My goal, in one sentence",
            "goal_statement",
            placeholder="For example: walk to work three times a week by the end of April.",
        )
        self.smart = widgets.HTML(layout=widgets.Layout(margin=f"0 0 6px {forms.LABEL_WIDTH}"))
        self.steps = forms.RowList("Steps", "steps", _step_row, add_label="Add a step", noun="Step")
        self.supports = forms.textarea("Who and what can help", "supports")
        self.obstacles = forms.RowList(
            "What could get in the way",
            "obstacles",
            _obstacle_row,
            add_label="Add an obstacle",
            noun="Obstacle",
        )
        self.evidence = forms.textarea("How I will know it is working", "evidence")
        self.milestones = forms.RowList(
            "Milestones",
            "milestones",
            _milestone_row,
            add_label="Add a milestone",
            noun="Milestone",
        )
        for rows in (self.steps, self.milestones):
            rows.check_row = functools.partial(self._row_date_error, rows.path)
        self.monthly = widgets.Button(
            description="Fill in monthly milestones",
            icon="calendar",
            layout=widgets.Layout(
                width="auto", align_self="flex-start", margin=f"0 0 0 {forms.LABEL_WIDTH}"
            ),
        )
        self.monthly_result = widgets.HTML(
            layout=widgets.Layout(margin=f"0 0 0 {forms.LABEL_WIDTH}")
        )
        self.gas_intro = widgets.HTML(
            "<p>Describe, before you start, what each level of success would look like for you. "
            "At each session you will say which level you reached.</p>"
        )
        self.gas_levels = {
            name: forms.textarea(f"{gas.sign(level)}: {gas.LEVELS[level]}", f"gas.{name}", rows=2)
            for name, level in GAS_FIELDS
        }
        self.baseline = forms.dropdown(
            "Where I start",
            "baseline_level",
            [(f"{gas.sign(lv)}: {gas.LEVELS[lv]}", lv) for lv in (-2, -1, 0)],
            value=-1,
        )
        self.weight = forms.decimal(
            "Weight against my other goals", "weight", low=0.1, high=100, value=1.0, step=0.5
        )
        self.status = forms.dropdown(
            "Status",
            "status",
            [
                ("Active", PlanStatus.ACTIVE),
                ("Achieved", PlanStatus.ACHIEVED),
                ("Dropped", PlanStatus.DROPPED),
            ],
            value=PlanStatus.ACTIVE,
        )
        self.reason = forms.text(
            "Reason", "status_reason", placeholder="Why it was dropped, or what achieving it meant"
        )
        self.save_button = widgets.Button(
            description="Save plan",
            button_style="primary",
            icon="save",
            layout=widgets.Layout(margin=f"12px 0 0 {forms.LABEL_WIDTH}"),
        )
        self.result = widgets.HTML()
        self.downloads = widgets.HTML()
        self.history = widgets.HTML()

        self.fields = {
            f.path: f
            for f in (
                self.person,
                self.change,
                self.why,
                self.importance,
                self.confidence,
                self.area,
                self.goal,
                self.steps,
                self.supports,
                self.obstacles,
                self.evidence,
                self.milestones,
                *self.gas_levels.values(),
                self.baseline,
                self.weight,
                self.status,
                self.reason,
            )
        }
        forms.retire_when_mended(self.result, self.fields.values())
        self.form = widgets.VBox(
            [
                self.demo,
                forms.heading("The change"),
                self.change,
                self.why,
                self.importance,
                self.confidence,
                self.area,
                self.serves,
                forms.heading("Goal"),
                self.goal,
                self.smart,
                forms.heading("How I will get there"),
                self.steps,
                self.supports,
                self.obstacles,
                self.evidence,
                self.milestones,
                self.monthly,
                self.monthly_result,
                forms.heading("Goal attainment levels"),
                self.gas_intro,
                *self.gas_levels.values(),
                self.baseline,
                self.weight,
                forms.heading("Status"),
                self.status,
                self.reason,
                self.save_button,
                self.result,
                forms.heading("Take it with you", 3),
                self.downloads,
                forms.heading("Changes", 3),
                self.history,
            ]
        )
        self.unsaved = forms.UnsavedChanges(
            self._snapshot, what="this plan", on_discard=self._drop_draft, keeps_drafts=True
        )
        self.found = widgets.HTML()
        self.draft_bar = forms.DraftBar("the plan")
        self.unsaved.hide_while_asking(self.draft_bar.discard)
        self.draft_notice, self.discard = self.draft_bar.notice, self.draft_bar.discard
        self.children = [
            forms.stylesheet(),
            self.person,
            forms.Place(person=self.person),
            self.plan,
            self.unsaved,
            self.found,
            self.draft_bar,
            self.form,
        ]

        self.goal.control.observe(runtime.guarded(self._on_goal), names="value")
        for field in (self.confidence, self.why, self.area):
            field.control.observe(runtime.guarded(self._on_goal), names="value")
        for field in (self.area, self.status):
            field.control.observe(runtime.guarded(self._on_area), names="value")
        self.status.control.observe(runtime.guarded(self._on_status), names="value")
        for field in self.gas_levels.values():
            field.control.observe(runtime.guarded(self._on_gas), names="value")
        # Choose before listening, so the person's data loads once (below), not twice.
        forms.offer_participants(self.person, self.store, person_id)
        self.unsaved.watch(self.person, self._on_person)
        self.unsaved.watch(self.plan, self._on_plan)
        self.monthly.on_click(runtime.guarded(self._on_monthly))
        self.save_button.on_click(runtime.settled(self._on_save))
        # What is wrong with a box on its own (too long) is said as it is left.
        for field in (self.change, self.why, self.goal, self.supports, self.evidence, self.reason):
            forms.check_as_left(field, ChangePlan)
        self.discard.on_click(runtime.guarded(self._on_discard))
        # Every edit is kept as a draft until the plan is saved.
        for field in self.fields.values():
            if field is self.person:
                continue
            if isinstance(field, forms.RowList):
                field.on_edit(self._on_edit)
                notes_of = {self.steps: cp.step_notes, self.obstacles: cp.obstacle_notes}
                if field in notes_of:
                    follow = self._following_notes(field, notes_of[field])
                    field.on_edit(follow)
                    field.on_mended(follow)  # the last error gone: the notes again
            elif field.control.has_trait("value"):
                field.control.observe(runtime.guarded(self._on_edit), names="value")
        self._on_person()

    # -- choosing ----------------------------------------------------------------------------------

    def _on_person(self, _change=None, select: int | str | None = None) -> None:
        person_id = self.person.value
        for widget in (self.plan, self.form):
            widget.layout.display = "none" if person_id is None else "flex"
        if person_id is None:
            return
        me = self.store.get(Person, person_id)
        self.demo.value = forms.demo_notice() if me.is_demo else ""
        plans = self.store.find(ChangePlan, person_id=person_id, order_by="created_on")
        labels = {
            PlanStatus.ACTIVE: "",
            PlanStatus.ACHIEVED: " (achieved)",
            PlanStatus.DROPPED: " (dropped)",
        }
        # Two plans of the same change (started the same day, even) never read alike.
        names = cp.plan_names(plans)
        self.plan.control.options = [("Start a new plan…", NEW)] + [
            (
                (
                    f"{p.change} ({dates.short(p.created_on)})"
                    if names[p.id] == p.change
                    else names[p.id]
                )
                + labels[p.status],
                p.id,
            )
            for p in reversed(plans)
        ]
        already = None
        drafted = cp.drafted_plans(self.store, person_id)
        if select is None:
            active = [p for p in reversed(plans) if p.status is PlanStatus.ACTIVE]
            # Where I left a draft lately (a reload, or back the next day), else my latest
            # active plan.
            now = dt.datetime.now(dt.UTC)
            offered = {value for _label, value in self.plan.control.options}
            left = next(
                (
                    cp.plan_of_draft(d) or NEW
                    for d in drafted
                    if d.updated_at
                    and now - d.updated_at <= cp.RECENT_DRAFT
                    and (cp.plan_of_draft(d) or NEW) in offered
                ),
                None,
            )
            if self.focus:
                # A link from the LSI, followed again: the plan made from it, not a second one.
                already = next((p for p in active if p.lsi_area == self.focus[0]), None)
                select = already.id if already else NEW
            elif left is not None:
                select = left
            else:
                select = active[0].id if active else NEW
        self.plan.value = select
        self._on_plan()
        said = []
        if self.unknown_focus:
            said.append(
                f"The link you followed names {html.escape(', '.join(self.unknown_focus))}, "
                + (
                    "which is not a life area of this workbook, so it is left out."
                    if len(self.unknown_focus) == 1
                    else "which are not life areas of this workbook, so they are left out."
                )
            )
            self.unknown_focus = []  # said once, on opening
        if already is None and self.focus[1:] and select == NEW:
            # A new plan from a link naming several areas: it serves the first.
            others = self.focus[1:]
            said.append(
                f"A plan serves one life area: this one is for {html.escape(self.focus[0])}. "
                + html.escape(wording.listed(others))
                + (" can have one of its own" if len(others) == 1 else " can each have one")
                + ": save this plan, then choose “Start a new plan…” under Plan."
            )
        if already is not None:
            others = [a for a in self.focus if a != already.lsi_area]
            said.append(
                f"You already have an active plan for {html.escape(already.lsi_area)}: here it "
                "is. To make another, choose “Start a new plan…” under Plan"
                + (
                    f" (a plan serves one life area: {html.escape(', '.join(others))} can "
                    + (
                        "have one of its own)."
                        if len(others) == 1
                        else "each have one of their own)."
                    )
                    if others
                    else "."
                )
            )
        new_draft = next((d for d in drafted if cp.plan_of_draft(d) is None), None)
        if new_draft is not None and self.plan.value != NEW:
            when = (
                context.local_time(new_draft.updated_at, self.store, self.person.value)
                if new_draft.updated_at
                else None
            )
            said.append(
                "You started a new plan"
                + (f" on {dates.short(when)}" if when else "")
                + " and have not saved it: choose “Start a new plan…” under Plan to go on "
                "with it."
            )
        if said:
            self.found.value = forms.notice("info", " ".join(said))

    def _on_plan(self, _change=None) -> None:
        self.found.value = ""
        if self.person.value is None:
            return
        self._loading = True
        try:
            if self.plan.value == NEW:
                self.saved = None
                self.show(self._new_plan())
            else:
                self.saved = self.store.get(ChangePlan, self.plan.value)
                self.show(self.saved)
            self._show_goals_served()
            self.result.value = self.monthly_result.value = ""
            forms.show_messages(self.fields, {}, self._notes())
            self._refresh_outputs()
            self.unsaved.mark_clean()
            if self._restore_draft():
                # The notes are the draft's, as it shows (an area it changed, a step it dated).
                forms.show_messages(self.fields, {}, self._notes())
        finally:
            self._loading = False

    def _show_goals_served(self) -> None:
        """The partnership goals the plan shown is linked to, in the agreement where they are
        linked; for a plan under way linked to none, where to link it."""
        plan = self.saved
        if plan is None:
            self.serves.value = ""
            return
        me = plan.person_id
        served = ag.goals_served(self.store, plan)
        style = "font-size:13px;margin:0"
        if served:
            partner = {pair.id: pair.partner_of(me) for pair, _ in served}
            names = {p.id: p.name for p in self.store.find(Person, id=list(partner.values()))}
            by_pair: dict[int, list[str]] = {}
            pairs = {pair.id: pair for pair, _ in served}
            for pair, text in served:
                by_pair.setdefault(pair.id, []).append(f"\u201c{html.escape(text)}\u201d")
            goals = [
                f"{forms.listed(texts)} (with {html.escape(names[partner[pid]])}"
                + ("" if pairs[pid].is_active else ", ended")
                + ")"
                for pid, texts in by_pair.items()
            ]
            where = served[0][0]
            self.serves.value = (
                f"<p style='{style}'>Serves your partnership\u2019s goal"
                f"{'s' if len(served) > 1 else ''} {'; '.join(goals)}, linked in the "
                f"{self._agreement_link(where.id)}.</p>"
            )
            return
        pair = partnerships.active_partnership(self.store, me)
        if plan.status is PlanStatus.ACTIVE and pair is not None:
            self.serves.value = (
                f"<p style='{style}'>Not linked to a goal of your partnership yet: in the "
                f"{self._agreement_link(pair.id)}, a goal can be linked to this plan.</p>"
            )
        else:
            self.serves.value = ""

    def _agreement_link(self, partnership_id: int) -> str:
        href = context.link(
            "first_session_agreement.ipynb", partnership=partnership_id, person=self.saved.person_id
        )
        return f"<a href='{html.escape(href)}' style='{forms.LINK}'>first-session agreement</a>"

    def _new_plan(self) -> ChangePlan:
        """A fresh plan; the focus areas picked in the LSI app come along."""
        area = self.focus[0] if self.focus else None
        change = f"More satisfaction with {area.lower()}" if area else UNNAMED
        milestones = cp.default_milestones(self.today, self._eight_sessions_end(self.today))
        return ChangePlan(
            person_id=self.person.value,
            change=change,
            lsi_area=area,
            why_it_matters=(
                "My Lifestyle Satisfaction Index suggested focusing on "
                f"{wording.listed(self.focus)}."
                if self.focus
                else ""
            ),
            created_on=self.today,
            milestones=milestones,
        )

    def _eight_sessions_end(self, start: dt.date) -> dt.date:
        """The end of eight sessions on the rhythm agreed in the person's partnership."""
        with self.store.reading() as tx:
            pairs = [
                p.id for p in tx.find(Partnership) if self.person.value in p.members and p.is_active
            ]
            agreements = tx.find(Agreement, partnership_id=pairs) if pairs else []
        frequency = agreements[0].frequency if agreements else None
        return cp.eight_sessions_end(start, frequency)

    def show(self, plan: ChangePlan) -> None:
        self._fill(plan.model_dump())

    def _fill(self, values: dict) -> None:
        """Fill the form from a plan's fields (a plan's, or a draft's, valid or not)."""
        self.change.value = "" if values["change"] == UNNAMED else values["change"]
        self.why.value = values["why_it_matters"]
        self.importance.value = values["importance"]
        self.confidence.value = values["confidence"]
        area = values["lsi_area"]
        areas = list(dict.fromkeys([*self.areas, *([area] if area else [])]))
        self.area.control.options = [("(none)", None), *((a, a) for a in areas)]
        self.area.value = area
        self.goal.value = values["goal_statement"]
        self.steps.load(values["steps"])
        self.supports.value = values["supports"]
        self.obstacles.load(values["obstacles"])
        self.evidence.value = values["evidence"]
        self.milestones.load(values["milestones"])
        for name, field in self.gas_levels.items():
            field.value = values["gas"][name]
        self.baseline.value = values["baseline_level"]
        self.weight.value = values["weight"]
        self.status.value = values["status"]
        self.reason.value = values["status_reason"]
        self._on_goal()
        self._on_gas()

    # -- drafts ------------------------------------------------------------------------------------

    def _draft_key(self) -> str:
        return cp.draft_key(None if self.plan.value == NEW else self.plan.value)

    def _form_of(self, plan: ChangePlan | None) -> dict:
        """A plan's fields as the form holds them (JSON), to compare with a draft's."""
        if plan is None:
            return {}
        dumped = plan.model_dump()
        return cp.form_to_json({name: dumped[name] for name in self._snapshot()})

    def _restore_draft(self) -> bool:
        """Put the person's draft of this plan back on screen; whether there was one."""
        draft = drafts.find(self.store, self.person.value, cp.DRAFT_KIND, self._draft_key())
        if draft is None:
            self.draft_bar.clear()
            return False
        typed = draft.data.get("form", {})
        base = ChangePlan.model_validate(draft.data["base"]) if draft.data.get("base") else None
        # What another window saved since the typing began shows too, where the draft left it
        # as it was; a field both changed keeps what was typed (the save will ask).
        merged, _clashes = merging.merge_values(
            self._form_of(base), self._form_of(self.saved), typed, list(typed)
        )
        shown = {**self._form_of(self.saved), **typed, **merged}
        try:
            self._fill(cp.form_from_json(shown))
        except Exception:
            log.exception("a draft of a change plan could not be shown; it is dropped")
            self._drop_draft()
            self.show(self.saved if self.saved is not None else self._new_plan())
            self.draft_bar.clear()
            return False
        if base is not None:
            self.saved = base  # what the typing began from: a save merges against it
        self.draft_bar.restored(draft.updated_at, store=self.store, person_id=self.person.value)
        return True

    def _on_edit(self, _change=None) -> None:
        """Keep what the person typed as a draft (or drop it, once the form is as stored)."""
        if self._loading or self.person.value is None:
            return
        forms.changed_since_saved(self.result)
        self.draft_bar.keep(
            self.store,
            self.person.value,
            cp.DRAFT_KIND,
            self._draft_key(),
            lambda: {
                "form": cp.form_to_json(self._snapshot()),
                "base": self.saved.model_dump(mode="json") if self.saved else None,
            },
            as_stored=not self.unsaved.unsaved,  # the form is as stored again
        )

    def _drop_draft(self) -> None:
        if self.person.value is not None:
            drafts.discard(self.store, self.person.value, cp.DRAFT_KIND, self._draft_key())

    def _on_discard(self, _button=None) -> None:
        self._drop_draft()
        self._on_plan()
        self.result.value = forms.notice("info", "Draft discarded: this is the plan as saved.")
        forms.give_focus(self.form)  # the form as saved: the next Tab goes on through it

    # -- helpers -----------------------------------------------------------------------------------

    def _on_goal(self, _change=None) -> None:
        draft = self.draft()
        if draft is None:
            # Something else in the form is not right yet (a milestone's date, say): the helper
            # still reads everything it looks at, not the goal's words alone, or it would
            # praise a goal the saved plan is given advice on.
            values = self.values()
            draft = ChangePlan.model_construct(**{name: values[name] for name in _SMART_READS})
        hints = cp.smart_hints(draft)
        if not hints:
            self.smart.value = (
                (
                    "<div style='color:#1b6e2a;font-size:13px'><strong>SMART:</strong> "
                    "specific, measurable, achievable, relevant and time-bound. "
                    "Well put.</div>"
                )
                if self.goal.value.strip()
                else ""
            )
            return
        items = "".join(
            f"<li><strong>{h.criterion}:</strong> {html.escape(h.hint)}</li>" for h in hints
        )
        self.smart.value = (
            "<div role='status' style='color:#8a5300;font-size:13px'>"
            "<strong>Note (SMART helper, does not stop you saving):</strong>"
            f"<ul style='margin:2px 0'>{items}</ul></div>"
        )

    def _gas_notes(self) -> dict[str, str]:
        try:
            scale = GasScale.model_validate(
                {name: field.value for name, field in self.gas_levels.items()}
            )
        except ValidationError:
            return {}  # a level too long: saving says so
        return cp.gas_notes(scale)

    def _notes(self) -> dict[str, str]:
        """What the plan may be saved without, said under its fields: GAS levels still to
        describe, steps without a by-when date, obstacles without what to do then."""
        return {
            **self._gas_notes(),
            **cp.step_notes(self.steps.items()),
            **cp.obstacle_notes(self.obstacles.items()),
            **self._area_notes(),
        }

    def _area_notes(self) -> dict[str, str]:
        """A note beside the life area when another of the person's active plans serves it
        (allowed: two changes in one area may be what they want)."""
        area, person = self.area.value, self.person.value
        if area is None or person is None or self.status.value is not PlanStatus.ACTIVE:
            return {}
        this = None if self.plan.value == NEW else self.plan.value
        others = [
            p
            for p in self.store.find(ChangePlan, person_id=person)
            if p.status is PlanStatus.ACTIVE and p.lsi_area == area and p.id != this
        ]
        if not others:
            return {}
        other = others[-1]
        return {
            "lsi_area": f"your active plan “{other.change}” (of {dates.short(other.created_on)}) "
            f"serves {area} already: choose it under Plan to go on with it, or keep both if this "
            "is another change"
        }

    def _on_area(self, _change=None) -> None:
        if not self._loading:
            _show_notes(self.area, self._area_notes())

    def _on_status(self, _change=None) -> None:
        """A plan no longer dropped needs no reason: an error asking for one goes (it stayed,
        named in the summary, though nothing asked for it now)."""
        asked = self.reason.kind == "error" and "why the plan was dropped" in (
            self.reason.message.value
        )
        if self.status.value is not PlanStatus.DROPPED and asked:
            self.reason.show()
            forms.restate(self.result, self.fields.values())

    def _following_notes(self, rows: forms.RowList, notes_of) -> Callable[[], None]:
        """What keeps a list's notes (``notes_of`` its rows) in step with the person's edits,
        unless an error is shown there."""

        def follow() -> None:
            if not self._loading:
                _show_notes(rows, notes_of(rows.items()))

        return follow

    def _on_gas(self, _change=None) -> None:
        notes = self._gas_notes()
        for path, field in ((f"gas.{name}", f) for name, f in self.gas_levels.items()):
            if field.kind == "error":
                continue  # what is wrong with the words comes first
            if path in notes:
                field.show("warning", notes[path])
            else:
                field.show()

    def _row_date_error(self, path: str, k: int, row: dict) -> dict[str, str]:
        """A step's or milestone's date before the plan started, said as it is chosen."""
        return cp.row_date_error(path, k, row, self.saved.created_on if self.saved else self.today)

    def _on_monthly(self, _button) -> None:
        start = self.saved.created_on if self.saved else self.today
        typed = self.milestones.items()
        rows, added = cp.fill_monthly(typed, start, self._eight_sessions_end(start))
        self.milestones.load(rows)
        kept = len(rows) - added
        if not added:
            said = "Every four weeks already has a milestone: nothing was added."
        else:
            said = f"Added {added} milestone{'s' if added > 1 else ''}, one for each four weeks"
            said += (
                f" without one; the {kept} already there {'is' if kept == 1 else 'are'} kept."
                if kept
                else "."
            )
        self.monthly_result.value = forms.notice("info", said)
        self._on_edit()

    # -- saving ------------------------------------------------------------------------------------

    def values(self) -> dict:
        return {
            "id": self.saved.id if self.saved else None,
            "person_id": self.person.value,
            "change": self.change.value,
            "why_it_matters": self.why.value,
            "importance": self.importance.value,
            "confidence": self.confidence.value,
            "lsi_area": self.area.value,
            "goal_statement": self.goal.value,
            "steps": self.steps.items(),
            "supports": self.supports.value,
            "obstacles": self.obstacles.items(),
            "evidence": self.evidence.value,
            "milestones": self.milestones.items(),
            "gas": {name: field.value for name, field in self.gas_levels.items()},
            "baseline_level": self.baseline.value,
            "weight": self.weight.value,
            "status": self.status.value,
            "status_reason": self.reason.value,
            "created_on": self.saved.created_on if self.saved else self.today,
            "is_demo": self.saved.is_demo if self.saved else False,
        }

    def _snapshot(self) -> dict:
        """What the form holds, apart from whose plan and which one it is."""
        values = self.values()
        del values["id"], values["person_id"]
        return values

    def draft(self) -> ChangePlan | None:
        try:
            return ChangePlan.model_validate(self.values())
        except ValidationError:
            return None

    def _on_save(self, _button=None) -> None:
        # Every problem at once: the plan's own rules are checked on the form's values, so
        # they are said with the record's, not after those are mended.
        errors = cp.plan_errors(self.values())
        try:
            plan = ChangePlan.model_validate(self.values())
        except ValidationError as exc:
            errors.update(forms.error_messages(exc))
        errors.update(forms.range_errors(self.fields.values()))  # said as the box says them
        if errors:
            unplaced = forms.show_messages(self.fields, errors, self._notes())
            self.result.value = forms.refused(self.fields, unplaced)
            return
        forms.show_messages(self.fields, {}, self._notes())
        try:
            with self.store.transaction() as tx:
                latest = tx.get(ChangePlan, plan.id) if plan.id is not None else None
                also = latest is not None and self.saved is not None and latest != self.saved
                if also:
                    # Saved from another window since this one opened: keep both.
                    plan, clashes = merging.merge_fields(self.saved, latest, plan)
                    if clashes:
                        self._clash(latest, plan, clashes)
                        return
                saved = tx.save(plan, by=self.person.value)
                drafts.drop(tx, self.person.value, cp.DRAFT_KIND, self._draft_key())
        except Exception:
            log.exception("saving the change plan failed")
            self.result.value = forms.notice(
                "error",
                "The plan could not be saved, so nothing was changed. " + forms.try_again(),
            )
            return
        self.saved = saved
        self.unsaved.mark_clean()
        self.focus = []
        self._on_person(select=self.saved.id)
        # Advice for working on the plan is for a plan still being worked on.
        active = self.saved.status is PlanStatus.ACTIVE
        hints = cp.smart_hints(self.saved) if active else []
        extra = " The SMART helper has a suggestion or two above." if hints else ""
        if active and not any(self.saved.gas.model_dump().values()):
            paired = partnerships.active_partnership(self.store, self.saved.person_id)
            extra += (
                " Before your next session, describe the goal attainment levels below: "
                f"they are how you{' and your partner' if paired else ''} will rate your "
                "progress."
            )
        if also:
            extra += " What you saved in another window meanwhile is kept too."
        self.result.value = forms.notice(
            "ok", f"{forms.saved_at(self.store, self.person.value)}{extra}"
        )

    def _clash(self, latest: ChangePlan, mine: ChangePlan, fields: tuple[str, ...]) -> None:
        """Saved in another window with ``fields`` changed differently: nothing is saved; the
        form shows what changed only there, and this window's own changes; saving again, made
        knowing, keeps what is on screen."""
        self.saved = latest
        self.show(mine)
        self.result.value = forms.notice(
            "error",
            "Nothing was saved: this plan was saved in another window after you opened it, with "
            f"{forms.named_fields(fields)} changed differently. What was changed only there "
            "is now on screen, with your changes: set those fields as you want them, and save "
            "again.",
        )

    def _refresh_outputs(self) -> None:
        if self.saved is None:
            self.downloads.value = "<p>Save the plan to download it.</p>"
            self.history.value = ""
            return
        me = self.store.get(Person, self.saved.person_id)
        served = [text for _pair, text in ag.goals_served(self.store, self.saved)]
        text = cp.markdown(self.saved, me.name, served)
        stem = f"change-plan-{self.saved.id}"
        self.downloads.value = forms.download_link(
            "Plan (Markdown)", f"{stem}.md", text.encode(), "text/markdown"
        ) + forms.download_link(
            "Plan (web page)",
            f"{stem}.html",
            documents.html_page(text, "Personal Change Plan").encode(),
            "text/html",
        )
        self.history.value = forms.history_table(
            self.store.history(ChangePlan, self.saved.id),
            ChangePlan,
            {me.id: me.name},
            store=self.store,
            person_id=me.id,
        )


def _show_notes(field: forms.Field | forms.RowList, notes: dict[str, str]) -> None:
    """Say ``notes`` (those of ``field``, by path) beside it, or clear what it said; an error
    shown there comes first and stays."""
    if field.kind == "error":
        return
    if notes:
        field.show("warning", "; ".join(notes.values()))
    else:
        field.show()


def build_change_plan_app(store: Store | None = None, **kwargs) -> widgets.Widget:
    """The change plan app; the person and focus areas come from the page's URL when not given."""
    kwargs.setdefault("person_id", context.person_param(store))
    kwargs.setdefault("focus", context.list_param("focus"))
    return runtime.launch(ChangePlanApp, store, **kwargs)
