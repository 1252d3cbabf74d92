"""Small building blocks shared by the apps: labelled fields with a message line, and notices.

Every input carries its label as ``description`` (a real ``<label>`` in the page) and sits above a
message line where an error (red, "Error:") or a guide's warning (amber, "Note:") appears next to
the field it concerns. Words say what colour also says.
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import html
import logging
import re
import sys
import typing
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping
from enum import StrEnum

import ipywidgets as widgets
import pandas as pd
import pydantic
import traitlets
from ipywidgets.widgets.widget_description import DescriptionWidget

from peercoach_lib import dates, drafts, wording
from peercoach_lib.apps import runtime
from peercoach_lib.errors import ValidationError, storage_problem
from peercoach_lib.wording import listed

log = logging.getLogger(__name__)

LABEL_WIDTH = "240px"
#: A label longer than this (about two lines of the labels' column: a goal in a person's own
#: words, up to 500 characters) goes above its box, in the boxes' column.
LONG_LABEL_CHARS = 64
#: The class of a control an error under its list names (the page marks it aria-invalid).
INVALID = "peercoach-invalid"
_STYLE = {"description_width": LABEL_WIDTH}
_WIDE = widgets.Layout(width="min(100%, 760px)")

#: Links look like links (Voilà's page styles make them plain text otherwise).
LINK = "color:#1a56b0;text-decoration:underline"

MESSAGE_STYLE = {
    "error": ("#b3261e", "Error"),
    "warning": ("#8a5300", "Note"),
    "ok": ("#1b6e2a", "Saved"),
}


class Field(widgets.VBox):
    """An input with a message line beneath it.

    An error is about what the field held when it was checked: once the person changes the
    field, the error goes (the app's own checks, run on the change or on saving, may show it
    again); a note (warning) stays until the app says otherwise.
    """

    def __init__(self, control: widgets.Widget, path: str, *, label: str = ""):
        self.control = control
        self.path = path
        #: The name of a field whose control has no label of its own (a list of rows).
        self._label = label
        self.message = widgets.HTML(layout=widgets.Layout(margin=f"0 0 4px {LABEL_WIDTH}"))
        self._kind: str | None = None
        self._mended: list[Callable[[], None]] = []
        super().__init__([control, self.message])
        self.add_class("peercoach-field")
        # (A check box's words stand beside the box, not in the labels' column.)
        long_label = len(getattr(control, "description", "") or "") > LONG_LABEL_CHARS
        if long_label and not isinstance(control, widgets.Checkbox):
            control.add_class("peercoach-label-above")
        if control.has_trait("value"):
            control.observe(runtime.guarded(self._on_changed), names="value")

    def _on_changed(self, _change) -> None:
        if self._kind == "error":
            self.show()
            _tell(self._mended)

    def on_mended(self, callback: Callable[[], None]) -> None:
        """Call ``callback`` when a change of the person's takes this field's error away."""
        self._mended.append(callback)

    @property
    def kind(self) -> str | None:
        """What the message line shows: "error", "warning" or None."""
        return self._kind

    @property
    def label(self) -> str:
        """The field's name as the page shows it ("" if it has none)."""
        label = getattr(self.control, "description", "") or self._label
        # A label of plain text is as read, whatever it holds ("<b>" in someone's name).
        return (
            _plain_label(label) if getattr(self.control, "description_allow_html", False) else label
        )

    @property
    def value(self):
        return self.control.value

    @value.setter
    def value(self, new) -> None:
        if isinstance(self.control, widgets.Dropdown):
            select(self.control, new)
        else:
            self.control.value = new

    def show(self, kind: str | None = None, text: str = "") -> None:
        """Show an error or warning under the field, or clear it (``kind=None``)."""
        self._kind = kind
        self.message.value = message_html(kind, text) if kind else ""


def _plain_label(label: str) -> str:
    """A label as read, without the HTML some labels carry."""
    return html.unescape(re.sub(r"<[^>]+>", "", label)).strip()


def _tell(callbacks: Iterable[Callable[[], None]]) -> None:
    for callback in callbacks:
        callback()


def check_as_left(field: Field, record, name: str | None = None) -> None:
    """Say under ``field``, as it is left, what is wrong with what it holds on its own for the
    ``record`` field ``name`` (its path by default): too long, say. Not that it is empty: what
    is missing is for the save to say (a form shown anew empties its boxes)."""
    name = name or field.path

    def check(_change=None) -> None:
        value = field.value
        if isinstance(value, str) and not value.strip():
            return
        problem = record.value_problem(name, value)
        if problem:
            field.show("error", problem)

    field.control.observe(runtime.guarded(check), names="value")


def select(control: widgets.Dropdown, value) -> None:
    """Select the option whose value is ``value``, by index.

    Setting ``value = None`` on a dropdown whose value is already None leaves nothing selected,
    even when an option ("Choose…") has the value None; selecting by index always shows it.
    """
    values = [o[1] if isinstance(o, tuple) else o for o in control.options]
    control.index = values.index(value) if value in values else None


def message_html(kind: str, text: str) -> str:
    colour, word = MESSAGE_STYLE[kind]
    role = "alert" if kind == "error" else "status"
    return (
        f'<div role="{role}" class="peercoach-{kind}" style="color:{colour};font-size:13px">'
        f"<strong>{word}:</strong> {html.escape(text)}</div>"
    )


# Text reaches the kernel when the person leaves the box (or presses Enter), not on every key:
# the focus moves to a Save button before it is pressed, so what was typed always arrives
# first. (Sent key by key, a busy kernel makes the browser hold back the last keys while the
# button's click goes ahead, and the save misses them.) ``continuous=True`` opts back in.


def text(
    label: str, path: str, *, placeholder: str = "", value: str = "", continuous: bool = False
) -> Field:
    return Field(
        widgets.Text(
            value=value,
            description=label,
            placeholder=placeholder,
            continuous_update=continuous,
            style=_STYLE,
            layout=_WIDE,
        ),
        path,
    )


def textarea(
    label: str, path: str, *, placeholder: str = "", rows: int = 3, continuous: bool = False
) -> Field:
    return Field(
        widgets.Textarea(
            description=label,
            placeholder=placeholder,
            rows=rows,
            continuous_update=continuous,
            style=_STYLE,
            layout=_WIDE,
        ),
        path,
    )


class Dropdown(widgets.Dropdown):
    """A dropdown whose option for none ("No change plan", "(no goal)", "\u2014": the value
    None) stays shown once chosen.

    ipywidgets reads a value of None as nothing selected: the person choosing that option set
    the value to None, which took the selection away, and the box went blank.
    """

    @traitlets.observe("value")
    def _propagate_value(self, change) -> None:
        if change.new is None and None in self._options_values:
            if self.index is None or self._options_values[self.index] is not None:
                self.index = self._options_values.index(None)
            return
        super()._propagate_value(change)


def dropdown(label: str, path: str, options: Iterable, *, value=None) -> Field:
    options = list(options)
    control = Dropdown(
        options=options,
        description=label,
        style=_STYLE,
        layout=widgets.Layout(width="min(100%, 620px)"),
    )
    field = Field(control, path)
    if options:
        field.value = value
    return field


class NumberField(Field):
    """A number box that says, under itself, when its number is out of range.

    A bounded box (``BoundedIntText``) would quietly turn -10 into 0 in the browser, and what is
    saved would not be what was typed; this one lets the number through and shows "Error: must
    be from 0 to 240" at once. The error stays while the number is out of range, whatever other
    message the app shows or clears; :func:`range_errors` reports it for a save to refuse.
    """

    def __init__(self, control: widgets.Widget, path: str, *, low: float, high: float):
        self.low, self.high = low, high
        super().__init__(control, path)

    def _on_changed(self, _change) -> None:
        was = self._kind
        self.show()  # the range error appears (or goes) as the number changes
        if was == "error" and self._kind != "error":
            _tell(self._mended)

    def problem(self) -> str | None:
        """What is wrong with the number, or None."""
        value = self.value
        if value is None:
            return "is required"
        if not self.low <= value <= self.high:
            return f"must be from {self.low:g} to {self.high:g}"
        return None

    def show(self, kind: str | None = None, text: str = "") -> None:
        problem = self.problem()
        if problem and kind != "error":
            kind, text = "error", problem
        super().show(kind, text)


#: The class of what is put away while a chooser's question about unsaved edits is asked.
_ASKING = "peercoach-while-asking"


