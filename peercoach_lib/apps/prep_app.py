"""The session preparation app: Purpose, Outcomes, Process; last time's commitments; what the
partner shared; agreements due for review; questions for the coach."""

from __future__ import annotations

import dataclasses
import datetime as dt
import html
import logging
import random

import ipywidgets as widgets

from peercoach_lib import dates, deck, drafts, merging, prep, sharing
from peercoach_lib.apps import context, forms, runtime
from peercoach_lib.apps.commitments import CommitmentRow
from peercoach_lib.errors import (
    ConfigurationError,
    ConflictError,
    NotFoundError,
    ValidationError,
)
from peercoach_lib.model import (
    Commitment,
    CommitmentStatus,
    Partnership,
    Person,
    Session,
    SessionPrep,
)
from peercoach_lib.store import Store

log = logging.getLogger(__name__)

ALL_GROUPS = "All questions"
MAX_PINNED = 10
#: The partner's newest notes and feedback shown while preparing (the rest are older news).
SHOWN_FROM_PARTNER = 3
_SMALL = "font-size:14px;margin:4px 0"


def _day(day: dt.date | None) -> str:
    return dates.short(day) if day else "an unplanned session"


def _lines(pairs: list[tuple[str, str]]) -> str:
    """Labelled lines of what someone wrote, leaving out what they left empty."""
    return "".join(
        f"<div style='margin:2px 0'><strong>{html.escape(label)}:</strong> "
        f"<span style='white-space:pre-wrap'>{html.escape(text)}</span></div>"
        for label, text in pairs
        if text
    )


def reviews_html(due: list[sharing.SharedOutcome]) -> str:
    """The agreements of courageous conversations whose review falls to this session."""
    items = "".join(
        "<li style='margin:6px 0'>"
        + _lines(
            [
                ("What we agreed", o.agreed),
                ("How we hold each other to it", o.hold_to_it),
                ("Review date", _day(o.review_on)),
            ]
        )
        + "</li>"
        for o in due
    )
    return (
        f"<p style='{_SMALL}'>You agreed to look again at how this is going. Start the session "
        f"with it.</p><ul style='padding-left:20px;font-size:14px;margin:4px 0'>{items}</ul>"
    )


def follow_up_text(follow_up: sharing.SharedFollowUp) -> str:
    """One commitment as the partner reads it: "Walk daily (by 12 Mar): partly done; what got in
    the way: rain"."""
    due = f" (by {_day(follow_up.by_when)})" if follow_up.by_when else ""
    got_in_the_way = f"; what got in the way: {follow_up.obstacle}" if follow_up.obstacle else ""
    return f"{follow_up.text}{due}: {follow_up.status.words}{got_in_the_way}"


def from_partner_html(view: sharing.PartnerView, session_id: int) -> str:
    """What the partner shared that bears on this session: their preparation for it, and their
    newest notes and feedback in this partnership (up to the session's day)."""
    name = html.escape(view.partner.name)
    this_day = view.session_day(session_id)

    def up_to_now(items):
        return [
            x
            for x in items
            if this_day is None
            or view.session_day(x.session_id) is None
            or view.session_day(x.session_id) <= this_day
        ]

    def when(item) -> str:
        return html.escape(f"Session of {_day(view.session_day(item.session_id))}")

    parts = []
    prep_ = view.prep_for(session_id)
    if prep_ is not None:
        parts.append(
            f"<h3 style='margin:10px 0 2px;font-size:15px'>{name}'s preparation for this "
            "session</h3>"
            + _lines(
                [
                    ("Purpose", prep_.purpose),
                    ("Outcomes", prep_.outcomes),
                    ("Process", prep_.process),
                    (
                        "Questions for their coach",
                        "".join(f"\n• {q}" for q in prep_.pinned_questions),
                    ),
                    (
                        "Their commitments from last time",
                        "".join(f"\n• {follow_up_text(f)}" for f in prep_.follow_ups),
                    ),
                ]
            )
        )
    for title, items, render in (
        ("Notes they shared", up_to_now(view.notes), lambda n: _lines([("Notes", n.text)])),
        (
            "Feedback they gave",
            up_to_now(view.feedback),
            lambda f: _lines(
                [
                    ("Most helpful", f.most_helpful),
                    ("Less helpful", f.less_helpful),
                    ("What worked (as coach)", f.what_worked),
                    ("To try next time (as coach)", f.try_next_time),
                ]
            ),
        ),
    ):
        if not items:
            continue
        shown = items[:SHOWN_FROM_PARTNER]
        more = len(items) - len(shown)
        parts.append(
            f"<h3 style='margin:10px 0 2px;font-size:15px'>{title}</h3>"
            + "".join(
                f"<div style='margin:4px 0 8px'><em>{when(x)}</em>{render(x)}</div>" for x in shown
            )
            + (f"<p style='{_SMALL};color:#3d3d3d'>And {more} earlier.</p>" if more else "")
        )
    if not parts:
        return (
            f"<p style='{_SMALL}'>Nothing shared with you yet: {name} decides what to share "
            "with you.</p>"
        )
    return "<div style='font-size:14px'>" + "".join(parts) + "</div>"


