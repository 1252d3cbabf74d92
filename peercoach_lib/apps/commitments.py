"""Following up a commitment: done, partly, not done or dropped, and what got in the way."""

from __future__ import annotations

import datetime as dt
import html

import ipywidgets as widgets

from peercoach_lib import dates
from peercoach_lib.apps import forms
from peercoach_lib.model import Commitment, CommitmentStatus

STATUS_OPTIONS = [
    ("Not followed up yet", CommitmentStatus.OPEN),
    ("Done", CommitmentStatus.DONE),
    ("Partly", CommitmentStatus.PARTLY),
    ("Not done", CommitmentStatus.NOT_DONE),
    ("Dropped", CommitmentStatus.DROPPED),
]


class CommitmentRow(widgets.VBox):
    """An open commitment to follow up: done, partly, not done or dropped; what got in the way."""

    def __init__(self, commitment: Commitment, *, today: dt.date | None = None):
        self.commitment = commitment
        due = ""
        if commitment.by_when:
            # The year is said when it is not this year's ("by 1 Dec 2027", not "by 1 Dec").
            this_year = commitment.by_when.year == (today or dt.date.today()).year
            due = "by " + (dates.day_month if this_year else dates.short)(commitment.by_when)
        # The commitment in full on a line of its own, above the two questions about it (as a
        # label beside them, a long one was cut, or wrapped into the next label).
        self.title = widgets.HTML(
            "<div class='peercoach-commitment' style='font-size:var(--jp-widgets-font-size);"
            "line-height:1.4'>"
            f"<strong>{html.escape(commitment.text)}</strong>"
            + (f" <span style='color:#4a4f57'>({due})</span>" if due else "")
            + "</div>",
            layout=widgets.Layout(margin=f"6px 0 2px {forms.LABEL_WIDTH}", max_width="760px"),
        )
        self.status = forms.Dropdown(
            options=STATUS_OPTIONS,
            value=commitment.status,
            description="How it went",
            style=forms._STYLE,
            layout=widgets.Layout(width="min(100%, 560px)"),
        )
        self.obstacle = widgets.Text(
            value=commitment.obstacle,
            description="What got in the way",
            placeholder="Optional",
            style=forms._STYLE,
            layout=widgets.Layout(width="min(100%, 760px)"),
        )
        # Every row asks the same: a screen reader hears which commitment it is about.
        context = commitment.text + (f" ({due})" if due else "")
        forms.label_in_context(self.status, context)
        forms.label_in_context(self.obstacle, context)
        super().__init__(
            [self.title, self.status, self.obstacle], layout=widgets.Layout(margin="0 0 8px")
        )

    def reviewed(self) -> Commitment:
        return self.commitment.replace(status=self.status.value, obstacle=self.obstacle.value)
