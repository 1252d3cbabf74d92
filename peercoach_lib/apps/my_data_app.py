"""My data: what the workbook stores about me, who can see each part, and what I can do about it.

Share an item with my partner or make it private again (stored at once), take everything with me
as a file, or have myself deleted.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import logging
from zoneinfo import ZoneInfo

import ipywidgets as widgets

from peercoach_lib import agreement as ag
from peercoach_lib import dates, forget, my_data, transfer
from peercoach_lib.apps import context, forms, runtime
from peercoach_lib.model import Person, Role
from peercoach_lib.model.base import time_zone_name
from peercoach_lib.my_data import Item
from peercoach_lib.store import Store

log = logging.getLogger(__name__)

#: Items shown per kind before "Show all": enough to see what is kept, short enough to scan.
SHOWN = 2
SHARE_LABEL = "Shared with my partner"
CONFIRM_LABEL = "Type your name to confirm"

#: Each audience's badge colours (dark on light, readable at 12px).
BADGE_STYLE = {
    my_data.ME: ("#eceff1", "#263238"),
    my_data.PARTNER: ("#e3efff", "#0b3d91"),
    my_data.FACILITATOR: ("#fff0d6", "#5c3400"),
    my_data.AGGREGATES: ("#f3eafc", "#4a2672"),
}
_BADGE_CLASS = {
    my_data.ME: "me",
    my_data.PARTNER: "partner",
    my_data.FACILITATOR: "facilitator",
    my_data.AGGREGATES: "aggregates",
}


def badge(audience: str) -> str:
    background, colour = BADGE_STYLE[audience]
    return (
        f'<span class="peercoach-badge peercoach-seen-{_BADGE_CLASS[audience]}" '
        f'style="display:inline-block;padding:1px 8px;margin:1px 4px 1px 0;border-radius:10px;'
        f'font-size:12px;white-space:nowrap;background:{background};color:{colour}">'
        f"{html.escape(audience)}</span>"
    )


def item_html(item: Item) -> str:
    """One item: its label and date, then each field with its value and who can see it."""
    rows = "".join(
        "<tr>"
        f"<th scope='row' style='text-align:left;vertical-align:top;font-weight:normal;"
        f"color:#3d3d3d;padding:3px 12px 3px 0;width:230px'>{html.escape(entry.label)}</th>"
        f"<td style='vertical-align:top;padding:3px 12px 3px 0;white-space:pre-wrap;"
        f"overflow-wrap:anywhere'>{html.escape(entry.value)}</td>"
        f"<td style='vertical-align:top;padding:2px 0;width:290px'>"
        f"{''.join(badge(who) for who in entry.seen_by)}</td>"
        "</tr>"
        for entry in item.entries
    )
    table = (
        f"<table class='peercoach-fields' style='font-size:13px;line-height:1.35;"
        f"border-collapse:collapse;width:100%'><tbody>{rows}</tbody></table>"
        if rows
        else "<p style='font-size:13px;margin:2px 0'>Nothing filled in.</p>"
    )
    return (
        f"<div class='peercoach-item' data-kind='{item.kind}'>"
        f"<div class='peercoach-row-name' style='font-weight:600;font-size:14px;"
        # What kind of item, for a screen reader: a session's note and its preparation share
        # their label, and the switches beside them are heard by it.
        f"margin-bottom:2px'>{forms.unseen(item.what.capitalize() + ', ')}"
        f"{html.escape(item.label)}</div>{table}</div>"
    )


def _card_layout() -> widgets.Layout:
    return widgets.Layout(
        border="1px solid #d0d0d0", padding="6px 12px", margin="6px 0", width="auto"
    )


class SharedItemView(widgets.VBox):
    """An item the person can share or keep private: the switch saves at once, and says so (or
    says why not) beside it."""

    def __init__(self, app: MyDataApp, item: Item):
        self.app = app
        self.item = item
        self.card = widgets.HTML(item_html(item))
        self.switch = widgets.Checkbox(
            value=item.shared,
            description=SHARE_LABEL,
            indent=False,
            layout=widgets.Layout(width="auto"),
        )
        self.status = widgets.HTML(layout=widgets.Layout(margin="2px 0 0 12px"))
        self._reverting = False
        super().__init__(
            [self.card, widgets.HBox([self.switch, self.status])], layout=_card_layout()
        )
        self.add_class("peercoach-shareable")
        forms.name_row_by(self)  # its switch is heard with the item's name
        self.switch.observe(runtime.guarded(self._on_switch), names="value")

    def _on_switch(self, change) -> None:
        if self._reverting:
            return
        wanted = bool(change["new"])
        try:
            my_data.set_shared(
                self.app.store, self.app.person.value, self.item.kind, self.item.record_id, wanted
            )
        except Exception as exc:
            log.exception(
                "changing whether %s %s is shared failed", self.item.kind, self.item.record_id
            )
            # Show what is stored: the switch goes back to where it was.
            self._reverting = True
            try:
                self.switch.value = self.item.shared
            finally:
                self._reverting = False
            still = "shared with your partner" if self.item.shared else "private to you"
            reason = str(exc) if isinstance(exc, ValueError | PermissionError | LookupError) else ""
            self.status.value = forms.message_html(
                "error",
                f"not saved, so it is still {still}"
                + (f" ({reason})" if reason else "")
                + ". "
                + forms.try_again(),
            )
            return
        self.item = self.item.with_shared(wanted)
        self.card.value = item_html(self.item)
        if self.item.kind == "session_prep":
            self.app._renew("commitment")  # a shared preparation tells how they went
        self.app._offer_export(self.app.person.value)  # the download says it too
        self.status.value = forms.message_html(
            "ok",
            "your partner sees it from now on." if wanted else "private again: only you see it.",
        )


class DraftItemView(widgets.VBox):
    """A draft: what it holds, and a button to discard it, asked about first (what it holds is
    lost; its form shows what is saved from then on)."""

    def __init__(self, app: MyDataApp, item: Item):
        self.app = app
        self.item = item
        self.card = widgets.HTML(item_html(item))
        self.discard = forms.name_by_tooltip(
            widgets.Button(
                description="Discard this draft\u2026",
                icon="trash",
                tooltip=item.label,
                layout=widgets.Layout(width="auto", align_self="flex-start"),
            )
        )
        self.question = widgets.HTML(
            "<span style='font-size:13px'>Discard it for good? What it holds cannot be "
            "brought back; its form shows what is saved.</span>"
        )
        self.confirm = forms.name_by_tooltip(
            widgets.Button(
                description="Discard it",
                icon="trash",
                button_style="danger",
                tooltip=item.label,
                layout=widgets.Layout(width="auto", margin="0 0 0 8px"),
            )
        )
        self.keep = forms.name_by_tooltip(
            widgets.Button(
                description="Keep it",
                tooltip=item.label,
                layout=widgets.Layout(width="auto", margin="0 0 0 8px"),
            )
        )
        self.asking = widgets.HBox(
            [self.question, self.confirm, self.keep],
            layout=widgets.Layout(display="none", flex_flow="row wrap", align_items="center"),
        )
        self.status = widgets.HTML()
        super().__init__([self.card, self.discard, self.asking, self.status], layout=_card_layout())
        self.discard.on_click(runtime.guarded(self._on_ask))
        self.keep.on_click(runtime.guarded(self._on_keep))
        self.confirm.on_click(runtime.settled(self._on_discard))

    def _on_ask(self, _button=None) -> None:
        self.discard.layout.display = "none"
        self.asking.layout.display = "flex"
        forms.give_focus(self.question)  # the question read out before its buttons

    def _on_keep(self, _button=None) -> None:
        self.asking.layout.display = "none"
        self.discard.layout.display = "flex"
        forms.give_focus(self.discard)

    def _on_discard(self, _button=None) -> None:
        try:
            gone = my_data.discard_draft(self.app.store, self.app.person.value, self.item.record_id)
        except Exception:
            log.exception("discarding draft %s failed", self.item.record_id)
            self.status.value = forms.message_html(
                "error", "not discarded just now, so it is still kept. " + forms.try_again()
            )
            return
        said = (
            f"Draft discarded: {self.item.label}."
            if gone
            else f"Already gone (saved or discarded in another window): {self.item.label}."
        )
        at = self.app.sections["draft"].drafts.index(self)
        new = self.app._renew("draft", said=said)
        self.app._offer_export(self.app.person.value)  # the download no longer holds it
        # The focus goes on to the draft that came after it (else the one before, else the
        # section): the button pressed went with the list read again.
        left = new.drafts if new is not None else []
        forms.give_focus(left[min(at, len(left) - 1)].discard if left else new)


class KindSection(widgets.VBox):
    """One kind of item: its heading, the newest few items, and the rest one click away."""

    def __init__(
        self,
        app: MyDataApp,
        kind: str,
        items: list[Item],
        *,
        said: str = "",
        expanded: bool = False,
    ):
        self.kind = kind
        self.items = items
        about = my_data.KINDS[kind]
        count = f" ({len(items)})" if len(items) > 1 else ""
        header = widgets.HTML(
            f"<h3 style='margin:16px 0 2px'>{html.escape(about.title)}{count}</h3>"
            + (
                f"<p style='font-size:13px;margin:0 0 4px'>{html.escape(about.about)}</p>"
                if about.about
                else ""
            )
        )
        #: The items' switches, for a kind that can be shared (otherwise none).
        self.views: list[SharedItemView] = []
        #: The drafts, each with its button to discard it (for the kind "draft").
        self.drafts: list[DraftItemView] = []
        if kind in my_data.SHAREABLE:
            self.views = [SharedItemView(app, item) for item in items]
            views: list[widgets.Widget] = list(self.views)
        elif kind == "draft":
            views = self.drafts = [DraftItemView(app, item) for item in items]
        else:
            # Cards with nothing to operate are plain HTML: one widget each, quick to send.
            views = [widgets.HTML(item_html(item), layout=_card_layout()) for item in items]
        self.first = widgets.VBox(views[:SHOWN])
        self.rest = widgets.VBox(views[SHOWN:], layout=widgets.Layout(display="none"))
        self.toggle = widgets.Button(
            description=self._toggle_text(False),
            icon="chevron-down",
            layout=widgets.Layout(
                width="auto",
                align_self="flex-start",
                display="flex" if len(items) > SHOWN else "none",
                margin="2px 0",
            ),
        )
        #: What was just done here (a draft discarded), said above the items.
        self.said = widgets.HTML(forms.notice("ok", html.escape(said)) if said else "")
        if said and not items:
            self.first.children = [
                widgets.HTML("<p style='font-size:13px'>No drafts are kept for you now.</p>")
            ]
        super().__init__([header, self.said, self.first, self.rest, self.toggle])
        self.add_class("peercoach-kind")
        self.toggle.on_click(runtime.guarded(self._on_toggle))
        if expanded and len(items) > SHOWN:
            self._on_toggle()  # as it was before its items were read again

    def _toggle_text(self, open_: bool) -> str:
        if open_:
            return f"Show the newest {SHOWN} only"
        return f"Show all {len(self.items)} {my_data.KINDS[self.kind].plural}"

    @property
    def expanded(self) -> bool:
        return self.rest.layout.display != "none"

    def _on_toggle(self, _button=None) -> None:
        open_ = not self.expanded
        self.rest.layout.display = "flex" if open_ else "none"
        self.toggle.description = self._toggle_text(open_)
        self.toggle.icon = "chevron-up" if open_ else "chevron-down"


def legend_html() -> str:
    items = "".join(
        f"<li style='margin:2px 0'>{badge(who)} {html.escape(meaning)}</li>"
        for who, meaning in my_data.AUDIENCES.items()
    )
    return forms.notice(
        "info",
        "<strong>Who can see what.</strong> Beside each field, who besides you can see it:"
        f"<ul style='list-style:none;padding-left:0;margin:6px 0 0'>{items}</ul>",
    )


class MyDataApp(widgets.VBox):
    """What is stored about me, who sees it; share or unshare, export, delete me."""

    def __init__(self, store: Store | None = None, *, person_id: int | None = None):
        super().__init__(layout=widgets.Layout(max_width="1060px"))
        self.add_class("peercoach-app")
        self.add_class("peercoach-my-data")
        self.store = store or Store()
        self.me: Person | None = None
        self.items: list[Item] = []
        self.sections: dict[str, KindSection] = {}

        self.person = forms.dropdown("I am", "person_id", [])
        self.notice = widgets.HTML()
        self.demo = widgets.HTML()
        self.legend = widgets.HTML(legend_html())
        self.export = widgets.HTML()
        self.inventory_box = widgets.VBox()

        self.delete_start = widgets.Button(
            description="Delete me…",
            icon="trash",
            button_style="danger",
            layout=widgets.Layout(width="auto", align_self="flex-start", margin="4px 0"),
        )
        self.confirm_name = forms.text(CONFIRM_LABEL, "confirm_name")
        self.delete_button = widgets.Button(
            description="Delete everything about me",
            icon="trash",
            button_style="danger",
            layout=widgets.Layout(width="auto"),
        )
        self.cancel_button = widgets.Button(
            description="Keep my data", layout=widgets.Layout(width="auto", margin="0 0 0 8px")
        )
        self.confirm_text = widgets.HTML()
        self.confirm_box = widgets.VBox(
            [
                self.confirm_text,
                self.confirm_name,
                widgets.HBox(
                    [self.delete_button, self.cancel_button],
                    layout=widgets.Layout(margin=f"4px 0 0 {forms.LABEL_WIDTH}"),
                ),
            ],
            layout=widgets.Layout(display="none"),
        )
        self.delete_result = widgets.HTML()
        # The clock the person reads: their day, "your time" beside a session's, and the
        # times things were saved on a shared server are reckoned on it.
        self.zone = forms.time_zone("My time zone", "time_zone")
        forms.time_zone_as_left(self.zone)
        self.zone_button = widgets.Button(
            description="Save my time zone",
            icon="save",
            layout=widgets.Layout(
                width="auto", align_self="flex-start", margin=f"4px 0 0 {forms.LABEL_WIDTH}"
            ),
        )
        self.zone_result = widgets.HTML()
        self.body = widgets.VBox(
            [
                self.demo,
                self.legend,
                forms.heading("My time zone"),
                widgets.HTML(
                    "<p style='font-size:14px'>The clock you read: a session's time is said in "
                    "yours too where your partnership's agreement keeps another clock; on a "
                    "shared server, your day is this zone's too.</p>"
                ),
                self.zone,
                self.zone_button,
                self.zone_result,
                forms.heading("Take it with you"),
                self.export,
                forms.heading("What is stored about me"),
                self.inventory_box,
                forms.heading("Delete me"),
                widgets.HTML(
                    "<p style='font-size:14px'>Deleting removes your name and e-mail, your notes, "
                    "preparations, feedback, drafts, conversations and ending notes, and the words "
                    "of your plans, commitments and assessments. Figures your facilitator already "
                    "saw stay only as anonymous counts and levels. A partnership still running "
                    "ends, and its booked sessions are cancelled; your partner's own records stay "
                    "as they are. It cannot be undone: export your data first if you want a "
                    "copy.</p>"
                ),
                self.delete_start,
                self.confirm_box,
            ]
        )
        self.children = [
            forms.stylesheet(),
            self.person,
            forms.Place(person=self.person),
            self.notice,
            self.delete_result,
            self.body,
        ]

        self._offer_people(person_id)
        self._offer_facilitator_export(person_id)
        self.person.control.observe(runtime.guarded(self._on_person), names="value")
        self.zone_button.on_click(runtime.settled(self._on_save_zone))
        self.zone.control.observe(runtime.guarded(self._on_zone_edit), names="value")
        self.delete_start.on_click(runtime.guarded(self._on_delete_start))
        self.cancel_button.on_click(runtime.guarded(self._on_cancel))
        self.delete_button.on_click(runtime.guarded(self._on_delete))
        self._on_person()

    # -- choosing --------------------------------------------------------------------------------

    def _offer_people(self, chosen: int | None) -> None:
        """The participants, less anyone already deleted (a link to them says so instead)."""
        forms.offer_participants(self.person, self.store, chosen)
        gone = {p.id: p for p in self.store.find(Person, role="participant") if p.forgotten_at}
        if gone:
            self.person.control.options = [
                o for o in self.person.control.options if o[1] not in gone
            ]
            self.person.value = chosen if chosen not in gone else None
        if chosen in gone:
            when = context.local_time(gone[chosen].forgotten_at, self.store, self.person.value)
            self.notice.value = forms.notice(
                "info",
                "The data of the person this link is for was deleted on "
                f"{dates.long(when)}: there is nothing to show.",
            )

    def _on_person(self, _change=None) -> None:
        person_id = self.person.value
        self.body.layout.display = "none" if person_id is None else "flex"
        self.delete_result.value = ""
        self._close_confirmation()
        if person_id is None:
            self.inventory_box.children = []
            self.export.value = ""
            return
        self.notice.value = ""
        self.me = self.store.get(Person, person_id)
        self.zone.value = self.me.time_zone
        self.zone.show()
        self.zone_result.value = ""
        self.demo.value = forms.demo_notice() if self.me.is_demo else ""
        self.items = my_data.inventory(self.store, person_id)
        self.sections = {
            kind: KindSection(self, kind, found)
            for kind, found in my_data.by_kind(self.items).items()
        }
        self.inventory_box.children = list(self.sections.values())
        self._offer_export(person_id)

    def _on_zone_edit(self, _change=None) -> None:
        if self.me is not None and self.zone.value != self.me.time_zone:
            self.zone_result.value = ""  # "Saved" was about the zone before

    def _on_save_zone(self, _button=None) -> None:
        """Save the person's time zone (what they type checked as it is saved: a zone the list
        does not have is said beside the box, and nothing is saved)."""
        if self.me is None:
            return
        name = time_zone_name(self.zone.value or "")
        if name is None:
            self.zone.show("error", forms.NO_TIME_ZONE)
            self.zone_result.value = ""
            return
        self.zone.show()
        if name != self.me.time_zone:
            self.me = self.store.save(self.me.replace(time_zone=name))
            self._renew("person")
        now = dt.datetime.now(ZoneInfo(name))
        self.zone_result.value = forms.notice(
            "ok",
            f"Saved: your time zone is {html.escape(name)} "
            f"({html.escape(ag.zone_time(name))}, {now:%H:%M} now).",
        )

    def _renew(self, kind: str, *, said: str = "") -> KindSection | None:
        """Read one kind's items again, for who sees them now, and show them in its place
        (returned); ``said`` (what was just done there) above them."""
        old = self.sections.get(kind)
        if old is None:
            return None
        found = [i for i in my_data.inventory(self.store, self.person.value) if i.kind == kind]
        new = KindSection(self, kind, found, said=said, expanded=old.expanded)
        self.sections[kind] = new
        self.inventory_box.children = [
            new if child is old else child for child in self.inventory_box.children
        ]
        return new

    def _offer_facilitator_export(self, person_id: int | None) -> None:
        """A facilitator has no participant's workbook to list here, but what the workbook
        keeps about them is theirs to take away too (the page said "Export everything about
        me" and offered no way to)."""
        viewer = context.viewer(self.store)
        wanted = viewer.person_id if viewer.signed_in else person_id
        if wanted is None:
            return
        found = self.store.find(Person, id=wanted)
        if not found or found[0].role is Role.PARTICIPANT or found[0].forgotten_at is not None:
            return
        data = self._export_bytes(wanted)
        self.notice.value = forms.notice(
            "info",
            f"{html.escape(found[0].name)}, you are a facilitator: what the workbook keeps "
            "about you (your name, e-mail, sign-in name, time zone and cohort) is yours to take "
            "away: "
            + forms.download_link(
                "Export everything about me (JSON)",
                f"peercoach-person-{wanted}.json",
                data,
                "application/json",
                in_sentence=True,
            )
            + ". To be removed from the workbook, ask whoever runs it (<code>peercoach forget"
            "</code>).",
        )

    def _export_bytes(self, person_id: int) -> bytes:
        document = transfer.export_document(self.store, person_id)
        return json.dumps(document, indent=2, ensure_ascii=False).encode("utf-8")

    def _offer_export(self, person_id: int) -> None:
        data = self._export_bytes(person_id)
        self.export.value = (
            "<p style='font-size:14px;margin:4px 0'>"
            + forms.download_link(
                "Export everything about me (JSON)",
                f"peercoach-person-{person_id}.json",
                data,
                "application/json",
            )
            + f"<span style='color:#3d3d3d'>One file ({len(data) / 1024:,.0f} KB) with your "
            "records, your partnerships' sessions and agreements (your partner's part of an "
            "agreement too, as you both see it there), and your partners' names; never anyone "
            "else's notes, preparations or plans.</span></p>"
        )

    # -- deleting --------------------------------------------------------------------------------

    def _on_delete_start(self, _button=None) -> None:
        if self.me is None:
            return
        self.confirm_text.value = (
            "<p style='font-size:14px'>To confirm, type your name exactly as the workbook has "
            f"it: <strong>{html.escape(self.me.name)}</strong>.</p>"
        )
        self.confirm_name.value = ""
        self.confirm_name.show()
        self.confirm_box.layout.display = "flex"
        self.delete_start.layout.display = "none"
        forms.give_focus(self.confirm_text)  # what to type, read out before its box

    def _close_confirmation(self) -> None:
        self.confirm_box.layout.display = "none"
        self.delete_start.layout.display = "flex"
        self.confirm_name.value = ""
        self.confirm_name.show()

    def _on_cancel(self, _button=None) -> None:
        self._close_confirmation()
        forms.give_focus(self.delete_start)

    def _on_delete(self, _button=None) -> None:
        if self.me is None:
            return
        typed = self.confirm_name.value.strip()
        if typed != self.me.name:
            self.confirm_name.show(
                "error",
                "type your name as the workbook has it to confirm"
                if not typed
                else "this is not your name as the workbook has it: type it exactly, capitals "
                "included. Nothing was deleted.",
            )
            return
        self.confirm_name.show()
        person_id = self.me.id
        try:
            report = forget.forget_person(self.store, person_id)
        except Exception:
            log.exception("deleting person %s failed", person_id)
            self.confirm_name.show(
                "error",
                "your data could not be deleted just now, so nothing was. " + forms.try_again(),
            )
            return
        self.me = None
        self.items = []
        self.person.control.options = [o for o in self.person.control.options if o[1] != person_id]
        self.person.value = None
        self._on_person()
        self.delete_result.value = forms.notice(
            "ok",
            "<strong>Your data was deleted.</strong> " + html.escape(report.summary(you=True)),
        )
        forms.give_focus(self.delete_result)


def build_my_data_app(store: Store | None = None, **kwargs) -> widgets.Widget:
    """The My data app; the person comes from the page's URL when not given."""
    kwargs.setdefault("person_id", context.person_param(store))
    return runtime.launch(MyDataApp, store, **kwargs)