class UnsavedChanges(widgets.VBox):
    """Keeps a chooser (person, partnership, plan, session) from dropping unsaved edits.

    An app hands its choosers to :meth:`watch` instead of observing them itself, and calls
    :meth:`mark_clean` whenever the form shows what is stored (after loading, after saving). A
    choice made while the form differs from that is held back: the chooser goes back to what it
    showed, and a line beneath asks whether to keep editing (the choice is dropped) or to discard
    the changes (the choice goes ahead). ``snapshot`` returns what the form holds, leaving out
    what the choosers themselves set; two snapshots compare equal when nothing was edited.
    ``on_discard`` is called when the person discards their changes, before the choice goes
    ahead (to drop a draft of them, say). A form that keeps a draft as the person types
    (``keeps_drafts``) offers a third way: go on, the draft kept for coming back to. A form
    saved in parts, only some of them kept as drafts, names those parts: the third way is
    offered only when every part the choice would drop unsaved is one of them. A form that keeps
    a draft only at times (once it knows whose it is) gives a function saying whether it does.

    Leaving the page loses what is neither saved nor kept as a draft: while the form holds
    such edits, it carries the class :data:`HOLDS_UNSAVED`, and the page asks before it goes
    (see the page template). On a served page that is brought up to date after each change
    from the browser; elsewhere by :meth:`refresh`.
    """

    #: The class of a form whose edits leaving the page would lose.
    HOLDS_UNSAVED = "peercoach-holds-unsaved"

    def __init__(
        self,
        snapshot: Callable[[], object],
        *,
        what: str = "this form",
        on_discard: Callable[[], None] | None = None,
        keeps_drafts: bool | tuple[str, ...] | Callable[[], bool] = False,
    ):
        self._snapshot = snapshot
        self._what = what
        self._on_discarded = on_discard
        self._clean: object = None
        self._held: tuple | None = None  # (field, change, handler, parts it drops)
        self._quiet = False
        self.text = widgets.HTML()
        self.keep_button = widgets.Button(
            description="Keep editing", icon="pencil", layout=widgets.Layout(width="auto")
        )
        self.discard_button = widgets.Button(
            description="Discard my changes",
            icon="trash",
            layout=widgets.Layout(width="auto"),
        )
        self.go_on_button = widgets.Button(
            description="Go on, keep my draft",
            icon="arrow-right",
            layout=widgets.Layout(width="auto", display="none"),
        )
        self._keeps_drafts = keeps_drafts
        #: Put away while the question is asked (see :meth:`hide_while_asking`).
        self._asking_hides: list[widgets.DOMWidget] = []
        super().__init__(
            [
                self.text,
                widgets.HBox(
                    [self.keep_button, self.go_on_button, self.discard_button],
                    layout=widgets.Layout(flex_flow="row wrap"),
                ),
            ],
            layout=widgets.Layout(margin=f"0 0 8px {LABEL_WIDTH}", display="none"),
        )
        self.add_class("peercoach-unsaved")
        self.keep_button.on_click(runtime.guarded(self._on_keep))
        self.discard_button.on_click(runtime.guarded(self._on_discard))
        self.go_on_button.on_click(runtime.guarded(self._on_go_on))
        runtime.after_each_message(self.refresh)

    @property
    def unsaved(self) -> bool:
        """Whether the form holds edits not yet saved."""
        return self._unsaved(())

    def _unsaved(self, parts: tuple[str, ...]) -> bool:
        """Whether ``parts`` of the form (all, when none are named) hold unsaved edits."""
        if self._clean is None:
            return False
        now = self._snapshot()
        if isinstance(self._clean, dict) and isinstance(now, dict):
            names = parts or tuple(self._clean)
            return any(name in self._clean and now[name] != self._clean[name] for name in names)
        return now != self._clean

    def mark_clean(self, *parts: str) -> None:
        """The form now shows what is stored: remember it, and drop any held choice.

        A form saved in parts (``snapshot`` returning a dict of them) names the parts now
        stored; the others keep their unsaved edits.
        """
        now = self._snapshot()
        if parts and isinstance(now, dict):
            clean = dict(self._clean) if isinstance(self._clean, dict) else {}
            self._clean = {**clean, **{part: now[part] for part in parts}}
        else:
            self._clean = now
        self._release()
        self.refresh()

    @property
    def holds_unsaved(self) -> bool:
        """Whether leaving the page would lose edits (unsaved, and not kept as a draft)."""
        return self.HOLDS_UNSAVED in self._dom_classes

    def refresh(self) -> None:
        """Mark the form (:data:`HOLDS_UNSAVED`) when it holds edits that are neither saved nor
        kept as a draft, and unmark it when it holds none."""
        at_risk = self._unsaved(()) and not self._all_kept_as_drafts(())
        if at_risk and not self.holds_unsaved:
            self.add_class(self.HOLDS_UNSAVED)
        elif not at_risk and self.holds_unsaved:
            self.remove_class(self.HOLDS_UNSAVED)

    def _forget(self, parts: tuple[str, ...]) -> None:
        """Stop tracking ``parts`` (all, when none are named) until they are marked clean."""
        if parts and isinstance(self._clean, dict):
            self._clean = {k: v for k, v in self._clean.items() if k not in parts}
        else:
            self._clean = None

    @contextlib.contextmanager
    def quiet(self) -> Iterator[None]:
        """Set choosers from code without asking (and without calling their handlers)."""
        quiet, self._quiet = self._quiet, True
        try:
            yield
        finally:
            self._quiet = quiet

    def watch(
        self,
        field: Field,
        handler: Callable[[dict], None],
        *,
        drops: tuple[str, ...] = (),
        when: Callable[[dict], bool] | None = None,
    ) -> None:
        """Call ``handler`` on each choice in ``field``, unless it would drop unsaved edits.

        ``drops`` names the parts of the form a choice replaces (all, when none are named): a
        chooser that replaces one part is not held back by unsaved edits in another. ``when``
        says of a change whether it can drop edits at all (by default, every change can).
        """

        def on_choice(change: dict) -> None:
            if self._quiet:
                return
            if (when is not None and not when(change)) or not self._unsaved(drops):
                self._release()
                handler(change)
                return
            self._held = (field, change, handler, drops)
            with self.quiet():
                field.value = change["old"]
            kept = self._all_kept_as_drafts(drops)
            self.go_on_button.layout.display = "flex" if kept else "none"
            self.text.value = message_html(
                "warning",
                f"you have changes to {self._what} that are not saved. Save them first, "
                + (
                    "go on and keep them as a draft (they are back when you choose this again), "
                    "or discard them."
                    if kept
                    else "or discard them to go on."
                ),
            )
            self.layout.display = "flex"
            for widget in self._asking_hides:
                widget.add_class(_ASKING)

        field.control.observe(runtime.guarded(on_choice), names="value")

    def hide_while_asking(self, *hidden: widgets.DOMWidget) -> None:
        """Put ``hidden`` away while the question is asked: a draft's own "Discard the draft"
        beside "Discard my changes" is two ways of saying one thing, which do different
        things."""
        self._asking_hides.extend(hidden)

    def _all_kept_as_drafts(self, drops: tuple[str, ...]) -> bool:
        """Whether every part a choice would drop unsaved is kept as a draft."""
        if callable(self._keeps_drafts):
            return self._keeps_drafts()
        if isinstance(self._keeps_drafts, bool):
            return self._keeps_drafts
        if not isinstance(self._clean, dict):
            return False
        unsaved = [part for part in (drops or tuple(self._clean)) if self._unsaved((part,))]
        return all(part in self._keeps_drafts for part in unsaved)

    def is_unsaved(self, *parts: str) -> bool:
        """Whether ``parts`` of a form saved in parts (all, when none are named) hold edits not
        yet saved."""
        return self._unsaved(parts)

    def _release(self) -> None:
        self._held = None
        self.text.value = ""
        self.layout.display = "none"
        for widget in self._asking_hides:
            widget.remove_class(_ASKING)

    def _on_keep(self, _button=None) -> None:
        held = self._held
        self._release()
        if held is not None:
            give_focus(held[0])  # back to the chooser: the buttons pressed are gone

    def _on_go_on(self, _button=None) -> None:
        """The choice goes ahead; the draft of the changes stays, to come back to."""
        self._on_discard(keep_draft=True)

    def _on_discard(self, _button=None, *, keep_draft: bool = False) -> None:
        held = self._held
        self._release()
        if held is None:
            return
        field, change, handler, drops = held
        if self._on_discarded is not None and not keep_draft:
            self._on_discarded()
        # The parts the choice replaces are let go (so that choosers the handler sets pass),
        # then the choice goes ahead, and what it loaded is the new clean state of those parts.
        self._forget(drops)
        with self.quiet():
            field.value = change["new"]
        handler(change)
        self.mark_clean(*drops)
        give_focus(field)


class DraftBar(widgets.VBox):
    """What a form says of its draft (what the person typed and has not saved, kept as they
    go): that one was restored, when, and a button to discard it. ``what`` names the form's
    record in "Save the plan to keep it"."""

    def __init__(self, what: str):
        self.what = what
        self.notice = widgets.HTML()
        self.discard = widgets.Button(
            description="Discard the draft",
            icon="trash",
            tooltip="Go back to what is saved: what you typed since is dropped",
            layout=widgets.Layout(
                width="auto",
                display="none",
                margin=f"0 0 8px {LABEL_WIDTH}",
                align_self="flex-start",  # its own width, not the form's
            ),
        )
        super().__init__([self.notice, self.discard])

    def restored(self, updated_at, *, also: str = "", store=None, person_id=None) -> None:
        """Say a draft was restored; ``also`` (HTML) follows, for what else the form shows.
        Its time is read as :func:`context.local_time` has it (``person_id`` the person under
        "I am", read from ``store``)."""
        from peercoach_lib.apps import context

        when = context.local_time(updated_at, store, person_id)
        self.notice.value = notice(
            "info",
            "Restored what you typed and had not saved "
            f"({dates.short(when)} {when:%H:%M}).{also} "
            f"Save {html.escape(self.what)} to keep it.",
        )
        self.discard.layout.display = "flex"

    def kept(self, kept: bool) -> None:
        """A draft is kept now (or none is): the button follows; the notice stays."""
        self.discard.layout.display = "flex" if kept else "none"

    def keep(
        self,
        store,
        person_id: int,
        kind: str,
        key: str,
        data: Callable[[], dict],
        *,
        as_stored: bool,
    ) -> None:
        """After an edit: keep what ``data()`` gives as the person's draft, or drop it when the
        form is as stored (:func:`peercoach_lib.drafts.keep_or_drop`); the button follows. A
        draft that cannot be made or kept is logged, and the form itself stays as it is (an
        error raised in a widget's observer would undo the person's typing)."""
        try:
            kept = drafts.keep_or_drop(store, person_id, kind, key, data(), as_stored=as_stored)
        except Exception as exc:
            log.exception("the draft could not be kept")
            if (problem := storage_problem(exc)) is not None:
                # Said once, where drafts are spoken of: the page says what is typed is kept.
                self.notice.value = notice(
                    "info",
                    f"What you type is not kept as a draft just now: {html.escape(problem)}.",
                )
            return
        self.kept(kept)

    def clear(self) -> None:
        self.notice.value = ""
        self.discard.layout.display = "none"


