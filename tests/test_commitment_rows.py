"""A commitment to follow up, as a row of the preparation and the session log."""

from __future__ import annotations

import datetime as dt
import html

from peercoach_lib.apps.commitments import CommitmentRow
from peercoach_lib.model import Commitment, CommitmentStatus

LONG = (
    "Write to the three people who asked about the mentoring scheme, and book a call with "
    "whichever of them answers first <before Friday>"
)


def test_a_long_commitment_is_shown_in_full_above_its_questions():
    row = CommitmentRow(
        Commitment(partnership_id=1, person_id=1, text=LONG, by_when=dt.date(2026, 11, 26)),
        today=dt.date(2026, 11, 20),
    )
    assert row.children[0] is row.title
    assert html.escape(LONG) in row.title.value  # whole, never cut, and escaped
    assert "(by 26 Nov)" in row.title.value
    # Beside the controls, the same short labels on every row; a screen reader hears the
    # commitment with each (the context is on the page, but visually hidden).
    for control, label in ((row.status, "How it went"), (row.obstacle, "What got in the way")):
        assert control.description.endswith(label)
        assert html.escape(LONG) in control.description
    assert row.status.value is CommitmentStatus.OPEN


def test_a_commitment_without_a_date_says_none():
    row = CommitmentRow(Commitment(partnership_id=1, person_id=1, text="Call the funder"))
    assert "by " not in row.title.value and "()" not in row.status.description


def test_a_commitment_due_in_another_year_says_the_year():
    due = Commitment(partnership_id=1, person_id=1, text="Run", by_when=dt.date(2027, 12, 1))
    assert "(by 1 Dec 2027)" in CommitmentRow(due, today=dt.date(2026, 11, 25)).title.value
    assert "(by 1 Dec)" in CommitmentRow(due, today=dt.date(2027, 3, 1)).title.value
