"""The session log app: what happened in a session, what was committed, how it went."""

from __future__ import annotations

import dataclasses
import datetime as dt
import html
import logging
import sys
from zoneinfo import ZoneInfo

import ipywidgets as widgets

from peercoach_lib import agreement as ag
from peercoach_lib import change_plan, dates, gas, merging, session_log, wording
from peercoach_lib.apps import context, forms, runtime
from peercoach_lib.apps.commitments import CommitmentRow
from peercoach_lib.errors import ConflictError, ValidationError, storage_problem
from peercoach_lib.model import (
    Agreement,
    Cohort,
    CohortSettings,
    Commitment,
    CommitmentStatus,
    Feedback,
    FeedbackRole,
    GasRating,
    Partnership,
    Person,
    PlanStatus,
    Session,
    SessionCheck,
    SessionHalf,
    SessionNote,
    SessionStatus,
)
from peercoach_lib.model.base import DATE_NEEDED
from peercoach_lib.store import Store

log = logging.getLogger(__name__)

UNPLANNED = "unplanned"


def _typed_over(shown: dict, typed: dict) -> dict:
    """The form's values (``shown``, as :meth:`SessionLogApp.values` gives them) with what was
    typed in ``typed`` (another form's values) put over them: only what was filled in there,
    so that nothing already saved for the session is emptied by a box left blank."""
    merged = {**shown}
    if (typed.get("note") or "").strip():
        merged["note"], merged["share_note"] = typed["note"], typed.get("share_note", False)
    for part in ("check", "levels"):
        filled = {k: v for k, v in (typed.get(part) or {}).items() if v is not None}
        merged[part] = {**(shown.get(part) or {}), **filled}
    open_status = CommitmentStatus.OPEN.value
    merged["reviews"] = {
        **(shown.get("reviews") or {}),
        **{k: v for k, v in (typed.get("reviews") or {}).items() if v and v[0] != open_status},
    }
    kept = shown.get("feedback") or ["", "", "", ""]
    merged["feedback"] = [
        new if (new or "").strip() else old
        for old, new in zip(kept, typed.get("feedback") or kept, strict=False)
    ]
    merged["new_commitments"] = [
        *(shown.get("new_commitments") or []),
        *[c for c in typed.get("new_commitments") or [] if (c.get("text") or "").strip()],
    ]
    return merged


CHECK_ITEMS = [(name, SessionCheck.model_fields[name].title) for name in SessionCheck.ITEMS]

#: Each part of one's own log (:data:`session_log.OWN_PARTS`): its keys in the form's values.
_FORM_KEYS = {
    "notes": ("note", "share_note"),
    "session check": ("check",),
    "feedback": ("feedback",),
    "goal levels": ("levels",),
    "new commitments": ("new_commitments",),
    "follow-ups": ("reviews",),
}
#: The form's values of the parts both partners log (:func:`session_log.shared_part`), and the
#: new day of a session put off.
_SHARED_KEYS = ("held_on", "status", "rebook_on", "halves")
_NARROW = widgets.Layout(width="min(100%, 420px)")


def _boxes(values: dict, part: str) -> dict:
    """A part's form values box by box ("feedback.1", "check.heard", "note"): two windows'
    changes to one part merge where they touched different boxes. New commitments go as one
    list (a row has no place of its own to match against another window's)."""
    out = {}
    for key in _FORM_KEYS[part]:
        value = values.get(key)
        if isinstance(value, dict):
            out.update({f"{key}.{k}": v for k, v in value.items()})
        elif isinstance(value, list) and key == "feedback":
            out.update({f"{key}.{k}": v for k, v in enumerate(value)})
        else:
            out[key] = value
    return out


#: The form's values of the person's own part (every box of :data:`_FORM_KEYS`).
_OWN_KEYS = tuple(k for keys in _FORM_KEYS.values() for k in keys)


def _merged_own(base: dict, fresh: dict, mine: dict) -> tuple[dict, list[str], list[str]]:
    """My own part as typed (``mine``) over what was saved since (``fresh``), both from
    ``base``, box by box: the form's values to show (``fresh``'s, with the own part merged),
    the parts where something saved since is shown, and the parts where a box changed both
    ways (what was typed stays in it)."""
    shown, taken, clashed = {}, [], []
    for part in session_log.OWN_PARTS:
        here = _boxes(mine, part)
        merged, clashes = merging.merge_values(_boxes(base, part), _boxes(fresh, part), here)
        merged.update({box: here[box] for box in clashes if box in here})  # typed here stays
        shown.update(merged)
        if clashes:
            clashed.append(part)
        # Some box typed here shows what was saved there (a box only there, a new goal's or
        # follow-up's, is no one's change).
        if any(merged.get(box) != value for box, value in here.items()):
            edited = here != _boxes(base, part)
            taken.append(f"{part} (beside your changes here)" if edited else part)
    return {**fresh, **_unboxed(shown, {k: fresh[k] for k in _OWN_KEYS})}, taken, clashed


def _saved_since(base: dict, fresh: dict) -> bool:
    """Whether my own part was saved differently since ``base`` was shown: a box both show
    changed (a box only one has, a goal or follow-up row come or gone, is no save of mine)."""
    for part in session_log.OWN_PARTS:
        was, now = _boxes(base, part), _boxes(fresh, part)
        if any(was[box] != now[box] for box in was.keys() & now.keys()):
            return True
    return False


def _unboxed(boxes: dict, like: dict) -> dict:
    """Form values from :func:`_boxes`, shaped as ``like`` holds them."""
    out = {}
    for key, value in like.items():
        if isinstance(value, dict):
            out[key] = {k: boxes.get(f"{key}.{k}", v) for k, v in value.items()}
        elif isinstance(value, list) and key == "feedback":
            out[key] = [boxes.get(f"{key}.{k}", v) for k, v in enumerate(value)]
        else:
            out[key] = boxes.get(key, value)
    return out


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def _commitment_row(goals: list[tuple[str, int | None]]):
    def make(item: dict | None) -> dict:
        item = item or {}
        goal = forms.Dropdown(options=goals, description="Goal", layout=_NARROW)
        forms.select(goal, item.get("goal_id"))
        return {
            "text": widgets.Text(
                value=item.get("text", ""),
                description="I will",
                placeholder="What I commit to before next time",
                layout=_NARROW,
            ),
            "by_when": widgets.DatePicker(
                value=item.get("by_when"),
                description="By when",
                layout=widgets.Layout(width="260px"),
            ),
            "goal_id": goal,
        }

    return make