def name_by_tooltip(button: widgets.Button) -> widgets.Button:
    """Let the page name ``button`` "<its words>: <its tooltip>" for assistive technology, while
    it shows its words alone (ipywidgets has no accessible-name setting of its own)."""
    button.add_class("peercoach-named-by-tooltip")
    return button


def name_row_by(row: widgets.Box, name: widgets.DOMWidget | None = None) -> widgets.Box:
    """Let a screen reader hear each check box in ``row`` with the row's name before its words
    ("Session 3: cancelled"), where every row repeats the same words; the page shows them alone.

    The row's name is the text of ``name`` (a widget in the row), or of the element of class
    ``peercoach-row-name`` inside one of the row's HTML widgets.
    """
    row.add_class("peercoach-named-row")
    if name is not None:
        name.add_class("peercoach-row-name")
    return row


def range_errors(fields: Iterable[Field]) -> dict[str, str]:
    """The out-of-range numbers among ``fields``, by path (for a save to refuse)."""
    return {
        field.path: problem
        for field in fields
        if isinstance(field, NumberField) and (problem := field.problem())
    }


#: A box of whole numbers: the page says when a pasted number is not whole (the page template).
WHOLE = "peercoach-whole"
#: Date fields whose day shows at once what it picks (a dashboard's range, with no save to
#: press): what the page shows from them (marked ``LIVE_RESULTS``) is put away while one holds
#: a day the calendar lacks (the page template).
LIVE = "peercoach-live"
LIVE_RESULTS = "peercoach-live-results"


def integer(label: str, path: str, *, low: int, high: int, value: int) -> NumberField:
    control = widgets.IntText(value=value)
    control.add_class(WHOLE)
    return _number(control, label, path, low, high)


def decimal(
    label: str, path: str, *, low: float, high: float, value: float, step: float
) -> NumberField:
    return _number(widgets.FloatText(value=value, step=step), label, path, low, high)


def _number(control, label: str, path: str, low: float, high: float) -> NumberField:
    control.description = label
    control.style = _STYLE
    control.layout = widgets.Layout(width="340px")
    return NumberField(control, path, low=low, high=high)


def time_zone(label: str, path: str, *, value: str = "") -> Field:
    """A time zone, chosen from the list or typed ("europe/madrid" is shown as it is saved,
    Europe/Madrid, see :func:`time_zone_as_left`)."""
    from peercoach_lib.model.base import time_zone_names

    return Field(
        widgets.Combobox(
            value=value,
            description=label,
            options=time_zone_names(),
            ensure_option=False,
            placeholder="For example Europe/London",
            continuous_update=False,  # a name half typed is not yet wrong
            style=_STYLE,
            layout=widgets.Layout(width="min(100%, 520px)"),
        ),
        path,
    )


#: What a time zone box says of a name that is no time zone ("India", "Mars/Olympus").
NO_TIME_ZONE = "choose a time zone from the list, such as Europe/Madrid or Asia/Kolkata"


def time_zone_as_left(field: Field) -> None:
    """As a time zone box is left: show a name typed as the list does not spell it
    ("europe/paris ") as it is saved ("Europe/Paris"), and say beside it that a name which is
    no time zone ("India") is none (it was said only on saving; an empty box is for the save
    to say)."""
    from peercoach_lib.model.base import time_zone_name

    def spell(change) -> None:
        typed = change["new"] or ""
        name = time_zone_name(typed)
        if name is not None and name != typed:
            field.value = name
        elif name is None and typed.strip():
            field.show("error", NO_TIME_ZONE)
        elif field.kind == "error":
            field.show()

    field.control.observe(runtime.guarded(spell), names="value")


def date(label: str, path: str, *, value=None) -> Field:
    return Field(
        widgets.DatePicker(
            value=value, description=label, style=_STYLE, layout=widgets.Layout(width="410px")
        ),
        path,
    )


#: Labels wrap instead of being cut off with an ellipsis (ipywidgets' default).
_CSS = """
.peercoach-app .widget-label, .peercoach-app .widget-label-basic {
  white-space: normal; overflow: visible; text-overflow: clip; line-height: 1.25;
  height: auto; min-height: var(--jp-widgets-inline-height);
}
.peercoach-app .widget-inline-hbox .widget-label { align-self: flex-start; padding-top: 4px; }
.peercoach-app .widget-html-content { overflow-wrap: anywhere; }
.peercoach-app textarea, .peercoach-app input[type="text"] { unicode-bidi: plaintext; }
/* Every box in the page's own font (a browser's defaults differ: a typewriter font for a box
   of several lines, Arial for a box of one). */
.peercoach-app :is(textarea, input, select) { font-family: var(--jp-ui-font-family); }
/* A table of changes: each cell apart from the next (a name ran into "updated"), read from
   the top. */
.peercoach-app table.peercoach-history :is(td, th) {
  text-align: left; padding: 2px 14px 2px 0; vertical-align: top;
}
/* ...and its short words whole ("updated", not "upda-ted"): only the fields may wrap anywhere. */
.peercoach-app table.peercoach-history :is(td, th):not(:last-child) { overflow-wrap: normal; }
/* A chart's numbers: each column apart from the next ("28 Sep 2026 23 Nov 2026" ran
   together), figures in even widths. */
.peercoach-app table.peercoach-table :is(td, th) {
  text-align: left; padding: 3px 18px 3px 0; font-variant-numeric: tabular-nums;
  overflow-wrap: normal; line-height: 1.35;
}
.peercoach-app table.peercoach-table th { white-space: nowrap; }
.peercoach-app table.peercoach-table td:first-child { min-width: 12em; }
/* ...its words whole ("planned", not "plann-ed" in a table of many weeks): a table wider than
   the page scrolls sideways in its frame instead. */
.peercoach-app .peercoach-scroll { overflow-x: auto; max-width: 100%; }
/* A frame that scrolls sideways (the page's script makes it a named region then) says so where
   it is seen too: a phone shows no scroll bar until the frame is touched. (Screen readers hear
   it from the region's name, not twice.) */
.peercoach-app :is(.peercoach-chart-frame, .peercoach-scroll)[role="region"]::before {
  content: "Scroll sideways to see it all \\2192" / "";
  display: block; position: sticky; left: 0; width: max-content;
  font-size: 12px; color: #3d3d3d; margin-bottom: 2px;
}
/* What no longer holds while a date box is wrong (the page marks it, see the page template):
   a field's message about the box's last value, an earlier "Saved at". Out of sight until the
   box is put right. */
.peercoach-app .peercoach-stale { display: none !important; }
/* Put away while a chooser asks about unsaved edits (forms.UnsavedChanges.hide_while_asking). */
.peercoach-app .peercoach-while-asking { display: none !important; }
/* A list row's message starts where the row's boxes do, past their labels (ipywidgets' own
   label width: the rows' controls keep it). */
.peercoach-app .peercoach-row-message {
  margin-left: calc(
    var(--jp-widgets-margin) + var(--jp-widgets-inline-label-width)
    + 2 * var(--jp-widgets-inline-margin)
  );
}
/* A choice of buttons ("What happened") as every other field: its label in the labels'
   column, the buttons where the boxes start (ipywidgets puts the label above, at the left). */
.peercoach-app .widget-toggle-buttons { display: flex; align-items: flex-start; }
.peercoach-app .widget-toggle-buttons > .widget-label {
  flex-shrink: 0; text-align: right; margin-right: calc(var(--jp-widgets-inline-margin) * 2);
  padding-top: 6px; line-height: 1.25;
}
.peercoach-app .widget-toggle-buttons > [role="group"] { display: flex; flex-wrap: wrap; }
/* A label of two lines (a goal's words) makes its row taller instead of running into the
   next; the box stays its height, at the top. */
.peercoach-app .widget-inline-hbox.widget-dropdown {
  height: auto; min-height: var(--jp-widgets-inline-height);
}
.peercoach-app .widget-inline-hbox.widget-dropdown > select {
  height: var(--jp-widgets-inline-height); align-self: flex-start;
}
/* A label too long for the labels' column (a goal in its own words) goes above its box,
   instead of a column of many lines beside it: both in the boxes' column, starting where the
   box does. */
.peercoach-app .widget-inline-hbox.peercoach-label-above {
  flex-wrap: wrap; height: auto;
  --peercoach-boxes: calc({LABEL_WIDTH} + 2 * var(--jp-widgets-inline-margin));
}
.peercoach-app .widget-inline-hbox.peercoach-label-above > .widget-label {
  width: auto !important; flex: 0 0 calc(100% - var(--peercoach-boxes)); min-height: 0;
  text-align: left !important; margin-left: var(--peercoach-boxes); padding: 0 0 2px;
}
.peercoach-app .widget-inline-hbox.peercoach-label-above > :not(.widget-label) {
  margin-left: var(--peercoach-boxes);
}
/* A narrow window (a phone, or a page zoomed to 400%): labels above their boxes, and nothing
   wider than the window, so the page reflows instead of scrolling sideways (WCAG 1.4.10).
   What is set in from the left under the labels' column (LABEL_WIDTH) is not, then. */
@media (max-width: 640px) {
  .peercoach-app .widget-inline-hbox {
    flex-wrap: wrap; max-width: calc(100% - 2 * var(--jp-widgets-margin)); height: auto;
  }
  .peercoach-app :is(.widget-inline-hbox, .widget-toggle-buttons) > .widget-label {
    width: 100% !important; max-width: 100%; text-align: left !important; padding-top: 0;
  }
  .peercoach-app .widget-toggle-buttons { flex-wrap: wrap; }
  /* A list's name ("Steps", "New commitments") above its rows, as a label above its box. */
  .peercoach-app .peercoach-rowlist-title { flex: 1 0 100%; }
  .peercoach-app .peercoach-rowlist-title div {
    width: auto !important; text-align: left !important; padding-right: 0 !important;
  }
  .peercoach-app .peercoach-row-message { margin-left: var(--jp-widgets-margin); }
  /* A row's Remove level with the box beside it, not stretched over the box's label. */
  .peercoach-app .peercoach-rowlist .widget-hbox > .widget-button { align-self: flex-end; }
  .peercoach-app .widget-inline-hbox > :not(.widget-label) { min-width: 0; max-width: 100%; }
  .peercoach-app .widget-hslider > .slider-container { flex: 1 1 0; }
  .peercoach-app .widget-hslider > .widget-readout { flex: 0 0 auto; min-width: 2.5em; }
  .peercoach-app .widget-hbox { flex-wrap: wrap; }
  .peercoach-app .jupyter-widgets:not(.widget-inline-hbox) { max-width: 100% !important; }
  .peercoach-app [style*="{LABEL_WIDTH}"] { margin-left: 0 !important; }
  .peercoach-app .widget-inline-hbox.peercoach-label-above {
    --peercoach-boxes: 0px;
  }
  /* A box keeps its height once its row may wrap (a choice of 17 pixels is no target). */
  .peercoach-app .widget-inline-hbox > :is(select, input) {
    height: auto; min-height: var(--jp-widgets-inline-height);
  }
  /* A long button's words wrap instead of being cut off. */
  .peercoach-app :is(.widget-button, .widget-toggle-button) {
    white-space: normal; height: auto; min-height: var(--jp-widgets-inline-height);
    max-width: 100%;
  }
  /* A chart keeps a width its words can be read at (scaled to 320 pixels they were a few
     pixels high): its frame scrolls sideways instead, not the page. */
  .peercoach-app .peercoach-chart-frame { overflow-x: auto; max-width: 100%; }
  .peercoach-app .peercoach-chart-frame img {
    max-width: none !important;
    width: min(
      var(--peercoach-chart-width), max(600px, calc(var(--peercoach-chart-width) * 0.75))
    ) !important;
  }
  /* A table's words break only where they must, not at every letter; a table still too wide
     scrolls on its own, not the page. */
  .peercoach-app .widget-html-content :is(td, th) { overflow-wrap: break-word; }
  .peercoach-app .widget-html-content table:not(.peercoach-table) {
    display: block; overflow-x: auto; max-width: 100%;
  }
  /* A table of changes fits the window: its columns share it, a long value wraps anywhere. */
  .peercoach-app .widget-html-content table.peercoach-history {
    display: table; table-layout: fixed; width: 100%;
  }
  .peercoach-app .widget-html-content table.peercoach-history :is(td, th) {
    overflow-wrap: anywhere; padding-right: 6px;
  }
  .peercoach-app table.peercoach-history th:nth-child(-n + 2) { width: 23%; }
  .peercoach-app table.peercoach-history th:nth-child(3) { width: 19%; }
  /* A list of fields (My data): each field's name, value and who sees it, one under another. */
  .peercoach-app table.peercoach-fields :is(tbody, tr, th, td) {
    display: block; width: auto !important;
  }
  .peercoach-app table.peercoach-fields tr { padding: 4px 0; }
}
/* On a touch screen a slider moves by its handle alone: a swipe up or down that began on its
   track scrolled nothing and set the rating to where the finger landed. Its handle is a
   finger's size there; the box beside it still takes a number. */
@media (pointer: coarse) {
  .peercoach-app { --jp-widgets-slider-handle-size: 26px; }
  .peercoach-app .widget-slider :is(.noUi-target, .noUi-target *) { touch-action: pan-y; }
  .peercoach-app .widget-slider .noUi-base { pointer-events: none; }
  .peercoach-app .widget-slider .noUi-handle { pointer-events: auto; touch-action: none; }
}
/* A check box of a list keeps its words beside it, a long name wrapping under its own start. */
.peercoach-app .peercoach-checklist .widget-checkbox { height: auto; }
.peercoach-app .peercoach-checklist .widget-checkbox label {
  display: flex; align-items: center; gap: 6px; height: auto; line-height: 1.3;
  padding: 4px 0;
}
.peercoach-app .peercoach-checklist .widget-checkbox input {
  flex: none; margin: 0; height: auto;
}
/* A button shown from code (display: flex) keeps its icon level with its words, as the
   buttons shown from the start do. */
.peercoach-app :is(.widget-button, .widget-toggle-button) {
  align-items: center; justify-content: center;
}
.peercoach-app .peercoach-unseen {
  position: absolute; width: 1px; height: 1px; margin: -1px; padding: 0; overflow: hidden;
  clip: rect(0 0 0 0); white-space: nowrap; border: 0;
}
""".replace("{LABEL_WIDTH}", LABEL_WIDTH)


