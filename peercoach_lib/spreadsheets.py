"""CSV files as a spreadsheet opens them: the words as written, and never a formula.

A spreadsheet reads a cell that begins with ``=``, ``+``, ``-`` or ``@`` as a formula, so a name
typed as ``=HYPERLINK(...)`` would run in the facilitator's spreadsheet; such a cell is written
with a leading apostrophe, which spreadsheets read as "text follows" (OWASP's advice on CSV
injection). The file starts with UTF-8's byte order mark, without which a spreadsheet opened by
a double click reads "Zoë" as "ZoÃ«"; pandas and most tools skip it.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

#: The first characters that make a spreadsheet read a cell as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
#: UTF-8 with its byte order mark.
ENCODING = "utf-8-sig"


def _as_text(value: object) -> object:
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def as_text(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with every cell of words that a spreadsheet would take for a formula marked
    as text; numbers (a goal level of -1) stay numbers."""
    out = frame.copy()
    for name in out.columns:
        column = out[name]
        if isinstance(column.dtype, pd.CategoricalDtype):
            column = column.astype(object)  # a marked cell is no category of the column's
        if column.dtype == object or pd.api.types.is_string_dtype(column):
            # Cell by cell, in the column's own type (map would make 7 among blanks 7.0).
            out[name] = pd.Series(
                [_as_text(value) for value in column], index=column.index, dtype=column.dtype
            )
    # A header is a cell too.
    return out.rename(columns=lambda name: _as_text(str(name)))


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """``frame`` as the bytes of a CSV file (no index), safe to open in a spreadsheet."""
    return as_text(frame).to_csv(index=False).encode(ENCODING)


def write_csv(frame: pd.DataFrame, path: Path) -> None:
    """Write ``frame`` to ``path`` as :func:`csv_bytes` has it."""
    path.write_bytes(csv_bytes(frame))
