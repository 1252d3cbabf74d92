"""The courageous conversation app: prepare it privately, record what came of it, or end.

Reached from a facilitator's flag, from the session log or from the home page; the URL carries
the person, the partnership and what prompted it (``?person=3&partnership=2&prompted=lapsing``).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import html
import logging
import re
from collections.abc import Iterator

import ipywidgets as widgets

from peercoach_lib import conversation, dates, drafts, partnerships, sharing
from peercoach_lib.apps import context, forms, runtime
from peercoach_lib.apps.commitments import CommitmentRow
from peercoach_lib.errors import ConflictError, ValidationError
from peercoach_lib.model import (
    Conversation,
    ConversationOutcome,
    EndingNote,
    EndReason,
    FlagRule,
    Partnership,
    Person,
)
from peercoach_lib.store import Store

log = logging.getLogger(__name__)

NEW = "new"
PROMPTS = {
    FlagRule.LAPSING.value: "your facilitator's dashboard shows that your sessions have lapsed",
    FlagRule.LOW_FOLLOW_THROUGH.value: (
        "your facilitator's dashboard shows that few commitments were kept lately"
    ),
    FlagRule.ONE_SIDED.value: (
        "your facilitator's dashboard shows that one of you has had most of the coaching time"
    ),
    "session log": "you came here from the session log",
}
PREP_FIELDS = ("issue", "example", "feeling", "stakes", "my_part", "wish", "invitation")
AFTER_FIELDS = ("held_on", "outcome", "agreed", "hold_to_it", "review_on")


class ConversationApp(widgets.VBox):
    """Prepare a courageous conversation, record its outcome, or end the partnership."""

    def __init__(
        self,
        store: Store | None = None,
        *,
        person_id: int | None = None,
        partnership_id: int | None = None,
        prompted_by: str | None = None,
        today: dt.date | None = None,
    ):
        super().__init__(layout=widgets.Layout(max_width="1000px"))
        self.add_class("peercoach-app")
        self.add_class("peercoach-conversation")
        self.store = store or Store()
        self.today = today or context.today(self.store)
        self.prompted_by = prompted_by if prompted_by in PROMPTS else "home"
        self._wanted_partnership = partnership_id
        self.partnership: Partnership | None = None
        self.partner: Person | None = None
        self.current: Conversation | None = None
        self._filling = False
        self._loading = False  # the form is being filled from what is stored

        self.demo = widgets.HTML()
        self.person = forms.dropdown("I am", "person_id", [])
        self.pair = forms.dropdown("Partnership", "partnership_id", [])
        self.chooser = forms.dropdown("Conversation", "conversation", [])
        # Wide enough to read a conversation's date and the start of its issue, as the
        # session choosers are.
        self.chooser.control.layout.width = "min(100%, 760px)"
        self.prompt = widgets.HTML()
        self.theirs = widgets.HTML()  # what came of the partner's conversations, shared

        self.issue = forms.text(
            "The issue, in one sentence",
            "issue",
            placeholder="What happens, not who your partner is: “we have missed three sessions”",
        )
        # Tips under the field they are about.
        self.hints = widgets.HTML(layout=widgets.Layout(margin=f"0 0 6px {forms.LABEL_WIDTH}"))
        self.example_hints = widgets.HTML(
            layout=widgets.Layout(margin=f"0 0 6px {forms.LABEL_WIDTH}")
        )
        self.example = forms.textarea("A specific example", "example")
        self.feeling = forms.textarea("How I feel about it", "feeling", rows=2)
        self.stakes = forms.textarea("What is at stake", "stakes", rows=2)
        self.my_part = forms.textarea("My own part in it", "my_part", rows=2)
        self.wish = forms.textarea("What I would like to happen", "wish", rows=2)
        self.invitation = forms.textarea(
            "How I will invite my partner's view",
            "invitation",
            rows=2,
            placeholder="For example: “How does it look from your side?”",
        )
        self.save_prep = _button("Save my preparation", "save")
        self.prep_result = widgets.HTML()

        self.after_heading = widgets.HTML()
        self.held_on = forms.date("We talked on", "held_on")
        self.outcome = forms.dropdown(
            "What we decided",
            "outcome",
            [
                ("We have not talked yet", None),
                *((o.value.capitalize(), o) for o in ConversationOutcome),
            ],
        )
        self.agreed = forms.textarea("What we agreed", "agreed", rows=2)
        self.hold_to_it = forms.textarea("How we will hold each other to it", "hold_to_it", rows=2)
        self.review_on = forms.date("Review date", "review_on")
        self.agreed_box = widgets.VBox([self.agreed, self.hold_to_it, self.review_on])
        self.end_hint = widgets.HTML()
        self.save_after = _button("Save what came of it", "save")
        self.after_result = widgets.HTML()

        self.ending_heading = widgets.HTML()
        self.ending_state = widgets.HTML()
        self.reason = forms.dropdown(
            "Reason (your facilitator sees only this)",
            "end_reason",
            [("Choose a reason…", None), *((r.value.capitalize(), r) for r in EndReason)],
        )
        self.ended_on = forms.date("Last day of the partnership", "ended_on", value=self.today)
        self.in_my_words = forms.textarea(
            "Why, in my words (private unless shared below)", "reason", rows=2
        )
        self.learned = forms.textarea("What I learned", "learned", rows=3)
        self.share_note = widgets.Checkbox(
            description="Share my words and what I learned with my partner",
            indent=False,
            layout=widgets.Layout(width="auto", margin=f"4px 0 0 {forms.LABEL_WIDTH}"),
        )
        self.confirm = widgets.Checkbox(
            description="I have talked with my partner, and booked sessions after this day will "
            "be cancelled",
            indent=False,
            layout=widgets.Layout(width="auto", margin=f"8px 0 0 {forms.LABEL_WIDTH}"),
        )
        # A field of its own: its error is tied to the box (marked invalid, described by it).
        self.confirm_field = forms.Field(self.confirm, "confirm")
        self.confirm_message = self.confirm_field.message
        self.end_button = _button("End the partnership", "", style="danger")
        forms.says_when_held(self.end_button, "The partnership was not ended")
        self.save_note = _button("Save my note", "save")
        self.end_controls = widgets.VBox([self.reason, self.ended_on])
        self.ending_form = widgets.VBox(
            [
                self.end_controls,
                self.in_my_words,
                self.learned,
                self.share_note,
                self.confirm_field,
                self.end_button,
                self.save_note,
            ]
        )
        self.end_result = widgets.HTML()
        # After the end: one's own commitments no session followed up, still to say how they
        # went (there is no next session to do it in).
        self.left_rows = widgets.VBox()
        self.save_left = _button("Save how they went", "save")
        self.left_result = widgets.HTML()
        self.left_section = widgets.VBox(
            [
                forms.heading("Commitments no session followed up", 3),
                widgets.HTML(
                    "<p>The partnership ended before a session followed these up. You can still "
                    "say how each went, for your own record: the figures on keeping commitments "
                    "count only what was followed up at a session.</p>"
                ),
                self.left_rows,
                self.save_left,
                self.left_result,
            ],
            layout=widgets.Layout(display="none"),
        )

        self.fields = {
            f.path: f
            for f in (
                self.issue,
                self.example,
                self.feeling,
                self.stakes,
                self.my_part,
                self.wish,
                self.invitation,
                self.held_on,
                self.outcome,
                self.agreed,
                self.hold_to_it,
                self.review_on,
            )
        }
        self.end_fields = {
            f.path: f for f in (self.reason, self.ended_on, self.in_my_words, self.learned)
        }
        forms.retire_when_mended(self.prep_result, self.fields.values())
        forms.retire_when_mended(self.after_result, self.fields.values())
        forms.retire_when_mended(self.end_result, self.end_fields.values())
        self.prep_section = widgets.VBox(
            [
                forms.heading("Prepare (private to you)"),
                widgets.HTML(
                    "<p>Get clear before you talk. Nobody else sees this part, not even your "
                    "facilitator.</p>"
                ),
                self.issue,
                self.hints,
                self.example,
                self.example_hints,
                self.feeling,
                self.stakes,
                self.my_part,
                self.wish,
                self.invitation,
                self.save_prep,
                self.prep_result,
            ]
        )
        self.after_section = widgets.VBox(
            [
                self.after_heading,
                self.held_on,
                self.outcome,
                self.agreed_box,
                self.end_hint,
                self.save_after,
                self.after_result,
            ]
        )
        self.ending_section = widgets.VBox(
            [
                self.ending_heading,
                self.ending_state,
                self.ending_form,
                self.end_result,
                self.left_section,
            ]
        )
        self.unsaved = forms.UnsavedChanges(
            self._snapshot,
            what="this conversation",
            on_discard=self._drop_draft,
            keeps_drafts=("conversation",),  # the ending's words are not kept as a draft
        )
        self.draft_bar = forms.DraftBar("the conversation")
        self.unsaved.hide_while_asking(self.draft_bar.discard)
        self.conversation_box = widgets.VBox(
            [self.chooser, self.unsaved, self.draft_bar, self.prep_section, self.after_section]
        )
        self.form = widgets.VBox(
            [self.pair, self.prompt, self.theirs, self.conversation_box, self.ending_section]
        )
        self.children = [
            forms.stylesheet(),
            self.demo,
            self.person,
            forms.Place(person=self.person, partnership=self.pair),
            self.form,
        ]

        forms.offer_participants(self.person, self.store, person_id)
        self.unsaved.watch(self.person, self._on_person)
        self.unsaved.watch(self.pair, self._on_pair)
        # Another conversation replaces the conversation's words, not the ending's.
        self.unsaved.watch(self.chooser, self._on_choice, drops=("conversation",))
        self.issue.control.observe(runtime.guarded(self._on_wording), names="value")
        self.example.control.observe(runtime.guarded(self._on_wording), names="value")
        self.outcome.control.observe(runtime.guarded(self._on_outcome), names="value")
        self.save_prep.on_click(runtime.settled(self._on_save))
        # What is wrong with a box of words on its own (too long) is said as it is left.
        for record, fields in ((Conversation, self.fields), (EndingNote, self.end_fields)):
            for field in fields.values():
                if isinstance(field.control, widgets.Text | widgets.Textarea):
                    forms.check_as_left(field, record)
        self.save_after.on_click(runtime.settled(self._on_save))
        self.end_button.on_click(runtime.settled(self._on_end))
        self.save_note.on_click(runtime.settled(self._on_save_note))
        self.save_left.on_click(runtime.settled(self._on_save_left))
        # What saving would refuse of a day is said as the day is chosen.
        for field in (self.held_on, self.review_on):
            field.control.observe(runtime.guarded(self._on_after_day), names="value")
        self.ended_on.control.observe(runtime.guarded(self._on_end_day), names="value")
        self.draft_bar.discard.on_click(runtime.guarded(self._on_discard_draft))
        for field in self.fields.values():
            field.control.observe(runtime.guarded(self._on_edit), names="value")
        self._on_person()

    # -- choosing ----------------------------------------------------------------------------------

    @contextlib.contextmanager
    def _quietly(self) -> Iterator[None]:
        """Set a chooser without its observer firing (the caller loads once, itself)."""
        self._filling = True
        try:
            with self.unsaved.quiet():
                yield
        finally:
            self._filling = False

    def _snapshot(self) -> dict[str, tuple]:
        """What is written on screen (whoever's and whichever it is): the conversation, and the
        ending (saved on their own)."""
        return {
            "conversation": tuple(field.value for field in self.fields.values()),
            "ending": (*(f.value for f in self.end_fields.values()), self.share_note.value),
            "left_open": tuple((r.status.value, r.obstacle.value) for r in self.left_rows.children),
        }

    def _on_person(self, _change=None) -> None:
        me = self.person.value
        self.form.layout.display = "none" if me is None else "flex"
        person = self.store.get(Person, me) if me is not None else None
        self.demo.value = forms.demo_notice() if person is not None and person.is_demo else ""
        if me is None:
            return
        pairs = partnerships.of_person(self.store, me)
        people = {p.id: p for p in self.store.find(Person, id=[q.partner_of(me) for q in pairs])}
        options = []
        for q in pairs:
            name = people[q.partner_of(me)].name
            state = (
                f"ended {dates.short(q.ended_on)}"
                if not q.is_active
                else f"from {dates.short(q.started_on)}"
                if q.started_on > self.today
                else f"since {dates.short(q.started_on)}"
            )
            options.append((f"With {name} ({state})", q.id))
        self.pair.control.options = options or [("You have no partnership yet", None)]
        ids = [q.id for q in pairs]
        wanted = self._wanted_partnership
        with self._quietly():
            self.pair.value = wanted if wanted in ids else (ids[0] if ids else None)
        self._on_pair()

    def _on_pair(self, _change=None) -> None:
        if self._filling:
            return
        me, pid = self.person.value, self.pair.value
        self.partnership = self.store.get(Partnership, pid) if pid is not None else None
        shown = "none" if self.partnership is None else "flex"
        self.conversation_box.layout.display = shown
        self.ending_section.layout.display = shown
        self.theirs.value = ""
        if self.partnership is None:
            self.prompt.value = forms.notice(
                "info", "You have no partnership yet: your facilitator pairs you with someone."
            )
            return
        self.partner = self.store.get(Person, self.partnership.partner_of(me))
        self._show_prompt()
        self.theirs.value = self._partners_outcomes()
        self.after_heading.value = forms.heading(
            f"Afterwards (shared with {self.partner.name})"
        ).value
        self.ending_heading.value = forms.heading("End the partnership").value
        self._fill_conversations(select=self._where_left_off(me))
        self._show_ending()

    def _where_left_off(self, me: int) -> int | str:
        """The conversation to open: a new one half typed (its draft) first; then the one still
        waiting for its outcome (back to record how it went); then the one whose agreement is
        still being tried (its review date to come); else a new one."""
        if drafts.find(
            self.store,
            me,
            conversation.DRAFT_KIND,
            conversation.draft_key(self.partnership.id, None),
        ):
            return NEW
        mine = conversation.of(self.store, me, self.partnership.id)
        waiting = [c for c in mine if c.outcome is None]
        trying = [c for c in mine if c.review_on is not None and c.review_on >= self.today]
        found = waiting or trying
        return found[0].id if found else NEW

    def _show_prompt(self) -> None:
        """What the page is for, with this partner: while the partnership runs, and after."""
        partner = html.escape(self.partner.name)
        why = PROMPTS.get(self.prompted_by)
        if self.partnership.is_active:
            text = (
                (f"You are here because {html.escape(why)}. " if why else "")
                + f"When the coaching with {partner} is not working, say so, kindly and "
                "directly: prepare what you want to say, talk, then agree how to go on, or end "
                "and learn what there is to learn."
            )
        else:
            text = (
                f"Your partnership with {partner} ended on "
                f"{dates.long(self.partnership.ended_on)}. The conversations you had and what you "
                "learned are kept here to look back on."
            )
        self.prompt.value = forms.notice("info", text)

    def _fill_conversations(self, select) -> None:
        mine = conversation.of(self.store, self.person.value, self.partnership.id)
        zone = context.zone(self.store, self.person.value)
        options = [(conversation.label(c, zone), c.id) for c in mine]
        if self.partnership.is_active:
            options = [("Prepare a new conversation", NEW), *options]
        if not options:
            options = [("No conversations", None)]
        self.chooser.control.options = options
        values = [value for _, value in options]
        with self._quietly():
            self.chooser.value = select if select in values else values[0]
        self._on_choice()

    def _on_choice(self, _change=None) -> None:
        if self._filling:
            return
        chosen = self.chooser.value
        self.current = self.store.get(Conversation, chosen) if chosen not in (None, NEW) else None
        shown = "none" if chosen is None else "flex"
        self.prep_section.layout.display = shown
        self.after_section.layout.display = shown
        self._loading = True
        try:
            self._show(self.current)
            forms.show_messages(self.fields, {})
            self.prep_result.value = self.after_result.value = ""
            self.unsaved.mark_clean("conversation")
            self._restore_draft()
            self._on_wording()
            self._on_outcome()
        finally:
            self._loading = False

    def _show(self, current: Conversation | None) -> None:
        for name in PREP_FIELDS:
            self.fields[name].value = getattr(current, name) if current else ""
        self.held_on.value = current.held_on if current else None
        self.outcome.value = current.outcome if current else None
        self.agreed.value = current.agreed if current else ""
        self.hold_to_it.value = current.hold_to_it if current else ""
        self.review_on.value = current.review_on if current else None

    # -- drafts ------------------------------------------------------------------------------------

    def _draft_key(self) -> str | None:
        chosen = self.chooser.value
        if self.partnership is None or chosen is None:
            return None
        return conversation.draft_key(self.partnership.id, None if chosen == NEW else chosen)

    def _draft_data(self) -> dict:
        """The form as JSON, with the conversation as stored when the typing began: a save
        merges against that, so what another window saved meanwhile is not undone."""
        data = {name: self.fields[name].value or "" for name in PREP_FIELDS}
        data.update(
            held_on=self.held_on.value.isoformat() if self.held_on.value else None,
            outcome=self.outcome.value.value if self.outcome.value else None,
            agreed=self.agreed.value or "",
            hold_to_it=self.hold_to_it.value or "",
            review_on=self.review_on.value.isoformat() if self.review_on.value else None,
            base=self.current.model_dump(mode="json") if self.current else None,
        )
        return data

    def _restore_draft(self) -> None:
        key = self._draft_key()
        draft = (
            drafts.find(self.store, self.person.value, conversation.DRAFT_KIND, key)
            if key
            else None
        )
        if draft is None:
            self.draft_bar.clear()
            return
        data = draft.data
        base = data.get("base")
        self.current = Conversation.model_validate(base) if base else None
        for name in PREP_FIELDS:
            self.fields[name].value = data.get(name) or ""
        self.held_on.value = _day_or_none(data.get("held_on"))
        self.outcome.value = ConversationOutcome(data["outcome"]) if data.get("outcome") else None
        self.agreed.value = data.get("agreed") or ""
        self.hold_to_it.value = data.get("hold_to_it") or ""
        self.review_on.value = _day_or_none(data.get("review_on"))
        self.draft_bar.restored(draft.updated_at, store=self.store, person_id=self.person.value)

    def _on_edit(self, _change=None) -> None:
        """Keep what the person typed as a draft (or drop it, once the form is as stored)."""
        key = self._draft_key()
        if self._loading or self._filling or self.person.value is None or key is None:
            return
        forms.changed_since_saved(self.prep_result)
        forms.changed_since_saved(self.after_result)
        self.draft_bar.keep(
            self.store,
            self.person.value,
            conversation.DRAFT_KIND,
            key,
            self._draft_data,
            as_stored=not self.unsaved.is_unsaved("conversation"),
        )

    def _drop_draft(self) -> None:
        key = self._draft_key()
        if self.person.value is not None and key is not None:
            drafts.discard(self.store, self.person.value, conversation.DRAFT_KIND, key)

    def _on_discard_draft(self, _button=None) -> None:
        self._drop_draft()
        self._on_choice()  # as saved, and no draft to restore: the bar clears itself
        self.prep_result.value = forms.notice(
            "info", "Draft discarded: this is the conversation as saved."
        )
        forms.give_focus(self.prep_section)  # the form as saved: the next Tab goes on through it

    # -- live coaching -----------------------------------------------------------------------------

    def _on_wording(self, _change=None) -> None:
        for shown, hints in (
            (self.hints, conversation.wording_hints(self.issue.value or "")),
            (self.example_hints, conversation.example_hints(self.example.value or "")),
        ):
            shown.value = (
                '<div role="status" class="peercoach-hints" style="font-size:13px;color:#0b1f44">'
                + "".join(
                    f"<p style='margin:2px 0'><strong>Tip:</strong> {html.escape(h)}</p>"
                    for h in hints
                )
                + "</div>"
                if hints
                else ""
            )

    def _on_outcome(self, _change=None) -> None:
        outcome = self.outcome.value
        self.agreed_box.layout.display = "flex" if outcome is ConversationOutcome.AGREED else "none"
        if outcome is ConversationOutcome.END and self.partnership and self.partnership.is_active:
            self.end_hint.value = (
                f"<p style='margin-left:{forms.LABEL_WIDTH}'>Save this, then end the partnership "
                "below.</p>"
            )
        else:
            self.end_hint.value = ""

    # -- saving ------------------------------------------------------------------------------------

    def _draft(self) -> Conversation:
        data = {name: (self.fields[name].value or "") for name in PREP_FIELDS}
        outcome = self.outcome.value
        data.update(
            held_on=self.held_on.value,
            outcome=outcome,
            agreed=self.agreed.value if outcome is ConversationOutcome.AGREED else "",
            hold_to_it=self.hold_to_it.value if outcome is ConversationOutcome.AGREED else "",
            review_on=self.review_on.value if outcome is ConversationOutcome.AGREED else None,
        )
        if self.current is not None:
            return self.current.replace(**data)
        return Conversation(
            partnership_id=self.partnership.id,
            person_id=self.person.value,
            prompted_by=self.prompted_by,
            **data,
        )

    def _checked_draft(self) -> Conversation:
        """The conversation as on screen; when its own rules fail, the error names the date's
        problems too, so that every field needing attention is marked at once."""
        try:
            return self._draft()
        except ValidationError as exc:
            placed = {e.path for e in exc.errors}
            more = conversation.date_errors(self.held_on.value, self.partnership, today=self.today)
            errors = [*exc.errors, *(e for e in more if e.path not in placed)]
            raise ValidationError(exc.record, errors) from None

    def _on_save(self, button) -> None:
        result = self.prep_result if button is self.save_prep else self.after_result
        self.prep_result.value = self.after_result.value = ""
        try:
            saved = conversation.save(
                self.store, self._checked_draft(), today=self.today, loaded=self.current
            )
        except ConflictError as exc:
            # Said once: the next save, made knowing, keeps what is on screen.
            self.current, mine = exc.merged
            self._show(mine)
            result.value = forms.notice(
                "error",
                "Nothing was saved: this conversation was saved in another window after you "
                f"opened it, with {forms.named_fields(exc.fields)} changed differently. "
                "What was changed only there is now on screen, with your changes: set those as "
                "you want them, and save again.",
            )
            return
        except ValidationError as exc:
            messages = forms.error_messages(exc)
            unplaced = forms.show_messages(self.fields, messages)
            result.value = forms.refused(self.fields, unplaced, self._elsewhere(button, messages))
            return
        except Exception:
            log.exception("saving the conversation failed")
            result.value = forms.notice(
                "error",
                "The conversation could not be saved, so nothing was changed. " + forms.try_again(),
            )
            return
        forms.show_messages(self.fields, {})
        self.unsaved.mark_clean("conversation")
        self._fill_conversations(select=saved.id)
        shared = (
            f"What came of it is shared with {html.escape(self.partner.name)}; your preparation "
            "stays private."
            if saved.outcome
            # Said under "Afterwards (shared with ...)" too: nothing of it is, yet.
            else "It is private to you: nothing is shared with "
            f"{html.escape(self.partner.name)} until you record what came of the conversation."
            if button is self.save_after
            else "It is private to you."
        )
        review = (
            f" You will both see it in your session preparation from {dates.long(saved.review_on)}."
            if saved.review_on
            else ""
        )
        result = self.prep_result if button is self.save_prep else self.after_result
        result.value = forms.notice(
            "ok", f"{forms.saved_at(self.store, self.person.value)} {shared}{review}"
        )

    def _elsewhere(self, button, messages: dict[str, str]) -> str:
        """Which fields of the other part hold the save back (each button saves the whole
        conversation, so an error in the other part refuses it too), as a sentence."""
        prep = button is self.save_prep
        other = [
            self.fields[path]
            for path in messages
            if path in self.fields and (path in PREP_FIELDS) != prep
        ]
        if not other:
            return ""
        where = "Afterwards, below" if prep else "Prepare, above"
        # The summary before this names every field: here, which of them are out of sight.
        if len(other) == len([p for p in messages if p in self.fields]):
            which = "It is" if len(other) == 1 else "They are"
        else:
            which = forms.listed(forms.quoted(f.label) for f in other) + (
                " is" if len(other) == 1 else " are"
            )
        return html.escape(f"{which} under {where}: this button saves the whole conversation.")

    # -- ending ------------------------------------------------------------------------------------

    def _show_ending(self, *, calendar: bool = True) -> None:
        """The ending part as the partnership stands; ``calendar``: an ended one's sentence on
        its calendar file (not where the notice of the ending just made says it)."""
        me, q = self.person.value, self.partnership
        note = partnerships.ending_note(self.store, q.id, me)
        forms.show_messages(self.end_fields, {})
        self.confirm_field.show()
        self.end_result.value = ""
        self.in_my_words.value = note.reason if note else ""
        self.learned.value = note.learned if note else ""
        self.share_note.value = note.shared if note else False
        self.reason.value = None  # chosen afresh for each partnership
        self.ended_on.value = self.today
        active = q.is_active
        self.end_controls.layout.display = "flex" if active else "none"
        self.confirm_field.layout.display = "flex" if active else "none"
        self.confirm.value = False
        self.end_button.layout.display = "flex" if active else "none"
        self.save_note.layout.display = "none" if active else "flex"
        self.unsaved.mark_clean("ending")
        if active:
            self.ending_state.value = (
                "<p>If it is really not working, even after you talked, you can end the "
                "partnership early, learn what there is to learn, and start again with someone "
                "else. Your words stay private unless you share them; your facilitator sees only "
                "the reason you choose.</p>"
            )
        else:
            reason = q.end_reason.value if q.end_reason else "no reason given"
            calendar = forms.ended_calendar_sentence(self.store, q) if calendar else ""
            self.ending_state.value = forms.notice(
                "info",
                f"This partnership ended on {dates.long(q.ended_on)} ({html.escape(reason)})."
                + self._after_the_end(q)
                + " You can keep your own note on what you learned here."
                + (f"<br>{calendar}" if calendar else ""),
            ) + self._partners_ending_note(q)
        self._show_left_open(q)

    def _show_left_open(self, q: Partnership) -> None:
        """One's own commitments no session followed up, once the partnership has ended."""
        left = [] if q.is_active else partnerships.left_open(self.store, q.id, self.person.value)
        self.left_rows.children = [CommitmentRow(c, today=self.today) for c in left]
        self.left_result.value = ""
        self.left_section.layout.display = "flex" if left else "none"
        self.unsaved.mark_clean("left_open")

    def _after_the_end(self, q: Partnership) -> str:
        """What became of the two after an ended partnership, as the person reads it (HTML): the
        partner who left the workbook, and their own partnership now, or that one can come."""
        me = self.person.value
        partner = self.store.get(Person, q.partner_of(me))
        left = (
            " Your partner has since left the workbook (their name and words were deleted)."
            if partner.forgotten_at is not None
            else ""
        )
        now = [
            p
            for p in self.store.find(Partnership, order_by="started_on")
            if p.is_active and me in p.members and p.id != q.id
        ]
        if not now:
            return left + " Your facilitator can pair you with someone new."
        other = self.store.get(Person, now[-1].partner_of(me))
        starts = "since" if now[-1].started_on <= self.today else "from"
        return (
            left + f" You are partners with {html.escape(other.name)} {starts} "
            f"{dates.long(now[-1].started_on)}: choose them above for that partnership."
        )

    def _partners_outcomes(self) -> str:
        """What came of the conversations the partner recorded (shared with both; never
        their preparation)."""
        view = sharing.partner_view(self.store, self.person.value, self.partnership.id)
        theirs = [o for o in view.outcomes if o.person_id == self.partner.id]
        if not theirs:
            return ""

        def day(value: dt.date | None) -> str:
            return dates.long(value) if value else "no date"

        items = "".join(
            "<li style='margin:6px 0'>"
            + f"<strong>Talked on {day(o.held_on)}:</strong> {html.escape(o.outcome.value)}"
            + "".join(
                f"<br><strong>{label}</strong> "
                f"<span style='white-space:pre-wrap'>{html.escape(text)}</span>"
                for label, text in (
                    ("What we agreed:", o.agreed),
                    ("How we hold each other to it:", o.hold_to_it),
                    ("Review date:", day(o.review_on) if o.review_on else ""),
                )
                if text
            )
            + "</li>"
            for o in reversed(theirs)
        )
        name = html.escape(self.partner.name)
        return (
            f"<div class='peercoach-from-partner' style='margin:8px 0'>"
            f"<h3 style='margin:8px 0 4px'>From {name}, shared with you: what came of their "
            f"conversations with you</h3><ul style='padding-left:20px;font-size:14px;"
            f"margin:4px 0'>{items}</ul></div>"
        )

    def _partners_ending_note(self, q: Partnership) -> str:
        """What the partner shared of their own ending note, if anything."""
        theirs = partnerships.ending_note(self.store, q.id, q.partner_of(self.person.value))
        if theirs is None or not theirs.shared:
            return ""
        name = html.escape(self.store.get(Person, q.partner_of(self.person.value)).name)
        parts = [
            f"<p style='margin:4px 0'><strong>{label}</strong> {html.escape(text)}</p>"
            for label, text in (
                ("Why, in their words:", theirs.reason),
                ("What they learned:", theirs.learned),
            )
            if text.strip()
        ]
        return (
            f"<div class='peercoach-from-partner' style='margin:8px 0'>"
            f"<h3 style='margin:8px 0 4px'>From {name}, shared with you</h3>"
            + "".join(parts)
            + "</div>"
            if parts
            else ""
        )

    def _on_end(self, _button) -> None:
        if self.partnership is None or not self.partnership.is_active:
            return  # ended already (a second click): what the first said stands
        forms.show_messages(self.end_fields, {})
        self.confirm_field.show()
        errors = {}
        if self.reason.value is None:
            errors["end_reason"] = "choose the reason that fits best"
        if self.ended_on.value is None:
            errors["ended_on"] = "choose the last day"
        if not self.confirm.value:
            self.confirm_field.show(
                "error", "tick this to confirm that you mean to end the partnership"
            )
        if errors or not self.confirm.value:
            # What ending would refuse (a day to come, one before a session held, words too
            # long) is said with these, not once they are put right.
            if self.ended_on.value is not None:
                for problem in partnerships.ending_problems(
                    self.store,
                    self.partnership.id,
                    by=self.person.value,
                    on=self.ended_on.value,
                    today=self.today,
                ):
                    errors.setdefault(problem.path, problem.message)
            try:
                self._note_on_screen()
            except ValidationError as exc:
                for path, message in forms.error_messages(exc).items():
                    errors.setdefault(path, message)
            unplaced = forms.show_messages(self.end_fields, errors)
            if not self.confirm.value:
                unplaced.append("the box to confirm it is not ticked")
            self.end_result.value = forms.refused(
                self.end_fields, unplaced, lead="The partnership was not ended"
            )
            return
        try:
            ended = partnerships.end(
                self.store,
                self.partnership.id,
                by=self.person.value,
                reason=self.reason.value,
                on=self.ended_on.value,
                in_my_words=self.in_my_words.value,
                learned=self.learned.value,
                share=self.share_note.value,
                today=self.today,
            )
        except ValidationError as exc:
            self.end_result.value = forms.refusal(
                self.end_fields, exc, "The partnership was not ended"
            )
            return
        except Exception:
            log.exception("ending the partnership failed")
            self.end_result.value = forms.notice(
                "error",
                "The partnership could not be ended, so nothing was changed. " + forms.try_again(),
            )
            return
        was_to_start = self.partnership.started_on
        self.partnership = ended
        # The chooser says it ended, as it will on the next visit.
        with self._quietly():
            self.pair.control.options = [
                (
                    re.sub(
                        rf"\((since|from) {re.escape(dates.short(was_to_start))}\)",
                        f"(ended {dates.short(ended.ended_on)})",
                        label,
                    )
                    if value == ended.id
                    else label,
                    value,
                )
                for label, value in self.pair.control.options
            ]
            self.pair.value = ended.id
        self._show_prompt()
        self._fill_conversations(select=None)
        self._show_ending(calendar=False)  # said once, below, with the ending
        cancelled = forms.ended_calendar_sentence(self.store, ended)
        ended_when = (
            f"was called off on {dates.long(ended.ended_on)}, before it began (it was to start "
            f"on {dates.long(was_to_start)})"
            if was_to_start > ended.ended_on
            else f"ended on {dates.long(ended.ended_on)}"
        )
        self.end_result.value = forms.notice(
            "ok",
            f"The partnership {ended_when}. "
            + (f"{cancelled} " if cancelled else "")
            + "Your facilitator will pair you with someone new when you are ready.",
        )
        forms.give_focus(self.end_result)  # the button pressed went with the form

    def _note_on_screen(self) -> EndingNote:
        """The ending note as the form holds it (raises :class:`ValidationError` for words the
        note cannot take)."""
        return EndingNote(
            partnership_id=self.partnership.id,
            person_id=self.person.value,
            reason=self.in_my_words.value,
            learned=self.learned.value,
            shared=self.share_note.value,
        )

    def _on_save_note(self, _button) -> None:
        forms.show_messages(self.end_fields, {})
        try:
            partnerships.save_ending_note(self.store, self._note_on_screen())
        except ValidationError as exc:
            self.end_result.value = forms.refusal(self.end_fields, exc, "Nothing was saved")
            return
        except Exception:
            log.exception("saving the ending note failed")
            self.end_result.value = forms.notice(
                "error",
                "Your note could not be saved, so nothing was changed. " + forms.try_again(),
            )
            return
        self.unsaved.mark_clean("ending")
        shared = "Your partner can read it." if self.share_note.value else "It is private to you."
        self.end_result.value = forms.notice(
            "ok", f"{forms.saved_at(self.store, self.person.value)} {shared}"
        )

    def _on_after_day(self, _change=None) -> None:
        """The day they talked, or the review date, chosen: what saving would refuse of it
        (a day to come, one outside the partnership; a review no session would bring up)."""
        if self.partnership is None or self.person.value is None:
            return
        held, review = self.held_on.value, self.review_on.value
        for error in conversation.date_errors(held, self.partnership, today=self.today):
            self.held_on.show("error", error.message)
        # A saved review date stands as saved (its sessions may have come since). Its error is
        # said afresh: a new day they talked may have mended it.
        if review is not None and review != (self.current.review_on if self.current else None):
            if self.review_on.kind == "error":
                self.review_on.show()
            for error in conversation.review_errors(self.store, self.partnership, review, held):
                self.review_on.show("error", error.message)

    def _on_end_day(self, _change=None) -> None:
        """The last day chosen: what ending on it would refuse, said at once."""
        q, on = self.partnership, self.ended_on.value
        if q is None or not q.is_active or on is None or self.person.value is None:
            return
        for problem in partnerships.ending_problems(
            self.store, q.id, by=self.person.value, on=on, today=self.today
        ):
            if problem.path == "ended_on":
                self.ended_on.show("error", problem.message)
                return

    def _on_save_left(self, _button) -> None:
        """Save how one's commitments went, where the partnership ended before a session
        followed them up (all or nothing)."""
        reviews, problems = [], []
        for row in self.left_rows.children:
            try:
                reviews.append(row.reviewed())
            except ValidationError as exc:
                text = row.commitment.text
                problems += [f"\u201c{text}\u201d, {e.label}: {e.message}" for e in exc.errors]
        if not problems:
            try:
                partnerships.follow_up_after_end(
                    self.store, self.partnership.id, self.person.value, reviews
                )
            except ValidationError as exc:
                problems = [e.message for e in exc.errors]
            except Exception:
                log.exception("saving the follow-ups after the end failed")
                self.left_result.value = forms.notice(
                    "error",
                    "How they went could not be saved, so nothing was changed. "
                    + forms.try_again(),
                )
                return
        if problems:
            self.left_result.value = forms.refused({}, problems)
            return
        self.unsaved.mark_clean("left_open")
        self.left_result.value = forms.notice("ok", forms.saved_at(self.store, self.person.value))


def _day_or_none(text: str | None) -> dt.date | None:
    """A day kept in a draft, or None (a draft cannot hold a day that is not one)."""
    try:
        return dt.date.fromisoformat(text) if text else None
    except ValueError:
        return None


def _button(label: str, icon: str, *, style: str = "primary") -> widgets.Button:
    return widgets.Button(
        description=label,
        button_style=style,
        icon=icon,
        layout=widgets.Layout(width="fit-content", margin=f"12px 0 0 {forms.LABEL_WIDTH}"),
    )


def build_conversation_app(store: Store | None = None, **kwargs) -> widgets.Widget:
    """The courageous conversation app; person, partnership and prompt come from the URL."""
    kwargs.setdefault("person_id", context.person_param(store))
    kwargs.setdefault("partnership_id", context.int_param("partnership"))
    if "prompted_by" not in kwargs:
        prompted = context.list_param("prompted")
        kwargs["prompted_by"] = prompted[0] if prompted else None
    return runtime.launch(ConversationApp, store, **kwargs)