def stylesheet() -> widgets.HTML:
    """The apps' few style rules; put it first in every app (which carries ``peercoach-app``)."""
    return widgets.HTML(f"<style>{_CSS}</style>", layout=widgets.Layout(display="none"))


def unseen(text_: str) -> str:
    """``text_`` for a screen reader only: in the page, but not shown."""
    return f'<span class="peercoach-unseen">{html.escape(text_)}</span>'


def label_in_context(control: DescriptionWidget, context: str, *, label: str | None = None) -> None:
    """Let a screen reader hear ``control``'s label with ``context`` before it ("Money: How
    satisfied I am now"), where the label alone is the same for several controls, while the
    page shows the label alone. ``label`` replaces the control's own."""
    label = control.description if label is None else label
    control.description_allow_html = True
    control.description = unseen(f"{context}: ") + html.escape(label)


def heading(text_: str, level: int = 2) -> widgets.HTML:
    return widgets.HTML(f"<h{level} style='margin:18px 0 6px'>{html.escape(text_)}</h{level}>")


def notice(kind: str, text_html: str, *, about_fields: bool = False) -> str:
    """A boxed notice (``text_html`` must already be escaped).

    ``about_fields``: the notice only sums up errors marked under fields, and goes once they
    are mended (:func:`retire_when_mended`)."""
    styles = {
        "demo": "background:#fff4d6;border-left:6px solid #b26b00;color:#3d2a00",
        "error": "background:#fde8e8;border-left:6px solid #b3261e;color:#410e0b",
        "ok": "background:#e6f4ea;border-left:6px solid #1b6e2a;color:#0b2e13",
        "info": "background:#e8f0fe;border-left:6px solid #1a56b0;color:#0b1f44",
    }
    role = "alert" if kind == "error" else "status"
    about = f" {_ABOUT_FIELDS}" if about_fields else ""
    return (
        f'<div role="{role}" class="peercoach-notice peercoach-{kind}{about}" '
        f'style="{styles[kind]};padding:10px 14px;border-radius:4px;font-size:14px">'
        f"{text_html}</div>"
    )


def says_when_held(button: widgets.Button, lead: str) -> None:
    """What the page says when it holds ``button``'s action back for a date or time box the
    calendar does not have: ``lead`` ("Nobody was paired"), as the app's own refusal starts;
    "Nothing was saved" unless told."""
    if not re.fullmatch(r"[A-Za-z]+( [A-Za-z]+)*", lead):
        raise ValueError(f"a lead of plain words: {lead!r}")
    button.add_class("peercoach-lead-" + lead.lower().replace(" ", "-"))


_ABOUT_FIELDS = "peercoach-about-fields"
#: A summary's link to the first field marked Error (followed by the page's script).
_TO_FIRST_ERROR = "peercoach-first-error"
_CHANGED_SINCE = "Changed since: save again to keep the changes."


def try_again() -> str:
    """The end of a notice that something could not be saved, said inside the ``except`` that
    caught why: "Try again.", or, where the database itself stood in the way (read-only, busy,
    out of reach), what did and whether trying again can help."""
    problem = storage_problem(sys.exc_info()[1])
    return f"{problem[:1].upper()}{problem[1:]}." if problem else "Try again."


def saved_at(store, person_id: int | None = None) -> str:
    """ "Saved at 14:05", in the time of the person at the page (:func:`context.now`; locally
    ``person_id``'s, the person under "I am")."""
    from peercoach_lib.apps import context

    return f"Saved at {context.now(store, person_id):%H:%M}."


def changed_since_saved(result: widgets.HTML) -> None:
    """The form was edited after a save: its "Saved at ..." notice says that what is on
    screen now is not saved yet; one saying the form is as saved ("Draft discarded: this is
    the plan as saved.") goes (an error or another notice is left as it is)."""
    if _AS_SAVED in result.value:
        result.value = ""
        return
    if "peercoach-ok" not in result.value or _CHANGED_SINCE in result.value:
        return
    said = re.sub(r"^<div[^>]*>|</div>$", "", result.value)
    result.value = notice("info", f"{said} <strong>{_CHANGED_SINCE}</strong>")


#: The start of a notice that the form shows what is saved (untrue after any edit).
_AS_SAVED = "Draft discarded: this is the"

#: A summary's lead ("Nothing was saved", "Nobody was paired") and the fields it names as
#: marked Error (kept true as they are mended).
_NEEDS = re.compile(r">([^<>:]+): [^<]*? needs? attention \(marked Error\)")
#: A summary names this many fields at most, then counts the others.
_NAMED_AT_MOST = 4


def _marked(fields: Iterable[Field | RowList]) -> list[str]:
    """The names of the places among ``fields`` that show an error, as the page labels them (a
    field under two paths once); in a list, each row said to be wrong ("Step 2"), as each is
    marked under itself."""
    shown = {id(f): f for f in fields if f.kind == "error"}
    names: list[str] = []
    for field in shown.values():
        names += field.marked_names if isinstance(field, RowList) else [field.label]
    return names


def quoted(label: str) -> str:
    """A field's label as a sentence names it: “Review date”."""
    return f"\u201c{label}\u201d"