#: The preparation's own words in the form, as they are when empty.
_FORM_PARTS = {
    "purpose": "",
    "outcomes": "",
    "process": "",
    "shared": False,
    "private_notes": "",
    "pinned_questions": [],
}


def _gist(made: SessionPrep) -> str:
    """A preparation in a few words: its purpose, else the start of what else it says."""
    words = made.purpose or made.outcomes or made.process or made.private_notes
    words = " ".join(words.split())
    return words if len(words) <= 80 else words[:79].rstrip() + "…"


def _form_parts(saved: SessionPrep | None) -> dict:
    if saved is None:
        return dict(_FORM_PARTS)
    return {name: getattr(saved, name) for name in _FORM_PARTS} | {
        "pinned_questions": list(saved.pinned_questions)
    }


class SessionPrepApp(widgets.VBox):
    """Prepare for an upcoming session, and follow up what was committed to last time."""

    def __init__(
        self,
        store: Store | None = None,
        *,
        person_id: int | None = None,
        today: dt.date | None = None,
        rng: random.Random | None = None,
    ):
        super().__init__(layout=widgets.Layout(max_width="1000px"))
        self.add_class("peercoach-app")
        self.add_class("peercoach-prep")
        self.store = store or Store()
        self._given_today = today
        self.today = today or context.today(self.store)
        self.rng = rng or random.Random()
        self.upcoming: list[prep.Upcoming] = []
        self.current: SessionPrep | None = None
        self.pinned: list[str] = []
        self._loading = False  # the form is being filled from storage: that is no edit
        self.partner_view: sharing.PartnerView | None = None

        self.person = forms.dropdown("I am", "person_id", [])
        self.session = forms.dropdown("Session", "session_id", [])
        # Wide as the text boxes: a session is named with its day, time(s) and partner.
        self.session.control.layout.width = "min(100%, 760px)"
        self.intro = widgets.HTML()
        #: Where a preparation carried on from a session that did not take place came from.
        self.carried = widgets.HTML()
        #: What I prepared for the session missed just before this one, offered to start from.
        self.missed_prep: SessionPrep | None = None
        self.missed_note = widgets.HTML()
        self.use_missed = widgets.Button(
            description="Start from what I prepared then",
            icon="clone",
            layout=widgets.Layout(width="auto", align_self="flex-start", margin="0 0 8px 240px"),
        )
        self.missed_box = widgets.VBox(
            [self.missed_note, self.use_missed], layout=widgets.Layout(display="none")
        )
        self.demo = widgets.HTML()
        self.draft_bar = forms.DraftBar("the preparation")
        self.draft_notice, self.discard = self.draft_bar.notice, self.draft_bar.discard
        self.purpose = forms.text(
            "Purpose: why this session?",
            "purpose",
            placeholder="Needed to save. Start with a verb: decide, plan, understand…",
        )
        self.outcomes = forms.textarea(
            "Outcomes", "outcomes", placeholder="This session will be a success if…"
        )
        self.process = forms.textarea(
            "Process: how to use the time",
            "process",
            placeholder="For example: ten minutes on what happened, then options, then next steps.",
        )
        self.commitments = widgets.VBox()
        self.reviews = widgets.HTML()
        self.reviews_box = widgets.VBox(
            [forms.heading("To review today"), self.reviews], layout=widgets.Layout(display="none")
        )
        self.from_heading = widgets.HTML()
        self.from_partner = widgets.HTML()
        self.partner_box = widgets.VBox(
            [self.from_heading, self.from_partner], layout=widgets.Layout(display="none")
        )
        self.deck_box = widgets.VBox()
        self.shared = widgets.Checkbox(
            description="Share this preparation with my partner, with how my commitments went "
            "(private notes stay private)",
            indent=False,
            layout=widgets.Layout(width="auto", margin="8px 0 0 240px"),
        )
        self.private = forms.textarea("Private notes (never shared)", "private_notes")
        self.save_button = widgets.Button(
            description="Save preparation",
            button_style="primary",
            icon="save",
            layout=widgets.Layout(margin="12px 0 0 240px"),
        )
        self.result = widgets.HTML()
        self.fields = {
            f.path: f
            for f in (
                self.person,
                self.session,
                self.purpose,
                self.outcomes,
                self.process,
                self.private,
            )
        }
        forms.retire_when_mended(self.result, self.fields.values())
        self.unsaved = forms.UnsavedChanges(
            self._snapshot, what="this preparation", on_discard=self._drop_draft, keeps_drafts=True
        )
        self.unsaved.hide_while_asking(self.draft_bar.discard)
        # What is written for a session: shown only once there is a session to prepare.
        self.editor = widgets.VBox(
            [
                forms.heading("Purpose, outcomes, process"),
                self.purpose,
                self.outcomes,
                self.process,
                forms.heading("Commitments from last time"),
                self.commitments,
                self.partner_box,
                forms.heading("Questions for my coach"),
                self.deck_box,
                forms.heading("Sharing"),
                self.shared,
                self.private,
                self.save_button,
                self.result,
            ]
        )
        self.form = widgets.VBox(
            [
                self.session,
                self.unsaved,
                self.draft_bar,
                self.carried,
                self.missed_box,
                self.intro,
                self.reviews_box,
                self.editor,
            ]
        )
        self.children = [
            forms.stylesheet(),
            self.demo,
            self.person,
            forms.Place(person=self.person),
            self.form,
        ]
        self._build_deck()

        # Choose before listening, so the person's data loads once (below), not twice.
        forms.offer_participants(self.person, self.store, person_id)
        self.unsaved.watch(self.person, self._on_person)
        self.unsaved.watch(self.session, self._on_session)
        self.save_button.on_click(runtime.settled(self._on_save))
        self.discard.on_click(runtime.guarded(self._on_discard))
        self.use_missed.on_click(runtime.guarded(self._on_use_missed))
        for control in (
            self.purpose.control,
            self.outcomes.control,
            self.process.control,
            self.shared,
            self.private.control,
        ):
            control.observe(runtime.guarded(self._on_edit), names="value")
        # Each box is checked as it is left (an emptied purpose, a text over its length), not
        # only on saving.
        for field in (self.purpose, self.outcomes, self.process, self.private):
            field.control.observe(
                runtime.guarded(lambda _change, field=field: self._check_left(field)),
                names="value",
            )
        self._on_person()

    # -- the question deck -----------------------------------------------------------------------

    def _build_deck(self) -> None:
        try:
            self.deck = deck.load()
        except ConfigurationError as exc:
            log.exception("the question deck cannot be loaded")
            self.deck = None
            self.deck_box.children = [
                widgets.HTML(
                    forms.notice(
                        "error", f"The question deck is not available: {html.escape(str(exc))}"
                    )
                )
            ]
            return
        self.group = forms.Dropdown(
            options=[ALL_GROUPS, *self.deck.group_names],
            description="Group",
            style=forms._STYLE,
            layout=widgets.Layout(width="min(100%, 520px)"),
        )
        self.questions = widgets.Select(
            options=self.deck.questions(),
            rows=6,
            description="Questions",
            style=forms._STYLE,
            layout=widgets.Layout(width="min(100%, 760px)"),
        )
        self.draw = widgets.Button(
            description="Draw one at random", layout=widgets.Layout(width="auto"), icon="random"
        )
        self.pin = widgets.Button(
            description="Pin for my coach", layout=widgets.Layout(width="auto"), icon="thumb-tack"
        )
        self.pinned_list = widgets.Select(
            options=[],
            rows=4,
            description="Pinned",
            style=forms._STYLE,
            layout=widgets.Layout(width="min(100%, 760px)"),
        )
        self.unpin = widgets.Button(
            description="Remove from pinned", layout=widgets.Layout(width="auto"), icon="times"
        )
        self.deck_message = widgets.HTML()
        buttons = widgets.HBox([self.draw, self.pin], layout=widgets.Layout(margin="4px 0 0 240px"))
        self.deck_box.children = [
            self.group,
            self.questions,
            buttons,
            self.deck_message,
            self.pinned_list,
            widgets.HBox([self.unpin], layout=widgets.Layout(margin="4px 0 0 240px")),
        ]
        self.group.observe(runtime.guarded(self._on_group), names="value")
        # What was said of the last pin or draw is about that question, not the next one.
        self.questions.observe(runtime.guarded(self._on_question), names="value")
        self.draw.on_click(runtime.guarded(self._on_draw))
        self.pin.on_click(runtime.guarded(self._on_pin))
        self.unpin.on_click(runtime.guarded(self._on_unpin))

    def _on_group(self, change) -> None:
        group = None if change["new"] == ALL_GROUPS else change["new"]
        self.questions.options = self.deck.questions(group)

    def _on_draw(self, _button) -> None:
        group = None if self.group.value == ALL_GROUPS else self.group.value
        before = self.questions.value
        self.questions.value = self.deck.draw(self.rng, group, not_this=before)
        only = " (the only question of this group)" if self.questions.value == before else ""
        self.deck_message.value = (
            f"<p role='status' style='margin-left:240px'><em>Drawn:</em> "
            f"{html.escape(self.questions.value)}{only}</p>"
        )

    def _on_pin(self, _button) -> None:
        question = self.questions.value
        if question is None:
            self.deck_message.value = forms.message_html("warning", "choose a question to pin")
        elif question in self.pinned:
            self.deck_message.value = forms.message_html(
                "warning", "that question is pinned already"
            )
        elif len(self.pinned) >= MAX_PINNED:
            self.deck_message.value = forms.message_html(
                "warning", f"pin at most {MAX_PINNED} questions"
            )
        else:
            self.set_pinned([*self.pinned, question])
            self._on_edit()
            self.deck_message.value = (
                f"<p role='status' style='margin-left:240px'><em>Pinned for your coach:</em> "
                f"{html.escape(question)}</p>"
            )

    def _on_question(self, _change=None) -> None:
        self.deck_message.value = ""

    def _on_unpin(self, _button) -> None:
        removed = self.pinned_list.value
        if removed is not None:
            self.set_pinned([q for q in self.pinned if q != removed])
            self._on_edit()
            self.deck_message.value = (
                f"<p role='status' style='margin-left:240px'><em>No longer pinned:</em> "
                f"{html.escape(removed)}</p>"
            )

    def set_pinned(self, questions: list[str]) -> None:
        self.pinned = list(questions)
        if self.deck is not None:
            self.pinned_list.options = self.pinned

    # -- person and session ----------------------------------------------------------------------

    def _on_person(self, _change=None) -> None:
        person_id = self.person.value
        self.form.layout.display = "none" if person_id is None else "flex"
        me = self.store.get(Person, person_id) if person_id is not None else None
        self.demo.value = forms.demo_notice() if me is not None and me.is_demo else ""
        if person_id is None:
            return
        self.upcoming = prep.upcoming_sessions(self.store, person_id, today=self.today)
        self.session.control.options = [(u.label, u.session.id) for u in self.upcoming]
        if not self.upcoming:
            running = any(
                p.is_active and person_id in p.members for p in self.store.find(Partnership)
            )
            self.intro.value = forms.notice(
                "info",
                "No sessions are booked for you. Book some in the first-session agreement."
                if running
                else "You have no running partnership, so there is no session to prepare. "
                "Your facilitator pairs you with someone new when you are ready.",
            )
            self.session.value = None
        else:
            # The first still to come, by its schedule's day.
            soonest = next(
                (
                    u
                    for u in self.upcoming
                    if u.session.scheduled_on
                    >= context.schedule_today(u.time_zone, self.store, given=self._given_today)
                ),
                self.upcoming[-1],
            )
            self.session.value = soonest.session.id
        self._on_session()

    def _snapshot(self) -> tuple:
        """What the form holds, apart from whose preparation and for which session."""
        reviews = [
            (row.status.value, row.obstacle.value)
            for row in self.commitments.children
            if isinstance(row, CommitmentRow)
        ]
        return (
            self.purpose.value,
            self.outcomes.value,
            self.process.value,
            self.shared.value,
            self.private.value,
            tuple(self.pinned),
            tuple(reviews),
        )

    def _selected(self) -> prep.Upcoming | None:
        return next((u for u in self.upcoming if u.session.id == self.session.value), None)

    def _on_session(self, _change=None) -> None:
        chosen = self._selected()
        for field in self.fields.values():
            field.show()
        self.result.value = self.deck_message.value = ""
        self.editor.layout.display = "none" if chosen is None else "flex"
        self.missed_prep = None
        self.missed_box.layout.display = "none"
        self.use_missed.layout.display = "flex"
        if chosen is None:
            # Nobody's words stay on screen: not the person's chosen before, private notes least.
            loading, self._loading = self._loading, True
            try:
                for field in (self.purpose, self.outcomes, self.process, self.private):
                    field.value = ""
                self.shared.value = False
                self.set_pinned([])
            finally:
                self._loading = loading
            self.commitments.children = []
            self.reviews_box.layout.display = "none"
            self.partner_box.layout.display = "none"
            self.draft_bar.clear()
            self.carried.value = ""
            self.unsaved.mark_clean()
            return
        self.intro.value = ""
        self._loading = True
        try:
            self.current = prep.load(self.store, chosen.session.id, self.person.value)
            self._fill(self.current)
            self.carried.value = self._carried_words(self.current)
            pid = chosen.partnership.id
            # What to follow up here, as a shared preparation tells the partner.
            listed = sharing.shown_with_prep(
                self.store.find(Commitment, person_id=self.person.value, partnership_id=pid),
                self.store.find(Session, partnership_id=pid),
                chosen.session.id,
            )
            self._show_partner(chosen)
            rows = [CommitmentRow(c, today=self.today) for c in listed]
            for row in rows:
                for control in (row.status, row.obstacle):
                    control.observe(runtime.guarded(self._on_edit), names="value")
            self.commitments.children = rows or [
                widgets.HTML(
                    "<p style='margin-left:240px'>No open commitments: nothing to follow up.</p>"
                )
            ]
            self.unsaved.mark_clean()
            self._restore_draft(chosen.session.id)
            if self.current is None and not self.unsaved.unsaved:  # nothing of mine here yet
                self._offer_missed(chosen.session)
        finally:
            self._loading = False

    def _offer_missed(self, session: Session) -> None:
        """Offer what I prepared for the session missed just before this one, if anything."""
        missed = prep.missed_preparation(self.store, session, self.person.value)
        if missed is None or not any(
            (missed.purpose, missed.outcomes, missed.process, missed.private_notes)
        ):
            return
        off = self.store.get(Session, missed.session_id)
        self.missed_prep = missed
        self.missed_note.value = forms.notice(
            "info",
            f"The session of {dates.long(off.scheduled_on)} was missed. You had prepared for it "
            f"(“{html.escape(_gist(missed))}”): start from that, and change what no longer "
            "fits? It stays with the missed session too.",
        )
        self.missed_box.layout.display = "flex"

    def _on_use_missed(self, _button=None) -> None:
        """Fill in the form from the missed session's preparation: kept as a draft until saved
        here; sharing stays as chosen."""
        missed = self.missed_prep
        if missed is None:
            return
        self.missed_prep = None
        self.use_missed.layout.display = "none"
        off = self.store.get(Session, missed.session_id)
        self.missed_note.value = forms.notice(
            "info",
            f"Filled in from what you prepared for the session of {dates.long(off.scheduled_on)} "
            "(missed): change what no longer fits, then save.",
        )
        loading, self._loading = self._loading, True
        try:
            self.purpose.value = missed.purpose
            self.outcomes.value = missed.outcomes
            self.process.value = missed.process
            self.private.value = missed.private_notes
            self.set_pinned(list(missed.pinned_questions))
        finally:
            self._loading = loading
        self._on_edit()

    def _carried_words(self, current: SessionPrep | None) -> str:
        """Where a preparation carried on from a session that did not take place came from."""
        if current is None or current.carried_from_session_id is None:
            return ""
        try:
            off = self.store.get(Session, current.carried_from_session_id)
        except NotFoundError:
            return ""
        day = dates.long(off.scheduled_on) if off.scheduled_on else "an earlier day"
        return forms.notice(
            "info",
            f"You wrote this for the session of {day}, {prep.why_carried(off)}, and it came on "
            "to this one. Should that session be booked again, it goes back there, unless you "
            "save it here.",
        )

    def _fill(self, current: SessionPrep | None) -> None:
        self.purpose.value = current.purpose if current else ""
        self.outcomes.value = current.outcomes if current else ""
        self.process.value = current.process if current else ""
        self.shared.value = current.shared if current else False
        self.private.value = current.private_notes if current else ""
        self.set_pinned(list(current.pinned_questions) if current else [])

    # -- drafts ----------------------------------------------------------------------------------

    def _draft_key(self) -> str | None:
        chosen = self._selected()
        return prep.draft_key(chosen.session.id) if chosen is not None else None

    def _draft_data(self) -> dict:
        """The form as JSON, with the preparation as stored when the typing began: a save
        merges against that, so what another window saved meanwhile is not undone."""
        return {
            "purpose": self.purpose.value,
            "outcomes": self.outcomes.value,
            "process": self.process.value,
            "shared": self.shared.value,
            "private_notes": self.private.value,
            "pinned_questions": list(self.pinned),
            # Only the follow-ups changed here: a row left alone shows what is stored when
            # the draft comes back (a follow-up saved meanwhile elsewhere included).
            "reviews": {
                str(row.commitment.id): {
                    "status": row.status.value.value,
                    "obstacle": row.obstacle.value,
                }
                for row in self.commitments.children
                if isinstance(row, CommitmentRow)
                and (row.status.value, row.obstacle.value)
                != (row.commitment.status, row.commitment.obstacle)
            },
            "base": self.current.model_dump(mode="json") if self.current else None,
        }

    def _restore_draft(self, session_id: int) -> None:
        draft = drafts.find(
            self.store, self.person.value, prep.DRAFT_KIND, prep.draft_key(session_id)
        )
        if draft is None:
            self.draft_bar.clear()
            return
        data = draft.data
        base = SessionPrep.model_validate(data["base"]) if data.get("base") else None
        typed = {name: data.get(name, empty) for name, empty in _FORM_PARTS.items()}
        # What another window saved since the typing began shows too, where the draft left
        # it as it was; a field both changed keeps what was typed (the save will ask).
        merged, _clashes = merging.merge_values(
            _form_parts(base), _form_parts(self.current), typed, _FORM_PARTS
        )
        shown = {**typed, **merged}
        self.current = base  # what the typing began from: a save merges against it
        self.purpose.value = shown["purpose"]
        self.outcomes.value = shown["outcomes"]
        self.process.value = shown["process"]
        self.shared.value = bool(shown["shared"])
        self.private.value = shown["private_notes"]
        self.set_pinned(list(shown["pinned_questions"]))
        reviews = data.get("reviews", {})
        for row in self.commitments.children:
            if isinstance(row, CommitmentRow) and str(row.commitment.id) in reviews:
                review = reviews[str(row.commitment.id)]
                row.status.value = CommitmentStatus(review["status"])
                row.obstacle.value = review.get("obstacle") or ""
        self.draft_bar.restored(draft.updated_at, store=self.store, person_id=self.person.value)

    def _on_edit(self, _change=None) -> None:
        """Keep what the person typed as a draft (or drop it, once the form is as stored)."""
        key = self._draft_key()
        if self._loading or self.person.value is None or key is None:
            return
        forms.changed_since_saved(self.result)
        self.draft_bar.keep(
            self.store,
            self.person.value,
            prep.DRAFT_KIND,
            key,
            self._draft_data,
            as_stored=not self.unsaved.unsaved,  # the form is as stored again
        )

    def _drop_draft(self) -> None:
        key = self._draft_key()
        if self.person.value is not None and key is not None:
            drafts.discard(self.store, self.person.value, prep.DRAFT_KIND, key)

    def _on_discard(self, _button=None) -> None:
        self._drop_draft()
        self._on_session()
        self.result.value = forms.notice(
            "info", "Draft discarded: this is the preparation as saved."
        )
        forms.give_focus(self.editor)  # the form as saved: the next Tab goes on through it

    def _show_partner(self, chosen: prep.Upcoming) -> None:
        """What the partner shared for this session, and the agreements to review at it."""
        view = sharing.partner_view(self.store, self.person.value, chosen.partnership.id)
        self.partner_view = view
        day = chosen.session.scheduled_on
        due = sharing.outcomes_due(view, day, view.previous_day(chosen.session.id)) if day else []
        self.reviews.value = reviews_html(due) if due else ""
        self.reviews_box.layout.display = "flex" if due else "none"
        self.from_heading.value = forms.heading(f"From {view.partner.name}").value
        self.from_partner.value = from_partner_html(view, chosen.session.id)
        self.partner_box.layout.display = "flex"

    # -- saving ----------------------------------------------------------------------------------

    def _record(self, session_id: int) -> SessionPrep:
        """The preparation on screen, for ``session_id`` (raises ValidationError)."""
        return SessionPrep(
            id=self.current.id if self.current else None,
            session_id=session_id,
            person_id=self.person.value,
            purpose=self.purpose.value,
            outcomes=self.outcomes.value,
            process=self.process.value,
            pinned_questions=self.pinned,
            shared=self.shared.value,
            private_notes=self.private.value,
        )

    def _check_left(self, field: forms.Field) -> None:
        """What is wrong with the box just left, said under it (what it holds now)."""
        chosen = self._selected()
        if self._loading or self.person.value is None or chosen is None:
            return
        try:
            self._record(chosen.session.id)
        except ValidationError as exc:
            said = exc.messages().get(field.path)
            if said:
                field.show("error", said)

    def _mark_prepared(self, chosen: prep.Upcoming) -> None:
        """Name the session just prepared so in the chooser ("(prepared)"), staying on it."""
        if chosen.prepared:
            return
        self.upcoming = [
            dataclasses.replace(u, prepared=True) if u is chosen else u for u in self.upcoming
        ]
        with self.unsaved.quiet():
            self.session.control.options = [(u.label, u.session.id) for u in self.upcoming]
            self.session.value = chosen.session.id

    def _on_save(self, _button=None) -> None:
        chosen = self._selected()
        if self.person.value is None or chosen is None:
            self.result.value = forms.notice("error", "Choose who you are and a session first.")
            return
        errors: dict[str, str] = {}
        try:
            draft = self._record(chosen.session.id)
        except ValidationError as exc:
            errors.update(exc.messages())
            draft = None
        reviews = [
            row.reviewed() for row in self.commitments.children if isinstance(row, CommitmentRow)
        ]
        unplaced = forms.show_messages(self.fields, errors)
        if draft is None:
            self.result.value = forms.refused(self.fields, unplaced)
            return
        try:
            also = self.current != prep.load(self.store, chosen.session.id, self.person.value)
            self.current = prep.save(self.store, draft, reviews, loaded=self.current)
        except ConflictError as exc:
            # Said once: the next save, made knowing, keeps what is on screen.
            self.current, mine = exc.merged
            self.purpose.value, self.outcomes.value = mine.purpose, mine.outcomes
            self.process.value, self.shared.value = mine.process, mine.shared
            self.private.value = mine.private_notes
            self.set_pinned(list(mine.pinned_questions))
            self.result.value = forms.notice(
                "error",
                "Nothing was saved: this preparation was saved in another window after you "
                f"opened it, with {forms.named_fields(exc.fields)} changed differently. "
                "What was changed only there is now on screen, with your changes: set those as "
                "you want them, and save again.",
            )
            return
        except ValidationError as exc:
            self.result.value = forms.notice(
                "error",
                "Nothing was saved: " + html.escape("; ".join(str(e) for e in exc.errors)) + ".",
            )
            return
        except Exception:
            log.exception("saving the preparation failed")
            self.result.value = forms.notice(
                "error",
                "The preparation could not be saved, so nothing was changed. " + forms.try_again(),
            )
            return
        self.unsaved.mark_clean()
        self.draft_bar.clear()  # saving dropped the draft
        self.carried.value = ""  # saved here: this session's own now
        self._mark_prepared(chosen)
        if "peercoach-warning" in self.deck_message.value:
            self.deck_message.value = ""  # a pin refused before the save is no longer news
        shared = (
            "Your partner can see it (not your private notes)."
            if self.current.shared
            else "It is private to you."
        )
        kept = " What you saved in another window meanwhile is kept too." if also else ""
        self.result.value = forms.notice(
            "ok", f"{forms.saved_at(self.store, self.person.value)} {shared}{kept}"
        )


def build_prep_app(store: Store | None = None, **kwargs) -> widgets.Widget:
    """The preparation app; the person comes from the page's URL when not given."""
    kwargs.setdefault("person_id", context.person_param(store))
    return runtime.launch(SessionPrepApp, store, **kwargs)