class SessionLogApp(widgets.VBox):
    """Log a session from my side; saved whole, kept as a draft until then."""

    def __init__(
        self,
        store: Store | None = None,
        *,
        person_id: int | None = None,
        partnership_id: int | None = None,
        today: dt.date | None = None,
    ):
        super().__init__(layout=widgets.Layout(max_width="1000px"))
        self.add_class("peercoach-app")
        self.add_class("peercoach-session-log")
        self.store = store or Store()
        self._given_today = today
        #: Today as the chosen partnership's schedule counts days (see :meth:`_on_pair`).
        self.today = today or context.today(self.store)
        self.partnership: Partnership | None = None
        self.agreement: Agreement | None = None
        self.people: dict[int, Person] = {}
        self.plans = []
        self.settings = CohortSettings()
        self._loading = False
        self._watched: set[str] = set()
        self._wanted_partnership = partnership_id

        self.person = forms.dropdown("I am", "person_id", [])
        self.pair = forms.dropdown("Partnership", "partnership_id", [])
        self.session = forms.dropdown("Session", "session_id", [])
        # Wide as the text boxes: a session is named with its day, time(s) and partner.
        self.session.control.layout.width = "min(100%, 760px)"
        self.demo = widgets.HTML()
        self.draft_bar = forms.DraftBar("the session")
        self.held_on = forms.date("Date", "held_on")
        #: The person's commitments open for the session chosen, and the partnership's
        #: sessions' days (which of them are shown follows the date, see _show_reviews).
        self._open_reviews: list[Commitment] | None = None
        self._session_days: dict[int, dt.date | None] = {}
        self.status = forms.Field(
            widgets.ToggleButtons(
                options=[
                    ("Held", SessionStatus.HELD),
                    ("Missed", SessionStatus.MISSED),
                    ("Rescheduled", SessionStatus.RESCHEDULED),
                ],
                description="What happened",
                style=forms._STYLE,
            ),
            "status",
        )
        self.new_date = forms.date("New date (books it)", "rebook_on")
        # The session as stored when the form was filled, and its parts as first shown.
        self.loaded_session: Session | None = None
        self.own_loaded: dict | None = None
        #: The form's values as the stored session first filled it (what this window changed
        #: is what differs from them).
        self.form_loaded: dict = {}
        self.plan_names: dict[int, str] = {}
        self.booked_ahead: list[Session] = []  # sessions booked for later today or after
        self.shown_parts: dict | None = None
        self.first_half = forms.integer("Minutes", "halves[0]", low=0, high=240, value=45)
        self.second_half = forms.integer("Minutes", "halves[1]", low=0, high=240, value=45)
        self.agreed = widgets.HTML()
        self.note = forms.textarea("My notes (private)", "note", rows=4)
        self.share_note = widgets.Checkbox(
            description="Share these notes with my partner",
            indent=False,
            layout=widgets.Layout(width="auto", margin=f"0 0 6px {forms.LABEL_WIDTH}"),
        )
        self.reviews = widgets.VBox()
        self.new_commitments = forms.RowList(
            "Made in this session",
            "new_commitments",
            _commitment_row([("(no goal)", None)]),
            add_label="Add a commitment",
            noun="Commitment",
            key="id",
        )
        self.new_commitments.check_row = self._due_before_session
        self.levels = widgets.VBox()
        self.most_helpful = forms.textarea("What was most helpful", "most_helpful", rows=2)
        self.less_helpful = forms.textarea("What was less helpful", "less_helpful", rows=2)
        self.what_worked = forms.textarea("What worked", "what_worked", rows=2)
        self.try_next = forms.textarea("What to try next time", "try_next_time", rows=2)
        self.check = {
            name: forms.dropdown(
                title, f"check.{name}", [("—", None), *((str(v), v) for v in range(11))]
            )
            for name, title in CHECK_ITEMS
        }
        self.check_total = widgets.HTML(layout=widgets.Layout(margin=f"0 0 0 {forms.LABEL_WIDTH}"))
        self.save_button = widgets.Button(
            description="Save session",
            button_style="primary",
            icon="save",
            layout=widgets.Layout(margin=f"12px 0 0 {forms.LABEL_WIDTH}"),
        )
        self.result = widgets.HTML()
        self.not_working = widgets.HTML()

        self.held_box = widgets.VBox(
            [
                forms.heading("Who coached whom"),
                self.agreed,
                self.first_half,
                self.second_half,
                forms.heading("Commitments from last time"),
                self.reviews,
                forms.heading("Commitments for next time"),
                self.new_commitments,
                forms.heading("My goals today"),
                self.levels,
                forms.heading("Feedback"),
                widgets.HTML("<p>As the person coached, to your coach:</p>"),
                self.most_helpful,
                self.less_helpful,
                widgets.HTML("<p>As coach, your own reflection:</p>"),
                self.what_worked,
                self.try_next,
                forms.heading("Session check (as the person coached)"),
                widgets.HTML("<p>0 means not at all, 10 completely. Answer all four, or none.</p>"),
                *self.check.values(),
                self.check_total,
            ]
        )
        self.form = widgets.VBox(
            [
                self.draft_bar,
                self.held_on,
                self.status,
                self.new_date,
                self.note,
                self.share_note,
                self.held_box,
                self.save_button,
                self.result,
                self.not_working,
            ]
        )
        self.no_pair = widgets.HTML()
        self.children = [
            forms.stylesheet(),
            self.demo,  # above the choosers, as in the other apps: about the whole page
            self.person,
            self.no_pair,
            self.pair,
            forms.Place(person=self.person, partnership=self.pair),
            self.session,
            self.form,
        ]
        # In the page's order: a refused save's summary names them so.
        self.fields = {
            f.path: f
            for f in (
                self.held_on,
                self.status,
                self.new_date,
                self.note,
                self.first_half,
                self.second_half,
                self.new_commitments,
                self.most_helpful,
                self.less_helpful,
                self.what_worked,
                self.try_next,
                *self.check.values(),
            )
        }
        forms.retire_when_mended(self.result, self.fields.values())

        # Choose before listening, so the person's data loads once (below), not twice.
        forms.offer_participants(self.person, self.store, person_id)
        self.person.control.observe(runtime.guarded(self._on_person), names="value")
        self.pair.control.observe(runtime.guarded(self._on_pair), names="value")
        self.session.control.observe(runtime.guarded(self._on_session), names="value")
        self.status.control.observe(runtime.guarded(self._on_status), names="value")
        for control in (self.held_on.control, self.status.control):
            control.observe(runtime.guarded(self._on_held_day), names="value")
        for control in (self.held_on.control, self.new_date.control):
            control.observe(runtime.guarded(self._on_day_chosen), names="value")
        for control in (self.first_half.control, self.second_half.control):
            control.observe(runtime.guarded(self._on_minutes), names="value")
        for field in self.check.values():
            field.control.observe(runtime.guarded(self._on_check), names="value")
        self.new_commitments.add.on_click(runtime.guarded(lambda _b: self._watch_rows()))
        for widget in (
            self.held_on.control,
            self.status.control,
            self.new_date.control,
            self.first_half.control,
            self.second_half.control,
            self.note.control,
            self.share_note,
            self.most_helpful.control,
            self.less_helpful.control,
            self.what_worked.control,
            self.try_next.control,
            *(f.control for f in self.check.values()),
        ):
            widget.observe(runtime.guarded(self._on_edit), names="value")
        self.draft_bar.discard.on_click(runtime.guarded(self._on_discard))
        self.save_button.on_click(runtime.settled(self._on_save))
        # What is wrong with a box on its own (too long) is said as it is left.
        forms.check_as_left(self.note, SessionNote, "text")
        for field in (self.most_helpful, self.less_helpful, self.what_worked, self.try_next):
            forms.check_as_left(field, Feedback)

        self._on_person()

    # -- choosing ----------------------------------------------------------------------------------

    def _on_person(self, _change=None) -> None:
        person_id = self.person.value
        for widget in (self.pair, self.session, self.form):
            widget.layout.display = "none" if person_id is None else "flex"
        self.demo.value = (
            forms.demo_notice()
            if person_id is not None and self.store.get(Person, person_id).is_demo
            else ""
        )
        if person_id is None:
            return
        mine = [p for p in self.store.find(Partnership) if person_id in p.members]
        # The running partnership first; an ended one stays, so that its last sessions can
        # still be logged (up to the day it ended), most recently ended first.
        pairs = [p for p in mine if p.is_active] + sorted(
            (p for p in mine if not p.is_active), key=lambda p: p.ended_on, reverse=True
        )
        names = {p.id: p.name for p in self.store.find(Person)}
        self.pair.control.options = [
            (
                f"With {wording.isolated(names[p.partner_of(person_id)])}"
                + ("" if p.is_active else f" (ended {dates.short(p.ended_on)})"),
                p.id,
            )
            for p in pairs
        ]
        wanted = self._wanted_partnership
        self.pair.value = (
            wanted if wanted in {p.id for p in pairs} else (pairs[0].id if pairs else None)
        )
        if not pairs:
            self.form.layout.display = "none"
            self.session.layout.display = "none"
            self.pair.layout.display = "none"
        self.no_pair.value = (
            ""
            if pairs
            else forms.notice(
                "info",
                "You have no running partnership, so there is no session to log. Your "
                "facilitator pairs you with someone; your sessions are logged here once you "
                "have agreed them in the first-session agreement.",
            )
        )
        self._on_pair()

    def _on_pair(self, _change=None) -> None:
        if self.pair.value is None:
            return
        # The other partner chosen under "I am", in the same partnership: the session chosen
        # stays chosen (the page is theirs now, about the same session).
        same = self.partnership is not None and self.partnership.id == self.pair.value
        kept = self.session.value if same and self.session.value != UNPLANNED else None
        self.partnership = self.store.get(Partnership, self.pair.value)
        self.no_pair.value = (
            ""
            if self.partnership.is_active
            else forms.notice(
                "info",
                f"This partnership ended on {dates.long(self.partnership.ended_on)}: its sessions "
                "up to that day can still be logged, and your part of them finished.",
            )
        )
        guide = context.link(
            "courageous_conversation.ipynb",
            person=self.person.value,
            partnership=self.partnership.id,
            prompted="session log",
        )
        self.not_working.value = (
            f"<p style='margin:18px 0 0 {forms.LABEL_WIDTH};font-size:13px'>Is the coaching not "
            f"working? <a href='{html.escape(guide)}' style='{forms.LINK}'>Prepare a courageous "
            "conversation</a>.</p>"
        )
        self.people = {p.id: p for p in self.store.find(Person, id=list(self.partnership.members))}
        found = self.store.find(Agreement, partnership_id=self.partnership.id)
        self.agreement = found[0] if found else None
        self.today = context.schedule_today(
            self.agreement.time_zone if self.agreement else None,
            self.store,
            given=self._given_today,
        )
        if self.partnership.started_on > self.today:
            # Paired to start later: nothing to log yet (saving today's was refused, in the
            # past tense).
            self.no_pair.value = forms.notice(
                "info",
                f"This partnership starts on {dates.long(self.partnership.started_on)}: its "
                "sessions can be logged from that day. Until then, the first-session agreement "
                "is where to agree how you will meet.",
            )
        cohort = (
            self.store.get(Cohort, self.partnership.cohort_id)
            if self.partnership.cohort_id
            else None
        )
        self.settings = cohort.settings if cohort else CohortSettings()
        sessions = session_log.loggable_sessions(self.store, self.partnership.id, today=self.today)
        self.booked_ahead = sorted(
            (
                s
                for s in sessions
                if s.status is SessionStatus.SCHEDULED
                and s.scheduled_on is not None
                and (
                    s.scheduled_on > self.today
                    or (s.scheduled_on == self.today and self._starts_later_today(s))
                )
            ),
            key=lambda s: s.scheduled_on,
        )
        options = [(self._label(s), s.id) for s in sessions]
        self.session.control.options = [*options, ("An unplanned session", UNPLANNED)]
        due = [
            s
            for s in sessions
            if s.status is SessionStatus.SCHEDULED and (s.scheduled_on or self.today) <= self.today
        ]
        # One booked for later today is not held yet: due after any that has begun.
        due.sort(key=lambda s: self._starts_later_today(s) is not None)
        # Where I left a draft lately (a reload, or back the next day); else the booked
        # session now due (one that has begun before one later today); with none due (all
        # logged, or the next one still ahead), the last session my partner logged as held
        # and I have written nothing of (else I would log it again as an unplanned one); else
        # the session logged today (mine just saved), which a blank unplanned session on the
        # same day could not be saved beside; else a session held today that was not booked.
        left = session_log.recent_draft_session(self.store, self.person.value, self.partnership.id)
        offered = {value for _label, value in self.session.control.options}
        logged_today = [
            s for s in sessions if s.status is not SessionStatus.SCHEDULED and s.day == self.today
        ]
        if kept is not None and kept in offered:
            self.session.value = kept
        elif left is not None and left in offered:
            self.session.value = left
        elif due:
            self.session.value = due[0].id
        elif (waiting := self._awaiting_my_part(sessions)) is not None and waiting in offered:
            self.session.value = waiting
        else:
            self.session.value = logged_today[-1].id if logged_today else UNPLANNED
        self._on_session()

    def _awaiting_my_part(self, sessions: list[Session]) -> int | None:
        if self.person.value is None:
            return None
        waiting = session_log.awaiting_part(
            self.store, sessions, self.person.value, today=self.today
        )
        return waiting.id if waiting else None

    def _label(self, session: Session) -> str:
        day = session.day
        when = dates.short_weekday(day) if day else "undated"
        kind = "" if session.planned else ", unplanned"
        # A session still to be held says when it starts, in the reader's time as well.
        me = self.people.get(self.person.value)
        time = (
            ag.session_time(self.agreement, session, me.time_zone if me else None)
            if session.status is SessionStatus.SCHEDULED
            else ""
        )
        # A session put off says where the pair now meets (that booking may be weeks ahead).
        instead = session_log.booked_instead(self.store, session)
        state = (
            f"rescheduled to {dates.short_weekday(instead.scheduled_on)}"
            if instead is not None and instead.scheduled_on is not None
            else session.status.value
        )
        return f"{when}{time} ({state}{kind})"

    def _parts_on_screen(self, planned: Session | None) -> dict:
        """The session's parts as the form shows them (as :meth:`entry` would save them)."""
        a, b = self.partnership.members
        held = self.status.value is SessionStatus.HELD
        halves = (
            {
                ("half", coach, client): field.value
                for field, coach, client in ((self.first_half, a, b), (self.second_half, b, a))
                if field.value and field.value > 0 and not field.problem()
            }
            if held
            else {}
        )
        return {
            "status": self.status.value,
            "held_on": self.held_on.value if held else None,
            "scheduled_on": planned.scheduled_on if planned else self.held_on.value,
            **halves,
        }

    def _show_parts(self, parts: dict) -> None:
        """Put merged parts of the session (status, date, minutes) into their boxes."""
        a, b = self.partnership.members
        if "status" in parts and parts["status"] in (
            SessionStatus.HELD,
            SessionStatus.MISSED,
            SessionStatus.RESCHEDULED,
        ):
            self.status.value = parts["status"]
        if parts.get("held_on") is not None:
            self.held_on.value = parts["held_on"]
        for field, key in ((self.first_half, ("half", a, b)), (self.second_half, ("half", b, a))):
            if key in parts:
                field.value = parts[key] or 0

    def _partner_name(self) -> str:
        partner = self.partnership.partner_of(self.person.value)
        return self.store.get(Person, partner).name

    def _session(self) -> Session | None:
        value = self.session.value
        return None if value in (None, UNPLANNED) else self.store.get(Session, value)

    def _on_session(self, change=None) -> None:
        """Show the session as logged (or as planned), or my unsaved draft of it."""
        if self.partnership is None:
            return
        me = self.person.value
        # My part typed for an unplanned session (its draft), when I turn to the logged session
        # of that day (as a refused save tells me to): it comes along.
        unplanned = session_log.draft_key(self.partnership.id, None)
        typed = (
            session_log.load_draft(self.store, me, unplanned)
            if change is not None and change.get("old") == UNPLANNED and not self._loading
            else None
        )
        session = self._session()
        self.loaded_session = session
        self.own_loaded = session_log.own_part(self.store, session.id, me) if session else None
        self.plans = session_log.goals_of(self.store, me, session.id if session else None)
        self._loading = True
        try:
            self._show_saved(session)
            # The parts as first shown (before any draft): a save merges against them.
            self.shown_parts = self._parts_on_screen(session)
            self.form_loaded = self.values()
            draft = session_log.load_draft(self.store, me, self._draft_key())
            if draft is not None:
                self.draft_bar.restored(
                    draft.updated_at,
                    also=self._restore(draft.data),
                    store=self.store,
                    person_id=me,
                )
            elif typed is not None and self._same_day(session, typed.data.get("held_on")):
                self.apply(_typed_over(self.values(), typed.data))
                # The draft moves with it: kept for this session, gone from the unplanned one.
                session_log.save_draft(self.store, me, self._draft_key(), self._draft_values())
                session_log.discard_draft(self.store, me, unplanned)
                self.draft_bar.notice.value = forms.notice(
                    "info",
                    "What you typed for the unplanned session is here: save to add your part "
                    "to this session.",
                )
                self.draft_bar.kept(True)
            else:
                self.draft_bar.clear()
        finally:
            self._loading = False
        forms.show_messages(self.fields, {})
        self.result.value = ""
        self._on_status()
        self._on_held_day()
        self._on_minutes()
        self._on_check()
        self._say_next_booked(session)
        self._say_day_problems()  # the day shown may be one that cannot be (today's, booked)

    def _say_next_booked(self, session: Session | None) -> None:
        """On an unplanned session, the session booked next, when it is due within the agreed
        interval: a pair that met a few days early is logging that one, and would otherwise
        log a session more beside it."""
        if session is not None:
            self._say_unlogged_before(session)
            return
        interval = self.agreement.frequency.interval_days if self.agreement else 14
        soon = [s for s in self.booked_ahead if (s.scheduled_on - self.today).days <= interval]
        if not soon:
            self.session.show()
            return
        later = self._starts_later_today(soon[0])
        self.session.show(
            "warning",
            f"Met before the booked time? Your next session is booked for {later:%H:%M} today "
            f"({ag.zone_time(later.tzinfo.key)}): choose it above."
            if later
            else f"Met before the booked day? Your next session is booked for "
            f"{dates.long_weekday(soon[0].scheduled_on)}: choose it above, and give the day you "
            "met.",
        )

    def _say_unlogged_before(self, session: Session) -> None:
        """Earlier sessions gone by and not logged, under the one chosen: a pair catching up
        logs them in order, or a later one's follow-ups miss what was committed to in them."""
        earlier = (
            session_log.unlogged_before(self.store, session, today=self.today)
            if session.status is SessionStatus.SCHEDULED
            else []
        )
        if not earlier:
            self.session.show()
            return
        days = [dates.short_weekday(s.scheduled_on) for s in earlier]
        named = (
            (", ".join(days[:-1]) + f" and {days[-1]}" if len(days) > 1 else days[0])
            if len(days) <= 3
            else f"from {days[0]} to {days[-1]}"
        )
        self.session.show(
            "warning",
            f"{len(earlier)} earlier session{'s' if len(earlier) > 1 else ''} not logged yet "
            f"({named}): log {'them' if len(earlier) > 1 else 'it'} first, held or missed, so "
            "that what was committed to there is followed up here.",
        )

    def _show_saved(self, session: Session | None) -> None:
        me = self.person.value
        a, b = self.partnership.members
        self.first_half.control.description = f"{self.people[a].name} coached {self.people[b].name}"
        self.second_half.control.description = (
            f"{self.people[b].name} coached {self.people[a].name}"
        )
        agreed = self.agreement.minutes_per_person if self.agreement else 45
        said = (
            f"Agreed: {agreed} minutes each."
            if self.agreement
            else f"No agreement yet: {agreed} minutes each, as usual."
        )
        self.agreed.value = f"<p style='margin-left:{forms.LABEL_WIDTH}'>{said}</p>"
        halves = {(h.coach_id, h.client_id): h.minutes for h in (session.halves if session else [])}
        # A session logged as held shows the halves it had: one that did not happen stays 0
        # (saving again must not add it); a session still to log starts from the agreed time.
        unlogged = 0 if session and session.status is SessionStatus.HELD else agreed
        self.first_half.value = halves.get((a, b), unlogged)
        self.second_half.value = halves.get((b, a), unlogged)
        self._open_reviews = None  # the previous session's, until this one's are read below
        self.held_on.value = session.day if session else self.today
        # A session logged as rescheduled shows the day it is booked again on: saving it again
        # keeps that booking (or moves it), rather than making another.
        instead = session_log.booked_instead(self.store, session) if session else None
        self.new_date.value = instead.scheduled_on if instead else None
        self.status.value = (
            session.status
            if session
            and session.status
            in (SessionStatus.HELD, SessionStatus.MISSED, SessionStatus.RESCHEDULED)
            else SessionStatus.HELD
        )
        sid = session.id if session else None
        notes = self.store.find(SessionNote, session_id=sid, person_id=me) if sid else []
        self.note.value = notes[0].text if notes else ""
        self.share_note.value = notes[0].shared if notes else False
        self._open_reviews = session_log.open_commitments(self.store, me, self.partnership.id, sid)
        self._session_days = {
            s.id: s.day for s in self.store.find(Session, partnership_id=self.partnership.id)
        }
        self._show_reviews(anew=True)
        # A goal achieved or dropped since this session says so ("Walk more (achieved)").
        names = change_plan.plan_names(self.plans)
        self.plan_names = {
            p.id: names[p.id] + ("" if p.status is PlanStatus.ACTIVE else f" ({p.status.value})")
            for p in self.plans
        }
        goals = [("(no goal)", None), *((self.plan_names[p.id], p.id) for p in self.plans)]
        self.new_commitments.make_row = _commitment_row(goals)
        made = self.store.find(Commitment, person_id=me, made_in_session_id=sid) if sid else []
        self.new_commitments.load([c.model_dump() for c in made])
        self._watch_rows()
        rated = {
            r.plan_id: r.level for r in (self.store.find(GasRating, session_id=sid) if sid else [])
        }
        self.levels.children = [
            self._level_picker(plan, rated.get(plan.id)) for plan in self.plans
        ] or [
            widgets.HTML(
                f"<p style='margin-left:{forms.LABEL_WIDTH}'>No active change plan to rate: "
                "the goal levels rated here are those of your own plans (the partnership's "
                "goals in the agreement are not rated). Start one in the "
                f"<a href='{html.escape(context.link('personal_change_plan.ipynb', person=me))}' "
                f"style='{forms.LINK}'>Personal Change Plan</a>.</p>"
            )
        ]
        given = {
            f.role: f
            for f in (self.store.find(Feedback, session_id=sid, author_id=me) if sid else [])
        }
        client, coach = given.get(FeedbackRole.CLIENT), given.get(FeedbackRole.COACH)
        self.most_helpful.value = client.most_helpful if client else ""
        self.less_helpful.value = client.less_helpful if client else ""
        self.what_worked.value = coach.what_worked if coach else ""
        self.try_next.value = coach.try_next_time if coach else ""
        checks = self.store.find(SessionCheck, session_id=sid, person_id=me) if sid else []
        for name, field in self.check.items():
            field.value = getattr(checks[0], name) if checks else None

    def _level_picker(self, plan, level: int | None) -> forms.Field:
        descriptions = {
            -2: plan.gas.much_less,
            -1: plan.gas.somewhat_less,
            0: plan.gas.expected,
            1: plan.gas.somewhat_more,
            2: plan.gas.much_more,
        }
        options = [("Not rated today", None)] + [
            (f"{gas.sign(lv)}: {descriptions[lv] or gas.LEVELS[lv]}", lv)
            for lv in (2, 1, 0, -1, -2)
        ]
        field = forms.dropdown(
            self.plan_names.get(plan.id, plan.change), f"levels.{plan.id}", options, value=level
        )
        field.plan_id = plan.id
        field.control.observe(runtime.guarded(self._on_edit), names="value")
        return field

    def _due_before_session(self, k: int, item: dict) -> dict[str, str]:
        """A commitment made in this session due before it: said as its date is chosen, and
        on saving."""
        due, on = item["by_when"], self.held_on.value
        if isinstance(due, dt.date) and on is not None and due < on:
            return {
                f"new_commitments[{k}].by_when": f"By when (commitment {k + 1}): a commitment "
                f"cannot be due before the session ({dates.short(on)})"
            }
        return {}

    def _show_reviews(self, *, anew: bool = False) -> None:
        """The commitments to follow up in this session: of those still open, the ones made
        before the day in the date box (one made in a later session cannot be followed up in
        it: an unplanned session on a day gone by listed them). A row kept keeps what was
        chosen in it when the day changes."""
        if self._open_reviews is None:
            return
        day = self.held_on.value
        shown = [
            c
            for c in self._open_reviews
            if c.made_in_session_id is None
            or c.reviewed_in_session_id is not None
            or day is None
            or (self._session_days.get(c.made_in_session_id) or dt.date.min) < day
        ]
        rows = {r.commitment.id: r for r in self._review_rows()}
        if not anew and [c.id for c in shown] == list(rows):
            return
        kept = [] if anew else [rows[c.id] for c in shown if c.id in rows]
        made = [CommitmentRow(c, today=self.today) for c in shown if anew or c.id not in rows]
        for row in made:
            row.status.observe(runtime.guarded(self._on_edit), names="value")
            row.obstacle.observe(runtime.guarded(self._on_edit), names="value")
        order = {c.id: k for k, c in enumerate(shown)}
        children = sorted([*kept, *made], key=lambda r: order[r.commitment.id])
        self.reviews.children = children or [
            widgets.HTML(f"<p style='margin-left:{forms.LABEL_WIDTH}'>Nothing to follow up.</p>")
        ]

    def _review_rows(self) -> list[CommitmentRow]:
        return [r for r in self.reviews.children if isinstance(r, CommitmentRow)]

    def _watch_rows(self) -> None:
        for row in self.new_commitments.rows:
            for control in row.values():
                if control.model_id not in self._watched:
                    control.observe(runtime.guarded(self._on_edit), names="value")
                    self._watched.add(control.model_id)

    # -- live feedback -----------------------------------------------------------------------------

    @property
    def rebook_shown(self) -> dt.date | None:
        """The new day the form showed when opened (of a session put off and booked again)."""
        shown = self.form_loaded.get("rebook_on")
        return dt.date.fromisoformat(shown) if shown else None

    def _on_status(self, _change=None) -> None:
        held = self.status.value is SessionStatus.HELD
        self.held_box.layout.display = "flex" if held else "none"
        # A planned session put off can be booked again on its new date, here and now.
        moved = self.status.value is SessionStatus.RESCHEDULED and self.loaded_session is not None
        self.new_date.layout.display = "flex" if moved else "none"
        # One that was not booked cannot be put off: said as it is chosen, not only on saving.
        if self.status.value is SessionStatus.RESCHEDULED and self.session.value == UNPLANNED:
            self.status.show("error", session_log.UNPLANNED_PUT_OFF)
        elif held and self._was_missed():
            # One partner's Held over a Missed the other may have logged, with their note:
            # said before it is saved for both (who logged it is not kept).
            partner = self.store.get(Person, self.partnership.partner_of(self.person.value))
            self.status.show(
                "warning",
                "logged as missed until now: saving it as held changes it for you both (if "
                f"{partner.name} logged it, talk it over with them first)",
            )
        elif self.status.kind != "error":
            # Most of the form goes out of sight: said, not left to be found missing.
            if held or self.status.value is None:
                self.status.show()
            else:
                missed = self.status.value is SessionStatus.MISSED
                self.status.show(
                    "warning",
                    f"a session {'missed' if missed else 'put off'} is logged with its day"
                    f"{'' if missed or not moved else ', its new date'} and your notes alone: "
                    "minutes, commitments, goal levels, feedback and the session check are for "
                    "a session held",
                )

    def _was_missed(self) -> bool:
        """Whether the session chosen is logged as missed (as stored)."""
        session = self.loaded_session
        chosen = self.person.value is not None and session is not None
        return chosen and session.status is SessionStatus.MISSED

    def _on_held_day(self, _change=None) -> None:
        """A session after today shown as held (one booked ahead, chosen): noted at once, not
        only once everything is typed and saved."""
        self._show_reviews()
        self.new_commitments.recheck()  # a commitment due before the day, or no longer
        day, held = self.held_on.value, self.status.value is SessionStatus.HELD
        starts = self._starts_later_today()
        if held and day is not None and day > self.today:
            if self.held_on.kind is None:
                self.held_on.show(
                    "warning",
                    f"{dates.short(day)} is after today ({dates.short(self.today)}): a session "
                    "is logged as held once it has happened (one put off can be logged as "
                    "rescheduled now)",
                )
        elif held and starts is not None and day == starts.date():
            if self.held_on.kind is None:
                self.held_on.show(
                    "warning",
                    f"this session is booked for {starts:%H:%M} today "
                    f"({ag.zone_time(starts.tzinfo.key)}), still to come: log it once it has "
                    "happened (met earlier today instead? then save it as held now)",
                )
        elif self.held_on.kind == "warning":
            self.held_on.show()

    def _unplanned_day_problem(self) -> str | None:
        """What stands against logging an unplanned session on the day in the date box: a
        session logged or booked that day (said as the day is chosen, and on saving)."""
        day = self.held_on.value
        if self.session.value != UNPLANNED or day is None or self.partnership is None:
            return None
        logged = session_log.logged_on(self.store, self.partnership.id, day)
        if logged and all(s.status is SessionStatus.MISSED for s in logged):
            return (
                f"the session of {dates.long(day)} is logged as missed: if you met that day "
                "after all, choose it under Session and mark it held (what you typed comes "
                "with it)"
            )
        if logged:
            return (
                f"a session on {dates.long(day)} is logged already: choose it under Session to "
                "add your part (what you typed comes with it)"
            )
        if session_log.booked_on(self.store, self.partnership.id, day):
            # Logged beside it, the booked one stayed "to hold", and the pair's figures
            # counted it planned and not held, and the other unplanned.
            return (
                f"a session is booked on {dates.long(day)}: choose it under Session to log it "
                "(what you typed comes with it)"
            )
        return None

    def _rebook_problem(self) -> str | None:
        """What stands against booking a session put off again on the new day chosen here
        (said as the day is chosen, and on saving)."""
        planned, day = self._session(), self.new_date.value
        if (
            planned is None
            or self.status.value is not SessionStatus.RESCHEDULED
            or day is None
            or day == self.rebook_shown  # as stored: no new day chosen here
        ):
            return None
        return session_log.rebook_problem(
            self.store, planned, day, self.partnership, today=self.today
        )

    def _on_day_chosen(self, _change) -> None:
        if not self._loading:
            self._say_day_problems()

    def _say_day_problems(self) -> None:
        """A day chosen that cannot be: said beside its box at once, not only on saving; a new
        day for a session put off that leaves more than a month without one, noted (as the
        agreement notes such a gap)."""
        for field, problem in (
            (self.held_on, self._unplanned_day_problem()),
            (self.new_date, self._rebook_problem()),
        ):
            if problem:
                field.show("error", problem)
        if self.new_date.kind == "error":
            return
        planned, day = self._session(), self.new_date.value
        moved = (
            planned is not None
            and self.status.value is SessionStatus.RESCHEDULED
            and day is not None
            and planned.scheduled_on is not None
        )
        gap = (day - planned.scheduled_on).days if moved else 0
        if gap > ag.MAX_GAP_DAYS:
            self.new_date.show(
                "warning",
                f"{dates.short(day)} is {gap:,} days after the day it was booked for "
                f"({dates.short(planned.scheduled_on)}): the guide suggests meeting at least "
                "every month",
            )
        elif self.new_date.kind == "warning":
            self.new_date.show()

    def _starts_later_today(self, session: Session | None = None) -> dt.datetime | None:
        """When ``session`` (else the one chosen) starts, if that is later today (in its
        agreement's time zone): booked for this evening, it is not held yet this morning."""
        session = session or self.loaded_session
        if (
            session is None
            or not session.planned  # held outside the schedule: no booked time to wait for
            or self.agreement is None
            or session.scheduled_on != self.today
        ):
            return None
        starts = ag.session_start(self.agreement, session)
        if starts is None or starts <= dt.datetime.now(dt.UTC):
            return None
        return starts

    def _today_said(self) -> str:
        """Today's day, as a message names it; with whose clock it is where the person's own
        says another day: the partnership's days are its agreement's time zone's."""
        said = dates.short(self.today)
        me = self.people.get(self.person.value) if self.person.value else None
        if self._given_today is not None or self.agreement is None or me is None:
            return said
        mine = dt.datetime.now(ZoneInfo(me.time_zone)).date()
        if mine == self.today:
            return said
        return (
            f"{said} in {ag.zone_time(self.agreement.time_zone)}, where this "
            f"partnership's sessions are booked; {dates.short(mine)} on your clock"
        )

    def _on_minutes(self, _change=None) -> None:
        agreed = self.agreement.minutes_per_person if self.agreement else None
        for field in (self.first_half, self.second_half):
            if field.kind == "error":
                continue  # what is wrong with it is said; "ran short" comes back once mended
            if agreed and field.value == 0:
                field.show("warning", "this half did not happen (0 minutes)")
            elif agreed and 0 < field.value < agreed:
                field.show("warning", f"ran short: {field.value} of the agreed {agreed} minutes")
            else:
                field.show()

    def _on_check(self, _change=None) -> None:
        answers = [f.value for f in self.check.values()]
        if None in answers:
            self.check_total.value = ""
            return
        check = SessionCheck(
            session_id=1,
            person_id=1,
            **dict(zip(SessionCheck.ITEMS, answers, strict=True)),
            total_below=self.settings.check_total_below,
            item_below=self.settings.check_item_below,
        )
        if check.flagged:
            # A pair in no cohort has no facilitator to see the flag.
            seen = (
                "; your facilitator sees only that a flag was raised, never your answers"
                if self.partnership is not None and self.partnership.cohort_id is not None
                else ""
            )
            self.check_total.value = forms.message_html(
                "warning",
                f"total {check.total} of 40. This raises a flag ("
                + "; ".join(check.flag_reasons)
                + f"): talk about it together{seen}.",
            )
        else:
            self.check_total.value = f"<p style='font-size:13px'>Total {check.total} of 40.</p>"

    # -- drafts ---------------------------------------------------------------------------------

    @staticmethod
    def _same_day(session: Session | None, day: str | None) -> bool:
        """Whether ``session`` (None: unplanned) was held or booked on ``day`` (ISO)."""
        if session is None or day is None:
            return False
        return session.day == dt.date.fromisoformat(day)

    def _draft_key(self) -> str:
        session = self.session.value
        return session_log.draft_key(self.partnership.id, None if session == UNPLANNED else session)

    def values(self) -> dict:
        """The form as JSON, for the draft."""
        day = self.held_on.value
        return {
            "held_on": day.isoformat() if day else None,
            "status": self.status.value.value if self.status.value else None,
            "rebook_on": self.new_date.value.isoformat() if self.new_date.value else None,
            "halves": [self.first_half.value, self.second_half.value],
            "note": self.note.value,
            "share_note": self.share_note.value,
            "reviews": {
                str(r.commitment.id): [r.status.value.value, r.obstacle.value]
                for r in self._review_rows()
            },
            "new_commitments": [
                {
                    "id": i["id"],
                    "text": i["text"],
                    "by_when": i["by_when"].isoformat() if i["by_when"] else None,
                    "goal_id": i["goal_id"],
                }
                for i in self.new_commitments.items()
            ],
            "levels": {
                str(f.plan_id): f.value for f in self.levels.children if isinstance(f, forms.Field)
            },
            "feedback": [
                self.most_helpful.value,
                self.less_helpful.value,
                self.what_worked.value,
                self.try_next.value,
            ],
            "check": {name: f.value for name, f in self.check.items()},
        }

    def _draft_values(self) -> dict:
        """The form for its draft, with what it showed of the parts both partners log when it
        was opened: restored later, the draft brings back only the person's changes to them."""
        return {
            **self.values(),
            "shown": {k: self.form_loaded.get(k) for k in _SHARED_KEYS},
            # My own part as saved when the typing began: restored, the draft is merged with
            # what I saved since from another window, not put over it.
            "own_shown": {k: self.form_loaded.get(k) for k in _OWN_KEYS},
        }

    def _restore(self, data: dict) -> str:
        """Put the draft ``data`` into the form shown as saved, merged with what I saved of my
        part since it was typed (from another window); what to say of it (HTML): what came from
        that save, and where the draft differs from my saved log (a save puts it in place)."""
        saved = self.values()
        base = data.get("own_shown")
        taken, clashed = [], []
        if base is not None and _saved_since(base, saved):
            merged, taken, clashed = _merged_own(base, saved, data)
            data = {**data, **{k: merged[k] for k in _OWN_KEYS}}
        self.apply(data)
        if not (self.own_loaded and any(self.own_loaded.values())):
            return ""  # nothing of mine saved yet: the draft is all there is
        now = self.values()
        differs = [
            part for part in session_log.OWN_PARTS if _boxes(now, part) != _boxes(saved, part)
        ]
        said = []
        if taken or clashed:
            said.append(
                "You saved your part of this session in another window since"
                + (f": what was saved there for your {', '.join(taken)} is here" if taken else "")
                + (
                    f"{'; ' if taken else ': '}what you typed for your {', '.join(clashed)}, "
                    "changed there too, stays in place of what was saved there"
                    if clashed
                    else ""
                )
                + "."
            )
        if differs:
            said.append(
                f"It differs from your saved log in your {', '.join(differs)}: saving puts it "
                "in place of what is saved; \u201cDiscard the draft\u201d shows the log as saved."
            )
        return "".join(f" {html.escape(s)}" for s in said)

    def apply(self, data: dict) -> None:
        """Put a draft back into the form. Of the parts both partners log, those the person
        had left as they were shown stay as they are now (the partner may have logged them
        since): a draft typed before the session was moved does not bring back "held"."""
        shown = data.get("shown")
        if shown is not None:
            data = {k: v for k, v in data.items() if k not in _SHARED_KEYS or shown.get(k) != v}
        if data.get("held_on"):
            self.held_on.value = dt.date.fromisoformat(data["held_on"])
        if data.get("status"):
            self.status.value = SessionStatus(data["status"])
        if "rebook_on" in data:
            self.new_date.value = (
                dt.date.fromisoformat(data["rebook_on"]) if data["rebook_on"] else None
            )
        if "halves" in data or shown is None:
            self.first_half.value, self.second_half.value = data.get("halves", [45, 45])
        self.note.value = data.get("note", "")
        self.share_note.value = bool(data.get("share_note"))
        reviews = data.get("reviews", {})
        for row in self._review_rows():
            status, obstacle = reviews.get(str(row.commitment.id), [None, None])
            if status:
                row.status.value = type(row.status.value)(status)
                row.obstacle.value = obstacle or ""
        # A draft from before rows kept their id: a row with the words of a saved one is it.
        saved_ids = {row["text"]: row["id"] for row in self.new_commitments.items() if row["id"]}
        self.new_commitments.load(
            [
                {
                    "id": saved_ids.get(item.get("text")),
                    **item,
                    "by_when": dt.date.fromisoformat(item["by_when"])
                    if item.get("by_when")
                    else None,
                }
                for item in data.get("new_commitments", [])
            ]
        )
        self._watch_rows()
        levels = data.get("levels", {})
        for field in self.levels.children:
            if isinstance(field, forms.Field) and str(field.plan_id) in levels:
                field.value = levels[str(field.plan_id)]
        (
            self.most_helpful.value,
            self.less_helpful.value,
            self.what_worked.value,
            self.try_next.value,
        ) = data.get("feedback", ["", "", "", ""])
        for name, value in data.get("check", {}).items():
            self.check[name].value = value

    def _on_edit(self, _change=None) -> None:
        if self._loading or self.partnership is None or self.person.value is None:
            return
        forms.changed_since_saved(self.result)
        self.draft_bar.keep(
            self.store,
            self.person.value,
            session_log.DRAFT_KIND,
            self._draft_key(),
            self._draft_values,
            as_stored=False,  # kept even when back to what is stored: the log keeps its last
        )

    def _on_discard(self, _button) -> None:
        session_log.discard_draft(self.store, self.person.value, self._draft_key())
        self._on_session()
        self.result.value = forms.notice("info", "Draft discarded: this is the session as saved.")
        forms.give_focus(self.held_on)  # the form as saved: the next Tab goes on through it

    # -- saving ---------------------------------------------------------------------------------

    def entry(self) -> tuple[session_log.SessionEntry | None, dict[str, str]]:
        """The log as records, or the errors by field."""
        errors: dict[str, str] = {}
        me = self.person.value
        planned = self._session()
        status = self.status.value
        held = status is SessionStatus.HELD
        a, b = self.partnership.members

        def build(path, make):
            try:
                return make()
            except ValidationError as exc:
                for key, text in forms.error_messages(exc).items():
                    errors[path if path else key] = text
                return None

        # The minutes count only for a held session (their boxes are hidden otherwise).
        halves_fields = (self.first_half, self.second_half)
        errors.update(
            forms.range_errors(f for f in self.fields.values() if held or f not in halves_fields)
        )
        if self.held_on.value is None:
            errors["held_on"] = DATE_NEEDED
        elif self.held_on.value > self.today and held:
            errors["held_on"] = f"a session cannot be held after today ({self._today_said()})"
        elif planned is not None and not held and self.held_on.value != planned.scheduled_on:
            errors["held_on"] = (
                f"a session {'put off' if status is SessionStatus.RESCHEDULED else 'missed'} "
                f"keeps the day it was booked for ({dates.long(planned.scheduled_on)})"
                + (": its new day goes in New date" if status is SessionStatus.RESCHEDULED else "")
            )
        elif problem := session_log.date_problem(self.held_on.value, self.partnership):
            errors["held_on"] = problem
        halves = []
        if held:
            for k, (field, coach, client) in enumerate(
                ((self.first_half, a, b), (self.second_half, b, a))
            ):
                if field.value > 0 and not field.problem():
                    half = build(
                        f"halves[{k}]",
                        lambda c=coach, cl=client, m=field.value: SessionHalf(
                            coach_id=c, client_id=cl, minutes=m
                        ),
                    )
                    halves.append(half)
            if not halves:
                errors.setdefault(
                    "halves[0]", "a held session has at least one half with its minutes"
                )
        base = (
            planned.model_dump()
            if planned
            else {"partnership_id": self.partnership.id, "planned": False}
        )
        base.update(
            status=status,
            held_on=self.held_on.value if held else None,
            halves=[h.model_dump() for h in halves if h],
        )
        if planned is None:
            # An unplanned session is dated by the day it was held, or was to be held.
            base["scheduled_on"] = self.held_on.value
            if problem := self._unplanned_day_problem():
                errors["held_on"] = problem
        try:
            session = Session.model_validate(base)
        except ValidationError as exc:
            session = None
            for key, text in forms.error_messages(exc).items():
                if key in ("held_on", "scheduled_on"):
                    # About the day: beside the date box, unless it says what is wrong already.
                    errors.setdefault("held_on", text)
                else:
                    errors["status"] = f"{errors['status']}; {text}" if "status" in errors else text
        note = None
        if self.note.value.strip():
            note = build(
                "note",
                lambda: SessionNote(
                    session_id=1, person_id=me, text=self.note.value, shared=self.share_note.value
                ),
            )
        reviews = [r.reviewed() for r in self._review_rows()] if held else []
        new = []
        if held:
            for k, item in enumerate(self.new_commitments.items()):
                if (
                    item["id"] is None
                    and not (item["text"] or "").strip()
                    and not (item["by_when"] or item["goal_id"])
                ):
                    continue  # a row added and left blank: nothing committed, no refusal
                made = None
                try:
                    made = Commitment(
                        id=item["id"],
                        partnership_id=self.partnership.id,
                        person_id=me,
                        text=item["text"],
                        by_when=item["by_when"],
                        goal_id=item["goal_id"],
                    )
                except ValidationError as exc:
                    for error in exc.errors:
                        errors[f"new_commitments[{k}].{error.path}"] = (
                            f"Commitment {k + 1}: {error.message}"
                            if error.label.lower() == "commitment"
                            else f"{error.label} (commitment {k + 1}): {error.message}"
                        )
                # Said with the record's own problems, not a save later.
                for path, text in self._due_before_session(k, item).items():
                    errors.setdefault(path, text)
                new.append(made)
        ratings = [
            GasRating(plan_id=f.plan_id, rated_on=self.held_on.value or self.today, level=f.value)
            for f in self.levels.children
            if held and isinstance(f, forms.Field) and f.value is not None
        ]
        feedback = []
        if held and (self.most_helpful.value.strip() or self.less_helpful.value.strip()):
            feedback.append(
                build(
                    "most_helpful",
                    lambda: Feedback(
                        session_id=1,
                        author_id=me,
                        role=FeedbackRole.CLIENT,
                        most_helpful=self.most_helpful.value,
                        less_helpful=self.less_helpful.value,
                    ),
                )
            )
        if held and (self.what_worked.value.strip() or self.try_next.value.strip()):
            feedback.append(
                build(
                    "what_worked",
                    lambda: Feedback(
                        session_id=1,
                        author_id=me,
                        role=FeedbackRole.COACH,
                        what_worked=self.what_worked.value,
                        try_next_time=self.try_next.value,
                    ),
                )
            )
        check = None
        answers = {name: f.value for name, f in self.check.items()}
        if held and any(v is not None for v in answers.values()):
            missing = [name for name, v in answers.items() if v is None]
            # Said once, under the first item left out; the others are marked as not answered.
            for k, name in enumerate(missing):
                errors[f"check.{name}"] = (
                    f"answer all four items, or none: {len(answers) - len(missing)} of "
                    f"{len(answers)} are answered"
                    if k == 0
                    else "not answered"
                )
            if not missing:
                check = SessionCheck(
                    session_id=1,
                    person_id=me,
                    **answers,
                    total_below=self.settings.check_total_below,
                    item_below=self.settings.check_item_below,
                )
        rebook_on = None
        if status is SessionStatus.RESCHEDULED and planned is not None:
            rebook_on = self.new_date.value
        if problem := self._rebook_problem():
            errors["rebook_on"] = problem
        if errors or session is None:
            return None, errors
        return session_log.SessionEntry(
            rebook_on=rebook_on,
            session=session,
            note=note,
            reviews=reviews,
            new_commitments=new,
            ratings=ratings,
            feedback=feedback,
            check=check,
        ), errors

    def _take_other_windows_part(self, stored: dict, changed: tuple[str, ...]) -> None:
        """After my own part was saved from another window since this one opened: show what
        was saved there in each box this window left as it was, keep what I changed here, and
        say which is which. The next save, made knowing, keeps both."""
        mine, base = self.values(), self.form_loaded
        self._loading = True
        try:
            self._show_saved(self._session())
            fresh = self.values()
            self.form_loaded = fresh
            merged, taken, clashed = _merged_own(base, fresh, mine)
            self.apply({**merged, **{k: mine[k] for k in _SHARED_KEYS}})
        finally:
            self._loading = False
        self.own_loaded = stored
        said = [
            f"what was saved there for your {', '.join(taken)} is now on screen" if taken else "",
            f"what you typed here for your {', '.join(clashed)}, changed there too, stays on "
            "screen in place of what was saved there"
            if clashed
            else "",
        ]
        self.result.value = forms.notice(
            "error",
            "Nothing was saved: you saved your part of this session in another window after "
            f"opening it here ({html.escape(', '.join(changed))} changed there). "
            + _sentence(html.escape("; ".join(s for s in said if s)))
            + ". Save again to keep what is on screen.",
        )

    def _on_save(self, _button=None) -> None:
        entry, errors = self.entry()
        unplaced = forms.show_messages(self.fields, errors)
        self._on_minutes()  # the notes the messages above put away ("ran short")
        if entry is None:
            self.result.value = forms.refused(self.fields, unplaced, "Your draft is kept.")
            return
        entry = dataclasses.replace(
            entry,
            loaded=self.loaded_session,
            shown=self.shown_parts,
            own_loaded=self.own_loaded,
            rebook_shown=self.rebook_shown,
        )
        sid = entry.session.id
        instead = session_log.replacement(self.store, sid) if sid is not None else None
        try:
            saved = session_log.save(self.store, self.person.value, entry)
        except ValidationError as exc:
            unplaced = forms.show_messages(self.fields, exc.messages())
            self._on_minutes()
            self.result.value = forms.refused(self.fields, unplaced, "Your draft is kept.")
            return
        except ConflictError as exc:
            if exc.record == "Your part":
                self._take_other_windows_part(exc.merged, exc.fields)
                return
            # Said once: what did merge is now on screen, and the next save is made knowing
            # what was saved meanwhile.
            stored = self._session()
            self.loaded_session = stored
            self.shown_parts = session_log.shared_part(stored)
            self._show_parts(exc.merged or {})
            self.result.value = forms.notice(
                "error",
                "Nothing was saved: this session was saved after you opened it (by "
                f"{html.escape(self._partner_name())}, or by you in another window), with "
                f"{html.escape(forms.listed(exc.fields))} changed differently: it is now "
                f"{html.escape(session_log.describe(stored))}. Your other changes are on "
                "screen, as is your draft: set what you both agree on, and save again.",
            )
            return
        except Exception:
            log.exception("saving the session failed")
            self.result.value = forms.notice(
                "error",
                "The session could not be saved, so nothing was changed"
                # (A database that refuses the save refused the draft too: the page says so.)
                + ("" if storage_problem(sys.exc_info()[1]) else "; your draft is kept")
                + ". "
                + forms.try_again(),
            )
            return
        self._on_pair()
        self.session.value = saved.id
        self._on_session()
        self.result.value = forms.notice(
            "ok",
            f"Saved the {saved.status.value} session of "
            f"{dates.long(saved.day or self.today)}.{self._rebooking_said(instead, saved)}",
        )

    def _rebooking_said(self, before: Session | None, saved: Session) -> str:
        """What a save did to the session booked in place of ``saved`` (``before``: that
        booking before the save), in a sentence, or nothing when it stayed as it was. A
        session put off with no new day is off: the agreement counts one session fewer, which
        is said on every save of it (else nothing on the page says so)."""
        after = session_log.replacement(self.store, saved.id)
        said = ""
        was = (before.status, before.scheduled_on) if before is not None else None
        if after is not None and (after.status, after.scheduled_on) != was:
            if after.status is SessionStatus.SCHEDULED:
                said = (
                    f" Booked again on {dates.long(after.scheduled_on)}: it is in your schedule "
                    "and calendar."
                )
            elif after.status is SessionStatus.CANCELLED:
                said = (
                    f" The session booked in its place on {dates.long(after.scheduled_on)} is "
                    "cancelled."
                )
        if (
            saved.status is SessionStatus.RESCHEDULED
            and saved.planned
            and self.partnership.is_active  # (no new day can be booked after an ending)
            and session_log.booked_instead(self.store, saved) is None
        ):
            said += (
                " No new day is booked for it, so your agreement counts one session fewer until "
                "one is (a New date here books it)."
            )
        return said


def build_session_log_app(store: Store | None = None, **kwargs) -> widgets.Widget:
    """The session log; the person and partnership come from the page's URL when not given."""
    kwargs.setdefault("person_id", context.person_param(store))
    kwargs.setdefault("partnership_id", context.int_param("partnership"))
    return runtime.launch(SessionLogApp, store, **kwargs)