def _needs(names: list[str]) -> str:
    """ "“Purpose” and “Outcomes” need attention", the first few named when there are many
    (quoted, as many labels are phrases or questions)."""
    # Two places under one label (each partner's "Minutes") are named once.
    unique = [quoted(n) for n in dict.fromkeys(names)] if all(names) else []
    if not unique:  # one has nothing to name it by: they are counted
        subject = "1 field" if len(names) == 1 else f"{len(names)} fields"
    elif len(unique) > _NAMED_AT_MOST:
        others = len(unique) - (_NAMED_AT_MOST - 1)
        subject = f"{', '.join(unique[: _NAMED_AT_MOST - 1])} and {others} other fields"
    else:
        subject = listed(unique)
    verb = "needs" if len(names) == 1 else "need"
    return f"{subject} {verb} attention (marked Error)"


def named_fields(labels: Iterable[str]) -> str:
    """Fields as a notice lists them, quoted (many labels are phrases), as HTML."""
    return html.escape(listed(map(quoted, labels)))


def refused(
    fields: Mapping[str, Field | RowList],
    unplaced: Iterable[str] = (),
    after: str = "",
    *,
    lead: str = "Nothing was saved",
) -> str:
    """The notice under a save refused for the errors marked under ``fields`` and ``unplaced``
    problems no field shows: "Nothing was saved: “Purpose” and “Outcomes” need attention
    (marked Error).", then ``after`` (escaped HTML). Said of marked fields alone, it goes once
    they are mended, naming those left till then (:func:`retire_when_mended`). ``lead`` says
    what did not happen (no colon in it)."""
    names = _marked(fields.values())
    unplaced = list(unplaced)
    parts = [_needs(names)] if names or not unplaced else []
    text_ = f"{html.escape(lead)}: " + html.escape("; ".join([*parts, *unplaced])) + "."
    if after:
        text_ += f" {after}"
    if names:
        # The first may be far up the page: the page's script takes the person there.
        text_ += f' <a href="#" class="{_TO_FIRST_ERROR}" style="{LINK}">Show me where</a>'
    return notice("error", text_, about_fields=not unplaced)


def restate(result: widgets.HTML, fields: Iterable[Field | RowList]) -> None:
    """Bring ``result``'s :func:`refused` summary (one said of marked fields alone) up to the
    marks ``fields`` show now: it names those still marked, and goes with the last. For a form
    that checks its fields itself as they change; see :func:`retire_when_mended`."""
    if _ABOUT_FIELDS not in result.value:
        return
    left = _marked(fields)
    result.value = (
        _NEEDS.sub(lambda m: f">{m[1]}: {html.escape(_needs(left))}", result.value, count=1)
        if left
        else ""
    )


def retire_when_mended(result: widgets.HTML, fields: Iterable[Field | RowList]) -> None:
    """Keep ``result``'s :func:`refused` summary (one said of marked fields alone) true as
    the person mends them: it names the places still marked, and goes with the last. Any other
    notice stays."""
    fields = list(fields)

    def mended() -> None:
        restate(result, fields)

    for field in fields:
        field.on_mended(mended)
        if isinstance(field, RowList):
            field.on_lessened(mended)


def demo_notice() -> str:
    return notice(
        "demo",
        "<strong>Demo data.</strong> This is part of a made-up demo cohort, for "
        "trying the workbook: the people and what they wrote are not real.",
    )


def error_messages(exc: ValidationError) -> dict[str, str]:
    """A record's errors by field path; an error inside a list names its row ("Step (step 2)")."""
    out: dict[str, str] = {}
    for error in exc.errors:
        text = f"{error.label}: {error.message}" if "[" in error.path else error.message
        out[error.path] = f"{out[error.path]}; {text}" if error.path in out else text
    return out


def show_messages(
    fields: Mapping[str, Field],
    errors: Mapping[str, str],
    warnings: Mapping[str, str] | None = None,
) -> list[str]:
    """Put each message under its field; return the messages no field claimed (for a summary)."""
    unplaced = []
    shown: dict[int, tuple[Field, str, list[str]]] = {}
    paths: dict[int, list[str]] = {}  # by field: the errors' paths (a row list marks them)
    for kind, messages in (("warning", warnings or {}), ("error", errors)):
        for path, text_ in messages.items():
            field = fields.get(path) or fields.get(path.split("[")[0].split(".")[0])
            if field is None:
                unplaced.append(text_)
                continue
            if kind == "error":
                paths.setdefault(id(field), []).append(path)
            _, was, texts = shown.get(id(field), (field, kind, []))
            # Several messages for one field (a list's rows) are all shown; errors before notes.
            shown[id(field)] = (field, kind, [text_] if was != kind else [*texts, text_])
    for field in fields.values():
        if id(field) in shown:
            _, kind, texts = shown[id(field)]
            if isinstance(field, RowList) and kind == "error":
                field.show_errors(zip(paths[id(field)], texts, strict=True))
            else:
                field.show(kind, "; ".join(texts))
        else:
            field.show()
    return unplaced


def refusal(fields: Mapping[str, Field], exc: ValidationError, nothing_done: str) -> str:
    """Show a refused record's messages under their fields; return the notice that sums up
    (``nothing_done``, e.g. "Nobody was paired", then what no field could show)."""
    unplaced = show_messages(fields, error_messages(exc))
    return refused(fields, unplaced, lead=nothing_done)


def download_link(
    label: str,
    filename: str,
    data: bytes,
    mime: str,
    *,
    in_sentence: bool = False,
    heard: str = "",
) -> str:
    """An HTML link that downloads ``data`` as ``filename`` (no server round trip); spaced
    from the next one in a row of links, unless it stands ``in_sentence``. ``heard`` follows
    the label for a screen reader alone (what it is of, where a page has several alike)."""
    encoded = base64.b64encode(data).decode("ascii")
    space = "" if in_sentence else "margin-right:16px;"
    return (
        f'<a download="{html.escape(filename)}" href="data:{mime};base64,{encoded}" '
        f'style="{space}{LINK}">{html.escape(label)}{unseen(heard) if heard else ""}</a>'
    )


def pair_file_name(partnership, people: Mapping) -> str:
    """The partners' first names, for a file of theirs: "alice-bob" (agreement-alice-bob.md)."""
    return "-".join(people[m].name.split()[0].lower() for m in partnership.members if m in people)


def ended_calendar_sentence(store, partnership) -> str:
    """For an ended partnership whose sessions booked after its end were cancelled: a sentence
    offering its calendar file, which takes them out of a calendar ("" when none was, or the
    partnership has no agreement and so no calendar)."""
    from peercoach_lib import partnerships

    if not partnerships.cancelled_after_end(store, partnership):
        return ""
    link = calendar_file_link(store, partnership, in_sentence=True)
    if not link:
        return ""
    return (
        f"Its sessions booked after the end were cancelled: download {link} to take them out "
        "of your calendar."
    )


def calendar_file_link(
    store, partnership, people: Mapping | None = None, *, in_sentence: bool = False
) -> str:
    """The partnership's sessions as a calendar file, a link to download ("" while it has no
    agreement, so no sessions). Downloaded again after a change (a move, a cancellation, the
    partnership's end) it updates the entries already in a calendar. ``people``: the
    partners by id, when the caller has them."""
    from peercoach_lib import calendar
    from peercoach_lib.errors import NotFoundError
    from peercoach_lib.model import Person

    try:
        ics = calendar.partnership_calendar(store, partnership.id)
    except NotFoundError:
        return ""
    if people is None:
        people = {p.id: p for p in store.find(Person, id=list(partnership.members))}
    names = pair_file_name(partnership, people)
    return download_link(
        "Sessions for my calendar (.ics)",
        f"sessions-{names}.ics",
        ics,
        "text/calendar",
        in_sentence=in_sentence,
    )


def table_html(table: pd.DataFrame, *, name: str = "Table") -> str:
    """A table as the apps show it: dates spelt out, missing values as a dash, decimals to two
    places (in a column of mixed values, :func:`lsi.over_time`'s, to one: whole numbers stay
    whole). In a frame of its own that scrolls sideways when the table is wider than the page
    (its words kept whole), which the page's script names ``name`` then."""
    shown = table.copy()
    for column in shown.columns:
        if pd.api.types.is_datetime64_any_dtype(shown[column]):
            shown[column] = shown[column].map(
                lambda day: dates.short(day) if pd.notna(day) else None
            )
        elif shown[column].dtype == object:
            shown[column] = shown[column].map(_mixed)
        elif isinstance(shown[column].dtype, pd.api.extensions.ExtensionDtype):
            # Whole numbers that may be missing (Int64): pandas writes "<NA>" for them.
            shown[column] = shown[column].astype(object).where(shown[column].notna(), "–")
    return (
        f'<div class="peercoach-scroll" data-name="{html.escape(name)}">'
        + shown.to_html(
            index=False,
            na_rep="–",
            float_format="{:.2f}".format,
            classes="peercoach-table",
            border=0,
        ).replace(  # named, for a screen reader's list of tables
            '<table class="dataframe peercoach-table">',
            f'<table class="dataframe peercoach-table" aria-label="{html.escape(name)}">',
            1,
        )
        + "</div>"
    )


def _mixed(value):
    """A value of a column of mixed values, as shown."""
    if value is None or (isinstance(value, float) and value != value):  # None or NaN
        return "–"
    return f"{value:.1f}" if isinstance(value, float) else value


