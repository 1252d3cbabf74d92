"""Two saves of one record from two windows: what each changed, field by field.

A form keeps the record as it loaded it. When the store holds something newer at saving time
(saved from another window meanwhile), :func:`merge_fields` takes what only one side changed
from that side, so neither save silently undoes the other; a field both changed, differently,
is named for the person to settle.
"""

from __future__ import annotations

from typing import TypeVar

from peercoach_lib.model.base import Record

R = TypeVar("R", bound=Record)

#: Kept by the store, not typed by anyone.
_BOOKKEEPING = {"id", "created_at", "updated_at", "updated_by"}


def merge_fields(base: R, theirs: R, ours: R) -> tuple[R, tuple[str, ...]]:
    """``ours`` with every field that only ``theirs`` changed since ``base`` taken from
    ``theirs``, and the titles of the fields both changed differently (ours kept in those)."""
    before, there, here = (r.model_dump() for r in (base, theirs, ours))
    merged, clashes = {}, []
    for name, value in here.items():
        if name in _BOOKKEEPING:
            continue
        if value == before.get(name):
            merged[name] = there.get(name)
        elif there.get(name) not in (before.get(name), value):
            clashes.append(type(ours).model_fields[name].title or name)
    return ours.replace(**merged), tuple(clashes)
