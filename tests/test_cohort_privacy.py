"""No one's private words reach the facilitator: a planted phrase never shows up, and no query
the dashboard runs touches a private column."""

from __future__ import annotations

import base64
import datetime as dt
import json
import re

import nbformat
import pytest
import sqlalchemy as sa
from nbclient import NotebookClient

from peercoach_lib import demo
from peercoach_lib.apps.cohort_app import CohortDashboardApp
from peercoach_lib.config import notebooks_dir
from peercoach_lib.store import Store, schema
from tests.conftest import AS_OF

PHRASE = "ZEBRA-SECRET-4711"
#: Columns that are not anyone's words: names the facilitator may see, and values of fixed lists
#: that the queries compare against.
STRUCTURAL = {
    "name",
    "role",
    "time_zone",
    "status",
    "medium",
    "format",
    "frequency",
    "day",
    "end_reason",
    "rule",
    "outcome",
    "prompted_by",
    "kind",
    "key",
    "table_name",
    "action",
    "area",
    "settings",
}


#: Written by the facilitator, about the cohort: theirs to read.
FACILITATORS_OWN = {"cohorts.description"}


def private_columns() -> list[sa.Column]:
    return [
        column
        for table in schema.metadata.sorted_tables
        for column in table.c
        if isinstance(column.type, sa.String | sa.Text | sa.JSON)
        and column.name not in STRUCTURAL
        and f"{table.name}.{column.name}" not in FACILITATORS_OWN
    ]


def _unique(column: sa.Column) -> bool:
    return any(i.unique and column.name in i.columns for i in column.table.indexes)


@pytest.fixture(scope="module")
def planted(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('privacy') / 'planted.sqlite'}"
    with Store(url) as store:
        demo.generate(store, pairs=6, weeks=10, seed=8, as_of=AS_OF)
        with store.transaction() as tx:
            for column in private_columns():
                value = [PHRASE] if isinstance(column.type, sa.JSON) else PHRASE
                if _unique(column):  # one phrase per row, still holding the planted phrase
                    value = sa.literal(PHRASE + "-") + sa.cast(column.table.c.id, sa.String)
                tx.connection.execute(column.table.update().values({column.name: value}))
        # Every private column holds the phrase now (where the table has rows).
        with store.reading() as tx:
            assert (
                tx.connection.execute(
                    sa.select(sa.func.count()).where(schema.session_notes.c.text == PHRASE)
                ).scalar_one()
                > 0
            )
    return url


def _decoded(text: str) -> str:
    """The text with every base64 data URI (the download links) decoded alongside."""
    blobs = re.findall(r"base64,([A-Za-z0-9+/=]+)", text)
    return text + "".join(base64.b64decode(b).decode("utf-8", "replace") for b in blobs)


def test_the_phrase_is_nowhere_in_the_rendered_dashboard(planted, monkeypatch):
    monkeypatch.setenv("PEERCOACH_DB", planted)
    notebook = nbformat.read(notebooks_dir() / "cohort_dashboard.ipynb", as_version=4)
    client = NotebookClient(
        notebook,
        timeout=240,
        kernel_name="python3",
        resources={"metadata": {"path": str(notebooks_dir())}},
        store_widget_state=True,
    )
    client.execute()
    output = json.dumps(nbformat.writes(notebook))
    errors = [
        o
        for cell in notebook.cells
        for o in cell.get("outputs", [])
        if o.get("output_type") == "error"
    ]
    assert not errors, errors
    state = json.dumps(notebook.metadata.get("widgets", {}))
    assert "Flags" in state and "Sessions held / planned" in state  # the dashboard did render
    assert PHRASE not in _decoded(output)
    assert PHRASE not in _decoded(state)


def test_no_query_of_the_dashboard_touches_a_private_column(planted):
    statements: list[str] = []
    with Store(planted) as store:
        sa.event.listen(
            store.engine,
            "before_cursor_execute",
            lambda conn, cursor, statement, *args: statements.append(statement),
        )
        app = CohortDashboardApp(store, today=AS_OF)
        app.sort.value = "name"
        app.start.value = AS_OF - dt.timedelta(weeks=4)
    assert statements
    touched = [
        f"{c.table.name}.{c.name}"
        for c in private_columns()
        if any(re.search(rf"\b{c.table.name}\.{c.name}\b", s) for s in statements)
    ]
    assert touched == []
    for table in ("session_notes", "session_preps", "feedback", "drafts", "record_history"):
        assert not any(re.search(rf"\b{table}\b", s) for s in statements), table