class ChartView(widgets.VBox):
    """A chart as an image whose alt text says what it shows, with its table one click away.

    ipywidgets' ``Image`` has no alt text, so the picture is an ``<img>`` in an HTML widget.

    On a page served by Voilà a chart can be drawn when the person reaches it
    (:meth:`show_later`): the page is ready for input without waiting for pictures further
    down. The page's script presses the chart's "Show the chart" button as it comes near the
    screen; anyone can press it too. Its table is there from the start.
    """

    def __init__(self, *, max_width: str = "780px", name: str = ""):
        self.max_width = max_width
        # Named for its chart ("Show the numbers: My goals"): a page has several.
        self.name = f": {name}" if name else ""
        self.title = f"Chart: {name[:1].upper()}{name[1:]}" if name else "Chart"
        self.png = b""
        self.alt = ""
        self.image = widgets.HTML()
        self.image.add_class("peercoach-chart")
        # Out of the tab order: a keyboard user who reaches the chart has it drawn the same way,
        # and focus never rests on a button that goes away once the chart is there.
        self.draw_button = widgets.Button(
            description="Show the chart",
            icon="image",
            tabbable=False,
            layout=widgets.Layout(width="auto", display="none"),
        )
        self.draw_button.add_class("peercoach-draw")
        self.toggle = widgets.ToggleButton(
            description=f"Show the numbers{self.name}",
            icon="table",
            layout=widgets.Layout(width="auto"),
        )
        self.toggle.add_class("peercoach-disclosure")  # the page says it opens and closes
        self.table = widgets.HTML(layout=widgets.Layout(display="none"))
        self._pending: tuple | None = None
        #: What the picture shown was drawn from (see :meth:`show_later`'s ``key``).
        self._drawn_from: object = None
        super().__init__([self.image, widgets.HBox([self.draw_button, self.toggle]), self.table])
        self.toggle.observe(runtime.guarded(self._on_toggle), names="value")
        self.draw_button.on_click(runtime.guarded(lambda _button: self.draw()))

    def show(self, png: bytes, alt: str, table: pd.DataFrame | None = None) -> None:
        self._pending = None
        self._drawn_from = None
        self.png, self.alt = png, alt
        encoded = base64.b64encode(png).decode("ascii")
        # In a narrow window the picture keeps a width its words can be read at, and its frame
        # scrolls sideways (the page's script lets the keyboard reach it then, as a region
        # named by data-name).
        self.image.value = (
            f'<div class="peercoach-chart-frame" data-name="{html.escape(self.title)}" '
            f'style="--peercoach-chart-width:{self.max_width}">'
            f'<img src="data:image/png;base64,{encoded}" alt="{html.escape(alt)}" '
            f'style="max-width:min(100%, {self.max_width});height:auto;display:block"></div>'
        )
        self.draw_button.layout.display = "none"
        self._show_table(table)

    def show_later(
        self,
        draw: Callable[[], bytes],
        alt: str,
        table: pd.DataFrame | None = None,
        *,
        then: Callable[[bytes], None] | None = None,
        key: Hashable | None = None,
    ) -> None:
        """Show the PNG that ``draw()`` makes, when the person reaches the chart (then call
        ``then(png)``). Drawn at once where no page script can ask for it (outside Voilà), and
        once the chart has been drawn before: the person has seen it and expects it current.

        ``key`` stands for what the picture is drawn from: a picture shown of the same key is
        kept, with the new words and table (the LSI wheel when only an importance moved), and
        not drawn again."""
        if key is not None and self.png and self._pending is None and key == self._drawn_from:
            self.show(self.png, alt, table)
            self._drawn_from = key
            if then is not None:
                then(self.png)
            return
        self._pending = (draw, alt, table, then, key)
        if self.png or not runtime.served():
            self.draw()
            return
        self.alt = alt
        self.image.value = ""
        self.draw_button.layout.display = "flex"
        self._show_table(table)

    def draw(self) -> None:
        """Draw the chart asked for by :meth:`show_later`, if it is still to be drawn."""
        if self._pending is None:
            return
        draw, alt, table, then, key = self._pending
        png = draw()
        self.show(png, alt, table)
        self._drawn_from = key
        if then is not None:
            then(png)

    @property
    def pending(self) -> bool:
        """Whether the chart waits to be drawn."""
        return self._pending is not None

    def hide(self) -> None:
        self._pending = None
        self.layout.display = "none"

    def _show_table(self, table: pd.DataFrame | None) -> None:
        has_table = table is not None and not table.empty
        self.toggle.layout.display = "flex" if has_table else "none"
        self.table.value = table_html(table, name=f"Numbers{self.name}") if has_table else ""
        self.layout.display = "flex"
        self._on_toggle()

    def _on_toggle(self, _change=None) -> None:
        self.table.layout.display = "block" if self.toggle.value else "none"
        shown = "Hide the numbers" if self.toggle.value else "Show the numbers"
        self.toggle.description = f"{shown}{self.name}"


#: The class of a widget that takes the focus the page lost (see :func:`give_focus`).
TAKE_FOCUS = "peercoach-take-focus"


def give_focus(widget: widgets.DOMWidget) -> None:
    """Hand the focus to ``widget`` (its first control) where the page has lost it: the
    button pressed has gone (a question's answer, a panel's "Delete me…"), and a keyboard or
    screen-reader user would otherwise be left at the top of the page. The page takes it only
    while the focus is nowhere, never from someone who has moved on. Call it after the
    changes that hide what had the focus."""
    # Taken away and put back, so that the page sees it asked for again.
    widget.remove_class(TAKE_FOCUS)
    widget.add_class(TAKE_FOCUS)


#: The class of the row a list's "Add" button made last (the page focuses it).
ADDED = "peercoach-added-row"


class CheckList(widgets.HBox):
    """A choice of any number of ``options``, as a check box each, with ``label`` in the
    labels' column. ``value`` holds the options checked, in the order they were given or
    checked (a multiple select asked for Ctrl-click, said nowhere, and showed half its
    options in a box that scrolled)."""

    value = traitlets.Tuple()
    options = traitlets.List()

    def __init__(self, label: str):
        self.boxes: list[widgets.Checkbox] = []
        self._syncing = False
        self.grid = widgets.Box(
            layout=widgets.Layout(flex_flow="row wrap", width="min(100%, 700px)")
        )
        title = widgets.HTML(
            f"<div style='width:{LABEL_WIDTH};text-align:right;padding-right:8px;"
            f"font-size:var(--jp-widgets-font-size)'>{html.escape(label)}</div>"
        )
        title.add_class("peercoach-rowlist-title")
        super().__init__([title, self.grid])
        self.add_class("peercoach-checklist")
        self.observe(runtime.guarded(self._on_options), names="options")
        self.observe(runtime.guarded(self._on_value), names="value")

    def _on_options(self, _change=None) -> None:
        self.boxes = [
            widgets.Checkbox(
                value=option in self.value,
                description=str(option),
                indent=False,
                layout=widgets.Layout(width="min(100%, 220px)", margin="0 8px 0 0"),
            )
            for option in self.options
        ]
        for box in self.boxes:
            box.observe(runtime.guarded(self._on_box), names="value")
        self.grid.children = self.boxes
        kept = tuple(v for v in self.value if v in self.options)
        if kept != self.value:
            self.value = kept

    def _on_box(self, _change=None) -> None:
        if self._syncing:
            return
        checked = [o for o, box in zip(self.options, self.boxes, strict=True) if box.value]
        self.value = (
            *(v for v in self.value if v in checked),
            *(o for o in checked if o not in self.value),
        )

    def _on_value(self, _change=None) -> None:
        self._syncing = True
        try:
            for option, box in zip(self.options, self.boxes, strict=True):
                box.value = option in self.value
        finally:
            self._syncing = False


class RowList(widgets.VBox):
    """An editable list of rows (steps, obstacles, milestones): add a row, remove one, read all.

    ``make_row(item)`` returns the row's controls by field name, filled from ``item`` (a dict)
    or empty when ``item`` is None. Every row repeats the same labels, so a screen reader hears
    each control with its row's ``noun`` and number ("Step 2", "Step 2: By when", "Remove: Step
    2"), kept in order as rows come and go; the page shows the labels alone.

    With ``key`` (a field name, "id" say), each row remembers that field of the item it was
    loaded from, and :meth:`items` gives it back (None for a row added on the page): what was
    saved can then be updated rather than replaced.

    Its messages behave as a :class:`Field`'s, row by row: an error about a row
    ("steps[1].by_when", or "steps[1]" for the whole row) is said under that row, marks the
    controls it names invalid, and goes once the person changes or removes that row, while other
    rows' errors stay (their row numbers following the rows); an error about the list itself is
    said under the list and goes on any change.
    """

    def __init__(
        self, label: str, path: str, make_row, *, add_label: str, noun: str, key: str | None = None
    ):
        self.path = path
        self.label = _plain_label(label)
        self.make_row = make_row
        self.noun = noun
        self.key = key
        self.rows: list[dict[str, widgets.Widget]] = []
        #: Each row's message line, under the row (its errors).
        self.notes: list[widgets.HTML] = []
        self._keys: list = []
        # Per row: its remove button and each control's own label, for the numbering.
        self._parts: list[tuple[widgets.Button, dict[str, str]]] = []
        self.box = widgets.VBox()
        self.add = widgets.Button(
            description=add_label,
            icon="plus",
            layout=widgets.Layout(width="auto", align_self="flex-start"),
        )
        self.message = widgets.HTML(layout=widgets.Layout(margin=f"0 0 4px {LABEL_WIDTH}"))
        self._kind: str | None = None
        self._added: widgets.Box | None = None
        self._mended: list[Callable[[], None]] = []
        self._lessened: list[Callable[[], None]] = []
        self._edited: list[Callable[[], None]] = []
        self._marked: list[widgets.DOMWidget] = []
        #: What is wrong with a row as it stands (by field path, as :meth:`show_errors` takes
        #: them), from its index and values: said as the row changes, not on saving only.
        self.check_row: Callable[[int, dict], dict[str, str]] | None = None
        self._live: list = []  # the errors check_row found, of those shown
        # The errors shown: each one's row (None for the list's own), its row's number when it
        # was shown, the controls it marks, and its text.
        self._errors: list[tuple[dict | None, int, list[widgets.DOMWidget], str]] = []
        title = widgets.HTML(
            f"<div style='width:{LABEL_WIDTH};text-align:right;padding-right:8px;"
            f"font-size:var(--jp-widgets-font-size)'>{html.escape(label)}</div>"
        )
        title.add_class("peercoach-rowlist-title")
        super().__init__([widgets.HBox([title, widgets.VBox([self.box, self.add])]), self.message])
        self.add_class("peercoach-rowlist")
        self.add.on_click(runtime.guarded(self._on_add))

    def _on_add(self, _button=None) -> None:
        self.append()
        # The row the person's press made (not one a list shown anew brings): the page gives
        # it the focus.
        if self._added is not None:
            self._added.remove_class(ADDED)
        self._added = self.box.children[-1]
        self._added.add_class(ADDED)
        self._on_changed()

    def _on_changed(self, row: dict | None = None) -> None:
        """The person changed ``row`` (None: added a row): its errors and the list's own go,
        and what :attr:`check_row` finds wrong with it now is said at once."""
        _tell(self._edited)
        had = self._kind == "error"
        if had:
            self._errors = [e for e in self._errors if e[0] is not None and e[0] is not row]
        index = next((k for k, r in enumerate(self.rows) if r is row), None)
        found = self._check(index) if index is not None else []
        self._errors.extend(found)
        if not had and not found:
            return
        self._render()
        _tell(self._mended if not self._errors else self._lessened)

    def _check(self, index: int) -> list:
        """What :attr:`check_row` finds wrong with row ``index`` now, as errors to show (kept
        in :attr:`_live`, so that :meth:`recheck` can take them back)."""
        if self.check_row is None:
            return []
        row = self.rows[index]
        found = [
            (row, index + 1, self._controls_at(path), text_)
            for path, text_ in self.check_row(index, self.items()[index]).items()
        ]
        self._live.extend(found)
        return found

    def recheck(self) -> None:
        """Check every row again with :attr:`check_row` (what it depends on outside the list
        has changed: the session's day, say); other errors stay."""
        if self.check_row is None:
            return
        had = self._kind == "error"
        live = {id(e) for e in self._live}
        self._errors = [e for e in self._errors if id(e) not in live]
        self._live = []
        for index in range(len(self.rows)):
            self._errors.extend(self._check(index))
        if not had and not self._errors:
            return
        self._render()
        _tell(self._mended if not self._errors else self._lessened)

    def on_mended(self, callback: Callable[[], None]) -> None:
        """Call ``callback`` when a change of the person's takes the list's error away."""
        self._mended.append(callback)

    def on_lessened(self, callback: Callable[[], None]) -> None:
        """Call ``callback`` when a change of the person's takes some of the rows' errors away,
        others staying (a summary counting them says one fewer)."""
        self._lessened.append(callback)

    def on_edit(self, callback: Callable[[], None]) -> None:
        """Call ``callback`` whenever the list changes: a row's value, a row added or removed."""
        self._edited.append(callback)

    @property
    def kind(self) -> str | None:
        """What the message line shows: "error", "warning" or None."""
        return self._kind

    @property
    def marked_names(self) -> list[str]:
        """The places that show an error, by name: the list's own label, then each row said
        to be wrong by its number now ("Step 2"), in the page's order."""
        if self._kind != "error":
            return []
        wrong = {id(e[0]) for e in self._errors if e[0] is not None}
        own = [self.label] if any(e[0] is None for e in self._errors) else []
        return own + [f"{self.noun} {k + 1}" for k, r in enumerate(self.rows) if id(r) in wrong]

    def append(self, item: dict | None = None) -> dict[str, widgets.Widget]:
        controls = self.make_row(item)
        remove = name_by_tooltip(
            widgets.Button(
                description="Remove",
                icon="times",
                layout=widgets.Layout(width="auto", min_width="96px"),
            )
        )
        labels = {
            name: control.description
            for name, control in controls.items()
            if isinstance(control, DescriptionWidget)
        }
        note = widgets.HTML()
        note.add_class("peercoach-row-message")
        self.rows = [*self.rows, controls]
        self.notes = [*self.notes, note]
        self._keys = [*self._keys, (item or {}).get(self.key) if self.key else None]
        self._parts = [*self._parts, (remove, labels)]
        self._number(len(self.rows) - 1)
        row = widgets.VBox(
            [
                widgets.HBox(
                    [*controls.values(), remove], layout=widgets.Layout(flex_flow="row wrap")
                ),
                note,
            ]
        )
        row.add_class("peercoach-row")
        remove.on_click(runtime.guarded(lambda _button: self._remove(controls, row)))
        for control in controls.values():
            if control.has_trait("value"):
                control.observe(
                    runtime.guarded(lambda _change: self._on_changed(controls)), names="value"
                )
        self.box.children = [*self.box.children, row]
        return controls

    def _number(self, index: int) -> None:
        """Name row ``index`` (from 0) for a screen reader by its noun and number."""
        remove, labels = self._parts[index]
        which = f"{self.noun} {index + 1}"
        remove.tooltip = which
        for name, label in labels.items():
            control = self.rows[index][name]
            if label == self.noun:  # "Step", heard as "Step 2"
                control.description_allow_html = True
                control.description = html.escape(label) + unseen(f" {index + 1}")
            else:
                label_in_context(control, which, label=label)

    def _remove(self, controls: dict, row: widgets.VBox) -> None:
        index = next((k for k, r in enumerate(self.rows) if r is controls), None)
        if index is None:  # removed already (a double click)
            return
        self.rows = self.rows[:index] + self.rows[index + 1 :]
        self.notes = self.notes[:index] + self.notes[index + 1 :]
        self._keys = self._keys[:index] + self._keys[index + 1 :]
        self._parts = self._parts[:index] + self._parts[index + 1 :]
        self.box.children = [c for c in self.box.children if c is not row]
        for later in range(index, len(self.rows)):
            self._number(later)
        self._on_changed(controls)

    def load(self, items: list[dict]) -> None:
        """Show ``items`` as the rows; errors about the rows they replace go with them."""
        self.rows, self.notes, self._parts, self._keys = [], [], [], []
        self.box.children = []
        for item in items:
            self.append(item)
        if self._kind == "error":
            self._errors = []
            self._render()
            _tell(self._mended)

    def items(self) -> list[dict]:
        return [
            {**({self.key: k} if self.key else {}), **{n: c.value for n, c in row.items()}}
            for row, k in zip(self.rows, self._keys, strict=True)
        ]

    def show(self, kind: str | None = None, text: str = "") -> None:
        """Show a note or an error about the whole list under it, or clear it."""
        self._errors = [(None, 0, [], text)] if kind == "error" else []
        self._render(kind, text)

    def show_errors(self, errors: Iterable[tuple[str, str]]) -> None:
        """Show errors by path: a row's under its row, marking the controls it names; any
        other under the list."""
        self._errors = []
        for path, text_ in errors:
            index = self._row_index(path)
            row = self.rows[index] if index is not None else None
            self._errors.append((row, (index or 0) + 1, self._controls_at(path), text_))
        self._render()

    def _render(self, kind: str | None = None, text: str = "") -> None:
        """Show the errors kept (else ``kind`` and ``text``), with their rows' numbers now."""
        if self._errors:
            kind = "error"
            text = "; ".join(e[3] for e in self._errors if e[0] is None)
        self._kind = kind
        self.message.value = message_html(kind, text) if kind and text else ""
        for row, note in zip(self.rows, self.notes, strict=True):
            said = "; ".join(self._renumbered(e) for e in self._errors if e[0] is row)
            note.value = message_html("error", said) if said else ""
        for control in self._marked:
            control.remove_class(INVALID)
        self._marked = [c for e in self._errors for c in e[2]]
        for control in self._marked:
            control.add_class(INVALID)

    def _renumbered(self, error: tuple[dict | None, int, list, str]) -> str:
        """An error's text naming its row by the number the row has now ("Step 3" -> "Step 2"
        once an earlier step is removed)."""
        row, number, _, text_ = error
        now = next((k + 1 for k, r in enumerate(self.rows) if r is row), number)
        if row is None or now == number:
            return text_
        return re.sub(
            rf"\b({re.escape(self.noun)}) {number}\b",
            lambda found: f"{found[1]} {now}",
            text_,
            count=1,
            flags=re.IGNORECASE,
        )

    def _row_index(self, path: str) -> int | None:
        found = re.match(rf"{re.escape(self.path)}\[(\d+)\]", path)
        if found is None or int(found[1]) >= len(self.rows):
            return None
        return int(found[1])

    def _controls_at(self, path: str) -> list[widgets.DOMWidget]:
        """The controls ``path`` names: one row's field, or every field of a row."""
        index = self._row_index(path)
        if index is None:
            return []
        row = self.rows[index]
        found = re.match(rf"{re.escape(self.path)}\[\d+\]\.(\w+)", path)
        name = found[1] if found else None
        if name in row:
            return [row[name]]
        return [c for c in row.values() if isinstance(c, widgets.DOMWidget)]


#: A day and a time of day as a change keeps them (ISO 8601).
_STORED_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_STORED_TIME = re.compile(r"\d{2}:\d{2}(:00)?")


def _change_text(record: type, name: str, change, names: Mapping[int, str]) -> str:
    """A changed field: "Minutes of coaching each: 45 → 50" for a short value, else its
    title; in a list of people's parts, whose part and which of its fields ("Bob's part:
    What I hope to get out of peer coaching")."""
    title = record.model_fields[name].title or name if name in record.model_fields else name
    parts = _parts_changed(record, name, change, names)
    if parts:
        return "; ".join(parts)
    if linked := _links_changed(record, name, change):
        return f"{title}: {linked}"
    field = record.model_fields.get(name)
    # A choice the form names otherwise is named as it does ("every four weeks", stored as
    # "monthly").
    labelled = (
        field.annotation
        if field is not None
        and isinstance(field.annotation, type)
        and issubclass(field.annotation, StrEnum)
        and isinstance(getattr(field.annotation, "label", None), property)
        else None
    )

    def short(value) -> str | None:
        if value is None or value == "":
            return "(empty)"
        if labelled is not None and value in {member.value for member in labelled}:
            return labelled(value).label
        if isinstance(value, bool):
            return "yes" if value else "no"
        if isinstance(value, str) and _STORED_DAY.fullmatch(value):
            return dates.short(dt.date.fromisoformat(value))  # as the form shows days
        if isinstance(value, str) and _STORED_TIME.fullmatch(value):
            return value[:5]  # a time of day to the minute, as it is set
        if isinstance(value, int | float | str) and len(str(value)) <= 40:
            return str(value)
        return None

    before, after = short(change.before), short(change.after)
    return f"{title}: {before} → {after}" if before and after else title


def _record_lists(
    record: type, name: str, change, key: str
) -> tuple[type[pydantic.BaseModel], tuple[list, list]] | None:
    """For a field of ``record`` that is a list of records with a ``key`` field: that record
    type, and the list before and after ``change`` (each a list of dicts); else None."""
    field = record.model_fields.get(name)
    item = next(iter(typing.get_args(field.annotation)), None) if field else None
    lists = (change.before or [], change.after or [])
    if not (
        isinstance(item, type)
        and issubclass(item, pydantic.BaseModel)
        and key in item.model_fields
        and all(isinstance(v, list) and all(isinstance(p, dict) for p in v) for v in lists)
    ):
        return None
    return item, lists


def _links_changed(record: type, name: str, change) -> str:
    """For a list of records whose words stayed the same and whose other fields changed (an
    agreement's goals, linked to other change plans), those fields' titles ("Linked change
    plan"), so that the change is not read as new words; else ""."""
    found = _record_lists(record, name, change, "text")
    if found is None:
        return ""
    item, lists = found
    if [p.get("text") for p in lists[0]] != [p.get("text") for p in lists[1]]:
        return ""
    changed = [
        item.model_fields[key].title or key
        for key in item.model_fields
        if key != "text" and any(a.get(key) != b.get(key) for a, b in zip(*lists, strict=True))
    ]
    return ", ".join(changed)


def _parts_changed(record: type, name: str, change, names: Mapping[int, str]) -> list[str]:
    """For a list of records each someone's own (``person_id``), such as an agreement's two
    partners' parts: "<name>'s part: <the fields changed>" for each part changed; else []."""
    found = _record_lists(record, name, change, "person_id")
    if found is None:
        return []
    item, lists = found
    before, after = ({p.get("person_id"): p for p in v} for v in lists)
    said = []
    for person in dict.fromkeys([*before, *after]):
        was, now = before.get(person, {}), after.get(person, {})
        changed = [
            item.model_fields[key].title or key
            for key in item.model_fields
            if key != "person_id" and was.get(key) != now.get(key)
        ]
        if changed:
            whose = names.get(person, "a partner")
            said.append(f"{whose}\u2019s part: {', '.join(changed)}")
    return said


#: Changes a history table lists (the latest).
HISTORY_SHOWN = 10


def history_table(
    entries,
    record: type,
    names: Mapping[int, str] | None = None,
    *,
    store=None,
    person_id: int | None = None,
) -> str:
    """The latest changes to a record, newest first: when, who (if known), what, and which fields
    went from what to what (a short value is shown; a long text or a list is named); times as
    the person at the page reads clocks (:func:`context.local_time`)."""
    from peercoach_lib.apps import context

    rows = []
    entries = list(entries)
    for entry in list(reversed(entries))[:HISTORY_SHOWN]:
        fields = "; ".join(
            _change_text(record, n, c, names or {}) for n, c in entry.changes.items()
        ) or ("first saved" if entry.action.value == "created" else "-")
        who = (names or {}).get(entry.changed_by, "not recorded")
        when = context.local_time(entry.changed_at, store, person_id)
        rows.append(
            f"<tr><td>{dates.short(when)} {when:%H:%M}</td>"
            f"<td>{html.escape(who)}</td>"
            f"<td>{entry.action.value}</td>"
            f"<td>{html.escape(fields)}</td></tr>"
        )
    more = (
        f"<caption style='text-align:left;font-size:13px;padding-bottom:4px'>The latest "
        f"{HISTORY_SHOWN} of {len(entries)} changes; every change is kept, and an export (My "
        "data) holds them all.</caption>"
        if len(entries) > HISTORY_SHOWN
        else ""
    )
    return (
        f"<table class='peercoach-history' style='font-size:13px;border-collapse:collapse'>"
        f"{more}<thead><tr>"
        "<th>When</th><th>Who</th>"
        "<th>What</th><th>Fields</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


class Place(widgets.HTML):
    """What the page is about now (who, which partnership or cohort), for the page to follow.

    The page's address and its links to the other apps carry ``?person=``, ``?partnership=``
    and ``?cohort=`` from the address it was opened with; once someone else is chosen here,
    they would open the other apps for the person chosen before. This widget holds the
    choosers' values in a hidden element the page watches: on a change, the page puts them in
    its address (a reload keeps the choice) and in its links. Only whole ids and days count;
    a chooser on "Choose…" (or on something else, such as "Start a new plan") clears its part.
    Days (a dashboard's range, ``from`` and ``to``) are the page's own: its address keeps them,
    its links to other apps do not carry them. ``defaults`` give, for a chooser, what the page
    shows when its address does not name it: that value clears its part too.
    """

    def __init__(self, *, defaults: dict[str, Callable[[], object]] | None = None, **choosers):
        super().__init__(layout=widgets.Layout(display="none"))
        self.add_class("peercoach-place-keeper")
        self._choosers: dict[str, Field] = choosers
        self._defaults = defaults or {}
        for field in choosers.values():
            field.control.observe(runtime.guarded(self._render), names="value")
        self._render()

    def _render(self, _change=None) -> None:
        def part(value) -> str:
            if isinstance(value, dt.date):
                return value.isoformat()
            return str(value) if isinstance(value, int) and not isinstance(value, bool) else ""

        def shown(name: str, value):
            default = self._defaults.get(name)
            return None if default is not None and value == default() else value

        attributes = " ".join(
            f'data-{name}="{part(shown(name, field.value))}"'
            for name, field in self._choosers.items()
        )
        self.value = f'<span class="peercoach-place" {attributes}></span>'


def offer_participants(field: Field, store, chosen: int | None) -> None:
    """Fill an "I am" chooser with the workbook's participants (not those forgotten).

    On a shared server it offers the signed-in person alone, and cannot be changed; someone the
    workbook does not know, or a facilitator, is told so beside it and offered no one.
    """
    from peercoach_lib.apps import context
    from peercoach_lib.model import Person

    viewer = context.viewer(store)
    if viewer.signed_in:
        field.control.disabled = True
        me = viewer.person
        if me is None or me.role != "participant":
            field.control.options = [("No workbook of yours here", None)]
            field.value = None
            field.show("warning", not_a_participant(viewer))
            return
        field.control.options = [(me.name, me.id)]
        field.value = me.id
        return
    people = sorted(
        (p for p in store.find(Person, role="participant") if p.forgotten_at is None),
        key=lambda p: wording.alphabetical(p.name),
    )
    field.control.options = [("Choose who you are…", None), *((p.name, p.id) for p in people)]
    field.value = chosen if chosen in {p.id for p in people} else None
    if chosen is not None and field.value is None:
        _say_why_not_offered(field, store, chosen)
    elif chosen is None and (pair := _whose_link(store, {p.id: p for p in people})):
        # A link for a partnership (a flag's on the dashboard, say) is for its two people.
        field.control.options = [("Choose who you are…", None), *((p.name, p.id) for p in pair)]
        field.value = None
        _until_chosen(
            field,
            f"This link is for the partnership of {pair[0].name} and {pair[1].name}: choose "
            "which of you is here.",
        )


def _whose_link(store, offered: Mapping[int, object]) -> list | None:
    """The two people of the partnership a link names without naming either (a page opened
    from another with only the partnership chosen), when both are ``offered``."""
    from peercoach_lib.apps import context
    from peercoach_lib.errors import NotFoundError
    from peercoach_lib.model import Partnership

    partnership_id = context.int_param("partnership")
    if partnership_id is None:
        return None
    try:
        partnership = store.get(Partnership, partnership_id)
    except NotFoundError:
        return None  # reported by the page (context.unknown_in_url)
    pair = [offered[m] for m in partnership.members if m in offered]
    return pair if len(pair) == 2 else None


def _until_chosen(field: Field, text_: str) -> None:
    """A note beside ``field`` that goes once someone is chosen."""
    field.show("warning", text_)
    said = field.message.value

    def chosen(_change) -> None:
        if field.message.value == said:  # not a message the app has put there since
            field.show()

    field.control.observe(runtime.guarded(chosen), names="value")


def _say_why_not_offered(field: Field, store, person_id: int) -> None:
    """A link for someone the chooser does not offer: a facilitator is told why beside it, until
    someone is chosen (someone unknown or deleted is reported by the page, see
    :func:`context.unknown_in_url`)."""
    from peercoach_lib.errors import NotFoundError
    from peercoach_lib.model import Person, Role

    try:
        person = store.get(Person, person_id)
    except NotFoundError:
        return
    if person.forgotten_at is not None or person.role is Role.PARTICIPANT:
        return
    _until_chosen(
        field,
        f"{person.name} is a facilitator, in no pair here: this page is for a participant's own "
        "workbook (the cohort dashboard is the facilitator's). Choose who you are.",
    )


def not_a_participant(viewer) -> str:
    """Why a signed-in person has no participant's workbook here (plain text)."""
    if viewer.person is None:
        return (
            f"You are signed in as {viewer.hub_user}, but no one in this workbook signs in with "
            "that name. Ask your facilitator to add you to the cohort."
        )
    return (
        f"You are signed in as {viewer.person.name}, a facilitator: this page is for a "
        "participant's own workbook. The cohort dashboard is yours."
    )
